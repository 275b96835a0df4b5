package io.jax4j.examples.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import io.jax4j.Array;
import io.jax4j.autodiff.InAxes;
import io.jax4j.autodiff.Jax;
import io.vavr.Function1;
import io.vavr.Function3;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code ops_*.json}: for each case, the value ({@code output}), the VJP of
 * {@code sum(output * cotangent)} with respect to each float input ({@code vjp[i]}, by
 * {@code Jax.vjp}) and the JVP along the file's tangents ({@code jvp}, by {@code Jax.jvp}); then
 * {@code higher_order} (grad, grad of the summed grad, hessian) and {@code vmap_grad}
 * ({@code vmap(grad(loss), in_axes=(None, 0, 0))}). Only the inputs listed in
 * {@code float_inputs} are differentiated; the others are fixed.
 */
public final class OpsSuite implements CheckSuite {
    @Override
    public String prefix() { return "ops_"; }

    @Override
    public void run(FixtureFile file, RunOptions options, Report report) {
        JsonNode root = file.root();
        OpsContext ctx = OpsContext.of(root);
        for (JsonNode c : root.path("cases")) runCase(file.name(), c, ctx, options, report);
        for (JsonNode h : root.path("higher_order")) runHigherOrder(file.name(), h, options, report);
        if (root.has("vmap_grad")) runVmapGrad(file.name(), root.get("vmap_grad"), options, report);
    }

    // ---------------------------------------------------------------- cases

    private static List<String> fields(JsonNode c) {
        List<String> f = new ArrayList<>();
        if (c.has("output")) f.add("output");
        for (int i = 0; i < c.path("vjp").size(); i++) f.add("vjp[" + i + "]");
        if (c.has("jvp")) f.add("jvp");
        return f;
    }

    private static void runCase(String file, JsonNode c, OpsContext ctx, RunOptions options, Report report) {
        String name = c.path("name").asText("?");
        if (!c.has("output")) report.skip(file, name, "output", "the fixture gives no expected 'output' for this case");
        OpsCases.OpCase op = OpsCases.CASES.get(name);
        if (op == null) {
            String pending = OpsCases.PENDING.get(name);
            String reason = pending != null ? "not implemented: needs " + pending : "not implemented: no jax4j definition of case '" + name + "'";
            for (String f : fields(c)) report.skip(file, name, f, reason);
            return;
        }
        List<Array> inputs;
        int[] floatIdx;
        try {
            inputs = new ArrayList<>();
            for (JsonNode in : c.path("inputs")) inputs.add(FixtureArrays.decode(in));
            floatIdx = new int[c.path("float_inputs").size()];
            for (int i = 0; i < floatIdx.length; i++) floatIdx[i] = c.path("float_inputs").get(i).asInt();
        } catch (RuntimeException e) {
            for (String f : fields(c)) report.fail(file, name, f, "unreadable case: " + message(e));
            return;
        }
        Function1<List<Array>, Array> g = fl -> op.fn().apply(withFloats(inputs, floatIdx, fl), ctx);
        List<Array> primals = new ArrayList<>();
        for (int i : floatIdx) primals.add(inputs.get(i));
        Tolerance tol = op.tolerance();

        if (c.has("output")) {
            check(report, file, name, "output", c.get("output"), tol, () -> call(options, g, primals));
        }
        if (c.has("vjp") && c.has("cotangent")) {
            JsonNode vjp = c.get("vjp");
            Supplier<List<Array>> grads = Checks.memo(() -> {
                Array ct = FixtureArrays.decode(c.get("cotangent"));
                Function1<List<Array>, List<Array>> pull = fl -> Jax.vjp(g, fl).apply(ct);
                return call(options, pull, primals);
            });
            for (int i = 0; i < vjp.size(); i++) {
                int k = i;
                check(report, file, name, "vjp[" + i + "]", vjp.get(i), tol, () -> grads.get().get(k));
            }
        } else if (c.has("vjp")) {
            for (int i = 0; i < c.get("vjp").size(); i++) report.fail(file, name, "vjp[" + i + "]", "the case has vjp but no cotangent");
        }
        if (c.has("jvp")) {
            check(report, file, name, "jvp", c.get("jvp"), tol, () -> {
                List<Array> tangents = new ArrayList<>();
                for (JsonNode t : c.path("tangents")) tangents.add(FixtureArrays.decode(t));
                Function1<List<Array>, Array> push = fl -> Jax.jvp(g, fl, tangents).tangentsOut();
                return call(options, push, primals);
            });
        }
    }

