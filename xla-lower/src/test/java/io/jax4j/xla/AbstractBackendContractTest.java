package io.jax4j.xla;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.Linalg;
import io.jax4j.Np;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.JitFunction;
import io.jax4j.core.ReferenceBackend;
import io.jax4j.ir.Jaxpr;
import io.jax4j.spi.Backend;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import static io.jax4j.xla.Traced.f32;
import static io.jax4j.xla.Traced.f64;
import static io.jax4j.xla.Traced.i32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What every backend must do: run each primitive family on random inputs (with NaN, ±Inf and ±0
 * among the floats) and agree with the reference backend, the oracle. Subclasses say which backend.
 */
public abstract class AbstractBackendContractTest {
    protected abstract Backend backend();

    /** Called before each case; a subclass may skip (JUnit assumption) when its backend is missing. */
    protected void assumeAvailable() {}

    record Case(String name, Function<List<Array>, List<Array>> f, ShapedArray[] avals) {}

    private static Case c(String name, Function<List<Array>, List<Array>> f, ShapedArray... avals) {
        return new Case(name, f, avals);
    }

    private static Case unary(String name, UnaryOperator<Array> op, ShapedArray aval) {
        return c(name + " " + aval.str(), xs -> List.of(op.apply(xs.get(0))), aval);
    }

    private static Case binary(String name, java.util.function.BinaryOperator<Array> op, ShapedArray aval) {
        return c(name + " " + aval.str(), xs -> List.of(op.apply(xs.get(0), xs.get(1))), aval, aval);
    }

