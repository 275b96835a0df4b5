package io.jax4j.examples.train;

import org.junit.jupiter.api.Test;
import sun.misc.Signal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ctrl-C reaches the handler instead of starting the JVM's shutdown: after a real SIGINT to this
 * process the JVM is not shutting down (a shutdown hook can still be added, which is what AWT does
 * when curves.png is drawn after Ctrl-C).
 */
class CtrlCTest {
    @Test
    void aSigintIsARequestNotAShutdown() throws Exception {
        CountDownLatch asked = new CountDownLatch(1);
        try (CtrlC c = CtrlC.onInterrupt(asked::countDown)) {
            Signal.raise(new Signal("INT"));
            assertTrue(asked.await(10, TimeUnit.SECONDS), "the handler ran");
            assertTrue(c.seen());
            Thread probe = new Thread(() -> {});
            Runtime.getRuntime().addShutdownHook(probe);   // throws IllegalStateException once shutdown began
            assertTrue(Runtime.getRuntime().removeShutdownHook(probe));
            java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(4, 4, java.awt.image.BufferedImage.TYPE_INT_RGB);
            image.createGraphics().drawString("x", 0, 3);   // AWT still draws
        }
    }
}
