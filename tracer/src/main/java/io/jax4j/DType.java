package io.jax4j;

/**
 * The element types of jax4j arrays, with JAX's names and its type-promotion lattice.
 *
 * <p>Promotion follows {@code jax.numpy.promote_types} with x64 disabled: {@code bool < int < float},
 * {@code i32 + u32 -> i32} (JAX's int64, canonicalised), {@code f16 + bf16 -> f32}. Weak types model
 * Java scalars: a weak operand never widens a strong one of the same or a higher kind.
 */
public enum DType {
    BOOL("bool", "bool", 1, Kind.BOOL),
    I32("int32", "i32", 4, Kind.INT),
    U32("uint32", "u32", 4, Kind.INT),
    F16("float16", "f16", 2, Kind.FLOAT),
    BF16("bfloat16", "bf16", 2, Kind.FLOAT),
    F32("float32", "f32", 4, Kind.FLOAT),
    F64("float64", "f64", 8, Kind.FLOAT);

    /** The coarse kind of a dtype: the lattice JAX uses for weak types. */
    public enum Kind { BOOL, INT, FLOAT }

    private final String jaxName;
    private final String shortName;
    private final int byteSize;
    private final Kind kind;

    DType(String jaxName, String shortName, int byteSize, Kind kind) {
        this.jaxName = jaxName;
        this.shortName = shortName;
        this.byteSize = byteSize;
        this.kind = kind;
    }

    /** The name numpy and JAX use: {@code float32}, {@code int32}, ... */
    public String jaxName() { return jaxName; }

    /** The short form jaxprs print: {@code f32}, {@code i32}, ... */
    public String shortName() { return shortName; }

    public int byteSize() { return byteSize; }

    public Kind kind() { return kind; }

    public boolean isFloating() { return kind == Kind.FLOAT; }

    public boolean isInteger() { return kind == Kind.INT; }

    public boolean isUnsigned() { return this == U32; }

    /** Looks a dtype up by JAX's name ({@code float32}) or the short one ({@code f32}). */
    public static DType of(String name) {
        for (DType d : values()) {
            if (d.jaxName.equals(name) || d.shortName.equals(name)) return d;
        }
        throw new IllegalArgumentException("unknown dtype '" + name + "': expected one of float32, float64, "
                + "bfloat16, float16, int32, uint32, bool");
    }

    /** The dtype JAX gives a weak scalar of this kind: f32 for floats, i32 for ints. */
    public static DType defaultOf(Kind kind) {
        return switch (kind) {
            case BOOL -> BOOL;
            case INT -> I32;
            case FLOAT -> F32;
        };
    }

    /** {@code jnp.promote_types} for two strong dtypes (x64 disabled). */
    public static DType promote(DType a, DType b) {
        if (a == b) return a;
        if (a.kind != b.kind) return a.kind.ordinal() > b.kind.ordinal() ? a : b;
        return switch (a.kind) {
            case BOOL -> BOOL;
            case INT -> I32;                                  // i32 with u32: int64 in JAX, canonicalised to i32
            case FLOAT -> {
                if (a == F64 || b == F64) yield F64;
                yield F32;                                    // f16 with bf16, or either with f32
            }
        };
    }

    @Override
    public String toString() { return jaxName; }
}
