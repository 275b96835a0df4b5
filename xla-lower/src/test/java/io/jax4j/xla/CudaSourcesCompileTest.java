package io.jax4j.xla;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.Nn;
import io.jax4j.Np;
import io.jax4j.Pooling;
import io.jax4j.Random;
import io.jax4j.ShapedArray;
import io.jax4j.autodiff.Jax;
import io.jax4j.core.Primitive;
import io.jax4j.core.PrimitiveRegistry;
import io.jax4j.ir.Eqn;
import io.jax4j.ir.Jaxpr;
import io.jax4j.xla.internal.CudaDialect;
import io.jax4j.xla.internal.Lowering;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.jax4j.xla.Traced.f32;
import static io.jax4j.xla.Traced.i32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CUDA source of every primitive the cuda backend can meet compiles with the local
 * {@code nvcc -cubin -arch=sm_90}, so renderer errors show up on machines with no GPU. The
 * primitives are enumerated from {@link PrimitiveRegistry}: a primitive added later without a sample
 * program here fails {@link #everyRegisteredPrimitiveHasASample}. Each sample is lowered whole
 * (fused kernels and the dedicated native kernels: pooling windows, their gradients, threefry) in
 * the CUDA dialect, and all of them go into one translation unit, each program's kernels renamed
 * {@code s<sample>_<kernel>}. Skipped, saying so, where nvcc is not installed.
 */
class CudaSourcesCompileTest {
    /**
     * Primitives that never reach a backend: a nested call is inlined by the passes before lowering;
     * a collective is replaced by the vmap/pmap that binds its axis name (outside one it is an error
     * at trace time), so no jaxpr a backend compiles holds one.
     */
    static final Set<String> INLINED = Set.of("pjit", "psum", "pmax", "pmin", "all_gather", "reduce_scatter", "ppermute", "axis_index");

    static String nvccVersion() {
        try {
            Process p = new ProcessBuilder("nvcc", "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? out.lines().reduce((a, b) -> b).orElse("nvcc") : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    record Sample(String name, Function<List<Array>, List<Array>> f, ShapedArray[] avals) {}

    private static Sample s(String name, Function<List<Array>, List<Array>> f, ShapedArray... avals) { return new Sample(name, f, avals); }

    /** The backend contract's cases (every elementwise, reduction and structural family) and the rest. */
    static List<Sample> samples() {
        List<Sample> all = new ArrayList<>();
        for (AbstractBackendContractTest.Case c : AbstractBackendContractTest.cases()) all.add(new Sample(c.name(), c.f(), c.avals()));
        ShapedArray img = f32(2, 8, 8, 3), x = f32(6, 5), key = ShapedArray.of(DType.U32, 2);
        all.add(s("bitcast f32->i32->f32", a -> List.of(Lax.bitcastConvertType(Lax.add(Lax.bitcastConvertType(a.get(0), DType.I32),
                Lax.scalar(1, DType.I32)), DType.F32)), x));
        all.add(s("bitcast u32->f32 (random bits)", a -> List.of(Random.uniform(a.get(0), 4, 7)), key));
        all.add(s("threefry2x32", a -> Lax.threefry2x32(a.get(0), a.get(1), a.get(2), a.get(3)),
                ShapedArray.of(DType.U32), ShapedArray.of(DType.U32), ShapedArray.of(DType.U32, 9), ShapedArray.of(DType.U32, 9)));
        all.add(s("normal, dropout mask", a -> List.of(Random.normal(a.get(0), 5, 3), Random.bernoulli(a.get(0), 0.3, 64)), key));
        all.add(s("truncated normal (erf_inv)", a -> List.of(Random.truncatedNormal(a.get(0), -2, 2, 17)), key));
        all.add(s("erf_inv", a -> List.of(Lax.erfInv(a.get(0))), x));
        all.add(s("sort", a -> List.of(Np.sort(a.get(0), 1)), x));
        all.add(s("sort key/value", a -> Lax.sortKeyVal(a.get(0), a.get(1), 0), x, i32(6, 5)));
        all.add(s("argmax, argmin", a -> List.of(Np.argmax(a.get(0), 1), Lax.argmin(a.get(0), 0, DType.I32)), x));
        all.add(s("cumulative", a -> List.of(Lax.cumsum(a.get(0), 1, false), Lax.cumprod(a.get(0), 0, true),
                Lax.cummax(a.get(0), 1, false), Lax.cummin(a.get(0), 0, false)), x));
        all.add(s("gather (take)", a -> List.of(Np.take(a.get(0), a.get(1), 0)), x, i32(4)));
        all.add(s("one-hot labels, log-softmax", a -> List.of(Np.sum(Nn.oneHot(a.get(1), 5).mul(Nn.logSoftmax(a.get(0))))), x, i32(6)));
        all.add(s("scatter-add (gradient of take)", a -> List.of(Jax.grad((io.vavr.Function1<Array, Array>) t -> Np.sum(Np.take(t, a.get(1), 0))).apply(a.get(0))),
                x, i32(4)));
        all.add(s("dynamic slices", a -> List.of(Lax.dynamicUpdateSlice(a.get(0),
                Lax.dynamicSlice(a.get(0), List.of(a.get(1), a.get(1)), new int[]{2, 2}), List.of(a.get(1), a.get(1)))), x, i32()));
        all.add(s("pad, concatenate, rev, clamp, iota", a -> List.of(Lax.pad(a.get(0), Lax.scalar(0, DType.F32), new int[][]{{1, 2, 0}, {0, 0, 1}}),
                Lax.concatenate(List.of(a.get(0), Lax.rev(a.get(0), 0)), 1),
                Lax.clamp(Lax.scalar(-1, DType.F32), a.get(0), Lax.scalar(1, DType.F32)), Lax.iota(DType.I32, 7)), x));
        all.add(s("pooling windows", a -> List.of(Pooling.maxPool(a.get(0), new int[]{2, 2}, new int[]{2, 2}, "VALID"),
                Pooling.avgPool(a.get(0), new int[]{3, 3}, new int[]{1, 1}, "SAME"),
                Pooling.minPool(a.get(0), new int[]{2, 2}, new int[]{1, 1}, "VALID")), img));
        all.add(s("pooling gradients", a -> List.of(Jax.grad((io.vavr.Function1<Array, Array>) t -> Np.sum(Pooling.maxPool(t, new int[]{2, 2}, new int[]{2, 2}, "VALID")
                .add(Np.sum(Pooling.avgPool(t, new int[]{2, 2}, new int[]{2, 2}, "VALID"))))).apply(a.get(0))), img));
        all.add(s("max pool forward-mode (select_and_gather_add)", a -> List.of(Jax.jvp(
                (io.vavr.Function1<Array, Array>) t -> Pooling.maxPool(t, new int[]{2, 2}, new int[]{2, 2}, "VALID"), a.get(0), a.get(0)).tangentsOut()), img));
        all.add(s("convolution and both gradients", a -> {
            Function<Array, Array> loss = w -> Np.sum(Np.tanh(Lax.conv(a.get(0), w, new int[]{1, 1}, "SAME")));
            var g = Jax.grad((io.vavr.Function1<Array, Array>) loss::apply).apply(a.get(1));
            var gx = Jax.grad((io.vavr.Function1<Array, Array>) t -> Np.sum(Lax.conv(t, a.get(1), new int[]{1, 1}, "SAME"))).apply(a.get(0));
            return List.of(g, gx);
        }, f32(2, 3, 8, 8), f32(4, 3, 3, 3)));
        all.add(s("matmul with a fused epilogue", a -> List.of(Nn.relu(Np.matmul(a.get(0), a.get(1)).add(1f))), x, f32(5, 4)));
        all.add(s("stop_gradient, strided slice, product", a -> List.of(Lax.stopGradient(a.get(0)),
                Lax.slice(a.get(0), new int[]{1, 0}, new int[]{6, 5}, new int[]{2, 2}), Lax.reduceProd(a.get(0), 1)), x));
        all.add(s("across processes (host ops: the process group's all-reduce and all-gather)", a -> List.of(
                io.jax4j.prims.Collectives.PROCESS_ALLREDUCE.bind1(new io.jax4j.prims.Collectives.ProcessReduceParams("sum"), Np.tanh(a.get(0))),
                io.jax4j.prims.Collectives.PROCESS_ALLGATHER.bind1(new io.jax4j.prims.Collectives.ProcessGatherParams(1), a.get(0))), x));
        return all;
    }

    /** The lowered programs of every sample, with the primitive names their jaxprs (after the passes) hold. */
    record Lowered(Lowering.Program program, Set<String> primitives, Set<String> traced) {}

    static List<Lowered> lowerAll() {
        List<Lowered> out = new ArrayList<>();
        for (Sample smp : samples()) {
            Jaxpr traced;
            try {
                traced = Traced.traceWithConstants(smp.f(), smp.avals());
            } catch (RuntimeException e) {
                throw new AssertionError("sample '" + smp.name() + "': " + e.getMessage(), e);
            }
            Lowering.Program p = Lowering.lower(traced, null, smp.name(), CudaDialect.INSTANCE);
            Set<String> prims = new TreeSet<>();
            for (Eqn e : p.plan().jaxpr().eqns()) prims.add(e.primitive().name());
            Set<String> tracedPrims = new TreeSet<>();
            for (Eqn e : traced.eqns()) tracedPrims.add(e.primitive().name());
            out.add(new Lowered(p, prims, tracedPrims));
        }
        return out;
    }

    @Test
    void everyRegisteredPrimitiveHasASample() {
        Set<String> seen = new TreeSet<>();
        for (Lowered l : lowerAll()) {
            seen.addAll(l.primitives());
            seen.addAll(l.traced());
        }
        List<String> missing = new ArrayList<>();
        for (Primitive p : PrimitiveRegistry.all()) if (!seen.contains(p.name()) && !INLINED.contains(p.name())) missing.add(p.name());
        assertTrue(missing.isEmpty(), "registered primitives with no CUDA sample program in " + getClass().getSimpleName()
                + " (add one to samples()): " + missing);
    }

    /**
     * What NVRTC rejects and the local nvcc (in GNU mode, with a host compiler) accepts: a type defined
     * inside an expression, such as a compound-literal union ("type definition is not allowed"), and
     * GNU statement expressions. Runs everywhere, nvcc or not.
     */
    @Test
    void everySampleAvoidsWhatNvrtcRejects() {
        Pattern typeInExpression = Pattern.compile("\\(\\s*(union|struct)\\s*\\{[^}]*\\}\\s*\\)\\s*\\{"), statementExpression = Pattern.compile("\\(\\s*\\{");
        for (Lowered l : lowerAll()) {
            String src = l.program().source();
            Matcher m = typeInExpression.matcher(src);
            assertTrue(!m.find(), () -> "sample '" + l.program().name() + "': NVRTC rejects a type defined in an expression: " + m.group()
                    + "\n" + numbered(src));
            Matcher g = statementExpression.matcher(src);
            assertTrue(!g.find(), () -> "sample '" + l.program().name() + "': NVRTC rejects GNU statement expressions\n" + numbered(src));
        }
    }

    @Test
    void everySampleCompilesWithNvcc() throws Exception {
        String version = nvccVersion();
        Assumptions.assumeTrue(version != null, "nvcc not found on the PATH: the generated CUDA source is not compiled here (test skipped)");
        List<String> names = new ArrayList<>();
        String source = oneTranslationUnit(lowerAll(), names);
        assertTrue(names.size() > 100, "kernels: " + names.size());
        for (CudaDialect.Strategy st : CudaDialect.Strategy.values()) {
            // every reduction layout is among the samples
            assertTrue(source.contains(switch (st) {
                case THREAD_PER_ROW -> "for (int r = 0; r <";
                case BLOCK_PER_ROW -> "o += gridDim.x) {";
                case SPLIT_ROW -> "j4_last = atomicAdd(";
            }), st.toString());
        }
        Path dir = Files.createTempDirectory("jax4j-nvcc-");
        Path cu = dir.resolve("samples.cu"), cubin = dir.resolve("samples.cubin");
        Files.writeString(cu, source);
        Process p = new ProcessBuilder("nvcc", "-cubin", "-arch=sm_90", "-o", cubin.toString(), cu.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "nvcc timed out");
        assertEquals(0, p.exitValue(), () -> "nvcc (" + version + ") failed:\n" + log + "\n" + numbered(source));
        String elf = new String(Files.readAllBytes(cubin), StandardCharsets.ISO_8859_1);
        for (String n : names) assertTrue(elf.contains(n), "kernel " + n + " missing from the cubin");
    }

    /** The samples' sources after one shared prelude, every kernel (and its split-reduction globals) renamed per sample. */
    static String oneTranslationUnit(List<Lowered> lowered, List<String> names) {
        String prelude = CudaDialect.INSTANCE.prelude();
        StringBuilder sb = new StringBuilder(prelude);
        Pattern kernel = Pattern.compile("__global__ void __launch_bounds__\\(\\d+\\) (\\w+)\\(");
        int i = 0;
        for (Lowered l : lowered) {
            String src = l.program().source();
            assertTrue(src.startsWith(prelude), "a program's source starts with the dialect's prelude");
            String body = src.substring(prelude.length());
            Map<String, String> renames = new LinkedHashMap<>();
            Matcher m = kernel.matcher(body);
            while (m.find()) renames.put(m.group(1), "s" + i + "_" + m.group(1));
            renames.put("J4Slots", "J4Slots_s" + i);
            for (var e : renames.entrySet()) {
                body = body.replaceAll("\\b" + Pattern.quote(e.getKey()) + "\\b", e.getValue())
                        .replaceAll("(j4_(?:part|done)_)" + Pattern.quote(e.getKey()) + "\\b", "$1" + e.getValue());
                if (!e.getKey().equals("J4Slots")) names.add(e.getValue());
            }
            sb.append("\n// sample ").append(i).append(": ").append(l.program().name().replace('\n', ' ')).append('\n').append(body);
            i++;
        }
        return sb.toString();
    }

    static String numbered(String source) {
        StringBuilder sb = new StringBuilder();
        String[] lines = source.split("\n", -1);
        for (int i = 0; i < lines.length; i++) sb.append(String.format("%5d  %s%n", i + 1, lines[i]));
        return sb.toString();
    }
}
