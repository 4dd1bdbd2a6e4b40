package dev.gonetpoll.poll;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Test helper: named daemon platform threads whose failures are collected, joined with a bound so a
 * hang fails the test (with the stuck threads' stacks) instead of blocking the build.
 */
public final class Workers implements AutoCloseable {

    public interface Body {
        void run() throws Exception;
    }

    private final List<Thread> threads = new ArrayList<>();
    private final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();

    public Thread start(String name, Body body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                errors.add(new AssertionError(Thread.currentThread().getName() + " failed: " + e, e));
            }
        }, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
        return t;
    }

    public void fail(String message) {
        errors.add(new AssertionError(Thread.currentThread().getName() + ": " + message));
    }

    public boolean hasErrors() {
        return !errors.isEmpty();
    }

    /** Joins every thread within {@code timeoutMillis} in total, then reports errors and hangs. */
    public void joinAll(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        StringBuilder hung = new StringBuilder();
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
            if (t.isAlive()) {
                hung.append("\n  ").append(t.getName()).append(" still running at:");
                for (StackTraceElement e : t.getStackTrace()) {
                    hung.append("\n    at ").append(e);
                }
            }
        }
        assertNoErrors();
        if (!hung.isEmpty()) {
            fail("threads did not finish in " + timeoutMillis + " ms:" + hung);
        }
    }

    public void assertNoErrors() {
        if (!errors.isEmpty()) {
            AssertionError first = new AssertionError(errors.size() + " worker error(s); first: " + errors.peek().getMessage(),
                    errors.peek());
            errors.stream().skip(1).limit(10).forEach(first::addSuppressed);
            throw first;
        }
    }

    /** Interrupts and unparks whatever is still running (after a failure), then waits a little. */
    @Override
    public void close() {
        for (Thread t : threads) {
            if (t.isAlive()) {
                t.interrupt();
                LockSupport.unpark(t);
            }
        }
        try {
            for (Thread t : threads) {
                t.join(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
