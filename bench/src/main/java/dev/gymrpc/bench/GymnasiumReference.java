package dev.gymrpc.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Gymnasium's own LunarLander-v3 steps/s on this machine, measured in the same run as the JMH figures by
 * running {@code bench/gymnasium_speed.py} (one thread, random actions, the same loop as
 * {@link EnvStepBenchmark#step}) with a Python that has gymnasium and Box2D.
 */
final class GymnasiumReference {

    private static final Pattern ROUND = Pattern.compile("round \\d+: ([0-9,]+) steps/s wall");

    private GymnasiumReference() {
    }

    /**
     * Median steps/s over the script's rounds, or NaN (with the reason on stderr) if no such Python or
     * script is found. {@code python} null tries {@code python3}.
     */
    static double measure(String python, int steps, int rounds) {
        Path script = script();
        if (script == null) {
            System.err.println("gymnasium reference: bench/gymnasium_speed.py not found (run from the repository root)");
            return Double.NaN;
        }
        String exe = python != null ? python : "python3";
        List<Double> perRound = new ArrayList<>();
        try {
            Process p = new ProcessBuilder(exe, script.toString(), "--steps", String.valueOf(steps), "--rounds",
                    String.valueOf(rounds)).redirectErrorStream(true).start();
            StringBuilder out = new StringBuilder();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    out.append(line).append('\n');
                    Matcher m = ROUND.matcher(line);
                    if (m.find()) {
                        perRound.add(Double.parseDouble(m.group(1).replace(",", "")));
                        System.out.println(line);
                    }
                }
            }
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0 || perRound.isEmpty()) {
                p.destroyForcibly();
                String why = out.toString().lines().reduce((a, b) -> b).orElse("no output");
                System.err.println("gymnasium reference: '" + exe + " " + script + "' gave no figure (" + why
                        + "); pass --gymnasium PYTHON for a Python with gymnasium and Box2D");
                return Double.NaN;
            }
        } catch (IOException e) {
            System.err.println("gymnasium reference: cannot run '" + exe + "': " + e.getMessage());
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
        perRound.sort(null);
        return perRound.get(perRound.size() / 2);
    }

    /** The script next to the repository's bench module: from the working directory or from the jar's. */
    private static Path script() {
        List<Path> candidates = new ArrayList<>(List.of(Path.of("bench", "gymnasium_speed.py"), Path.of("gymnasium_speed.py")));
        try {
            Path jar = Path.of(GymnasiumReference.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            candidates.add(jar.getParent().resolve("../gymnasium_speed.py").normalize()); // bench/target/x.jar
        } catch (Exception ignored) {
            // no code source (unusual class loaders): the working-directory candidates remain
        }
        return candidates.stream().filter(Files::isRegularFile).findFirst().orElse(null);
    }
}
