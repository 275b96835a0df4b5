package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.Lax;
import io.jax4j.Np;
import io.jax4j.Random;
import io.jax4j.autodiff.ControlFlow;
import io.jax4j.autodiff.Jax;
import io.jax4j.core.Jax4jException;
import io.jax4j.core.Vmap;
import io.jax4j.tree.Tree;
import io.vavr.Function2;
import io.vavr.Function3;
import io.vavr.Tuple;
import io.vavr.Tuple2;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Flax's lifted transforms, applied to one submodule call: the call becomes a pure function of the
 * submodule's variables (the collections the transform lifts) and rng streams, the JAX transformation
 * is applied to that function, and the collections it updates (params at init, {@code batch_stats}
 * with {@code mutable}) are written back into the submodule's scope. An automatically named submodule
 * is named as Flax names the lifted class ({@code CheckpointBlock_0}, {@code ScanBlock_0},
 * {@code VmapDense_0}, {@code JitDense_0}), so parameter trees and rng draws are Flax's.
 *
 * <pre>{@code
 * // h = nn.remat(nn.Dense)(features=512)(x)
 * Array h = Lift.remat(new Dense(512), d -> d.call(x));
 * // Stack = nn.scan(Block, variable_axes={'params': 0}, split_rngs={'params': True}, length=4)
 * // h, _ = Stack(d)(h, None)
 * Tuple2<Array, Object> r = Lift.scan(new Block(d), Lift.ScanOptions.of().variableAxes("params", 0).splitRngs("params", true).length(4),
 *         (b, c, unused) -> Tuple.of(b.call(c), List.of()), h, List.of());
 * }</pre>
 *
 * <p>As in Flax, a transform sees only the collections and rng streams its options name (scan's
 * {@code variableAxes}, {@code variableBroadcast}, {@code variableCarry}, {@code splitRngs}); a
 * stream it does not lift falls back to {@code params} where that one is lifted.
 */
public final class Lift {
    private Lift() {}

    // ---------------------------------------------------------------- remat

    /**
     * {@code nn.remat} ({@code nn.checkpoint}): the submodule's forward pass is recomputed in the
     * backward pass instead of storing its intermediates ({@link ControlFlow#checkpoint}); values and
     * gradients are those of the plain call of a module of the same name.
     */
    public static <M extends LinenModule, T> T remat(M module, Function<? super M, T> call) {
        Scope child = liftedChild(module, "Checkpoint");
        io.vavr.Function1<Variables, List<Object>> pure = vars -> {
            Scope root = child.liftedRoot(vars);
            T out = root.run(() -> call.apply(module));
            return List.of(out, root.mutableVariables(false));
        };
        List<Object> r = ControlFlow.checkpoint(pure).apply(child.subtree());
        child.writeBack((Variables) r.get(1));
        @SuppressWarnings("unchecked") T out = (T) r.get(0);
        return out;
    }

    // ---------------------------------------------------------------- scan

