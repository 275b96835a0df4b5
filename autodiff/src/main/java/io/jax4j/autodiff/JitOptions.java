package io.jax4j.autodiff;

import java.util.Set;

/**
 * Options of {@code jit}: a name (for debug output and errors), the argument numbers whose buffers
 * are donated (JAX's {@code donate_argnums}: the caller gives them up and must not use them again),
 * and the argument numbers that are static (JAX's {@code static_argnums}: the whole argument is part
 * of the cache key, compared with {@code equals}, and reaches the function as the Java value it is,
 * never traced; a new value traces again).
 *
 * <p>Every non-array leaf of an argument is already static (an {@code int}, a {@code String}, a
 * {@code @Static} record component); {@code staticArgnums} is for arguments that are not pytrees of
 * arrays at all, such as a configuration object, an enum, or a function. Arrays cannot be static.
 *
 * <p>{@code inShardings} and {@code outShardings} are JAX's: a {@link io.jax4j.Sharding} for every array
 * leaf, or a pytree prefix of shardings (a list with one entry per argument for the inputs; {@code null}
 * entries leave a part as it is). Inputs are placed so before the call; outputs get theirs after it.
 * Without {@code outShardings}, an output's sharding follows from the sharded inputs
 * ({@link NamedSharding}s) through the program, as XLA's sharding propagation would place it.
 */
public record JitOptions(String name, Set<Integer> donateArgnums, Set<Integer> staticArgnums, Object inShardings, Object outShardings) {
    public JitOptions {
        donateArgnums = donateArgnums == null ? Set.of() : Set.copyOf(donateArgnums);
        staticArgnums = staticArgnums == null ? Set.of() : Set.copyOf(staticArgnums);
        for (int i : staticArgnums) {
            if (i < 0) throw new IllegalArgumentException("jit: static_argnums must be non-negative, got " + i);
            if (donateArgnums.contains(i)) {
                throw new IllegalArgumentException("jit: argument " + i + " is both static and donated; a static argument has no buffers to donate");
            }
        }
    }

    public JitOptions(String name, Set<Integer> donateArgnums, Set<Integer> staticArgnums) { this(name, donateArgnums, staticArgnums, null, null); }

    public JitOptions(String name, Set<Integer> donateArgnums) { this(name, donateArgnums, Set.of()); }

    /** {@code jit(f, in_shardings=..., out_shardings=...)}; either may be null. */
    public static JitOptions shardings(Object inShardings, Object outShardings) { return new JitOptions(null, Set.of(), Set.of(), inShardings, outShardings); }

    public static JitOptions donate(Integer... argnums) { return new JitOptions(null, Set.of(argnums)); }

    /** {@code jit(f, static_argnums=...)}. */
    public static JitOptions staticArgnums(Integer... argnums) { return new JitOptions(null, Set.of(), Set.of(argnums)); }

    public static JitOptions named(String name) { return new JitOptions(name, Set.of()); }

    public JitOptions withName(String n) { return new JitOptions(n, donateArgnums, staticArgnums, inShardings, outShardings); }

    public JitOptions withDonateArgnums(Integer... argnums) { return new JitOptions(name, Set.of(argnums), staticArgnums, inShardings, outShardings); }

    public JitOptions withStaticArgnums(Integer... argnums) { return new JitOptions(name, donateArgnums, Set.of(argnums), inShardings, outShardings); }

    public JitOptions withInShardings(Object s) { return new JitOptions(name, donateArgnums, staticArgnums, s, outShardings); }

    public JitOptions withOutShardings(Object s) { return new JitOptions(name, donateArgnums, staticArgnums, inShardings, s); }
}
