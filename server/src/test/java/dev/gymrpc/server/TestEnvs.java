package dev.gymrpc.server;

import dev.gymrpc.envs.AbstractEnv;
import dev.gymrpc.envs.Box;
import dev.gymrpc.envs.Discrete;
import dev.gymrpc.envs.EnvRegistry;
import dev.gymrpc.envs.EnvSpec;
import dev.gymrpc.envs.OptionSpec;
import dev.gymrpc.envs.Options;
import dev.gymrpc.envs.Reset;
import dev.gymrpc.envs.RgbImage;
import dev.gymrpc.envs.Step;
import dev.gymrpc.envs.InvalidOptionException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Small envs that exercise what the standard ones cannot: a Box action space (until
 * LunarLanderContinuous lands), an env that fails unexpectedly, and one that detects concurrent calls.
 */
final class TestEnvs {

    private TestEnvs() {
    }

    /** The standard registry's envs plus the test envs below. */
    static EnvRegistry registry() {
        EnvRegistry r = new EnvRegistry();
        for (EnvSpec s : EnvRegistry.standard().specs()) {
            r.register(s);
        }
        return r.register(BoxTarget.SPEC).register(Faulty.SPEC).register(Probe.SPEC);
    }

    /**
     * Move a point in [-10, 10]^2 by a Box(-1, 1, (2,)) action towards the origin; reward = -distance;
     * terminates within 0.5 of the origin. Option {@code start} (float) sets the initial radius.
     */
    static final class BoxTarget extends AbstractEnv<float[]> {
        static final EnvSpec SPEC = new EnvSpec("BoxTarget-v0", BoxTarget::new, 50, Double.NaN,
                List.of(OptionSpec.real("start", 5.0, "initial distance from the origin, in (0, 10]")),
                "test env with a Box action space");
        private final double start;
        private float x;
        private float y;

        BoxTarget(Options o) {
            super(SPEC, Box.uniform(-10f, 10f, new int[] {2}, dev.gymrpc.envs.DType.FLOAT32),
                    Box.uniform(-1f, 1f, new int[] {2}, dev.gymrpc.envs.DType.FLOAT32));
            start = o.getDouble("start");
            if (!(start > 0 && start <= 10)) {
                throw new InvalidOptionException("start", "must be in (0, 10], got " + start);
            }
        }

        @Override
        protected Reset doReset(Map<String, ?> options) {
            rejectResetOptions(options);
            double angle = rng().nextDouble() * 2 * Math.PI;
            x = (float) (start * Math.cos(angle));
            y = (float) (start * Math.sin(angle));
            return new Reset(new float[] {x, y}, Map.of());
        }

        @Override
        protected Step doStep(float[] a) {
            x = Math.max(-10f, Math.min(10f, x + a[0]));
            y = Math.max(-10f, Math.min(10f, y + a[1]));
            double d = Math.hypot(x, y);
            return new Step(new float[] {x, y}, -d, d < 0.5, false, Map.of("distance", d));
        }

        @Override
        protected RgbImage doRender() {
            return new RgbImage(2, 2, new byte[12]);
        }
    }

    /** Throws an unexpected exception on action 1 (a server bug stand-in). */
    static final class Faulty extends AbstractEnv<Integer> {
        static final EnvSpec SPEC = new EnvSpec("Faulty-v0", Faulty::new, 0, Double.NaN, List.of(),
                "test env whose step(1) throws");

        Faulty(Options o) {
            super(SPEC, Box.uniform(0f, 1f, new int[] {1}, dev.gymrpc.envs.DType.FLOAT32), new Discrete(2));
        }

        @Override
        protected Reset doReset(Map<String, ?> options) {
            return new Reset(new float[] {0f}, Map.of());
        }

        @Override
        protected Step doStep(Integer a) {
            if (a == 1) {
                throw new ArrayIndexOutOfBoundsException("simulated bug in the env");
            }
            return new Step(new float[] {0f}, 0, false, false, Map.of());
        }

        @Override
        protected RgbImage doRender() {
            return new RgbImage(1, 1, new byte[3]);
        }
    }

    /** Records how many calls are inside step at once (must never exceed 1 per env). */
    static final class Probe extends AbstractEnv<Integer> {
        static final EnvSpec SPEC = new EnvSpec("Probe-v0", Probe::new, 0, Double.NaN, List.of(),
                "test env that detects concurrent steps");
        static final AtomicInteger MAX_INSIDE = new AtomicInteger();
        private final AtomicInteger inside = new AtomicInteger();
        private int steps;

        Probe(Options o) {
            super(SPEC, Box.uniform(0f, Float.POSITIVE_INFINITY, new int[] {1}, dev.gymrpc.envs.DType.FLOAT32),
                    new Discrete(2));
        }

        @Override
        protected Reset doReset(Map<String, ?> options) {
            steps = 0;
            return new Reset(new float[] {0f}, Map.of());
        }

        @Override
        protected Step doStep(Integer a) {
            int now = inside.incrementAndGet();
            MAX_INSIDE.accumulateAndGet(now, Math::max);
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            steps++;
            inside.decrementAndGet();
            return new Step(new float[] {steps}, 1, false, false, Map.of("steps", steps));
        }

        @Override
        protected RgbImage doRender() {
            return new RgbImage(1, 1, new byte[3]);
        }
    }
}
