package io.jax4j;

import io.jax4j.core.Jax4jException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleBinaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Array#get} and {@link Array#at} against NumPy's indexing rules written out one element at
 * a time ({@link Naive}): which input element each output element reads, with the advanced axes
 * placed as NumPy places them.
 */
class ArrayIndexingTest {
    private final Random random = new Random(5);

    private static final int[] SHAPE = {4, 5, 6};

    /** The index expressions every read and update is checked on (x has shape [4, 5, 6]). */
    private static List<Object[]> cases() {
        Array idx1 = Array.of(2, -1, 0);
        Array idx2 = Array.of(new int[]{1, 3, 3, 0}).reshape(2, 2);
        Array dup = Array.of(1, 1, 3, 1);
        Array oob = Array.of(0, 7, -9, 2);
        Array mask = Array.of(true, false, true, true);
        Array mask2 = Array.of(new boolean[]{true, false, false, true, false, false, true, false, false, true,
                false, false, false, false, true, true, false, true, false, false}).reshape(4, 5);
        return List.of(
                new Object[]{0}, new Object[]{-1}, new Object[]{":, 0"}, new Object[]{"1:3, ::-1, -1"},
                new Object[]{"..., 2"}, new Object[]{"..., None, 2"}, new Object[]{"None, ..., ::2"},
                new Object[]{"::-2, 1:5:3, -4:"}, new Object[]{"2:1"}, new Object[]{1, "...", 1},
                new Object[]{":", 9}, new Object[]{-17, 0},
                new Object[]{idx1}, new Object[]{":", idx1}, new Object[]{"...", idx2}, new Object[]{idx2, ":", Array.of(4, -2)},
                new Object[]{":", idx1, idx1}, new Object[]{0, ":", idx1}, new Object[]{idx1, 2}, new Object[]{idx2, null, "::2"},
                new Object[]{dup}, new Object[]{":", dup, "1:3"}, new Object[]{oob}, new Object[]{":", ":", oob},
                new Object[]{mask}, new Object[]{mask2}, new Object[]{":", Array.of(true, false, true, false, true), 3},
                new Object[]{new int[]{3, 0}, Array.scalar(2)}, new Object[]{Array.scalar(-2), "1:4"},
                new Object[]{Index.slice(1, null, 2), Index.NEW_AXIS, Index.ELLIPSIS});
    }

    private Array data() {
        double[] v = new double[4 * 5 * 6];
        for (int i = 0; i < v.length; i++) v[i] = Math.round(random.nextGaussian() * 100) / 10.0;
        return Array.of(v).astype(DType.F32).reshape(SHAPE);
    }

    @Test
    void readsMatchNumPysRules() {
        Array x = data();
        for (Object[] items : cases()) {
            Naive n = Naive.of(SHAPE, Index.of(items));
            Array got = x.get(items);
            String what = Arrays.deepToString(items);
            assertArrayEquals(n.shape(), got.shape(), what);
            assertArrayEquals(n.read(x.toDoubleArray(), Double.NaN, false), got.toDoubleArray(), 0, what);
            assertArrayEquals(got.toDoubleArray(), x.at(items).get().toDoubleArray(), 0, what + " at().get()");
            assertArrayEquals(n.read(x.toDoubleArray(), Double.NaN, true), x.at(items).get(Index.Mode.FILL).toDoubleArray(), 0,
                    what + " mode FILL");
            assertArrayEquals(n.read(x.toDoubleArray(), -5, true), x.at(items).get(Index.Mode.FILL, -5.0).toDoubleArray(), 0,
                    what + " mode FILL -5");
        }
    }

