package io.jax4j.tree;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a record component as static structure rather than a child: its value goes into the
 * record's {@link TreeDef} metadata (compared with {@code equals}, arrays deeply), like an
 * Equinox {@code field(static=True)}. Changing a static value therefore changes the tree's
 * structure, and with it the jit cache key.
 *
 * <pre>{@code
 * record Dense(@Static int features, Array kernel, Array bias) {}
 * Tree.leaves(new Dense(4, k, b));   // [k, b]: features is metadata
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
public @interface Static {}
