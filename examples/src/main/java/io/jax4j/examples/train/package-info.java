/**
 * The main job, {@code jax4j train}: the Flax tutorial's CNN with BatchNorm and Dropout trained on
 * Fashion-MNIST with SGD + momentum on a warm-up + cosine schedule, as the tutorial's
 * {@code train_step}, {@code eval_step} and {@code train_epoch} do it; checkpoints, exact
 * {@code --resume}, metrics.json and a PNG of the curves.
 */
package io.jax4j.examples.train;
