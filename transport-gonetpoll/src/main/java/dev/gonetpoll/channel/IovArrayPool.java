package dev.gonetpoll.channel;

import dev.gonetpoll.sys.IovArray;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Native iovec arrays for gathering writes, shared by all channels. With a goroutine per connection
 * a per-loop array would cost 16 KiB of native memory per idle connection; a gathering write holds
 * one only between filling it and the writev call, so a few suffice for the whole process.
 */
final class IovArrayPool {

    private static final int MAX_CACHED = 64;
    private static final ConcurrentLinkedQueue<IovArray> CACHE = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger CACHED = new AtomicInteger();

    private IovArrayPool() {
    }

    static IovArray acquire() {
        IovArray iov = CACHE.poll();
        if (iov == null) {
            return new IovArray();
        }
        CACHED.decrementAndGet();
        iov.clear();
        return iov;
    }

    static void release(IovArray iov) {
        if (CACHED.incrementAndGet() <= MAX_CACHED) {
            CACHE.offer(iov);
        } else {
            CACHED.decrementAndGet();
            iov.close();
        }
    }
}
