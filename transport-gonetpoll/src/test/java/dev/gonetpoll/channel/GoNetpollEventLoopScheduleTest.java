package dev.gonetpoll.channel;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import static dev.gonetpoll.channel.LoopTests.WAIT_SECONDS;
import static dev.gonetpoll.channel.LoopTests.onLoop;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scheduled tasks of a {@link GoNetpollEventLoop}: {@code schedule}, {@code scheduleAtFixedRate},
 * {@code scheduleWithFixedDelay} and cancellation, from outside the loop and from inside it.
 * Scheduled tasks run in the loop's goroutine and never before their deadline; a cancelled task never
 * runs; a cancelled periodic task stops. Time is only checked as a lower bound (never early): how
 * late a task runs depends on the machine.
 */
@Timeout(120)
class GoNetpollEventLoopScheduleTest {

    private static final long DELAY_MILLIS = 100;

    private GoNetpollEventLoopGroup group;

    @BeforeEach
    void createGroup() {
        group = new GoNetpollEventLoopGroup(2);
    }

    @AfterEach
    void shutdownGroup() {
        LoopTests.shutdown(group);
    }

    @Test
    void aTaskScheduledFromOutsideRunsInTheLoopAndNotEarly() throws Exception {
        EventLoop loop = group.next();
        long before = System.nanoTime();
        ScheduledFuture<Long> f = loop.schedule(() -> {
            assertTrue(loop.inEventLoop());
            return System.nanoTime();
        }, DELAY_MILLIS, TimeUnit.MILLISECONDS);
        long ranAt = f.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotEarly(before, ranAt, DELAY_MILLIS);
    }

    @Test
    void aTaskScheduledFromInsideRunsInTheLoopAndNotEarly() throws Exception {
        EventLoop loop = group.next();
        long[] before = new long[1];
        ScheduledFuture<Long> f = onLoop(loop, () -> {
            before[0] = System.nanoTime();
            return loop.schedule(() -> {
                assertTrue(loop.inEventLoop());
                return System.nanoTime();
            }, DELAY_MILLIS, TimeUnit.MILLISECONDS);
        });
        long ranAt = f.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotEarly(before[0], ranAt, DELAY_MILLIS);
    }

    @Test
    void aLoopWaitingOnlyForAScheduledTaskIsLive() throws Exception {
        // No channel and no other task: the goroutine waits for the timer, and the group counts the
        // loop among its live ones (so that a group shutdown reaches it).
        EventLoop loop = group.next();
        ScheduledFuture<?> f = loop.schedule(() -> { }, 1, TimeUnit.HOURS);
        onLoop(loop, () -> null);
        boolean listed = false;
        for (EventExecutor e : group) {
            listed |= e == loop;
        }
        assertTrue(listed, "a loop with a pending scheduled task is not among the group's live loops");
        assertTrue(f.cancel(false));
    }

    @Test
    void scheduledTasksRunInDeadlineOrder() throws Exception {
        EventLoop loop = group.next();
        List<Integer> order = new ArrayList<>(); // only touched inside the loop
        List<ScheduledFuture<?>> futures = new ArrayList<>();
        int[] delays = {120, 30, 90, 60, 0, 150};
        for (int d : delays) {
            futures.add(loop.schedule(() -> order.add(d), d, TimeUnit.MILLISECONDS));
        }
        for (ScheduledFuture<?> f : futures) {
            assertTrue(f.await(WAIT_SECONDS, TimeUnit.SECONDS));
        }
        assertEquals(List.of(0, 30, 60, 90, 120, 150), onLoop(loop, () -> List.copyOf(order)));
    }

