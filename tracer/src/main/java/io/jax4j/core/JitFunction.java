package io.jax4j.core;

import io.jax4j.Array;
import io.jax4j.ShapedArray;
import io.jax4j.ir.ClosedJaxpr;
import io.jax4j.ir.Jaxpr;
import io.jax4j.prims.CallPrimitives;
import io.jax4j.tree.Tree;
import io.jax4j.tree.TreeDef;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The jit front end: a function of pytree arguments, traced once per {@link JitKey} into a jaxpr
 * and run as a {@code pjit} call (compiled by the current backend when evaluated eagerly, inlined by
 * transformations, nested when staged). Array leaves are traced; every other leaf is static and part
 * of the key, compared with {@code equals}. {@code JAX4J_DEBUG=1} prints each cache miss and why.
 */
public final class JitFunction {
    /** The cache key: input structure, avals of the array leaves, values of the static leaves. */
    public record JitKey(TreeDef treedef, List<ShapedArray> avals, List<Object> statics) {}

    /** A traced function: its jaxpr (consts first among its inputs), its consts and output structure. */
    public record Traced(ClosedJaxpr closed, CallPrimitives.JitParams params, TreeDef outTree,
                         boolean[] outIsArray, List<Object> outStatics) {}

    private final Function<List<Object>, Object> fn;
    private final String name;
    private final Set<Integer> donateArgnums;
    private final Map<JitKey, Traced> cache = new ConcurrentHashMap<>();
    /** The last call's entry: a loop calling with one structure compares its key instead of hashing it (dispatch, W6). */
    private volatile Last last;

    private record Last(JitKey key, Traced traced) {}
    private volatile int traceCount;

    public JitFunction(Function<List<Object>, Object> fn, String name, Set<Integer> donateArgnums) {
        this.fn = fn;
        this.name = name;
        this.donateArgnums = Set.copyOf(donateArgnums);
    }

    public String name() { return name; }

    /** How many times the function has been traced (for tests of caching). */
    public int traceCount() { return traceCount; }

    public int cacheSize() { return cache.size(); }

    /** The traced program these arguments run (traced now if they were never seen): for passes over it, such as sharding propagation. */
    public Traced tracedFor(List<Object> args) {
        Tree.Flat flat = Tree.flatten(args);
        List<ShapedArray> avals = new ArrayList<>();
        List<Object> statics = new ArrayList<>();
        for (Object leaf : flat.leaves()) {
            if (leaf instanceof Array a) avals.add(a.aval());
            else statics.add(leaf);
        }
        Traced t = cache.get(new JitKey(flat.def(), avals, statics));
        return t != null ? t : trace(args, flat.def(), flat.leaves());
    }

    public Object call(List<Object> args) {
        Tree.Flat flat = Tree.flatten(args);
        List<Object> leaves = flat.leaves();
        List<Array> dynamic = new ArrayList<>();
        List<ShapedArray> avals = new ArrayList<>();
        List<Object> statics = new ArrayList<>();
        for (Object leaf : leaves) {
            if (leaf instanceof Array a) {
                dynamic.add(a);
                avals.add(a.aval());
            } else statics.add(leaf);
        }
        JitKey key = new JitKey(flat.def(), avals, statics);
        Last last = this.last;
        Traced traced;
        if (last != null && last.key().equals(key)) {
            traced = last.traced();
        } else {
            traced = cache.get(key);
            if (traced == null) {
                Debug.cacheMiss(this, key, cache.keySet(), args);
                traced = trace(args, flat.def(), leaves);
                if (traced.closed().consts().forAll(c -> !(c instanceof Tracer))) cache.put(key, traced);
            }
            if (cache.get(key) == traced) this.last = new Last(key, traced);
        }
        List<Array> inputs = new ArrayList<>(traced.closed().consts().size() + dynamic.size());
        inputs.addAll(traced.closed().consts().toJavaList());
        inputs.addAll(dynamic);
        boolean eager = Trace.current() instanceof EvalTrace;
        Traced t = traced;
        List<Array> before = eager && DebugNans.enabled() ? DebugNans.beforeCall(inputs, !donateArgnums.isEmpty()) : null;
        List<Array> outs = !eager ? CallPrimitives.PJIT.bind(traced.params(), inputs)
                : before != null ? DebugNans.runJitted(() -> runEagerly(t, inputs)) : runEagerly(traced, inputs);
        if (before != null) DebugNans.checkJitted(name, traced.closed(), before, outs);
        if (eager && !donateArgnums.isEmpty()) outs = donate(args, outs);
        return rebuild(traced, outs);
    }

