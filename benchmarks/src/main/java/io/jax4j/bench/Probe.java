package io.jax4j.bench;

/** Developer probe: runs a workload's step and prints timings (with JAX4J_DEBUG=3, its kernel plan). */
public final class Probe {
    public static void main(String[] args) {
        String w = args.length > 0 ? args[0] : "w1";
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        long t0 = System.nanoTime();
        Workloads.Step s = switch (w) { case "w1" -> Workloads.w1(); case "w2" -> Workloads.w2(); default -> Workloads.w3(); };
        Object st = s.init();
        System.out.printf("init %.1f ms%n", (System.nanoTime() - t0) / 1e6);
        t0 = System.nanoTime();
        st = s.step(st);
        System.out.printf("first step %.1f ms loss %.4f%n", (System.nanoTime() - t0) / 1e6, s.loss(st));
        for (int r = 0; r < 3; r++) {
            t0 = System.nanoTime();
            for (int i = 0; i < n; i++) st = s.step(st);
            double ms = (System.nanoTime() - t0) / 1e6 / n;
            System.out.printf("%.2f ms/step = %.1f steps/s, loss %.4f%n", ms, 1000 / ms, s.loss(st));
        }
    }
}
