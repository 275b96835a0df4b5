package io.jax4j.bench.jmh;

import io.jax4j.Array;
import io.jax4j.Nn;
import io.jax4j.Np;
import io.jax4j.autodiff.Jax;
import io.jax4j.core.ArrayImpl;
import io.vavr.Function3;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/** One fused kernel: an MLP layer's bias + ReLU epilogue over a [rows, 512] activation (one pass, one output). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xss8m"})
public class KernelBenchmark {
    @Param({"128", "2048"})
    public int rows;

    Function3<Array, Array, Array, Array> biasRelu;
    Array h, b, scale;

    @Setup
    public void setup() {
        biasRelu = Jax.jit((Array x, Array bias, Array s) -> Nn.relu(Np.add(Np.multiply(x, s), bias)));
        h = io.jax4j.Random.normal(io.jax4j.Random.key(0), rows, 512);
        b = io.jax4j.Random.normal(io.jax4j.Random.key(1), 512);
        scale = Array.of(0.5f);
        biasRelu.apply(h, b, scale);
    }

    @Benchmark
    public void fusedBiasRelu() { ((ArrayImpl) biasRelu.apply(h, b, scale)).close(); }
}
