package io.jax4j.examples.train;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) as a request to stop rather than the start of the JVM's shutdown: the first one
 * runs {@code onFirst} (the trainer finishes its step, saves a checkpoint and writes metrics.json and
 * curves.png while the JVM still runs normally, so AWT can draw the chart), a second one exits at
 * once with status 130. {@link #close()} puts the previous handler back. Where the platform has no
 * SIGINT (or refuses the handler), nothing is installed and the shutdown hook remains the fallback.
 */
final class CtrlC implements AutoCloseable {
    private static final Signal INT = new Signal("INT");
    private final SignalHandler previous;
    private volatile boolean seen;

    private CtrlC(Runnable onFirst, boolean install) {
        SignalHandler prev = null;
        if (install) {
            try {
                prev = Signal.handle(INT, signal -> {
                    if (seen) System.exit(130);
                    seen = true;
                    onFirst.run();
                });
            } catch (IllegalArgumentException unsupported) {
                prev = null;
            }
        }
        previous = prev;
    }

    /** Installs the handler; {@code onFirst} runs on the signal's thread and must return quickly. */
    static CtrlC onInterrupt(Runnable onFirst) { return new CtrlC(onFirst, true); }

    /** Whether Ctrl-C was pressed. */
    boolean seen() { return seen; }

    @Override
    public void close() {
        if (previous != null) Signal.handle(INT, previous);
    }
}
