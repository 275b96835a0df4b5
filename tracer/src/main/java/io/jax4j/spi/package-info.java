/**
 * The lowering service interface: {@link io.jax4j.spi.Backend}s compile jaxprs into
 * {@link io.jax4j.spi.Executable}s; they are found with {@link java.util.ServiceLoader}, so the core
 * builds and runs without any native tool (the reference backend is always there).
 */
package io.jax4j.spi;
