package dev.gonetpoll.poll;

import java.util.Arrays;

/**
 * The waiters (goroutines or {@link PollWaiter}s) one {@link Netpoller#poll} call readied (Go's
 * gList), in event order. Owned by one poller thread and reused across calls, so polling allocates
 * nothing in the steady state.
 */
public final class ReadyList {

    /** Each a parked goroutine ({@link Thread}) or a {@link PollWaiter}. */
    private Object[] waiters = new Object[Netpoller.MAX_EVENTS * 2];
    private int size;

    void add(Object t) {
        if (size == waiters.length) {
            waiters = Arrays.copyOf(waiters, size * 2);
        }
        waiters[size++] = t;
    }

    public int size() {
        return size;
    }

    /** The i-th waiter: a {@link Thread} or a {@link PollWaiter}. */
    public Object get(int i) {
        return waiters[i];
    }

    /** Wakes the i-th waiter: unparks the goroutine or tells the {@link PollWaiter}. */
    public void wake(int i) {
        PollWaiter.wake(waiters[i]);
    }

    /** Forgets the entries (and drops the references, so finished goroutines can be collected). */
    public void clear() {
        Arrays.fill(waiters, 0, size, null);
        size = 0;
    }
}
