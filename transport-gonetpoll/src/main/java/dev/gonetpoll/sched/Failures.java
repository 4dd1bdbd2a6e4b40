package dev.gonetpoll.sched;

import io.netty.util.internal.logging.InternalLogger;

/**
 * Reporting a failure from a place that must go on whatever happens: a carrier's scheduling loop, a
 * timer action, the monitor, an event loop's goroutine while it terminates.
 *
 * <p>Logging can fail itself. Seen for real: with the process out of file descriptors,
 * {@code java.util.logging}'s formatter could not load the time-zone data and threw
 * {@code NoClassDefFoundError}, and from then on every log call through it threw. A logger that
 * throws must never stop what called it from keeping its own state right, so these methods swallow
 * anything the logger throws (there is nowhere left to report it) and never throw.
 */
public final class Failures {

    private Failures() {
    }

    /** Logs {@code message} with {@code failure} at ERROR; never throws. */
    public static void error(InternalLogger logger, String message, Throwable failure) {
        try {
            logger.error(message, failure);
        } catch (Throwable loggingFailed) {
            // nowhere left to report it: see the class comment
        }
    }

    /** Logs {@code message} with {@code failure} at WARN; never throws. */
    public static void warn(InternalLogger logger, String message, Throwable failure) {
        try {
            logger.warn(message, failure);
        } catch (Throwable loggingFailed) {
            // nowhere left to report it: see the class comment
        }
    }

    /** Runs {@code step}; whatever it throws is added to {@code failure} as suppressed, never thrown. */
    public static void attempt(Runnable step, Throwable failure) {
        try {
            step.run();
        } catch (Throwable again) {
            try {
                if (again != failure) {
                    failure.addSuppressed(again);
                }
            } catch (Throwable ignored) {
                // addSuppressed can only fail for want of memory; the step's own state is what matters
            }
        }
    }
}
