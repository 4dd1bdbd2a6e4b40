package dev.gonetpoll.sched;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link Scheduler#go} reuses goroutines whose task ended (Go's free-G list): a hand-over instead of a
 * new virtual thread, at most 64 waiting per processor, none left behind at shutdown, and under many
 * concurrent {@code go} calls every task runs exactly once.
 */
@Timeout(60)
class FreeGoroutinesTest {

    private static final long WAIT_MILLIS = 20_000;

    private final SchedulerFixture fixture = new SchedulerFixture();

    private Scheduler newScheduler(int processors) throws Exception {
        return fixture.start("free", processors);
    }

    @AfterEach
    void shutDown() throws Exception {
        fixture.close();
    }

    private static Thread runAndGetThread(Scheduler s) throws InterruptedException {
        AtomicReference<Thread> ran = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        s.go(() -> {
            ran.set(Thread.currentThread());
            done.countDown();
        });
        assertTrue(done.await(20, TimeUnit.SECONDS));
        return ran.get();
    }

    @Test
    void aGoroutineWhoseTaskEndedRunsTheNextTask() throws Exception {
        Scheduler s = newScheduler(1);
        Thread first = runAndGetThread(s);
        assertTrue(first.isVirtual());
        SchedulerFixture.await(() -> s.freeGoroutineCount() == 1, WAIT_MILLIS, "the goroutine to wait in the free list");
        Thread second = runAndGetThread(s);
        assertSame(first, second, "the free goroutine was not reused");
    }

    @Test
    void anInterruptDoesNotCarryOverToTheNextTask() throws Exception {
        Scheduler s = newScheduler(1);
        CountDownLatch done = new CountDownLatch(1);
        s.go(() -> {
            Thread.currentThread().interrupt();
            done.countDown();
        });
        assertTrue(done.await(20, TimeUnit.SECONDS));
        SchedulerFixture.await(() -> s.freeGoroutineCount() == 1, WAIT_MILLIS, "the goroutine to wait in the free list");
        AtomicReference<Boolean> interrupted = new AtomicReference<>();
        CountDownLatch checked = new CountDownLatch(1);
        s.go(() -> {
            interrupted.set(Thread.currentThread().isInterrupted());
            checked.countDown();
        });
        assertTrue(checked.await(20, TimeUnit.SECONDS));
        assertFalse(interrupted.get());
    }

    @Test
    void atMost64GoroutinesPerProcessorWaitAndTheRestExit() throws Exception {
        Scheduler s = newScheduler(1);
        int n = 100;
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(n);
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < n; i++) {
            s.go(() -> {
                threads.add(Thread.currentThread());
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        assertTrue(started.await(20, TimeUnit.SECONDS));
        assertEquals(n, threads.size(), "concurrent tasks need goroutines of their own");
        release.countDown();
        SchedulerFixture.await(() -> threads.stream().filter(Thread::isAlive).count() == 64, WAIT_MILLIS, "the goroutines beyond 64 to exit");
        assertEquals(64, s.freeGoroutineCount());
    }

    @Test
    void shutdownEndsTheWaitingGoroutinesAndRejectsNewOnes() throws Exception {
        Scheduler s = newScheduler(2);
        Thread g = runAndGetThread(s);
        SchedulerFixture.await(() -> s.freeGoroutineCount() == 1, WAIT_MILLIS, "the goroutine to wait in the free list");
        s.shutdown();
        g.join(TimeUnit.SECONDS.toMillis(20));
        assertFalse(g.isAlive(), "a free goroutine outlived its scheduler");
        assertThrows(java.util.concurrent.RejectedExecutionException.class, () -> s.go(() -> { }));
    }

    /**
     * Platform threads call go() while tasks end and goroutines go back to the free list, for a bounded
     * time. Every task must run exactly once (a goroutine handed two tasks, or a task handed to a
     * goroutine that exits, breaks the count).
     */
    @Test
    void everyTaskRunsExactlyOnceUnderConcurrentGoCalls() throws Exception {
        Scheduler s = newScheduler(2);
        int submitters = 4;
        int perSubmitter = 20_000;
        AtomicIntegerArray runs = new AtomicIntegerArray(submitters * perSubmitter);
        AtomicInteger finished = new AtomicInteger();
        Thread[] threads = new Thread[submitters];
        for (int t = 0; t < submitters; t++) {
            int base = t * perSubmitter;
            threads[t] = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < perSubmitter; i++) {
                    int id = base + i;
                    s.go(() -> {
                        runs.incrementAndGet(id);
                        if ((id & 7) == 0) {
                            LockSupport.parkNanos(1_000); // some tasks park: goroutines overlap
                        }
                        finished.incrementAndGet();
                    });
                }
            });
        }
        for (Thread t : threads) {
            t.join();
        }
        SchedulerFixture.await(() -> finished.get() == submitters * perSubmitter, WAIT_MILLIS, "every task to finish");
        for (int i = 0; i < runs.length(); i++) {
            if (runs.get(i) != 1) {
                fail("task " + i + " ran " + runs.get(i) + " times");
            }
        }
        assertTrue(s.freeGoroutineCount() <= 128, "free list above its capacity: " + s.freeGoroutineCount());
    }
}
