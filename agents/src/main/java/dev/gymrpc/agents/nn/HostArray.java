package dev.gymrpc.agents.nn;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A {@code [rows, cols]} FLOAT ND4J array filled from Java arrays by one bulk copy (no allocation per use). */
public final class HostArray {

    private final INDArray array;
    private final FloatBuffer buf;
    private final int length;

    public HostArray(int rows, int cols) {
        Nd4jRuntime.init();
        array = Nd4j.create(DataType.FLOAT, rows, cols);
        buf = array.data().asNioFloat();
        length = rows * cols;
    }

    /** Copies {@code src[0 .. rows*cols)} in and returns the array. */
    public INDArray fill(float[] src) {
        buf.put(0, src, 0, length);
        return array;
    }

    public INDArray array() {
        return array;
    }
}
