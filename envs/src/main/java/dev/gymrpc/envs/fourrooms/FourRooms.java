package dev.gymrpc.envs.fourrooms;

import dev.gymrpc.envs.AbstractEnv;
import dev.gymrpc.envs.Box;
import dev.gymrpc.envs.Discrete;
import dev.gymrpc.envs.EnvSpec;
import dev.gymrpc.envs.InvalidOptionException;
import dev.gymrpc.envs.OptionSpec;
import dev.gymrpc.envs.Options;
import dev.gymrpc.envs.Reset;
import dev.gymrpc.envs.RgbImage;
import dev.gymrpc.envs.Step;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;

/**
 * FourRooms-v0: the 11x11 gridworld of Sutton, Precup and Singh (1999) as used in the paper by Nilabh and
 * Sinha Choudhury (see References in the README), as the authors' code defines it.
 *
 * <h2>Action Space</h2> {@code Discrete(4)}: 0 up (0,+1), 1 down (0,-1), 2 left (-1,0), 3 right (+1,0).
 *
 * <h2>Observation Space</h2> {@code Box(0, 1, (2,), float32)}: {@code [x/10, y/10]}, origin bottom-left.
 * (The authors' code appended a constant 1; it is redundant with layer biases and left out.)
 *
 * <h2>Transitions</h2> With probability {@code slip_prob} (0.2) the action is replaced by one of its two
 * perpendicular actions, chosen uniformly (0.8 / 0.1 / 0.1). The next cell is the current one plus the
 * move, clamped to the grid; moving into a wall leaves the agent where it is.
 *
 * <h2>Rewards</h2> {@code dense} (default): 0 on the step that reaches the goal, -1 otherwise.
 * {@code sparse}: +1 on reaching the goal, 0 otherwise.
 *
 * <h2>Starting State</h2> Always (0, 0). The goal is (10, 10).
 *
 * <h2>Episode End</h2> Terminated on reaching the goal; truncated after 459 steps (the paper's limit;
 * the authors' code had an off-by-one giving 460).
 *
 * <h2>Arguments</h2> {@code slip_prob} (float in [0, 1], default 0.2), {@code reward_scheme}
 * ({@code dense} | {@code sparse}).
 *
 * <h2>Version History</h2> v0: as in the paper.
 */
public final class FourRooms extends AbstractEnv<Integer> {

    public static final int SIZE = 11;
    public static final int START_X = 0;
    public static final int START_Y = 0;
    public static final int GOAL_X = 10;
    public static final int GOAL_Y = 10;
    public static final int MAX_EPISODE_STEPS = 459;

    /** Wall cells (x, y), 17 of them. Doorways: (5,1) (5,8) (1,5) (8,4). */
    static final int[][] WALLS = {
        {5, 0}, {5, 2}, {5, 3}, {5, 4}, {5, 5}, {5, 6}, {5, 7}, {5, 9}, {5, 10},
        {0, 5}, {2, 5}, {3, 5}, {4, 5}, {6, 4}, {7, 4}, {9, 4}, {10, 4},
    };

    /** Moves of actions 0..3: up, down, left, right. */
    static final int[] DX = {0, 0, -1, 1};
    static final int[] DY = {1, -1, 0, 0};
    /** The two actions perpendicular to each action. */
    private static final int[][] PERPENDICULAR = {{2, 3}, {2, 3}, {0, 1}, {0, 1}};

    private static final boolean[] WALL = new boolean[SIZE * SIZE];

    static {
        for (int[] w : WALLS) {
            WALL[w[1] * SIZE + w[0]] = true;
        }
    }

