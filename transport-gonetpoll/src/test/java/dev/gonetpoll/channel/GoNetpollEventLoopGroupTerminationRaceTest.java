package dev.gonetpoll.channel;

import dev.gonetpoll.poll.Workers;
import io.netty.channel.EventLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.gonetpoll.channel.LoopTests.WAIT_SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code execute} racing the termination of the whole group, from many threads: every task is either
 * rejected (execute throws, the task never runs) or accepted (execute returns, the task runs exactly
 * once); never both. The loops used go idle after every task, so most submissions start a goroutine,
 * and some of those starts land after the group terminated (the defect: the task had run, the late
 * start threw RejectedExecutionException at its submitter anyway).
 */
@Timeout(300)
class GoNetpollEventLoopGroupTerminationRaceTest {

    private static final int ROUNDS = 60;
    private static final int SUBMITTERS = 4;
    private static final int LOOPS = 8;

    /** A task that counts its runs. */
    private static final class CountingTask implements Runnable {
        final AtomicInteger runs = new AtomicInteger();

        @Override
        public void run() {
            runs.incrementAndGet();
        }
    }

    @Test
    void everyTaskIsRejectedOrRunsExactlyOnceWhileTheGroupTerminates() throws Exception {
        int lateStarts = 0;
        for (int round = 0; round < ROUNDS; round++) {
            GoNetpollEventLoopGroup group = new GoNetpollEventLoopGroup(2);
            List<EventLoop> loops = new ArrayList<>();
            for (int i = 0; i < LOOPS; i++) {
                loops.add(group.next());
            }
            Queue<CountingTask> accepted = new ConcurrentLinkedQueue<>();
            Queue<CountingTask> rejected = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch go = new CountDownLatch(1);
            try (Workers workers = new Workers()) {
                for (int s = 0; s < SUBMITTERS; s++) {
                    workers.start("submitter-" + s, () -> {
                        go.await();
                        ThreadLocalRandom random = ThreadLocalRandom.current();
                        while (!stop.get()) {
                            CountingTask task = new CountingTask();
                            EventLoop loop = loops.get(random.nextInt(LOOPS));
                            try {
                                loop.execute(task);
                                accepted.add(task);
                            } catch (RejectedExecutionException e) {
                                rejected.add(task);
                            }
                            if (group.isTerminated() && random.nextInt(64) == 0) {
                                return; // a few more after termination, then done
                            }
                        }
                    });
                }
                go.countDown();
                TimeUnit.MICROSECONDS.sleep(ThreadLocalRandom.current().nextInt(2_000));
                assertTrue(group.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(WAIT_SECONDS, TimeUnit.SECONDS),
                        "round " + round + ": the group did not terminate");
                Thread.sleep(5);
                stop.set(true);
                workers.joinAll(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            }
            // Accepted tasks may still be running in a loop's last pass: wait for them, bounded.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            for (CountingTask task : accepted) {
                while (task.runs.get() == 0) {
                    if (System.nanoTime() - deadline > 0) {
                        fail("round " + round + ": an accepted task never ran");
                    }
                    Thread.sleep(1);
                }
            }
            Thread.sleep(2); // a rejected task that would (wrongly) run gets a chance to show it
            for (CountingTask task : accepted) {
                assertEquals(1, task.runs.get(), "round " + round + ": an accepted task ran more than once");
            }
            for (CountingTask task : rejected) {
                assertEquals(0, task.runs.get(), "round " + round + ": a rejected task ran");
            }
            for (EventLoop loop : loops) {
                LoopTests.await(loop::isTerminated, "round " + round + ": every loop of a terminated group terminates");
            }
            if (!rejected.isEmpty()) {
                lateStarts++;
            }
        }
        assertTrue(lateStarts > 0, "no round had a submission after the termination: the race was never run");
    }
}
