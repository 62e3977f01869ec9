package dev.gymrpc.agents.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One-time ND4J settings for training on a small shared CPU box.
 *
 * <p>Why: the networks here are tiny (a few thousand to ~20k parameters, batches of 64-256), so ND4J's
 * per-op overhead, not arithmetic, dominates. Extra OpenMP threads only add synchronisation and make
 * reductions order-dependent (non-deterministic); the periodic System.gc() that ND4J triggers to free
 * off-heap memory costs milliseconds at random points. So: FLOAT everywhere, one op thread by default,
 * periodic GC off. Call {@link #init()} before creating any network; it is idempotent.
 */
public final class Nd4jRuntime {

    private static volatile boolean done;

    private Nd4jRuntime() {
    }

    /** Applies the settings once per JVM (threads from {@code -Dgymrpc.nd4j.threads}, default 1). */
    public static synchronized void init() {
        if (done) {
            return;
        }
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        int threads = Integer.getInteger("gymrpc.nd4j.threads", 1);
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        // OpenBLAS keeps its own thread count (from OMP_NUM_THREADS / OPENBLAS_NUM_THREADS at load time);
        // pin it too, so results do not depend on the caller's environment variables.
        Nd4j.factory().blas().setMaxThreads(threads);
        Blas.setThreads(threads);
        Nd4j.getMemoryManager().togglePeriodicGc(false);
        done = true;
    }

    /** The ND4J version string recorded in saved models (provenance). */
    public static String nd4jVersion() {
        Package p = Nd4j.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null ? "1.0.0-M2.1" : v;
    }
}
