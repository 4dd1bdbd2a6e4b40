package dev.gonetpoll.channel;

import dev.gonetpoll.poll.Workers;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.gonetpoll.channel.LoopTests.WAIT_SECONDS;
import static dev.gonetpoll.channel.LoopTests.await;
import static dev.gonetpoll.channel.LoopTests.holdsOnLoop;
import static dev.gonetpoll.channel.LoopTests.onLoop;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The task half of Netty's event-loop contract (what {@code AbstractSingleThreadEventLoopTest}
 * checks for a {@code SingleThreadEventLoop}), for {@link GoNetpollEventLoop}: tasks run one after
 * another, in submission order, inside the loop's goroutine; {@code inEventLoop()} is true exactly
 * there, also after the goroutine went idle and the loop was started again; concurrent submitters
 * lose nothing and keep their own order.
 */
@Timeout(120)
class GoNetpollEventLoopTasksTest {

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
    void tasksRunInSubmissionOrderOneAtATime() throws Exception {
        EventLoop loop = group.next();
        int n = 10_000;
        int[] order = new int[n];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        for (int i = 0; i < n; i++) {
            int id = i;
            loop.execute(() -> {
                if (running.incrementAndGet() != 1) {
                    overlaps.incrementAndGet();
                }
                order[next.getAndIncrement()] = id;
                running.decrementAndGet();
            });
        }
        onLoop(loop, () -> null); // a barrier: everything submitted before it has run
        assertEquals(n, next.get());
        assertEquals(0, overlaps.get(), "two tasks of one loop ran at the same time");
        for (int i = 0; i < n; i++) {
            assertEquals(i, order[i], "task " + order[i] + " ran at position " + i);
        }
    }

    @Test
    void tasksSubmittedFromInsideTheLoopRunAfterTheCurrentOneInOrder() throws Exception {
        EventLoop loop = group.next();
        List<String> trace = new ArrayList<>(); // only touched inside the loop
        onLoop(loop, () -> {
            loop.execute(() -> trace.add("b"));
            loop.execute(() -> trace.add("c"));
            trace.add("a"); // still the current task: b and c wait for it
            return null;
        });
        assertEquals(List.of("a", "b", "c"), onLoop(loop, () -> List.copyOf(trace)));
    }

    @Test
    void inEventLoopIsTrueExactlyInsideTheLoopsGoroutine() throws Exception {
        EventLoop loop = group.next();
        EventLoop other = group.next();
        assertNotSame(loop, other);

        assertFalse(loop.inEventLoop(), "the test thread is not the loop");
        assertTrue(holdsOnLoop(loop, loop::inEventLoop));
        assertTrue(holdsOnLoop(loop, () -> Thread.currentThread().isVirtual()), "a loop runs in a goroutine");
        assertFalse(holdsOnLoop(other, loop::inEventLoop), "another loop's goroutine is not this loop");
        assertFalse(holdsOnLoop(loop, other::inEventLoop));
        assertTrue(holdsOnLoop(loop, () -> loop.inEventLoop(Thread.currentThread())));
        assertFalse(holdsOnLoop(loop, () -> other.inEventLoop(Thread.currentThread())));
        assertFalse(loop.inEventLoop(Thread.currentThread()));
        // Also while the loop has no goroutine (it may be idle by now) no thread, not even null, is it.
        assertFalse(loop.inEventLoop(null));
        assertFalse(holdsOnLoop(loop, () -> loop.inEventLoop(null)));

        // A goroutine of the same scheduler that is not the loop's (one started by the loop's task).
        AtomicReference<Boolean> inChild = new AtomicReference<>();
        onLoop(loop, () -> {
            Thread child = Thread.ofVirtual().start(() -> inChild.set(loop.inEventLoop()));
            child.join();
            return null;
        });
        assertEquals(Boolean.FALSE, inChild.get());
    }

    @Test
    void inEventLoopFollowsTheGoroutineWhenTheLoopIsStartedAgain() throws Exception {
        EventLoop loop = group.next();
        Thread first = onLoop(loop, () -> {
            assertTrue(loop.inEventLoop(Thread.currentThread()));
            return Thread.currentThread();
        });

        // With no channel, task or timer left the goroutine gives the loop up (and waits in the
        // scheduler's free list for other work); the loop stays usable.
        LoopTests.await(() -> !((GoNetpollEventLoop) loop).hasGoroutine(), "the idle loop to give its goroutine up");
        assertFalse(loop.inEventLoop(first), "an ended goroutine still counts as the loop");
        assertFalse(loop.inEventLoop());

        // The loop starts again on whichever goroutine the scheduler hands it (maybe the same one,
        // reused from the free list): inEventLoop follows the goroutine that runs the loop now.
        Thread second = onLoop(loop, () -> {
            assertTrue(loop.inEventLoop());
            return Thread.currentThread();
        });
        assertTrue(second.isVirtual());
        LoopTests.await(() -> !((GoNetpollEventLoop) loop).hasGoroutine(), "the loop to go idle again");
        assertFalse(loop.inEventLoop(second));
        assertFalse(loop.inEventLoop());
    }

