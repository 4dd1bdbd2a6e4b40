package dev.gonetpoll.sched;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Hand-offs under load: goroutines pass tokens around a ring, and on each token a goroutine holds
 * its processor for a random time around the retake threshold (spinning without parking, sometimes
 * inside a blocking region or a system call), or parks and wakes at once. Meanwhile the monitor
 * retakes processors and carriers come and go. Checked at the end: no token was lost or counted
 * twice (every wake ran its goroutine exactly once), no goroutine ever ran on two carriers at once,
 * no processor ever had two owners (the carriers check on every pass), every goroutine finished
 * (nothing deadlocked), and the carriers stayed under the cap.
 */
@Timeout(120)
class SchedulerHandoffStressTest {

    private static final long RETAKE_AFTER_MILLIS = 5;
    private static final int GOROUTINES = 64;
    private static final int TOKENS = 24;
    private static final long RUN_MILLIS = 1_500;
    private static final int MAX_CARRIERS = 200;

    private final SchedulerFixture fixture = new SchedulerFixture();

    @AfterEach
    void shutDown() throws Exception {
        fixture.close();
    }

    /** One goroutine of the ring and its mailbox. */
    private static final class Player {
        final AtomicInteger inbox = new AtomicInteger();
        final AtomicInteger running = new AtomicInteger();
        volatile Thread thread;
        long handled;
    }

    @ParameterizedTest(name = "{0} processor(s)")
    @ValueSource(ints = {1, 2})
    void tokensPassedByGoroutinesThatHoldTheirProcessorAroundTheThresholdAreNeverLostOrDoubled(int processors)
            throws Exception {
        Scheduler s = fixture.start("handoff-stress", processors, RETAKE_AFTER_MILLIS, MAX_CARRIERS, 50);
        Player[] players = new Player[GOROUTINES];
        for (int i = 0; i < GOROUTINES; i++) {
            players[i] = new Player();
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong passes = new AtomicLong();
        AtomicInteger concurrentRuns = new AtomicInteger();
        AtomicInteger maxCarriers = new AtomicInteger();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(GOROUTINES);
        List<Thread> goroutines = new ArrayList<>();
        for (int i = 0; i < GOROUTINES; i++) {
            int me = i;
            goroutines.add(s.newGoroutine(() -> {
                Player self = players[me];
                Player next = players[(me + 1) % GOROUTINES];
                try {
                    started.await();
                    while (!stop.get()) {
                        if (self.inbox.get() == 0) {
                            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // timed: also exercises timers
                            continue;
                        }
                        if (self.running.incrementAndGet() != 1) {
                            concurrentRuns.incrementAndGet();
                        }
                        self.inbox.decrementAndGet();
                        hold(ThreadLocalRandom.current());
                        self.handled++;
                        passes.incrementAndGet();
                        self.running.decrementAndGet();
                        next.inbox.incrementAndGet();
                        LockSupport.unpark(next.thread);
                        maxCarriers.accumulateAndGet(s.carrierCount(), Math::max);
                    }
                } catch (Throwable t) {
                    errors.add(t);
                } finally {
                    finished.countDown();
                }
            }));
        }
        for (int i = 0; i < GOROUTINES; i++) {
            players[i].thread = goroutines.get(i);
        }
        for (int t = 0; t < TOKENS; t++) {
            players[t * GOROUTINES / TOKENS].inbox.incrementAndGet();
        }
        started.countDown();
        Thread.sleep(RUN_MILLIS);
        stop.set(true);
        for (Player p : players) {
            LockSupport.unpark(p.thread);
        }
        if (!finished.await(60, TimeUnit.SECONDS)) {
            StringBuilder sb = new StringBuilder("goroutines did not finish: ").append(finished.getCount())
                    .append(" left; carriers ").append(s.carrierCount()).append(", spares ").append(s.spareCarrierCount());
            for (Processor p : s.processors) {
                sb.append("\n ").append(p).append(" owned by ").append(p.owner);
            }
            fail(sb.toString());
        }
        if (!errors.isEmpty()) {
            throw new AssertionError("a goroutine failed", errors.peek());
        }
        long inboxes = 0;
        long handled = 0;
        for (Player p : players) {
            inboxes += p.inbox.get();
            handled += p.handled;
        }
        assertEquals(TOKENS, inboxes, "tokens were lost or doubled (" + handled + " handled, " + passes.get() + " passes)");
        assertEquals(passes.get(), handled);
        assertTrue(passes.get() > TOKENS, "the ring barely moved: " + passes.get() + " passes");
        assertEquals(0, concurrentRuns.get(), "a goroutine ran on two carriers at once");
        assertEquals(0, s.ownershipViolationCount(), "a processor had two owners");
        assertTrue(s.handoffCount() > 0, "no processor was ever handed off: the test did not test anything");
        assertTrue(maxCarriers.get() <= MAX_CARRIERS);
    }

    /**
     * Holds the processor as the token's goroutine: a spin around the retake threshold, the same inside
     * a blocking region or a system call, or nothing (it parks and wakes at once).
     */
    private static void hold(ThreadLocalRandom random) {
        int kind = random.nextInt(8);
        long nanos = random.nextLong(TimeUnit.MILLISECONDS.toNanos(2 * RETAKE_AFTER_MILLIS));
        switch (kind) {
            case 0, 1, 2 -> spin(nanos);
            case 3 -> {
                boolean released = Scheduler.enterBlocking();
                try {
                    spin(nanos);
                } finally {
                    if (released) {
                        Scheduler.exitBlocking();
                    }
                }
            }
            case 4 -> Scheduler.syscall(() -> {
                spin(nanos);
                return null;
            });
            case 5 -> Thread.yield();
            default -> {
                // a short turn: no hold at all
            }
        }
    }

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }
}