    @Test
    void cancelledTasksNeverRun() throws Exception {
        EventLoop loop = group.next();
        int n = 200;
        AtomicIntegerArray ran = new AtomicIntegerArray(n);
        List<ScheduledFuture<?>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int id = i;
            futures.add(loop.schedule(() -> ran.incrementAndGet(id), 50 + i % 50, TimeUnit.MILLISECONDS));
        }
        // Cancel the even ones: half from this thread, half from inside the loop.
        for (int i = 0; i < n; i += 4) {
            assertTrue(futures.get(i).cancel(false));
        }
        onLoop(loop, () -> {
            for (int i = 2; i < n; i += 4) {
                assertTrue(futures.get(i).cancel(false));
            }
            return null;
        });
        for (int i = 0; i < n; i++) {
            ScheduledFuture<?> f = futures.get(i);
            assertTrue(f.await(WAIT_SECONDS, TimeUnit.SECONDS), "task " + i + " never completed");
            if (i % 2 == 0) {
                assertTrue(f.isCancelled());
                assertTrue(f.cause() instanceof CancellationException);
                assertThrows(CancellationException.class, f::sync);
            } else {
                assertTrue(f.isSuccess(), "task " + i + ": " + f.cause());
            }
        }
        // Every odd task ran, so every deadline has passed: a cancelled task would have run by now.
        for (int i = 0; i < n; i++) {
            assertEquals(i % 2 == 0 ? 0 : 1, ran.get(i), "task " + i + " ran " + ran.get(i) + " times");
        }
    }

    @Test
    void fixedRateRunsAreNotEarlyAndCancelStopsThem() throws Exception {
        EventLoop loop = group.next();
        long period = 20;
        int runs = 10;
        List<Long> times = new ArrayList<>(); // only touched inside the loop
        CountDownLatch enough = new CountDownLatch(runs);
        long start = System.nanoTime();
        ScheduledFuture<?> f = loop.scheduleAtFixedRate(() -> {
            assertTrue(loop.inEventLoop());
            times.add(System.nanoTime());
            enough.countDown();
        }, period, period, TimeUnit.MILLISECONDS);
        assertTrue(enough.await(WAIT_SECONDS, TimeUnit.SECONDS), "fewer than " + runs + " runs");
        assertTrue(f.cancel(false));
        assertStops(loop, f, () -> onLoop(loop, times::size));
        List<Long> seen = onLoop(loop, () -> List.copyOf(times));
        for (int k = 0; k < seen.size(); k++) {
            // Fixed rate: run k is due at start + period * (k + 1), whenever the earlier runs happened.
            assertNotEarly(start, seen.get(k), period * (k + 1));
        }
    }

    @Test
    void fixedDelayWaitsTheDelayAfterEachRunAndCancelStopsIt() throws Exception {
        EventLoop loop = group.next();
        long delay = 20;
        int runs = 6;
        List<long[]> spans = new ArrayList<>(); // [start, end] of each run, only touched inside the loop
        CountDownLatch enough = new CountDownLatch(runs);
        ScheduledFuture<?> f = loop.scheduleWithFixedDelay(() -> {
            long begin = System.nanoTime();
            try {
                Thread.sleep(15); // a run that takes time: the delay counts from its end
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            spans.add(new long[] {begin, System.nanoTime()});
            enough.countDown();
        }, 0, delay, TimeUnit.MILLISECONDS);
        assertTrue(enough.await(WAIT_SECONDS, TimeUnit.SECONDS), "fewer than " + runs + " runs");
        assertTrue(f.cancel(false));
        assertStops(loop, f, () -> onLoop(loop, spans::size));
        List<long[]> seen = onLoop(loop, () -> List.copyOf(spans));
        for (int k = 1; k < seen.size(); k++) {
            assertNotEarly(seen.get(k - 1)[1], seen.get(k)[0], delay);
        }
    }

    @Test
    void aPeriodicTaskCancelledFromInsideItselfStops() throws Exception {
        EventLoop loop = group.next();
        AtomicInteger runs = new AtomicInteger();
        AtomicBoolean ranAfterCancel = new AtomicBoolean();
        ScheduledFuture<?>[] self = new ScheduledFuture<?>[1];
        CountDownLatch scheduled = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        self[0] = loop.scheduleAtFixedRate(() -> {
            try {
                scheduled.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (self[0].isCancelled()) {
                ranAfterCancel.set(true);
            }
            if (runs.incrementAndGet() == 5) {
                assertTrue(self[0].cancel(false));
                cancelled.countDown();
            }
        }, 0, 5, TimeUnit.MILLISECONDS);
        scheduled.countDown();
        assertTrue(cancelled.await(WAIT_SECONDS, TimeUnit.SECONDS));
        assertStops(loop, self[0], runs::get);
        assertEquals(5, runs.get());
        assertFalse(ranAfterCancel.get());
    }

    @Test
    void manyPeriodicTasksCancelledAtRandomAllComplete() throws Exception {
        // Netty's schedulingAndCancellingTasks: heavy churn of periodic tasks and cancellations.
        EventLoop loop = group.next();
        AtomicLong runs = new AtomicLong();
        List<ScheduledFuture<?>> tasks = new ArrayList<>();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 5000; i++) {
            tasks.add(loop.scheduleAtFixedRate(runs::incrementAndGet, 1, 1, TimeUnit.MILLISECONDS));
            if (tasks.size() > 500) {
                tasks.get(random.nextInt(tasks.size())).cancel(false);
            }
        }
        for (ScheduledFuture<?> t : tasks) {
            t.cancel(false);
        }
        for (ScheduledFuture<?> t : tasks) {
            assertTrue(t.await(WAIT_SECONDS, TimeUnit.SECONDS), "a cancelled periodic task never completed");
            assertTrue(t.isCancelled(), "a periodic task completed without being cancelled: " + t.cause());
        }
        long after = onLoop(loop, runs::get);
        Thread.sleep(50);
        assertEquals(after, onLoop(loop, runs::get), "cancelled periodic tasks still run");
    }

    @Test
    void aHugeDelayNeitherRunsNorKeepsTheProcessorBusy() throws Exception {
        // Netty's testScheduleBigDelayNotOverflow: a delay of Long.MAX_VALUE ms must not overflow into
        // "due now", neither for the task nor for the goroutine's wake-up timer.
        GoNetpollEventLoopGroup single = new GoNetpollEventLoopGroup(1);
        try {
            EventLoop loop = single.next();
            List<Thread> carriers = LoopTests.carriers(loop);
            AtomicBoolean ran = new AtomicBoolean();
            ScheduledFuture<?> f = loop.schedule(() -> ran.set(true), Long.MAX_VALUE, TimeUnit.MILLISECONDS);
            onLoop(loop, () -> null); // the task is in the loop's queue now
            long cpuBefore = LoopTests.cpuNanos(carriers);
            assertFalse(f.await(1, TimeUnit.SECONDS));
            long cpuMillis = TimeUnit.NANOSECONDS.toMillis(LoopTests.cpuNanos(carriers) - cpuBefore);
            // An idle processor uses next to no CPU; one that keeps waking for an "overdue" timer
            // uses all it gets. The bound is far from both.
            assertTrue(cpuMillis < 250, "the only processor used " + cpuMillis
                    + " ms of CPU in 1 s while its one loop waited for a task due in 292 million years");
            assertTrue(f.cancel(false));
            assertFalse(ran.get());
        } finally {
            LoopTests.shutdown(single);
        }
    }

    @Test
    void schedulingAfterShutdownIsRejected() throws Exception {
        EventLoop loop = group.next();
        assertTrue(loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(WAIT_SECONDS, TimeUnit.SECONDS));
        assertThrows(RejectedExecutionException.class,
                () -> loop.schedule(() -> { }, 1, TimeUnit.MILLISECONDS));
        assertThrows(RejectedExecutionException.class,
                () -> loop.scheduleAtFixedRate(() -> { }, 1, 1, TimeUnit.MILLISECONDS));
    }

    /** After {@code f} is cancelled and the loop ran a task since, {@code runs} no longer grows. */
    private static void assertStops(EventLoop loop, ScheduledFuture<?> f, Callable<Integer> runs)
            throws Exception {
        assertTrue(f.isCancelled());
        assertTrue(f.await(WAIT_SECONDS, TimeUnit.SECONDS));
        onLoop(loop, () -> null); // a run that had started when cancel() was called has ended now
        int stopped = runs.call();
        Thread.sleep(100); // five periods or more
        assertEquals(stopped, runs.call().intValue(), "a cancelled periodic task ran again");
    }

    private static void assertNotEarly(long fromNanos, long atNanos, long delayMillis) {
        long waitedMicros = TimeUnit.NANOSECONDS.toMicros(atNanos - fromNanos);
        assertTrue(waitedMicros >= TimeUnit.MILLISECONDS.toMicros(delayMillis),
                "ran after " + waitedMicros + " µs, before its delay of " + delayMillis + " ms");
    }
}