    /**
     * The options of {@code nn.scan}: per collection the axis its variables are stacked on
     * ({@code variable_axes}), collections shared by every step ({@code variable_broadcast}) or carried
     * from step to step ({@code variable_carry}), rng streams split per step or shared
     * ({@code split_rngs}), the axis of the scanned inputs and outputs, the length and the direction.
     */
    public record ScanOptions(Map<String, Integer> variableAxes, Set<String> variableBroadcast, Set<String> variableCarry,
                              Map<String, Boolean> splitRngs, int inAxis, int outAxis, Integer length, boolean reverse) {
        public ScanOptions {
            variableAxes = Collections.unmodifiableMap(new LinkedHashMap<>(variableAxes));
            variableBroadcast = Collections.unmodifiableSet(new LinkedHashSet<>(variableBroadcast));
            variableCarry = Collections.unmodifiableSet(new LinkedHashSet<>(variableCarry));
            splitRngs = Collections.unmodifiableMap(new LinkedHashMap<>(splitRngs));
            checkDisjoint("nn.scan", variableAxes.keySet(), variableBroadcast, variableCarry);
            if (length != null && length < 0) throw new Jax4jException("nn.scan: length must be non-negative, got " + length);
        }

        /** Flax's defaults: no collection lifted, no rng stream lifted, axis 0 in and out. */
        public static ScanOptions of() { return new ScanOptions(Map.of(), Set.of(), Set.of(), Map.of(), 0, 0, null, false); }

        /** {@code variable_axes={collection: axis}}: one slice of the collection's variables per step. */
        public ScanOptions variableAxes(String collection, int axis) {
            return new ScanOptions(with(variableAxes, collection, axis), variableBroadcast, variableCarry, splitRngs, inAxis, outAxis, length, reverse);
        }

        /** {@code variable_broadcast=collections}: the same variables in every step (created once at init). */
        public ScanOptions variableBroadcast(String... collections) {
            return new ScanOptions(variableAxes, Set.of(collections), variableCarry, splitRngs, inAxis, outAxis, length, reverse);
        }

        /** {@code variable_carry=collections}: variables passed from each step to the next. */
        public ScanOptions variableCarry(String... collections) {
            return new ScanOptions(variableAxes, variableBroadcast, Set.of(collections), splitRngs, inAxis, outAxis, length, reverse);
        }

        /** {@code split_rngs={stream: split}}: a different key per step, or the same stream in every step. */
        public ScanOptions splitRngs(String stream, boolean split) {
            return new ScanOptions(variableAxes, variableBroadcast, variableCarry, with(splitRngs, stream, split), inAxis, outAxis, length, reverse);
        }

        /** {@code in_axes}: the axis of every leaf of the scanned input that steps run along. */
        public ScanOptions inAxis(int axis) { return new ScanOptions(variableAxes, variableBroadcast, variableCarry, splitRngs, axis, outAxis, length, reverse); }

        /** {@code out_axes}: the axis the per-step outputs are stacked on. */
        public ScanOptions outAxis(int axis) { return new ScanOptions(variableAxes, variableBroadcast, variableCarry, splitRngs, inAxis, axis, length, reverse); }

        /** {@code length}: the number of steps (required when nothing is scanned over). */
        public ScanOptions length(int n) { return new ScanOptions(variableAxes, variableBroadcast, variableCarry, splitRngs, inAxis, outAxis, n, reverse); }

        /** {@code reverse}: steps from the last slice to the first. */
        public ScanOptions reverse(boolean r) { return new ScanOptions(variableAxes, variableBroadcast, variableCarry, splitRngs, inAxis, outAxis, length, r); }
    }

