package dev.gonetpoll.sched;

import dev.gonetpoll.poll.Workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * The owner of a {@link RunQueue} puts and gets (with and without runnext, overflowing into a
 * {@link GlobalRunQueue}) while thieves steal into their own queues and another thread drains the
 * global queue: every item must be consumed exactly once.
 */
class RunQueueStressTest {

    private static final long RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(1200);
    private static final int MAX_ITEMS = 1 << 22;

    private record Item(int id) implements Runnable {
        @Override
        public void run() {
        }
    }

    /** Counts consumptions per id and reports anything but exactly once. */
    private static final class Ledger {
        final AtomicIntegerArray counts = new AtomicIntegerArray(MAX_ITEMS);
        final AtomicInteger duplicates = new AtomicInteger();
        final AtomicInteger nulls = new AtomicInteger();
        final AtomicLong consumed = new AtomicLong();
        volatile String firstDuplicate;

        void consume(Runnable r) {
            if (!(r instanceof Item item)) {
                nulls.incrementAndGet(); // a slot read before it was written, or a cleared slot
                return;
            }
            consumed.incrementAndGet();
            int c = counts.incrementAndGet(item.id());
            if (c != 1) {
                duplicates.incrementAndGet();
                if (firstDuplicate == null) {
                    firstDuplicate = "item " + item.id() + " consumed " + c + " times (by " + Thread.currentThread().getName() + ")";
                }
            }
        }

        void assertExactlyOnce(int produced) {
            assertEquals(0, nulls.get(), "null/foreign entries handed out");
            assertEquals(0, duplicates.get(), () -> "duplicates, first: " + firstDuplicate);
            int lost = 0;
            int firstLost = -1;
            for (int i = 0; i < produced; i++) {
                if (counts.get(i) != 1) {
                    lost++;
                    if (firstLost < 0) {
                        firstLost = i;
                    }
                }
            }
            assertEquals(0, lost, "items never consumed; first id " + firstLost + " of " + produced);
            assertEquals(produced, consumed.get());
        }
    }

    @RepeatedTest(2)
    void ownerThievesAndGlobalDrainerConsumeEveryItemExactlyOnce() throws Exception {
        run(3, true);
    }

    @Test
    void twoThievesWithoutRunnext() throws Exception {
        run(2, false);
    }

    private void run(int thieves, boolean useRunnext) throws Exception {
        RunQueue owner = new RunQueue();
        GlobalRunQueue global = new GlobalRunQueue();
        Ledger ledger = new Ledger();
        AtomicInteger produced = new AtomicInteger();
        AtomicLong stolen = new AtomicLong();
        AtomicLong fromGlobal = new AtomicLong();
        AtomicLong overflows = new AtomicLong();
        AtomicInteger done = new AtomicInteger();

        try (Workers w = new Workers()) {
            w.start("owner", () -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                long end = System.nanoTime() + RUN_NANOS;
                int next = 0;
                while (next < MAX_ITEMS && System.nanoTime() < end) {
                    int puts = 1 + rnd.nextInt(400);
                    for (int i = 0; i < puts && next < MAX_ITEMS; i++) {
                        int before = global.size();
                        owner.put(new Item(next++), useRunnext && rnd.nextInt(4) == 0, global);
                        produced.lazySet(next);
                        if (global.size() > before) {
                            overflows.incrementAndGet();
                        }
                    }
                    int gets = 1 + rnd.nextInt(300);
                    for (int i = 0; i < gets; i++) {
                        Runnable r = owner.get();
                        if (r == null) {
                            break;
                        }
                        ledger.consume(r);
                    }
                    // keep memory bounded if the drainer falls behind: help it, as a processor would
                    while (global.size() > 100_000) {
                        Runnable r = global.poll();
                        if (r != null) {
                            ledger.consume(r);
                        }
                    }
                }
                produced.set(next);
                Runnable r;
                while ((r = owner.get()) != null) {
                    ledger.consume(r);
                }
                done.set(1);
            });
            for (int k = 0; k < thieves; k++) {
                w.start("thief-" + k, () -> {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    RunQueue mine = new RunQueue();
                    for (;;) {
                        boolean finished = done.get() != 0;
                        Runnable g = mine.stealFrom(owner, useRunnext && rnd.nextBoolean());
                        if (g != null) {
                            stolen.incrementAndGet();
                            ledger.consume(g);
                            Runnable r;
                            while ((r = mine.get()) != null) {
                                ledger.consume(r);
                            }
                        } else if (finished) {
                            break;
                        } else {
                            Thread.onSpinWait();
                        }
                        if (!mine.isEmpty()) {
                            w.fail("thief queue not empty after draining: " + mine.size());
                        }
                    }
                });
            }
            w.start("global-drainer", () -> {
                for (;;) {
                    boolean finished = done.get() != 0;
                    Runnable r = global.poll();
                    if (r != null) {
                        fromGlobal.incrementAndGet();
                        ledger.consume(r);
                    } else if (finished) {
                        break;
                    } else {
                        Thread.onSpinWait();
                    }
                }
            });
            w.joinAll(30_000);
        }

        // Everything is quiescent: the owner's queue and the global queue must be empty.
        assertNull(owner.get(), "owner queue drained");
        assertTrue(owner.isEmpty());
        assertNull(global.poll());
        assertEquals(0, global.size(), "global size counter back to zero");
        ledger.assertExactlyOnce(produced.get());
        System.out.printf("RunQueueStressTest: %d items, %d steals, %d from global, %d overflow puts%n",
                produced.get(), stolen.get(), fromGlobal.get(), overflows.get());
    }
}
