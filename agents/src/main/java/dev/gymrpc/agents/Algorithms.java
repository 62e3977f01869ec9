package dev.gymrpc.agents;

import dev.gymrpc.agents.config.InvalidConfigException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The algorithms on the class path, found with {@link ServiceLoader}: a new algorithm is one package
 * plus its line in {@code META-INF/services/dev.gymrpc.agents.Algorithm}. Listed in name order.
 */
public final class Algorithms {

    private static final Map<String, Algorithm> ALL;

    static {
        Map<String, Algorithm> m = new java.util.TreeMap<>();
        for (Algorithm a : ServiceLoader.load(Algorithm.class, Algorithms.class.getClassLoader())) {
            Algorithm prev = m.put(a.name(), a);
            if (prev != null) {
                throw new IllegalStateException("two algorithms named '" + a.name() + "': "
                        + prev.getClass().getName() + " and " + a.getClass().getName());
            }
        }
        ALL = Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }

    private Algorithms() {
    }

    /** Every algorithm by name. */
    public static Map<String, Algorithm> all() {
        return ALL;
    }

    /** Their names. */
    public static List<String> names() {
        return List.copyOf(ALL.keySet());
    }

    /** The algorithm {@code name} (case-insensitive), or an {@link InvalidConfigException} listing the names. */
    public static Algorithm get(String name) {
        Algorithm a = name == null ? null : ALL.get(name.trim().toLowerCase(Locale.ROOT));
        if (a == null) {
            throw new InvalidConfigException("algorithm", (name == null || name.isBlank() ? "is required"
                    : "'" + name + "' is unknown") + "; choose one of " + String.join(", ", ALL.keySet()));
        }
        return a;
    }

    /** The algorithm whose config {@code config} is. */
    public static Algorithm of(AlgoConfig config) {
        return get(config.algorithm());
    }
}
