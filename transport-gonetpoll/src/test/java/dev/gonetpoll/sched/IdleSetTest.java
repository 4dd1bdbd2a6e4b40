package dev.gonetpoll.sched;

import dev.gonetpoll.poll.Workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * {@link IdleSet}: each {@code add} must be matched by exactly one successful {@code remove} (by the
 * processor itself) or {@code take} (by a waker), under races between the two.
 */
class IdleSetTest {

    @Test
    void addRemoveTakeSingleThreaded() {
        IdleSet s = new IdleSet(130); // three words
        assertEquals(-1, s.take(0));
        s.add(5);
        s.add(64);
        s.add(129);
        assertThrows(IllegalStateException.class, () -> s.add(64), "already idle");
        assertEquals(3, s.size());
        assertTrue(s.remove(64));
        assertFalse(s.remove(64), "only once");
        assertFalse(s.remove(6), "never added");
        assertEquals(2, s.size());
        Set<Integer> taken = new HashSet<>();
        taken.add(s.take(100));
        taken.add(s.take(100));
        assertEquals(Set.of(5, 129), taken);
        assertEquals(-1, s.take(0));
        assertEquals(0, s.size());
        assertFalse(s.remove(5), "a taken processor cannot also remove itself");
        s.add(5); // and may become idle again
        assertEquals(5, s.take(129));
    }

    @Test
    void takeFindsABitInAnyWordWhateverTheStart() {
        for (int id = 0; id < 130; id++) {
            IdleSet s = new IdleSet(130);
            s.add(id);
            for (int from = 0; from < 130; from += 7) {
                assertEquals(id, s.take(from), "id " + id + " from " + from);
                s.add(id);
            }
        }
    }

    /**
     * Owner threads make their processors idle and try to take them back; waker threads take idle
     * processors and "hand off" to them. A processor that loses the remove must find exactly one
     * hand-off; the books must balance.
     */
    @RepeatedTest(3)
    void everyAddIsMatchedByExactlyOneRemoveOrTake() throws Exception {
        addRemoveTakeRace();
    }

    /**
     * {@code size()} feeds {@code Scheduler.inject} ({@code Math.min(n, idle.size())}),
     * {@code wakep} and {@code busyProcessors()}: it must never be negative. {@code add} sets the bit
     * before it increments the count, so a {@code take} landing in between decrements first.
     */
    @Test
    void sizeIsNeverNegativeWhileTakesRaceAdds() throws Exception {
        int min = addRemoveTakeRace();
        assertTrue(min >= 0, "IdleSet.size() was observed at " + min
                + ": a take landed between add's bit set and its count increment");
    }

    /** Runs the race; returns the smallest size() any owner observed. */
    private int addRemoveTakeRace() throws Exception {
        final int processors = 130;
        final int owners = 2;
        final int wakers = 2;
        final long runNanos = TimeUnit.MILLISECONDS.toNanos(800);
        IdleSet set = new IdleSet(processors);
        AtomicIntegerArray adds = new AtomicIntegerArray(processors);
        AtomicIntegerArray removes = new AtomicIntegerArray(processors);
        AtomicIntegerArray takes = new AtomicIntegerArray(processors);
        AtomicBoolean[] handoff = new AtomicBoolean[processors];
        for (int i = 0; i < processors; i++) {
            handoff[i] = new AtomicBoolean();
        }
        AtomicInteger ownersLeft = new AtomicInteger(owners);
        AtomicInteger minSize = new AtomicInteger();

        try (Workers w = new Workers()) {
            for (int o = 0; o < owners; o++) {
                int first = o;
                w.start("owner-" + o, () -> {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    boolean[] idle = new boolean[processors];
                    long end = System.nanoTime() + runNanos;
                    while (System.nanoTime() < end && !w.hasErrors()) {
                        int id = first + owners * rnd.nextInt((processors - first + owners - 1) / owners);
                        if (!idle[id]) {
                            set.add(id);
                            adds.incrementAndGet(id);
                            idle[id] = true;
                        } else {
                            leave(set, id, removes, handoff[id], w);
                            idle[id] = false;
                        }
                        int size = set.size();
                        if (size > processors) {
                            w.fail("size above the processor count: " + size);
                        }
                        minSize.accumulateAndGet(size, Math::min);
                    }
                    for (int id = first; id < processors; id += owners) {
                        if (idle[id]) {
                            leave(set, id, removes, handoff[id], w);
                        }
                    }
                    ownersLeft.decrementAndGet();
                });
            }
            for (int k = 0; k < wakers; k++) {
                w.start("waker-" + k, () -> {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    while (ownersLeft.get() > 0) {
                        int id = set.take(rnd.nextInt(processors));
                        if (id < 0) {
                            Thread.onSpinWait();
                            continue;
                        }
                        if (id >= processors) {
                            w.fail("took nonexistent processor " + id);
                            continue;
                        }
                        takes.incrementAndGet(id);
                        if (handoff[id].getAndSet(true)) {
                            w.fail("processor " + id + " taken twice without becoming idle in between");
                        }
                    }
                });
            }
            w.joinAll(20_000);
        }
        long total = 0;
        for (int id = 0; id < processors; id++) {
            assertEquals(adds.get(id), removes.get(id) + takes.get(id),
                    "processor " + id + ": adds vs removes + takes");
            assertFalse(handoff[id].get(), "unconsumed hand-off for " + id);
            total += adds.get(id);
        }
        assertEquals(0, set.size());
        assertEquals(-1, set.take(0));
        assertTrue(total > 0);
        return minSize.get();
    }

    /** The processor's side of leaving idle: take the bit back, or wait for the waker's hand-off. */
    private static void leave(IdleSet set, int id, AtomicIntegerArray removes, AtomicBoolean handoff, Workers w) {
        if (set.remove(id)) {
            removes.incrementAndGet(id);
            if (handoff.get()) {
                w.fail("processor " + id + " removed itself but also has a hand-off");
            }
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!handoff.getAndSet(false)) {
            if (System.nanoTime() > deadline) {
                w.fail("processor " + id + " lost the remove but no waker handed off to it");
                return;
            }
            Thread.onSpinWait();
        }
    }
}
