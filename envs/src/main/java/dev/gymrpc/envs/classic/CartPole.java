package dev.gymrpc.envs.classic;

import dev.gymrpc.envs.AbstractEnv;
import dev.gymrpc.envs.Box;
import dev.gymrpc.envs.Discrete;
import dev.gymrpc.envs.EnvSpec;
import dev.gymrpc.envs.OptionSpec;
import dev.gymrpc.envs.Options;
import dev.gymrpc.envs.Reset;
import dev.gymrpc.envs.RgbImage;
import dev.gymrpc.envs.Step;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;

/**
 * CartPole-v1, a port of Gymnasium's {@code classic_control/cartpole.py} (Barto, Sutton and Anderson
 * 1983) with its exact equations (Euler integration), thresholds and reward.
 *
 * <h2>Action Space</h2> {@code Discrete(2)}: 0 push the cart left, 1 push it right (force 10 N).
 *
 * <h2>Observation Space</h2> {@code [x, x_dot, theta, theta_dot]} in
 * {@code Box([-4.8, -max, -0.4189, -max], [4.8, max, 0.4189, max], float32)} with max the largest float32.
 *
 * <h2>Rewards</h2> +1 for every step, including the one that terminates (Gymnasium's default,
 * {@code sutton_barto_reward=False}); with {@code sutton_barto_reward=True}: 0 per step, -1 on termination.
 *
 * <h2>Starting State</h2> Each state variable uniform in [-0.05, 0.05].
 *
 * <h2>Episode End</h2> Terminated when |theta| > 12 degrees or |x| > 2.4; truncated at 500 steps.
 */
public final class CartPole extends AbstractEnv<Integer> {

    private static final double GRAVITY = 9.8;
    private static final double MASSCART = 1.0;
    private static final double MASSPOLE = 0.1;
    private static final double TOTAL_MASS = MASSPOLE + MASSCART;
    private static final double LENGTH = 0.5; // half the pole's length
    private static final double POLEMASS_LENGTH = MASSPOLE * LENGTH;
    private static final double FORCE_MAG = 10.0;
    private static final double TAU = 0.02;
    private static final double THETA_THRESHOLD_RADIANS = 12 * 2 * Math.PI / 360;
    private static final double X_THRESHOLD = 2.4;

    public static final List<OptionSpec> OPTIONS = List.of(OptionSpec.bool("sutton_barto_reward", false,
            "reward 0 per step and -1 on termination instead of +1 per step"));

    public static final EnvSpec SPEC = new EnvSpec("CartPole-v1", CartPole::new, 500, 475.0, OPTIONS,
            "balance a pole on a cart (Gymnasium classic control)");

    private static final Box OBSERVATION_SPACE;

    static {
        float max = Float.MAX_VALUE;
        float[] high = {(float) (X_THRESHOLD * 2), max, (float) (THETA_THRESHOLD_RADIANS * 2), max};
        float[] low = {-high[0], -max, -high[2], -max};
        OBSERVATION_SPACE = Box.of(low, high);
    }

    private final boolean suttonBartoReward;
    private double x;
    private double xDot;
    private double theta;
    private double thetaDot;

    public CartPole(Options options) {
        super(SPEC, OBSERVATION_SPACE, new Discrete(2));
        this.suttonBartoReward = options.getBool("sutton_barto_reward");
    }

    @Override
    protected Reset doReset(Map<String, ?> options) {
        rejectResetOptions(options);
        x = uniform(-0.05, 0.05);
        xDot = uniform(-0.05, 0.05);
        theta = uniform(-0.05, 0.05);
        thetaDot = uniform(-0.05, 0.05);
        return new Reset(observation(), Map.of());
    }

    private double uniform(double lo, double hi) {
        return lo + (hi - lo) * rng().nextDouble();
    }

    @Override
    protected Step doStep(Integer action) {
        double force = action == 1 ? FORCE_MAG : -FORCE_MAG;
        double costheta = Math.cos(theta);
        double sintheta = Math.sin(theta);
        double temp = (force + POLEMASS_LENGTH * thetaDot * thetaDot * sintheta) / TOTAL_MASS;
        double thetaacc = (GRAVITY * sintheta - costheta * temp)
                / (LENGTH * (4.0 / 3.0 - MASSPOLE * costheta * costheta / TOTAL_MASS));
        double xacc = temp - POLEMASS_LENGTH * thetaacc * costheta / TOTAL_MASS;
        // Gymnasium's default kinematics_integrator = "euler".
        x = x + TAU * xDot;
        xDot = xDot + TAU * xacc;
        theta = theta + TAU * thetaDot;
        thetaDot = thetaDot + TAU * thetaacc;
        boolean terminated = x < -X_THRESHOLD || x > X_THRESHOLD
                || theta < -THETA_THRESHOLD_RADIANS || theta > THETA_THRESHOLD_RADIANS;
        double reward = suttonBartoReward ? (terminated ? -1.0 : 0.0) : 1.0;
        return new Step(observation(), reward, terminated, false, Map.of());
    }

    /** Test hook: sets the physical state, as assigning {@code env.unwrapped.state} does in Gymnasium. */
    void setState(double x, double xDot, double theta, double thetaDot) {
        this.x = x;
        this.xDot = xDot;
        this.theta = theta;
        this.thetaDot = thetaDot;
    }

    private float[] observation() {
        return new float[] {(float) x, (float) xDot, (float) theta, (float) thetaDot};
    }

    @Override
    protected RgbImage doRender() {
        int w = 600;
        int h = 400;
        double worldWidth = X_THRESHOLD * 2;
        double scale = w / worldWidth;
        double polewidth = 10.0;
        double polelen = scale * (2 * LENGTH);
        double cartwidth = 50.0;
        double cartheight = 30.0;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        double cartx = x * scale + w / 2.0;
        double carty = 100; // from the bottom, as Gymnasium draws it before flipping
        double top = h - carty;
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1f));
        g.drawLine(0, (int) top, w, (int) top);
        g.fill(new Rectangle2D.Double(cartx - cartwidth / 2, top - cartheight / 2,
                cartwidth, cartheight));
        double axle = top - cartheight / 4.0;
        AffineTransform old = g.getTransform();
        g.translate(cartx, axle);
        g.rotate(theta);
        g.setColor(new Color(202, 152, 101));
        g.fill(new Rectangle2D.Double(-polewidth / 2, -(polelen - polewidth / 2), polewidth, polelen));
        g.setTransform(old);
        g.setColor(new Color(129, 132, 203));
        g.fill(new Ellipse2D.Double(cartx - polewidth / 2, axle - polewidth / 2, polewidth, polewidth));
        g.dispose();
        return RgbImage.of(img);
    }
}
