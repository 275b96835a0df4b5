/**
 * The cpu backend: generated C compiled by the system compiler ({@code cc}) into a shared library
 * loaded with the FFM API and cached on disk, OpenBLAS for {@code dot_general}, and an executable
 * that runs a lowered program's steps over buffers planned at compile time. Without a C compiler
 * the backend reports itself unavailable (once, on standard error) and jit uses the reference one.
 */
package io.jax4j.xla.cpu;
