package dev.gonetpoll.sched;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The processors that have nothing to run (Go's sched.pidle), as a lock-free bit set.
 *
 * <p>A processor adds itself before it sleeps or polls. It leaves either by taking its own bit back
 * ({@link #remove} returns true) or by being taken by a waker ({@link #take}), who then owes it a
 * wake-up. Exactly one of the two succeeds for each {@link #add}, which is what keeps a wake-up from
 * being lost or doubled.
 */
final class IdleSet {

    private final AtomicLongArray words;
    private final AtomicInteger count = new AtomicInteger();
    private final int processors;

    IdleSet(int processors) {
        this.processors = processors;
        this.words = new AtomicLongArray((processors + 63) / 64);
    }

    void add(int id) {
        long bit = 1L << id;
        int w = id >>> 6;
        // Count first: the count may run ahead of the bits, never behind them, so size() is never
        // negative while a take races this add.
        count.incrementAndGet();
        long old;
        do { // (a CAS loop rather than getAndUpdate: no lambda to allocate on the way to idle)
            old = words.get(w);
        } while ((old & bit) == 0 && !words.compareAndSet(w, old, old | bit));
        if ((old & bit) != 0) {
            count.decrementAndGet();
            throw new IllegalStateException("processor " + id + " is already idle");
        }
    }

    /** Takes {@code id} out if it is still idle; false if a waker took it first. */
    boolean remove(int id) {
        long bit = 1L << id;
        int w = id >>> 6;
        for (;;) {
            long v = words.get(w);
            if ((v & bit) == 0) {
                return false;
            }
            if (words.compareAndSet(w, v, v & ~bit)) {
                count.decrementAndGet();
                return true;
            }
        }
    }

    /** Takes any idle processor, starting the search at {@code from}; -1 if none. */
    int take(int from) {
        int nwords = words.length();
        for (int i = 0; i < nwords; i++) {
            int w = (from / 64 + i) % nwords;
            for (;;) {
                long v = words.get(w);
                if (v == 0) {
                    break;
                }
                long bit = Long.lowestOneBit(v);
                if (words.compareAndSet(w, v, v & ~bit)) {
                    count.decrementAndGet();
                    return w * 64 + Long.numberOfTrailingZeros(bit);
                }
            }
        }
        return -1;
    }

    /** How many processors are idle; may briefly count one whose bit is not set yet. */
    int size() {
        return count.get();
    }

    int processors() {
        return processors;
    }
}