    /**
     * {@code nn.scan(Target, ...)(carry, xs)}: {@code call(module, carry, x) -> (carry, y)} run once per
     * slice of {@code xs} along {@link ScanOptions#inAxis} (a {@code lax.scan}: the step is traced once),
     * each step with its slice of the {@code variableAxes} collections and its own keys of the split
     * rng streams. Returns the final carry and the per-step outputs stacked on {@link ScanOptions#outAxis}.
     * At init the stacked variables come out of the loop (with {@code splitRngs("params", true)} every
     * step is initialised differently); broadcast collections are made by one step run outside it.
     */
    public static <M extends LinenModule, C, X, Y> Tuple2<C, Y> scan(M module, ScanOptions options, Function3<? super M, C, X, Tuple2<C, Y>> call, C init,
                                                                 X xs) {
        Scope child = liftedChild(module, "Scan");
        String where = "nn.scan(" + module.getClass().getSimpleName() + ") at " + child.pathText();
        Object steps = options.inAxis() == 0 ? xs : mapArrays(x -> Np.moveaxis(x, options.inAxis(), 0), xs);
        int n = scanLength(where, steps, options.length());

        Variables vars = child.subtree();
        Map<String, Object> scanned = new LinkedHashMap<>(), broadcast = new LinkedHashMap<>(), carried = new LinkedHashMap<>();
        for (var e : vars.entrySet()) {
            String col = e.getKey();
            Integer axis = options.variableAxes().get(col);
            if (axis != null) scanned.put(col, axis == 0 ? e.getValue() : mapArrays(x -> Np.moveaxis(x, axis, 0), e.getValue()));
            else if (options.variableBroadcast().contains(col)) broadcast.put(col, e.getValue());
            else if (options.variableCarry().contains(col)) carried.put(col, e.getValue());
        }
        Streams streams = Streams.split(child, options.splitRngs(), n);

        Step<M, C, X, Y> step = new Step<>(module, child, call, where);
        if (child.isInitializing() && !options.variableBroadcast().isEmpty() && n > 0) {
            // Flax computes the broadcast collections outside the loop (they may depend on the broadcast
            // inputs only): one step on the first slice makes them; its other results are dropped
            @SuppressWarnings("unchecked") X first = (X) slice(steps, 0);
            Variables made = step.run(merge(broadcast, carried, slice(scanned, 0)), streams.at(0), init, first).variables();
            for (String col : options.variableBroadcast()) if (made.containsKey(col)) broadcast.put(col, made.get(col));
        }
        Map<String, Object> broadcastIn = Map.copyOf(broadcast);
        Tuple2<Tuple2<Map<String, Object>, C>, Tuple2<Map<String, Object>, Y>> r = ControlFlow.scan(
                (Tuple2<Map<String, Object>, C> carry, List<Object> x) -> {
                    @SuppressWarnings("unchecked") Map<String, Object> slices = (Map<String, Object>) x.get(0);
                    @SuppressWarnings("unchecked") Map<String, Array> keys = (Map<String, Array>) x.get(1);
                    @SuppressWarnings("unchecked") X xi = (X) x.get(2);
                    Outcome<C, Y> o = step.run(merge(broadcastIn, carry._1, slices), streams.with(keys), carry._2, xi);
                    Map<String, Object> carryOut = new LinkedHashMap<>(carry._1), scanOut = new LinkedHashMap<>();
                    for (var e : o.variables().entrySet()) {
                        String col = e.getKey();
                        if (options.variableAxes().containsKey(col)) scanOut.put(col, e.getValue());
                        else if (options.variableCarry().contains(col)) carryOut.put(col, e.getValue());
                        else if (options.variableBroadcast().contains(col)) checkUnchanged(where, col, broadcastIn.get(col), e.getValue());
                        else throw unmapped(where, col, "variableAxes, variableBroadcast or variableCarry");
                    }
                    return Tuple.of(Tuple.of(carryOut, o.value()._1), Tuple.of(scanOut, o.value()._2));
                }, Tuple.of(carried, init), java.util.Arrays.asList(scanned, streams.splitKeys(), steps), options.length(), options.reverse());

        Map<String, Object> updates = new LinkedHashMap<>(broadcast);
        updates.putAll(r._1._1);
        for (var e : r._2._1.entrySet()) {
            int axis = options.variableAxes().get(e.getKey());
            updates.put(e.getKey(), axis == 0 ? e.getValue() : mapArrays(x -> Np.moveaxis(x, 0, axis), e.getValue()));
        }
        child.writeBack(Variables.copyOf(updates));
        Y ys = options.outAxis() == 0 ? r._2._2 : mapArrays(y -> Np.moveaxis(y, 0, options.outAxis()), r._2._2);
        return Tuple.of(r._1._2, ys);
    }

    // ---------------------------------------------------------------- vmap

    /**
     * The options of {@code nn.vmap}: per collection the axis its variables are mapped on, or
     * {@code null} for variables shared by every entry ({@code variable_axes}), rng streams split per
     * entry or shared ({@code split_rngs}), the axes of the input and output ({@code in_axes},
     * {@code out_axes}: an axis, {@code null}, or a pytree prefix of them as {@code Jax.vmap} takes),
     * {@code axis_size} and {@code axis_name} (for collectives inside, e.g. BatchNorm's {@code axisName}).
     */
    public record VmapOptions(Map<String, Integer> variableAxes, Map<String, Boolean> splitRngs, Object inAxes, Object outAxes, Integer axisSize,
                              String axisName) {
        public VmapOptions {
            variableAxes = Collections.unmodifiableMap(new LinkedHashMap<>(variableAxes));
            splitRngs = Collections.unmodifiableMap(new LinkedHashMap<>(splitRngs));
        }

        /** Flax's defaults: no collection or rng stream lifted, axis 0 in and out. */
        public static VmapOptions of() { return new VmapOptions(Map.of(), Map.of(), 0, 0, null, null); }

        /** {@code variable_axes={collection: axis}}; {@code null} shares the collection across entries. */
        public VmapOptions variableAxes(String collection, Integer axis) {
            return new VmapOptions(with(variableAxes, collection, axis), splitRngs, inAxes, outAxes, axisSize, axisName);
        }

        /** {@code split_rngs={stream: split}}. */
        public VmapOptions splitRngs(String stream, boolean split) {
            return new VmapOptions(variableAxes, with(splitRngs, stream, split), inAxes, outAxes, axisSize, axisName);
        }

        public VmapOptions inAxes(Object axes) { return new VmapOptions(variableAxes, splitRngs, axes, outAxes, axisSize, axisName); }

        public VmapOptions outAxes(Object axes) { return new VmapOptions(variableAxes, splitRngs, inAxes, axes, axisSize, axisName); }

        public VmapOptions axisSize(int n) { return new VmapOptions(variableAxes, splitRngs, inAxes, outAxes, n, axisName); }

        public VmapOptions axisName(String name) { return new VmapOptions(variableAxes, splitRngs, inAxes, outAxes, axisSize, name); }
    }

