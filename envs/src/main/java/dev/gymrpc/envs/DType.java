package dev.gymrpc.envs;

/** Element types of a {@link Box}, named as NumPy names them. */
public enum DType {
    FLOAT32("float32", false),
    FLOAT64("float64", false),
    INT32("int32", true),
    INT64("int64", true),
    UINT8("uint8", true);

    private final String numpyName;
    private final boolean integral;

    DType(String numpyName, boolean integral) {
        this.numpyName = numpyName;
        this.integral = integral;
    }

    /** The NumPy dtype name, e.g. {@code "float32"}. */
    public String numpyName() {
        return numpyName;
    }

    /** Whether elements must be whole numbers. */
    public boolean integral() {
        return integral;
    }
}
