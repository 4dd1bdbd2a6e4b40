package dev.gonetpoll.sched;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The M/P split, one mechanism at a time: the monitor retaking a processor from a goroutine that
 * holds it (Go's retake and handoffp), a blocking region's exit with and without an idle processor
 * (Go's exitsyscall fast and slow paths), and the time slice that goroutines woken through runnext
 * inherit (Go's inheritTime). Each test sets up the one situation it is about; the bounds are
 * watchdogs, not performance expectations.
 */
@Timeout(60)
class SchedulerHandoffTest {

    private static final long WATCHDOG_MILLIS = 10_000;
    private static final long RETAKE_AFTER_MILLIS = 10;

    private final SchedulerFixture fixture = new SchedulerFixture();

    private Scheduler newScheduler(int processors) throws Exception {
        return fixture.start("handoff", processors, RETAKE_AFTER_MILLIS, 100, 60_000);
    }

    @AfterEach
    void shutDown() throws Exception {
        fixture.close();
    }

    private static Carrier carrier() {
        return (Carrier) Scheduler.currentCarrier();
    }

    /** Spins (no park, no yield) until {@code stop} is set or the watchdog ends it; true if stopped. */
    private static boolean spinUntil(AtomicBoolean stop) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WATCHDOG_MILLIS);
        while (!stop.get()) {
            if (System.nanoTime() - end > 0) {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    @Test
    void theMonitorRetakesTheProcessorOfASpinningGoroutineAndHandsItToAnotherCarrier() throws Exception {
        Scheduler s = newScheduler(1);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean spinnerStopped = new AtomicBoolean();
        AtomicReference<Carrier> spinnerCarrier = new AtomicReference<>();
        CountDownLatch spinning = new CountDownLatch(1);
        s.go(() -> {
            spinnerCarrier.set(carrier());
            spinning.countDown();
            spinnerStopped.set(spinUntil(stop));
        });
        assertTrue(spinning.await(WATCHDOG_MILLIS, TimeUnit.MILLISECONDS));
        long handoffs = s.handoffCount();

        AtomicReference<Carrier> otherCarrier = new AtomicReference<>();
        CountDownLatch ran = new CountDownLatch(1);
        s.go(() -> { // queued behind the spinner, on the only processor
            otherCarrier.set(carrier());
            ran.countDown();
        });
        assertTrue(ran.await(WATCHDOG_MILLIS, TimeUnit.MILLISECONDS),
                "a goroutine queued behind one that never parks did not run on a one-processor scheduler");
        stop.set(true);
        assertNotSame(spinnerCarrier.get(), otherCarrier.get(), "both ran on one carrier: nothing was handed off");
        assertEquals(1, s.handoffCount() - handoffs);
        SchedulerFixture.await(spinnerStopped::get, WATCHDOG_MILLIS, "the spinner to end");
        // The spinner's carrier, which lost the processor, finds none idle and joins the spares.
        Carrier former = spinnerCarrier.get();
        SchedulerFixture.await(() -> former.processor == null && s.spares.size() >= 1, WATCHDOG_MILLIS,
                "the carrier that lost its processor to become a spare");
        assertEquals(0, s.ownershipViolationCount());
    }

    @Test
    void aProcessorWithNothingWaitingIsNotRetaken() throws Exception {
        Scheduler s = newScheduler(1);
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(1);
        s.go(() -> {
            spinUntil(stop);
            done.countDown();
        });
        Thread.sleep(10 * RETAKE_AFTER_MILLIS); // ten thresholds with nothing else to run
        stop.set(true);
        assertTrue(done.await(WATCHDOG_MILLIS, TimeUnit.MILLISECONDS));
        assertEquals(0, s.handoffCount(), "a processor nobody else needed was handed off");
    }

    @Test
    void leavingABlockingRegionTakesAnIdleProcessorAndRunsOnTheSameCarrier() throws Exception {
        Scheduler s = newScheduler(2);
        AtomicReference<String> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        s.go(() -> {
            try {
                Carrier before = carrier();
                Processor mine = before.processor;
                assertNotNull(mine);
                assertTrue(Scheduler.enterBlocking());
                // Nothing else to run: the processor went to the idle set, not to another carrier
                // (the hand-off count stays 0, checked below).
                assertNull(carrier().processor, "the processor was kept in the blocking region");
                assertNotSame(before, mine.owner, "the carrier still owns the processor it gave up");
                Scheduler.exitBlocking();
                assertSame(before, carrier(), "the fast path moved the goroutine");
                assertNotNull(carrier().processor, "the goroutine runs on without a processor");
                assertEquals(Processor.IN_GOROUTINE, Processor.stateOf(carrier().processor.status()));
            } catch (Throwable t) {
                failure.set(String.valueOf(t));
            } finally {
                done.countDown();
            }
        });
        assertTrue(done.await(WATCHDOG_MILLIS, TimeUnit.MILLISECONDS));
        assertNull(failure.get());
        assertEquals(0, s.handoffCount(), "a processor with no work was handed to a carrier");
        assertEquals(0, s.ownershipViolationCount());
    }

    @Test
    void leavingABlockingRegionWithNoIdleProcessorWaitsItsTurnOnTheGlobalQueue() throws Exception {
        Scheduler s = newScheduler(1);
        AtomicBoolean regionLeft = new AtomicBoolean();
        AtomicBoolean after = new AtomicBoolean();
        AtomicReference<String> failure = new AtomicReference<>();
        AtomicInteger otherRan = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(2);
        AtomicBoolean stopOther = new AtomicBoolean();
        s.go(() -> {
            try {
                // B, readied now, waits on this processor: the region hands the processor to a carrier for it.
                s.go(() -> {
                    otherRan.incrementAndGet();
                    spinUntil(stopOther); // holds the only processor until A runs on after its region
                    done.countDown();
                });
                assertTrue(Scheduler.enterBlocking());
                assertNull(carrier().processor);
                SchedulerFixture.await(() -> otherRan.get() == 1, WATCHDOG_MILLIS, "B to run while A blocks");
                regionLeft.set(true);
                Scheduler.exitBlocking(); // no idle processor: A yields to the global queue
                after.set(true);
                assertNotNull(carrier().processor, "A runs on without a processor");
                stopOther.set(true);
            } catch (Throwable t) {
                failure.set(String.valueOf(t));
                stopOther.set(true);
            } finally {
                done.countDown();
            }
        });
        assertTrue(done.await(WATCHDOG_MILLIS, TimeUnit.MILLISECONDS), "A or B never finished");
        assertNull(failure.get());
        assertTrue(regionLeft.get() && after.get());
        // one hand-off when A entered the region (B waited), one when the monitor retook the
        // processor from B for A, which waited on the global queue
        assertEquals(2, s.handoffCount());
        assertEquals(0, s.ownershipViolationCount());
    }

    @Test
    void twoGoroutinesWakingEachOtherThroughRunnextDoNotStarveTheRing() throws Exception {
        Scheduler s = newScheduler(1);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong exchanges = new AtomicLong();
        AtomicLong exchangesWhenCRan = new AtomicLong(-1);
        AtomicReference<Thread> a = new AtomicReference<>();
        AtomicReference<Thread> b = new AtomicReference<>();
        CountDownLatch bothKnown = new CountDownLatch(1);
        CountDownLatch pairDone = new CountDownLatch(2);
        AtomicInteger turn = new AtomicInteger(); // 0: A's turn, 1: B's
        Runnable player = () -> {
            try {
                bothKnown.await();
                int me = Thread.currentThread() == a.get() ? 0 : 1;
                while (!stop.get()) {
                    if (turn.get() != me) {
                        LockSupport.park();
                        continue;
                    }
                    long busyUntil = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(200);
                    while (System.nanoTime() < busyUntil) {
                        Thread.onSpinWait(); // a little work per exchange: the pair keeps the CPU busy
                    }
                    exchanges.incrementAndGet();
                    turn.set(1 - me);
                    LockSupport.unpark(me == 0 ? b.get() : a.get()); // into runnext: inherits the slice
                }
                LockSupport.unpark(me == 0 ? b.get() : a.get()); // let the partner see stop
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                pairDone.countDown();
            }
        };
        a.set(s.newGoroutine(player));
        b.set(s.newGoroutine(player));
        bothKnown.countDown();
        Thread.sleep(5 * RETAKE_AFTER_MILLIS); // the pair alone for a while
        CountDownLatch cRan = new CountDownLatch(1);
        s.go(() -> {
            exchangesWhenCRan.set(exchanges.get());
            cRan.countDown();
        });
        boolean ran = cRan.await(5, TimeUnit.SECONDS);
        Thread.sleep(5 * RETAKE_AFTER_MILLIS); // the pair goes on after C
        long exchangesBeforeStop = exchanges.get();
        stop.set(true);
        assertTrue(pairDone.await(WATCHDOG_MILLIS, TimeUnit.MILLISECONDS));
        assertTrue(ran, "a goroutine queued while two others woke each other through runnext never ran");
        assertTrue(exchangesWhenCRan.get() > 0 && exchangesWhenCRan.get() < exchangesBeforeStop,
                "C did not run while the pair was exchanging: " + exchangesWhenCRan.get() + " of "
                        + exchangesBeforeStop + " exchanges before C");
        assertEquals(0, s.ownershipViolationCount());
    }

    /** Spins for {@code millis}; a frame the report's stack trace must show. */
    private static void spinForAWhile(long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }

    @Test
    void aGoroutineStillRunningAfterItsProcessorWasRetakenIsReportedOnceWithItsStack() throws Exception {
        Logger log = Logger.getLogger(StuckGoroutineReports.class.getName());
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(capture);
        try {
            Scheduler s = newScheduler(1);
            s.describeGoroutinesWith(t -> "the test's spinner");
            CountDownLatch spinning = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(1);
            AtomicReference<String> name = new AtomicReference<>();
            s.go(() -> {
                name.set(Thread.currentThread().getName());
                spinning.countDown();
                spinForAWhile(3 * StuckGoroutineReports.REPORT_AFTER_MS);
                done.countDown();
            });
            assertTrue(spinning.await(WATCHDOG_MILLIS, TimeUnit.MILLISECONDS));
            CountDownLatch other = new CountDownLatch(1);
            s.go(other::countDown); // work waits: the processor is retaken
            assertTrue(other.await(WATCHDOG_MILLIS, TimeUnit.MILLISECONDS));
            assertTrue(done.await(WATCHDOG_MILLIS, TimeUnit.MILLISECONDS));
            Thread.sleep(50); // the monitor's next rounds
            List<LogRecord> warnings = records.stream()
                    .filter(r -> r.getLevel() == Level.WARNING).toList();
            assertEquals(1, warnings.size(), "one report per stuck goroutine: " + warnings);
            LogRecord report = warnings.get(0);
            assertTrue(report.getMessage().contains("goroutine " + name.get() + " (the test's spinner) has run for"),
                    report.getMessage());
            assertTrue(Arrays.stream(report.getThrown().getStackTrace())
                            .anyMatch(e -> e.getMethodName().equals("spinForAWhile")),
                    "the stack trace does not show where the goroutine was");
        } finally {
            log.removeHandler(capture);
        }
    }
}
