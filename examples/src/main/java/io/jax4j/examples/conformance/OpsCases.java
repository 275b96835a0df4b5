package io.jax4j.examples.conformance;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.Nn;
import io.jax4j.Np;
import io.jax4j.Pooling;
import io.jax4j.optim.Losses;
import io.jax4j.prims.Convolution.ConvDimensionNumbers;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The ops cases by name, each the jax4j transcription of its definition in
 * {@code generate/jax_fixtures.py} (the fixture README's reference), with its tolerance class.
 * Literal shapes and constants are the definition's; shapes of the inputs come from the file.
 */
final class OpsCases {
    private OpsCases() {}

    /** A case's function of all its inputs (float and integer), given the file's shared values. */
    @FunctionalInterface
    interface OpFn {
        Array apply(List<Array> inputs, OpsContext ctx);
    }

    /** A case: its function and its tolerance class. */
    record OpCase(OpFn fn, Tolerance tolerance) {}

    /**
     * Cases whose results are matmuls, convolutions or long reductions: {@link Tolerance#LONG}
     * (the products and sums are accumulated in another order than XLA's). All others are
     * {@link Tolerance#ELEMENTWISE}.
     */
    static final Set<String> LONG = Set.of("matmul", "bmm", "einsum_bij_bjk", "einsum_rowdot", "vecdot", "matvec", "dense",
            "attention", "mlp2", "conv_same_s1", "conv_valid_s2", "conv_same_s2", "conv_dilated", "conv_patch", "conv_grouped",
            "avg_pool", "avg_pool_same");

    /**
     * The cases of the definition that need functions other branches are writing, with the function
     * each will use; until then they report SKIP "not implemented".
     */
    static final Map<String, String> PENDING = pending();

    private static Map<String, String> pending() {
        Map<String, String> m = new LinkedHashMap<>();
        return Map.copyOf(m);
    }

    static final Map<String, OpCase> CASES = table();

    private static Array w(double v) { return Array.weak(v); }

    private static Map<String, OpCase> table() {
        Map<String, OpCase> t = new LinkedHashMap<>();
        // unary, on normal(3, 4)
        unary(t, "neg", Np::negative);
        unary(t, "exp", Np::exp);
        unary(t, "tanh", Np::tanh);
        unary(t, "sigmoid", Nn::sigmoid);
        unary(t, "sin", Np::sin);
        unary(t, "cos", Np::cos);
        unary(t, "abs", Np::abs);
        unary(t, "relu", Nn::relu);
        unary(t, "gelu_tanh", x -> Nn.gelu(x, true));
        unary(t, "gelu_erf", x -> Nn.gelu(x, false));
        unary(t, "softplus", Nn::softplus);
        unary(t, "silu", Nn::silu);
        unary(t, "square", Np::square);
        unary(t, "erf", Lax::erf);
        unary(t, "expm1", Np::expm1);
        unary(t, "elu", Nn::elu);
        unary(t, "leaky_relu", Nn::leakyRelu);
        unary(t, "sign_times", x -> Np.multiply(Np.multiply(Np.sign(x), x), x));
        unary(t, "logsumexp", x -> Nn.logsumexp(x, -1));
        unary(t, "softmax", x -> Nn.softmax(x, -1));
        unary(t, "log_softmax", x -> Nn.logSoftmax(x, -1));
        unary(t, "sum0", x -> Np.sum(x, 0));
        unary(t, "mean1", x -> Np.mean(x, 1));
        unary(t, "max1", x -> Np.max(x, 1));
        unary(t, "min0", x -> Np.min(x, 0));
        unary(t, "var0", x -> Np.var(x, 0));
        unary(t, "std1", x -> Np.std(x, 1));
        unary(t, "transpose", Np::transpose);
        unary(t, "reshape", x -> Np.reshape(x, 2, 6));
        unary(t, "clip", x -> Np.clip(x, -0.5, 0.5));
        unary(t, "where", x -> Np.where(Np.greater(x, w(0)), x, Np.multiply(w(0.1), x)));
        unary(t, "maximum_const", x -> Np.maximum(x, w(0.2)));
        unary(t, "broadcast_to", x -> Np.broadcastTo(Np.expandDims(x, 1), 3, 2, 4));
        unary(t, "expand_sum", x -> Np.sum(Np.multiply(Np.expandDims(x, 0), Np.expandDims(x, 1)), 0));
        unary(t, "sum_all", Np::sum);
        unary(t, "l2norm", x -> Np.sqrt(Np.sum(Np.multiply(x, x))));
        unary(t, "prod1", x -> Np.prod(x, 1));
        unary(t, "cumsum1", x -> Np.cumsum(x, 1));
        unary(t, "slice", x -> Np.slice(x, new int[]{1, Np.NONE}, new int[]{Np.NONE, Np.NONE}, new int[]{Np.NONE, 2}));
        unary(t, "flip", x -> Np.flip(x, 1));
        unary(t, "pad", x -> Np.pad(x, new int[][]{{1, 0}, {0, 2}}));
        unary(t, "concat", x -> Np.concatenate(java.util.List.of(x, Np.multiply(w(2), x)), 0));
        unary(t, "stack", x -> Np.stack(java.util.List.of(x, Np.multiply(x, x)), -1));
        // unary, on positive inputs
        unary(t, "log", Np::log);
        unary(t, "sqrt", Np::sqrt);
        unary(t, "rsqrt", Lax::rsqrt);
        unary(t, "reciprocal", x -> Np.divide(w(1.0), x));
        unary(t, "log1p", Np::log1p);
        unary(t, "pow_const", x -> Np.power(x, 1.7));
        unary(t, "integer_pow3", x -> Np.power(x, 3));
        // binary
        binary(t, "add_bcast", Np::add);
        binary(t, "sub_bcast", Np::subtract);
        binary(t, "mul", Np::multiply);
        binary(t, "mul_bcast", Np::multiply);
        binary(t, "maximum", Np::maximum);
        binary(t, "minimum", Np::minimum);
        binary(t, "atan2", Np::arctan2);
        binary(t, "matmul", Np::matmul);
        binary(t, "bmm", Np::matmul);
        binary(t, "einsum_bij_bjk", (p, q) -> Np.einsum("bij,bjk->bik", p, q));
        binary(t, "einsum_rowdot", (p, q) -> Np.einsum("ij,ij->i", p, q));
        binary(t, "outer", Np::outer);
        binary(t, "vecdot", Np::dot);
        binary(t, "matvec", Np::dot);
        binary(t, "div", Np::divide);
        binary(t, "pow", Np::power);
        put(t, "dense", (in, c) -> Np.add(Np.matmul(in.get(0), in.get(1)), in.get(2)));
        // convolutions (NHWC, HWIO) and Flax pooling
        conv(t, "conv_same_s1", new int[]{1, 1}, "SAME", null, 1);
        conv(t, "conv_valid_s2", new int[]{2, 2}, "VALID", null, 1);
        conv(t, "conv_same_s2", new int[]{2, 2}, "SAME", null, 1);
        conv(t, "conv_dilated", new int[]{1, 1}, "SAME", new int[]{2, 2}, 1);
        conv(t, "conv_patch", new int[]{4, 4}, "VALID", null, 1);
        conv(t, "conv_grouped", new int[]{1, 1}, "SAME", null, 2);
        unary(t, "avg_pool", x -> Pooling.avgPool(x, new int[]{2, 2}, new int[]{2, 2}, "VALID"));
        unary(t, "max_pool", x -> Pooling.maxPool(x, new int[]{2, 2}, new int[]{2, 2}, "VALID"));
        unary(t, "avg_pool_same", x -> Pooling.avgPool(x, new int[]{3, 3}, new int[]{1, 1}, "SAME"));
        // losses
        put(t, "xent_int_labels", (in, c) -> Np.mean(Losses.softmaxCrossEntropyWithIntegerLabels(in.get(0), in.get(1))));
        put(t, "xent_onehot", (in, c) -> Np.mean(Losses.softmaxCrossEntropy(in.get(0), Nn.oneHot(c.labels(), 10))));
        put(t, "sigmoid_bce", (in, c) -> {
            Array l = Np.expandDims(c.labels(), 1);
            Array classes = Np.expandDims(Array.arange(3), 0);
            Array targets = Np.astype(Np.equal(Np.remainder(l, w(2)), Np.remainder(classes, w(2))), DType.F32);
            return Np.mean(Losses.sigmoidBinaryCrossEntropy(in.get(0), targets));
        });
        put(t, "take_along", (in, c) -> Np.takeAlongAxis(in.get(0), Np.expandDims(in.get(1), 1), 1));
        put(t, "gather_rows", (in, c) -> Np.getRows(in.get(0), in.get(1)));
        put(t, "l2_loss", (in, c) -> Np.sum(Losses.l2Loss(in.get(0), in.get(1))));
        // layers
        put(t, "layernorm", (in, c) -> {
            Array x = in.get(0);
            Array centered = Np.subtract(x, Np.mean(x, new int[]{-1}, true));
            Array scale = Lax.rsqrt(Np.add(Np.var(x, new int[]{-1}, 0, true), w(1e-6)));
            return Np.add(Np.multiply(Np.multiply(centered, scale), in.get(1)), in.get(2));
        });
        put(t, "batchnorm_train", (in, c) -> {
            Array x = in.get(0);
            Array scale = Lax.rsqrt(Np.add(Np.var(x, 0), w(1e-5)));
            return Np.add(Np.multiply(Np.multiply(Np.subtract(x, Np.mean(x, 0)), scale), in.get(1)), in.get(2));
        });
        put(t, "attention", (in, c) -> {
            Array scores = Np.einsum("bqd,bkd->bqk", in.get(0), in.get(1));
            return Np.matmul(Nn.softmax(Np.divide(scores, w(Math.sqrt(8.0))), -1), in.get(2));
        });
        put(t, "mlp2", (in, c) -> Np.matmul(Np.tanh(Np.matmul(in.get(0), in.get(1))), in.get(2)));
        return Map.copyOf(t);
    }

    private static void put(Map<String, OpCase> t, String name, OpFn fn) {
        t.put(name, new OpCase(fn, LONG.contains(name) ? Tolerance.LONG : Tolerance.ELEMENTWISE));
    }

    private static final ConvDimensionNumbers NHWC = ConvDimensionNumbers.of("NHWC", "HWIO", "NHWC");

    private static void conv(Map<String, OpCase> t, String name, int[] strides, String padding, int[] rhsDilation, int groups) {
        binary(t, name, (x, k) -> Lax.convGeneralDilated(x, k, strides, padding, null, rhsDilation, NHWC, groups));
    }

    private static void unary(Map<String, OpCase> t, String name, Function<Array, Array> f) {
        put(t, name, (in, c) -> f.apply(in.getFirst()));
    }

    private static void binary(Map<String, OpCase> t, String name, java.util.function.BinaryOperator<Array> f) {
        put(t, name, (in, c) -> f.apply(in.get(0), in.get(1)));
    }

    // ---------------------------------------------------------------- higher order and vmap

    /** The scalar functions of {@code higher_order[]}. */
    static final Map<String, Function<Array, Array>> SCALAR_FUNCTIONS = Map.of(
            "tanh", x -> Np.sum(Np.tanh(x)),
            "x_sin_x", x -> Np.sum(Np.multiply(x, Np.sin(x))),
            "softplus", x -> Np.sum(Nn.softplus(x)));

    /** The loss of {@code vmap_grad}, keyed by the text the file gives for it. */
    static final Map<String, io.vavr.Function3<Array, Array, Array, Array>> VMAP_LOSSES = Map.of(
            "sum((tanh(x@w)-y)^2)", (wt, x, y) -> Np.sum(Np.power(Np.subtract(Np.tanh(Np.matmul(x, wt)), y), 2)));
}
