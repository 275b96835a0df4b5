/**
 * The models of the reference script ({@code shared/fixtures/generate/jax_fixtures.py}) written once
 * with jax4j's linen: the tutorial's BatchNorm MLP and Dropout model, the Flax MNIST CNN and the
 * training-trajectory network with its jitted train step. The Flax conformance suite and the tests
 * both use these definitions.
 */
package io.jax4j.examples.conformance.models;
