package dev.gymrpc.envs.box2d;

/**
 * Gymnasium's hand-written LunarLander controller ({@code heuristic(env, s)} in
 * {@code lunar_lander.py}), ported. It steers the angle towards the pad and holds a hover height
 * proportional to the horizontal offset; after leg contact it only brakes the fall. Over seeds 0..99 it
 * scores about 250 (discrete) and 280 (continuous) in Gymnasium.
 *
 * <p>Arithmetic is in float32, as NumPy 2 evaluates the original on a float32 observation.
 */
public final class LunarLanderHeuristic {

    private LunarLanderHeuristic() {
    }

    /** The discrete action (0 noop, 1 left engine, 2 main engine, 3 right engine) for observation {@code s}. */
    public static int discreteAction(float[] s) {
        float[] todo = todo(s);
        float angleTodo = todo[0];
        float hoverTodo = todo[1];
        int a = 0;
        if (hoverTodo > Math.abs(angleTodo) && hoverTodo > 0.05f) {
            a = 2;
        } else if (angleTodo < -0.05f) {
            a = 3;
        } else if (angleTodo > 0.05f) {
            a = 1;
        }
        return a;
    }

    /** The continuous action {@code [main, lateral]}, clipped to {@code [-1, 1]}, for observation {@code s}. */
    public static float[] continuousAction(float[] s) {
        float[] todo = todo(s);
        float angleTodo = todo[0];
        float hoverTodo = todo[1];
        return new float[] {clip(hoverTodo * 20 - 1), clip(-angleTodo * 20)};
    }

    /**
     * The action for {@code s}: an {@code Integer} when {@code continuous} is false, else a {@code float[]};
     * convenient with {@link dev.gymrpc.envs.Env#stepObject(Object)}.
     */
    public static Object act(float[] s, boolean continuous) {
        return continuous ? continuousAction(s) : (Object) discreteAction(s);
    }

    /** {@code [angle_todo, hover_todo]}. */
    private static float[] todo(float[] s) {
        float angleTarg = s[0] * 0.5f + s[2] * 1.0f; // angle should point towards center
        if (angleTarg > 0.4f) {
            angleTarg = 0.4f; // more than 0.4 radians (22 degrees) is bad
        }
        if (angleTarg < -0.4f) {
            angleTarg = -0.4f;
        }
        float hoverTarg = 0.55f * Math.abs(s[0]); // target y proportional to horizontal offset

        float angleTodo = (angleTarg - s[4]) * 0.5f - s[5] * 1.0f;
        float hoverTodo = (hoverTarg - s[1]) * 0.5f - s[3] * 0.5f;

        if (s[6] != 0 || s[7] != 0) { // legs have contact
            angleTodo = 0;
            hoverTodo = -s[3] * 0.5f; // only reduce the fall speed after contact
        }
        return new float[] {angleTodo, hoverTodo};
    }

    private static float clip(float v) {
        return v < -1f ? -1f : (v > 1f ? 1f : v);
    }
}
