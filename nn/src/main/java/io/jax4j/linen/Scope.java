package io.jax4j.linen;

import io.jax4j.Array;

import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Flax's functional core: a cursor into the variables (collection -> nested dict by module path) with
 * the mutable filter, the rng streams of this path and their counters. Child scopes are created when a
 * submodule is first called and reused when the same module instance is called again.
 *
 * <p>The scope of the module being run is in a {@link ScopedValue}; layers reach it through the
 * default methods of {@link LinenModule}.
 */
public final class Scope {
    private static final ScopedValue<Scope> CURRENT = ScopedValue.newInstance();

    private final Root root;
    private final Scope parent;
    private final String name;
    private final List<String> path;
    private final Map<String, RngStream> rngs;
    private final Map<String, Integer> rngCounters = new HashMap<>();
    private final Set<String> reservations = new HashSet<>();
    private final Map<LinenModule, Scope> childrenByModule = new IdentityHashMap<>();
    private final Map<String, Integer> autoNameCounters = new HashMap<>();
    final LinenModule module;
    private boolean inCompact;

    /** The state shared by all scopes of one init/apply: the variables being read and written. */
    static final class Root {
        final Map<String, Map<String, Object>> variables = new LinkedHashMap<>();
        final Set<String> mutable;
        final boolean allMutable;
        final boolean initializing;

        Root(Variables initial, Set<String> mutable, boolean allMutable, boolean initializing) {
            for (var e : initial.entrySet()) {
                Object v = e.getValue();
                variables.put(e.getKey(), v instanceof Dict d ? d.unfreeze() : Dict.cast((Map<?, ?>) v));
            }
            this.mutable = mutable;
            this.allMutable = allMutable;
            this.initializing = initializing;
        }

        boolean isMutable(String col) { return allMutable || mutable.contains(col); }
    }

    Scope(Root root, Scope parent, String name, Map<String, RngStream> rngs, LinenModule module) {
        this.root = root;
        this.parent = parent;
        this.name = name;
        this.path = parent == null ? List.of() : append(parent.path, name);
        this.rngs = rngs;
        this.module = module;
    }

    private static List<String> append(List<String> p, String n) {
        java.util.ArrayList<String> l = new java.util.ArrayList<>(p);
        l.add(n);
        return List.copyOf(l);
    }

    /** The scope of the module running now. */
    public static Scope current() {
        if (!CURRENT.isBound()) {
            throw new ModuleErrors.UnboundModuleError();
        }
        return CURRENT.get();
    }

    static boolean isBound() { return CURRENT.isBound(); }

    <T> T run(Supplier<T> body) { return ScopedValue.where(CURRENT, this).call(body::get); }

    /**
     * Runs a compact method of this scope's module. When the outermost compact call returns, the scope is
     * rewound as Flax's {@code scope.rewound()}: name reservations and automatic-name counters are
     * cleared (rng counters are kept), so calling a module again reuses its variables and submodule
     * names (weight sharing) instead of failing on duplicate names.
     */
    <T> T runCompact(Supplier<T> body) {
        if (inCompact) return CURRENT.isBound() && CURRENT.get() == this ? body.get() : run(body);
        inCompact = true;
        try {
            return run(body);
        } finally {
            inCompact = false;
            reservations.clear();
            autoNameCounters.clear();
        }
    }

    public List<String> path() { return path; }

    /** {@code /Dense_0/kernel}-style path for messages, as Flax prints scope paths. */
    public String pathText() { return "/" + String.join("/", path); }

    public boolean isInitializing() { return root.initializing; }

    public boolean isMutableCollection(String col) { return root.isMutable(col); }

    // ---------------------------------------------------------------- children

    /** The child scope of {@code m}: reused for the same instance, else named and reserved. */
    Scope childFor(LinenModule m, String explicitName) { return childFor(m, explicitName, ""); }

    /**
     * {@link #childFor(LinenModule, String)} for a module under a lifted transform: automatic names carry
     * the transform's prefix as Flax's lifted classes do ({@code ScanBlock_0}, {@code VmapDense_0}).
     */
    Scope childFor(LinenModule m, String explicitName, String liftPrefix) {
        Scope existing = childrenByModule.get(m);
        if (existing != null) return existing;
        String n = explicitName != null ? explicitName : defaultName(liftPrefix + m.getClass().getSimpleName() + "_");
        reserve(n);
        Map<String, RngStream> childRngs = new LinkedHashMap<>();
        for (var e : rngs.entrySet()) childRngs.put(e.getKey(), e.getValue().child(n));
        Scope child = new Scope(root, this, n, childRngs, m);
        childrenByModule.put(m, child);
        return child;
    }

    private String defaultName(String prefix) {
        int i = autoNameCounters.getOrDefault(prefix, 0);
        while (reservations.contains(prefix + i)) i++;
        autoNameCounters.put(prefix, i + 1);
        return prefix + i;
    }

    private void reserve(String n) {
        if (!reservations.add(n)) throw new ModuleErrors.NameInUseError(n, pathText());
    }

    // ---------------------------------------------------------------- rngs