    static List<Case> cases() {
        List<Case> cs = new ArrayList<>();
        ShapedArray v = f32(4, 33), d = f64(3, 17), iv = i32(4, 9);
        // elementwise unary
        for (var e : List.<Object[]>of(new Object[]{"neg", (UnaryOperator<Array>) Lax::neg}, new Object[]{"sign", (UnaryOperator<Array>) Lax::sign},
                new Object[]{"floor", (UnaryOperator<Array>) Lax::floor}, new Object[]{"ceil", (UnaryOperator<Array>) Lax::ceil},
                new Object[]{"round", (UnaryOperator<Array>) Lax::round}, new Object[]{"is_finite", (UnaryOperator<Array>) Lax::isFinite},
                new Object[]{"abs", (UnaryOperator<Array>) Lax::abs}, new Object[]{"exp", (UnaryOperator<Array>) Lax::exp},
                new Object[]{"log", (UnaryOperator<Array>) Lax::log}, new Object[]{"expm1", (UnaryOperator<Array>) Lax::expm1},
                new Object[]{"log1p", (UnaryOperator<Array>) Lax::log1p}, new Object[]{"tanh", (UnaryOperator<Array>) Lax::tanh},
                new Object[]{"logistic", (UnaryOperator<Array>) Lax::logistic}, new Object[]{"sin", (UnaryOperator<Array>) Lax::sin},
                new Object[]{"cos", (UnaryOperator<Array>) Lax::cos}, new Object[]{"sqrt", (UnaryOperator<Array>) Lax::sqrt},
                new Object[]{"rsqrt", (UnaryOperator<Array>) Lax::rsqrt}, new Object[]{"erf", (UnaryOperator<Array>) Lax::erf},
                new Object[]{"square", (UnaryOperator<Array>) Lax::square})) {
            @SuppressWarnings("unchecked") UnaryOperator<Array> op = (UnaryOperator<Array>) e[1];
            cs.add(unary((String) e[0], op, v));
            cs.add(unary((String) e[0], op, d));
        }
        for (var e : List.<Object[]>of(new Object[]{"neg", (UnaryOperator<Array>) Lax::neg}, new Object[]{"sign", (UnaryOperator<Array>) Lax::sign},
                new Object[]{"abs", (UnaryOperator<Array>) Lax::abs}, new Object[]{"not", (UnaryOperator<Array>) Lax::not},
                new Object[]{"square", (UnaryOperator<Array>) Lax::square})) {
            @SuppressWarnings("unchecked") UnaryOperator<Array> op = (UnaryOperator<Array>) e[1];
            cs.add(unary((String) e[0], op, iv));
        }
        cs.add(unary("not", Lax::not, ShapedArray.of(DType.BOOL, 3, 5)));
        // elementwise binary and comparisons
        List<Object[]> floatBin = List.of(new Object[]{"add", (java.util.function.BinaryOperator<Array>) Lax::add},
                new Object[]{"sub", (java.util.function.BinaryOperator<Array>) Lax::sub}, new Object[]{"mul", (java.util.function.BinaryOperator<Array>) Lax::mul},
                new Object[]{"div", (java.util.function.BinaryOperator<Array>) Lax::div}, new Object[]{"rem", (java.util.function.BinaryOperator<Array>) Lax::rem},
                new Object[]{"max", (java.util.function.BinaryOperator<Array>) Lax::max}, new Object[]{"min", (java.util.function.BinaryOperator<Array>) Lax::min},
                new Object[]{"eq", (java.util.function.BinaryOperator<Array>) Lax::eq}, new Object[]{"ne", (java.util.function.BinaryOperator<Array>) Lax::ne},
                new Object[]{"lt", (java.util.function.BinaryOperator<Array>) Lax::lt}, new Object[]{"le", (java.util.function.BinaryOperator<Array>) Lax::le},
                new Object[]{"gt", (java.util.function.BinaryOperator<Array>) Lax::gt}, new Object[]{"ge", (java.util.function.BinaryOperator<Array>) Lax::ge});
        for (Object[] e : floatBin) {
            @SuppressWarnings("unchecked") var op = (java.util.function.BinaryOperator<Array>) e[1];
            cs.add(binary((String) e[0], op, v));
            cs.add(binary((String) e[0], op, iv));
        }
        cs.add(binary("pow", Lax::pow, v));
        cs.add(binary("atan2", Lax::atan2, d));
        cs.add(binary("and", Lax::bitwiseAnd, iv));
        cs.add(binary("or", Lax::bitwiseOr, iv));
        cs.add(binary("xor", Lax::bitwiseXor, ShapedArray.of(DType.BOOL, 7)));
        cs.add(binary("shift_left", Lax::shiftLeft, iv));
        cs.add(binary("shift_right_logical", Lax::shiftRightLogical, iv));
        cs.add(binary("shift_right_arithmetic", Lax::shiftRightArithmetic, iv));
        cs.add(c("scalar operand", xs -> List.of(Lax.mul(Lax.addScalar(xs.get(0), 0.5), xs.get(1))), v, f32()));
        cs.add(c("rank-0 only", xs -> List.of(Lax.tanh(Lax.mulScalar(xs.get(0), 3))), f32()));
        // select_n, convert
        cs.add(c("select_n bool", xs -> List.of(Lax.select(Lax.gt(xs.get(0), xs.get(1)), xs.get(0), Lax.neg(xs.get(1)))), v, v));
        cs.add(c("select_n i32", xs -> List.of(Lax.selectN(Lax.rem(Lax.abs(xs.get(0)), Lax.fullLike(xs.get(0), 3)),
                List.of(Lax.convertElementType(xs.get(1), DType.F32), Lax.exp(Lax.convertElementType(xs.get(1), DType.F32)), xs.get(2)))), iv, i32(4, 9), f32(4, 9)));
        cs.add(c("convert f32->i32->f32", xs -> List.of(Lax.convertElementType(Lax.mulScalar(xs.get(0), 3), DType.I32),
                Lax.convertElementType(Lax.convertElementType(xs.get(0), DType.I32), DType.F32)), v));
        cs.add(c("convert to/from bool and f64", xs -> List.of(Lax.convertElementType(xs.get(0), DType.BOOL),
                Lax.convertElementType(Lax.convertElementType(xs.get(0), DType.BOOL), DType.F32),
                Lax.convertElementType(xs.get(0), DType.F64), Lax.convertElementType(xs.get(1), DType.F32)), v, f64(4, 33)));
        // movement as index arithmetic
        cs.add(c("bias broadcast + relu", xs -> List.of(Np.maximum(Np.add(xs.get(0), xs.get(1)), Array.weak(0))), f32(6, 10), f32(10)));
        cs.add(c("column broadcast", xs -> List.of(Lax.mul(xs.get(0), Lax.broadcastInDim(Lax.exp(xs.get(1)), new int[]{6, 10}, new int[]{0}))), f32(6, 10), f32(6)));
        cs.add(c("transpose of computed", xs -> List.of(Lax.transpose(Lax.exp(xs.get(0)), 2, 0, 1)), f32(3, 4, 5)));
        cs.add(c("reshape of transpose", xs -> List.of(Lax.reshape(Lax.transpose(Lax.sin(xs.get(0)), 1, 0), 5, 2, 3)), f32(3, 10)));
        cs.add(c("transpose of reshape", xs -> List.of(Lax.add(Lax.transpose(Lax.reshape(xs.get(0), 3, 4, 5), 1, 2, 0), xs.get(1))), f32(60), f32(4, 5, 3)));
        cs.add(c("size-1 broadcast", xs -> List.of(Lax.add(Lax.broadcastInDim(xs.get(0), new int[]{4, 3, 5}, new int[]{0, 1, 2}), xs.get(1))), f32(4, 1, 5), f32(4, 3, 5)));
        cs.add(c("reshape of buffer (alias)", xs -> List.of(Lax.exp(Lax.reshape(Lax.dotGeneral(xs.get(0), xs.get(1), new int[]{1}, new int[]{0}, new int[0], new int[0]), 12))), f32(3, 5), f32(5, 4)));
        // reductions
        cs.add(c("reduce_sum trailing", xs -> List.of(Lax.reduceSum(Lax.exp(xs.get(0)), 1)), f32(7, 40)));
        cs.add(c("reduce_sum leading", xs -> List.of(Lax.reduceSum(xs.get(0), 0)), f32(40, 7)));
        cs.add(c("reduce_sum middle", xs -> List.of(Lax.reduceSum(Lax.mul(xs.get(0), xs.get(0)), 1)), f32(3, 8, 5)));
        cs.add(c("reduce_sum all", xs -> List.of(Lax.reduceSum(Lax.tanh(xs.get(0)), 0, 1)), f32(30, 30)));
        // the layouts of vmapped/pmapped values: a replica axis in front of [batch, h, w, features]
        cs.add(c("reduce_sum between kept axes (per replica, per feature)", xs -> List.of(Lax.reduceSum(Lax.tanh(xs.get(0)), 1, 2, 3)), f32(2, 5, 4, 3, 16)));
        cs.add(c("reduce_sum after a unit axis", xs -> List.of(Lax.reduceSum(Lax.exp(xs.get(0)), 1, 2)), f32(1, 6, 5, 16)));
        cs.add(c("transpose of unit axes, reshape dropping them", xs -> List.of(
                Lax.add(Lax.reshape(Lax.transpose(Lax.tanh(xs.get(0)), 1, 0, 2, 3), new int[]{6, 5, 16}), Lax.mulScalar(Lax.reshape(xs.get(0), new int[]{6, 5, 16}), 2))),
                f32(1, 6, 5, 16)));
        cs.add(c("replica axis moved into the features (a batched weight gradient's input)", xs -> List.of(
                Lax.reshape(Lax.transpose(Lax.exp(xs.get(0)), 1, 2, 0, 3), new int[]{4, 3, 2 * 8})), f32(2, 4, 3, 8)));
        cs.add(c("reduce_sum big", xs -> List.of(Lax.reduceSum(Lax.mul(Lax.tanh(xs.get(0)), Lax.exp(Lax.neg(Lax.square(xs.get(0))))), 0)), f32(100_000)));
        cs.add(c("reduce_max/min", xs -> List.of(Lax.reduceMax(xs.get(0), 1), Lax.reduceMin(xs.get(0), 0, 2)), f32(4, 6, 5)));
        cs.add(c("reduce int", xs -> List.of(Lax.reduceSum(xs.get(0), 1), Lax.reduceMax(xs.get(0), 0)), iv));
        cs.add(c("softmax", xs -> {
            Array x = xs.get(0);
            Array m = Lax.broadcastInDim(Lax.reduceMax(x, 1), new int[]{5, 9}, new int[]{0});
            Array e = Lax.exp(Lax.sub(x, m));
            return List.of(Lax.div(e, Lax.broadcastInDim(Lax.reduceSum(e, 1), new int[]{5, 9}, new int[]{0})));
        }, f32(5, 9)));
        // a bias gradient with an optimizer update after it (sum over leading axes, then an epilogue per
        // output element), and a masked, divided value over the domain (dropout's backward) that is summed
        cs.add(c("reduce_sum leading + epilogue", xs -> {
            Array g = Lax.reduceSum(Lax.mul(xs.get(0), Array.weak(3)), 0, 1);
            return List.of(g, Lax.add(Lax.mul(g, Array.weak(0.1)), Lax.mul(xs.get(1), Array.weak(0.9))));
        }, f32(6, 50, 24), f32(24)));
        cs.add(c("reduce_sum leading of a select over a division", xs -> {
            Array x = xs.get(0);
            Array kept = Lax.select(Lax.lt(x, Array.weak(0.5)), Lax.div(x, Array.weak(0.5)), Lax.mul(x, Array.weak(0)));
            Array relu = Lax.select(Lax.le(x, Array.weak(0)), Lax.mul(x, Array.weak(0)), kept);
            return List.of(Lax.reduceSum(relu, 0), Lax.div(Lax.reduceSum(x, 0), Array.weak(128)));
        }, f32(128, 40)));
        // dot_general layouts
        cs.add(c("matmul", xs -> List.of(Lax.dotGeneral(xs.get(0), xs.get(1), new int[]{1}, new int[]{0}, new int[0], new int[0])), f32(5, 7), f32(7, 3)));
        cs.add(c("matmul lhs transposed", xs -> List.of(Lax.dotGeneral(xs.get(0), xs.get(1), new int[]{0}, new int[]{0}, new int[0], new int[0])), f32(7, 5), f32(7, 3)));
        cs.add(c("matmul rhs transposed", xs -> List.of(Lax.dotGeneral(xs.get(0), xs.get(1), new int[]{1}, new int[]{1}, new int[0], new int[0])), f32(5, 7), f32(3, 7)));
        cs.add(c("matvec f64", xs -> List.of(Lax.dotGeneral(xs.get(0), xs.get(1), new int[]{1}, new int[]{0}, new int[0], new int[0])), f64(5, 7), f64(7)));
        cs.add(c("batched", xs -> List.of(Lax.dotGeneral(xs.get(0), xs.get(1), new int[]{2}, new int[]{1}, new int[]{0}, new int[]{0})), f32(2, 3, 4), f32(2, 4, 5)));
        cs.add(c("batched transposed", xs -> List.of(Lax.dotGeneral(xs.get(0), xs.get(1), new int[]{1}, new int[]{2}, new int[]{0}, new int[]{0})), f32(2, 4, 3), f32(2, 5, 4)));
        cs.add(c("batch not leading (copy)", xs -> List.of(Lax.dotGeneral(xs.get(0), xs.get(1), new int[]{2}, new int[]{0}, new int[]{1}, new int[]{1})), f32(3, 2, 4), f32(4, 2, 5)));
        cs.add(c("two contracting axes", xs -> List.of(Lax.dotGeneral(xs.get(0), xs.get(1), new int[]{1, 2}, new int[]{0, 1}, new int[0], new int[0])), f32(3, 4, 2), f32(4, 2, 5)));
        cs.add(c("int dot (host)", xs -> List.of(Lax.dotGeneral(xs.get(0), xs.get(1), new int[]{1}, new int[]{0}, new int[0], new int[0])), i32(3, 4), i32(4, 2)));
        cs.add(c("mlp layer", xs -> List.of(Np.maximum(Np.add(xs.get(0).matmul(xs.get(1)), xs.get(2)), Array.weak(0))), f32(8, 16), f32(16, 12), f32(12)));
        // host ops and nesting
        cs.add(c("threefry2x32 with a constant key", xs -> Lax.threefry2x32(Lax.scalar(7, DType.U32), Lax.scalar(3_000_000_000L, DType.U32),
                xs.get(0), xs.get(1)), ShapedArray.of(DType.U32, 9), ShapedArray.of(DType.U32, 9)));
        cs.add(c("erf_inv f32 (a normal sampler's)", xs -> List.of(Lax.erfInv(Lax.mulScalar(Lax.tanh(xs.get(0)), 0.999)), Lax.erfInv(xs.get(1))),
                f32(4, 33), f32(3)));
        cs.add(c("argmax", xs -> List.of(Lax.argmax(Lax.exp(xs.get(0)), 1, DType.I32)), f32(4, 6)));
        cs.add(c("argmin over a leading axis, and of ints", xs -> List.of(Lax.argmin(xs.get(0), 0, DType.I32),
                Lax.argmax(xs.get(1), 1, DType.I32)), f32(5, 3, 4), i32(3, 7)));
        cs.add(c("indexing: gather with NumPy's axis placement, the scatter family (x.at[...])", xs -> {
            Array x = xs.get(0), idx = xs.get(1);
            return List.of(x.get(idx, "::2"), x.get(1, idx), x.at(idx).set(1f), x.at(":", idx).multiply(2f),
                    x.at(idx).min(xs.get(2)), x.at(idx, 1).max(0f), x.at("1:4", Array.scalar(2)).add(3f));
        }, f32(5, 6), i32(4), f32(6)));
        cs.add(c("a reduction with a side output and an epilogue (log-sum-exp rows, 2x)", xs -> List.of(
                Lax.add(Lax.log(Lax.reduceSum(Lax.exp(xs.get(0)), 1)), Lax.scalar(1, DType.F32)), Lax.mul(xs.get(0), Lax.scalar(2, DType.F32)),
                Lax.div(Lax.reduceMax(xs.get(1), 1), Lax.scalar(3, DType.F32)), Lax.neg(xs.get(1))), f32(6, 100), f32(1, 70000)));
        cs.add(c("linear algebra: cholesky, lu, triangular_solve (host ops where no kernel)", xs -> {
            Array a = Np.add(Np.tanh(xs.get(0)), Np.multiply(Np.eye(4), Array.weak(3)));
            Array spd = Np.add(Np.matmul(a, Np.swapaxes(a, -1, -2)), Np.eye(4));
            return List.of(Linalg.cholesky(spd), Linalg.solve(a, xs.get(1)), Linalg.det(a), Linalg.lu(a).permutation(),
                    Linalg.solveTriangular(a, xs.get(1), true, false, false));
        }, f32(4, 4), f32(4, 2)));
        cs.add(c("linear algebra: qr, eigh, svd (host ops where no kernel)", xs -> {
            Array a = Np.tanh(xs.get(0));
            Linalg.QrResult qr = Linalg.qr(a);
            Linalg.EighResult e = Linalg.eigh(Np.matmul(Np.swapaxes(a, -1, -2), a));
            Linalg.SvdResult sv = Linalg.svd(a);
            return List.of(qr.q(), qr.r(), e.eigenvalues(), Np.abs(e.eigenvectors()), sv.s(), Np.abs(sv.u()), Np.abs(sv.vh()));
        }, f32(5, 3)));
        cs.add(c("random_gamma (a host op): per-element rejection loops", xs -> List.of(
                io.jax4j.Random.gamma(xs.get(1), Np.add(Np.abs(xs.get(0)), Array.weak(0.25))),
                io.jax4j.Random.loggamma(xs.get(1), Np.add(Np.abs(xs.get(0)), Array.weak(0.25)), null, DType.F32)),
                f32(3, 4), ShapedArray.of(DType.U32, 2)));
        cs.add(c("random_gamma_grad (a host op): d sample / d alpha at a fixed quantile", xs -> List.of(
                io.jax4j.prims.RandomPrimitives.RANDOM_GAMMA_GRAD.bind1(io.jax4j.core.Params.NONE, Np.add(Np.abs(xs.get(0)), Array.weak(0.25)),
                        Np.add(Np.abs(xs.get(1)), Array.weak(0.1)))), f32(3, 4), f32(3, 4)));
        JitFunction inner = new JitFunction(a -> Np.tanh((Array) a.get(0)).mul(2), "inner", Set.of());
        cs.add(c("pjit nesting", xs -> List.of(((Array) inner.call(List.of(xs.get(0)))).add((Array) inner.call(List.of(Lax.neg(xs.get(0)))))), f32(3, 5)));
        cs.add(c("outputs: input, literal, duplicate", xs -> List.of(xs.get(0), Lax.exp(xs.get(0)), Lax.exp(xs.get(0)), Array.scalar(2f)), f32(3)));
        return cs;
    }