    /**
     * An eager call runs the executable straight away: the cache key already matched the inputs' avals,
     * so binding pjit (which checks them again) is only needed for inputs that are not concrete arrays
     * (an escaped tracer, whose error the eager trace reports).
     */
    private static List<Array> runEagerly(Traced traced, List<Array> inputs) {
        List<ArrayImpl> concrete = new ArrayList<>(inputs.size());
        for (Array a : inputs) {
            if (!(a instanceof ArrayImpl c)) return CallPrimitives.PJIT.bind(traced.params(), inputs);
            concrete.add(c);
        }
        return traced.params().execute(concrete);
    }

    /**
     * Deletes the donated arguments' arrays. One a backend returned as an output unchanged (an input
     * passed through, e.g. a train state's dropout key) moves its buffer to a new array that is
     * returned instead: the donated one is dead either way, the output lives.
     */
    private List<Array> donate(List<Object> args, List<Array> outs) {
        String reason = "donation to jit(" + name + ")";
        java.util.IdentityHashMap<Array, Array> moved = new java.util.IdentityHashMap<>();
        List<Array> result = new ArrayList<>(outs);
        java.util.Set<Array> donated = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (int i : donateArgnums) {
            if (i < args.size()) for (Object leaf : Tree.flatten(args.get(i)).leaves()) if (leaf instanceof ArrayImpl a) donated.add(a);
        }
        for (int k = 0; k < result.size(); k++) {
            Array o = result.get(k);
            if (donated.contains(o)) result.set(k, moved.computeIfAbsent(o, a -> ((ArrayImpl) a).moveTo(a.aval(), reason)));
        }
        for (Array a : donated) ((ArrayImpl) a).delete(reason);
        return result;
    }

    private static Object rebuild(Traced t, List<Array> outs) {
        List<Object> leaves = new ArrayList<>(t.outIsArray().length);
        int a = 0, s = 0;
        for (boolean isArray : t.outIsArray()) leaves.add(isArray ? outs.get(a++) : t.outStatics().get(s++));
        return Tree.unflatten(t.outTree(), leaves);
    }

    /** Traces the function on abstract inputs of the avals of {@code leaves} (statics kept). */
    public Traced trace(List<Object> args, TreeDef def, List<Object> leaves) {
        traceCount++;
        StagingTrace trace = new StagingTrace("jit(" + name + ")");
        List<Object> abstractLeaves = new ArrayList<>(leaves.size());
        for (Object leaf : leaves) abstractLeaves.add(leaf instanceof Array a ? trace.newArg(a.aval()) : leaf);
        @SuppressWarnings("unchecked")
        List<Object> abstractArgs = (List<Object>) Tree.unflatten(def, abstractLeaves);
        Object out = trace.run(() -> fn.apply(abstractArgs));
        Tree.Flat outFlat = Tree.flatten(out);
        List<Array> outArrays = new ArrayList<>();
        List<Object> outStatics = new ArrayList<>();
        boolean[] isArray = new boolean[outFlat.leaves().size()];
        for (int i = 0; i < isArray.length; i++) {
            Object leaf = outFlat.leaves().get(i);
            isArray[i] = leaf instanceof Array;
            if (isArray[i]) outArrays.add((Array) leaf);
            else outStatics.add(leaf);
        }
        ClosedJaxpr closed = trace.build(outArrays);
        Jaxpr callee = closed.jaxpr().constvarsAsInvars();
        boolean[] donated = new boolean[callee.invars().size()];
        int pos = closed.consts().size();
        for (int argIndex = 0; argIndex < args.size(); argIndex++) {
            int n = 0;
            for (Object leaf : Tree.flatten(args.get(argIndex)).leaves()) if (leaf instanceof Array) n++;
            for (int k = 0; k < n; k++) donated[pos + k] = donateArgnums.contains(argIndex);
            pos += n;
        }
        Debug.traced(this, closed);
        return new Traced(closed, new CallPrimitives.JitParams(callee, name, donated), outFlat.def(), isArray, outStatics);
    }
}
