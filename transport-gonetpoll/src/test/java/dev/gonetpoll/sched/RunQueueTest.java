package dev.gonetpoll.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Deterministic, single-threaded checks of {@link RunQueue}'s ring, runnext, overflow and steal. */
class RunQueueTest {

    /** A runnable with an identity, so the tests can check order and uniqueness. */
    record Item(int id) implements Runnable {
        @Override
        public void run() {
        }
    }

    private static Item[] items(int n) {
        Item[] items = new Item[n];
        for (int i = 0; i < n; i++) {
            items[i] = new Item(i);
        }
        return items;
    }

    private static List<Runnable> drain(RunQueue q) {
        List<Runnable> out = new ArrayList<>();
        Runnable r;
        while ((r = q.get()) != null) {
            out.add(r);
        }
        return out;
    }

    private static List<Runnable> drain(GlobalRunQueue q) {
        List<Runnable> out = new ArrayList<>();
        Runnable r;
        while ((r = q.poll()) != null) {
            out.add(r);
        }
        return out;
    }

    @Test
    void emptyQueueReturnsNull() {
        RunQueue q = new RunQueue();
        assertNull(q.get());
        assertTrue(q.isEmpty());
        assertEquals(0, q.size());
    }

    @Test
    void ringIsFifo() {
        RunQueue q = new RunQueue();
        GlobalRunQueue global = new GlobalRunQueue();
        Item[] it = items(10);
        for (Item i : it) {
            q.put(i, false, global);
        }
        assertEquals(10, q.size());
        assertEquals(List.of((Object[]) it), drain(q));
        assertTrue(global.isEmpty());
        assertTrue(q.isEmpty());
    }

    @Test
    void ringWrapsAroundManyTimesWithoutLossOrReordering() {
        RunQueue q = new RunQueue();
        GlobalRunQueue global = new GlobalRunQueue();
        int next = 0;
        int expect = 0;
        // keep between 100 and 250 entries in flight so the indices wrap the 256-slot ring many times
        for (int round = 0; round < 200; round++) {
            while (q.size() < 250) {
                q.put(new Item(next++), false, global);
            }
            while (q.size() > 100) {
                assertEquals(expect++, ((Item) q.get()).id());
            }
        }
        for (Runnable r : drain(q)) {
            assertEquals(expect++, ((Item) r).id());
        }
        assertEquals(next, expect);
        assertTrue(global.isEmpty(), "never overflowed");
    }

    @Test
    void fullRingMovesHalfPlusTheNewItemToTheGlobalQueue() {
        RunQueue q = new RunQueue();
        GlobalRunQueue global = new GlobalRunQueue();
        Item[] it = items(RunQueue.CAPACITY + 1);
        for (int i = 0; i < RunQueue.CAPACITY; i++) {
            q.put(it[i], false, global);
        }
        assertEquals(RunQueue.CAPACITY, q.size());
        assertTrue(global.isEmpty());

        q.put(it[RunQueue.CAPACITY], false, global);

        // the oldest half, in order, then the new item, moved in one batch
        List<Runnable> expectedGlobal = new ArrayList<>();
        for (int i = 0; i < RunQueue.CAPACITY / 2; i++) {
            expectedGlobal.add(it[i]);
        }
        expectedGlobal.add(it[RunQueue.CAPACITY]);
        assertEquals(RunQueue.CAPACITY / 2 + 1, global.size());
        assertEquals(RunQueue.CAPACITY / 2, q.size());
        assertEquals(expectedGlobal, drain(global));
        assertEquals(0, global.size());

        List<Runnable> expectedLocal = new ArrayList<>();
        for (int i = RunQueue.CAPACITY / 2; i < RunQueue.CAPACITY; i++) {
            expectedLocal.add(it[i]);
        }
        assertEquals(expectedLocal, drain(q));
    }

    @Test
    void runnextIsServedFirst() {
        RunQueue q = new RunQueue();
        GlobalRunQueue global = new GlobalRunQueue();
        Item a = new Item(1);
        Item b = new Item(2);
        q.put(a, false, global);
        q.put(b, true, global);
        assertEquals(2, q.size(), "size counts runnext");
        assertSame(b, q.get());
        assertSame(a, q.get());
        assertNull(q.get());
    }

