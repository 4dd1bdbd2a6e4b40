package dev.gonetpoll.sched;

import dev.gonetpoll.poll.Workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.RepeatedTest;

/**
 * Several threads arm, move and stop timers of one {@link TimerHeap} while an owner ({@code runDue}
 * with {@code mayWait}) and a thief ({@code tryLock}) fire due ones. Every armed instance that was
 * not stopped must fire exactly once, never before its deadline, and a stop that returns true must
 * mean the instance never fires.
 *
 * <p>Protocol that makes "the instance's deadline" well defined: each timer is owned by one resetter;
 * an instance is created by first arming the timer far in the future (so no runner can take it), then
 * moving it to its real deadline. A new instance is created only after the previous one is known to be
 * cancelled ({@code remove} returned true) or its action has completed.
 */
class TimerHeapStressTest {

    private static final int RESETTERS = 3;
    private static final int TIMERS_PER_RESETTER = 48;
    private static final int TIMERS = RESETTERS * TIMERS_PER_RESETTER;
    private static final long RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(1200);

    @RepeatedTest(3)
    void armedTimersFireExactlyOnceAndNeverEarly() throws Exception {
        TimerHeap heap = new TimerHeap();
        AtomicLongArray deadline = new AtomicLongArray(TIMERS);
        AtomicIntegerArray instances = new AtomicIntegerArray(TIMERS);
        AtomicIntegerArray cancelled = new AtomicIntegerArray(TIMERS);
        AtomicIntegerArray fires = new AtomicIntegerArray(TIMERS);
        AtomicInteger early = new AtomicInteger();
        AtomicLong worstEarlyNanos = new AtomicLong();
        AtomicInteger extra = new AtomicInteger();
        AtomicInteger resettersLeft = new AtomicInteger(RESETTERS);
        AtomicLong totalInstances = new AtomicLong();

        Timer[] timers = new Timer[TIMERS];
        for (int i = 0; i < TIMERS; i++) {
            int id = i;
            timers[i] = new Timer(null, () -> {
                long now = System.nanoTime();
                long d = deadline.get(id);
                if (now < d) {
                    early.incrementAndGet();
                    worstEarlyNanos.accumulateAndGet(d - now, Math::max);
                }
                int f = fires.incrementAndGet(id);
                if (f > instances.get(id) - cancelled.get(id)) {
                    extra.incrementAndGet();
                }
            });
            timers[i].heap = heap;
        }
        long sentinelDeadline = System.nanoTime() + TimeUnit.HOURS.toNanos(1);
        Timer sentinel = new Timer(null, () -> {
            throw new AssertionError("the sentinel must never fire");
        });
        sentinel.heap = heap;
        heap.schedule(sentinel, sentinelDeadline);

        try (Workers w = new Workers()) {
            for (int r = 0; r < RESETTERS; r++) {
                int base = r * TIMERS_PER_RESETTER;
                w.start("resetter-" + r, () -> {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    boolean[] armed = new boolean[TIMERS];
                    long end = System.nanoTime() + RUN_NANOS;
                    while (System.nanoTime() < end && !w.hasErrors()) {
                        int id = base + rnd.nextInt(TIMERS_PER_RESETTER);
                        Timer t = timers[id];
                        if (!armed[id]) {
                            instances.incrementAndGet(id);
                            totalInstances.incrementAndGet();
                            long far = System.nanoTime() + TimeUnit.MINUTES.toNanos(10) + rnd.nextInt(1_000_000);
                            heap.schedule(t, far);
                            if (rnd.nextBoolean()) {
                                heap.schedule(t, far + rnd.nextInt(1_000_000) - 500_000); // move while surely armed
                            }
                            // the real deadline: from already due (-100 us) to 3 ms ahead
                            long d = System.nanoTime() - 100_000 + rnd.nextInt(3_100_000);
                            deadline.set(id, d);
                            heap.schedule(t, d);
                            armed[id] = true;
                        } else if (rnd.nextInt(3) == 0) {
                            if (heap.remove(t)) {
                                cancelled.incrementAndGet(id);
                            } else {
                                awaitFired(id, fires, instances, cancelled, w);
                            }
                            armed[id] = false;
                        } else if (fires.get(id) == instances.get(id) - cancelled.get(id)) {
                            armed[id] = false; // it fired on its own
                        }
                        if (heap.earliest() > sentinelDeadline) {
                            w.fail("earliest " + heap.earliest() + " later than the armed sentinel");
                        }
                    }
                    for (int id = base; id < base + TIMERS_PER_RESETTER; id++) {
                        if (armed[id]) {
                            awaitFired(id, fires, instances, cancelled, w);
                        }
                    }
                    resettersLeft.decrementAndGet();
                });
            }
            w.start("runner-owner", () -> {
                Timer[] scratch = new Timer[8];
                while (resettersLeft.get() > 0) {
                    heap.runDue(System.nanoTime(), true, scratch);
                    if (heap.earliest() > sentinelDeadline) {
                        w.fail("earliest later than the armed sentinel");
                    }
                    Thread.onSpinWait();
                }
            });
            w.start("runner-thief", () -> {
                Timer[] scratch = new Timer[3];
                while (resettersLeft.get() > 0) {
                    heap.runDue(System.nanoTime(), false, scratch);
                    Thread.onSpinWait();
                }
            });
            w.joinAll(30_000);
        }

        assertEquals(0, early.get(), "timers fired before their deadline; worst by " + worstEarlyNanos.get() + " ns");
        assertEquals(0, extra.get(), "timers fired more often than they were armed");
        for (int id = 0; id < TIMERS; id++) {
            assertEquals(instances.get(id) - cancelled.get(id), fires.get(id), "timer " + id + " fires");
            assertEquals(-1, timers[id].index, "timer " + id + " left in the heap");
        }
        assertEquals(1, heap.size(), "only the sentinel is left");
        assertEquals(sentinelDeadline, heap.earliest());
        assertTrue(heap.remove(sentinel));
        assertEquals(0, heap.size());
        assertEquals(TimerHeap.NONE, heap.earliest());
        TimerHeapTest.checkStructure(heap);
        assertTrue(totalInstances.get() > 0);
    }

    /** Waits (bounded) until the instance whose removal a runner won has completed its action. */
    private static void awaitFired(int id, AtomicIntegerArray fires, AtomicIntegerArray instances,
            AtomicIntegerArray cancelled, Workers w) {
        long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (fires.get(id) != instances.get(id) - cancelled.get(id)) {
            if (System.nanoTime() > limit) {
                w.fail("timer " + id + " armed (deadline passed) but never fired: fires " + fires.get(id)
                        + ", instances " + instances.get(id) + ", cancelled " + cancelled.get(id));
                return;
            }
            Thread.onSpinWait();
        }
    }
}
