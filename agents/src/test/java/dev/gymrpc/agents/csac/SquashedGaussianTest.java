package dev.gymrpc.agents.csac;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gymrpc.agents.ActionHead;
import dev.gymrpc.agents.nn.Mlp;
import dev.gymrpc.agents.util.Rng;
import dev.gymrpc.envs.Box;
import org.junit.jupiter.api.Test;

/**
 * Finite-difference checks of the hand-written backward pass of continuous SAC's actor loss: the
 * squashed Gaussian chain (outputs -> u -> tanh -> action, with the log-prob's tanh correction) and the
 * critics' gradient with respect to their action input ({@link Mlp#backwardInput}).
 */
class SquashedGaussianTest {

    /** Asymmetric bounds so scale and bias are not 1 and 0. */
    private static final ActionHead HEAD = ActionHead.squashedGaussian(Box.of(new float[] {-2f, 0f, -1f}, new float[] {1f, 3f, 1f}));

    /** A smooth stand-in critic: Q(a) = sum_j (w_j a_j - 0.3 a_j^2) + 0.2 a_0 a_1. */
    private static double q(float[] a, int i, int d, double[] w) {
        double v = 0;
        for (int j = 0; j < d; j++) {
            v += w[j] * a[i * d + j] - 0.3 * a[i * d + j] * a[i * d + j];
        }
        return v + 0.2 * a[i * d] * a[i * d + 1];
    }

    /** L = mean_i [c log pi(a_i|s_i) - Q(a_i)] at fixed noise, computed in double from outputs {@code out}. */
    private static double loss(double[] out, double[] eps, int n, double c, double[] w) {
        int d = HEAD.n();
        double total = 0;
        for (int i = 0; i < n; i++) {
            double lp = 0;
            double qv = 0;
            double[] a = new double[d];
            for (int j = 0; j < d; j++) {
                double mu = out[i * 2 * d + j];
                double ls = ActionHead.logStd(out[i * 2 * d + d + j]);
                double t = Math.tanh(mu + Math.exp(ls) * eps[i * d + j]);
                a[j] = HEAD.bias(j) + HEAD.scale(j) * t;
                lp += -0.5 * eps[i * d + j] * eps[i * d + j] - ls - 0.5 * Math.log(2 * Math.PI)
                        - Math.log(HEAD.scale(j) * (1 - t * t) + SquashedGaussian.JACOBIAN_EPS);
                qv += w[j] * a[j] - 0.3 * a[j] * a[j];
            }
            qv += 0.2 * a[0] * a[1];
            total += c * lp - qv;
        }
        return total / n;
    }

    @Test
    void actorOutputGradientMatchesFiniteDifferences() {
        Rng rng = new Rng(5);
        int n = 7;
        int d = HEAD.n();
        double c = 0.37;
        double[] w = {0.5, -1.2, 0.8};
        float[] out = new float[n * 2 * d];
        for (int k = 0; k < out.length; k++) {
            out[k] = (float) (0.8 * rng.nextGaussian());
        }
        double[] eps = new double[n * d];
        SquashedGaussian.drawNoise(rng, eps, n, d);
        float[] act = new float[n * d];
        double[] t = new double[n * d];
        double[] logp = new double[n];
        SquashedGaussian.sample(HEAD, out, eps, n, act, t, logp);
        double[] gA = new double[n * d];
        double[] gL = new double[n];
        for (int i = 0; i < n; i++) {
            gL[i] = c / n;
            for (int j = 0; j < d; j++) {
                double a = act[i * d + j];
                double dq = w[j] - 0.6 * a + (j == 0 ? 0.2 * act[i * d + 1] : j == 1 ? 0.2 * act[i * d] : 0);
                gA[i * d + j] = -dq / n;
            }
        }
        float[] dOut = new float[n * 2 * d];
        SquashedGaussian.backward(HEAD, out, eps, t, n, gA, gL, dOut);

        double[] o = new double[out.length];
        for (int k = 0; k < o.length; k++) {
            o[k] = out[k];
        }
        double h = 1e-5;
        for (int k = 0; k < o.length; k++) {
            double keep = o[k];
            o[k] = keep + h;
            double up = loss(o, eps, n, c, w);
            o[k] = keep - h;
            double down = loss(o, eps, n, c, w);
            o[k] = keep;
            double fd = (up - down) / (2 * h);
            assertEquals(fd, dOut[k], 1e-5 + 1e-4 * Math.abs(fd), "output " + k);
        }
    }

