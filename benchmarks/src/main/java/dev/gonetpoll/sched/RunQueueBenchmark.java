package dev.gonetpoll.sched;

import dev.gonetpoll.bench.BenchmarkDefaults;

import java.util.Objects;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * A processor's local run queue ({@link RunQueue}): the owner's put and get, runnext, a burst of
 * half a ring, and stealing by another processor. In this package because the run queues are
 * package-private; the benchmarks call them exactly as {@link Processor} does.
 */
public class RunQueueBenchmark extends BenchmarkDefaults {

    /** Half a ring: what a thief takes from a full one, and what a full one moves to the global queue. */
    static final int BURST = RunQueue.CAPACITY / 2;
    /** The owner of the "steal" group runs one of its own only above this many queued; the rest is the thief's. */
    static final int OWNER_BACKLOG = RunQueue.CAPACITY / 2;

    /** The queues hold references only; one shared stand-in goroutine is enough. */
    static final Runnable G = () -> { };

    /** One processor's queue, used by its owner thread only. */
    @State(Scope.Thread)
    public static class OwnQueue {
        final RunQueue queue = new RunQueue();
        final GlobalRunQueue overflow = new GlobalRunQueue();

        /** Every benchmark takes out what it put in; anything left (or overflowed) is a bug. */
        @TearDown(Level.Iteration)
        public void checkDrained() {
            if (!queue.isEmpty() || !overflow.isEmpty()) {
                throw new IllegalStateException("run queue not drained: local " + queue.size()
                        + ", overflow " + overflow.size());
            }
        }
    }

    /** A put to the ring's tail and a get from its head: a goroutine readied and run by one processor. */
    @Benchmark
    public Runnable putGet(OwnQueue s) {
        s.queue.put(G, false, s.overflow);
        return Objects.requireNonNull(s.queue.get());
    }

    /** A put to runnext and a get of it: Go's hand-off of a readied goroutine to the readying one's processor. */
    @Benchmark
    public Runnable putRunnextGet(OwnQueue s) {
        s.queue.put(G, true, s.overflow);
        return Objects.requireNonNull(s.queue.get());
    }

    /** {@value #BURST} puts then {@value #BURST} gets; reported per goroutine (one put and one get). */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public void putGetBurst(OwnQueue s, Blackhole bh) {
        for (int i = 0; i < BURST; i++) {
            s.queue.put(G, false, s.overflow);
        }
        for (int i = 0; i < BURST; i++) {
            bh.consume(Objects.requireNonNull(s.queue.get()));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Stealing: one owner keeps its ring busy while thieves (other processors) steal half of it.

    /** The victim processor's queue, shared by the owner and the thieves of one group. */
    @State(Scope.Group)
    public static class Victim {
        final RunQueue queue = new RunQueue();
        final GlobalRunQueue overflow = new GlobalRunQueue();

        /** The owner never holds more than {@value #OWNER_BACKLOG} + 1, so the ring must never overflow. */
        @TearDown(Level.Iteration)
        public void checkNoOverflow() {
            if (!overflow.isEmpty()) {
                throw new IllegalStateException("the victim's ring overflowed: " + overflow.size() + " to the global queue");
            }
        }
    }

    /** A thief's own (empty) ring that stolen goroutines land in, and what it stole. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Thief {
        final RunQueue own = new RunQueue();
        /** Successful steals in this iteration. */
        public long steals;
        /** Goroutines taken by successful steals in this iteration. */
        public long stolen;
        /** Steal attempts that found the victim's ring empty in this iteration. */
        public long emptySteals;

        @Setup(Level.Iteration)
        public void resetCounters() {
            steals = 0;
            stolen = 0;
            emptySteals = 0;
        }
    }

    /** The owner readies a goroutine and runs one whenever more than {@value #OWNER_BACKLOG} are queued. */
    @Benchmark
    @Group("steal")
    @GroupThreads(1)
    public Runnable owner(Victim v) {
        v.queue.put(G, false, v.overflow);
        return v.queue.size() > OWNER_BACKLOG ? v.queue.get() : null;
    }

    /** One steal of half the victim's ring, then running (getting) everything stolen, as an idle processor does. */
    @Benchmark
    @Group("steal")
    @GroupThreads(1)
    public int thief(Victim v, Thief t) {
        if (t.own.stealFrom(v.queue, false) == null) {
            t.emptySteals++;
            return 0;
        }
        int taken = 1;
        while (t.own.get() != null) {
            taken++;
        }
        t.steals++;
        t.stolen += taken;
        return taken;
    }

    /** A victim and a thief used by one thread, for the cost of a steal without contention. */
    @State(Scope.Thread)
    public static class VictimAndThief {
        final RunQueue victim = new RunQueue();
        final RunQueue thief = new RunQueue();
        final GlobalRunQueue overflow = new GlobalRunQueue();

        @TearDown(Level.Iteration)
        public void checkDrained() {
            if (!victim.isEmpty() || !thief.isEmpty() || !overflow.isEmpty()) {
                throw new IllegalStateException("queues not drained: victim " + victim.size() + ", thief "
                        + thief.size() + ", overflow " + overflow.size());
            }
        }
    }

    /**
     * The victim's owner queues {@value #BURST}, a thief steals half of them and runs (gets) them,
     * the owner runs the rest; reported per goroutine. Against {@link #putGetBurst}: what moving
     * half a ring to another processor adds.
     */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public void stealHalfUncontended(VictimAndThief s, Blackhole bh) {
        for (int i = 0; i < BURST; i++) {
            s.victim.put(G, false, s.overflow);
        }
        bh.consume(Objects.requireNonNull(s.thief.stealFrom(s.victim, false)));
        Runnable g;
        while ((g = s.thief.get()) != null) {
            bh.consume(g);
        }
        while ((g = s.victim.get()) != null) {
            bh.consume(g);
        }
    }
}
