package dev.gonetpoll.poll;

import java.util.Arrays;

/**
 * The goroutines one {@link Netpoller#poll} call readied (Go's gList), in event order. Owned by one
 * poller thread and reused across calls, so polling allocates nothing in the steady state.
 */
public final class ReadyList {

    private Thread[] threads = new Thread[Netpoller.MAX_EVENTS * 2];
    private int size;

    void add(Thread t) {
        if (size == threads.length) {
            threads = Arrays.copyOf(threads, size * 2);
        }
        threads[size++] = t;
    }

    public int size() {
        return size;
    }

    public Thread get(int i) {
        return threads[i];
    }

    /** Forgets the entries (and drops the references, so finished goroutines can be collected). */
    public void clear() {
        Arrays.fill(threads, 0, size, null);
        size = 0;
    }
}
