package io.jax4j.autodiff;

import io.jax4j.Array;
import io.jax4j.spi.ControlFlowProvider;
import io.vavr.Function1;
import io.vavr.Function2;
import io.vavr.Tuple2;

import java.util.List;

/** {@link ControlFlowProvider} for {@code io.jax4j.Lax}'s control flow: {@link ControlFlow}'s primitives. */
public final class LaxControlFlow implements ControlFlowProvider {
    @Override
    public <A, R> R cond(Array pred, Function1<A, R> trueFn, Function1<A, R> falseFn, A operand) {
        return ControlFlow.cond(pred, trueFn, falseFn, operand);
    }

    @Override
    public <A, R> R switchCase(Array index, List<Function1<A, R>> branches, A operand) { return ControlFlow.switchCase(index, branches, operand); }

    @Override
    public <C, X, Y> Tuple2<C, Y> scan(Function2<C, X, Tuple2<C, Y>> f, C init, X xs, Integer length, boolean reverse) {
        return ControlFlow.scan(f, init, xs, length, reverse);
    }

    @Override
    public <C> C foriLoop(int lower, int upper, Function2<Array, C, C> body, C init) { return ControlFlow.foriLoop(lower, upper, body, init); }

    @Override
    public <C> C whileLoop(Function1<C, Array> condFn, Function1<C, C> bodyFn, C init) { return ControlFlow.whileLoop(condFn, bodyFn, init); }
}
