package dev.gymrpc.agents.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A checkpoint's contents: scalar state as JSON ({@code state.json}) and float arrays as binary zip
 * entries ({@code <name>.bin}). Written atomically (temp file, then move) so a crash mid-write never
 * leaves a truncated checkpoint under the final name.
 */
public final class StateBag {

    private final Map<String, Object> meta = new LinkedHashMap<>();
    private final Map<String, float[]> arrays = new LinkedHashMap<>();

    public StateBag put(String key, Object value) {
        meta.put(key, value);
        return this;
    }

    public StateBag putArray(String key, float[] value) {
        if (value != null) {
            arrays.put(key, value);
        }
        return this;
    }

    public Object get(String key) {
        if (!meta.containsKey(key)) {
            throw new IllegalArgumentException("checkpoint has no '" + key + "'");
        }
        return meta.get(key);
    }

    public boolean has(String key) {
        return meta.containsKey(key) || arrays.containsKey(key);
    }

    public double getDouble(String key) {
        Object v = get(key);
        return v instanceof String s ? Double.parseDouble(s) : ((Number) v).doubleValue();
    }

    public long getLong(String key) {
        return ((Number) get(key)).longValue();
    }

    public int getInt(String key) {
        return Math.toIntExact(getLong(key));
    }

    /** The array, or {@code null} if absent. */
    public float[] array(String key) {
        return arrays.get(key);
    }

    public Map<String, Object> meta() {
        return meta;
    }

    public void write(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try (OutputStream os = Files.newOutputStream(tmp); ZipOutputStream zip = new ZipOutputStream(os)) {
            zip.putNextEntry(new ZipEntry("state.json"));
            zip.write(Json.write(meta).getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            for (Map.Entry<String, float[]> e : arrays.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey() + ".bin"));
                zip.write(ModelIO.floats(e.getValue()));
                zip.closeEntry();
            }
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    public static StateBag read(Path file) throws IOException {
        Map<String, byte[]> entries = ModelIO.readZip(file);
        byte[] json = entries.get("state.json");
        if (json == null) {
            throw new IOException(file + " is not a gymrpc checkpoint (no state.json)");
        }
        StateBag bag = new StateBag();
        ((Map<?, ?>) Json.parse(new String(json, StandardCharsets.UTF_8))).forEach((k, v) -> bag.meta.put((String) k, v));
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            if (e.getKey().endsWith(".bin")) {
                bag.arrays.put(e.getKey().substring(0, e.getKey().length() - 4), ModelIO.readFloats(e.getValue()));
            }
        }
        return bag;
    }
}