    /**
     * {@code nn.vmap(Target, ...)(x)}: {@code call(module, x)} mapped over {@link VmapOptions#inAxes}
     * of {@code x}, each entry with its slice of the mapped collections (stacked at init, when
     * {@code splitRngs("params", true)} initialises every entry differently) and its own keys of the
     * split rng streams.
     */
    public static <M extends LinenModule, X, Y> Y vmap(M module, VmapOptions options, Function2<? super M, X, Y> call, X x) {
        Scope child = liftedChild(module, "Vmap");
        String where = "nn.vmap(" + module.getClass().getSimpleName() + ") at " + child.pathText();
        Variables vars = child.subtree();
        List<String> cols = List.copyOf(options.variableAxes().keySet());
        int n = vmapSize(where, options, vars, x);
        Streams streams = Streams.split(child, options.splitRngs(), n);

        List<Object> args = new ArrayList<>();
        List<Object> inAxes = new ArrayList<>(), outAxes = new ArrayList<>();
        for (String col : cols) {
            args.add(vars.containsKey(col) ? vars.get(col) : Dict.of());
            inAxes.add(options.variableAxes().get(col));
            outAxes.add(options.variableAxes().get(col));
        }
        args.add(streams.splitKeys());
        inAxes.add(0);
        args.add(x);
        inAxes.add(options.inAxes());
        outAxes.add(0, options.outAxes());
        @SuppressWarnings("unchecked") List<Object> out = (List<Object>) Vmap.applyTrees(a -> {
            Map<String, Object> in = new LinkedHashMap<>();
            for (int i = 0; i < cols.size(); i++) if (vars.containsKey(cols.get(i))) in.put(cols.get(i), a.get(i));
            @SuppressWarnings("unchecked") Map<String, Array> keys = (Map<String, Array>) a.get(cols.size());
            @SuppressWarnings("unchecked") X xi = (X) a.get(cols.size() + 1);
            Scope root = child.liftedRoot(Variables.copyOf(in), streams.with(keys));
            Y y = root.run(() -> call.apply(module, xi));
            Variables updated = root.mutableVariables(false);
            for (String col : updated.keySet()) if (!cols.contains(col)) throw unmapped(where, col, "variableAxes");
            List<Object> result = new ArrayList<>();
            result.add(y);
            for (String col : cols) result.add(updated.containsKey(col) ? updated.get(col) : Dict.of());
            return result;
        }, where, inAxes, outAxes, args, options.axisName());

        Map<String, Object> updates = new LinkedHashMap<>();
        for (int i = 0; i < cols.size(); i++) {
            Object v = out.get(i + 1);
            if (!(v instanceof Map<?, ?> m && m.isEmpty()) || vars.containsKey(cols.get(i))) updates.put(cols.get(i), v);
        }
        child.writeBack(Variables.copyOf(updates));
        @SuppressWarnings("unchecked") Y y = (Y) out.get(0);
        return y;
    }

    // ---------------------------------------------------------------- jit

    private record JitKey(Scope.Lifting lifting, Object call, Map<String, List<Object>> streams) {}

    private static final Map<JitKey, io.vavr.Function3<Variables, Map<String, Array>, Object, List<Object>>> JITTED = new ConcurrentHashMap<>();

