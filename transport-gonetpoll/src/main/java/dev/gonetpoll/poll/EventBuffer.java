package dev.gonetpoll.poll;

import dev.gonetpoll.sys.Linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Native memory for one poller thread: the {@code epoll_event} array {@code epoll_wait} fills, plus
 * an 8-byte scratch for draining the wake-up eventfd. Several threads may poll at once (one blocking,
 * others with a zero timeout), so each owns its buffer. Closed by its owner when it stops.
 */
public final class EventBuffer implements AutoCloseable {

    private final Arena arena = Arena.ofShared();
    final MemorySegment events = arena.allocate((long) Netpoller.MAX_EVENTS * Linux.EPOLL_EVENT_SIZE, 8);
    final MemorySegment scratch = arena.allocate(8, 8);

    int events(int i) {
        return events.get(ValueLayout.JAVA_INT_UNALIGNED, (long) i * Linux.EPOLL_EVENT_SIZE);
    }

    long userData(int i) {
        return events.get(ValueLayout.JAVA_LONG_UNALIGNED,
                (long) i * Linux.EPOLL_EVENT_SIZE + Linux.EPOLL_EVENT_DATA_OFFSET);
    }

    @Override
    public void close() {
        arena.close();
    }
}
