package io.jax4j.examples.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import io.jax4j.Array;
import io.jax4j.autodiff.Jax;
import io.vavr.Function1;

import java.util.function.Supplier;

/**
 * What the suites share to report one check: run it, turn its {@link FixtureArrays.Comparison} into
 * a PASS or FAIL line, a thrown exception into a FAIL naming it, and a {@link Skip} into a SKIP.
 */
public final class Checks {
    private Checks() {}

    /** Thrown by a check that cannot run on this file (a name the suite does not know, a missing input): a SKIP. */
    public static final class Skip extends RuntimeException {
        public Skip(String reason) { super(reason); }
    }

    /** Runs one check and reports it. */
    public static void run(Report report, String file, String caseName, String field, Supplier<FixtureArrays.Comparison> check) {
        try {
            FixtureArrays.Comparison r = check.get();
            if (r.ok()) report.pass(file, caseName, field, r.detail());
            else report.fail(file, caseName, field, r.detail());
        } catch (Skip e) {
            report.skip(file, caseName, field, e.getMessage());
        } catch (RuntimeException | StackOverflowError e) {
            report.fail(file, caseName, field, OpsSuite.message(e));
        }
    }

    /** A check of an array result against an encoded array. */
    public static void array(Report report, String file, String caseName, String field, JsonNode expected, Tolerance tol, Supplier<Array> actual) {
        run(report, file, caseName, field, () -> FixtureArrays.compare(actual.get(), expected, tol));
    }

    /** A check of a result tree against a fixture tree. */
    public static void tree(Report report, String file, String caseName, String field, JsonNode expected, Tolerance tol, Supplier<Object> actual) {
        run(report, file, caseName, field, () -> FixtureTrees.compare(actual.get(), expected, tol));
    }

    /**
     * Reports a SKIP for each field of {@code node} the suite has no check or use for, so that
     * nothing a file holds is passed over silently.
     */
    public static void skipUnknownFields(Report report, String file, String caseName, JsonNode node, java.util.Set<String> known) {
        node.fieldNames().forEachRemaining(k -> {
            if (!known.contains(k)) report.skip(file, caseName, k, "not implemented: unknown field '" + k + "'");
        });
    }

    /** Applies f eagerly, or through {@code Jax.jit} (the selected backend) when the options say so. */
    public static <A, R> R call(RunOptions options, Function1<A, R> f, A arg) {
        return options.jit() ? Jax.jit(f).apply(arg) : f.apply(arg);
    }

    /** A supplier computing once; a failure is rethrown to every caller. */
    public static <T> Supplier<T> memo(Supplier<T> s) {
        return new Supplier<>() {
            private T value;
            private RuntimeException error;
            private boolean done;

            @Override
            public T get() {
                if (!done) {
                    done = true;
                    try { value = s.get(); } catch (RuntimeException e) { error = e; }
                }
                if (error != null) throw error;
                return value;
            }
        };
    }
}
