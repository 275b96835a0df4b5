package io.jax4j.spi;

import io.jax4j.Array;
import io.vavr.Function1;
import io.vavr.Function2;
import io.vavr.Tuple2;

import java.util.List;

/**
 * What {@link io.jax4j.Lax}'s control flow ({@code Lax.scan}, {@code cond}, {@code switchCase},
 * {@code foriLoop}, {@code whileLoop}) delegates to: the structured control-flow primitives live with
 * the transformations that differentiate them ({@code io.jax4j.autodiff.ControlFlow}), which this core
 * module cannot see, so that module provides this service ({@link java.util.ServiceLoader}).
 */
public interface ControlFlowProvider {
    <A, R> R cond(Array pred, Function1<A, R> trueFn, Function1<A, R> falseFn, A operand);

    <A, R> R switchCase(Array index, List<Function1<A, R>> branches, A operand);

    <C, X, Y> Tuple2<C, Y> scan(Function2<C, X, Tuple2<C, Y>> f, C init, X xs, Integer length, boolean reverse);

    <C> C foriLoop(int lower, int upper, Function2<Array, C, C> body, C init);

    <C> C whileLoop(Function1<C, Array> condFn, Function1<C, C> bodyFn, C init);
}
