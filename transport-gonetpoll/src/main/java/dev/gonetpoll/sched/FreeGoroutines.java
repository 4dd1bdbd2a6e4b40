package dev.gonetpoll.sched;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Go's free-G list ({@code gfput}/{@code gfget}): goroutines whose task ended wait here, parked, for
 * the next {@link Scheduler#go} instead of exiting, so starting a goroutine usually costs a hand-over
 * rather than a new virtual thread with a cold stack and empty thread-locals (Netty keeps per-thread
 * caches, such as handler masks and decoder output lists, that a fresh thread must build again).
 *
 * <h2>Protocol</h2>
 * A goroutine whose task ended pushes itself ({@link #park}) and parks until its {@link
 * PooledGoroutine#next} is set. {@link #take} pops one (LIFO: the most recently used stack and caches
 * are the warmest); the taker sets {@code next}, then unparks it. The park permit makes the order of
 * "taker unparks" and "goroutine parks" irrelevant. At most {@link #capacity} goroutines wait; one
 * that finds the list full exits. {@link #stopAll} hands every waiting goroutine the {@link #EXIT}
 * task; a goroutine that pushes itself after that sees {@link #stopped} and leaves again.
 *
 * <h2>Invariants</h2>
 * A goroutine is in the list at most once, and only while it runs no task; {@link #size} never exceeds
 * the capacity by more than the number of concurrent pushers (it is a soft bound).
 */
final class FreeGoroutines {

    /** Task that makes a waiting goroutine exit. */
    static final Runnable EXIT = () -> { };

    private final ConcurrentLinkedDeque<PooledGoroutine> waiting = new ConcurrentLinkedDeque<>();
    private final AtomicInteger size = new AtomicInteger();
    private final int capacity;
    private volatile boolean stopped;

    FreeGoroutines(int capacity) {
        this.capacity = capacity;
    }

    /** A waiting goroutine, now handed {@code task} and woken; false if none waits. */
    boolean take(Runnable task) {
        PooledGoroutine g = waiting.pollFirst();
        if (g == null) {
            return false;
        }
        size.decrementAndGet();
        g.next = task;
        LockSupport.unpark(g.thread);
        return true;
    }

    /**
     * Called by goroutine {@code g} (in its own thread) when its task ended: waits for the next one.
     *
     * @return the next task, or null if the goroutine must exit (the list is full or stopped)
     */
    Runnable park(PooledGoroutine g) {
        if (stopped) {
            return null;
        }
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            return null;
        }
        waiting.offerFirst(g);
        if (stopped && waiting.removeFirstOccurrence(g)) {
            size.decrementAndGet();
            return null; // stopAll ran between our check and our push
        }
        Runnable task;
        while ((task = g.next) == null) {
            LockSupport.park(this);
        }
        g.next = null;
        return task == EXIT ? null : task;
    }

    /** Makes every waiting goroutine exit, now and later. */
    void stopAll() {
        stopped = true;
        while (take(EXIT)) {
            // each one woken exits
        }
    }

    int waitingCount() {
        return waiting.size();
    }

    /** The body of a goroutine started by {@link Scheduler#go}: runs its task, then the ones it is handed. */
    static final class PooledGoroutine implements Runnable {
        private final FreeGoroutines free;
        private Runnable first;
        volatile Runnable next;
        volatile Thread thread;

        PooledGoroutine(FreeGoroutines free, Runnable first) {
            this.free = free;
            this.first = first;
        }

        @Override
        public void run() {
            thread = Thread.currentThread();
            Runnable task = first;
            first = null;
            while (task != null) {
                Thread.interrupted(); // an interrupt meant for the previous task does not reach the next
                try {
                    task.run();
                } catch (Throwable t) {
                    Thread me = Thread.currentThread();
                    me.getUncaughtExceptionHandler().uncaughtException(me, t);
                }
                task = free.park(this);
            }
        }
    }
}
