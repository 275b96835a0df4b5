/**
 * The lowering service interface: {@link io.jax4j.spi.Backend}s compile jaxprs into
 * {@link io.jax4j.spi.Executable}s; they are found with {@link java.util.ServiceLoader}, so the core
 * builds and runs without any native tool (the reference backend is always there). A
 * {@link io.jax4j.spi.NativeLinalg} provider (LAPACK, which the cpu backend's module brings) runs
 * the linear-algebra factorizations natively, eagerly and inside jitted programs alike; without
 * one their Java reference implementations run.
 */
package io.jax4j.spi;
