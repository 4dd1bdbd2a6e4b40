package dev.gonetpoll.sched;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A one-shot timer whose action runs on a carrier thread when its deadline passes (Go's timer).
 * The action must be short and must never block: typically it unparks a goroutine. It may run
 * late, never early, and can run spuriously after a concurrent {@link #reset}; callers re-check.
 *
 * <p>A timer lives in the heap of the processor that first armed it; {@link #reset} and
 * {@link #stop} may be called from any thread and lock that heap.
 */
public final class Timer {

    private static final VarHandle HEAP;

    static {
        try {
            HEAP = MethodHandles.lookup().findVarHandle(Timer.class, "heap", TimerHeap.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Runnable action;
    private final Scheduler scheduler;
    /** The heap this timer belongs to, set once (by CAS) on the first reset. */
    volatile TimerHeap heap;
    /** Deadline in {@link System#nanoTime} terms; guarded by the heap's lock. */
    long when;
    /** Position in the heap array, -1 when not scheduled; guarded by the heap's lock. */
    int index = -1;

    Timer(Scheduler scheduler, Runnable action) {
        this.scheduler = scheduler;
        this.action = action;
    }

    /** Arms the timer for {@code deadlineNanos} ({@link System#nanoTime} based), moving it if armed. */
    public void reset(long deadlineNanos) {
        TimerHeap h = heap;
        if (h == null) {
            // Two first resets may race: both must use the heap that wins.
            TimerHeap chosen = scheduler.timerHeapForCaller();
            TimerHeap witness = (TimerHeap) HEAP.compareAndExchange(this, null, chosen);
            h = witness == null ? chosen : witness;
        }
        if (h.schedule(this, deadlineNanos)) {
            scheduler.timerMovedEarlier(deadlineNanos);
        }
    }

    /** Disarms the timer; true if it was armed. */
    public boolean stop() {
        TimerHeap h = heap;
        return h != null && h.remove(this);
    }

    /** Whether the timer is in a heap now (a racy read, for diagnostics). */
    boolean isArmed() {
        return index >= 0;
    }

    /** Deadline of an armed timer (for diagnostics). */
    public long deadline() {
        return when;
    }
}
