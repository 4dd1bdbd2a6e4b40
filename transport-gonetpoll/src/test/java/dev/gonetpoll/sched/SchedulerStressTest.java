package dev.gonetpoll.sched;

import dev.gonetpoll.poll.Workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;


import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * End-to-end runs of the {@link Scheduler}: thousands of goroutines that park/unpark each other,
 * yield, sleep, spawn children and wait on {@link Timer}s; every goroutine must complete, every
 * armed timer fire exactly once (never early), every stopped timer never; the scheduler must shut
 * down and terminate.
 */
class SchedulerStressTest {

    private static final long COMPLETION_TIMEOUT_SECONDS = 30;

    private final SchedulerFixture fixture = new SchedulerFixture();

    private Scheduler newScheduler(int processors) throws Exception {
        return fixture.start("stress", processors);
    }

    @AfterEach
    void shutDown() throws Exception {
        fixture.close();
    }

    /** What the goroutines count; checked at the end. */
    private static final class Books {
        final AtomicInteger completed = new AtomicInteger();
        final AtomicInteger notOwnThread = new AtomicInteger();
        final AtomicInteger timersArmed = new AtomicInteger();
        final AtomicInteger timerFires = new AtomicInteger();
        final AtomicInteger earlyFires = new AtomicInteger();
        final AtomicInteger firedTwice = new AtomicInteger();
        final AtomicInteger stoppedTimers = new AtomicInteger();
        final AtomicInteger stoppedButFired = new AtomicInteger();
        final AtomicInteger stopRefused = new AtomicInteger();
        final AtomicInteger children = new AtomicInteger();
        final AtomicInteger spawned = new AtomicInteger();
        final AtomicLong handoffs = new AtomicLong();
        final ConcurrentLinkedQueue<AtomicInteger> perTimerFires = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    }

    private static final class Pair {
        volatile int turn;
        final Thread[] threads = new Thread[2];
    }

    @ParameterizedTest(name = "{0} processor(s)")
    @ValueSource(ints = {1, 2})
    void pingPongPairsWithTimersSleepsYieldsAndChildrenAllComplete(int processors) throws Exception {
        Scheduler s = newScheduler(processors);
        final int pairs = 2000;
        final int rounds = 20;
        final long budget = TimeUnit.MILLISECONDS.toNanos(1000);
        Books books = new Books();
        long end = System.nanoTime() + budget;
        int waves = 0;
        // waves of 4000 goroutines until the time budget is used (at least one wave)
        do {
            CountDownLatch done = new CountDownLatch(2 * pairs);
            List<Thread> goroutines = new ArrayList<>();
            for (int i = 0; i < pairs; i++) {
                Pair pair = new Pair();
                for (int side = 0; side < 2; side++) {
                    int mySide = side;
                    goroutines.add(s.newGoroutine(() -> {
                        try {
                            pingPong(s, pair, mySide, rounds, books);
                        } catch (Throwable e) {
                            books.errors.add(e);
                        } finally {
                            books.completed.incrementAndGet();
                            done.countDown();
                        }
                    }));
                }
            }
            awaitCompletion(s, done, goroutines, books);
            waves++;
            assertEquals(2L * pairs * waves, books.completed.get());
            assertEquals((long) pairs * rounds * waves, books.handoffs.get(), "every round was played once");
        } while (System.nanoTime() < end);
        System.out.printf("SchedulerStressTest(%d): %d waves, %d goroutines, %d timers, %d children%n", processors, waves,
                books.completed.get(), books.timersArmed.get(), books.children.get());

        assertEquals(0, books.notOwnThread.get(), "isOwnThread() false inside a goroutine");
        assertTrue(books.timersArmed.get() > 0);
        assertEquals(books.timersArmed.get(), books.timerFires.get(), "every armed timer fires");
        assertEquals(0, books.earlyFires.get(), "timers fired before their deadline");
        assertEquals(0, books.stoppedButFired.get(), "a stopped timer fired");
        assertEquals(0, books.stopRefused.get(), "stop() of an armed timer returned false");
        assertEquals(books.spawned.get(), books.children.get(), "every child goroutine ran");
        // late duplicates would have landed by now (every timer's deadline is long past); shut down first
        s.shutdown();
        assertTrue(s.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(0, books.firedTwice.get(), "a timer fired more than once");
        for (AtomicInteger f : books.perTimerFires) {
            assertEquals(1, f.get(), "per-timer fire count");
        }
        assertEquals(books.timersArmed.get(), books.timerFires.get());
        assertFalse(s.isOwnThread(), "the test thread is not a thread of the scheduler");
    }

    private static void pingPong(Scheduler s, Pair pair, int side, int rounds, Books books) throws Exception {
        pair.threads[side] = Thread.currentThread();
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int r = side; r < 2 * rounds; r += 2) {
            while (pair.turn != r) {
                LockSupport.park(); // spurious returns are fine: re-check
            }
            if (!s.isOwnThread()) {
                books.notOwnThread.incrementAndGet();
            }
            switch (rnd.nextInt(10)) {
                case 0, 1 -> Thread.yield();
                case 2 -> Thread.sleep(0, rnd.nextInt(500_000));
                case 3, 4, 5 -> awaitTimer(s, rnd, books);
                case 6 -> stopATimer(s, books);
                case 7 -> spawnChildAndWait(s, books);
                default -> {
                }
            }
            books.handoffs.addAndGet(side == 1 ? 1 : 0);
            pair.turn = r + 1;
            Thread other = pair.threads[1 - side];
            if (other != null) {
                LockSupport.unpark(other);
            }
        }
    }

