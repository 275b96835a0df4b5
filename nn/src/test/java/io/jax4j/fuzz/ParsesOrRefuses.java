package io.jax4j.fuzz;

import java.util.List;

/**
 * The property every fuzz target of a parser checks: any input either parses or is refused with the
 * parser's own documented exception. An OutOfMemoryError, StackOverflowError, NegativeArraySizeException,
 * IndexOutOfBoundsException, ClassCastException, NullPointerException or any other exception type is a
 * finding, and so is one of them wrapped as the cause of the documented exception (a catch-all that
 * only renames a bug).
 */
public final class ParsesOrRefuses {
    private ParsesOrRefuses() {}

    /** Runtime errors that are bugs wherever they appear in a cause chain. */
    private static final List<Class<? extends Throwable>> BUGS = List.of(OutOfMemoryError.class, StackOverflowError.class,
            NegativeArraySizeException.class, IndexOutOfBoundsException.class, ClassCastException.class,
            NullPointerException.class, ArithmeticException.class, IllegalStateException.class);

    @FunctionalInterface
    public interface Parse {
        void run() throws Exception;
    }

    /** Runs {@code parse}; throws an AssertionError naming the input's size when it fails other than with {@code documented}. */
    public static void check(String what, int inputBytes, Class<? extends Throwable> documented, Parse parse) {
        try {
            parse.run();
        } catch (Throwable t) {
            if (!documented.isInstance(t)) {
                throw new AssertionError(what + " of " + inputBytes + " bytes threw " + t.getClass().getName()
                        + " instead of " + documented.getSimpleName() + ": " + t.getMessage(), t);
            }
            for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
                for (var bug : BUGS) {
                    if (bug.isInstance(c)) {
                        throw new AssertionError(what + " of " + inputBytes + " bytes threw " + documented.getSimpleName()
                                + " wrapping " + c.getClass().getName() + ": " + t.getMessage(), t);
                    }
                }
            }
            if (t.getMessage() == null || t.getMessage().isBlank()) {
                throw new AssertionError(what + " of " + inputBytes + " bytes threw " + documented.getSimpleName() + " without a message", t);
            }
        }
    }
}