    @Test
    void updatesMatchNumPysRules() {
        Array x = data();
        record How(String name, DoubleBinaryOperator op) {}
        for (Object[] items : cases()) {
            Naive n = Naive.of(SHAPE, Index.of(items));
            String what = Arrays.deepToString(items);
            double[] v = new double[Math.toIntExact(Arrays.stream(n.shape()).asLongStream().reduce(1, (a, b) -> a * b))];
            for (int i = 0; i < v.length; i++) v[i] = 1 + (i % 7) / 4.0;
            Array values = Array.of(v).astype(DType.F32).reshape(n.shape());
            for (How how : List.of(new How("set", (a, b) -> b), new How("add", Double::sum), new How("mul", (a, b) -> a * b),
                    new How("min", Math::min), new How("max", Math::max))) {
                for (Index.Mode mode : List.of(Index.Mode.DROP, Index.Mode.CLIP)) {
                    At at = x.at(items);
                    Array got = switch (how.name()) {
                        case "set" -> at.set(values, mode);
                        case "add" -> at.add(values, mode);
                        case "mul" -> at.multiply(values, mode, false);
                        case "min" -> at.min(values, mode);
                        default -> at.max(values, mode);
                    };
                    double[] want = n.update(x.toDoubleArray(), v, how.op(), mode == Index.Mode.DROP);
                    assertArrayEquals(SHAPE, got.shape(), what);
                    assertArrayEquals(want, got.toDoubleArray(), 1e-5, what + " " + how.name() + " " + mode);
                }
            }
        }
    }

    @Test
    void scalarValuesBroadcastAndCastToTheArraysDtype() {
        Array x = Array.arange(6).reshape(2, 3);
        assertEquals(DType.I32, x.dtype());
        Array y = x.at(":", 1).set(2.7f);
        assertEquals(DType.I32, y.dtype());
        assertArrayEquals(new int[]{0, 2, 2, 3, 2, 5}, y.toIntArray());
        assertArrayEquals(new int[]{0, 1, 2, 3, 4, 5}, x.toIntArray(), "x itself is unchanged");
        assertArrayEquals(new int[]{0, 1, 12, 3, 4, 15}, x.at(":", -1).add(Array.of(10)).toIntArray());
        assertArrayEquals(new int[]{0, -1, 2, 3, 4, 5}, x.at(0, 1).subtract(2).toIntArray());
        assertArrayEquals(new float[]{0, 0.5f, 1, 3, 4, 5}, x.astype(DType.F32).at(0).divide(2f).toFloatArray(), 0);
        assertArrayEquals(new int[]{1, 1, 2, 3, 4, 5}, x.at(0).max(1).toIntArray());
        Array flags = Array.of(true, false, true);
        assertArrayEquals(new boolean[]{true, true, true}, toBooleans(flags.at(1).set(Array.of(true).reshape())));
        assertArrayEquals(new int[]{2, 5}, x.get(":", -1).toIntArray());
    }

    @Test
    void badIndicesSayWhatIsWrong() {
        Array x = Array.zeros(3, 4);
        assertMessage(() -> x.get(0, 1, 2), "too many indices", "f32[3,4]", "2-dimensional");
        assertMessage(() -> x.get("..., 0, ..."), "single ellipsis");
        assertMessage(() -> x.get(Array.of(0.5f, 1.5f)), "integers or booleans", "f32[2]", "astype");
        assertMessage(() -> x.get("1:2:0"), "step cannot be zero");
        assertMessage(() -> x.get("a"), "cannot read 'a'", "start:stop:step");
        assertMessage(() -> x.get(1.5), "cannot index with Double");
        assertMessage(() -> x.at(Array.of(0, 1)).set(Array.zeros(3)), "x.at[i32[2]].set", "f32[3]", "[2, 4]");
        assertMessage(() -> x.at(0).get(Index.Mode.DROP), "DROP is for updates");
        assertMessage(() -> x.at(0).set(Array.zeros(4), Index.Mode.FILL), "FILL is for reads");
        assertMessage(() -> Array.arange(3).at(0).divide(2), "floating-point", "i32[3]");
    }