    private static void awaitTimer(Scheduler s, ThreadLocalRandom rnd, Books books) {
        Thread me = Thread.currentThread();
        AtomicInteger fires = new AtomicInteger();
        long deadline = System.nanoTime() + rnd.nextInt(1_000_000);
        Timer t = s.newTimer(() -> {
            if (System.nanoTime() < deadline) {
                books.earlyFires.incrementAndGet();
            }
            if (fires.incrementAndGet() != 1) {
                books.firedTwice.incrementAndGet();
            }
            books.timerFires.incrementAndGet();
            LockSupport.unpark(me);
        });
        books.perTimerFires.add(fires);
        books.timersArmed.incrementAndGet();
        if (rnd.nextBoolean()) {
            t.reset(System.nanoTime() + TimeUnit.SECONDS.toNanos(30)); // first far away, then moved earlier
        }
        t.reset(deadline);
        while (fires.get() == 0) {
            LockSupport.park();
        }
    }

    private static void stopATimer(Scheduler s, Books books) {
        Timer t = s.newTimer(books.stoppedButFired::incrementAndGet);
        t.reset(System.nanoTime() + TimeUnit.SECONDS.toNanos(60));
        if (!t.stop()) {
            books.stopRefused.incrementAndGet();
        }
        if (t.stop()) {
            books.stopRefused.incrementAndGet(); // a second stop must report "was not armed"
        }
        books.stoppedTimers.incrementAndGet();
    }

    private static void spawnChildAndWait(Scheduler s, Books books) {
        Thread parent = Thread.currentThread();
        AtomicInteger flag = new AtomicInteger();
        books.spawned.incrementAndGet();
        s.newGoroutine(() -> {
            books.children.incrementAndGet();
            flag.set(1);
            LockSupport.unpark(parent);
        });
        while (flag.get() == 0) {
            LockSupport.park();
        }
    }

