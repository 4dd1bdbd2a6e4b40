package dev.gonetpoll.sched;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A processor's local run queue: a 256-slot ring plus a {@code runnext} slot (Go's runq).
 *
 * <h2>Ownership</h2>
 * <ul>
 *   <li>Only the owning processor's thread calls {@link #put}, {@link #get} and {@link #stealFrom};
 *       other processors only call {@link #grab} (through {@code stealFrom}) and read the size.</li>
 *   <li>{@code tail} is written only by the owner (release store); {@code head} moves forward by CAS
 *       from the owner's {@code get} or a thief's {@code grab}. A thief reads the slots between head
 *       and tail, then commits with its CAS on head: if the CAS succeeds no slot it read was reused,
 *       because the owner only writes slots at tail and tail - head never exceeds the capacity.</li>
 *   <li>{@code runnext} is swapped by the owner and CASed to null by whoever takes it.</li>
 * </ul>
 * A full ring moves half of its entries plus the new one to the global queue in one batch.
 */
final class RunQueue {

    static final int CAPACITY = 256;
    private static final int MASK = CAPACITY - 1;

    private static final VarHandle HEAD;
    private static final VarHandle TAIL;
    private static final VarHandle RUNNEXT;
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Runnable[].class);

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            HEAD = lookup.findVarHandle(RunQueue.class, "head", int.class);
            TAIL = lookup.findVarHandle(RunQueue.class, "tail", int.class);
            RUNNEXT = lookup.findVarHandle(RunQueue.class, "runnext", Runnable.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Runnable[] slots = new Runnable[CAPACITY];
    @SuppressWarnings("unused") // HEAD
    private volatile int head;
    @SuppressWarnings("unused") // TAIL
    private volatile int tail;
    @SuppressWarnings("unused") // RUNNEXT
    private volatile Runnable runnext;

    /**
     * Owner only. With {@code next}, {@code g} goes to runnext (it inherits the current time slice)
     * and the previous runnext, if any, goes to the tail of the ring.
     */
    void put(Runnable g, boolean next, GlobalRunQueue overflow) {
        if (next) {
            Runnable old = (Runnable) RUNNEXT.getAndSet(this, g);
            if (old == null) {
                return;
            }
            g = old;
        }
        for (;;) {
            int h = (int) HEAD.getAcquire(this);
            int t = (int) TAIL.getOpaque(this);
            if (t - h < CAPACITY) {
                SLOTS.setRelease(slots, t & MASK, g);
                TAIL.setRelease(this, t + 1);
                return;
            }
            if (putSlow(g, h, t, overflow)) {
                return;
            }
            // a thief moved head meanwhile: there is room now
        }
    }

    /** Moves half of the full ring and {@code g} to the global queue; false if head moved. */
    private boolean putSlow(Runnable g, int h, int t, GlobalRunQueue overflow) {
        int n = (t - h) / 2;
        Runnable[] batch = new Runnable[n + 1];
        for (int i = 0; i < n; i++) {
            batch[i] = (Runnable) SLOTS.getAcquire(slots, (h + i) & MASK);
        }
        if (!HEAD.compareAndSet(this, h, h + n)) {
            return false;
        }
        batch[n] = g;
        overflow.putBatch(batch, n + 1);
        return true;
    }

    /** Owner only: runnext first, then the head of the ring; null when empty. */
    Runnable get() {
        Runnable next = takeRunNext();
        return next != null ? next : takeHead();
    }

    /** Owner only: the head of the ring first, runnext only if the ring is empty (a new time slice). */
    Runnable getSkippingRunNext() {
        Runnable g = takeHead();
        return g != null ? g : takeRunNext();
    }

    /** Owner only: runnext, or null. (A thief may take it too, by the same CAS.) */
    Runnable takeRunNext() {
        Runnable next = (Runnable) RUNNEXT.getVolatile(this);
        if (next != null && RUNNEXT.compareAndSet(this, next, null)) {
            return next;
        }
        return null;
    }

    /** Owner only: the head of the ring, or null. */
    private Runnable takeHead() {
        for (;;) {
            int h = (int) HEAD.getAcquire(this);
            int t = (int) TAIL.getOpaque(this);
            if (t == h) {
                return null;
            }
            Runnable g = (Runnable) SLOTS.getAcquire(slots, h & MASK);
            if (HEAD.compareAndSet(this, h, h + 1)) {
                return g;
            }
        }
    }

    /**
     * Thief side: copies half (rounded up) of this ring into {@code into} starting at ring position
     * {@code intoTail} and commits by moving this ring's head. With {@code stealRunNext} and an empty
     * ring, takes runnext instead. Returns how many were taken.
     */
    private int grab(Runnable[] into, int intoTail, boolean stealRunNext) {
        for (;;) {
            int h = (int) HEAD.getAcquire(this);
            int t = (int) TAIL.getAcquire(this);
            int n = t - h;
            n = n - n / 2;
            if (n == 0) {
                if (stealRunNext) {
                    Runnable next = (Runnable) RUNNEXT.getVolatile(this);
                    if (next != null && RUNNEXT.compareAndSet(this, next, null)) {
                        SLOTS.setRelease(into, intoTail & MASK, next);
                        return 1;
                    }
                }
                return 0;
            }
            if (n > CAPACITY / 2) {
                continue; // read an inconsistent head/tail pair; try again
            }
            for (int i = 0; i < n; i++) {
                Runnable g = (Runnable) SLOTS.getAcquire(slots, (h + i) & MASK);
                SLOTS.setRelease(into, (intoTail + i) & MASK, g);
            }
            if (HEAD.compareAndSet(this, h, h + n)) {
                return n;
            }
        }
    }

    /**
     * Owner only, with its own ring empty: steals half of {@code victim}'s ring, returns one of the
     * stolen goroutines to run and keeps the rest; null if there was nothing to steal.
     */
    Runnable stealFrom(RunQueue victim, boolean stealRunNext) {
        int t = (int) TAIL.getOpaque(this);
        int n = victim.grab(slots, t, stealRunNext);
        if (n == 0) {
            return null;
        }
        n--;
        Runnable g = (Runnable) SLOTS.getAcquire(slots, (t + n) & MASK);
        SLOTS.setRelease(slots, (t + n) & MASK, null);
        if (n > 0) {
            TAIL.setRelease(this, t + n);
        }
        return g;
    }

    /** An estimate of the queued goroutines, runnext included; exact when read by the owner at rest. */
    int size() {
        int h = (int) HEAD.getAcquire(this);
        int t = (int) TAIL.getAcquire(this);
        int n = Math.max(0, t - h);
        return RUNNEXT.getVolatile(this) != null ? n + 1 : n;
    }

    boolean isEmpty() {
        return size() == 0;
    }
}
