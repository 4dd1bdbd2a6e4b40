package dev.gonetpoll.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link TimerHeap} against a reference model: random schedule / reschedule / remove / runDue
 * operations; after each one the 4-ary heap order, the index back-pointers, {@code earliest()} and
 * {@code size()} must agree with the model, and {@code runDue} must fire exactly the due timers,
 * earliest first.
 */
class TimerHeapTest {

    private static final Field HEAP;
    private static final Field SIZE;

    static {
        try {
            HEAP = TimerHeap.class.getDeclaredField("heap");
            HEAP.setAccessible(true);
            SIZE = TimerHeap.class.getDeclaredField("size");
            SIZE.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A timer bound to {@code heap} without a scheduler, recording its fires into {@code fired}. */
    private static Timer timer(TimerHeap heap, List<Timer> fired) {
        Timer[] self = new Timer[1];
        Timer t = new Timer(null, () -> fired.add(self[0]));
        self[0] = t;
        t.heap = heap;
        return t;
    }

    /** Checks the heap's internal structure (4-ary min-heap, index back-pointers, no stray entries). */
    static void checkStructure(TimerHeap h) throws IllegalAccessException {
        Timer[] a = (Timer[]) HEAP.get(h);
        int size = SIZE.getInt(h);
        for (int i = 0; i < size; i++) {
            Timer t = a[i];
            if (t == null) {
                fail("null entry at " + i + " of " + size);
            }
            assertEquals(i, t.index, "index back-pointer");
            if (i > 0) {
                Timer parent = a[(i - 1) >>> 2];
                assertTrue(parent.when <= t.when, "heap order violated at " + i + ": parent " + parent.when + " > " + t.when);
            }
        }
        for (int i = size; i < a.length; i++) {
            if (a[i] != null) {
                fail("stale reference beyond size at " + i);
            }
        }
        assertEquals(size == 0 ? TimerHeap.NONE : a[0].when, h.earliest(), "published earliest");
    }

    @Test
    void emptyHeap() throws Exception {
        TimerHeap h = new TimerHeap();
        assertEquals(TimerHeap.NONE, h.earliest());
        assertEquals(0, h.size());
        assertEquals(0, h.runDue(Long.MAX_VALUE - 1, true, new Timer[4]));
        checkStructure(h);
    }

    @Test
    void scheduleReportsWhetherTheTimerBecameEarliest() throws Exception {
        TimerHeap h = new TimerHeap();
        List<Timer> fired = new ArrayList<>();
        Timer a = timer(h, fired);
        Timer b = timer(h, fired);
        assertTrue(h.schedule(a, 100));
        assertFalse(h.schedule(b, 200));
        assertTrue(h.schedule(b, 50), "moved earlier than a");
        assertEquals(50, h.earliest());
        assertFalse(h.schedule(b, 300), "moved later: a is the root again");
        assertEquals(100, h.earliest());
        assertTrue(h.remove(a));
        assertFalse(h.remove(a), "already removed");
        assertEquals(300, h.earliest());
        assertEquals(1, h.size());
        checkStructure(h);
    }

    @Test
    void removeOfATimerOfAnotherHeapIsRefused() throws Exception {
        TimerHeap h1 = new TimerHeap();
        TimerHeap h2 = new TimerHeap();
        List<Timer> fired = new ArrayList<>();
        Timer a = timer(h1, fired);
        Timer other = timer(h1, fired);
        h1.schedule(a, 10);
        h1.schedule(other, 20);
        assertFalse(h2.remove(a));
        assertEquals(2, h1.size());
        checkStructure(h1);
        checkStructure(h2);
    }

    @Test
    void runDueFiresInDeadlineOrderAndRespectsTheScratchSize() throws Exception {
        TimerHeap h = new TimerHeap();
        List<Timer> fired = new ArrayList<>();
        List<Timer> timers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Timer t = timer(h, fired);
            timers.add(t);
            h.schedule(t, 1000 - i * 10L); // 1000, 990, ..., 910
        }
        assertEquals(0, h.runDue(909, true, new Timer[64]), "nothing due");
        assertEquals(3, h.runDue(950, true, new Timer[3]), "scratch limits the batch");
        assertEquals(List.of(timers.get(9), timers.get(8), timers.get(7)), fired);
        assertEquals(940, h.earliest());
        assertEquals(2, h.runDue(950, false, new Timer[64]));
        assertEquals(5, fired.size());
        assertEquals(960, h.earliest());
        for (Timer t : fired) {
            assertEquals(-1, t.index);
        }
        checkStructure(h);
    }

    @Test
    void aTimerMayBeRearmedFromItsOwnAction() throws Exception {
        TimerHeap h = new TimerHeap();
        int[] runs = new int[1];
        Timer[] self = new Timer[1];
        Timer t = new Timer(null, () -> {
            if (++runs[0] < 3) {
                h.schedule(self[0], 100L * (runs[0] + 1)); // would deadlock if the lock were held
            }
        });
        self[0] = t;
        t.heap = h;
        h.schedule(t, 100);
        assertEquals(1, h.runDue(100, true, new Timer[8]));
        assertEquals(200, h.earliest());
        assertEquals(1, h.runDue(250, true, new Timer[8]));
        assertEquals(1, h.runDue(1000, true, new Timer[8]));
        assertEquals(3, runs[0]);
        assertEquals(TimerHeap.NONE, h.earliest());
        checkStructure(h);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 20240601})
    void randomOperationsAgreeWithAReferenceModel(long seed) throws Exception {
        Random rnd = new Random(seed);
        TimerHeap h = new TimerHeap();
        List<Timer> fired = new ArrayList<>();
        List<Timer> timers = new ArrayList<>();
        Map<Timer, Long> model = new HashMap<>(); // armed timer -> deadline
        for (int i = 0; i < 300; i++) {
            timers.add(timer(h, fired));
        }
        long now = 0;
        for (int op = 0; op < 20_000; op++) {
            Timer t = timers.get(rnd.nextInt(timers.size()));
            int kind = rnd.nextInt(10);
            if (kind < 5) {
                // schedule or move; small deadline range so that ties are common
                long when = now + rnd.nextInt(200);
                long minOthers = model.entrySet().stream().filter(e -> e.getKey() != t)
                        .mapToLong(Map.Entry::getValue).min().orElse(Long.MAX_VALUE);
                boolean first = h.schedule(t, when);
                model.put(t, when);
                if (when < minOthers) {
                    assertTrue(first, "strictly earliest timer must report first");
                }
                if (when > minOthers) {
                    assertFalse(first, "a later timer must not report first");
                }
            } else if (kind < 8) {
                boolean removed = h.remove(t);
                assertEquals(model.remove(t) != null, removed, "remove result");
            } else {
                now += rnd.nextInt(60);
                int limit = 1 + rnd.nextInt(8);
                long finalNow = now;
                List<Long> due = model.values().stream().filter(w -> w <= finalNow).sorted().toList();
                fired.clear();
                int n = h.runDue(now, rnd.nextBoolean(), new Timer[limit]);
                assertEquals(Math.min(limit, due.size()), n);
                assertEquals(n, fired.size());
                long prev = Long.MIN_VALUE;
                for (int i = 0; i < n; i++) {
                    Timer f = fired.get(i);
                    Long when = model.remove(f);
                    if (when == null) {
                        fail("fired a timer that was not armed");
                    }
                    assertEquals(due.get(i), when, "fired the " + i + "-th earliest due timer");
                    assertTrue(when >= prev, "fired in deadline order");
                    prev = when;
                    assertEquals(-1, f.index);
                }
            }
            checkStructure(h);
            assertEquals(model.size(), h.size());
            assertEquals(model.values().stream().mapToLong(Long::longValue).min().orElse(TimerHeap.NONE), h.earliest());
            for (Timer x : timers) {
                assertEquals(model.containsKey(x), x.index >= 0, "armed iff in the heap");
                if (model.containsKey(x)) {
                    assertEquals((long) model.get(x), x.when);
                    assertSame(x, ((Timer[]) HEAP.get(h))[x.index]);
                }
            }
        }
    }
}