    /**
     * {@code nn.jit(Target)(x)}: the submodule's call compiled once per module, call, argument shapes
     * and mutable collections, as a function of its variables, rng keys and {@code x}. The call must
     * not capture values (pass them in {@code x}): a captured array would be compiled in as a constant.
     */
    public static <M extends LinenModule, X, Y> Y jit(M module, Function2<? super M, X, Y> call, X x) {
        if (call.getClass().getDeclaredFields().length > 0) {
            throw new Jax4jException("nn.jit(" + module.getClass().getSimpleName() + "): the call captures values from its surroundings; "
                    + "pass them through the argument instead (Lift.jit(module, (m, x) -> m.call(x), x)), as jit compiles a captured array in as a constant");
        }
        Scope child = liftedChild(module, "Jit");
        Map<String, Array> keys = new LinkedHashMap<>();
        Map<String, List<Object>> suffixes = new LinkedHashMap<>();
        for (var e : child.rngStreams().entrySet()) {
            keys.put(e.getKey(), e.getValue().key());
            suffixes.put(e.getKey(), e.getValue().suffix());
        }
        JitKey key = new JitKey(child.lifting(), call, suffixes);
        var jitted = JITTED.computeIfAbsent(key, k -> Jax.jit((Variables vars, Map<String, Array> ks, Object arg) -> {
            Map<String, RngStream> inner = new LinkedHashMap<>();
            for (var e : k.streams().entrySet()) inner.put(e.getKey(), new RngStream(ks.get(e.getKey()), e.getValue()));
            Scope root = k.lifting().root(vars, inner);
            @SuppressWarnings("unchecked") Object y = root.run(() -> call.apply(module, (X) arg));
            return List.of(y, root.mutableVariables(false));
        }));
        List<Object> r = jitted.apply(child.subtree(), keys, x);
        child.writeBack((Variables) r.get(1));
        @SuppressWarnings("unchecked") Y y = (Y) r.get(0);
        return y;
    }

    // ---------------------------------------------------------------- the parts

    /** The scope a lifted call runs in: the submodule's own, named as Flax names the lifted class. */
    private static Scope liftedChild(LinenModule module, String transform) {
        Scope parent = Scope.current();
        return parent.childFor(module, LinenModule.ModuleNames.nameIn(parent.module, module), transform);
    }

    /** The result of one lifted call: its value and the collections it made or updated. */
    private record Outcome<C, Y>(Tuple2<C, Y> value, Variables variables) {}

    /** One step of a lifted scan: the module's call in a root scope over the step's variables and streams. */
    private record Step<M extends LinenModule, C, X, Y>(M module, Scope child, Function3<? super M, C, X, Tuple2<C, Y>> call, String where) {
        Outcome<C, Y> run(Map<String, Object> vars, Map<String, RngStream> rngs, C carry, X x) {
            Scope root = child.liftedRoot(Variables.copyOf(vars), rngs);
            Tuple2<C, Y> r = root.run(() -> call.apply(module, carry, x));
            if (r == null) throw new Jax4jException(where + ": the call must return Tuple.of(carry, y), got null");
            return new Outcome<>(r, root.mutableVariables(false));
        }
    }

    /**
     * The rng streams a transform lifts ({@code split_rngs}): the split ones as {@code [n, 2]} keys
     * (Flax splits the stream's key and keeps its suffix), the others as they are.
     */
    private record Streams(Map<String, RngStream> shared, Map<String, Array> splitKeys, Map<String, List<Object>> suffixes) {
        static Streams split(Scope scope, Map<String, Boolean> splitRngs, int n) {
            Map<String, RngStream> shared = new LinkedHashMap<>();
            Map<String, Array> keys = new LinkedHashMap<>();
            Map<String, List<Object>> suffixes = new LinkedHashMap<>();
            for (var e : scope.rngStreams().entrySet()) {
                Boolean split = splitRngs.get(e.getKey());
                if (split == null) continue;
                if (split) {
                    keys.put(e.getKey(), Random.split(Random.clone(e.getValue().key()), n));
                    suffixes.put(e.getKey(), e.getValue().suffix());
                } else shared.put(e.getKey(), e.getValue());
            }
            return new Streams(shared, keys, suffixes);
        }

        /** The streams of one step or entry, given its keys of the split streams. */
        Map<String, RngStream> with(Map<String, Array> keys) {
            Map<String, RngStream> out = new LinkedHashMap<>(shared);
            for (var e : keys.entrySet()) out.put(e.getKey(), new RngStream(e.getValue(), suffixes.get(e.getKey())));
            return out;
        }

