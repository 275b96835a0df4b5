package io.jax4j.linen;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Flax's {@code module.init(key, *args)} and {@code module.apply(variables, *args, method=...)}: the
 * module's method of that name whose parameters accept the arguments, found by reflection and called
 * inside the module's scope. {@link Apply} values among the arguments are the options
 * ({@code mutable}, {@code rngs}), as Flax's keyword arguments.
 */
final class ReflectiveCall {
    private ReflectiveCall() {}

    /** The arguments without the {@link Apply} options, and the options combined. */
    record Split(Object[] args, Apply options) {}

    static Split split(Object[] args) {
        List<Object> plain = new ArrayList<>();
        List<Apply> options = new ArrayList<>();
        for (Object a : args) {
            if (a instanceof Apply o) options.add(o);
            else plain.add(a);
        }
        return new Split(plain.toArray(), Apply.combine(options.toArray(new Apply[0])));
    }

    /** Calls {@code module.method(args)}, the method chosen by name and argument types. */
    static Object call(LinenModule module, String method, Object[] args) {
        Method m = find(module, method, args);
        try {
            m.setAccessible(true);
            return m.invoke(module, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        } catch (IllegalAccessException | RuntimeException e) {
            if (e instanceof RuntimeException r && !(e instanceof java.lang.reflect.InaccessibleObjectException)) throw r;
            throw new IllegalArgumentException(module.getClass().getSimpleName() + "." + method + " cannot be called reflectively (" + e.getMessage()
                    + "); on the module path open its package to io.jax4j.nn, or pass the call as a lambda: init(key, () -> m." + method + "(...))", e);
        }
    }

    private static Method find(LinenModule module, String name, Object[] args) {
        List<Method> candidates = new ArrayList<>(), named = new ArrayList<>();
        for (Class<?> c = module.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (!m.getName().equals(name) || m.isSynthetic() || java.lang.reflect.Modifier.isStatic(m.getModifiers())) continue;
                named.add(m);
                if (accepts(m.getParameterTypes(), args)) candidates.add(m);
            }
        }
        if (candidates.size() == 1) return candidates.getFirst();
        String types = Arrays.stream(args).map(a -> a == null ? "null" : a.getClass().getSimpleName()).toList().toString();
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException(module.getClass().getSimpleName() + " has no method " + name + " that takes " + types
                    + (named.isEmpty() ? " (it has no method of that name; pass method=\"...\" through applyMethod, or a lambda)"
                    : "; its " + name + " methods take " + named.stream().map(m -> Arrays.stream(m.getParameterTypes())
                    .map(Class::getSimpleName).toList().toString()).toList()));
        }
        throw new IllegalArgumentException(module.getClass().getSimpleName() + "." + name + " is overloaded for " + types
                + ": pass the call as a lambda to choose one, init(key, () -> m." + name + "(...))");
    }

    private static boolean accepts(Class<?>[] params, Object[] args) {
        if (params.length != args.length) return false;
        for (int i = 0; i < params.length; i++) {
            Class<?> p = params[i].isPrimitive() ? BOXES.get(params[i]) : params[i];
            if (args[i] == null ? params[i].isPrimitive() : !p.isInstance(args[i])) return false;
        }
        return true;
    }

    private static final Map<Class<?>, Class<?>> BOXES = Map.of(boolean.class, Boolean.class, int.class, Integer.class, long.class, Long.class,
            double.class, Double.class, float.class, Float.class, short.class, Short.class, byte.class, Byte.class, char.class, Character.class);
}
