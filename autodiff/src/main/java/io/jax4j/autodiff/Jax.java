package io.jax4j.autodiff;

import io.jax4j.Array;
import io.jax4j.Lax;
import io.jax4j.Np;
import io.jax4j.core.JitFunction;
import io.jax4j.core.Jax4jException;
import io.jax4j.core.StagingTrace;
import io.jax4j.core.Vmap;
import io.jax4j.ir.ClosedJaxpr;
import io.jax4j.tree.Tree;
import io.vavr.Function1;
import io.vavr.Function2;
import io.vavr.Function3;
import io.vavr.Function4;
import io.vavr.Tuple;
import io.vavr.Tuple2;
import io.vavr.Tuple3;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The transformations of JAX, composable in any order: {@code jit}, {@code grad},
 * {@code valueAndGrad} (and {@code valueAndGradWithAux}, JAX's {@code has_aux=True}), {@code jvp},
 * {@code vjp}, {@code linearize}, {@code vmap}, {@code jacfwd}, {@code jacrev}, {@code hessian},
 * {@code makeJaxpr}. Functions take and return pytrees (records, lists, maps, tuples of arrays).
 *
 * <pre>{@code
 * Function1<Array, Array> f = x -> Np.sum(Np.tanh(x));
 * var df = Jax.jit(Jax.grad(f));                        // grad(grad(f)), vmap(grad(f)), ... all work
 * ValueAndGradWithAux<Params, Array> r = Jax.valueAndGradWithAux(lossAndLogits).apply(params);
 * }</pre>
 *
 * <p>{@code valueAndGradWithAux(f)} takes {@code f} returning {@code HasAux.of(value, aux)}; the call
 * returns {@code ((value, aux), grads)} as a {@link ValueAndGradWithAux}. Gradients are taken with
 * respect to the floating-point array leaves of the first argument (or of the {@code argnums} given);
 * other leaves are static and come back unchanged in the gradient's structure.
 *
 * <p>Thread safety: a transformed function may be called from several threads at once. A jitted
 * function traces and compiles once per input signature (concurrent first calls agree on one
 * executable) and each call runs with its own buffers.
 */
public final class Jax {
    private Jax() {}

    // ---------------------------------------------------------------- jit

    /**
     * This process's devices, as {@code jax.local_devices()} lists them: the device of each available
     * backend ({@code cuda:0} where a GPU is usable), then the host's: {@code cpu:0}, and as many
     * virtual ones as {@code -Djax4j.cpuDevices=N} (or {@code JAX4J_CPU_DEVICES}) asks for, as XLA's
     * {@code --xla_force_host_platform_device_count}, so that {@code pmap} over N replicas runs on one
     * machine. Virtual host devices share the host's cores and memory.
     */
    public static List<io.jax4j.Device> localDevices() {
        List<io.jax4j.Device> out = new ArrayList<>();
        for (io.jax4j.spi.Backend b : io.jax4j.spi.Backends.all()) {
            if (b.isAvailable() && !b.device().platform().equals("cpu") && !out.contains(b.device())) out.add(b.device());
        }
        int first = processIndex() * cpuDeviceCount();
        for (int i = 0; i < cpuDeviceCount(); i++) out.add(first == 0 && i == 0 ? io.jax4j.Device.CPU : new io.jax4j.Device("cpu", first + i));
        return out;
    }

    /**
     * Every process's devices ({@code jax.devices()}): this process's {@link #localDevices()} in a
     * single-process run; in a multi-process one ({@link io.jax4j.distributed.Distributed}) also the
     * other processes' host devices, numbered {@code process * cpuDevices + i}.
     */
    public static List<io.jax4j.Device> devices() {
        List<io.jax4j.Device> out = new ArrayList<>(localDevices());
        int n = cpuDeviceCount(), me = processIndex();
        for (int p = 0; p < processCount(); p++) {
            if (p == me) continue;
            for (int i = 0; i < n; i++) out.add(new io.jax4j.Device("cpu", p * n + i));
        }
        return out;
    }

    /** {@code jax.local_device_count()}: the devices {@code pmap} can map over in this process (of the backend in use). */
    public static int localDeviceCount() {
        io.jax4j.spi.Backend b = io.jax4j.spi.Backends.current();
        return b.device().platform().equals("cpu") ? cpuDeviceCount() : 1;
    }

    /** {@code jax.device_count()}: {@link #localDeviceCount()} over every process. */
    public static int deviceCount() { return localDeviceCount() * processCount(); }

    /** {@code jax.process_index()}: 0, or this process's rank after {@code Distributed.initialize()}. */
    public static int processIndex() { return io.jax4j.spi.ProcessGroups.current().processIndex(); }

    /** {@code jax.process_count()}: 1, or the processes {@code mpirun} started after {@code Distributed.initialize()}. */
    public static int processCount() { return io.jax4j.spi.ProcessGroups.current().processCount(); }

    private static int cpuDeviceCount() {
        String v = System.getProperty("jax4j.cpuDevices", System.getenv("JAX4J_CPU_DEVICES"));
        if (v == null || v.isBlank()) return 1;
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1) return n;
        } catch (NumberFormatException e) {
            // below
        }
        throw new Jax4jException("jax4j.cpuDevices (JAX4J_CPU_DEVICES) is '" + v + "'; give the number of virtual host devices, 1 or more");
    }

    /**
     * Every array leaf of {@code tree} on {@code device} ({@code jax.device_put}): copied to a GPU's
     * memory (where jitted calls then read it without copying), or to the host; a leaf already there is
     * returned as it is; a virtual host device ({@code cpu:1}, ...) holds host arrays as they are (it shares
     * the host's memory). Throws naming the device when no available backend has it.
     */
    @SuppressWarnings("unchecked")
    public static <T> T devicePut(T tree, io.jax4j.Device device) {
        io.jax4j.spi.Backend target = null;
        boolean host = device.equals(io.jax4j.Device.CPU) || device.platform().equals("cpu") && localDevices().contains(device);   // virtual ones share its memory
        if (!host) {
            for (io.jax4j.spi.Backend b : io.jax4j.spi.Backends.all()) if (b.device().equals(device) && b.isAvailable()) target = b;
            if (target == null) {
                throw new Jax4jException("devicePut: no available backend has device " + device + "; the devices here are " + devices()
                        + (device.platform().equals("cuda") ? " (" + reasonCudaIsMissing() + ")" : ""));
            }
        }
        io.jax4j.spi.Backend to = target;
        return (T) Tree.map((Object leaf) -> {
            if (!(leaf instanceof Array a)) return leaf;
            io.jax4j.core.ArrayImpl x = a.concrete("devicePut");
            if (to != null) return to.put(x);
            return x.device().equals(io.jax4j.Device.CPU) ? x : x.withAval(x.aval());
        }, tree);
    }

    private static String reasonCudaIsMissing() {
        io.jax4j.spi.Backend b = io.jax4j.spi.Backends.byNameOrNull("cuda");
        return b == null ? "the cuda backend (jax4j-xla-lower) is not on the class path" : b.unavailableReason();
    }

    /** {@code jax.jit} of a function of 1 argument. */
    public static <A, R> Function1<A, R> jit(Function1<A, R> f) { return jit(f, JitOptions.named(null)); }

    /** {@code jit(f, donate_argnums=..., static_argnums=...)} as {@link JitOptions} spells them. */
    public static <A, R> Function1<A, R> jit(Function1<A, R> f, JitOptions options) {
        if (f instanceof ShardMapped<A, R> sm && options.outShardings() == null && sm.mesh().hasDevices()) {
            options = options.withOutShardings(new NamedSharding(sm.mesh(), sm.outSpec()));   // jit(shard_map(...)): its out_specs place the outputs
        }
        Function<List<Object>, Object> j = jitted(args -> f.apply(unchecked(args.get(0))), options, 1);
        return a -> unchecked(j.apply(args(a)));
    }

    /** {@code jax.jit} of a function of 2 arguments. */
    public static <A, B, R> Function2<A, B, R> jit(Function2<A, B, R> f) { return jit(f, JitOptions.named(null)); }

    /** {@code jax.jit} of a function of 2 arguments with {@link JitOptions} (name, donated and static arguments). */
    public static <A, B, R> Function2<A, B, R> jit(Function2<A, B, R> f, JitOptions options) {
        Function<List<Object>, Object> j = jitted(args -> f.apply(unchecked(args.get(0)), unchecked(args.get(1))), options, 2);
        return (a, b) -> unchecked(j.apply(args(a, b)));
    }

    /** {@code jax.jit} of a function of 3 arguments. */
    public static <A, B, C, R> Function3<A, B, C, R> jit(Function3<A, B, C, R> f) { return jit(f, JitOptions.named(null)); }

    /** {@code jax.jit} of a function of 3 arguments with {@link JitOptions} (name, donated and static arguments). */
    public static <A, B, C, R> Function3<A, B, C, R> jit(Function3<A, B, C, R> f, JitOptions options) {
        Function<List<Object>, Object> j = jitted(args -> f.apply(unchecked(args.get(0)), unchecked(args.get(1)), unchecked(args.get(2))), options, 3);
        return (a, b, c) -> unchecked(j.apply(args(a, b, c)));
    }

    /** {@code jax.jit} of a function of 4 arguments. */
    public static <A, B, C, D, R> Function4<A, B, C, D, R> jit(Function4<A, B, C, D, R> f) { return jit(f, JitOptions.named(null)); }

    /** {@code jax.jit} of a function of 4 arguments with {@link JitOptions} (name, donated and static arguments). */
    public static <A, B, C, D, R> Function4<A, B, C, D, R> jit(Function4<A, B, C, D, R> f, JitOptions options) {
        Function<List<Object>, Object> j = jitted(args -> f.apply(unchecked(args.get(0)), unchecked(args.get(1)), unchecked(args.get(2)),
                unchecked(args.get(3))), options, 4);
        return (a, b, c, d) -> unchecked(j.apply(args(a, b, c, d)));
    }

    /**
     * The underlying jit object of a function of an argument list (cache statistics, tracing count).
     * Static values go in as non-array leaves here; {@code staticArgnums} belongs to the typed {@code jit}.
     */
    public static JitFunction jitFunction(Function<List<Object>, Object> f, JitOptions options) {
        String name = options.name() != null ? options.name() : callerName();
        if (!options.staticArgnums().isEmpty()) {
            throw new Jax4jException("jitFunction(" + name + "): staticArgnums " + options.staticArgnums() + " apply to Jax.jit's typed"
                    + " overloads; here pass static values as non-array leaves of the argument list");
        }
        return new JitFunction(f, name, options.donateArgnums());
    }

    /** A function of {@code arity} arguments jitted with its options, static arguments wrapped as one static leaf each. */
    private static Function<List<Object>, Object> jitted(Function<List<Object>, Object> f, JitOptions options, int arity) {
        String name = options.name() != null ? options.name() : callerName();
        for (int i : options.staticArgnums()) {
            if (i >= arity) {
                throw new Jax4jException("jit(" + name + "): static_argnums " + i + " is out of range for a function of " + arity + " arguments");
            }
        }
        for (int i : options.donateArgnums()) {
            if (i >= arity) {
                throw new Jax4jException("jit(" + name + "): donate_argnums " + i + " is out of range for a function of " + arity + " arguments");
            }
        }
        boolean statics = !options.staticArgnums().isEmpty();
        JitFunction j = statics ? new JitFunction(args -> f.apply(StaticArgument.unwrap(args)), name, options.donateArgnums())
                : new JitFunction(f, name, options.donateArgnums());
        Object in = options.inShardings(), out = options.outShardings();
        return args -> {
            List<Object> a = in == null ? args : unchecked(Shardings.place(name, "in", args, in));
            List<Object> call = statics ? StaticArgument.wrap(name, a, options.staticArgnums()) : a;
            Object result = j.call(call);
            if (out != null) return Shardings.place(name, "out", result, out);
            return Shardings.anyPlaced(call) ? Shardings.propagate(j, call, result) : result;
        };
    }

    // ---------------------------------------------------------------- makeJaxpr

    /** The jaxpr of {@code f} at the avals of the arguments; prints as JAX prints it. */
    public static <A> Function1<A, ClosedJaxpr> makeJaxpr(Function1<A, ?> f) {
        return a -> makeJaxprList(args -> f.apply(unchecked(args.get(0))), args(a));
    }

    /** {@code jax.make_jaxpr} of a function of 2 arguments: the closed jaxpr for the given arguments. */
    public static <A, B> Function2<A, B, ClosedJaxpr> makeJaxpr(Function2<A, B, ?> f) {
        return (a, b) -> makeJaxprList(args -> f.apply(unchecked(args.get(0)), unchecked(args.get(1))), args(a, b));
    }

    /** {@code jax.make_jaxpr} of a function of 3 arguments: the closed jaxpr for the given arguments. */
    public static <A, B, C> Function3<A, B, C, ClosedJaxpr> makeJaxpr(Function3<A, B, C, ?> f) {
        return (a, b, c) -> makeJaxprList(args -> f.apply(unchecked(args.get(0)), unchecked(args.get(1)), unchecked(args.get(2))), args(a, b, c));
    }

    static ClosedJaxpr makeJaxprList(Function<List<Object>, Object> f, List<Object> args) {
        StagingTrace trace = new StagingTrace("makeJaxpr(" + callerName() + ")");
        Tree.Flat flat = Tree.flatten(args);
        List<Object> leaves = new ArrayList<>();
        for (Object leaf : flat.leaves()) leaves.add(leaf instanceof Array a ? trace.newArg(a.aval()) : leaf);
        List<Object> traced = unchecked(Tree.unflatten(flat.def(), leaves));
        Object out = trace.run(() -> f.apply(traced));
        return trace.build(Tree.leavesOfType(out, Array.class));
    }

    // ---------------------------------------------------------------- grad and valueAndGrad

    /** The gradient of a scalar function with respect to its (pytree) argument. */
    public static <A> Function1<A, A> grad(Function1<A, Array> f) {
        Function1<A, ValueAndGrad<A>> vg = valueAndGrad(f);
        return a -> vg.apply(a).grad();
    }

    /** The gradient with respect to the first argument ({@code argnums=0}). */
    public static <A, B> Function2<A, B, A> grad(Function2<A, B, Array> f) {
        Function2<A, B, ValueAndGrad<A>> vg = valueAndGrad(f);
        return (a, b) -> vg.apply(a, b).grad();
    }

    /** {@code jax.grad} of a function of 3 arguments: the gradient with respect to the first. */
    public static <A, B, C> Function3<A, B, C, A> grad(Function3<A, B, C, Array> f) {
        Function3<A, B, C, ValueAndGrad<A>> vg = valueAndGrad(f);
        return (a, b, c) -> vg.apply(a, b, c).grad();
    }

    /** {@code jax.grad} of a function of 4 arguments: the gradient with respect to the first. */
    public static <A, B, C, D> Function4<A, B, C, D, A> grad(Function4<A, B, C, D, Array> f) {
        Function4<A, B, C, D, ValueAndGrad<A>> vg = valueAndGrad(f);
        return (a, b, c, d) -> vg.apply(a, b, c, d).grad();
    }

    /**
     * {@code grad(f, argnums=i)}: the gradient with respect to argument {@code i} (negative counts
     * from the end). Its type is the caller's: {@code Function2<Params, Array, Array> dx = Jax.grad(loss, 1)}.
     */
    public static <A, B, G> Function2<A, B, G> grad(Function2<A, B, Array> f, int argnum) {
        String name = callerName();
        return (a, b) -> Jax.<G>single(gradOf(name, list(f), args(a, b), new int[]{argnum})).grad();
    }

    /** {@code grad(f, argnums=(i, j, ...))}: one gradient per argnum, in order. */
    public static <A, B> Function2<A, B, Gradients> grad(Function2<A, B, Array> f, int argnum, int argnum2, int... more) {
        String name = callerName();
        return (a, b) -> several(gradOf(name, list(f), args(a, b), argnums(argnum, argnum2, more))).grad();
    }

    /** {@code jax.grad(f, argnums=i)} of a function of 3 arguments: the gradient with respect to argument {@code argnum} (its type {@code G} declared by the caller). */
    public static <A, B, C, G> Function3<A, B, C, G> grad(Function3<A, B, C, Array> f, int argnum) {
        String name = callerName();
        return (a, b, c) -> Jax.<G>single(gradOf(name, list(f), args(a, b, c), new int[]{argnum})).grad();
    }

    /** {@code jax.grad(f, argnums=(i, j, ...))} of a function of 3 arguments: the gradients, in argnum order, as {@link Gradients}. */
    public static <A, B, C> Function3<A, B, C, Gradients> grad(Function3<A, B, C, Array> f, int argnum, int argnum2, int... more) {
        String name = callerName();
        return (a, b, c) -> several(gradOf(name, list(f), args(a, b, c), argnums(argnum, argnum2, more))).grad();
    }

    /** {@code jax.grad(f, argnums=i)} of a function of 4 arguments: the gradient with respect to argument {@code argnum} (its type {@code G} declared by the caller). */
    public static <A, B, C, D, G> Function4<A, B, C, D, G> grad(Function4<A, B, C, D, Array> f, int argnum) {
        String name = callerName();
        return (a, b, c, d) -> Jax.<G>single(gradOf(name, list(f), args(a, b, c, d), new int[]{argnum})).grad();
    }

    /** {@code jax.grad(f, argnums=(i, j, ...))} of a function of 4 arguments: the gradients, in argnum order, as {@link Gradients}. */
    public static <A, B, C, D> Function4<A, B, C, D, Gradients> grad(Function4<A, B, C, D, Array> f, int argnum, int argnum2, int... more) {
        String name = callerName();
        return (a, b, c, d) -> several(gradOf(name, list(f), args(a, b, c, d), argnums(argnum, argnum2, more))).grad();
    }

    /** {@code jax.value_and_grad} of a function of 1 argument: the value and the gradient with respect to the first. */
    public static <A> Function1<A, ValueAndGrad<A>> valueAndGrad(Function1<A, Array> f) {
        String name = callerName();
        return a -> single(gradOf(name, args -> f.apply(unchecked(args.get(0))), args(a), new int[]{0}));
    }

    /** {@code jax.value_and_grad} of a function of 2 arguments: the value and the gradient with respect to the first. */
    public static <A, B> Function2<A, B, ValueAndGrad<A>> valueAndGrad(Function2<A, B, Array> f) {
        String name = callerName();
        return (a, b) -> single(gradOf(name, list(f), args(a, b), new int[]{0}));
    }

    /** {@code jax.value_and_grad} of a function of 3 arguments: the value and the gradient with respect to the first. */
    public static <A, B, C> Function3<A, B, C, ValueAndGrad<A>> valueAndGrad(Function3<A, B, C, Array> f) {
        String name = callerName();
        return (a, b, c) -> single(gradOf(name, list(f), args(a, b, c), new int[]{0}));
    }

    /** {@code jax.value_and_grad} of a function of 4 arguments: the value and the gradient with respect to the first. */
    public static <A, B, C, D> Function4<A, B, C, D, ValueAndGrad<A>> valueAndGrad(Function4<A, B, C, D, Array> f) {
        String name = callerName();
        return (a, b, c, d) -> single(gradOf(name, list(f), args(a, b, c, d), new int[]{0}));
    }

    /** {@code value_and_grad(f, argnums=i)}. */
    public static <A, B, G> Function2<A, B, ValueAndGrad<G>> valueAndGrad(Function2<A, B, Array> f, int argnum) {
        String name = callerName();
        return (a, b) -> single(gradOf(name, list(f), args(a, b), new int[]{argnum}));
    }

    /** {@code value_and_grad(f, argnums=(i, j, ...))}. */
    public static <A, B> Function2<A, B, ValueAndGrad<Gradients>> valueAndGrad(Function2<A, B, Array> f, int argnum, int argnum2, int... more) {
        String name = callerName();
        return (a, b) -> several(gradOf(name, list(f), args(a, b), argnums(argnum, argnum2, more)));
    }

    /** {@code jax.value_and_grad(f, argnums=i)} of a function of 3 arguments: the value and the gradient with respect to argument {@code argnum}. */
    public static <A, B, C, G> Function3<A, B, C, ValueAndGrad<G>> valueAndGrad(Function3<A, B, C, Array> f, int argnum) {
        String name = callerName();
        return (a, b, c) -> single(gradOf(name, list(f), args(a, b, c), new int[]{argnum}));
    }

    /** {@code jax.value_and_grad(f, argnums=(i, j, ...))} of a function of 3 arguments: the value and the gradients as {@link Gradients}. */
    public static <A, B, C> Function3<A, B, C, ValueAndGrad<Gradients>> valueAndGrad(Function3<A, B, C, Array> f, int argnum, int argnum2,
                                                                                   int... more) {
        String name = callerName();
        return (a, b, c) -> several(gradOf(name, list(f), args(a, b, c), argnums(argnum, argnum2, more)));
    }

    /** JAX's {@code value_and_grad(f, has_aux=True)}: f returns {@code HasAux.of(value, aux)}. */
    public static <A, X> Function1<A, ValueAndGradWithAux<A, X>> valueAndGradWithAux(Function1<A, HasAux<X>> f) {
        String name = callerName();
        return a -> withAux(Differentiate.valueAndGrad(name, args -> f.apply(unchecked(args.get(0))), args(a), new int[]{0}, true));
    }

    /** {@code jax.value_and_grad(f, has_aux=True)} of a function of 2 arguments: value, aux and the gradient with respect to the first. */
    public static <A, B, X> Function2<A, B, ValueAndGradWithAux<A, X>> valueAndGradWithAux(Function2<A, B, HasAux<X>> f) {
        String name = callerName();
        return (a, b) -> withAux(Differentiate.valueAndGrad(name, list(f), args(a, b), new int[]{0}, true));
    }

    /** {@code value_and_grad(f, argnums=i, has_aux=True)}. */
    public static <A, B, G, X> Function2<A, B, ValueAndGradWithAux<G, X>> valueAndGradWithAux(Function2<A, B, HasAux<X>> f, int argnum) {
        String name = callerName();
        return (a, b) -> withAux(Differentiate.valueAndGrad(name, list(f), args(a, b), normalise(name, new int[]{argnum}, 2), true));
    }

    /** {@code value_and_grad(f, argnums=(i, j, ...), has_aux=True)}. */
    public static <A, B, X> Function2<A, B, ValueAndGradWithAux<Gradients, X>> valueAndGradWithAux(Function2<A, B, HasAux<X>> f, int argnum,
                                                                                                 int argnum2, int... more) {
        String name = callerName();
        return (a, b) -> {
            var r = Differentiate.valueAndGrad(name, list(f), args(a, b), normalise(name, argnums(argnum, argnum2, more), 2), true);
            return new ValueAndGradWithAux<>(r.value(), unchecked(r.aux()), new Gradients(r.grads()));
        };
    }

    /**
     * The general form: value and gradients with respect to the arguments {@code argnums} (one gradient
     * pytree per argnum, in order), with or without aux ({@code HasAux}).
     */
    public static Function<List<Object>, ValueAndGradWithAux<List<Object>, Object>> valueAndGrad(
            Function<List<Object>, Object> f, int[] argnums, boolean hasAux) {
        String name = callerName();
        return args -> {
            var r = Differentiate.valueAndGrad(name, f, args, normalise(name, argnums, args.size()), hasAux);
            return new ValueAndGradWithAux<>(r.value(), r.aux(), r.grads());
        };
    }

    private static Differentiate.Result gradOf(String name, Function<List<Object>, Object> f, List<Object> args, int[] argnums) {
        return Differentiate.valueAndGrad(name, f, args, normalise(name, argnums, args.size()), false);
    }

    private static <G> ValueAndGrad<G> single(Differentiate.Result r) { return new ValueAndGrad<>(r.value(), unchecked(r.grads().getFirst())); }

    private static ValueAndGrad<Gradients> several(Differentiate.Result r) { return new ValueAndGrad<>(r.value(), new Gradients(r.grads())); }

    private static <G, X> ValueAndGradWithAux<G, X> withAux(Differentiate.Result r) {
        return new ValueAndGradWithAux<>(r.value(), unchecked(r.aux()), unchecked(r.grads().getFirst()));
    }

    private static int[] argnums(int first, int second, int[] more) {
        int[] out = new int[2 + more.length];
        out[0] = first;
        out[1] = second;
        System.arraycopy(more, 0, out, 2, more.length);
        return out;
    }

    /** Negative argnums count from the end, as in JAX; repeated ones are refused, as JAX does. */
    private static int[] normalise(String name, int[] argnums, int arity) {
        int[] out = new int[argnums.length];
        for (int i = 0; i < argnums.length; i++) {
            int k = argnums[i] < 0 ? argnums[i] + arity : argnums[i];
            if (k < 0 || k >= arity) {
                throw new Jax4jException("grad(" + name + "): argnums " + argnums[i] + " is out of range for a function of " + arity + " arguments");
            }
            for (int j = 0; j < i; j++) {
                if (out[j] == k) throw new Jax4jException("grad(" + name + "): argnums " + java.util.Arrays.toString(argnums) + " repeat argument " + k);
            }
            out[i] = k;
        }
        return out;
    }

    // ---------------------------------------------------------------- jvp, vjp, linearize

    /** Forward mode: {@code (f(primals), df(primals)·tangents)}; tangents have the primals' structure. */
    public static <A, R> Jvp<R> jvp(Function1<A, R> f, A primals, A tangents) {
        String name = callerName();
        Tree.Flat pf = Tree.flatten(primals), tf = Tree.flatten(tangents);
        Tree.checkSameStructure("jvp(" + name + "): tangents vs primals", pf.def(), tf.def());
        List<Array> p = Tree.leavesOfType(primals, Array.class), t = Tree.leavesOfType(tangents, Array.class);
        Object[] outDef = new Object[1];
        Linearize.JvpOut out = Linearize.jvp(name, flatten1(f, pf, outDef), p, t);
        List<Array> tangentsOut = new ArrayList<>();
        for (int i = 0; i < out.tangents().size(); i++) {
            Array ti = out.tangents().get(i);
            tangentsOut.add(ti != null ? ti : Linearize.zeros(out.primals().get(i).aval().strong()));
        }
        Tree.Flat od = (Tree.Flat) outDef[0];
        return new Jvp<>(unchecked(rebuild(od, out.primals())), unchecked(rebuild(od, tangentsOut)));
    }

    /** {@code jax.jvp(f, (a, b), (ta, tb))} for a function of two arguments. */
    public static <A, B, R> Jvp<R> jvp(Function2<A, B, R> f, Tuple2<A, B> primals, Tuple2<A, B> tangents) {
        return jvp((Tuple2<A, B> p) -> f.apply(p._1, p._2), primals, tangents);
    }

    /** {@code jax.jvp(f, (a, b, c), (ta, tb, tc))} for a function of three arguments. */
    public static <A, B, C, R> Jvp<R> jvp(Function3<A, B, C, R> f, Tuple3<A, B, C> primals, Tuple3<A, B, C> tangents) {
        return jvp((Tuple3<A, B, C> p) -> f.apply(p._1, p._2, p._3), primals, tangents);
    }

    /** Reverse mode: the outputs and the pullback from output cotangents to input cotangents. */
    public static <A, R> Vjp<A, R> vjp(Function1<A, R> f, A primals) {
        String name = callerName();
        Tree.Flat pf = Tree.flatten(primals);
        Object[] outDef = new Object[1];
        Linearize.Linearized lin = Linearize.linearize(name, flatten1(f, pf, outDef), Tree.leavesOfType(primals, Array.class));
        Tree.Flat od = (Tree.Flat) outDef[0];
        R out = unchecked(rebuild(od, lin.primalsOut()));
        return new Vjp<>(out, ct -> {
            Tree.checkSameStructure("vjp(" + name + "): cotangent vs output", od.def(), Tree.flatten(ct).def());
            List<Array> cts = Tree.leavesOfType(ct, Array.class);
            return unchecked(rebuild(pf, lin.transpose(cts)));
        });
    }

    /** {@code jax.vjp(f, a, b)}: the pullback returns one cotangent per argument, as JAX's tuple. */
    public static <A, B, R> Vjp<Tuple2<A, B>, R> vjp(Function2<A, B, R> f, A a, B b) {
        return vjp((Tuple2<A, B> p) -> f.apply(p._1, p._2), Tuple.of(a, b));
    }

    /** {@code jax.vjp(f, a, b, c)}. */
    public static <A, B, C, R> Vjp<Tuple3<A, B, C>, R> vjp(Function3<A, B, C, R> f, A a, B b, C c) {
        return vjp((Tuple3<A, B, C> p) -> f.apply(p._1, p._2, p._3), Tuple.of(a, b, c));
    }

    /** {@code (f(primals), jvpFn)} where {@code jvpFn} maps tangents linearly, reusing the residuals. */
    public static <A, R> Linearized<A, R> linearize(Function1<A, R> f, A primals) {
        String name = callerName();
        Tree.Flat pf = Tree.flatten(primals);
        Object[] outDef = new Object[1];
        Linearize.Linearized lin = Linearize.linearize(name, flatten1(f, pf, outDef), Tree.leavesOfType(primals, Array.class));
        Tree.Flat od = (Tree.Flat) outDef[0];
        return new Linearized<>(unchecked(rebuild(od, lin.primalsOut())),
                t -> unchecked(rebuild(od, lin.apply(Tree.leavesOfType(t, Array.class)))));
    }

    // ---------------------------------------------------------------- vmap

    /** Vectorises over axis 0 of every array leaf of the argument. */
    public static <A, R> Function1<A, R> vmap(Function1<A, R> f) { return vmap(f, InAxes.of(0)); }

    /** {@code jax.vmap(f, in_axes)} of a function of 1 argument. */
    public static <A, R> Function1<A, R> vmap(Function1<A, R> f, InAxes inAxes) { return vmap(f, inAxes, 0); }

    /** {@code vmap(f, in_axes, out_axes)}: every output leaf gets its batch axis at {@code outAxis}. */
    public static <A, R> Function1<A, R> vmap(Function1<A, R> f, InAxes inAxes, int outAxis) { return vmap(f, inAxes, (Object) outAxis); }

    /**
     * {@code vmap(f, in_axes, out_axes)} with {@code outAxes} an axis or a pytree prefix of the output
     * whose leaves are axes or {@code null} (an output that does not depend on the mapped inputs).
     */
    public static <A, R> Function1<A, R> vmap(Function1<A, R> f, InAxes inAxes, Object outAxes) {
        String name = callerName();
        return a -> unchecked(Vmap.applyTrees(args -> f.apply(unchecked(args.get(0))), name, inAxes.axes(), outAxes, args(a)));
    }

    /**
     * {@code jax.vmap(f, in_axes, out_axes, axis_name=name)}: the mapped axis named, so that
     * collectives inside {@code f} ({@code Lax.psum(x, name)}, {@code pmean}, {@code allGather},
     * {@code axisIndex}, ...) act across it.
     */
    public static <A, R> Function1<A, R> vmap(Function1<A, R> f, InAxes inAxes, Object outAxes, String axisName) {
        String name = callerName();
        return a -> unchecked(Vmap.applyTrees(args -> f.apply(unchecked(args.get(0))), name, inAxes.axes(), outAxes, args(a), axisName));
    }

    /** {@code jax.vmap(f, in_axes, out_axes, axis_name=name)} of a function of 2 arguments. */
    public static <A, B, R> Function2<A, B, R> vmap(Function2<A, B, R> f, InAxes inAxes, Object outAxes, String axisName) {
        String name = callerName();
        return (a, b) -> unchecked(Vmap.applyTrees(args -> f.apply(unchecked(args.get(0)), unchecked(args.get(1))), name, inAxes.axes(), outAxes,
                args(a, b), axisName));
    }

    /**
     * {@code jax.pmap(f, axis_name=name)}: {@code f} over the leading axis, one replica per local
     * device ({@link #localDeviceCount()}; more is JAX's error), with collectives over {@code name}.
     * The replicas run as one batched program on this process's backend (the programming model and
     * the numbers of JAX on several devices). After {@code Distributed.initialize()} the axis spans
     * every process: each maps its own replicas, and {@code psum}/{@code pmean}/{@code all_gather}
     * reach all of them ({@code axis_index} counts from this process's first). Every output has the
     * replica axis leading.
     */
    public static <A, R> Function1<A, R> pmap(Function1<A, R> f, String axisName) {
        String name = callerName();
        return a -> unchecked(pmapped(args -> f.apply(unchecked(args.get(0))), name, InAxes.of(0), 0, args(a), axisName));
    }

    /** {@code jax.pmap(f, axis_name, in_axes)} of a function of 2 arguments ({@code InAxes.of(0, null)}: the second replicated). */
    public static <A, B, R> Function2<A, B, R> pmap(Function2<A, B, R> f, String axisName, InAxes inAxes) {
        return pmap(f, axisName, inAxes, 0);
    }

    /** {@code jax.pmap(f, axis_name, in_axes, out_axes)} of a function of 2 arguments (out_axes {@code null}: replicated outputs). */
    public static <A, B, R> Function2<A, B, R> pmap(Function2<A, B, R> f, String axisName, InAxes inAxes, Object outAxes) {
        String name = callerName();
        return (a, b) -> unchecked(pmapped(args -> f.apply(unchecked(args.get(0)), unchecked(args.get(1))), name, inAxes, outAxes, args(a, b), axisName));
    }

    /** {@code jax.pmap(f, axis_name, in_axes, out_axes)} of a function of 3 arguments (a train step of state, images, labels). */
    public static <A, B, C, R> Function3<A, B, C, R> pmap(Function3<A, B, C, R> f, String axisName, InAxes inAxes, Object outAxes) {
        String name = callerName();
        return (a, b, c) -> unchecked(pmapped(args -> f.apply(unchecked(args.get(0)), unchecked(args.get(1)), unchecked(args.get(2))),
                name, inAxes, outAxes, args(a, b, c), axisName));
    }

    private static Object pmapped(Function<List<Object>, Object> f, String name, InAxes inAxes, Object outAxes, List<Object> args, String axisName) {
        if (axisName == null || axisName.isBlank()) throw new Jax4jException("pmap(" + name + "): give the mapped axis a name (axis_name)");
        Function<List<Object>, Object> checked = xs -> {
            int replicas = io.jax4j.core.BatchTrace.binding(axisName).axisSize(), devices = localDeviceCount();
            if (replicas > devices) {
                throw new Jax4jException("pmap(" + name + "): the mapped axis has " + replicas + " entries but this process has " + devices
                        + " " + io.jax4j.spi.Backends.current().device().platform() + " device" + (devices == 1 ? "" : "s")
                        + " (one replica per device, as in JAX); map at most " + devices + ", or, on the host, run with -Djax4j.cpuDevices="
                        + replicas + " (JAX4J_CPU_DEVICES, as XLA's --xla_force_host_platform_device_count) for virtual devices");
            }
            return f.apply(xs);
        };
        return Vmap.applyTrees(checked, name, inAxes.axes(), outAxes, args, axisName, io.jax4j.spi.ProcessGroups.current());
    }

    /**
     * {@code jax.shard_map(f, mesh, in_specs, out_specs)}: {@code f} runs once per replica of the mesh
     * on its local block of every input leaf (each array axis split over the mesh axis its spec names,
     * whole where it names none), with collectives over the mesh's axis names; the outputs' blocks are
     * put back together by {@code outSpec} — an output whose spec leaves a mesh axis out must be the
     * same on every replica along it (a {@code psum}'s result, say), or it is an error. One spec
     * applies to every leaf of the input, one to every leaf of the output.
     */
    public static <A, R> Function1<A, R> shardMap(Function1<A, R> f, Mesh mesh, PartitionSpec inSpec, PartitionSpec outSpec) {
        String name = callerName();
        return new ShardMapped<>(a -> unchecked(ShardMap.apply(x -> f.apply(unchecked(x)), name, mesh, inSpec, outSpec, a)), mesh, outSpec);
    }

    /**
     * A shard-mapped function: on a mesh of devices ({@link #makeMesh}) its concrete outputs are placed
     * by {@code outSpec}, and {@code jit} of it places its outputs so.
     */
    record ShardMapped<A, R>(Function1<A, R> f, Mesh mesh, PartitionSpec outSpec) implements Function1<A, R> {
        @Override
        public R apply(A a) {
            R out = f.apply(a);
            if (!mesh.hasDevices() || !(io.jax4j.core.Trace.current() instanceof io.jax4j.core.EvalTrace)) return out;
            return devicePut(out, new NamedSharding(mesh, outSpec));
        }
    }

    /**
     * {@code jax.make_mesh(shape, names)}: a {@link Mesh} of the first {@code prod(shape)} devices of
     * {@link #devices()}, laid out row-major, for {@link NamedSharding}s. Throws when there are fewer
     * devices, naming the flag that makes more virtual host devices.
     */
    public static Mesh makeMesh(int[] shape, String... axisNames) {
        int n = java.util.Arrays.stream(shape).reduce(1, (x, y) -> x * y);
        List<io.jax4j.Device> all = devices();
        if (n > all.size()) {
            throw new Jax4jException("makeMesh: a mesh of shape " + java.util.Arrays.toString(shape) + " needs " + n + " devices; there are " + all.size()
                    + " " + all + (all.get(0).platform().equals("cpu") ? "; on the host, run with -Djax4j.cpuDevices=" + n + " (JAX4J_CPU_DEVICES)" : ""));
        }
        return new Mesh(List.of(axisNames), shape, all.subList(0, n));
    }

    /**
     * {@code jax.device_put(x, sharding)}: every array leaf of {@code tree} laid out by {@code sharding}
     * (its {@link Array#sharding()} then says so, and {@link Array#addressableShards()} gives the blocks).
     * The devices must be this process's; a {@link NamedSharding} over host devices keeps one copy that
     * they share; a single device is {@link #devicePut(Object, io.jax4j.Device)}.
     */
    @SuppressWarnings("unchecked")
    public static <T> T devicePut(T tree, io.jax4j.Sharding sharding) {
        if (sharding instanceof io.jax4j.Sharding.Single s) return devicePut(tree, s.device());
        List<io.jax4j.Device> local = localDevices();
        for (io.jax4j.Device d : sharding.devices()) {
            if (!local.contains(d)) {
                throw new Jax4jException("devicePut: " + sharding + " uses device " + d + ", which is not this process's (" + local
                        + "); each process places its own blocks: shard over Jax.localDevices(), or use pmap/shardMap across processes");
            }
        }
        if (sharding.devices().stream().anyMatch(d -> !d.platform().equals("cpu"))) {
            if (sharding.devices().size() > 1) {
                throw new Jax4jException("devicePut: " + sharding + " spans several GPUs; jax4j drives one GPU per process (Distributed.initialize with a "
                        + "process per GPU, pmap over the processes)");
            }
            return devicePut(tree, sharding.devices().get(0));
        }
        Shardings.placedOne();
        return (T) Tree.map((Object leaf) -> {
            if (!(leaf instanceof Array a)) return leaf;
            io.jax4j.core.ArrayImpl x = a.concrete("devicePut");
            return sharding.equals(x.placedSharding()) ? x : x.withSharding(sharding);
        }, tree);
    }

    /** {@code jax.vmap(f, in_axes)} of a function of 2 arguments. */
    public static <A, B, R> Function2<A, B, R> vmap(Function2<A, B, R> f, InAxes inAxes) { return vmap(f, inAxes, 0); }

    /** {@code jax.vmap(f, in_axes, out_axes)} of a function of 2 arguments. */
    public static <A, B, R> Function2<A, B, R> vmap(Function2<A, B, R> f, InAxes inAxes, int outAxis) { return vmap(f, inAxes, (Object) outAxis); }

    /** {@code jax.vmap(f, in_axes, out_axes)} of a function of 2 arguments (output axes: an int for every output, or a pytree of axes). */
    public static <A, B, R> Function2<A, B, R> vmap(Function2<A, B, R> f, InAxes inAxes, Object outAxes) {
        String name = callerName();
        return (a, b) -> unchecked(Vmap.applyTrees(args -> f.apply(unchecked(args.get(0)), unchecked(args.get(1))), name, inAxes.axes(), outAxes,
                args(a, b)));
    }

    /** {@code jax.vmap(f, in_axes)} of a function of 3 arguments. */
    public static <A, B, C, R> Function3<A, B, C, R> vmap(Function3<A, B, C, R> f, InAxes inAxes) { return vmap(f, inAxes, 0); }

    /** {@code jax.vmap(f, in_axes, out_axes)} of a function of 3 arguments. */
    public static <A, B, C, R> Function3<A, B, C, R> vmap(Function3<A, B, C, R> f, InAxes inAxes, int outAxis) {
        return vmap(f, inAxes, (Object) outAxis);
    }

    /** {@code jax.vmap(f, in_axes, out_axes)} of a function of 3 arguments (output axes: an int for every output, or a pytree of axes). */
    public static <A, B, C, R> Function3<A, B, C, R> vmap(Function3<A, B, C, R> f, InAxes inAxes, Object outAxes) {
        String name = callerName();
        return (a, b, c) -> unchecked(Vmap.applyTrees(args -> f.apply(unchecked(args.get(0)), unchecked(args.get(1)), unchecked(args.get(2))),
                name, inAxes.axes(), outAxes, args(a, b, c)));
    }

    // ---------------------------------------------------------------- Jacobians

    /** The Jacobian by forward mode: shape {@code out.shape + in.shape}. */
    public static Function1<Array, Array> jacfwd(Function1<Array, Array> f) {
        return x -> {
            int n = (int) x.size();
            Array basis = Np.reshape(eye(n, x), concat(new int[]{n}, x.shape()));
            Function1<Array, Array> pushforward = t -> jvp(f, x, t).tangentsOut();
            Array cols = Vmap.apply(args -> pushforward.apply((Array) args.get(0)), "jacfwd", List.of(0), 0, List.of(basis)) instanceof Array a ? a : null;
            // cols: [n, *out]; move the input axis to the end
            Array moved = Np.moveaxis(cols, 0, -1);
            return Np.reshape(moved, concat(cols.ndim() == 1 ? new int[0] : java.util.Arrays.copyOfRange(cols.shape(), 1, cols.ndim()), x.shape()));
        };
    }

    /** The Jacobian by reverse mode: shape {@code out.shape + in.shape}. */
    public static Function1<Array, Array> jacrev(Function1<Array, Array> f) {
        return x -> {
            Vjp<Array, Array> v = vjp(f, x);
            Array y = v.primalsOut();
            int m = (int) y.size();
            Array basis = Np.reshape(eye(m, y), concat(new int[]{m}, y.shape()));
            Array rows = (Array) Vmap.apply(args -> v.apply((Array) args.get(0)), "jacrev", List.of(0), 0, List.of(basis));
            return Np.reshape(rows, concat(y.shape(), x.shape()));
        };
    }

    /** {@code jacfwd(jacrev(f))}: the Hessian of a scalar function. */
    public static Function1<Array, Array> hessian(Function1<Array, Array> f) { return jacfwd(jacrev(f)); }

    /**
     * {@code jax.jacfwd} over pytrees: for a function of a pytree returning a pytree, the Jacobian as
     * a pytree of the output's structure whose every leaf is a pytree of the input's structure, the
     * leaf for output leaf {@code y} and input leaf {@code x} of shape {@code y.shape + x.shape} (JAX's
     * layout). One forward-mode pass per input leaf, vmapped over its basis. Declare the result type
     * at the call site: {@code Function1<Dict, Dict> j = Jax.jacfwdTree(f)}.
     */
    @SuppressWarnings("unchecked")
    public static <A, R, J> Function1<A, J> jacfwdTree(Function1<A, R> f) {
        return x -> {
            Tree.Flat in = Tree.flatten(x);
            List<Object> inLeaves = in.leaves();
            List<List<Object>> byOutput = null;
            io.jax4j.tree.TreeDef outDef = null;
            for (int i = 0; i < inLeaves.size(); i++) {
                Array xi = leafArray("jacfwdTree", inLeaves.get(i));
                int n = (int) xi.size(), leaf = i;
                Array basis = Np.reshape(eye(n, xi), concat(new int[]{n}, xi.shape()));
                Object cols = Vmap.apply(args -> {
                    List<Object> tangents = new java.util.ArrayList<>();
                    for (Object l : inLeaves) tangents.add(Np.zerosLike((Array) l));
                    tangents.set(leaf, args.get(0));
                    return jvp(f, x, (A) Tree.unflatten(in.def(), tangents)).tangentsOut();
                }, "jacfwd", List.of(0), 0, List.of(basis));
                Tree.Flat out = Tree.flatten(cols);
                outDef = out.def();
                if (byOutput == null) {
                    byOutput = new java.util.ArrayList<>();
                    for (int j = 0; j < out.leaves().size(); j++) byOutput.add(new java.util.ArrayList<>());
                }
                for (int j = 0; j < out.leaves().size(); j++) {
                    Array c = (Array) out.leaves().get(j);                      // [n, *y_j.shape]
                    int[] yShape = java.util.Arrays.copyOfRange(c.shape(), 1, c.ndim());
                    byOutput.get(j).add(Np.reshape(Np.moveaxis(c, 0, -1), concat(yShape, xi.shape())));
                }
            }
            if (byOutput == null) throw new Jax4jException("jacfwdTree: the input has no array leaves to differentiate with respect to");
            List<Object> perOutput = new java.util.ArrayList<>();
            for (List<Object> row : byOutput) perOutput.add(Tree.unflatten(in.def(), row));
            return (J) Tree.unflatten(outDef, perOutput);
        };
    }

    /**
     * {@code jax.jacrev} over pytrees: the same layout as {@link #jacfwdTree} (output structure outside,
     * input structure inside, shapes {@code y.shape + x.shape}), one reverse-mode pass per output leaf,
     * vmapped over its basis of cotangents.
     */
    @SuppressWarnings("unchecked")
    public static <A, R, J> Function1<A, J> jacrevTree(Function1<A, R> f) {
        return x -> {
            for (Object leaf : Tree.leaves(x)) leafArray("jacrevTree", leaf);
            Vjp<A, R> v = vjp(f, x);
            Tree.Flat out = Tree.flatten(v.primalsOut());
            List<Object> outLeaves = out.leaves();
            List<Object> perOutput = new java.util.ArrayList<>();
            for (int j = 0; j < outLeaves.size(); j++) {
                Array yj = leafArray("jacrevTree", outLeaves.get(j));
                int m = (int) yj.size(), leaf = j;
                Array basis = Np.reshape(eye(m, yj), concat(new int[]{m}, yj.shape()));
                Object rows = Vmap.apply(args -> {
                    List<Object> cts = new java.util.ArrayList<>();
                    for (Object l : outLeaves) cts.add(Np.zerosLike((Array) l));
                    cts.set(leaf, args.get(0));
                    return v.apply((R) Tree.unflatten(out.def(), cts));
                }, "jacrev", List.of(0), 0, List.of(basis));
                perOutput.add(Tree.<Array, Object>map(r -> Np.reshape(r, concat(yj.shape(), java.util.Arrays.copyOfRange(r.shape(), 1, r.ndim()))), rows));
            }
            return (J) Tree.unflatten(out.def(), perOutput);
        };
    }

    /** {@code jax.hessian} over pytrees: {@code jacfwdTree(jacrevTree(f))}, a pytree of pytrees of the input's structure. */
    public static <A, R, J> Function1<A, J> hessianTree(Function1<A, R> f) { return jacfwdTree(jacrevTree(f)); }

    private static Array leafArray(String fn, Object leaf) {
        if (leaf instanceof Array a) {
            if (!a.dtype().isFloating()) throw new Jax4jException(fn + ": leaves must be float arrays, got " + a.aval().str());
            return a;
        }
        throw new Jax4jException(fn + ": every leaf must be an Array, got " + (leaf == null ? "null" : leaf.getClass().getSimpleName()));
    }

    /** JAX's {@code stop_gradient}: the value, with a zero derivative. */
    public static Array stopGradient(Array x) { return Lax.stopGradient(x); }

    // ---------------------------------------------------------------- helpers

    private static Array eye(int n, Array like) {
        double[] d = new double[n * n];
        for (int i = 0; i < n; i++) d[i * n + i] = 1;
        return Array.fromDoubles(like.dtype(), d, n, n);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static <A, R> Function<List<Array>, List<Array>> flatten1(Function1<A, R> f, Tree.Flat in, Object[] outDef) {
        return xs -> {
            List<Object> leaves = new ArrayList<>(in.leaves());
            int k = 0;
            for (int i = 0; i < leaves.size(); i++) if (leaves.get(i) instanceof Array) leaves.set(i, xs.get(k++));
            R out = f.apply(unchecked(Tree.unflatten(in.def(), leaves)));
            Tree.Flat of = Tree.flatten(out);
            outDef[0] = of;
            return Tree.leavesOfType(out, Array.class);
        };
    }

    private static Object rebuild(Tree.Flat def, List<Array> arrays) {
        List<Object> leaves = new ArrayList<>(def.leaves());
        int k = 0;
        for (int i = 0; i < leaves.size(); i++) if (leaves.get(i) instanceof Array) leaves.set(i, arrays.get(k++));
        if (k != arrays.size()) throw new Jax4jException("internal: " + arrays.size() + " arrays for " + k + " array leaves");
        return Tree.unflatten(def.def(), leaves);
    }

    private static List<Object> args(Object... a) { return java.util.Arrays.asList(a); }

    private static <A, B> Function<List<Object>, Object> list(Function2<A, B, ?> f) {
        return args -> f.apply(unchecked(args.get(0)), unchecked(args.get(1)));
    }

    private static <A, B, C> Function<List<Object>, Object> list(Function3<A, B, C, ?> f) {
        return args -> f.apply(unchecked(args.get(0)), unchecked(args.get(1)), unchecked(args.get(2)));
    }

    private static <A, B, C, D> Function<List<Object>, Object> list(Function4<A, B, C, D, ?> f) {
        return args -> f.apply(unchecked(args.get(0)), unchecked(args.get(1)), unchecked(args.get(2)), unchecked(args.get(3)));
    }

    @SuppressWarnings("unchecked")
    private static <T> T unchecked(Object o) { return (T) o; }

    /** The user's method that called the transformation (JAX uses the function's __name__). */
    private static String callerName() {
        return StackWalker.getInstance().walk(s -> s
                .filter(f -> !f.getClassName().startsWith("io.jax4j.autodiff.") && !f.getClassName().startsWith("io.jax4j.core."))
                .findFirst().map(StackWalker.StackFrame::getMethodName).orElse("fn"));
    }
}
