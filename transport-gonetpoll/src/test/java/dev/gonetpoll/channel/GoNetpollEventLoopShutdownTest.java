package dev.gonetpoll.channel;

import dev.gonetpoll.poll.Workers;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static dev.gonetpoll.channel.LoopTests.WAIT_SECONDS;
import static dev.gonetpoll.channel.LoopTests.onLoop;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shutting a {@link GoNetpollEventLoop} (and a fresh {@link GoNetpollEventLoopGroup}) down, as
 * Netty's {@code AbstractSingleThreadEventLoopTest} expects of an event loop: the quiet period runs
 * late tasks and is extended by them, the timeout ends a loop that never goes quiet, the termination
 * future completes, and afterwards every submission is rejected. No task that was accepted is lost.
 */
@Timeout(120)
class GoNetpollEventLoopShutdownTest {

    private GoNetpollEventLoopGroup group;

    @BeforeEach
    void createGroup() {
        group = new GoNetpollEventLoopGroup(2);
    }

    @AfterEach
    void shutdownGroup() {
        LoopTests.shutdown(group);
    }

    // ---------------------------------------------------------------------------------------------
    // A group that never ran anything (Netty's shutdownBeforeStart and shutdownGracefully*BeforeStart)

    @Test
    @SuppressWarnings("deprecation")
    void aFreshGroupShutsDown() throws Exception {
        GoNetpollEventLoopGroup fresh = new GoNetpollEventLoopGroup(1);
        assertFalse(fresh.awaitTermination(2, TimeUnit.MILLISECONDS));
        fresh.shutdown();
        assertTrue(fresh.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(fresh.isShutdown());
        assertTrue(fresh.isTerminated());
    }

    @Test
    void aFreshGroupShutsDownGracefullyWithoutQuietPeriod() throws Exception {
        GoNetpollEventLoopGroup fresh = new GoNetpollEventLoopGroup(1);
        assertTrue(fresh.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(fresh.isTerminated());
    }

    @Test
    void aFreshGroupShutsDownGracefullyWithQuietPeriod() throws Exception {
        GoNetpollEventLoopGroup fresh = new GoNetpollEventLoopGroup(1);
        Future<?> f = fresh.shutdownGracefully(200, 1000, TimeUnit.MILLISECONDS);
        assertSame(f, fresh.terminationFuture());
        assertTrue(f.await(WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(f.isSuccess());
    }

    // ---------------------------------------------------------------------------------------------
    // One loop

    @Test
    void aLoopThatNeverRanShutsDownAndTheGroupKeepsWorking() throws Exception {
        EventLoop loop = group.next();
        Future<?> f = loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        assertSame(f, loop.terminationFuture());
        assertTrue(loop.isShuttingDown());
        assertTrue(f.await(WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(f.isSuccess());
        assertTrue(loop.isShutdown());
        assertTrue(loop.isTerminated());
        assertTrue(loop.awaitTermination(0, TimeUnit.SECONDS));
        assertRejects(loop);

        assertFalse(group.isShuttingDown(), "shutting one loop down shut the group down");
        EventLoop another = group.next();
        assertNotSame(loop, another, "the group handed out a terminated loop");
        assertEquals("works", onLoop(another, () -> "works"));
    }

    @Test
    void gracefulShutdownAfterStart() throws Exception {
        EventLoop loop = group.next();
        CountDownLatch started = new CountDownLatch(1);
        loop.execute(started::countDown);
        assertTrue(started.await(WAIT_SECONDS, TimeUnit.SECONDS));

        loop.shutdownGracefully(200, 3000, TimeUnit.MILLISECONDS);
        assertTrue(loop.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS));
        assertRejects(loop);
    }

    @Test
    void shutdownRequestedAgainKeepsTheFirstRequest() throws Exception {
        EventLoop loop = group.next();
        Future<?> first = loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        Future<?> second = loop.shutdownGracefully(1, 1, TimeUnit.HOURS);
        assertSame(first, second);
        assertTrue(first.await(WAIT_SECONDS, TimeUnit.SECONDS), "a second request changed the first one");
    }

    @Test
    void aLoopShutsItselfDownFromATask() throws Exception {
        EventLoop loop = group.next();
        AtomicBoolean finished = new AtomicBoolean();
        Future<?> termination = onLoop(loop, () -> {
            Future<?> f = loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            assertFalse(f.isDone(), "the loop terminated under the running task");
            finished.set(true);
            return f;
        });
        assertTrue(termination.await(WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(finished.get());
        assertRejects(loop);
    }

    @Test
    void tasksSubmittedDuringTheQuietPeriodRunAndExtendIt() throws Exception {
        EventLoop loop = group.next();
        long quietMillis = 1_500;
        AtomicLong terminatedAt = new AtomicLong();
        loop.terminationFuture().addListener(f -> terminatedAt.set(System.nanoTime()));
        onLoop(loop, () -> null);

        loop.shutdownGracefully(quietMillis, TimeUnit.SECONDS.toMillis(WAIT_SECONDS), TimeUnit.MILLISECONDS);
        long lastRanAt = 0;
        for (int i = 0; i < 5; i++) {
            Thread.sleep(50);
            // Accepted, run, and run while the loop is shutting down but not yet shut down.
            Future<Long> f = loop.submit(() -> {
                assertTrue(loop.isShuttingDown());
                assertFalse(loop.isShutdown());
                return System.nanoTime();
            });
            lastRanAt = f.get(WAIT_SECONDS, TimeUnit.SECONDS);
        }
        assertTrue(loop.terminationFuture().await(WAIT_SECONDS, TimeUnit.SECONDS));
        LoopTests.await(() -> terminatedAt.get() != 0, "the termination listener to run");
        long quietAfterLastTask = TimeUnit.NANOSECONDS.toMillis(terminatedAt.get() - lastRanAt);
        assertTrue(quietAfterLastTask >= quietMillis, "terminated " + quietAfterLastTask
                + " ms after the last task, within the quiet period of " + quietMillis + " ms");
        assertRejects(loop);
    }

    @Test
    void scheduledTasksAreCancelledWhenShutdownStarts() throws Exception {
        EventLoop loop = group.next();
        AtomicBoolean ran = new AtomicBoolean();
        ScheduledFuture<?> f = loop.schedule(() -> ran.set(true), 1, TimeUnit.HOURS);
        ScheduledFuture<?> periodic = loop.scheduleAtFixedRate(() -> { }, 1, 1, TimeUnit.HOURS);
        onLoop(loop, () -> null);
        assertTrue(loop.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(WAIT_SECONDS, TimeUnit.SECONDS),
                "a loop with pending scheduled tasks did not terminate");
        assertTrue(f.isCancelled());
        assertTrue(periodic.isCancelled());
        assertFalse(ran.get());
    }

    @Test
    void theTimeoutEndsALoopThatNeverGoesQuiet() throws Exception {
        EventLoop loop = group.next();
        long quietMillis = 500;
        long timeoutMillis = 1_500;
        AtomicInteger runs = new AtomicInteger();
        AtomicBoolean rejectedInside = new AtomicBoolean();
        // A task that submits itself again: the loop always has work, so it is never quiet.
        Runnable busy = new Runnable() {
            @Override
            public void run() {
                runs.incrementAndGet();
                try {
                    Thread.sleep(1);
                    loop.execute(this);
                } catch (RejectedExecutionException e) {
                    rejectedInside.set(true); // the loop shut down: nothing more to do
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        loop.execute(busy);
        long shutdownAt = System.nanoTime();
        Future<?> f = loop.shutdownGracefully(quietMillis, timeoutMillis, TimeUnit.MILLISECONDS);
        assertTrue(f.await(WAIT_SECONDS, TimeUnit.SECONDS), "a busy loop did not stop at its timeout");
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - shutdownAt);
        assertTrue(tookMillis >= timeoutMillis, "terminated after " + tookMillis + " ms, before its timeout");
        assertTrue(rejectedInside.get(), "the busy task was never told the loop shut down");
        assertTrue(runs.get() > 1);
        assertRejects(loop);
    }

    @Test
    void aLoopKeptBusyFromOutsideStopsAtTheTimeoutAndLosesNoAcceptedTask() throws Exception {
        EventLoop loop = group.next();
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger ran = new AtomicInteger();
        long timeoutMillis = 1_000;
        try (Workers workers = new Workers()) {
            workers.start("busy-submitter", () -> {
                for (;;) {
                    try {
                        loop.execute(ran::incrementAndGet);
                    } catch (RejectedExecutionException e) {
                        return;
                    }
                    accepted.incrementAndGet();
                    Thread.sleep(2);
                }
            });
            onLoop(loop, () -> null);
            long shutdownAt = System.nanoTime();
            Future<?> f = loop.shutdownGracefully(timeoutMillis, timeoutMillis, TimeUnit.MILLISECONDS);
            assertTrue(f.await(WAIT_SECONDS, TimeUnit.SECONDS), "a busy loop did not stop at its timeout");
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - shutdownAt);
            assertTrue(tookMillis >= timeoutMillis, "terminated after " + tookMillis + " ms, before its timeout");
            workers.joinAll(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        }
        assertEquals(accepted.get(), ran.get(), "tasks were accepted by execute() but never ran");
    }

    @Test
    void everyTaskAcceptedAroundShutdownRunsOrIsCancelled() throws Exception {
        // Submitters race with shutdown: a task is either rejected (execute throws) or it runs; a
        // scheduled task is either rejected or its future completes (cancelled by the shutdown).
        for (int round = 0; round < 100; round++) {
            EventLoop loop = group.next();
            AtomicInteger accepted = new AtomicInteger();
            AtomicInteger ran = new AtomicInteger();
            Queue<ScheduledFuture<?>> scheduled = new ConcurrentLinkedQueue<>();
            CountDownLatch go = new CountDownLatch(1);
            try (Workers workers = new Workers()) {
                for (int s = 0; s < 3; s++) {
                    workers.start("racing-submitter-" + s, () -> {
                        go.await();
                        for (int i = 0; ; i++) {
                            try {
                                if (i % 8 == 0) {
                                    scheduled.add(loop.schedule(ran::incrementAndGet, 1, TimeUnit.HOURS));
                                } else {
                                    loop.execute(ran::incrementAndGet);
                                    accepted.incrementAndGet();
                                }
                            } catch (RejectedExecutionException e) {
                                return;
                            }
                        }
                    });
                }
                go.countDown();
                Thread.sleep(0, 200_000);
                assertTrue(loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(WAIT_SECONDS, TimeUnit.SECONDS),
                        "round " + round + ": the loop did not terminate");
                workers.joinAll(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            }
            assertTrue(loop.isTerminated(), "round " + round + ": a terminated loop ran again");
            assertEquals(accepted.get(), ran.get(), "round " + round + ": accepted tasks never ran");
            for (ScheduledFuture<?> f : scheduled) {
                assertTrue(f.isCancelled(), "round " + round
                        + ": a task scheduled before the loop terminated is neither run nor cancelled");
            }
        }
    }

    @Test
    void theGroupsQuietPeriodReachesItsLoops() throws Exception {
        GoNetpollEventLoopGroup quiet = new GoNetpollEventLoopGroup(1);
        EventLoop live = quiet.next();
        ScheduledFuture<?> pending = live.schedule(() -> { }, 1, TimeUnit.HOURS); // keeps the loop live
        onLoop(live, () -> null);
        EventLoop idle = quiet.next(); // never ran: it starts during the shutdown

        Future<?> termination = quiet.shutdownGracefully(2_000, TimeUnit.SECONDS.toMillis(WAIT_SECONDS),
                TimeUnit.MILLISECONDS);
        assertTrue(live.isShuttingDown());
        // Both loops still accept and run tasks in the quiet period; both then terminate.
        assertEquals("live", live.submit(() -> "live").get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals("idle", idle.submit(() -> "idle").get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(idle.isShuttingDown(), "a loop that started during the group's shutdown is not shutting down");
        assertTrue(termination.await(WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(live.isTerminated());
        assertTrue(idle.isTerminated());
        assertTrue(pending.isCancelled());
        assertRejects(live);
        assertRejects(idle);
    }

    @Test
    void aLoopOfATerminatedGroupShutsDownWithoutError() throws Exception {
        // A loop the group's shutdown did not reach (it had no goroutine then) can get none any more:
        // shutting it down must terminate it, not throw (the group's own shutdown does this too, for
        // a loop that goes idle while the group iterates its live loops).
        GoNetpollEventLoopGroup terminated = new GoNetpollEventLoopGroup(1);
        EventLoop unused = terminated.next();
        LoopTests.shutdown(terminated);
        Future<?> f = unused.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        assertTrue(f.await(WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(unused.isTerminated());
        assertRejects(unused);
    }

    private static void assertRejects(EventLoop loop) {
        assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> { }));
        assertThrows(RejectedExecutionException.class, () -> loop.submit(() -> { }));
        assertThrows(RejectedExecutionException.class, () -> loop.schedule(() -> { }, 1, TimeUnit.SECONDS));
    }
}
