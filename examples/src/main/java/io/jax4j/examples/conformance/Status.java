package io.jax4j.examples.conformance;

/** The outcome of one check. */
public enum Status { PASS, FAIL, SKIP }
