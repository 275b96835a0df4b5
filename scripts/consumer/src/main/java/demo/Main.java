package demo;

import io.jax4j.Array;
import io.jax4j.Np;
import io.jax4j.autodiff.Jax;
import io.jax4j.autodiff.ValueAndGrad;
import io.jax4j.spi.Backends;
import io.vavr.Function2;

/**
 * A jitted value-and-grad of a least-squares loss over a record of parameters, and the gradient
 * through Flax's msgpack format and back (jax4j-nn carries its own msgpack; on the module path this
 * checks that the shaded copy is part of the module).
 */
public final class Main {
    record Params(Array w, Array b) {}

    public static void main(String[] args) {
        Array x = Np.reshape(Array.arange(12).astype(io.jax4j.DType.F32), 4, 3);
        Array y = Array.of(1f, 0f, -1f, 2f);
        Function2<Params, Array, Array> loss = (p, xs) -> Np.mean(Np.square(xs.matmul(p.w()).add(p.b()).sub(y)));
        Function2<Params, Array, ValueAndGrad<Params>> step = Jax.jit(Jax.valueAndGrad(loss));
        ValueAndGrad<Params> r = step.apply(new Params(Array.of(0.1f, -0.2f, 0.3f), Array.scalar(0.5f)), x);
        byte[] bytes = io.jax4j.serialization.FlaxSerialization.toBytes(r.grad());
        Params back = io.jax4j.serialization.FlaxSerialization.fromBytes(r.grad(), bytes);
        System.out.printf("backend %s loss %.6f dw %s db %.6f msgpack %d bytes, round trip %s%n", Backends.current().name(), r.value().item(),
                java.util.Arrays.toString(r.grad().w().toFloatArray()), r.grad().b().item(), bytes.length,
                java.util.Arrays.equals(back.w().toFloatArray(), r.grad().w().toFloatArray()) && back.b().item() == r.grad().b().item());
    }
}