    @Test
    void newRunnextKicksTheOldOneToTheTail() {
        RunQueue q = new RunQueue();
        GlobalRunQueue global = new GlobalRunQueue();
        Item x = new Item(0);
        Item a = new Item(1);
        Item b = new Item(2);
        Item c = new Item(3);
        q.put(x, false, global);
        q.put(a, true, global);
        q.put(b, true, global); // a -> tail
        q.put(c, true, global); // b -> tail
        assertEquals(4, q.size());
        assertEquals(List.of(c, x, a, b), drain(q));
        assertTrue(global.isEmpty());
    }

    @Test
    void runnextKickIntoAFullRingOverflows() {
        RunQueue q = new RunQueue();
        GlobalRunQueue global = new GlobalRunQueue();
        Item[] it = items(RunQueue.CAPACITY);
        for (Item i : it) {
            q.put(i, false, global);
        }
        Item first = new Item(1000);
        Item second = new Item(1001);
        q.put(first, true, global);
        assertTrue(global.isEmpty(), "runnext does not need a ring slot");
        q.put(second, true, global); // first goes to the full ring -> overflow with half of it
        List<Runnable> moved = drain(global);
        assertEquals(RunQueue.CAPACITY / 2 + 1, moved.size());
        assertSame(first, moved.get(moved.size() - 1));
        assertSame(it[0], moved.get(0));
        assertSame(second, q.get());
        assertSame(it[RunQueue.CAPACITY / 2], q.get());
    }

    @Test
    void stealTakesHalfRoundedUpFromTheHeadAndReturnsTheLastStolen() {
        RunQueue victim = new RunQueue();
        RunQueue thief = new RunQueue();
        GlobalRunQueue global = new GlobalRunQueue();
        Item[] it = items(11);
        for (Item i : it) {
            victim.put(i, false, global);
        }
        Runnable got = thief.stealFrom(victim, false);
        assertSame(it[5], got, "6 of 11 stolen: items 0..5, the last one is returned to run");
        assertEquals(5, thief.size());
        assertEquals(List.of(it[0], it[1], it[2], it[3], it[4]), drain(thief));
        assertEquals(List.of(it[6], it[7], it[8], it[9], it[10]), drain(victim));
    }

    @Test
    void stealOfASingleItemLeavesTheThiefRingEmpty() {
        RunQueue victim = new RunQueue();
        RunQueue thief = new RunQueue();
        GlobalRunQueue global = new GlobalRunQueue();
        Item a = new Item(7);
        victim.put(a, false, global);
        assertSame(a, thief.stealFrom(victim, false));
        assertTrue(thief.isEmpty());
        assertTrue(victim.isEmpty());
        assertNull(thief.get());
    }

    @Test
    void runnextIsStolenOnlyWhenAskedAndTheRingIsEmpty() {
        RunQueue victim = new RunQueue();
        RunQueue thief = new RunQueue();
        GlobalRunQueue global = new GlobalRunQueue();
        Item next = new Item(1);
        Item ringItem = new Item(2);
        victim.put(next, true, global);
        assertNull(thief.stealFrom(victim, false), "runnext is not stolen without stealRunNext");
        victim.put(ringItem, false, global);
        assertSame(ringItem, thief.stealFrom(victim, true), "the ring is preferred to runnext");
        assertSame(next, thief.stealFrom(victim, true));
        assertTrue(victim.isEmpty());
        assertTrue(thief.isEmpty());
        assertNull(thief.stealFrom(victim, true));
    }

    @Test
    void stealFromAFullRingTakesHalf() {
        RunQueue victim = new RunQueue();
        RunQueue thief = new RunQueue();
        GlobalRunQueue global = new GlobalRunQueue();
        Item[] it = items(RunQueue.CAPACITY);
        for (Item i : it) {
            victim.put(i, false, global);
        }
        assertSame(it[RunQueue.CAPACITY / 2 - 1], thief.stealFrom(victim, true));
        assertEquals(RunQueue.CAPACITY / 2 - 1, thief.size());
        assertEquals(RunQueue.CAPACITY / 2, victim.size());
        List<Runnable> all = new ArrayList<>(drain(thief));
        all.add(it[RunQueue.CAPACITY / 2 - 1]);
        all.addAll(drain(victim));
        assertEquals(List.of((Object[]) it), all);
        assertTrue(global.isEmpty());
    }
}