    @Test
    void manySubmittersAtOnceLoseNothingAndKeepTheirOwnOrder() throws Exception {
        EventLoop loop = group.next();
        int platformSubmitters = 6;
        int goroutineSubmitters = 4; // tasks of other loops: the path from one goroutine to another
        int perSubmitter = 20_000;
        int submitters = platformSubmitters + goroutineSubmitters;
        int[] lastSeen = new int[submitters];   // only touched inside the loop
        int[] outOfOrder = new int[submitters]; // only touched inside the loop
        Arrays.fill(lastSeen, -1);
        CountDownLatch start = new CountDownLatch(1);
        List<EventLoop> others = new ArrayList<>();
        List<Future<?>> goroutineDone = new ArrayList<>();
        try (Workers workers = new Workers()) {
            for (int s = 0; s < submitters; s++) {
                int submitter = s;
                Runnable body = () -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    for (int i = 0; i < perSubmitter; i++) {
                        int seq = i;
                        loop.execute(() -> {
                            if (lastSeen[submitter] != seq - 1) {
                                outOfOrder[submitter]++;
                            }
                            lastSeen[submitter] = seq;
                        });
                    }
                };
                if (s < platformSubmitters) {
                    workers.start("submitter-" + s, body::run);
                } else {
                    EventLoop other = group.next();
                    others.add(other);
                    goroutineDone.add(other.submit(body));
                }
            }
            start.countDown();
            workers.joinAll(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        }
        for (Future<?> f : goroutineDone) {
            assertTrue(f.await(WAIT_SECONDS, TimeUnit.SECONDS), "a submitting goroutine hung");
            assertTrue(f.isSuccess(), () -> "a submitting goroutine failed: " + f.cause());
        }
        int[] expectedLast = new int[submitters];
        Arrays.fill(expectedLast, perSubmitter - 1);
        assertArrayEquals(expectedLast, onLoop(loop, lastSeen::clone), "tasks were lost");
        assertArrayEquals(new int[submitters], onLoop(loop, outOfOrder::clone), "a submitter's order changed");
    }

    @Test
    void tasksSubmittedWhileTheGoroutineGoesIdleAreNotLost() throws Exception {
        // Each submitter waits for its task now and then, so the loop keeps running out of work and
        // ending its goroutine while others submit: every hand-over between an ending goroutine and a
        // new one is exercised.
        EventLoop loop = group.next();
        int submitters = 4;
        int perSubmitter = 2_000;
        AtomicInteger ran = new AtomicInteger();
        try (Workers workers = new Workers()) {
            for (int s = 0; s < submitters; s++) {
                workers.start("idle-submitter-" + s, () -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    for (int i = 0; i < perSubmitter; i++) {
                        CountDownLatch done = new CountDownLatch(1);
                        loop.execute(() -> {
                            ran.incrementAndGet();
                            done.countDown();
                        });
                        if (random.nextInt(4) == 0) {
                            assertTrue(done.await(WAIT_SECONDS, TimeUnit.SECONDS), "a task never ran");
                            if (random.nextBoolean()) {
                                Thread.sleep(0, random.nextInt(200_000));
                            }
                        }
                    }
                });
            }
            workers.joinAll(TimeUnit.SECONDS.toMillis(2 * WAIT_SECONDS));
        }
        await(() -> ran.get() == submitters * perSubmitter,
                "all " + submitters * perSubmitter + " tasks to run, ran " + ran.get());
        assertSame(loop, loop.next());
    }

    @Test
    void aThrowingTaskDoesNotStopTheLoop() throws Exception {
        EventLoop loop = group.next();
        loop.execute(() -> {
            throw new IllegalStateException("expected by the test: a task that fails");
        });
        assertEquals("still running", onLoop(loop, () -> "still running"));
    }

    @Test
    void badArgumentsAreRejectedAndTheLoopKeepsWorking() throws Exception {
        EventLoop loop = group.next();
        assertThrows(NullPointerException.class, () -> loop.execute(null));
        assertThrows(NullPointerException.class, () -> loop.schedule((Runnable) null, 1, TimeUnit.SECONDS));
        // A negative delay means "now", as for the JDK's scheduled executors.
        assertEquals("now", loop.schedule(() -> "now", -1, TimeUnit.SECONDS).get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertThrows(IllegalArgumentException.class,
                () -> loop.scheduleAtFixedRate(() -> { }, 0, 0, TimeUnit.SECONDS));
        assertThrows(IllegalArgumentException.class,
                () -> loop.scheduleWithFixedDelay(() -> { }, 0, -1, TimeUnit.SECONDS));
        assertThrows(IllegalArgumentException.class, () -> loop.shutdownGracefully(-1, 1, TimeUnit.SECONDS));
        assertThrows(IllegalArgumentException.class, () -> loop.shutdownGracefully(2, 1, TimeUnit.SECONDS));
        assertThrows(NullPointerException.class, () -> loop.shutdownGracefully(0, 1, null));
        assertFalse(loop.isShuttingDown(), "a rejected shutdown request changed the loop");
        assertEquals(42, onLoop(loop, () -> 42));
    }
}
