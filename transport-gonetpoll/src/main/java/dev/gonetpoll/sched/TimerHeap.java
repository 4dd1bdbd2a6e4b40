package dev.gonetpoll.sched;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A processor's timers as a 4-ary min-heap on the deadline (Go's per-P timer heap).
 *
 * <h2>Locking</h2>
 * Guarded by a spin lock that is held only for a few heap operations and never across a park, a
 * blocking call or a timer action, so a goroutine holding it cannot be descheduled while a carrier
 * waits for it (virtual threads are not preempted): DESIGN.md rule 1 holds. Carriers of other
 * processors use {@link #runDue} with {@code tryLock} semantics and skip a busy heap.
 *
 * <h2>Published earliest deadline</h2>
 * {@link #earliest} mirrors the root's deadline (Long.MAX_VALUE when empty) so that a processor
 * about to block in the netpoller can compute its timeout from every heap without locking them.
 */
final class TimerHeap {

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(TimerHeap.class);

    static final long NONE = Long.MAX_VALUE;

    private final AtomicBoolean lock = new AtomicBoolean();
    private final AtomicLong earliest = new AtomicLong(NONE);
    private Timer[] heap = new Timer[16];
    private int size;

    private void lock() {
        while (lock.compareAndExchangeAcquire(false, true)) {
            Thread.onSpinWait();
        }
    }

    private boolean tryLock() {
        return !lock.getAcquire() && !lock.compareAndExchangeAcquire(false, true);
    }

    private void unlock() {
        lock.setRelease(false);
    }

    long earliest() {
        return earliest.get();
    }

    /** Adds or moves {@code t}; true if it became this heap's earliest timer. */
    boolean schedule(Timer t, long when) {
        lock();
        try {
            t.when = when;
            if (t.index < 0) {
                if (size == heap.length) {
                    heap = Arrays.copyOf(heap, size * 2);
                }
                t.index = size;
                heap[size++] = t;
                siftUp(t.index);
            } else {
                siftUp(t.index);
                siftDown(t.index);
            }
            boolean first = heap[0] == t;
            publishEarliest();
            return first;
        } finally {
            unlock();
        }
    }

    boolean remove(Timer t) {
        lock();
        try {
            if (t.index < 0 || t.heap != this) {
                return false;
            }
            removeAt(t.index);
            publishEarliest();
            return true;
        } finally {
            unlock();
        }
    }

    /**
     * Removes every timer due at {@code now} and runs its action outside the lock.
     *
     * @param mayWait whether to wait for the lock (the owner) or give up at once (a thief)
     * @return how many actions ran
     */
    int runDue(long now, boolean mayWait, Timer[] scratch) {
        if (earliest.get() > now) {
            return 0;
        }
        if (mayWait) {
            lock();
        } else if (!tryLock()) {
            return 0;
        }
        int n = 0;
        try {
            while (size > 0 && heap[0].when <= now && n < scratch.length) {
                scratch[n++] = heap[0];
                removeAt(0);
            }
            publishEarliest();
        } finally {
            unlock();
        }
        for (int i = 0; i < n; i++) {
            Timer t = scratch[i];
            scratch[i] = null;
            try {
                t.action.run();
            } catch (Throwable failure) {
                // An action must not throw; if one does (a bug, an Error), the carrier running it
                // and the timers removed with it must not pay for it.
                Failures.error(logger, "a gonetpoll timer action failed", failure);
            }
        }
        return n;
    }

    int size() {
        lock();
        try {
            return size;
        } finally {
            unlock();
        }
    }

    private void publishEarliest() {
        earliest.set(size == 0 ? NONE : heap[0].when);
    }

    private void removeAt(int i) {
        Timer removed = heap[i];
        removed.index = -1;
        int last = --size;
        if (i != last) {
            Timer moved = heap[last];
            heap[i] = moved;
            moved.index = i;
            heap[last] = null;
            siftUp(i);
            siftDown(moved.index);
        } else {
            heap[last] = null;
        }
    }

    private void siftUp(int i) {
        Timer t = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 2;
            Timer p = heap[parent];
            if (p.when <= t.when) {
                break;
            }
            heap[i] = p;
            p.index = i;
            i = parent;
        }
        heap[i] = t;
        t.index = i;
    }

    private void siftDown(int i) {
        Timer t = heap[i];
        for (;;) {
            int first = 4 * i + 1;
            if (first >= size) {
                break;
            }
            int min = first;
            int end = Math.min(first + 4, size);
            for (int c = first + 1; c < end; c++) {
                if (heap[c].when < heap[min].when) {
                    min = c;
                }
            }
            if (heap[min].when >= t.when) {
                break;
            }
            heap[i] = heap[min];
            heap[i].index = i;
            i = min;
        }
        heap[i] = t;
        t.index = i;
    }
}
