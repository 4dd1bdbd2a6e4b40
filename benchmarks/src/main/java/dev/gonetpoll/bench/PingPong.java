package dev.gonetpoll.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * Two threads that pass a turn back and forth with {@link LockSupport#park}/{@link LockSupport#unpark}:
 * each waits, parked, until the turn is its own, then hands it over and unparks the other. One round
 * trip is two such hand-offs, i.e. two unparks, two parks and two context switches (of goroutines
 * when the threads are virtual).
 *
 * <p>A driver (the benchmark thread) asks for a batch of round trips and parks until the batch is
 * done, so its own wake-up is spread over the whole batch. Spurious wake-ups are harmless: every
 * wait re-checks its condition.
 */
final class PingPong {

    private static final int PING = 0;
    private static final int PONG = 1;
    /** How long the driver waits for a batch, or {@link #stop} for the threads to end, before it gives up. */
    private static final long WATCHDOG_NANOS = TimeUnit.SECONDS.toNanos(10);

    private volatile int turn = PING;
    /** Round trips requested by the driver and not yet taken by ping; 0 when none. */
    private volatile int requested;
    private volatile boolean batchDone;
    private volatile boolean stopping;
    private volatile Thread driver;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread ping;
    private final Thread pong;

    /** @param start starts a thread running the given task and returns it (a goroutine, a virtual or a platform thread) */
    PingPong(Function<Runnable, Thread> start) {
        ping = start.apply(() -> guarded(this::pingLoop));
        pong = start.apply(() -> guarded(this::pongLoop));
    }

    /** Runs {@code n} round trips and returns when they are done; throws if a thread failed or hung. */
    void roundTrips(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("round trips must be at least 1: " + n);
        }
        driver = Thread.currentThread();
        batchDone = false;
        requested = n;
        LockSupport.unpark(ping);
        long deadline = System.nanoTime() + WATCHDOG_NANOS;
        while (!batchDone) {
            throwIfFailed();
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("ping-pong made no progress for "
                        + TimeUnit.NANOSECONDS.toSeconds(WATCHDOG_NANOS) + " s");
            }
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(100));
        }
        throwIfFailed();
    }

    /** Ends both threads and waits for them; throws if one failed or does not end. */
    void stop() throws InterruptedException {
        stopping = true;
        LockSupport.unpark(ping);
        LockSupport.unpark(pong);
        long waitMillis = TimeUnit.NANOSECONDS.toMillis(WATCHDOG_NANOS);
        ping.join(waitMillis);
        pong.join(waitMillis);
        if (ping.isAlive() || pong.isAlive()) {
            throw new IllegalStateException("ping-pong threads did not end within " + waitMillis + " ms");
        }
        throwIfFailed();
    }

    private void pingLoop() {
        for (;;) {
            int n;
            while ((n = requested) == 0) {
                if (stopping) {
                    return;
                }
                LockSupport.park(this);
            }
            requested = 0;
            for (int i = 0; i < n; i++) {
                turn = PONG;
                LockSupport.unpark(pong);
                if (!awaitTurn(PING)) {
                    return;
                }
            }
            batchDone = true;
            LockSupport.unpark(driver);
        }
    }

    private void pongLoop() {
        while (awaitTurn(PONG)) {
            turn = PING;
            LockSupport.unpark(ping);
        }
    }

    /** Parks until the turn is {@code mine}; false if stopping. */
    private boolean awaitTurn(int mine) {
        while (turn != mine) {
            if (stopping) {
                return false;
            }
            LockSupport.park(this);
        }
        return true;
    }

    private void guarded(Runnable loop) {
        try {
            loop.run();
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
            Thread waiting = driver;
            if (waiting != null) {
                LockSupport.unpark(waiting);
            }
        }
    }

    private void throwIfFailed() {
        Throwable t = failure.get();
        if (t != null) {
            throw new IllegalStateException("a ping-pong thread failed", t);
        }
    }
}