    @TestFactory
    List<DynamicTest> agreesWithTheReferenceBackend() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Case cs : cases()) tests.add(DynamicTest.dynamicTest(cs.name(), () -> check(cs)));
        return tests;
    }

    private void check(Case cs) {
        assumeAvailable();
        Jaxpr j = Traced.trace(cs.f(), cs.avals());
        Random rnd = new Random(cs.name().hashCode());
        List<ArrayImpl> args = new ArrayList<>();
        for (ShapedArray a : cs.avals()) args.add(Traced.random(a, rnd, specials(j)));
        List<Array> want = ReferenceBackend.INSTANCE.compile(j, new boolean[args.size()], cs.name()).execute(args);
        List<Array> got = backend().compile(j, new boolean[args.size()], cs.name()).execute(args);
        List<Array> again = backend().compile(j, new boolean[args.size()], cs.name()).execute(args);
        assertEquals(want.size(), got.size());
        for (int k = 0; k < want.size(); k++) {
            assertClose(cs.name() + " output " + k, want.get(k), got.get(k));
            assertClose(cs.name() + " output " + k + " (second run)", want.get(k), again.get(k));
        }
    }

    /**
     * NaN, ±Inf and ±0 go into every case except two where the reference is not IEEE: its
     * dot_general skips zero lhs entries (so 0·NaN contributes 0, not NaN) and its erf(±Inf) is NaN.
     */
    private static boolean specials(Jaxpr j) {
        return j.eqns().forAll(e -> !e.primitive().name().equals("dot_general") && !e.primitive().name().equals("erf"));
    }

    static void assertClose(String what, Array want, Array got) {
        assertEquals(want.aval().str(), got.aval().str(), what + ": aval");
        double[] w = want.toDoubleArray(), g = got.toDoubleArray();
        double tol = want.dtype() == DType.F32 ? 2e-6 : want.dtype() == DType.F64 ? 1e-12 : 0;
        for (int i = 0; i < w.length; i++) {
            boolean ok = Double.isNaN(w[i]) ? Double.isNaN(g[i])
                    : w[i] == g[i] || Math.abs(w[i] - g[i]) <= tol * Math.max(1, Math.abs(w[i])) * (w.length > 10_000 ? 50 : 4);
            if (!ok) fail(what + ": element " + i + " is " + g[i] + ", the reference gives " + w[i]);
        }
    }
}
