package dev.gonetpoll.sched;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Timed parks of goroutines (Thread.sleep, parkNanos) wake through the processors' timer heaps
 * ({@link Scheduler#schedule}), never early, never lost, and never through the JDK's separate
 * "VirtualThread-unparker" thread; an early unpark cancels the timeout.
 */
@Timeout(60)
class GoroutineSleepTest {

    private final SchedulerFixture fixture = new SchedulerFixture();

    private Scheduler newScheduler(int processors) throws Exception {
        return fixture.start("sleep", processors);
    }

    @AfterEach
    void shutDown() throws Exception {
        fixture.close();
    }

    private static boolean jdkUnparkerThreadExists() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().startsWith("VirtualThread-unparker"));
    }

    /** Many goroutines sleep random short times, over and over: each sleep lasts at least as asked. */
    @Test
    void sleepsEndOnTimeThroughTheTimerHeaps() throws Exception {
        Scheduler s = newScheduler(2);
        int goroutines = 200;
        int sleepsEach = 10;
        AtomicInteger early = new AtomicInteger();
        AtomicLong worstEarlyNanos = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < goroutines; i++) {
            threads.add(s.newGoroutine(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int k = 0; k < sleepsEach; k++) {
                    long asked = TimeUnit.MICROSECONDS.toNanos(500 + random.nextInt(5_000));
                    long start = System.nanoTime();
                    try {
                        Thread.sleep(asked / 1_000_000, (int) (asked % 1_000_000));
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    long slept = System.nanoTime() - start;
                    if (slept < asked) {
                        early.incrementAndGet();
                        worstEarlyNanos.accumulateAndGet(asked - slept, Math::max);
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(t.isAlive(), "a sleeping goroutine never woke");
        }
        assertEquals(0, early.get(), "sleeps ended early, worst by " + worstEarlyNanos.get() + " ns");
        assertFalse(jdkUnparkerThreadExists(), "a timed park went through the JDK's unparker thread");
    }

    @Test
    void anEarlyUnparkEndsALongTimedPark() throws Exception {
        Scheduler s = newScheduler(1);
        AtomicLong parkedNanos = new AtomicLong();
        Thread g = s.newGoroutine(() -> {
            long start = System.nanoTime();
            LockSupport.parkNanos(TimeUnit.MINUTES.toNanos(10));
            parkedNanos.set(System.nanoTime() - start);
        });
        while (g.getState() != Thread.State.TIMED_WAITING) {
            Thread.sleep(1);
        }
        LockSupport.unpark(g);
        g.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(g.isAlive(), "the unparked goroutine kept waiting for its timeout");
        assertTrue(parkedNanos.get() < TimeUnit.MINUTES.toNanos(10));
    }
}
