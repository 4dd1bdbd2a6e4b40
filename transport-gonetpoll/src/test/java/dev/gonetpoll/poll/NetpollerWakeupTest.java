package dev.gonetpoll.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.Field;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * {@link Netpoller#wakeup()}: deduplicated, breaks a blocked poll, is never lost when nobody polls,
 * is drained only by a blocking poll, and a non-blocking poll never swallows it.
 */
class NetpollerWakeupTest {

    private static final long WAKEUP_DATA = -1L;
    private static final long WAIT_MILLIS = 5_000;

    private Netpoller np;
    private EventBuffer buf;
    private final ReadyList ready = new ReadyList();

    @BeforeEach
    void setUp() throws Exception {
        np = new Netpoller();
        buf = new EventBuffer();
    }

    @AfterEach
    void tearDown() {
        buf.close();
        np.close();
    }

    static boolean pendingFlag(Netpoller np) {
        try {
            Field f = Netpoller.class.getDeclaredField("wakeupPending");
            f.setAccessible(true);
            return ((AtomicBoolean) f.get(np)).get();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** A non-blocking poll; true if it reported the wake-up eventfd as readable. */
    private static boolean pollZeroSeesWakeup(Netpoller np, EventBuffer buf, ReadyList ready) {
        buf.events.fill((byte) 0);
        assertEquals(0, np.poll(0, buf, ready), "no descriptors, nothing readied");
        assertEquals(0, ready.size());
        // only the eventfd is registered, so it can only be the first event
        return buf.userData(0) == WAKEUP_DATA && buf.events(0) != 0;
    }

    /** Runs a blocking poll on another thread; fails (after releasing it) if it does not return. */
    private void blockingPollMustReturn(String why) throws InterruptedException {
        CountDownLatch returned = new CountDownLatch(1);
        EventBuffer own = new EventBuffer();
        ReadyList list = new ReadyList();
        Thread t = new Thread(() -> {
            np.poll(-1, own, list);
            returned.countDown();
        }, "blocking-poller");
        t.setDaemon(true);
        t.start();
        boolean ok = returned.await(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        if (!ok) {
            np.wakeup(); // release it, then fail
            t.join(WAIT_MILLIS);
        }
        t.join(WAIT_MILLIS);
        own.close();
        assertTrue(ok, "a blocking poll did not return: " + why);
    }

    @Test
    void aWakeupWhileNobodyPollsIsNotLost() throws Exception {
        assertFalse(pendingFlag(np));
        np.wakeup();
        assertTrue(pendingFlag(np));
        blockingPollMustReturn("the wake-up happened before the poll");
        assertFalse(pendingFlag(np), "a blocking poll clears the flag");
        assertFalse(pollZeroSeesWakeup(np, buf, ready), "and drains the eventfd");
    }

    @Test
    void aNonBlockingPollDoesNotConsumeAPendingWakeup() throws Exception {
        np.wakeup();
        for (int i = 0; i < 3; i++) {
            assertTrue(pollZeroSeesWakeup(np, buf, ready), "level-triggered: still readable");
            assertTrue(pendingFlag(np), "poll(0) must not clear the flag");
        }
        blockingPollMustReturn("poll(0) swallowed the wake-up");
        assertFalse(pendingFlag(np));
        assertFalse(pollZeroSeesWakeup(np, buf, ready));
    }

    @Test
    void wakeupsAreDeduplicatedUntilAPollDrainsThem() throws Exception {
        for (int i = 0; i < 100; i++) {
            np.wakeup();
        }
        assertTrue(pendingFlag(np));
        blockingPollMustReturn("after 100 wake-ups");
        // one drain is enough: nothing is left over for a second poll
        assertFalse(pendingFlag(np));
        assertFalse(pollZeroSeesWakeup(np, buf, ready), "the eventfd is drained by one read");
        // and the next wake-up works again
        np.wakeup();
        assertTrue(pollZeroSeesWakeup(np, buf, ready));
        blockingPollMustReturn("a wake-up after a drain");
    }

    @Test
    void aTimedPollDrainsToo() {
        np.wakeup();
        assertEquals(0, np.poll(TimeUnit.MILLISECONDS.toNanos(1), buf, ready));
        assertFalse(pendingFlag(np), "a poll with a timeout is a blocking poll");
        assertFalse(pollZeroSeesWakeup(np, buf, ready));
    }

    /**
     * One thread blocks in {@code poll(-1)} in a loop; bursts of concurrent wake-ups from several
     * threads must each break the poll that was in progress when the burst started.
     */
    @RepeatedTest(3)
    void everyBurstOfConcurrentWakeupsBreaksTheBlockedPoll() throws Exception {
        final int wakers = 3;
        final int perWaker = 5;
        final long runNanos = TimeUnit.MILLISECONDS.toNanos(800);
        AtomicLong entered = new AtomicLong(-1); // round the poller is about to block in
        AtomicLong returned = new AtomicLong(-1); // last round whose poll returned
        AtomicLong spurious = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        long rounds = 0;

        try (Workers w = new Workers()) {
            w.start("poller", () -> {
                try (EventBuffer own = new EventBuffer()) {
                    ReadyList list = new ReadyList();
                    for (long round = 0; !stop.get(); round++) {
                        entered.set(round);
                        np.poll(-1, own, list);
                        returned.set(round);
                    }
                }
            });
            CyclicBarrier go = new CyclicBarrier(wakers + 1);
            CyclicBarrier finished = new CyclicBarrier(wakers + 1);
            AtomicBoolean wakersStop = new AtomicBoolean();
            for (int k = 0; k < wakers; k++) {
                w.start("waker-" + k, () -> {
                    for (;;) {
                        go.await();
                        if (wakersStop.get()) {
                            return;
                        }
                        for (int i = 0; i < perWaker; i++) {
                            np.wakeup();
                        }
                        finished.await();
                    }
                });
            }
            long end = System.nanoTime() + runNanos;
            while (System.nanoTime() < end && !w.hasErrors()) {
                long round = rounds;
                // wait until the poller is (about to be) blocked in round `round` or later
                long limit = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
                while (entered.get() < round) {
                    if (System.nanoTime() > limit) {
                        fail("poller never reached round " + round);
                    }
                    Thread.onSpinWait();
                }
                long target = entered.get();
                go.await(WAIT_MILLIS, TimeUnit.MILLISECONDS);
                finished.await(WAIT_MILLIS, TimeUnit.MILLISECONDS);
                // the burst started after the poller entered round `target`: that poll must return
                limit = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
                while (returned.get() < target) {
                    if (System.nanoTime() > limit) {
                        fail("a burst of " + wakers * perWaker + " wake-ups did not break the poll of round " + target
                                + " (pending flag " + pendingFlag(np) + ")");
                    }
                    Thread.onSpinWait();
                }
                if (entered.get() > target + 1) {
                    spurious.incrementAndGet();
                }
                rounds = target + 1;
            }
            wakersStop.set(true);
            go.await(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            stop.set(true);
            np.wakeup();
            w.joinAll(WAIT_MILLIS);
        }
        assertTrue(rounds > 0);

        // Quiescent now: the flag is set exactly when the eventfd is readable, and poll(0) keeps both.
        boolean flag = pendingFlag(np);
        assertEquals(flag, pollZeroSeesWakeup(np, buf, ready), "pending flag vs eventfd state");
        assertEquals(flag, pendingFlag(np));
        if (flag) {
            blockingPollMustReturn("a wake-up left pending at the end");
        }
        assertFalse(pendingFlag(np));
        assertFalse(pollZeroSeesWakeup(np, buf, ready), "eventfd drained");
        np.wakeup();
        blockingPollMustReturn("a fresh wake-up after the stress");
        System.out.printf("NetpollerWakeupTest: %d bursts, %d with an extra poll return%n", rounds, spurious.get());
    }
}
