package io.jax4j.prims;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Np;
import io.jax4j.core.Jax4jException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static io.jax4j.prims.OpsFixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EinsumTest {

    @Test
    void fixtureCases() {
        OpsFixtures.Case bmm = OpsFixtures.get("einsum_bij_bjk");
        assertClose(bmm.output(), Np.einsum("bij,bjk->bik", bmm.inputs().get(0), bmm.inputs().get(1)), "einsum_bij_bjk");
        OpsFixtures.Case row = OpsFixtures.get("einsum_rowdot");
        assertClose(row.output(), Np.einsum("ij,ij->i", row.inputs().get(0), row.inputs().get(1)), "einsum_rowdot");
        // bilinear: the fixture JVP is einsum(dx, y) + einsum(x, dy)
        Array jvp = Np.add(Np.einsum("bij,bjk->bik", bmm.tangents().get(0), bmm.inputs().get(1)),
                Np.einsum("bij,bjk->bik", bmm.inputs().get(0), bmm.tangents().get(1)));
        assertClose(bmm.jvp(), jvp, "einsum_bij_bjk jvp");
    }

    /** Each einsum against a direct loop over all index assignments. */
    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "bij,bjk->bik; 2,3,4; 2,4,5",
            "ij,ij->i; 3,4; 3,4",
            "bqd,bkd->bqk; 2,3,4; 2,5,4",
            "ij,jk; 3,4; 4,2",
            "i,j->ij; 3; 4",
            "ijk,kj->i; 2,3,4; 4,3",
            "ab,cd->dc; 2,3; 4,5",
            "bhqd,bhkd->bhkq; 2,2,3,4; 2,2,5,4",
            "ij->ji; 3,4;",
            "ij->; 3,4;",
            "ijk->kj; 2,3,4;",
            "ij; 3,4;",
            "ji; 3,4;"})
    void matchesDirectLoop(String spec, String shapeA, String shapeB) {
        Random rng = new Random(spec.hashCode());
        Array a = TestArrays.normal(rng, DType.F64, parse(shapeA));
        Array[] ops = shapeB == null ? new Array[]{a} : new Array[]{a, TestArrays.normal(rng, DType.F64, parse(shapeB))};
        Array got = Np.einsum(spec, ops);
        Array expected = naive(spec, ops);
        assertArrayEquals(expected.shape(), got.shape(), spec);
        assertClose(expected.concrete("e"), got, 1e-12, 1e-12, spec);
    }

    @Test
    void tensordotIsEinsum() {
        Random rng = new Random(5);
        Array a = TestArrays.normal(rng, DType.F64, 2, 3, 4), b = TestArrays.normal(rng, DType.F64, 3, 4, 5);
        assertClose(Np.einsum("ijk,jkl->il", a, b).concrete("e"), Np.tensordot(a, b, 2), 1e-12, 1e-12, "tensordot 2");
        assertArrayEquals(new int[]{2, 5}, Np.tensordot(a, b, 2).shape());
        Array c = TestArrays.normal(rng, DType.F64, 4, 2);
        assertClose(Np.einsum("ijk,kl->ijl", a, c).concrete("e"), Np.tensordot(a, c, new int[]{-1}, new int[]{0}), 1e-12, 1e-12,
                "tensordot axes");
    }

    @Test
    void promotesDtypes() {
        Array a = Array.ones(DType.F32, 2, 3), b = Array.ones(DType.F64, 3);
        Array r = Np.einsum("ij,j->i", a, b);
        assertEquals(DType.F64, r.dtype());
        assertArrayEquals(new double[]{3, 3}, r.toDoubleArray());
    }

    @Test
    void errorsAreClear() {
        Array m = Array.zeros(3, 3);
        Jax4jException diag = assertThrows(Jax4jException.class, () -> Np.einsum("ii->i", m));
        assertTrue(diag.getMessage().contains("index 'i' is repeated in operand 0 ('ii')"), diag.getMessage());
        Jax4jException size = assertThrows(Jax4jException.class, () -> Np.einsum("ij,jk->ik", Array.zeros(2, 3), Array.zeros(4, 5)));
        assertTrue(size.getMessage().contains("index 'j' has size 3 in one operand and 4 in operand 1 f32[4,5]"), size.getMessage());
        Jax4jException rank = assertThrows(Jax4jException.class, () -> Np.einsum("ijk->i", m));
        assertTrue(rank.getMessage().contains("operand 0 f32[3,3] has 2 axes but its subscripts 'ijk' name 3"), rank.getMessage());
        Jax4jException count = assertThrows(Jax4jException.class, () -> Np.einsum("ij,jk->ik", m));
        assertTrue(count.getMessage().contains("name 2 operands but 1 were given"), count.getMessage());
        Jax4jException out = assertThrows(Jax4jException.class, () -> Np.einsum("ij->iz", m));
        assertTrue(out.getMessage().contains("output index 'z'"), out.getMessage());
        Jax4jException ell = assertThrows(Jax4jException.class, () -> Np.einsum("...i...j->ij", m));
        assertTrue(ell.getMessage().contains("one ellipsis"), ell.getMessage());
        Jax4jException ellRank = assertThrows(Jax4jException.class, () -> Np.einsum("...ijk->k", m));
        assertTrue(ellRank.getMessage().contains("has 2 axes for the subscripts"), ellRank.getMessage());
    }

    private static int[] parse(String s) {
        String[] parts = s.trim().split(",");
        int[] r = new int[parts.length];
        for (int i = 0; i < r.length; i++) r[i] = Integer.parseInt(parts[i].trim());
        return r;
    }

    /** The textbook definition: loop over every assignment of all letters, multiply, add into the output cell. */
    private static Array naive(String spec, Array... ops) {
        String[] sides = spec.split("->", -1);
        String[] ins = sides[0].split(",");
        String out;
        if (sides.length > 1) out = sides[1];
        else {
            Map<Character, Integer> count = new java.util.TreeMap<>();
            for (String in : ins) for (char c : in.toCharArray()) count.merge(c, 1, Integer::sum);
            StringBuilder sb = new StringBuilder();
            count.forEach((c, n) -> { if (n == 1) sb.append(c); });
            out = sb.toString();
        }
        Map<Character, Integer> size = new HashMap<>();
        for (int k = 0; k < ins.length; k++) for (int i = 0; i < ins[k].length(); i++) size.put(ins[k].charAt(i), ops[k].dim(i));
        String letters = size.keySet().stream().map(String::valueOf).reduce("", String::concat);
        int[] outShape = out.chars().map(c -> size.get((char) c)).toArray();
        int outSize = 1;
        for (int d : outShape) outSize *= d;
        double[] result = new double[outSize];
        double[][] data = new double[ops.length][];
        for (int k = 0; k < ops.length; k++) data[k] = ops[k].toDoubleArray();
        int[] idx = new int[letters.length()];
        int total = 1;
        for (char c : letters.toCharArray()) total *= size.get(c);
        for (int t = 0; t < total; t++) {
            int rest = t;
            for (int i = letters.length() - 1; i >= 0; i--) {
                idx[i] = rest % size.get(letters.charAt(i));
                rest /= size.get(letters.charAt(i));
            }
            double prod = 1;
            for (int k = 0; k < ops.length; k++) prod *= data[k][flat(ins[k], letters, idx, size)];
            result[flat(out, letters, idx, size)] += prod;
        }
        return Array.fromDoubles(DType.F64, result, outShape);
    }

    private static int flat(String sub, String letters, int[] idx, Map<Character, Integer> size) {
        int f = 0;
        for (char c : sub.toCharArray()) f = f * size.get(c) + idx[letters.indexOf(c)];
        return f;
    }
}