        Map<String, RngStream> at(int i) {
            Map<String, Array> keys = new LinkedHashMap<>();
            for (var e : splitKeys.entrySet()) keys.put(e.getKey(), slice(e.getValue(), 0, i));
            return with(keys);
        }
    }

    private static int scanLength(String where, Object steps, Integer length) {
        Set<Integer> lengths = new LinkedHashSet<>();
        for (Array a : Tree.leavesOfType(steps, Array.class)) {
            if (a.ndim() == 0) throw new Jax4jException(where + ": a scanned input is a scalar " + a.aval().str() + "; it needs the axis steps run along");
            lengths.add(a.dim(0));
        }
        if (lengths.size() > 1) throw new Jax4jException(where + ": inconsistent scan lengths " + lengths + " among the scanned inputs");
        if (lengths.isEmpty()) {
            if (length == null) throw new Jax4jException(where + ": nothing is scanned over; give the number of steps with ScanOptions.length(n)");
            return length;
        }
        int n = lengths.iterator().next();
        if (length != null && length != n) throw new Jax4jException(where + ": length " + length + " but the scanned inputs have " + n + " slices");
        return n;
    }

    private static int vmapSize(String where, VmapOptions o, Variables vars, Object x) {
        Set<Integer> sizes = new LinkedHashSet<>();
        if (o.inAxes() instanceof Integer axis) {
            for (Array a : Tree.leavesOfType(x, Array.class)) sizes.add(a.dim(axis));
        }
        for (var e : o.variableAxes().entrySet()) {
            if (e.getValue() == null || !vars.containsKey(e.getKey())) continue;
            for (Array a : Tree.leavesOfType(vars.get(e.getKey()), Array.class)) sizes.add(a.dim(e.getValue()));
        }
        if (o.axisSize() != null) sizes.add(o.axisSize());
        if (sizes.size() > 1) throw new Jax4jException(where + ": inconsistent batch axis sizes " + sizes + " among the inputs and variables");
        if (sizes.isEmpty()) {
            throw new Jax4jException(where + ": the batch size is not known from the inputs; give it with VmapOptions.axisSize(n)");
        }
        return sizes.iterator().next();
    }

    private static void checkUnchanged(String where, String col, Object before, Object after) {
        List<Array> a = Tree.leavesOfType(before, Array.class), b = Tree.leavesOfType(after, Array.class);
        boolean same = a.size() == b.size();
        for (int i = 0; same && i < a.size(); i++) same = a.get(i) == b.get(i);
        if (!same) {
            throw new Jax4jException(where + ": the step updates the collection '" + col + "', which variableBroadcast shares by every step; "
                    + "give it an axis (variableAxes) or carry it from step to step (variableCarry)");
        }
    }

    private static Jax4jException unmapped(String where, String col, String options) {
        return new Jax4jException(where + ": the call writes the collection '" + col + "', which the transform does not lift; name it in " + options
                + " (Flax: unmapped output variables)");
    }

    @SafeVarargs
    private static Map<String, Object> merge(Map<String, Object>... parts) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map<String, Object> p : parts) out.putAll(p);
        return out;
    }

    private static void checkDisjoint(String fn, Set<String> axes, Set<String> broadcast, Set<String> carry) {
        for (String c : axes) {
            if (broadcast.contains(c) || carry.contains(c)) throw new Jax4jException(fn + ": the collection '" + c + "' is given two roles");
        }
        for (String c : broadcast) if (carry.contains(c)) throw new Jax4jException(fn + ": the collection '" + c + "' is given two roles");
    }

    private static <V> Map<String, V> with(Map<String, V> m, String k, V v) {
        Map<String, V> out = new LinkedHashMap<>(m);
        out.put(k, v);
        return out;
    }

    @SuppressWarnings("unchecked")
    private static <T> T mapArrays(Function<Array, Array> f, T tree) { return (T) Tree.mapLeavesOfType(Array.class, f, tree); }

    /** Slice {@code i} of the leading axis of every array leaf. */
    private static <T> T slice(T tree, int i) { return mapArrays(a -> slice(a, 0, i), tree); }

    private static Array slice(Array a, int axis, int i) { return Np.squeeze(Lax.sliceInDim(a, i, i + 1, 1, axis), axis); }
}
