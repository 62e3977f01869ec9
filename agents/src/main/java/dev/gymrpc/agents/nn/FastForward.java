package dev.gymrpc.agents.nn;

/**
 * A plain-Java forward pass of an {@link Mlp} on a {@code float[]} copy of its parameters, for acting.
 *
 * <p>Why: one observation through ND4J costs several native calls of 15-50 us each (measured ~100-370 us
 * per forward with DL4J on this machine), while the arithmetic is a few thousand multiply-adds, about
 * 1-3 us in a JIT-compiled loop. The copy is refreshed by {@link #refresh()} after every optimizer step
 * of the network, so acting always uses the current weights. Not thread-safe (scratch buffers); use one
 * per thread.
 */
public final class FastForward {

    private final int[] sizes;
    private final int[] offsets;
    private final float[] p;
    private final float[] bufA;
    private final float[] bufB;

    public FastForward(Mlp net) {
        this(net.sizes(), net.paramsCopy());
    }

    /** A forward pass over a saved parameter vector (layout of {@link Mlp}). */
    public FastForward(int[] sizes, float[] params) {
        this.sizes = sizes.clone();
        int layers = sizes.length - 1;
        this.offsets = new int[2 * layers + 1];
        int q = 0;
        for (int l = 0; l < layers; l++) {
            offsets[2 * l] = q;
            q += sizes[l] * sizes[l + 1];
            offsets[2 * l + 1] = q;
            q += sizes[l + 1];
        }
        offsets[2 * layers] = q;
        if (params.length != q) {
            throw new IllegalArgumentException("sizes need " + q + " parameters, got " + params.length);
        }
        this.p = params.clone();
        int max = 0;
        for (int s : sizes) {
            max = Math.max(max, s);
        }
        bufA = new float[max];
        bufB = new float[max];
    }

    /** Re-reads the parameters of {@code net} (same sizes). */
    public void refresh(Mlp net) {
        net.copyParamsTo(p);
    }

    /** A copy of the parameters in use. */
    public float[] params() {
        return p.clone();
    }

    public int[] sizes() {
        return sizes.clone();
    }

    /** Whether every parameter is finite (divergence guard). */
    public boolean allFinite() {
        for (float v : p) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Forward pass of one observation {@code x[xOff .. xOff+in)}; writes the {@code out} outputs to
     * {@code dst[dstOff ..]}.
     */
    public void forward(float[] x, int xOff, float[] dst, int dstOff) {
        float[] in = bufA;
        System.arraycopy(x, xOff, in, 0, sizes[0]);
        float[] out = bufB;
        int layers = sizes.length - 1;
        for (int l = 0; l < layers; l++) {
            int nIn = sizes[l];
            int nOut = sizes[l + 1];
            int wo = offsets[2 * l];
            System.arraycopy(p, offsets[2 * l + 1], out, 0, nOut);
            for (int i = 0; i < nIn; i++) {
                float xi = in[i];
                if (xi == 0f) {
                    continue;
                }
                int row = wo + i * nOut;
                for (int j = 0; j < nOut; j++) {
                    out[j] += xi * p[row + j];
                }
            }
            if (l < layers - 1) {
                for (int j = 0; j < nOut; j++) {
                    if (out[j] < 0f) {
                        out[j] = 0f;
                    }
                }
                float[] t = in;
                in = out;
                out = t;
            }
        }
        System.arraycopy(out, 0, dst, dstOff, sizes[layers]);
    }
}
