package dev.gymrpc.agents.nn;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One flat FLOAT parameter vector and its gradient vector ({@code [1, P]} each), holding the parameters
 * of one or more {@link Mlp}s back to back (SAC's twin critics share one block).
 *
 * <p>Why flat: ND4J's cost here is per op (15-50 us of dispatch each), not per element. With everything
 * in one vector, Adam is one op, Polyak averaging is two BLAS calls, and Grokfast/GrAdE/clipping read the
 * gradient with one bulk copy, whatever the number of tensors or networks.
 */
public final class ParamBlock {

    private final int size;
    private final INDArray params;
    private final INDArray grads;
    private final FloatBuffer paramsBuf;
    private final FloatBuffer gradsBuf;
    private int[] tensorOffsets = {0};
    private int allocated;

    public ParamBlock(int size) {
        Nd4jRuntime.init();
        this.size = size;
        params = Nd4j.create(DataType.FLOAT, 1, size);
        grads = Nd4j.create(DataType.FLOAT, 1, size);
        paramsBuf = params.data().asNioFloat();
        gradsBuf = grads.data().asNioFloat();
    }

    /** Reserves {@code n} values for a network with the given tensor sizes; returns the start offset. */
    int allocate(int n, int[] localTensorOffsets) {
        if (allocated + n > size) {
            throw new IllegalStateException("parameter block of " + size + " values is full");
        }
        int start = allocated;
        int[] merged = new int[tensorOffsets.length + localTensorOffsets.length - 1];
        System.arraycopy(tensorOffsets, 0, merged, 0, tensorOffsets.length - 1);
        for (int k = 0; k < localTensorOffsets.length; k++) {
            merged[tensorOffsets.length - 1 + k] = start + localTensorOffsets[k];
        }
        tensorOffsets = merged;
        allocated += n;
        return start;
    }

    INDArray paramsSlice(int offset, int n) {
        return params.get(NDArrayIndex.point(0), NDArrayIndex.interval(offset, offset + n));
    }

    INDArray gradsSlice(int offset, int n) {
        return grads.get(NDArrayIndex.point(0), NDArrayIndex.interval(offset, offset + n));
    }

    public int size() {
        return size;
    }

    /** The flat parameters (live). */
    public INDArray params() {
        return params;
    }

    /** The flat gradient (live). */
    public INDArray grads() {
        return grads;
    }

    /** Start offsets of every parameter tensor of every network in the block, then {@link #size()}. */
    public int[] tensorOffsets() {
        return tensorOffsets.clone();
    }

    public void copyParamsTo(int offset, float[] dst, int n) {
        paramsBuf.get(offset, dst, 0, n);
    }

    public void setParams(int offset, float[] src, int n) {
        paramsBuf.put(offset, src, 0, n);
    }

    public void copyGradsTo(float[] dst) {
        gradsBuf.get(0, dst, 0, size);
    }

    public void setGrads(float[] src) {
        gradsBuf.put(0, src, 0, size);
    }

    public float[] paramsCopy() {
        float[] p = new float[size];
        paramsBuf.get(0, p, 0, size);
        return p;
    }

    public void setAllParams(float[] src) {
        if (src.length != size) {
            throw new IllegalArgumentException("expected " + size + " parameters, got " + src.length);
        }
        paramsBuf.put(0, src, 0, size);
    }
}
