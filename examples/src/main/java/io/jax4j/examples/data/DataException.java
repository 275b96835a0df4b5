package io.jax4j.examples.data;

/** A data set that cannot be found, fetched or read; the message names the file and what to do. */
public final class DataException extends RuntimeException {
    public DataException(String message) { super(message); }

    public DataException(String message, Throwable cause) { super(message, cause); }
}