    @Test
    void theSyntaxReadsAsPythonDoes() {
        assertEquals("[1:3, ::-1, ..., None, -1, 0:]", Index.parse("1:3, ::-1, ..., None, -1, 0:").toString());
        assertEquals("[0, None, :, 2:5:2]", Index.of(0L, null, Index.ALL, Index.slice(2, 5, 2)).toString());
    }

    private static boolean[] toBooleans(Array a) {
        int[] v = a.astype(DType.I32).toIntArray();
        boolean[] out = new boolean[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i] != 0;
        return out;
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String... parts) {
        Jax4jException e = assertThrows(Jax4jException.class, call);
        for (String part : parts) assertTrue(e.getMessage().contains(part), () -> "'" + part + "' missing from: " + e.getMessage());
    }

    /**
     * NumPy indexing written out: for every output element, the flat position of the input element
     * it reads (clamped into range, as JAX does) and whether the index was out of range.
     */
    record Naive(int[] shape, long[] positions, boolean[] outOfRange) {

        static Naive of(int[] operand, List<Index> index) {
            List<Index> items = new ArrayList<>();
            for (Index i : index) {   // boolean masks: their nonzero coordinates, one array per masked axis
                if (i instanceof Index.Dynamic d && d.indices().dtype() == DType.BOOL) {
                    int[] m = d.indices().astype(DType.I32).toIntArray();
                    int[] dims = d.indices().shape();
                    List<int[]> columns = new ArrayList<>();
                    for (int a = 0; a < dims.length; a++) columns.add(new int[(int) Arrays.stream(m).filter(v -> v != 0).count()]);
                    for (int k = 0, h = 0; k < m.length; k++) {
                        if (m[k] == 0) continue;
                        int[] c = unravel(k, dims);
                        for (int a = 0; a < dims.length; a++) columns.get(a)[h] = c[a];
                        h++;
                    }
                    for (int[] c : columns) items.add(new Index.Dynamic(Array.of(c)));
                } else items.add(i);
            }
            long consuming = items.stream().filter(i -> !(i instanceof Index.Ellipsis || i instanceof Index.NewAxis)).count();
            int at = items.indexOf(Index.ELLIPSIS);
            if (at >= 0) items.remove(at);
            else at = items.size();
            for (long k = consuming; k < operand.length; k++) items.add(at, Index.ALL);
            List<Integer> dims = new ArrayList<>();   // the operand with a unit axis per None
            List<Index> perAxis = new ArrayList<>();
            for (int i = 0, axis = 0; i < items.size(); i++) {
                if (items.get(i) instanceof Index.NewAxis) {
                    dims.add(1);
                    perAxis.add(Index.ALL);
                } else {
                    dims.add(operand[axis++]);
                    perAxis.add(items.get(i));
                }
            }
            int n = perAxis.size();
            List<Integer> advanced = new ArrayList<>();
            List<int[]> advValues = new ArrayList<>();
            List<int[]> advShapes = new ArrayList<>();
            List<int[]> ranges = new ArrayList<>();
            for (int a = 0; a < n; a++) {
                switch (perAxis.get(a)) {
                    case Index.Int i -> {
                        advanced.add(a);
                        advValues.add(new int[]{(int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, i.value()))});
                        advShapes.add(new int[0]);
                        ranges.add(null);
                    }
                    case Index.Dynamic d -> {
                        advanced.add(a);
                        advValues.add(d.indices().toIntArray());
                        advShapes.add(d.indices().shape());
                        ranges.add(null);
                    }
                    case Index.Slice s -> ranges.add(pythonRange(s, dims.get(a)));
                    default -> throw new IllegalStateException();
                }
            }
            int batchRank = advShapes.stream().mapToInt(s -> s.length).max().orElse(0);
            int[] batch = new int[batchRank];
            Arrays.fill(batch, 1);
            for (int[] s : advShapes) {
                for (int k = 0; k < s.length; k++) {
                    int b = batchRank - s.length + k;
                    if (batch[b] == 1) batch[b] = s[k];
                }
            }
            boolean adjacent = advanced.isEmpty() || advanced.getLast() - advanced.getFirst() == advanced.size() - 1;
            int batchAt = adjacent && !advanced.isEmpty() ? advanced.getFirst() : 0;
            List<Integer> sliceAxes = new ArrayList<>();
            for (int a = 0; a < n; a++) if (!advanced.contains(a)) sliceAxes.add(a);
            int before = (int) sliceAxes.stream().filter(a -> a < batchAt).count();   // slice axes ahead of the batch axes
            List<Integer> outShape = new ArrayList<>();
            for (int k = 0; k < sliceAxes.size(); k++) {
                if (k == before) for (int b : batch) outShape.add(b);
                outShape.add(ranges.get(sliceAxes.get(k)).length);
            }
            if (before == sliceAxes.size()) for (int b : batch) outShape.add(b);
            int[] shape = outShape.stream().mapToInt(Integer::intValue).toArray();
            int size = Arrays.stream(shape).reduce(1, (p, q) -> p * q);
            long[] positions = new long[size];
            boolean[] oob = new boolean[size];
            for (int o = 0; o < size; o++) {
                int[] coord = unravel(o, shape);
                long flat = 0;
                for (int a = 0, sk = 0; a < n; a++) {
                    int dim = dims.get(a);
                    long pos;
                    int j = advanced.indexOf(a);
                    if (j >= 0) {   // NumPy broadcasting: trailing axes align, unit axes repeat
                        int[] s = advShapes.get(j);
                        int e = 0;
                        for (int k = 0; k < s.length; k++) e = e * s[k] + (s[k] == 1 ? 0 : coord[before + batchRank - s.length + k]);
                        long v = advValues.get(j)[e];
                        if (v < 0) v += dim;
                        if (v < 0 || v >= dim) oob[o] = true;
                        pos = Math.max(0, Math.min(v, dim - 1));
                    } else {
                        pos = ranges.get(a)[coord[sk < before ? sk : sk + batchRank]];
                        sk++;
                    }
                    flat = flat * dim + pos;
                }
                positions[o] = flat;
            }
            return new Naive(shape, positions, oob);
        }

