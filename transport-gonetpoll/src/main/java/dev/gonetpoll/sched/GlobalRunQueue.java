package dev.gonetpoll.sched;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The run queue shared by all processors (Go's sched.runq). Lock-free, so a carrier thread never
 * waits for a goroutine that holds a lock (DESIGN.md rule 1). {@link #size} is an estimate used
 * for batch sizes and fairness decisions; emptiness is always decided by an actual poll.
 */
final class GlobalRunQueue {

    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();

    void put(Runnable g) {
        queue.offer(g);
        size.incrementAndGet();
    }

    void putBatch(Runnable[] batch, int n) {
        for (int i = 0; i < n; i++) {
            queue.offer(batch[i]);
        }
        size.addAndGet(n);
    }

    Runnable poll() {
        Runnable g = queue.poll();
        if (g != null) {
            size.decrementAndGet();
        }
        return g;
    }

    int size() {
        return Math.max(0, size.get());
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }
}
