/**
 * Data sets for the jobs and examples: {@link io.jax4j.examples.data.FashionMnist} finds (or fetches)
 * and reads Fashion-MNIST's IDX files, {@link io.jax4j.examples.data.Dataset} holds images and labels
 * on the host and cuts them into batches without per-step allocation of host buffers.
 */
package io.jax4j.examples.data;
