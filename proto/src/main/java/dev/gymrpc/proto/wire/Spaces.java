package dev.gymrpc.proto.wire;

import dev.gymrpc.envs.Box;
import dev.gymrpc.envs.Discrete;
import dev.gymrpc.proto.v1.BoxSpace;
import dev.gymrpc.proto.v1.DType;
import dev.gymrpc.proto.v1.DiscreteSpace;
import dev.gymrpc.proto.v1.Space;

/**
 * Converts the env API's spaces to and from the wire {@link Space}: {@code Discrete{n, start}} and
 * {@code Box{shape, dtype, per-element low/high}} with infinities carried as IEEE floats (which JSON
 * based servers such as gym-http-api could not do).
 */
public final class Spaces {

    private Spaces() {
    }

    /** The wire form of {@code space}. */
    public static Space toProto(dev.gymrpc.envs.Space<?> space) {
        if (space instanceof Discrete d) {
            return Space.newBuilder().setDiscrete(DiscreteSpace.newBuilder().setN(d.n()).setStart(d.start())).build();
        }
        Box box = (Box) space;
        BoxSpace.Builder b = BoxSpace.newBuilder().setDtype(toProto(box.dtype()));
        for (int d : box.shape()) {
            b.addShape(d);
        }
        for (int i = 0; i < box.flatSize(); i++) {
            b.addLow(box.low(i));
            b.addHigh(box.high(i));
        }
        return Space.newBuilder().setBox(b).build();
    }

    /** The env API space described by {@code space}; {@link IllegalArgumentException} if malformed. */
    public static dev.gymrpc.envs.Space<?> fromProto(Space space) {
        switch (space.getKindCase()) {
            case DISCRETE: {
                DiscreteSpace d = space.getDiscrete();
                return new Discrete(Math.toIntExact(d.getN()), Math.toIntExact(d.getStart()));
            }
            case BOX: {
                BoxSpace b = space.getBox();
                int[] shape = b.getShapeList().stream().mapToInt(Long::intValue).toArray();
                float[] low = new float[b.getLowCount()];
                float[] high = new float[b.getHighCount()];
                for (int i = 0; i < low.length; i++) {
                    low[i] = b.getLow(i);
                }
                for (int i = 0; i < high.length; i++) {
                    high[i] = b.getHigh(i);
                }
                return Box.of(low, high, shape, fromProto(b.getDtype()));
            }
            default:
                throw new IllegalArgumentException("space has no kind (expected discrete or box)");
        }
    }

    /** The wire dtype of an env API dtype. */
    public static DType toProto(dev.gymrpc.envs.DType dtype) {
        switch (dtype) {
            case FLOAT32:
                return DType.DTYPE_FLOAT32;
            case FLOAT64:
                return DType.DTYPE_FLOAT64;
            case INT32:
                return DType.DTYPE_INT32;
            case INT64:
                return DType.DTYPE_INT64;
            case UINT8:
                return DType.DTYPE_UINT8;
            default:
                throw new IllegalArgumentException("unsupported dtype " + dtype);
        }
    }

    /** The env API dtype of a wire dtype; {@link IllegalArgumentException} for BOOL / UNSPECIFIED. */
    public static dev.gymrpc.envs.DType fromProto(DType dtype) {
        switch (dtype) {
            case DTYPE_FLOAT32:
                return dev.gymrpc.envs.DType.FLOAT32;
            case DTYPE_FLOAT64:
                return dev.gymrpc.envs.DType.FLOAT64;
            case DTYPE_INT32:
                return dev.gymrpc.envs.DType.INT32;
            case DTYPE_INT64:
                return dev.gymrpc.envs.DType.INT64;
            case DTYPE_UINT8:
                return dev.gymrpc.envs.DType.UINT8;
            default:
                throw new IllegalArgumentException("a Box needs a numeric dtype, got " + dtype);
        }
    }
}
