/**
 * The jaxpr IR: immutable records, printed exactly as JAX prints them.
 *
 * <pre>
 * ClosedJaxpr ::= Jaxpr + consts (values of the constvars)
 * Jaxpr       ::= { lambda constvar* ; invar* . let Eqn* in ( Atom* ) }
 * Eqn         ::= Var* = primitive[params] Atom*
 * Atom        ::= Var | Literal
 * Var         ::= id : aval              (compared by id; named a, b, c, ... when printed)
 * Literal     ::= scalar : aval          (printed 2.0:f32[])
 * </pre>
 *
 * <p>Only {@link io.jax4j.ir.JaxprBuilder} mutates; its {@code build()} runs
 * {@link io.jax4j.ir.JaxprChecker} (every variable defined once before use, every equation typed as
 * its primitive's abstract evaluation says) and freezes the result. Passes are {@code Jaxpr -> Jaxpr}.
 */
package io.jax4j.ir;