    private static List<Array> withFloats(List<Array> inputs, int[] floatIdx, List<Array> floats) {
        List<Array> full = new ArrayList<>(inputs);
        for (int i = 0; i < floatIdx.length; i++) full.set(floatIdx[i], floats.get(i));
        return full;
    }

    // ---------------------------------------------------------------- higher order and vmap of grad

    private static void runHigherOrder(String file, JsonNode h, RunOptions options, Report report) {
        String name = "higher_order." + h.path("name").asText("?");
        Function<Array, Array> f0 = OpsCases.SCALAR_FUNCTIONS.get(h.path("name").asText());
        List<String> present = new ArrayList<>();
        for (String k : List.of("grad", "grad_of_sum_grad", "hessian")) if (h.has(k)) present.add(k);
        if (f0 == null) {
            for (String k : present) report.skip(file, name, k, "not implemented: no jax4j definition of function '" + h.path("name").asText() + "'");
            return;
        }
        Function1<Array, Array> f = f0::apply;
        Supplier<Array> x = Checks.memo(() -> FixtureArrays.decode(h.get("x")));
        Function1<Array, Array> grad = Jax.grad(f);
        Function1<Array, Array> sumGrad = v -> io.jax4j.Np.sum(grad.apply(v));
        for (String k : present) {
            Function1<Array, Array> fn = switch (k) {
                case "grad" -> grad;
                case "grad_of_sum_grad" -> Jax.grad(sumGrad);
                default -> Jax.hessian(f);
            };
            check(report, file, name, k, h.get(k), Tolerance.ELEMENTWISE, () -> call(options, fn, x.get()));
        }
    }

    private static void runVmapGrad(String file, JsonNode v, RunOptions options, Report report) {
        String name = "vmap_grad";
        String lossText = v.path("loss").asText();
        Function3<Array, Array, Array, Array> loss = OpsCases.VMAP_LOSSES.get(lossText);
        if (loss == null) {
            report.skip(file, name, "per_example_grads", "not implemented: unknown loss '" + lossText + "'");
            return;
        }
        check(report, file, name, "per_example_grads", v.get("per_example_grads"), Tolerance.LONG, () -> {
            Array w = FixtureArrays.decode(v.get("w")), xs = FixtureArrays.decode(v.get("xs")), ys = FixtureArrays.decode(v.get("ys"));
            Function3<Array, Array, Array, Array> perExample = Jax.vmap(Jax.grad(loss), InAxes.of(null, 0, 0));
            Function1<List<Array>, Array> all = a -> perExample.apply(a.get(0), a.get(1), a.get(2));
            return call(options, all, List.of(w, xs, ys));
        });
    }

    // ---------------------------------------------------------------- helpers

    /** Applies f eagerly, or through {@code Jax.jit} (the selected backend) when the options say so. */
    private static <A, R> R call(RunOptions options, Function1<A, R> f, A arg) {
        return options.jit() ? Jax.jit(f).apply(arg) : f.apply(arg);
    }

    private static void check(Report report, String file, String name, String field, JsonNode expected, Tolerance tol, Supplier<Array> actual) {
        try {
            FixtureArrays.Comparison r = FixtureArrays.compare(actual.get(), expected, tol);
            if (r.ok()) report.pass(file, name, field, r.detail());
            else report.fail(file, name, field, r.detail());
        } catch (OpsContext.MissingInput e) {
            report.skip(file, name, field, e.getMessage());
        } catch (RuntimeException | StackOverflowError e) {
            report.fail(file, name, field, message(e));
        }
    }

    static String message(Throwable e) {
        Throwable t = e;
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) t = t.getCause();
        String m = t.getMessage() == null ? "" : t.getMessage().lines().findFirst().orElse("");
        return t.getClass().getSimpleName() + ": " + m;
    }
}