    public boolean hasRng(String stream) { return rngs.containsKey(stream); }

    /** A fresh key from {@code stream} (falling back to {@code params}, as Flax does). */
    public Array makeRng(String stream) {
        String s = stream;
        if (!rngs.containsKey(s)) {
            if (rngs.containsKey("params")) s = "params";
            else throw new ModuleErrors.InvalidRngError(module == null ? "the module" : module.getClass().getSimpleName(), stream, pathText());
        }
        int counter = rngCounters.merge(s, 1, Integer::sum);
        return rngs.get(s).draw(counter);
    }

    // ---------------------------------------------------------------- variables

    /** This scope's part of collection {@code col}, or null if absent (creating it when asked). */
    Map<String, Object> collection(String col, boolean create) {
        if (parent == null) {
            Map<String, Object> c = root.variables.get(col);
            if (c == null && create) {
                c = new LinkedHashMap<>();
                root.variables.put(col, c);
            }
            return c;
        }
        Map<String, Object> pc = parent.collection(col, create);
        if (pc == null) return null;
        Object mine = pc.get(name);
        if (mine == null) {
            if (!create) return null;
            Map<String, Object> c = new LinkedHashMap<>();
            pc.put(name, c);
            return c;
        }
        if (mine instanceof Dict d) {
            Map<String, Object> c = d.unfreeze();
            pc.put(name, c);
            return c;
        }
        @SuppressWarnings("unchecked") Map<String, Object> c = (Map<String, Object>) mine;
        return c;
    }

    /** Whether the whole collection (at the root) is empty. */
    boolean isCollectionEmpty(String col) {
        Map<String, Object> c = root.variables.get(col);
        return c == null || c.isEmpty();
    }

    public boolean hasVariable(String col, String varName) {
        Map<String, Object> c = collection(col, false);
        return c != null && c.containsKey(varName);
    }

    public Object getVariable(String col, String varName) {
        Map<String, Object> c = collection(col, false);
        return c == null ? null : c.get(varName);
    }

    public void putVariable(String col, String varName, Object value) {
        if (!root.isMutable(col)) throw new ModuleErrors.ModifyScopeVariableError(col, varName, pathText());
        collection(col, true).put(varName, value);
    }

    /** Reserves a variable name in this scope (a name used twice is an error, as in Flax). */
    void reserveVariable(String col, String varName) {
        if (!reservations.add(col + "/" + varName)) throw new ModuleErrors.NameInUseError(varName, pathText());
    }

    // ---------------------------------------------------------------- lifted transforms

    /** This scope's part of every collection, as the variables of a lifted call ({@link Lift}). */
    Variables subtree() {
        LinkedHashMap<String, Object> out = new LinkedHashMap<>();
        for (String col : List.copyOf(root.variables.keySet())) {
            Map<String, Object> c = collection(col, false);
            if (c != null) out.put(col, Dict.copyOf(c));
        }
        return Variables.copyOf(out);
    }

    /**
     * A root scope over {@code vars} for this scope's module, with this scope's rng streams (fresh
     * counters, so its draws are the ones this scope would make first), mutability and init flag: the
     * module's call as a pure function of its variables, which a transformation can trace.
     */
    Scope liftedRoot(Variables vars) { return liftedRoot(vars, rngs); }

    /** {@link #liftedRoot(Variables)} with other rng streams (split per step or per entry by scan and vmap). */
    Scope liftedRoot(Variables vars, Map<String, RngStream> streams) { return lifting().root(vars, streams); }

    /** What a lifted root scope takes from this scope, without holding on to this scope's variables. */
    Lifting lifting() { return new Lifting(module, Set.copyOf(root.mutable), root.allMutable, root.initializing); }

    /** A module with the mutability and init flag of the scope it was lifted from: makes its root scopes. */
    record Lifting(LinenModule module, Set<String> mutable, boolean allMutable, boolean initializing) {
        Scope root(Variables vars, Map<String, RngStream> streams) {
            return new Scope(new Root(vars, mutable, allMutable, initializing), null, null, streams, module);
        }
    }

    /** This scope's rng streams by name. */
    Map<String, RngStream> rngStreams() { return java.util.Collections.unmodifiableMap(rngs); }

    /** Puts a lifted call's updated collections (the mutable ones) back into this scope's part of them. */
    void writeBack(Variables updates) {
        for (var e : updates.entrySet()) {
            if (!root.isMutable(e.getKey())) continue;
            Map<String, Object> c = collection(e.getKey(), true);
            c.clear();
            Object v = e.getValue();
            c.putAll(v instanceof Dict d ? d.unfreeze() : Dict.cast((Map<?, ?>) v));
        }
    }

    /** The variables after the call: all collections (init) or the mutable ones (apply). */
    Variables mutableVariables(boolean all) {
        LinkedHashMap<String, Object> out = new LinkedHashMap<>();
        for (var e : root.variables.entrySet()) {
            if (all || root.isMutable(e.getKey())) out.put(e.getKey(), Dict.copyOf(e.getValue()));
        }
        return Variables.copyOf(out);
    }
}
