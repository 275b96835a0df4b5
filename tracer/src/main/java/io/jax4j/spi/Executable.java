package io.jax4j.spi;

import io.jax4j.Array;
import io.jax4j.core.ArrayImpl;

import java.util.List;

/** A compiled jaxpr: runs on concrete inputs and returns concrete outputs. */
public interface Executable {
    List<Array> execute(List<ArrayImpl> args);
}