    public static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.real("slip_prob", 0.2,
                    "probability in [0, 1] that the action is replaced by a uniformly chosen perpendicular one"),
            OptionSpec.string("reward_scheme", "dense",
                    "'dense': -1 per step and 0 at the goal; 'sparse': +1 at the goal and 0 otherwise"));

    public static final EnvSpec SPEC = new EnvSpec("FourRooms-v0", FourRooms::new, MAX_EPISODE_STEPS, Double.NaN,
            OPTIONS, "11x11 four-rooms gridworld with slippery moves (Sutton et al. 1999; main paper's SAC task)");

    private static final Box OBSERVATION_SPACE = Box.of(new float[] {0f, 0f}, new float[] {1f, 1f});

    private final double slipProb;
    private final boolean sparse;
    private int x;
    private int y;

    public FourRooms(Options options) {
        super(SPEC, OBSERVATION_SPACE, new Discrete(4));
        this.slipProb = options.getDouble("slip_prob");
        if (!(slipProb >= 0 && slipProb <= 1)) {
            throw new InvalidOptionException("slip_prob", "must be in [0, 1], got " + slipProb);
        }
        String scheme = options.getString("reward_scheme");
        if (!scheme.equals("dense") && !scheme.equals("sparse")) {
            throw new InvalidOptionException("reward_scheme", "must be 'dense' or 'sparse', got '" + scheme + "'");
        }
        this.sparse = scheme.equals("sparse");
    }

    /** Whether (x, y) is a wall cell. Cells outside the grid are not walls (moves are clamped first). */
    public static boolean isWall(int x, int y) {
        return WALL[y * SIZE + x];
    }

    /** The deterministic effect of moving in direction {@code move} (0..3) from (x, y): {@code {x', y'}}. */
    public static int[] move(int x, int y, int move) {
        int nx = Math.max(0, Math.min(SIZE - 1, x + DX[move]));
        int ny = Math.max(0, Math.min(SIZE - 1, y + DY[move]));
        return isWall(nx, ny) ? new int[] {x, y} : new int[] {nx, ny};
    }

    /** The two actions perpendicular to {@code action} (the ones a slip picks from). */
    public static int[] perpendicular(int action) {
        return PERPENDICULAR[action].clone();
    }

    @Override
    protected Reset doReset(Map<String, ?> options) {
        rejectResetOptions(options);
        x = START_X;
        y = START_Y;
        return new Reset(observation(), Map.of());
    }

    @Override
    protected Step doStep(Integer action) {
        int a = action;
        // One uniform draw per step decides both whether to slip and which way (0.1 / 0.1 by default).
        double u = rng().nextDouble();
        if (u < slipProb) {
            a = PERPENDICULAR[a][u < slipProb / 2 ? 0 : 1];
        }
        int nx = Math.max(0, Math.min(SIZE - 1, x + DX[a]));
        int ny = Math.max(0, Math.min(SIZE - 1, y + DY[a]));
        if (!WALL[ny * SIZE + nx]) {
            x = nx;
            y = ny;
        }
        boolean atGoal = x == GOAL_X && y == GOAL_Y;
        double reward = sparse ? (atGoal ? 1.0 : 0.0) : (atGoal ? 0.0 : -1.0);
        return new Step(observation(), reward, atGoal, false, Map.of());
    }

    private float[] observation() {
        return new float[] {x / 10f, y / 10f};
    }

    /** Agent position {x, y}. */
    public int[] position() {
        return new int[] {x, y};
    }

    private static final int CELL = 40;

    @Override
    protected RgbImage doRender() {
        int px = SIZE * CELL;
        BufferedImage img = new BufferedImage(px, px, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        for (int cy = 0; cy < SIZE; cy++) {
            for (int cx = 0; cx < SIZE; cx++) {
                int top = (SIZE - 1 - cy) * CELL;
                Color c = isWall(cx, cy) ? new Color(40, 40, 48)
                        : (cx == GOAL_X && cy == GOAL_Y) ? new Color(80, 200, 120) : new Color(236, 236, 228);
                g.setColor(c);
                g.fillRect(cx * CELL, top, CELL, CELL);
            }
        }
        g.setColor(new Color(200, 200, 192));
        g.setStroke(new BasicStroke(1f));
        for (int i = 0; i <= SIZE; i++) {
            g.drawLine(i * CELL, 0, i * CELL, px);
            g.drawLine(0, i * CELL, px, i * CELL);
        }
        g.setColor(new Color(220, 60, 60));
        int m = CELL / 6;
        g.fillOval(x * CELL + m, (SIZE - 1 - y) * CELL + m, CELL - 2 * m, CELL - 2 * m);
        g.dispose();
        return RgbImage.of(img);
    }

    @Override
    public int renderFps() {
        return 4;
    }

    /**
     * Optimal state values under this env's dynamics by value iteration (dense reward, default slip),
     * indexed {@code [y][x]}; walls are NaN. {@code optimalValues(0.99)[0][0]} is about -21.86.
     */
    public static double[][] optimalValues(double gamma, double slipProb) {
        double[][] v = new double[SIZE][SIZE];
        for (int iter = 0; iter < 100_000; iter++) {
            double delta = 0;
            for (int cy = 0; cy < SIZE; cy++) {
                for (int cx = 0; cx < SIZE; cx++) {
                    if (isWall(cx, cy) || (cx == GOAL_X && cy == GOAL_Y)) {
                        continue;
                    }
                    double best = Double.NEGATIVE_INFINITY;
                    for (int a = 0; a < 4; a++) {
                        double q = (1 - slipProb) * backup(v, cx, cy, a, gamma)
                                + slipProb / 2 * backup(v, cx, cy, PERPENDICULAR[a][0], gamma)
                                + slipProb / 2 * backup(v, cx, cy, PERPENDICULAR[a][1], gamma);
                        best = Math.max(best, q);
                    }
                    delta = Math.max(delta, Math.abs(best - v[cy][cx]));
                    v[cy][cx] = best;
                }
            }
            if (delta < 1e-12) {
                break;
            }
        }
        for (int[] w : WALLS) {
            v[w[1]][w[0]] = Double.NaN;
        }
        return v;
    }

    private static double backup(double[][] v, int x, int y, int move, double gamma) {
        int[] n = move(x, y, move);
        boolean goal = n[0] == GOAL_X && n[1] == GOAL_Y;
        return goal ? 0.0 : -1.0 + gamma * v[n[1]][n[0]];
    }
}