    @Test
    void goroutinesStartedAndUnparkedFromForeignThreadsRun() throws Exception {
        Scheduler s = newScheduler(2);
        assertFalse(s.isOwnThread());
        final int starters = 3;
        final int perStarter = 500;
        Books books = new Books();
        CountDownLatch done = new CountDownLatch(starters * perStarter);
        ConcurrentLinkedQueue<Thread> goroutines = new ConcurrentLinkedQueue<>();
        AtomicInteger foreignOwn = new AtomicInteger();
        AtomicInteger released = new AtomicInteger();

        try (Workers w = new Workers()) {
            for (int k = 0; k < starters; k++) {
                w.start("starter-" + k, () -> {
                    if (s.isOwnThread()) {
                        foreignOwn.incrementAndGet();
                    }
                    List<Thread> mine = new ArrayList<>();
                    List<AtomicInteger> gates = new ArrayList<>();
                    for (int i = 0; i < perStarter; i++) {
                        AtomicInteger gate = new AtomicInteger();
                        gates.add(gate);
                        Thread g = s.newGoroutine(() -> {
                            if (!s.isOwnThread() || !Thread.currentThread().isVirtual()) {
                                books.notOwnThread.incrementAndGet();
                            }
                            while (gate.get() == 0) {
                                LockSupport.park(); // released by the foreign starter thread
                            }
                            if (!s.isOwnThread()) {
                                books.notOwnThread.incrementAndGet();
                            }
                            books.completed.incrementAndGet();
                            done.countDown();
                        });
                        mine.add(g);
                        goroutines.add(g);
                    }
                    // release them in reverse order, from this platform thread
                    for (int i = perStarter - 1; i >= 0; i--) {
                        gates.get(i).set(1);
                        LockSupport.unpark(mine.get(i));
                        released.incrementAndGet();
                    }
                });
            }
            w.joinAll(20_000);
        }
        awaitCompletion(s, done, new ArrayList<>(goroutines), books);
        assertEquals(starters * perStarter, books.completed.get());
        assertEquals(0, books.notOwnThread.get(), "isOwnThread() must be true inside a goroutine");
        assertEquals(0, foreignOwn.get(), "isOwnThread() must be false on a foreign platform thread");
        assertFalse(s.isOwnThread());
        Scheduler other = new Scheduler("other", 1, fixture.netpoller());
        try {
            AtomicInteger sawOther = new AtomicInteger(-1);
            CountDownLatch l = new CountDownLatch(1);
            s.newGoroutine(() -> {
                sawOther.set(other.isOwnThread() ? 1 : 0);
                l.countDown();
            });
            assertTrue(l.await(10, TimeUnit.SECONDS));
            assertEquals(0, sawOther.get(), "a goroutine of one scheduler is not a thread of another");
        } finally {
            other.shutdown();
            assertTrue(other.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void timersArmedFromForeignThreadsWakeTheirGoroutines() throws Exception {
        Scheduler s = newScheduler(2);
        final int count = 2000;
        Books books = new Books();
        CountDownLatch done = new CountDownLatch(count);
        List<Thread> goroutines = new ArrayList<>();
        List<AtomicInteger> gates = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            AtomicInteger gate = new AtomicInteger();
            gates.add(gate);
            goroutines.add(s.newGoroutine(() -> {
                while (gate.get() == 0) {
                    LockSupport.park();
                }
                books.completed.incrementAndGet();
                done.countDown();
            }));
        }
        try (Workers w = new Workers()) {
            for (int k = 0; k < 2; k++) {
                int from = k * count / 2;
                int to = (k + 1) * count / 2;
                w.start("timer-arming-" + k, () -> {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    for (int i = from; i < to; i++) {
                        Thread g = goroutines.get(i);
                        AtomicInteger gate = gates.get(i);
                        AtomicInteger fires = new AtomicInteger();
                        long deadline = System.nanoTime() + rnd.nextInt(2_000_000);
                        Timer t = s.newTimer(() -> {
                            if (System.nanoTime() < deadline) {
                                books.earlyFires.incrementAndGet();
                            }
                            if (fires.incrementAndGet() != 1) {
                                books.firedTwice.incrementAndGet();
                            }
                            books.timerFires.incrementAndGet();
                            gate.set(1);
                            LockSupport.unpark(g);
                        });
                        books.perTimerFires.add(fires);
                        books.timersArmed.incrementAndGet();
                        t.reset(deadline);
                        if ((i & 7) == 0) {
                            Thread.sleep(0, 200_000); // let processors go idle and block in the poller
                        }
                    }
                });
            }
            w.joinAll(20_000);
        }
        awaitCompletion(s, done, goroutines, books);
        s.shutdown();
        assertTrue(s.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(count, books.completed.get());
        assertEquals(count, books.timerFires.get());
        assertEquals(0, books.earlyFires.get());
        assertEquals(0, books.firedTwice.get());
        for (AtomicInteger f : books.perTimerFires) {
            assertEquals(1, f.get());
        }
    }

    @Test
    void timerResetConcurrentlyForTheFirstTimeFromTwoThreadsLandsInOneHeap() throws Exception {
        // Timer.reset picks the timer's heap on first use (round-robin for foreign threads). Two
        // threads resetting a fresh timer at the same time must still put it in one heap only.
        Scheduler s = newScheduler(2);
        final int timers = 20_000;
        AtomicInteger fired = new AtomicInteger();
        Timer[] all = new Timer[timers];
        for (int i = 0; i < timers; i++) {
            all[i] = s.newTimer(fired::incrementAndGet);
        }
        long deadline = System.nanoTime() + TimeUnit.HOURS.toNanos(1); // never fires during the test
        AtomicInteger next0 = new AtomicInteger(-1);
        AtomicInteger next1 = new AtomicInteger(-1);
        try (Workers w = new Workers()) {
            // both threads walk the same timers in lock-step, racing on each first reset
            w.start("reset-a", () -> {
                for (int i = 0; i < timers; i++) {
                    next0.set(i);
                    while (next1.get() < i) {
                        if (w.hasErrors()) {
                            return; // the other thread died (e.g. on a corrupted heap)
                        }
                        Thread.onSpinWait();
                    }
                    all[i].reset(deadline);
                }
            });
            w.start("reset-b", () -> {
                for (int i = 0; i < timers; i++) {
                    next1.set(i);
                    while (next0.get() < i) {
                        if (w.hasErrors()) {
                            return; // the other thread died (e.g. on a corrupted heap)
                        }
                        Thread.onSpinWait();
                    }
                    all[i].reset(deadline + 1);
                }
            });
            w.joinAll(20_000);
        }
        int inHeaps = 0;
        for (Processor p : s.processors) {
            inHeaps += p.timers.size();
        }
        int stopped = 0;
        for (Timer t : all) {
            if (t.stop()) {
                stopped++;
            }
        }
        int leftover = 0;
        for (Processor p : s.processors) {
            leftover += p.timers.size();
        }
        assertEquals(0, fired.get());
        assertEquals(timers, inHeaps, "heap entries after two concurrent first resets of " + timers
                + " timers (more means a timer was inserted into two processors' heaps)");
        assertEquals(timers, stopped, "stop() of an armed timer");
        assertEquals(0, leftover, "heap entries left after stopping every timer");
    }

    /** Waits for the goroutines; on a hang, fails with the scheduler's state and the stuck stacks. */
    private static void awaitCompletion(Scheduler s, CountDownLatch done, List<Thread> goroutines, Books books)
            throws InterruptedException {
        if (!done.await(COMPLETION_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            StringBuilder sb = new StringBuilder("goroutines did not complete: ").append(done.getCount())
                    .append(" left, completed ").append(books.completed.get())
                    .append("; global ").append(s.global.size())
                    .append(", idle ").append(s.idle.size())
                    .append(", spinning ").append(s.spinning.get())
                    .append(", polling ").append(s.someoneIsPolling())
                    .append(", earliest timer in ").append(s.earliestTimer() == TimerHeap.NONE ? "none"
                            : (s.earliestTimer() - System.nanoTime()) + " ns");
            for (Processor p : s.processors) {
                Carrier owner = p.owner;
                sb.append("\n ").append(p).append(" owned by ").append(owner);
                if (owner != null) {
                    for (StackTraceElement e : owner.getStackTrace()) {
                        sb.append("\n    at ").append(e);
                    }
                }
            }
            int shown = 0;
            for (Thread g : goroutines) {
                if (g.isAlive() && shown++ < 3) {
                    sb.append("\n goroutine ").append(g).append(' ').append(g.getState());
                    for (StackTraceElement e : g.getStackTrace()) {
                        sb.append("\n    at ").append(e);
                    }
                }
            }
            fail(sb.toString());
        }
        if (!books.errors.isEmpty()) {
            AssertionError e = new AssertionError("goroutine failed", books.errors.peek());
            throw e;
        }
    }
}
