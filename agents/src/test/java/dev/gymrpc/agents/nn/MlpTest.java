package dev.gymrpc.agents.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gymrpc.agents.util.Rng;
import org.junit.jupiter.api.Test;

class MlpTest {

    private static Mlp.Input input(float[] x, int rows, int cols) {
        return new Mlp.Input(cols, rows).fill(x);
    }

    /** L = sum_k c_k * out_k for fixed c; dL/dparams by central differences (in double on a copy). */
    @Test
    void backwardMatchesFiniteDifferences() {
        Rng rng = new Rng(7);
        Mlp net = new Mlp(new int[] {3, 5, 4, 2}, Mlp.Init.XAVIER_NORMAL, rng);
        // Non-zero biases so every ReLU pattern is exercised.
        float[] p = net.paramsCopy();
        for (int i = 0; i < p.length; i++) {
            p[i] += (float) (0.1 * rng.nextGaussian());
        }
        net.setParams(p);
        int batch = 6;
        float[] x = new float[batch * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        float[] c = new float[batch * 2];
        for (int i = 0; i < c.length; i++) {
            c[i] = (float) rng.nextGaussian();
        }
        Mlp.Tape tape = net.newTape();
        net.forward(input(x, batch, 3), tape);
        net.backward(tape, c.clone());
        float[] g = new float[net.numParams()];
        net.block().copyGradsTo(g);

        // Reference forward in double precision.
        double eps = 1e-3;
        for (int i = 0; i < p.length; i++) {
            double[] pp = toDouble(p);
            pp[i] += eps;
            double up = loss(pp, new int[] {3, 5, 4, 2}, x, batch, c);
            pp[i] -= 2 * eps;
            double down = loss(pp, new int[] {3, 5, 4, 2}, x, batch, c);
            assertEquals((up - down) / (2 * eps), g[i], 2e-3, "param " + i);
        }
    }

    @Test
    void forwardMatchesFastForwardAndReference() {
        Rng rng = new Rng(3);
        int[] sizes = {4, 16, 16, 3};
        Mlp net = new Mlp(sizes, Mlp.Init.DDPG_UNIFORM, rng);
        int batch = 5;
        float[] x = new float[batch * 4];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        Mlp.Tape tape = net.newTape();
        net.forward(input(x, batch, 4), tape);
        float[] out = new float[batch * 3];
        tape.copyOutputTo(out);
        FastForward fast = new FastForward(net);
        float[] o = new float[3];
        for (int r = 0; r < batch; r++) {
            fast.forward(x, r * 4, o, 0);
            for (int k = 0; k < 3; k++) {
                assertEquals(out[r * 3 + k], o[k], 1e-5);
            }
        }
        double[] ref = forwardRef(toDouble(net.paramsCopy()), sizes, x, batch);
        for (int i = 0; i < ref.length; i++) {
            assertEquals(ref[i], out[i], 1e-5);
        }
    }

    @Test
    void polyakIsConvexCombinationOfFlatParameters() {
        Mlp a = new Mlp(new int[] {2, 3, 2}, Mlp.Init.DDPG_UNIFORM, new Rng(1));
        Mlp b = new Mlp(new int[] {2, 3, 2}, Mlp.Init.DDPG_UNIFORM, new Rng(2));
        float[] pa = a.paramsCopy();
        float[] pb = b.paramsCopy();
        Polyak.update(a.block(), b.block(), 0.25);
        float[] got = a.paramsCopy();
        for (int i = 0; i < got.length; i++) {
            assertEquals(0.75 * pa[i] + 0.25 * pb[i], got[i], 1e-6);
        }
    }

    @Test
    void adamStepMatchesTheFormula() {
        Mlp net = new Mlp(new int[] {1, 1}, Mlp.Init.XAVIER_NORMAL, new Rng(1));
        net.setParams(new float[] {0.5f, -0.25f});
        AdamOptimizer opt = new AdamOptimizer(net.block(), 0.1, 0);
        double[] m = new double[2];
        double[] v = new double[2];
        double[] theta = {0.5, -0.25};
        float[][] grads = {{1f, -2f}, {0.5f, 0.25f}, {-1f, 3f}};
        for (int t = 1; t <= grads.length; t++) {
            net.block().setGrads(grads[t - 1]);
            opt.step();
            for (int i = 0; i < 2; i++) {
                double g = grads[t - 1][i];
                m[i] = 0.9 * m[i] + 0.1 * g;
                v[i] = 0.999 * v[i] + 0.001 * g * g;
                double mh = m[i] / (1 - Math.pow(0.9, t));
                double vh = v[i] / (1 - Math.pow(0.999, t));
                theta[i] -= 0.1 * mh / (Math.sqrt(vh) + 1e-8);
            }
            float[] got = net.paramsCopy();
            assertEquals(theta[0], got[0], 1e-5, "step " + t);
            assertEquals(theta[1], got[1], 1e-5, "step " + t);
        }
    }

    @Test
    void networksSharingABlockKeepSeparateGradients() {
        ParamBlock block = new ParamBlock(2 * Mlp.paramCount(new int[] {2, 3, 2}));
        Mlp a = new Mlp(new int[] {2, 3, 2}, Mlp.Init.XAVIER_NORMAL, new Rng(1), block);
        Mlp b = new Mlp(new int[] {2, 3, 2}, Mlp.Init.XAVIER_NORMAL, new Rng(2), block);
        Mlp alone = new Mlp(new int[] {2, 3, 2}, Mlp.Init.XAVIER_NORMAL, new Rng(2));
        assertArrayEquals(alone.paramsCopy(), b.paramsCopy());
        Mlp.Input x = input(new float[] {0.5f, -1f, 2f, 0.25f}, 2, 2);
        float[] d = {1f, -1f, 0.5f, 2f};
        Mlp.Tape ta = a.newTape();
        Mlp.Tape tb = b.newTape();
        Mlp.Tape tc = alone.newTape();
        a.forward(x, ta);
        b.forward(x, tb);
        alone.forward(x, tc);
        a.backward(ta, d);
        b.backward(tb, d);
        alone.backward(tc, d);
        float[] all = new float[block.size()];
        block.copyGradsTo(all);
        float[] ref = new float[alone.numParams()];
        alone.block().copyGradsTo(ref);
        for (int i = 0; i < ref.length; i++) {
            assertEquals(ref[i], all[alone.numParams() + i], 1e-6);
        }
        assertEquals(9, block.tensorOffsets().length, "4 tensors per net, 8 tensors, 9 offsets");
    }

    @Test
    void sameSeedSameInitialisation() {
        float[] a = new Mlp(new int[] {4, 8, 2}, Mlp.Init.XAVIER_NORMAL, new Rng(9)).paramsCopy();
        float[] b = new Mlp(new int[] {4, 8, 2}, Mlp.Init.XAVIER_NORMAL, new Rng(9)).paramsCopy();
        assertArrayEquals(a, b);
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static double loss(double[] p, int[] sizes, float[] x, int batch, float[] c) {
        double[] out = forwardRef(p, sizes, x, batch);
        double l = 0;
        for (int i = 0; i < out.length; i++) {
            l += c[i] * out[i];
        }
        return l;
    }

    static double[] forwardRef(double[] p, int[] sizes, float[] x, int batch) {
        double[] cur = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            cur[i] = x[i];
        }
        int off = 0;
        for (int l = 0; l + 1 < sizes.length; l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            double[] nxt = new double[batch * out];
            int bo = off + in * out;
            for (int r = 0; r < batch; r++) {
                for (int j = 0; j < out; j++) {
                    double s = p[bo + j];
                    for (int i = 0; i < in; i++) {
                        s += cur[r * in + i] * p[off + i * out + j];
                    }
                    nxt[r * out + j] = (l + 2 < sizes.length) ? Math.max(0, s) : s;
                }
            }
            off = bo + out;
            cur = nxt;
        }
        return cur;
    }
}
