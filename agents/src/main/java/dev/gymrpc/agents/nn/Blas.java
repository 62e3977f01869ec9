package dev.gymrpc.agents.nn;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Row-major {@code sgemm} called directly on ND4J buffers through the OpenBLAS build that ND4J itself
 * ships (bytedeco {@code openblas_nolapack}).
 *
 * <p>Why: {@code Nd4j.gemm} goes through ND4J's op machinery (op object, shape checks, libnd4j's
 * matmul helper) which cost about 25-30 us per call on this machine on top of the BLAS work; for the
 * small matrices here (e.g. 256x9 times 9x256, ~20 us of arithmetic) that doubled the time of every
 * layer. The direct call gave bit-identical results in our check. If the binding cannot be loaded,
 * {@link #available()} is false and {@link Mlp} uses {@code Nd4j.gemm}.
 */
final class Blas {

    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;
    private static final boolean AVAILABLE = probe();

    private Blas() {
    }

    private static boolean probe() {
        if (Boolean.getBoolean("gymrpc.nd4j.gemm")) {
            return false; // force the ND4J path (for comparisons)
        }
        try {
            Class.forName("org.bytedeco.openblas.global.openblas_nolapack");
            return true;
        } catch (Throwable t) {
            return false;
        }
    }

    static boolean available() {
        return AVAILABLE;
    }

    /** Pins the OpenBLAS thread count of the library used here. */
    static void setThreads(int n) {
        if (AVAILABLE) {
            org.bytedeco.openblas.presets.openblas_nolapack.blas_set_num_threads(n);
        }
    }

    /** A pointer to element {@code offset} of a contiguous FLOAT array's buffer. */
    static FloatPointer pointer(INDArray array, long offset) {
        Pointer base = array.data().addressPointer();
        FloatPointer p = new FloatPointer(base);
        p.position(array.offset() + offset);
        return p;
    }

    /** {@code C[m x n] = op(A)[m x k] * op(B)[k x n]} (beta 0), all row-major with the given leading dimensions. */
    static void gemm(boolean transA, boolean transB, int m, int n, int k, FloatPointer a, int lda, FloatPointer b, int ldb,
                     FloatPointer c, int ldc) {
        org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS,
                transB ? TRANS : NO_TRANS, m, n, k, 1f, a, lda, b, ldb, 0f, c, ldc);
    }
}
