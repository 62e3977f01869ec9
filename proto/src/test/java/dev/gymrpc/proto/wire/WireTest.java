package dev.gymrpc.proto.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.envs.Box;
import dev.gymrpc.envs.DType;
import dev.gymrpc.envs.Discrete;
import dev.gymrpc.envs.InvalidActionException;
import dev.gymrpc.proto.v1.Space;
import dev.gymrpc.proto.v1.Tensor;
import dev.gymrpc.proto.v1.Value;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The wire converters: lossless round trips and strict action decoding. */
class WireTest {

    @Test
    void spacesRoundTripIncludingInfiniteBoundsAndStart() {
        Box box = Box.of(new float[] {Float.NEGATIVE_INFINITY, -1f, 0f, -Float.MAX_VALUE},
                new float[] {Float.POSITIVE_INFINITY, 1f, 255f, Float.MAX_VALUE}, new int[] {2, 2}, DType.FLOAT32);
        Space wire = Spaces.toProto(box);
        assertEquals(List.of(2L, 2L), wire.getBox().getShapeList());
        assertEquals(box, Spaces.fromProto(wire));
        Discrete d = new Discrete(5, -2);
        assertEquals(d, Spaces.fromProto(Spaces.toProto(d)));
        for (DType t : DType.values()) {
            assertEquals(t, Spaces.fromProto(Spaces.toProto(t)));
        }
    }

    @Test
    void tensorsCarryTheSpaceDtypeAndCheckTheirShape() {
        float[] v = {1f, 2f, 3f, 4f, 5f, 6f};
        Tensor f32 = Tensors.encode(v, DType.FLOAT32, 2, 3);
        assertEquals(Tensor.PayloadCase.FLOATS, f32.getPayloadCase());
        assertArrayEquals(v, Tensors.toFloats(f32));
        assertEquals(Tensor.PayloadCase.UINT8S, Tensors.encode(new float[] {200f}, DType.UINT8).getPayloadCase());
        assertArrayEquals(new float[] {200f}, Tensors.toFloats(Tensors.encode(new float[] {200f}, DType.UINT8)));
        assertArrayEquals(new float[] {-7f}, Tensors.toFloats(Tensors.encode(new float[] {-7f}, DType.INT64)));
        assertNull(Tensors.inconsistency(f32));
        assertTrue(Tensors.inconsistency(f32.toBuilder().addShape(2).build()).contains("needs 12 elements"));
        assertTrue(Tensors.inconsistency(Tensor.getDefaultInstance()).contains("no payload"));
        assertThrows(IllegalArgumentException.class, () -> Tensors.ofFloats(v, 4));
        Tensor scalar = Tensors.scalar(3);
        assertEquals(0, scalar.getShapeCount());
        assertNull(Tensors.inconsistency(scalar));
    }

    @Test
    void valuesRoundTripNestedMapsAndArrays() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("x", 1.5);
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("flag", true);
        info.put("count", 3);
        info.put("name", "lander");
        info.put("final_obs", new float[] {1f, Float.NaN});
        info.put("final_info", inner);
        Map<String, Object> back = Values.fromValueMap(Values.toValueMap(info));
        assertEquals(true, back.get("flag"));
        assertEquals(3L, back.get("count"));
        assertEquals("lander", back.get("name"));
        assertArrayEquals(new float[] {1f, Float.NaN}, (float[]) back.get("final_obs"));
        assertEquals(Map.of("x", 1.5), back.get("final_info"));
        assertThrows(IllegalArgumentException.class, () -> Values.toValue(new Object()));
        assertNull(Values.fromValue(Value.getDefaultInstance()));
    }

    @Test
    void discreteActionsDecodeOnlyFromOneInteger() {
        Discrete d = new Discrete(4);
        assertEquals(2, Actions.decode(d, Actions.encode(d, 2)));
        assertEquals(1, Actions.decode(d, Tensors.ofInts(new int[] {1})));
        assertThrows(InvalidActionException.class, () -> Actions.decode(d, Tensors.ofFloats(new float[] {1f}, new long[0])));
        assertThrows(InvalidActionException.class, () -> Actions.decode(d, Tensors.ofLongs(new long[] {1, 2})));
        assertThrows(InvalidActionException.class, () -> Actions.decode(d, Tensors.ofLongs(new long[] {1L << 33})));
        assertEquals(List.of(0, 3, 1), Actions.decodeBatch(d, Actions.encodeBatch(d, List.of(0, 3, 1)), 3));
        assertThrows(InvalidActionException.class, () -> Actions.decodeBatch(d, Tensors.ofLongs(new long[] {0, 1}), 3));
    }

    @Test
    void boxActionsDecodeOnlyWithTheExactShapeAndDtype() {
        Box box = Box.uniform(-1f, 1f, new int[] {2}, DType.FLOAT32);
        assertArrayEquals(new float[] {0.5f, -0.5f}, (float[]) Actions.decode(box,
                Actions.encode(box, new float[] {0.5f, -0.5f})));
        assertThrows(InvalidActionException.class, () -> Actions.decode(box, Tensors.ofDoubles(new double[] {0, 0})));
        assertThrows(InvalidActionException.class, () -> Actions.decode(box, Tensors.ofFloats(new float[] {0, 0}, 1, 2)));
        assertThrows(InvalidActionException.class, () -> Actions.decode(box, Tensors.ofFloats(new float[] {0, 0, 0})));
        // Range and NaN are the env's to judge (same message locally and remotely): decoding passes them through.
        assertTrue(Float.isNaN(((float[]) Actions.decode(box, Tensors.ofFloats(new float[] {Float.NaN, 0f})))[0]));
        List<Object> batch = Actions.decodeBatch(box, Actions.encodeBatch(box, List.of(new float[] {1f, 0f},
                new float[] {0f, -1f})), 2);
        assertArrayEquals(new float[] {0f, -1f}, (float[]) batch.get(1));
        assertThrows(InvalidActionException.class, () -> Actions.decodeBatch(box, Tensors.ofFloats(new float[4]), 2));
    }

    /** packLittleEndian carries, as raw little-endian bytes, the values encode() carries for every dtype. */
    @Test
    void packedBytesHoldTheSameValuesAsTheTensorOfEachDtype() {
        float[] v = {1f, -2f, 3.5f, Float.NaN, Float.intBitsToFloat(0x7fc00123), 255f};
        java.nio.ByteBuffer f32 = Tensors.packLittleEndian(v, DType.FLOAT32).asReadOnlyByteBuffer()
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(v.length * 4, f32.remaining());
        for (float x : v) {
            assertEquals(Float.floatToRawIntBits(x), f32.getInt(), "float32 bits, NaN payloads included");
        }
        float[] ints = {1f, -2f, 3f, 0f, 7f, 255f};
        for (DType t : new DType[] {DType.FLOAT64, DType.INT32, DType.INT64, DType.UINT8}) {
            Tensor tensor = Tensors.encode(ints, t, ints.length);
            java.nio.ByteBuffer b = Tensors.packLittleEndian(ints, t).asReadOnlyByteBuffer()
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < ints.length; i++) {
                switch (t) {
                    case FLOAT64 -> assertEquals(tensor.getDoubles().getValues(i), b.getDouble());
                    case INT32 -> assertEquals(tensor.getInt32S().getValues(i), b.getInt());
                    case INT64 -> assertEquals(tensor.getInt64S().getValues(i), b.getLong());
                    default -> assertEquals(tensor.getUint8S().byteAt(i), b.get());
                }
            }
            assertEquals(0, b.remaining(), t + " has no trailing bytes");
        }
    }
}
