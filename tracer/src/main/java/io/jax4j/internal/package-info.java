/**
 * Native memory for arrays: malloc'ed blocks freed on {@code close()} or by a cleaner when their
 * array becomes unreachable, with a soft limit that triggers collection before native memory grows
 * without bound. Not exported except to the lowering module.
 */
package io.jax4j.internal;
