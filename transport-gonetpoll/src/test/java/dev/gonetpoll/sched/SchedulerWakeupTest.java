package dev.gonetpoll.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gonetpoll.poll.Netpoller;
import dev.gonetpoll.poll.PollDesc;
import dev.gonetpoll.poll.TcpPair;
import dev.gonetpoll.sys.Socket;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Liveness of the scheduler's sleep/poll/wake protocol: a timer earlier than the blocked poller's
 * wake time must break it; I/O must not starve behind always-runnable goroutines; shutdown must reach
 * a carrier blocked in epoll_wait. The bounds are watchdogs (seconds), not performance expectations.
 */
class SchedulerWakeupTest {

    private static final long WATCHDOG_MILLIS = 10_000;

    private final SchedulerFixture fixture = new SchedulerFixture();

    private Scheduler newScheduler(int processors) throws Exception {
        return fixture.start("wakeup", processors);
    }

    @AfterEach
    void shutDown() throws Exception {
        fixture.close();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WATCHDOG_MILLIS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + WATCHDOG_MILLIS + " ms: " + what);
            }
            Thread.sleep(0, 100_000);
        }
    }

    @ParameterizedTest(name = "{0} processor(s)")
    @ValueSource(ints = {1, 2})
    void anEarlierTimerArmedFromOutsideBreaksTheBlockedPoller(int processors) throws Exception {
        Scheduler s = newScheduler(processors);
        // a far timer: an idle processor blocks in epoll_wait with a timeout of an hour
        AtomicBoolean farFired = new AtomicBoolean();
        Timer far = s.newTimer(() -> farFired.set(true)); // (an exception here would kill a carrier)
        far.reset(System.nanoTime() + TimeUnit.HOURS.toNanos(1));
        for (int round = 0; round < 40; round++) {
            await(s::someoneIsPolling, "a processor blocks in the poller (round " + round + ")");
            AtomicInteger fired = new AtomicInteger();
            long deadline = System.nanoTime() + ThreadLocalRandom.current().nextInt(2_000_000);
            s.newTimer(fired::incrementAndGet).reset(deadline);
            await(() -> fired.get() > 0, "a 0-2 ms timer armed while the poller sleeps for an hour fires (round " + round + ")");
            assertEquals(1, fired.get());
        }
        assertTrue(far.stop());
        assertFalse(farFired.get());
    }

    @ParameterizedTest(name = "{0} processor(s)")
    @ValueSource(ints = {1, 2})
    void anEarlierTimerArmedByAGoroutineWakesItWhileAnotherProcessorPolls(int processors) throws Exception {
        Scheduler s = newScheduler(processors);
        AtomicBoolean farFired = new AtomicBoolean();
        Timer far = s.newTimer(() -> farFired.set(true));
        far.reset(System.nanoTime() + TimeUnit.HOURS.toNanos(1));
        int goroutines = 200;
        CountDownLatch done = new CountDownLatch(goroutines);
        AtomicInteger early = new AtomicInteger();
        for (int i = 0; i < goroutines; i++) {
            await(s::someoneIsPolling, "a processor blocks in the poller");
            s.newGoroutine(() -> {
                Thread me = Thread.currentThread();
                AtomicBoolean fired = new AtomicBoolean();
                long deadline = System.nanoTime() + ThreadLocalRandom.current().nextInt(1_000_000);
                s.newTimer(() -> {
                    if (System.nanoTime() < deadline) {
                        early.incrementAndGet();
                    }
                    fired.set(true);
                    LockSupport.unpark(me);
                }).reset(deadline);
                while (!fired.get()) {
                    LockSupport.park();
                }
                done.countDown();
            });
        }
        assertTrue(done.await(WATCHDOG_MILLIS, TimeUnit.MILLISECONDS), done.getCount() + " goroutines never woke");
        assertEquals(0, early.get());
        assertTrue(far.stop());
        assertFalse(farFired.get());
    }

    /**
     * Busy goroutines that always yield keep the single processor from ever going idle, so only the
     * fairness tick and the monitor's starvation poll can bring a goroutine readied by I/O to run.
     */
    @Test
    void ioIsNotStarvedByAlwaysRunnableGoroutines() throws Exception {
        Scheduler s = newScheduler(1);
        try (TcpPair p = TcpPair.open(); Arena arena = Arena.ofShared()) {
            PollDesc pd = fixture.netpoller().open(p.server.fd());
            AtomicBoolean ioDone = new AtomicBoolean();
            AtomicBoolean gaveUp = new AtomicBoolean();
            AtomicInteger parked = new AtomicInteger();
            CountDownLatch finished = new CountDownLatch(5);
            MemorySegment buf = arena.allocate(64);
            s.newGoroutine(() -> {
                try {
                    Thread me = Thread.currentThread();
                    for (;;) {
                        int n = p.server.read(buf.address(), 64);
                        if (n > 0) {
                            break;
                        }
                        assertEquals(Socket.WOULD_BLOCK, n);
                        int r = pd.arm(PollDesc.READ, me);
                        if (r == PollDesc.ARM_WAITING) {
                            parked.incrementAndGet();
                            LockSupport.park();
                            pd.consume(PollDesc.READ);
                        }
                    }
                    ioDone.set(true);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                } finally {
                    finished.countDown();
                }
            });
            await(() -> parked.get() > 0, "the reader parks");
            for (int i = 0; i < 4; i++) {
                s.newGoroutine(() -> {
                    long cutoff = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WATCHDOG_MILLIS);
                    while (!ioDone.get()) {
                        if (System.nanoTime() > cutoff) {
                            gaveUp.set(true);
                            break;
                        }
                        Thread.yield();
                    }
                    finished.countDown();
                });
            }
            Thread.sleep(20); // let the busy goroutines take over the processor
            MemorySegment out = arena.allocate(8);
            assertEquals(8, p.client.write(out.address(), 8));
            assertTrue(finished.await(2 * WATCHDOG_MILLIS, TimeUnit.MILLISECONDS));
            assertFalse(gaveUp.get(), "the reader was not run while other goroutines kept the processor busy");
            assertTrue(ioDone.get());
            fixture.netpoller().close(pd);
        }
    }

    /** Parks a goroutine on {@code pd}'s read side, waits for a blocked poller, shuts down. */
    private void parkOnIoThenShutDown(Scheduler s, PollDesc pd) throws Exception {
        CountDownLatch armed = new CountDownLatch(1);
        s.newGoroutine(() -> {
            Thread me = Thread.currentThread();
            pd.consume(PollDesc.READ);
            while (pd.arm(PollDesc.READ, me) != PollDesc.ARM_WAITING) {
                Thread.onSpinWait();
            }
            armed.countDown();
            for (;;) { // wait for data that never comes
                LockSupport.park();
                if (pd.consume(PollDesc.READ) || pd.isClosing()) {
                    return;
                }
                pd.arm(PollDesc.READ, me);
            }
        });
        assertTrue(armed.await(WATCHDOG_MILLIS, TimeUnit.MILLISECONDS));
        await(s::someoneIsPolling, "a processor blocks in epoll_wait (infinite timeout: a goroutine waits on I/O)");
        s.shutdown();
        assertTrue(s.awaitTermination(WATCHDOG_MILLIS, TimeUnit.MILLISECONDS), "carriers exit on shutdown");
        assertTrue(s.isTerminated());
    }

    @Test
    void shutdownReachesACarrierBlockedInThePollerWithAGoroutineParkedOnIo() throws Exception {
        Scheduler s = newScheduler(2);
        try (TcpPair p = TcpPair.open()) {
            PollDesc pd = fixture.netpoller().open(p.server.fd());
            parkOnIoThenShutDown(s, pd);
            assertTrue(fixture.netpoller().hasWaiters(), "the abandoned goroutine is still parked (documented)");
        }
    }

    /**
     * The goroutine parked on I/O is abandoned by shutdown (documented). Closing its descriptor
     * afterwards must still deregister and recycle it, although waking the abandoned waiter fails:
     * the terminated scheduler rejects the unpark.
     */
    @Test
    void closingADescriptorWhoseWaiterWasAbandonedStillRecyclesIt() throws Exception {
        Scheduler s = newScheduler(1);
        try (TcpPair p = TcpPair.open()) {
            PollDesc pd = fixture.netpoller().open(p.server.fd());
            parkOnIoThenShutDown(s, pd);
            RuntimeException wakeFailure = null;
            try {
                fixture.netpoller().close(pd);
            } catch (RejectedExecutionException e) {
                wakeFailure = e;
            }
            assertEquals(0, fixture.netpoller().registeredCount(), "Netpoller.close(pd) left the descriptor registered"
                    + (wakeFailure == null ? "" : " after unparking the waiter threw " + wakeFailure));
            assertFalse(fixture.netpoller().hasWaiters());
        }
    }

    /**
     * Two idle processors, one carrier blocked in the poller (a goroutine H waits on I/O), and a timer
     * in each processor's heap. Data arrives; the poller takes a processor and runs H, which then
     * computes for a long time without yielding. Nobody polls any more, and one timer sits in H's
     * processor, the other in the idle one: the monitor must still fire both (Go's sysmon: "timers that
     * should have already run: startm" for the idle one, retake and hand-off for H's).
     */
    @Test
    void theTimersOfEveryProcessorFireWhileTheCarrierThatPolledRunsALongGoroutine() throws Exception {
        Scheduler s = newScheduler(2);
        try (TcpPair p = TcpPair.open(); Arena arena = Arena.ofShared()) {
            PollDesc pd = fixture.netpoller().open(p.server.fd());
            AtomicInteger timersFired = new AtomicInteger();
            AtomicBoolean hogGaveUp = new AtomicBoolean();
            CountDownLatch armed = new CountDownLatch(1);
            CountDownLatch hogDone = new CountDownLatch(1);
            MemorySegment buf = arena.allocate(64);
            s.newGoroutine(() -> { // H: wait for data, then compute until both timers fired (or a watchdog)
                try {
                    Thread me = Thread.currentThread();
                    pd.consume(PollDesc.READ);
                    int r = pd.arm(PollDesc.READ, me);
                    armed.countDown();
                    while (r == PollDesc.ARM_WAITING) {
                        LockSupport.park();
                        r = pd.consume(PollDesc.READ) ? PollDesc.ARM_READY : pd.arm(PollDesc.READ, me);
                    }
                    p.server.read(buf.address(), 64);
                    long cutoff = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                    while (timersFired.get() < 2) { // a CPU-bound stretch: no park, no yield
                        if (System.nanoTime() > cutoff) {
                            hogGaveUp.set(true);
                            break;
                        }
                        Thread.onSpinWait();
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                } finally {
                    hogDone.countDown();
                }
            });
            assertTrue(armed.await(WATCHDOG_MILLIS, TimeUnit.MILLISECONDS));
            await(() -> s.someoneIsPolling() && s.idle.size() == 2, "both processors idle, one carrier polls");

            // One timer in each processor's heap (as if goroutines had armed them there earlier).
            for (Processor processor : s.processors) {
                Timer t = s.newTimer(timersFired::incrementAndGet);
                t.heap = processor.timers;
                t.reset(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50));
                assertEquals(1, processor.timers.size());
            }

            MemorySegment out = arena.allocate(8);
            assertEquals(8, p.client.write(out.address(), 8)); // the poller readies H and runs it itself
            assertTrue(hogDone.await(WATCHDOG_MILLIS, TimeUnit.MILLISECONDS));
            assertFalse(hogGaveUp.get(), "of two timers due in 50 ms, one in each processor's heap, only "
                    + timersFired.get() + " fired during 3 s in which one goroutine ran without yielding");
            fixture.netpoller().close(pd);
        }
    }

    @ParameterizedTest(name = "{0} processor(s)")
    @ValueSource(ints = {1, 2})
    void aTimerActionThatThrowsStopsNeitherItsCarrierNorTheTimersDueWithIt(int processors) throws Exception {
        Scheduler s = newScheduler(processors);
        AtomicInteger fired = new AtomicInteger();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        s.newTimer(() -> {
            throw new StackOverflowError("a timer action that throws (simulated)");
        }).reset(deadline);
        for (int i = 0; i < 5; i++) {
            s.newTimer(fired::incrementAndGet).reset(deadline);
        }
        await(() -> fired.get() == 5, "every timer due with the throwing one fires");
        for (int round = 0; round < 3 * processors; round++) {
            CountDownLatch ran = new CountDownLatch(1);
            s.go(ran::countDown);
            assertTrue(ran.await(WATCHDOG_MILLIS, TimeUnit.MILLISECONDS), "the carriers stopped running goroutines");
        }
    }

    @Test
    void aWaiterWhoseWakeUpThrowsDoesNotStrandTheOthersOfTheSamePoll() throws Exception {
        Scheduler s = newScheduler(1);
        try (TcpPair broken = TcpPair.open(); TcpPair healthy = TcpPair.open(); Arena arena = Arena.ofShared()) {
            PollDesc brokenPd = fixture.netpoller().open(broken.server.fd());
            PollDesc healthyPd = fixture.netpoller().open(healthy.server.fd());
            AtomicInteger throwingWakes = new AtomicInteger();
            brokenPd.consume(PollDesc.READ);
            assertEquals(PollDesc.ARM_WAITING, brokenPd.arm(PollDesc.READ, (dev.gonetpoll.poll.PollWaiter) () -> {
                throwingWakes.incrementAndGet();
                throw new OutOfMemoryError("a waiter whose wake-up throws (simulated)");
            }));
            CountDownLatch armed = new CountDownLatch(1);
            CountDownLatch woken = new CountDownLatch(1);
            s.newGoroutine(() -> {
                Thread me = Thread.currentThread();
                healthyPd.consume(PollDesc.READ);
                int r = healthyPd.arm(PollDesc.READ, me);
                armed.countDown();
                while (r == PollDesc.ARM_WAITING) {
                    LockSupport.park();
                    r = healthyPd.consume(PollDesc.READ) ? PollDesc.ARM_READY : healthyPd.arm(PollDesc.READ, me);
                }
                woken.countDown();
            });
            assertTrue(armed.await(WATCHDOG_MILLIS, TimeUnit.MILLISECONDS));
            MemorySegment out = arena.allocate(8);
            // Both become readable together, so one netpoll call (usually) readies both waiters.
            assertEquals(8, broken.client.write(out.address(), 8));
            assertEquals(8, healthy.client.write(out.address(), 8));
            assertTrue(woken.await(WATCHDOG_MILLIS, TimeUnit.MILLISECONDS),
                    "a goroutine readied with a waiter whose wake-up threw was never woken");
            await(() -> throwingWakes.get() == 1, "the throwing waiter to be called");
            // and the carriers go on: another goroutine still runs
            CountDownLatch ran = new CountDownLatch(1);
            s.go(ran::countDown);
            assertTrue(ran.await(WATCHDOG_MILLIS, TimeUnit.MILLISECONDS));
            fixture.netpoller().close(brokenPd);
            fixture.netpoller().close(healthyPd);
        }
    }
}
