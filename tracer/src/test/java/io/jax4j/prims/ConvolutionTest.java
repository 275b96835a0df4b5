package io.jax4j.prims;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.ShapedArray;
import io.jax4j.core.Ints;
import io.jax4j.core.Jax4jException;
import io.jax4j.core.Primitive;
import io.jax4j.core.StagingTrace;
import io.jax4j.core.UndefinedPrimal;
import io.jax4j.core.Vmap;
import io.jax4j.prims.Convolution.ConvDimensionNumbers;
import io.jax4j.prims.Convolution.ConvParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.jax4j.prims.OpsFixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConvolutionTest {
    private static final ConvDimensionNumbers NHWC = ConvDimensionNumbers.of("NHWC", "HWIO", "NHWC");
    private static final ConvDimensionNumbers NCHW = ConvDimensionNumbers.of("NCHW", "OIHW", "NCHW");

    /** The configuration of each fixture case, as jax_fixtures.py writes it (dn = NHWC, HWIO, NHWC). */
    private static ConvParams fixtureParams(String name, Array x, Array w) {
        int[] strides = switch (name) {
            case "conv_valid_s2", "conv_same_s2" -> new int[]{2, 2};
            case "conv_patch" -> new int[]{4, 4};
            default -> new int[]{1, 1};
        };
        String padding = name.contains("valid") || name.equals("conv_patch") ? "VALID" : "SAME";
        int[] rhsDilation = name.equals("conv_dilated") ? new int[]{2, 2} : new int[]{1, 1};
        int groups = name.equals("conv_grouped") ? 2 : 1;
        int[] window = {1 + rhsDilation[0] * (w.dim(0) - 1), 1 + rhsDilation[1] * (w.dim(1) - 1)};
        int[][] pads = Convolution.padtypeToPads(new int[]{x.dim(1), x.dim(2)}, window, strides, padding);
        return new ConvParams(Ints.of(strides), Convolution.flatPads(pads), Ints.of(1, 1), Ints.of(rhsDilation), NHWC, groups, 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"conv_same_s1", "conv_valid_s2", "conv_same_s2", "conv_dilated", "conv_patch", "conv_grouped"})
    void fixtureOutputJvpAndVjp(String name) {
        OpsFixtures.Case c = OpsFixtures.get(name);
        Array x = c.inputs().get(0), w = c.inputs().get(1);
        ConvParams p = fixtureParams(name, x, w);
        assertClose(c.output(), Convolution.CONV_GENERAL_DILATED.bind1(p, x, w), name + " output");

        Primitive.JvpResult jvp = Convolution.CONV_GENERAL_DILATED.jvpRule().apply(p, List.of(x, w), c.tangents());
        assertClose(c.output(), jvp.primals().getFirst(), name + " jvp primal");
        assertClose(c.jvp(), jvp.tangents().getFirst(), name + " jvp");

        var transpose = Convolution.CONV_GENERAL_DILATED.transposeRule();
        List<Array> dx = transpose.apply(p, List.of(c.cotangent()), List.of(new UndefinedPrimal(x.aval()), w));
        List<Array> dw = transpose.apply(p, List.of(c.cotangent()), List.of(x, new UndefinedPrimal(w.aval())));
        assertNull(dx.get(1));
        assertNull(dw.get(0));
        assertClose(c.vjp().get(0), dx.get(0), name + " vjp lhs");
        assertClose(c.vjp().get(1), dw.get(1), name + " vjp rhs");
    }

    @Test
    void stringPaddingFacadeMatchesFixture() {
        OpsFixtures.Case c = OpsFixtures.get("conv_same_s2");
        Array out = Lax.convGeneralDilated(c.inputs().get(0), c.inputs().get(1), new int[]{2, 2}, "SAME", null, null, NHWC, 1);
        assertClose(c.output(), out, "conv_same_s2 via Lax");
        OpsFixtures.Case d = OpsFixtures.get("conv_dilated");
        Array outD = Lax.convGeneralDilated(d.inputs().get(0), d.inputs().get(1), null, "SAME", null, new int[]{2, 2}, NHWC, 1);
        assertClose(d.output(), outD, "conv_dilated via Lax");
    }

    @Test
    void nchwLayoutAgreesWithNhwc() {
        Random rng = new Random(1);
        Array x = TestArrays.normal(rng, DType.F64, 2, 6, 5, 4);   // NHWC
        Array w = TestArrays.normal(rng, DType.F64, 3, 2, 2, 6);   // HWIO, 2 groups
        int[][] pads = {{1, 0}, {2, 1}};
        Array nhwc = Lax.convGeneralDilated(x, w, new int[]{2, 1}, pads, new int[]{1, 2}, new int[]{1, 2}, NHWC, 2);
        Array xc = Lax.transpose(x, 0, 3, 1, 2);
        Array wc = Lax.transpose(w, 3, 2, 0, 1);
        Array nchw = Lax.convGeneralDilated(xc, wc, new int[]{2, 1}, pads, new int[]{1, 2}, new int[]{1, 2}, NCHW, 2);
        assertClose(Lax.transpose(nhwc, 0, 3, 1, 2).concrete("t"), nchw, 1e-12, 1e-12, "NCHW vs NHWC");
    }

    @Test
    void implMatchesDirectSumOnOneElement() {
        Random rng = new Random(2);
        Array x = TestArrays.normal(rng, DType.F64, 1, 5, 4, 2);
        Array w = TestArrays.normal(rng, DType.F64, 2, 3, 2, 3);
        int[] s = {2, 1}, ld = {2, 1}, rd = {1, 2};
        int[][] pads = {{1, 2}, {2, 0}};
        Array out = Lax.convGeneralDilated(x, w, s, pads, ld, rd, NHWC, 1);
        double[] xs = x.toDoubleArray(), ws = w.toDoubleArray(), ys = out.toDoubleArray();
        int[] os = out.shape();
        for (int oy = 0; oy < os[1]; oy++) {
            for (int ox = 0; ox < os[2]; ox++) {
                for (int o = 0; o < os[3]; o++) {
                    double acc = 0;
                    for (int ky = 0; ky < 2; ky++) {
                        for (int kx = 0; kx < 3; kx++) {
                            int py = oy * s[0] + ky * rd[0] - pads[0][0], px = ox * s[1] + kx * rd[1] - pads[1][0];
                            if (py < 0 || px < 0 || py % ld[0] != 0 || px % ld[1] != 0) continue;
                            int iy = py / ld[0], ix = px / ld[1];
                            if (iy >= 5 || ix >= 4) continue;
                            for (int i = 0; i < 2; i++) acc += xs[(iy * 4 + ix) * 2 + i] * ws[((ky * 3 + kx) * 2 + i) * 3 + o];
                        }
                    }
                    assertEquals(acc, ys[(oy * os[2] + ox) * os[3] + o], 1e-12, "out[" + oy + "," + ox + "," + o + "]");
                }
            }
        }
        // output size: dilated 9 + 3 = 12, window 2, stride 2 -> 6; dilated 4 + 2 = 6, window 5 -> 2
        assertArrayEquals(new int[]{1, 6, 2, 3}, out.shape());
    }

    /** <ct, conv(x, w)> = <T_lhs(ct), x> = <T_rhs(ct), w> for strided, padded, dilated, grouped configurations. */
    @ParameterizedTest
    @ValueSource(strings = {"plain", "strided", "lhsDilated", "rhsDilated", "negativePad", "featureGroups", "batchGroups", "nchw"})
    void transposesPassTheDotProductTest(String config) {
        Random rng = new Random(config.hashCode());
        ConvDimensionNumbers dn = config.equals("nchw") ? NCHW : NHWC;
        int fgc = config.equals("featureGroups") ? 3 : 1, bgc = config.equals("batchGroups") ? 2 : 1;
        int[] s = config.equals("strided") ? new int[]{2, 3} : new int[]{1, 1};
        int[] ld = config.equals("lhsDilated") ? new int[]{2, 3} : new int[]{1, 1};
        int[] rd = config.equals("rhsDilated") ? new int[]{2, 1} : new int[]{1, 1};
        int[][] pads = config.equals("negativePad") ? new int[][]{{-1, 2}, {1, -1}} : new int[][]{{1, 2}, {0, 1}};
        int n = 2 * bgc, c = 6, o = 6;
        Array x = dn == NCHW ? TestArrays.normal(rng, DType.F64, n, c, 7, 8) : TestArrays.normal(rng, DType.F64, n, 7, 8, c);
        Array w = dn == NCHW ? TestArrays.normal(rng, DType.F64, o, c / fgc, 3, 2) : TestArrays.normal(rng, DType.F64, 3, 2, c / fgc, o);
        ConvParams p = new ConvParams(Ints.of(s), Convolution.flatPads(pads), Ints.of(ld), Ints.of(rd), dn, fgc, bgc);
        Array y = Convolution.CONV_GENERAL_DILATED.bind1(p, x, w);
        Array ct = TestArrays.normal(rng, DType.F64, y.shape());
        var t = Convolution.CONV_GENERAL_DILATED.transposeRule();
        Array dx = t.apply(p, List.of(ct), List.of(new UndefinedPrimal(x.aval()), w)).get(0);
        Array dw = t.apply(p, List.of(ct), List.of(x, new UndefinedPrimal(w.aval()))).get(1);
        double lhs = TestArrays.vdot(ct, y);
        assertEquals(lhs, TestArrays.vdot(dx, x), 1e-9 * Math.max(1, Math.abs(lhs)), config + ": <ct, J x> vs <J^T ct, x>");
        assertEquals(lhs, TestArrays.vdot(dw, w), 1e-9 * Math.max(1, Math.abs(lhs)), config + ": <ct, J w> vs <J^T ct, w>");
    }

    /** vmap over lhs, rhs or both (at various axes) equals the per-example loop. */
    @ParameterizedTest
    @ValueSource(strings = {"lhs", "rhs", "both", "lhsGrouped", "rhsGrouped", "bothGrouped", "lhsBatchGroups", "rhsBatchGroups",
            "bothBatchGroups"})
    void batchingMatchesPerExampleLoop(String config) {
        Random rng = new Random(config.hashCode());
        int fgc = config.endsWith("Grouped") ? 2 : 1, bgc = config.endsWith("BatchGroups") ? 2 : 1;
        boolean lm = !config.startsWith("rhs"), rm = !config.startsWith("lhs");
        int b = 3, lAxis = 2, rAxis = 4;
        int[] xs = {2 * bgc, 5, 4, 4}, ws = {3, 2, 4 / fgc, 4};
        Array x = TestArrays.normal(rng, DType.F64, lm ? insert(xs, lAxis, b) : xs);
        Array w = TestArrays.normal(rng, DType.F64, rm ? insert(ws, rAxis, b) : ws);
        ConvParams p = new ConvParams(Ints.of(2, 1), Convolution.flatPads(new int[][]{{1, 1}, {0, 1}}), Ints.of(1, 1), Ints.of(1, 2), NHWC,
                fgc, bgc);
        Array batched = (Array) Vmap.apply(args -> Lax.convGeneralDilated((Array) args.get(0), (Array) args.get(1), p), "conv",
                Arrays.asList(lm ? lAxis : null, rm ? rAxis : null), 0, List.of(x, w));
        assertEquals(b, batched.dim(0));
        for (int i = 0; i < b; i++) {
            Array xi = lm ? TestArrays.take(x, lAxis, i) : x, wi = rm ? TestArrays.take(w, rAxis, i) : w;
            Array expected = Convolution.CONV_GENERAL_DILATED.bind1(p, xi, wi);
            assertClose(expected.concrete("e"), TestArrays.take(batched, 0, i), 1e-12, 1e-12, config + " example " + i);
        }
    }

    private static int[] insert(int[] shape, int at, int v) {
        int[] r = new int[shape.length + 1];
        for (int i = 0, k = 0; i < r.length; i++) r[i] = i == at ? v : shape[k++];
        return r;
    }

    @Test
    void samePaddingIsPadtypeToPads() {
        assertArrayEquals(new int[][]{{1, 1}}, Convolution.padtypeToPads(new int[]{7}, new int[]{3}, new int[]{1}, "SAME"));
        // stride 2 on 8: out 4, total pad (4-1)*2+3-8 = 1, the odd element on the high side
        assertArrayEquals(new int[][]{{0, 1}}, Convolution.padtypeToPads(new int[]{8}, new int[]{3}, new int[]{2}, "SAME"));
        assertArrayEquals(new int[][]{{1, 1}}, Convolution.padtypeToPads(new int[]{7}, new int[]{3}, new int[]{2}, "SAME"));
        assertArrayEquals(new int[][]{{1, 2}}, Convolution.padtypeToPads(new int[]{5}, new int[]{4}, new int[]{1}, "SAME"));
        assertArrayEquals(new int[][]{{2, 1}}, Convolution.padtypeToPads(new int[]{5}, new int[]{4}, new int[]{1}, "SAME_LOWER"));
        // window larger than needed: never negative
        assertArrayEquals(new int[][]{{0, 0}}, Convolution.padtypeToPads(new int[]{8}, new int[]{4}, new int[]{4}, "SAME"));
        assertArrayEquals(new int[][]{{0, 0}, {0, 0}}, Convolution.padtypeToPads(new int[]{8, 9}, new int[]{3, 3}, new int[]{2, 2}, "VALID"));
        Jax4jException e = assertThrows(Jax4jException.class,
                () -> Convolution.padtypeToPads(new int[]{8}, new int[]{3}, new int[]{1}, "FULL"));
        assertTrue(e.getMessage().contains("FULL"), e.getMessage());
        // SAME keeps ceil(in / stride) outputs, also with a dilated kernel (effective window 5)
        Array y = Lax.convGeneralDilated(Array.zeros(1, 9, 9, 2), Array.zeros(3, 3, 2, 5), new int[]{2, 2}, "SAME", null, new int[]{2, 2},
                NHWC, 1);
        assertArrayEquals(new int[]{1, 5, 5, 5}, y.shape());
    }

    @Test
    void mismatchedFeatureCountsAreClearErrors() {
        Jax4jException e = assertThrows(Jax4jException.class,
                () -> Lax.convGeneralDilated(Array.zeros(2, 7, 7, 3), Array.zeros(3, 3, 4, 8), new int[]{1, 1}, "SAME", null, null, NHWC, 1));
        assertTrue(e.getMessage().contains("conv_general_dilated(f32[2,7,7,3], f32[3,3,4,8])"), e.getMessage());
        assertTrue(e.getMessage().contains("rhs input feature dimension (4)"), e.getMessage());
        Jax4jException g = assertThrows(Jax4jException.class,
                () -> Lax.convGeneralDilated(Array.zeros(1, 5, 5, 6), Array.zeros(3, 3, 3, 4), new int[]{1, 1}, "SAME", null, null, NHWC, 4));
        assertTrue(g.getMessage().contains("feature_group_count=4 must divide the lhs feature dimension 6"), g.getMessage());
        Jax4jException o = assertThrows(Jax4jException.class,
                () -> Lax.convGeneralDilated(Array.zeros(1, 5, 5, 4), Array.zeros(3, 3, 2, 3), new int[]{1, 1}, "SAME", null, null, NHWC, 2));
        assertTrue(o.getMessage().contains("rhs output feature dimension (3) must be a multiple of feature_group_count (2)"), o.getMessage());
        Jax4jException d = assertThrows(Jax4jException.class,
                () -> Lax.convGeneralDilated(Array.zeros(1, 5, 5, 4), Array.zeros(DType.F64, 3, 3, 4, 3), new int[]{1, 1}, "SAME", null, null,
                        NHWC, 1));
        assertTrue(d.getMessage().contains("one dtype"), d.getMessage());
        Jax4jException st = assertThrows(Jax4jException.class,
                () -> Lax.convGeneralDilated(Array.zeros(1, 5, 5, 4), Array.zeros(3, 3, 4, 3), new int[]{1}, "SAME", null, null, NHWC, 1));
        assertTrue(st.getMessage().contains("need one entry per spatial dimension (2)"), st.getMessage());
        Jax4jException spec = assertThrows(Jax4jException.class, () -> ConvDimensionNumbers.of("NHWC", "HWIX", "NHWC"));
        assertTrue(spec.getMessage().contains("'O' and 'I'"), spec.getMessage());
    }

    @Test
    void dimensionNumbersAreJaxPermutations() {
        assertEquals(new ConvDimensionNumbers(Ints.of(0, 3, 1, 2), Ints.of(3, 2, 0, 1), Ints.of(0, 3, 1, 2)), NHWC);
        assertEquals(new ConvDimensionNumbers(Ints.of(0, 1, 2, 3), Ints.of(0, 1, 2, 3), Ints.of(0, 1, 2, 3)), NCHW);
    }

    @Test
    void stagedConvPrintsItsParams() {
        StagingTrace t = new StagingTrace("conv");
        Array x = t.newArg(ShapedArray.of(DType.F32, 1, 5, 5, 2));
        Array w = t.newArg(ShapedArray.of(DType.F32, 3, 3, 2, 4));
        Array out = t.run(() -> Lax.convGeneralDilated(x, w, new int[]{2, 2}, "SAME", null, null, NHWC, 1));
        String s = t.build(List.of(out)).toString();
        assertTrue(s.contains("c:f32[1,3,3,4] = conv_general_dilated[batch_group_count=1 dimension_numbers=ConvDimensionNumbers("
                + "lhs_spec=(0, 3, 1, 2), rhs_spec=(3, 2, 0, 1), out_spec=(0, 3, 1, 2)) feature_group_count=1 lhs_dilation=(1, 1) "
                + "padding=((1, 1), (1, 1))"), s);
        assertTrue(s.contains("window_strides=(2, 2)] a b"), s);
    }

    @Test
    void referenceConvIsFastEnough() {
        Random rng = new Random(3);
        Array x = TestArrays.normal(rng, DType.F32, 2, 28, 28, 32);
        Array w = TestArrays.normal(rng, DType.F32, 3, 3, 32, 64);
        Lax.convGeneralDilated(x, w, new int[]{1, 1}, "SAME", null, null, NHWC, 1); // warm-up (JIT compilation of the loop)
        long t0 = System.nanoTime();
        Array y = Lax.convGeneralDilated(x, w, new int[]{1, 1}, "SAME", null, null, NHWC, 1);
        double ms = (System.nanoTime() - t0) / 1e6;
        assertArrayEquals(new int[]{2, 28, 28, 64}, y.shape());
        assertTrue(ms < 1000, "conv [2,28,28,32] x [3,3,32,64] took " + ms + " ms");
    }
}