    @Test
    void sampledLogProbMatchesTheChangeOfVariables() {
        // log pi(a) = log N(u; mu, std) - sum log(scale (1 - tanh(u)^2)) (+ the 1e-6 guard).
        float[] out = {0.3f, -0.2f, 1.1f, 0.4f, -0.7f, 0.0f};
        double[] eps = {0.5, -1.5, 0.25};
        float[] act = new float[3];
        double[] t = new double[3];
        double[] logp = new double[1];
        SquashedGaussian.sample(HEAD, out, eps, 1, act, t, logp);
        double ref = 0;
        for (int j = 0; j < 3; j++) {
            double std = Math.exp(ActionHead.logStd(out[3 + j]));
            double u = out[j] + std * eps[j];
            ref += -0.5 * Math.pow((u - out[j]) / std, 2) - Math.log(std) - 0.5 * Math.log(2 * Math.PI)
                    - Math.log(HEAD.scale(j) * (1 - Math.tanh(u) * Math.tanh(u)) + 1e-6);
            assertEquals(HEAD.bias(j) + HEAD.scale(j) * Math.tanh(u), act[j], 1e-6);
        }
        assertEquals(ref, logp[0], 1e-9);
    }

    /** L = sum_i c_i * Q(x_i); dL/dx by central differences against {@link Mlp#backwardInput}. */
    @Test
    void criticInputGradientMatchesFiniteDifferences() {
        Rng rng = new Rng(11);
        int in = 5;
        int batch = 4;
        Mlp net = new Mlp(new int[] {in, 16, 8, 1}, Mlp.Init.XAVIER_NORMAL, rng);
        float[] p = net.paramsCopy();
        for (int i = 0; i < p.length; i++) {
            p[i] += (float) (0.1 * rng.nextGaussian());
        }
        net.setParams(p);
        net.block().setGrads(new float[net.numParams()]);
        float[] x = new float[batch * in];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        float[] c = new float[batch];
        for (int i = 0; i < batch; i++) {
            c[i] = (float) rng.nextGaussian();
        }
        Mlp.Tape tape = net.newTape();
        net.forward(new Mlp.Input(in, batch).fill(x), tape);
        float[] g = new float[batch * in];
        net.backwardInput(tape, c, g);
        float[] grads = new float[net.numParams()];
        net.block().copyGradsTo(grads);
        for (float v : grads) {
            assertEquals(0f, v, "backwardInput must leave the parameter gradient untouched");
        }
        double h = 1e-2;
        for (int k = 0; k < x.length; k++) {
            float keep = x[k];
            x[k] = (float) (keep + h);
            double up = weighted(net, x, batch, in, c);
            x[k] = (float) (keep - h);
            double down = weighted(net, x, batch, in, c);
            x[k] = keep;
            assertEquals((up - down) / (2 * h), g[k], 2e-3, "input " + k);
        }
    }

    private static double weighted(Mlp net, float[] x, int batch, int in, float[] c) {
        Mlp.Tape tape = net.newTape();
        net.forward(new Mlp.Input(in, batch).fill(x), tape);
        float[] out = new float[batch];
        tape.copyOutputTo(out);
        double s = 0;
        for (int i = 0; i < batch; i++) {
            s += c[i] * out[i];
        }
        return s;
    }
}
