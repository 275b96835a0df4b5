package io.jax4j.core;

/**
 * The root of jax4j's errors. Each message names the API call or transformation that failed, the
 * argument or key path, the avals involved (in short form, {@code f32[3,4]}) and, where possible,
 * the fix; {@link #getMessage()} ends with the user's call site (the first stack frame outside
 * jax4j), as JAX's tracebacks hide its own frames.
 */
public class Jax4jException extends RuntimeException {
    private final String site;

    public Jax4jException(String message) {
        super(message);
        this.site = SourceInfo.userFrame();
    }

    public Jax4jException(String message, Throwable cause) {
        super(message, cause);
        this.site = SourceInfo.userFrame();
    }

    /** Where in the user's code the failing call was made, or null when unknown. */
    public String site() { return site; }

    /** The message alone, without the call site. */
    public String messageWithoutSite() { return super.getMessage(); }

    @Override
    public String getMessage() {
        String m = super.getMessage();
        return site == null || m == null || m.contains(site) ? m : m + " (at " + site + ")";
    }
}
