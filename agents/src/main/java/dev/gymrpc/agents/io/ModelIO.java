package dev.gymrpc.agents.io;

import dev.gymrpc.agents.ActionHead;
import dev.gymrpc.agents.AlgoConfig;
import dev.gymrpc.agents.Algorithms;
import dev.gymrpc.agents.Policy;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Saved model format (a zip, format version 2; version 1 files, which had no {@code head}, load as
 * categorical policies):
 * <ul>
 *   <li>{@code model.json}: format, algorithm, full config, env id and options, seed, actor layer sizes,
 *       action head (kind, n, start, low, high), library versions (provenance, as Tribuo's models carry);</li>
 *   <li>{@code actor.bin}: the actor's flat parameter vector, big-endian float32 preceded by its length
 *       (layout of {@code Mlp}: per layer W row-major [in, out] then b).</li>
 * </ul>
 * Plain floats rather than a DL4J ModelSerializer file because the networks are not MultiLayerNetworks
 * (see {@code Mlp}) and acting needs no ND4J at all.
 */
public final class ModelIO {

    public static final int FORMAT = 2;

    private ModelIO() {
    }

    public static void save(Policy p, Path file) throws IOException {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("algorithm", p.config().algorithm());
        meta.put("config", RecordCodec.toMap((Record) p.config()));
        meta.put("envId", p.envId());
        meta.put("envOptions", new TreeMap<>(p.envOptions()));
        meta.put("seed", p.seed());
        meta.put("sizes", p.sizes());
        Map<String, Object> head = new LinkedHashMap<>();
        head.put("kind", p.head().kind().name());
        head.put("n", p.head().n());
        head.put("start", p.head().start());
        head.put("low", p.head().low());
        head.put("high", p.head().high());
        meta.put("head", head);
        meta.put("versions", new TreeMap<>(p.versions()));
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            zip.putNextEntry(new ZipEntry("model.json"));
            zip.write(Json.write(meta).getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("actor.bin"));
            zip.write(floats(p.parameters()));
            zip.closeEntry();
        }
    }

    public static Policy load(Path file) throws IOException {
        Map<String, byte[]> entries = readZip(file);
        byte[] json = entries.get("model.json");
        byte[] bin = entries.get("actor.bin");
        if (json == null || bin == null) {
            throw new IOException(file + " is not a gymrpc model (needs model.json and actor.bin)");
        }
        Map<?, ?> meta = (Map<?, ?>) Json.parse(new String(json, StandardCharsets.UTF_8));
        long format = ((Number) meta.get("format")).longValue();
        if (format != 1 && format != FORMAT) {
            throw new IOException(file + " has model format " + format + "; this build reads formats 1 and " + FORMAT);
        }
        AlgoConfig cfg = config((String) meta.get("algorithm"), (Map<?, ?>) meta.get("config"));
        List<?> sizesList = (List<?>) meta.get("sizes");
        int[] sizes = new int[sizesList.size()];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = ((Number) sizesList.get(i)).intValue();
        }
        Map<String, Object> envOptions = new LinkedHashMap<>();
        ((Map<?, ?>) meta.get("envOptions")).forEach((k, v) -> envOptions.put((String) k, v));
        Map<String, String> versions = new LinkedHashMap<>();
        ((Map<?, ?>) meta.get("versions")).forEach((k, v) -> versions.put((String) k, String.valueOf(v)));
        ActionHead head;
        if (meta.get("head") instanceof Map<?, ?> h) {
            head = new ActionHead(ActionHead.Kind.valueOf((String) h.get("kind")), ((Number) h.get("n")).intValue(),
                    ((Number) h.get("start")).intValue(), floatList(h.get("low")), floatList(h.get("high")));
        } else { // format 1: discrete policies only, actions from 0
            head = new ActionHead(ActionHead.Kind.CATEGORICAL, sizes[sizes.length - 1], 0, null, null);
        }
        return new Policy(cfg, (String) meta.get("envId"), envOptions, ((Number) meta.get("seed")).longValue(), sizes,
                readFloats(bin), head, versions);
    }

    private static float[] floatList(Object o) {
        List<?> l = o == null ? List.of() : (List<?>) o;
        float[] out = new float[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) l.get(i)).floatValue();
        }
        return out;
    }

    /** Rebuilds a config record from its saved map (validation runs again). */
    public static AlgoConfig config(String algorithm, Map<?, ?> m) {
        Class<? extends AlgoConfig> type = Algorithms.get(algorithm).configType();
        AlgoConfig c = (AlgoConfig) RecordCodec.fromMap(type.asSubclass(Record.class), m);
        Algorithms.get(algorithm).schema().validate((Record) c);
        return c;
    }

    static Map<String, byte[]> readZip(Path file) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (InputStream is = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(is)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                out.put(e.getName(), zip.readAllBytes());
            }
        }
        return out;
    }

    public static byte[] floats(float[] v) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream(4 + 4 * v.length);
        DataOutputStream out = new DataOutputStream(bos);
        out.writeInt(v.length);
        for (float f : v) {
            out.writeFloat(f);
        }
        out.flush();
        return bos.toByteArray();
    }

    public static float[] readFloats(byte[] b) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(b));
        int n = in.readInt();
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = in.readFloat();
        }
        return v;
    }
}
