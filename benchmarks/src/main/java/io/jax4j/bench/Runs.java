package io.jax4j.bench;

import io.jax4j.Array;
import io.jax4j.autodiff.Jax;
import io.jax4j.autodiff.ValueAndGrad;
import io.jax4j.bench.BenchCommand.Row;
import io.jax4j.core.ArrayImpl;
import io.jax4j.internal.NativeMemory;
import io.vavr.Function1;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.jax4j.bench.BenchCommand.median;
import static io.jax4j.bench.BenchCommand.min;

/** The workloads' timing loops. */
final class Runs {
    private Runs() {}

    /** Seconds of each of {@code repeats} runs of {@code body}. */
    static double[] seconds(int repeats, Runnable body) {
        double[] s = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            body.run();
            s[i] = (System.nanoTime() - t0) / 1e9;
        }
        return s;
    }

    /** Steps/s of a train step (repeats of {@code steps} steps) against its GEMMs alone in OpenBLAS. */
    static Row trainStep(String id, String what, Workloads.Step w, int repeats, int steps) {
        Object[] st = {w.init()};
        warmUntilCompiled(() -> st[0] = w.step(st[0]));
        settle();
        w.loss(st[0]);
        List<References.Gemm> gemms = References.gemmsOf(w.jaxpr());
        Runnable all = References.gemmRunner(gemms);
        for (int i = 0; i < 3; i++) all.run();
        // the step and its GEMMs alternate, so that both see the same load on a shared machine
        double[] s = new double[repeats], g = new double[repeats];
        for (int k = 0; k < repeats; k++) {
            s[k] = seconds(1, () -> {
                for (int i = 0; i < steps; i++) st[0] = w.step(st[0]);
                w.loss(st[0]);  // reads the result like a training loop (execution is synchronous)
            })[0];
            g[k] = seconds(1, () -> { for (int i = 0; i < steps; i++) all.run(); })[0];
        }
        double loss = w.loss(st[0]);
        if (!Double.isFinite(loss)) throw new IllegalStateException(id + ": the loss is " + loss);
        double rate = steps / median(s), best = steps / min(s), ref = steps / median(g);
        double gflop = gemms.stream().mapToDouble(References.Gemm::flop).sum() / 1e9;
        return new Row(id, what, rate, best, "steps/s", ref, String.format("%d GEMMs (%.2f GFLOP) alone", gemms.stream()
                .mapToLong(References.Gemm::count).sum(), gflop), pairedRatio(s, g), id.equals("W2") ? ">= 40 steps/s" : "ratio <= 1.5");
    }

    /**
     * Strong scaling: W1 or W2 data-parallel over {@code replicas} replicas (virtual host devices of
     * this process, or the processes of an MPI run), steps/s of the global batch of 128, against the
     * one-device step measured alternately in the same run; the ratio is the efficiency (1: as fast
     * as one device; on one machine's shared cores, above 1 only where splitting the batch helps).
     * In an MPI run the reference is left to the launching process ({@link #oneDevice}), which has
     * the whole machine as a one-device run would (NaN here).
     */
    static Row scaling(String id, boolean w2, int replicas, int repeats, int steps) {
        int processes = io.jax4j.autodiff.Jax.processCount();
        Workloads.Step par = Workloads.dataParallel(w2, replicas), one = processes > 1 ? null : w2 ? Workloads.w2() : Workloads.w1();
        Object[] sp = {par.init()}, so = {one == null ? null : one.init()};
        if (processes == 1) {
            warmUntilCompiled(() -> {
                sp[0] = par.step(sp[0]);
                so[0] = one.step(so[0]);
            });
        } else {
            for (int i = 0; i < 3 * steps; i++) sp[0] = par.step(sp[0]);   // the same number of steps in every process: collectives pair up
        }
        settle();
        double[] p = new double[repeats], o = new double[repeats];
        java.util.Arrays.fill(o, Double.NaN);
        for (int k = 0; k < repeats; k++) {
            p[k] = seconds(1, () -> {
                for (int i = 0; i < steps; i++) sp[0] = par.step(sp[0]);
                par.loss(sp[0]);
            })[0];
            if (processes > 1) continue;
            o[k] = seconds(1, () -> {
                for (int i = 0; i < steps; i++) so[0] = one.step(so[0]);
                one.loss(so[0]);
            })[0];
        }
        if (!Double.isFinite(par.loss(sp[0]))) throw new IllegalStateException(id + ": the loss is " + par.loss(sp[0]));
        String where = processes > 1 ? processes + " MPI processes" + (replicas > 1 ? " x " + replicas : "") : replicas + " virtual devices";
        return new Row(id, (w2 ? "W2" : "W1") + " data-parallel, " + where, steps / median(p), steps / min(p), "steps/s", steps / median(o),
                "the one-device step", pairedRatio(o, p), "efficiency (ratio) near 1");
    }

    /** Steps/s (median of {@code repeats}) of the one-device W1 or W2 step in this process. */
    static double oneDevice(boolean w2, int repeats, int steps) {
        Workloads.Step one = w2 ? Workloads.w2() : Workloads.w1();
        Object[] so = {one.init()};
        warmUntilCompiled(() -> so[0] = one.step(so[0]));
        double[] o = new double[repeats];
        for (int k = 0; k < repeats; k++) {
            o[k] = seconds(1, () -> {
                for (int i = 0; i < steps; i++) so[0] = one.step(so[0]);
                one.loss(so[0]);
            })[0];
        }
        return steps / median(o);
    }

    /** W4: ms per call of the jitted value-and-grad vs the hand-written fused loop. */
    static Row w4(int repeats) {
        int n = W4.N;
        Function1<Array, ValueAndGrad<Array>> f = W4.jitted();
        ArrayImpl x = (ArrayImpl) W4.input(n);
        Runnable call = () -> {
            ValueAndGrad<Array> r = f.apply(x);
            r.grad().blockUntilReady();  // a device backend returns once the work is queued
            ((ArrayImpl) r.value()).close();
            ((ArrayImpl) r.grad()).close();
        };
        for (int i = 0; i < 3; i++) call.run();
        settle();
        MethodHandle loop = References.w4Loop();
        References.W4Buffers b = References.W4Buffers.of(x.segment(), n);
        Runnable ref = () -> {
            try {
                loop.invokeExact(b.x(), b.g(), b.value(), (long) n);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        };
        for (int i = 0; i < 3; i++) ref.run();
        int reps = Math.max(repeats, 5);
        double[] s = new double[reps], r = new double[reps];
        for (int k = 0; k < reps; k++) {
            s[k] = seconds(1, call)[0];
            r[k] = seconds(1, ref)[0];
        }
        // the two agree
        ValueAndGrad<Array> out = f.apply(x);
        float want = b.value().get(java.lang.foreign.ValueLayout.JAVA_FLOAT, 0), got = out.value().toFloatArray()[0];
        if (Math.abs(want - got) > 1e-3 * Math.max(1, Math.abs(want))) throw new IllegalStateException("W4: " + got + " vs reference " + want);
        double ms = median(s) * 1e3, refMs = median(r) * 1e3;
        return new Row("W4", "value_and_grad tanh*exp on 2^24 (" + String.format("%.1f GB/s", 8.0 * n / median(s) / 1e9) + ")", ms,
                min(s) * 1e3, "ms", refMs, "hand-written fused C loop", pairedRatio(s, r), "ratio <= 1.3");
    }

    /** W5: GFLOP/s of a jitted matmul vs cblas_sgemm on the same matrices. */
    static List<Row> w5(int repeats) {
        List<Row> rows = new ArrayList<>();
        for (int n : new int[]{512, 2048, 4096}) {
            Function1<io.vavr.Tuple2<Array, Array>, Array> mm = Jax.jit((io.vavr.Tuple2<Array, Array> t) -> t._1().matmul(t._2()));
            ArrayImpl a = (ArrayImpl) io.jax4j.Random.normal(io.jax4j.Random.key(1), n, n), b = (ArrayImpl) io.jax4j.Random.normal(io.jax4j.Random.key(2), n, n);
            var args = io.vavr.Tuple.of((Array) a, (Array) b);
            int inner = n <= 512 ? 50 : n <= 2048 ? 3 : 1;
            Runnable call = () -> {
                for (int i = 0; i < inner; i++) {
                    ArrayImpl c = (ArrayImpl) mm.apply(args);
                    c.blockUntilReady();  // as JAX's block_until_ready: a device backend returns once the work is queued
                    c.close();
                }
            };
            if (n == 512) warmUntilCompiled(call);  // the dispatch path compiled, as in a long-running program
            else call.run();
            FloatPointer pa = new FloatPointer(a.segment().asByteBuffer().asFloatBuffer()), pb = new FloatPointer(b.segment().asByteBuffer().asFloatBuffer());
            // the reference's result lives in an array from jax4j's allocator, as the jitted product's does:
            // where a buffer starts within its page changes OpenBLAS's speed by up to 15% at 512
            ArrayImpl c = ArrayImpl.allocateUninitialized(a.aval());
            FloatPointer pc = new FloatPointer(c.segment().asByteBuffer().asFloatBuffer());
            Runnable direct = () -> { for (int i = 0; i < inner; i++) openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor,
                    openblas_nolapack.CblasNoTrans, openblas_nolapack.CblasNoTrans, n, n, n, 1f, pa, n, pb, n, 0f, pc, n); };
            direct.run();
            settle();
            int reps = Math.max(repeats, 7);
            double[] s = new double[reps], d = new double[reps];
            for (int k = 0; k < reps; k++) {
                s[k] = seconds(1, call)[0];
                d[k] = seconds(1, direct)[0];
            }
            double flop = 2.0 * n * n * n * inner / 1e9;
            double v = flop / median(s), ref = flop / median(d);
            rows.add(new Row(n == 4096 ? "W5" : "W5_" + n, "matmul " + n + "x" + n + " f32", v, flop / min(s), "GFLOP/s", ref,
                    "cblas_sgemm, same matrices", pairedRatio(d, s), "ratio >= 0.95"));
        }
        return rows;
    }

    /** W6: microseconds per call of a jitted x + 1 on 4 floats. */
    static Row w6(int repeats) {
        Function1<Array, Array> f = Jax.jit((Array x) -> x.add(1));
        Array x = Array.of(1f, 2f, 3f, 4f);
        int n = 200_000;
        for (int i = 0; i < n; i++) f.apply(x);
        settle();
        double[] s = seconds(Math.max(repeats, 5), () -> {
            Array y = x;
            for (int i = 0; i < n; i++) y = f.apply(x);
            y.blockUntilReady();
        });
        return new Row("W6", "dispatch of jitted x + 1 on f32[4]", median(s) * 1e6 / n, min(s) * 1e6 / n, "us", 2.0, "target (absolute)",
                median(s) * 1e6 / n / 2.0, "<= 2 us");
    }

    /** W7: the first call of W1's step (trace + lower + compile), with an empty and with a warm kernel cache. */
    static List<Row> w7() {
        String old = System.getProperty("jax4j.cacheDir");
        try {
            Path dir = Files.createTempDirectory("jax4j-w7-");
            System.setProperty("jax4j.cacheDir", dir.toString());
            double cold = firstStep(), warm = firstStep();
            return List.of(new Row("W7", "first call of W1's step, empty disk cache", cold, cold, "s", 1.0, "target (absolute)", cold, "<= 1 s"),
                    new Row("W7_warm", "first call of W1's step, warm disk cache", warm, warm, "s", 0.3, "target (absolute)", warm / 0.3, "<= 0.3 s"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        } finally {
            if (old == null) System.clearProperty("jax4j.cacheDir");
            else System.setProperty("jax4j.cacheDir", old);
        }
    }

    private static double firstStep() {
        Workloads.Step w = Workloads.w1();  // a fresh jit function: nothing cached in memory
        Object s0 = w.init();
        long t0 = System.nanoTime();
        Object s1 = w.step(s0);
        double sec = (System.nanoTime() - t0) / 1e9;
        w.loss(s1);
        return sec;
    }

    /**
     * Native memory over a long W1 run, its train state donated or not: live native bytes and the
     * process's resident set after warm-up, every 1000 steps (as the loop left them: garbage states
     * not yet cleaned count) and at the end (after the cleaner caught up).
     */
    static Map<String, Object> soak(int steps, boolean donate) {
        Workloads.Step w = Workloads.w1(donate);
        Object st = w.init();
        int warm = Math.min(200, steps / 10);
        for (int i = 0; i < warm; i++) st = w.step(st);
        long after = settled();
        long rssAfter = residentBytes();
        List<Long> rss = new ArrayList<>(), live = new ArrayList<>();
        long peak = after, peakRss = rssAfter;
        long gcs0 = collections(), t0 = System.nanoTime();
        for (int i = warm; i < steps; i++) {
            st = w.step(st);
            if ((i + 1) % 1000 == 0) {
                long l = NativeMemory.liveBytes(), r = residentBytes();
                peak = Math.max(peak, l);
                peakRss = Math.max(peakRss, r);
                live.add(l / 1_000_000);
                rss.add(r / 1_000_000);
            }
        }
        double sec = (System.nanoTime() - t0) / 1e9;
        long gcs = collections() - gcs0;
        double loss = w.loss(st);
        long end = settled();
        long rssEnd = residentBytes();
        String mode = donate ? "donated" : "not donated";
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("steps", steps);
        m.put("state", mode);
        m.put("live_bytes_after_warmup", after);
        m.put("live_bytes_at_end", end);
        m.put("peak_live_bytes_sampled", peak);
        m.put("live_mb_every_1000_steps", live);
        m.put("resident_bytes_after_warmup", rssAfter);
        m.put("resident_bytes_at_end", rssEnd);
        m.put("peak_resident_bytes_sampled", peakRss);
        m.put("resident_mb_every_1000_steps", rss);
        m.put("steps_per_s", (steps - warm) / sec);
        m.put("garbage_collections", gcs);
        m.put("loss", loss);
        System.out.printf("soak: %d W1 steps, state %s: native memory %.1f MB after warm-up, %.1f MB at the end (every 1000 steps: %s MB); "
                        + "process resident %.1f MB -> %.1f MB (every 1000 steps: %s MB); %.1f steps/s, %d garbage collections%n",
                steps, mode, after / 1e6, end / 1e6, live, rssAfter / 1e6, rssEnd / 1e6, rss, (steps - warm) / sec, gcs);
        return m;
    }

    /** Lets the previous workload's garbage (and its native buffers) be collected before the next one is timed. */
    /**
     * The median over repeats of {@code a[k] / b[k]}: each pair was timed back to back, so a change in
     * the shared machine's speed between repeats cancels out of each ratio (the ratio of the medians
     * would mix different repeats' speeds).
     */
    static double pairedRatio(double[] a, double[] b) {
        double[] r = new double[a.length];
        for (int k = 0; k < a.length; k++) r[k] = a[k] / b[k];
        return median(r);
    }

    /**
     * Runs {@code body} until the JVM's JIT compiler has been idle for a second (at least 3 s, at
     * most 30 s): on 2 cores its compiler threads, still compiling the tracing and dispatch code,
     * would otherwise take a core from the kernels during the measurement (steps measured 2x slower
     * in bursts).
     */
    static void warmUntilCompiled(Runnable body) {
        var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        long start = System.nanoTime(), quietSince = start, lastCompile = jit.getTotalCompilationTime();
        for (int i = 0; ; i++) {
            body.run();
            long now = System.nanoTime(), c = jit.getTotalCompilationTime();
            if (c != lastCompile) {
                lastCompile = c;
                quietSince = now;
            }
            if (i >= 3 && now - start > 3_000_000_000L && (now - quietSince > 1_000_000_000L || now - start > 30_000_000_000L)) return;
        }
    }

    static void settle() {
        System.gc();
        try {
            Thread.sleep(300);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Garbage collections so far (all collectors, young and full). */
    static long collections() {
        long n = 0;
        for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) n += Math.max(0, gc.getCollectionCount());
        return n;
    }

    /** The process's resident set (VmRSS from /proc/self/status; -1 where there is none): everything, not just arrays. */
    static long residentBytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (java.io.IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** Live native bytes once garbage arrays have been cleaned. */
    static long settled() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return NativeMemory.liveBytes();
    }
}
