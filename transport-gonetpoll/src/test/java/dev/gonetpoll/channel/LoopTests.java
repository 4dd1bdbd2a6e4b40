package dev.gonetpoll.channel;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Helpers shared by the loop-contract tests. Every wait is bounded, so a hang fails instead of blocking. */
final class LoopTests {

    /** Upper bound for anything the tests wait for; generous, because the build machine is shared. */
    static final long WAIT_SECONDS = 30;

    private LoopTests() {
    }

    /** Runs {@code c} in {@code loop} and returns its result. */
    static <T> T onLoop(EventExecutor loop, Callable<T> c) throws Exception {
        return loop.submit(c).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** Evaluates {@code condition} in {@code loop}. */
    static boolean holdsOnLoop(EventExecutor loop, Callable<Boolean> condition) throws Exception {
        return onLoop(loop, condition);
    }

    /** Waits until {@code condition} holds, failing with {@code what} after {@link #WAIT_SECONDS}. */
    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting: " + what);
            }
            Thread.sleep(1);
        }
    }

    /** Shuts {@code group} down and fails if it does not terminate. */
    static void shutdown(GoNetpollEventLoopGroup group) {
        assertTrue(group.shutdownGracefully(0, 5, TimeUnit.SECONDS)
                        .awaitUninterruptibly(WAIT_SECONDS, TimeUnit.SECONDS),
                "group did not terminate");
    }

    /**
     * The carrier threads of the group that runs {@code loop} now, found by name: a goroutine's
     * toString names the carrier it is mounted on ("...@gonetpoll-N-mK").
     */
    static List<Thread> carriers(EventLoop loop) throws Exception {
        String goroutine = onLoop(loop, () -> Thread.currentThread().toString());
        Matcher m = Pattern.compile("@(gonetpoll-\\d+-m)\\d+").matcher(goroutine);
        assertTrue(m.find(), goroutine);
        String prefix = m.group(1);
        List<Thread> carriers = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix) && !t.isVirtual()) {
                carriers.add(t);
            }
        }
        assertTrue(!carriers.isEmpty(), "no carrier named " + prefix + "*");
        return carriers;
    }

    /** CPU time the given platform threads used so far, in nanoseconds. */
    static long cpuNanos(List<Thread> threads) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : threads) {
            long cpu = mx.getThreadCpuTime(t.threadId());
            if (cpu > 0) {
                sum += cpu;
            }
        }
        return sum;
    }
}
