package io.jax4j.core;

/**
 * Finds the user's call site: the first stack frame outside jax4j's own packages (as JAX excludes
 * its own frames from tracebacks). Only computed while staging, where it is cheap relative to tracing.
 */
public final class SourceInfo {
    private static final StackWalker WALKER = StackWalker.getInstance();
    private static final boolean ENABLED = !"0".equals(System.getenv("JAX4J_SOURCE_INFO"));

    private SourceInfo() {}

    public static String userFrame() {
        if (!ENABLED) return null;
        return WALKER.walk(frames -> frames
                .filter(f -> !isFramework(f.getClassName()))
                .findFirst()
                .map(f -> f.getFileName() + ":" + f.getLineNumber() + " (" + shortName(f.getClassName()) + "." + f.getMethodName() + ")")
                .orElse(null));
    }

    static boolean isFramework(String cls) {
        return (cls.startsWith("io.jax4j.") && !cls.startsWith("io.jax4j.examples.") && !cls.contains("Test"))
                || cls.startsWith("java.") || cls.startsWith("jdk.") || cls.startsWith("io.vavr.");
    }

    private static String shortName(String cls) {
        int i = cls.lastIndexOf('.');
        return i < 0 ? cls : cls.substring(i + 1);
    }
}
