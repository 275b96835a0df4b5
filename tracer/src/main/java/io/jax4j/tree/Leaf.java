package io.jax4j.tree;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a type whose instances are always leaves, even if it is a record or a collection
 * (a {@code ShapedArray} record, say, is an abstract value, not a container of leaves).
 * Registering a node type for the class with {@link Tree#register} still takes precedence.
 *
 * <pre>{@code
 * @Leaf record ShapedArray(Shape shape, DType dtype) {}
 * Tree.leaves(List.of(aval));   // [aval], not [shape, dtype]
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Leaf {}
