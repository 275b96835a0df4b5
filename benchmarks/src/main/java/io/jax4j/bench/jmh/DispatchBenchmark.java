package io.jax4j.bench.jmh;

import io.jax4j.Array;
import io.jax4j.autodiff.Jax;
import io.vavr.Function1;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/** W6's dispatch path under JMH: a cached jitted {@code x + 1} on 4 floats (cache lookup, flatten, execute, outputs). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xss8m"})
public class DispatchBenchmark {
    Function1<Array, Array> plusOne;
    Array x;

    @Setup
    public void setup() {
        plusOne = Jax.jit((Array a) -> a.add(1));
        x = Array.of(1f, 2f, 3f, 4f);
        plusOne.apply(x);
    }

    @Benchmark
    public Array jittedPlusOne() { return plusOne.apply(x); }
}
