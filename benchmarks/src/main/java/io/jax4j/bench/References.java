package io.jax4j.bench;

import io.jax4j.ir.Eqn;
import io.jax4j.ir.Jaxpr;
import io.jax4j.prims.LinearAlgebra.DotParams;
import io.jax4j.xla.cpu.CpuBackend;
import io.jax4j.xla.internal.CDialect;
import io.jax4j.xla.internal.ConvSpec;
import io.jax4j.xla.internal.GemmSpec;
import io.jax4j.xla.internal.KernelPlan;
import io.jax4j.xla.internal.Lowering;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** The in-run references: OpenBLAS called directly, and W4 as one hand-written C loop. */
final class References {
    private References() {}

    /** One sgemm call as the step makes it: row-major, flags, sizes, leading dimensions. */
    record Gemm(boolean ta, boolean tb, int m, int n, int k, int lda, int ldb, int ldc, long count) {
        double flop() { return 2.0 * m * n * k * count; }
    }

    /** The GEMMs of a step: its dot_generals and the per-group GEMMs of its convolutions, as lowered. */
    static List<Gemm> gemmsOf(Jaxpr step) {
        // the closed jaxpr's constants become arguments, as jit passes them
        Jaxpr open = new Jaxpr(io.vavr.collection.Vector.empty(), step.constvars().appendAll(step.invars()), step.eqns(), step.outvars());
        KernelPlan plan = Lowering.lower(open, null, "gemms", CDialect.INSTANCE).plan();
        List<Gemm> out = new ArrayList<>();
        for (KernelPlan.Step s : plan.steps()) {
            if (s instanceof KernelPlan.Gemm g) {
                Eqn e = g.eqn();
                GemmSpec spec = GemmSpec.of((DotParams) e.params(), e.inputs().get(0).aval().dims(), e.inputs().get(1).aval().dims());
                out.add(new Gemm(spec.transA(), spec.transB(), spec.m(), spec.n(), spec.k(), spec.lda(), spec.ldb(), Math.max(1, spec.n()), spec.batch()));
            } else if (s instanceof KernelPlan.Conv c) {
                ConvSpec spec = c.spec();
                if (spec.method() == ConvSpec.Method.DIRECT || spec.method() == ConvSpec.Method.DIRECT_WEIGHTS) {
                    // no GEMM runs; the reference is the GEMM im2col would make
                    out.add(new Gemm(false, false, (int) spec.m(), spec.o(), spec.k(), spec.k(), spec.o(), spec.o(), 1));
                    continue;
                }
                if (spec.method() == ConvSpec.Method.GEMM_THEN_GATHER) {
                    int wide = spec.taps() * spec.o();
                    out.add(new Gemm(false, false, (int) spec.m(), wide, spec.k(), spec.k(), wide, wide, 1));
                    continue;
                }
                out.add(new Gemm(spec.transposed(), false, (int) spec.m(), spec.o() / spec.groups(), spec.k(),
                        spec.transposed() ? (int) spec.m() : spec.k(), spec.o(), spec.o(), spec.groups()));
            }
        }
        return out;
    }

    /** Runs the GEMMs once, on buffers allocated here (random-free: OpenBLAS time does not depend on values). */
    static Runnable gemmRunner(List<Gemm> gemms) {
        List<Runnable> calls = new ArrayList<>();
        for (Gemm g : gemms) {
            long sa = (long) g.m() * g.k(), sb = (long) g.k() * Math.max(g.n(), g.ldb()), sc = (long) g.m() * g.ldc();
            // explicitly zeroed: recycled malloc memory may hold denormals, on which OpenBLAS runs ~100x slower
            FloatPointer a = new FloatPointer(sa), b = new FloatPointer(sb), c = new FloatPointer(sc);
            org.bytedeco.javacpp.Pointer.memset(a, 0, sa * 4);
            org.bytedeco.javacpp.Pointer.memset(b, 0, sb * 4);
            org.bytedeco.javacpp.Pointer.memset(c, 0, sc * 4);
            for (long i = 0; i < g.count(); i++) {
                calls.add(() -> openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor,
                        g.ta() ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                        g.tb() ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                        g.m(), g.n(), g.k(), 1f, a, g.lda(), b, g.ldb(), 0f, c, g.ldc()));
            }
        }
        return () -> { for (Runnable r : calls) r.run(); };
    }

    /** W4 as one fused loop: value and gradient in one pass, same exp/tanh and compiler flags as generated kernels. */
    static final String W4_LOOP = """
            void w4_reference(const float* restrict x, float* restrict g, float* restrict value, long n) {
                double acc = 0;
                #pragma omp parallel for simd schedule(static) reduction(+:acc)
                for (long i = 0; i < n; i++) {
                    const float xi = x[i];
                    const float t = j4_tanhf(1.5f * xi + 0.5f);
                    const float e = j4_expf(-(xi * xi));
                    acc += t * e;
                    g[i] = (1.5f * (1.0f - t * t) - 2.0f * xi * t) * e;
                }
                *value = (float) acc;
            }
            """;

    static MethodHandle w4Loop() {
        var lib = CpuBackend.compileC(CDialect.INSTANCE.prelude() + "\n" + W4_LOOP, "w4_reference");
        return Linker.nativeLinker().downcallHandle(lib.find("w4_reference").orElseThrow(),
                FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
    }

    /** Buffers for the hand-written loop. */
    record W4Buffers(MemorySegment x, MemorySegment g, MemorySegment value) {
        static W4Buffers of(MemorySegment x, long n) {
            Arena a = Arena.ofAuto();
            return new W4Buffers(x, a.allocate(4 * n, 64), a.allocate(4));
        }
    }
}
