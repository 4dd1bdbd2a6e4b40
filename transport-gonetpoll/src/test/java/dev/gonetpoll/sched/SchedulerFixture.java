package dev.gonetpoll.sched;

import dev.gonetpoll.poll.Netpoller;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A scheduler with its own netpoller for one test: {@link #start} creates them, {@link #close} (from
 * an {@code @AfterEach}) shuts the scheduler down and fails the test if it does not terminate.
 */
final class SchedulerFixture implements AutoCloseable {

    private Netpoller netpoller;
    private Scheduler scheduler;

    Scheduler start(String name, int processors) throws Exception {
        netpoller = new Netpoller();
        scheduler = new Scheduler(name, processors, netpoller);
        return scheduler;
    }

    /** A scheduler with its own retake threshold, carrier cap and spare keep-alive. */
    Scheduler start(String name, int processors, long retakeAfterMillis, int maxCarriers, long spareKeepAliveMillis)
            throws Exception {
        netpoller = new Netpoller();
        scheduler = new Scheduler(name, processors, netpoller, retakeAfterMillis, maxCarriers,
                TimeUnit.MILLISECONDS.toNanos(spareKeepAliveMillis));
        return scheduler;
    }

    Netpoller netpoller() {
        return netpoller;
    }

    @Override
    public void close() throws Exception {
        if (scheduler != null) {
            scheduler.shutdown();
            boolean terminated = scheduler.awaitTermination(10, TimeUnit.SECONDS);
            netpoller.close();
            scheduler = null;
            assertTrue(terminated, "scheduler did not terminate after shutdown");
        }
    }

    /** Waits (1 ms steps) until {@code condition} holds; fails with {@code what} after {@code millis}. */
    static void await(BooleanSupplier condition, long millis, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(1);
        }
    }
}
