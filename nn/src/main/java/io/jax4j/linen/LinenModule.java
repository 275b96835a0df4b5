package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Init;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A Flax linen module ({@code flax.linen.Module}): a value of hyper-parameters (usually a record) with
 * call methods. Named {@code LinenModule} rather than {@code Module} so that {@code import
 * io.jax4j.linen.*;} does not collide with {@code java.lang.Module}, which every Java file imports
 * implicitly (two on-demand imports of one simple name make it ambiguous). Inside a call,
 * {@link #compact} gives the module its scope: submodules called inside it are named after the record
 * component that holds them ({@code vision_model}), or {@link #name()}, or automatically in call
 * order ({@code Dense_0}, {@code BatchNorm_0}), exactly as Flax compact modules name them.
 *
 * <pre>{@code
 * record MLP() implements LinenModule {
 *   Array call(Array x, boolean train) {
 *     return compact(() -> {
 *       var h = new Dense(4).call(x);
 *       h = BatchNorm.builder().useRunningAverage(!train).build().call(h);
 *       return new Dense(1).call(Nn.relu(h));
 *     });
 *   }
 * }
 * var mlp = new MLP();
 * Variables variables = mlp.init(Random.key(0), () -> mlp.call(Array.ones(1, 3), false));
 * Applied<Array> out = mlp.apply(variables, () -> mlp.call(x, true), Apply.mutable("batch_stats"));
 * }</pre>
 */
public interface LinenModule {

    /** An explicit name for this module in its parent's scope; {@code null} for automatic naming. */
    default String name() { return null; }

    // ---------------------------------------------------------------- scoping

    /** Runs {@code body} in this module's scope (entering a child scope when called as a submodule). */
    default <T> T compact(Supplier<T> body) {
        Scope current = Scope.current();
        Scope target = current.module == this ? current : current.childFor(this, ModuleNames.nameIn(current.module, this));
        int row = Tabulate.enter(target, this);
        T out = target.runCompact(body);
        Tabulate.exit(row, out);
        return out;
    }

    // ---------------------------------------------------------------- variables

    /** A float32 parameter created by {@code init(makeRng("params"), shape)} on init, shape-checked on apply. */
    default Array param(String name, Init.Initializer init, int... shape) { return param(name, init, shape, DType.F32); }

    default Array param(String name, Init.Initializer init, int[] shape, DType dtype) {
        Scope s = Scope.current();
        s.reserveVariable("params", name);
        if (s.hasVariable("params", name)) {
            Object v = s.getVariable("params", name);
            if (v instanceof Array a && !Arrays.equals(a.shape(), shape)) {
                throw new ModuleErrors.ScopeParamShapeError(name, s.pathText(), shape, a.shape());
            }
            return (Array) v;
        }
        if (!s.isMutableCollection("params")) {
            if (s.getVariable("params", name) == null && isCollectionEmpty(s, "params")) {
                throw new ModuleErrors.ScopeCollectionNotFound("params", name, s.pathText());
            }
            throw new ModuleErrors.ScopeParamNotFoundError(name, s.pathText());
        }
        Array value = init.apply(s.makeRng("params"), shape, dtype);
        s.putVariable("params", name, value);
        return value;
    }

    /** A parameter of any pytree type made by {@code init(key)} (no shape check). */
    default <T> T param(String name, Function<Array, T> init) {
        Scope s = Scope.current();
        s.reserveVariable("params", name);
        if (s.hasVariable("params", name)) {
            @SuppressWarnings("unchecked") T v = (T) s.getVariable("params", name);
            return v;
        }
        if (!s.isMutableCollection("params")) throw new ModuleErrors.ScopeParamNotFoundError(name, s.pathText());
        T value = init.apply(s.makeRng("params"));
        s.putVariable("params", name, value);
        return value;
    }

    /** A variable of another collection ({@code batch_stats}, ...), initialised lazily when absent and mutable. */
    default VariableRef variable(String collection, String name, Supplier<Array> init) {
        Scope s = Scope.current();
        s.reserveVariable(collection, name);
        if (!s.hasVariable(collection, name)) {
            if (!s.isMutableCollection(collection)) {
                if (isCollectionEmpty(s, collection)) throw new ModuleErrors.ScopeCollectionNotFound(collection, name, s.pathText());
                throw new ModuleErrors.ScopeParamNotFoundError(name, s.pathText());
            }
            s.putVariable(collection, name, init.get());
        }
        return new VariableRef(s, collection, name);
    }

    /** Whether a variable exists in this module's scope. */
    default boolean hasVariable(String collection, String name) { return Scope.current().hasVariable(collection, name); }

    /** A fresh key from the named rng stream ({@code dropout}, ...). */
    default Array makeRng(String stream) { return Scope.current().makeRng(stream); }

    default boolean hasRng(String stream) { return Scope.current().hasRng(stream); }

    default boolean isInitializing() { return Scope.current().isInitializing(); }

    default boolean isMutableCollection(String collection) { return Scope.current().isMutableCollection(collection); }

    /** Flax's {@code sow}: appends {@code value} to a tuple in {@code collection} when it is mutable. */
    default boolean sow(String collection, String name, Object value) {
        Scope s = Scope.current();
        if (!s.isMutableCollection(collection)) return false;
        Object prev = s.getVariable(collection, name);
        java.util.ArrayList<Object> l = new java.util.ArrayList<>();
        if (prev instanceof List<?> p) l.addAll(p);
        l.add(value);
        s.putVariable(collection, name, List.copyOf(l));
        return true;
    }

    private static boolean isCollectionEmpty(Scope s, String col) { return s.isCollectionEmpty(col); }

    // ---------------------------------------------------------------- init, apply, bind

    /** {@code module.init(key, ...)}: all variables created by the call, params from the {@code params} stream. */
    default Variables init(Array key, Supplier<?> call) { return init(Map.of("params", key), call); }

    /** Init with several named rng streams ({@code params}, {@code dropout}, ...). */
    default Variables init(Map<String, Array> rngs, Supplier<?> call) { return initWithOutput(rngs, call).updates(); }

    default <T> Applied<T> initWithOutput(Map<String, Array> rngs, Supplier<T> call) {
        Scope root = Apply.rootScope(this, Variables.empty(), rngs, java.util.Set.of(), true, true);
        T out = root.run(call);
        return new Applied<>(out, root.mutableVariables(true));
    }

    /**
     * {@code module.apply(variables, ..., mutable=[...], rngs={...})}: the call's value and, for the
     * mutable collections, their updated values. Writing an immutable collection is an error.
     * A pure function of its arguments: concurrent calls (on any threads) do not interfere, each
     * has its own scope.
     */
    default <T> Applied<T> apply(Map<String, ?> variables, Supplier<T> call, Apply... options) {
        Apply opts = Apply.combine(options);
        Variables vars = variables instanceof Variables v ? v : Variables.copyOf(variables);
        if (vars.get("params").get("params") instanceof Map<?, ?>) {
            throw new ModuleErrors.ApplyScopeInvalidVariablesStructureError();
        }
        Scope root = Apply.rootScope(this, vars, opts.rngs(), opts.mutable(), opts.allMutable(), false);
        T out = root.run(call);
        return new Applied<>(out, root.mutableVariables(false));
    }

    /**
     * Flax's {@code module.init(key, *args)}: the variables made by calling this module's {@code call}
     * method with {@code args} (found by name and argument types; {@link Apply} values among them are
     * options). {@code init(key, () -> m.call(x))} chooses an overload explicitly.
     */
    default Variables init(Array key, Object... args) { return init(Map.of("params", key), args); }

    /** Flax's {@code module.init(rngs, *args)} with several named rng streams. */
    default Variables init(Map<String, Array> rngs, Object... args) {
        ReflectiveCall.Split s = ReflectiveCall.split(args);
        return init(rngs, () -> ReflectiveCall.call(this, "call", s.args()));
    }

    /**
     * Flax's {@code module.apply(variables, *args, mutable=..., rngs=...)}: calls this module's
     * {@code call} method with {@code args}; {@link Apply} values among them are the options
     * ({@code model.apply(v, x, true, Apply.mutable("batch_stats"))}). Declare the output type at the
     * call site: {@code Applied<Array> out = model.apply(v, x)}.
     */
    @SuppressWarnings("unchecked")
    default <T> Applied<T> apply(Map<String, ?> variables, Object... args) { return applyMethod(variables, "call", args); }

    /** Flax's {@code module.apply(variables, *args, method=name)}: another method of this module (an encoder's {@code encode}). */
    @SuppressWarnings("unchecked")
    default <T> Applied<T> applyMethod(Map<String, ?> variables, String method, Object... args) {
        ReflectiveCall.Split s = ReflectiveCall.split(args);
        return apply(variables, () -> (T) ReflectiveCall.call(this, method, s.args()), s.options());
    }

    /**
     * Flax's {@code module.tabulate(key, *args)}: a table of the module calls of an init run (path,
     * type, output shapes, the variables each module owns) and the totals per collection.
     */
    default String tabulate(Array key, Object... args) {
        ReflectiveCall.Split s = ReflectiveCall.split(args);
        return Tabulate.of(this, Map.of("params", key), () -> ReflectiveCall.call(this, "call", s.args()));
    }

    /** {@link #tabulate(Array, Object...)} for an explicit call and rng streams. */
    default String tabulate(Map<String, Array> rngs, Supplier<?> call) { return Tabulate.of(this, rngs, call); }

    /** This module with variables bound to it (Flax's {@code module.bind(variables)}). */
    default Bound<LinenModule> bind(Map<String, ?> variables) {
        return new Bound<>(this, variables instanceof Variables v ? v : Variables.copyOf(variables));
    }

    /** Naming of submodules: by the parent's record component holding them, else automatic. */
    final class ModuleNames {
        private ModuleNames() {}

        static String nameIn(LinenModule parent, LinenModule child) {
            if (child.name() != null) return child.name();
            if (parent != null && parent.getClass().isRecord()) {
                for (RecordComponent c : parent.getClass().getRecordComponents()) {
                    try {
                        var acc = c.getAccessor();
                        acc.setAccessible(true);
                        Object v = acc.invoke(parent);
                        if (v == child) return snake(c.getName());
                        if (v instanceof List<?> l) {
                            for (int i = 0; i < l.size(); i++) if (l.get(i) == child) return snake(c.getName()) + "_" + i;
                        }
                    } catch (ReflectiveOperationException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
            return null;
        }

        static String snake(String camel) { return io.jax4j.core.Names.snake(camel); }

        static Map<String, Object> empty() { return new LinkedHashMap<>(); }
    }
}
