package dev.gonetpoll.sched;

import dev.gonetpoll.bench.BenchmarkDefaults;

import java.util.Arrays;
import java.util.Objects;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The global run queue ({@link GlobalRunQueue}), uncontended: a single put and poll (a goroutine
 * readied from outside the scheduler), and a batch put then the polls that take it out again (a full
 * ring's overflow, then a processor's share of it). In this package because the queue is package-private.
 */
public class GlobalRunQueueBenchmark extends BenchmarkDefaults {

    /** The batch a full local ring moves to the global queue: half of it (the new goroutine aside). */
    static final int BATCH = RunQueue.CAPACITY / 2;

    @State(Scope.Thread)
    public static class Queue {
        final GlobalRunQueue queue = new GlobalRunQueue();
        final Runnable[] batch = new Runnable[BATCH];

        {
            Arrays.fill(batch, RunQueueBenchmark.G);
        }

        @TearDown(Level.Iteration)
        public void checkDrained() {
            if (!queue.isEmpty() || queue.size() != 0) {
                throw new IllegalStateException("global queue not drained: " + queue.size());
            }
        }
    }

    @Benchmark
    public Runnable putPoll(Queue q) {
        q.queue.put(RunQueueBenchmark.G);
        return Objects.requireNonNull(q.queue.poll());
    }

    /** One putBatch of {@value #BATCH} and {@value #BATCH} polls; reported per goroutine. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void putBatchPollBatch(Queue q, Blackhole bh) {
        q.queue.putBatch(q.batch, BATCH);
        for (int i = 0; i < BATCH; i++) {
            bh.consume(Objects.requireNonNull(q.queue.poll()));
        }
    }
}
