package dev.gonetpoll.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Waits for a condition that becomes true asynchronously (a loop stopping, a descriptor closing). */
public final class Await {

    private Await() {
    }

    /**
     * Polls {@code condition} until it holds or {@code timeout} passes; then fails with
     * {@code state}'s description of what was seen last.
     */
    public static void until(Duration timeout, BooleanSupplier condition, Supplier<String> state) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not within " + timeout.toMillis() + " ms: " + state.get());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted while waiting: " + state.get());
            }
        }
    }
}