        double[] read(double[] x, double fill, boolean fillOutOfRange) {
            double[] out = new double[positions.length];
            for (int o = 0; o < out.length; o++) out[o] = fillOutOfRange && outOfRange[o] ? fill : x[(int) positions[o]];
            return out;
        }

        /** The updates applied one after another in row-major order (so on repeated indices the last set wins). */
        double[] update(double[] x, double[] values, DoubleBinaryOperator how, boolean dropOutOfRange) {
            double[] out = x.clone();
            for (int o = 0; o < positions.length; o++) {
                if (dropOutOfRange && outOfRange[o]) continue;
                int p = (int) positions[o];
                out[p] = (float) how.applyAsDouble(out[p], values[o]);
            }
            return out;
        }

        private static int[] pythonRange(Index.Slice s, int n) {
            int step = s.step() == null ? 1 : s.step();
            int start = s.start() == null ? (step > 0 ? 0 : n - 1) : bound(s.start(), n, step);
            int stop = s.stop() == null ? (step > 0 ? n : -1) : bound(s.stop(), n, step);
            List<Integer> out = new ArrayList<>();
            for (int i = start; step > 0 ? i < stop : i > stop; i += step) out.add(i);
            return out.stream().mapToInt(Integer::intValue).toArray();
        }

        private static int bound(int v, int n, int step) {
            if (v < 0) v += n;
            return step > 0 ? Math.min(Math.max(v, 0), n) : Math.min(Math.max(v, -1), n - 1);
        }

        private static int[] unravel(int flat, int[] shape) {
            int[] c = new int[shape.length];
            for (int a = shape.length - 1; a >= 0; a--) {
                c[a] = flat % shape[a];
                flat /= shape[a];
            }
            return c;
        }
    }
}
