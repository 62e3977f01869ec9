package dev.gymrpc.proto.wire;

import dev.gymrpc.envs.Box;
import dev.gymrpc.envs.Discrete;
import dev.gymrpc.envs.InvalidActionException;
import dev.gymrpc.envs.Space;
import dev.gymrpc.proto.v1.DType;
import dev.gymrpc.proto.v1.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes actions for the wire (clients) and decodes them strictly (server).
 *
 * <p>Decoding checks what the wire format can get wrong, before the env sees the action: a Discrete
 * action must be one integer (int64 or int32 payload; Gymnasium's Discrete accepts ints only); a Box
 * action must have exactly the box's shape and a payload of the box's dtype (a float32 Box rejects a
 * float64 array, as {@code Box.contains} does in Gymnasium). Range and NaN checks stay with the env
 * ({@code AbstractEnv#validateAction}), so local and remote envs reject the same values with the same
 * messages. Every failure is an {@link InvalidActionException} saying what was expected.
 */
public final class Actions {

    private Actions() {
    }

    /** The wire form of one action: a scalar int64 for Discrete, a tensor of the box's shape and dtype for Box. */
    public static Tensor encode(Space<?> space, Object action) {
        if (space instanceof Discrete d) {
            return Tensors.scalar(d.cast(action));
        }
        Box box = (Box) space;
        float[] values = box.cast(action);
        long[] shape = Arrays.stream(box.shape()).asLongStream().toArray();
        if (values.length != Tensors.product(shape)) {
            // The shape would not match: send the values as they are so the server names the problem.
            return Tensors.encode(values, box.dtype());
        }
        return Tensors.encode(values, box.dtype(), shape);
    }

    /** The wire form of a batch: shape {@code [n, *single shape]}. */
    public static Tensor encodeBatch(Space<?> space, List<?> actions) {
        int n = actions.size();
        if (space instanceof Discrete d) {
            long[] values = new long[n];
            for (int i = 0; i < n; i++) {
                values[i] = d.cast(actions.get(i));
            }
            return Tensors.ofLongs(values, n);
        }
        Box box = (Box) space;
        int size = box.flatSize();
        float[] flat = new float[n * size];
        for (int i = 0; i < n; i++) {
            float[] a = box.cast(actions.get(i));
            if (a.length != size) {
                throw new InvalidActionException("action " + i + " has " + a.length + " elements, expected " + size
                        + " (shape " + Arrays.toString(box.shape()) + ")");
            }
            System.arraycopy(a, 0, flat, i * size, size);
        }
        long[] shape = new long[box.shape().length + 1];
        shape[0] = n;
        for (int i = 0; i < box.shape().length; i++) {
            shape[i + 1] = box.shape()[i];
        }
        return Tensors.encode(flat, box.dtype(), shape);
    }

    /**
     * Decodes one action for {@code space}: {@code Integer} for Discrete, {@code float[]} for Box.
     *
     * @throws InvalidActionException on a missing payload, wrong dtype or wrong shape
     */
    public static Object decode(Space<?> space, Tensor t) {
        checkConsistent(t, "action");
        if (space instanceof Discrete d) {
            if (Tensors.elementCount(t) != 1 || t.getShapeCount() > 1) {
                throw new InvalidActionException("a " + d + " action is one integer (shape [] or [1]), got shape "
                        + t.getShapeList());
            }
            return discreteElement(d, t, 0, "action");
        }
        Box box = (Box) space;
        checkBoxDType(box, t, "action");
        long[] expected = Arrays.stream(box.shape()).asLongStream().toArray();
        if (!Arrays.equals(expected, Tensors.shape(t))) {
            throw new InvalidActionException("the action for " + box + " must have shape " + Arrays.toString(expected)
                    + ", got " + t.getShapeList());
        }
        return Tensors.toFloats(t);
    }

    /**
     * Decodes a batch of {@code n} actions, shape {@code [n, *single shape]} ({@code [n]} or {@code [n, 1]}
     * for Discrete).
     */
    public static List<Object> decodeBatch(Space<?> space, Tensor t, int n) {
        checkConsistent(t, "actions");
        List<Object> out = new ArrayList<>(n);
        if (space instanceof Discrete d) {
            boolean shapeOk = t.getShapeCount() >= 1 && t.getShape(0) == n
                    && (t.getShapeCount() == 1 || (t.getShapeCount() == 2 && t.getShape(1) == 1));
            if (!shapeOk) {
                throw new InvalidActionException("a batch of " + n + " " + d + " actions must have shape [" + n
                        + "], got " + t.getShapeList());
            }
            for (int i = 0; i < n; i++) {
                out.add(discreteElement(d, t, i, "action " + i));
            }
            return out;
        }
        Box box = (Box) space;
        checkBoxDType(box, t, "actions");
        long[] expected = new long[box.shape().length + 1];
        expected[0] = n;
        for (int i = 0; i < box.shape().length; i++) {
            expected[i + 1] = box.shape()[i];
        }
        if (!Arrays.equals(expected, Tensors.shape(t))) {
            throw new InvalidActionException("a batch of " + n + " actions for " + box + " must have shape "
                    + Arrays.toString(expected) + ", got " + t.getShapeList());
        }
        float[] flat = Tensors.toFloats(t);
        int size = box.flatSize();
        for (int i = 0; i < n; i++) {
            out.add(Arrays.copyOfRange(flat, i * size, (i + 1) * size));
        }
        return out;
    }

    private static void checkConsistent(Tensor t, String what) {
        String why = Tensors.inconsistency(t);
        if (why != null) {
            throw new InvalidActionException("malformed " + what + ": " + why);
        }
    }

    private static Integer discreteElement(Discrete d, Tensor t, int i, String what) {
        long v;
        switch (t.getPayloadCase()) {
            case INT64S:
                v = t.getInt64S().getValues(i);
                break;
            case INT32S:
                v = t.getInt32S().getValues(i);
                break;
            default:
                throw new InvalidActionException("a " + d + " " + what + " must be an integer (int64 or int32 payload), "
                        + "got a " + Tensors.payloadName(t) + " payload");
        }
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new InvalidActionException(what + " " + v + " is not in " + d);
        }
        return (int) v;
    }

    private static void checkBoxDType(Box box, Tensor t, String what) {
        DType want = Spaces.toProto(box.dtype());
        if (Tensors.payloadDType(t) != want) {
            throw new InvalidActionException("the " + what + " for " + box + " must be " + box.dtype().numpyName()
                    + " (the " + want.name().substring(6).toLowerCase() + " payload), got a " + Tensors.payloadName(t)
                    + " payload");
        }
    }
}
