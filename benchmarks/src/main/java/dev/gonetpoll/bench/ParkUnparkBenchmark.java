package dev.gonetpoll.bench;

import dev.gonetpoll.poll.Netpoller;
import dev.gonetpoll.sched.Scheduler;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of a park/unpark round trip between two threads ({@link PingPong}), in nanoseconds per
 * round trip: two goroutines on gonetpoll's {@link Scheduler} (with one and with two processors),
 * two virtual threads on the JDK's default scheduler, and two platform threads.
 */
public class ParkUnparkBenchmark extends BenchmarkDefaults {

    /** Round trips per benchmark call, so the driver's own park and wake-up weigh little. */
    static final int ROUND_TRIPS = 1000;

    /** Two goroutines on a scheduler of their own. */
    @State(Scope.Thread)
    public static class Goroutines {
        @Param({"1", "2"})
        public int processors;

        Netpoller netpoller;
        Scheduler scheduler;
        PingPong pair;

        @Setup(Level.Trial)
        public void start() throws IOException {
            netpoller = new Netpoller();
            scheduler = new Scheduler("pingpong", processors, netpoller);
            pair = new PingPong(scheduler::newGoroutine); // one-shot goroutines: PingPong joins them
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            try {
                pair.stop();
            } finally {
                scheduler.shutdown();
                if (!scheduler.awaitTermination(10, TimeUnit.SECONDS)) {
                    // Leave the netpoller open: a carrier may still be polling it.
                    throw new IllegalStateException("the scheduler did not terminate");
                }
                netpoller.close();
            }
        }
    }

    /** Two threads made by a JDK thread builder: virtual ones on the default scheduler, or platform ones. */
    public abstract static class JdkThreads {
        PingPong pair;

        abstract Thread.Builder builder();

        @Setup(Level.Trial)
        public void start() {
            Thread.Builder builder = builder();
            pair = new PingPong(builder::start);
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            pair.stop();
        }
    }

    @State(Scope.Thread)
    public static class VirtualThreads extends JdkThreads {
        @Override
        Thread.Builder builder() {
            return Thread.ofVirtual().name("pingpong-vt-", 0);
        }
    }

    @State(Scope.Thread)
    public static class PlatformThreads extends JdkThreads {
        @Override
        Thread.Builder builder() {
            return Thread.ofPlatform().name("pingpong-pt-", 0).daemon(true);
        }
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public void gonetpoll(Goroutines s) {
        s.pair.roundTrips(ROUND_TRIPS);
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public void jdkVirtual(VirtualThreads s) {
        s.pair.roundTrips(ROUND_TRIPS);
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public void platform(PlatformThreads s) {
        s.pair.roundTrips(ROUND_TRIPS);
    }
}
