package dev.gonetpoll.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Test helper: blocks on a private epoll instance until an fd is ready, so tests never sleep-poll. */
final class Readiness {

    private static final int TIMEOUT_MILLIS = 5_000;

    private Readiness() {
    }

    /** Waits (level-triggered) for one of {@code events} on {@code fd}; returns the reported events. */
    static int await(int fd, int events) {
        int epfd = LibC.epoll_create1(Linux.EPOLL_CLOEXEC);
        assertTrue(epfd >= 0, "epoll_create1 errno " + LibC.errno());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment event = arena.allocate(Linux.EPOLL_EVENT_SIZE, Long.BYTES);
            event.set(ValueLayout.JAVA_INT, 0, events);
            assertEquals(0, LibC.epoll_ctl(epfd, Linux.EPOLL_CTL_ADD, fd, event.address()), "epoll_ctl errno " + LibC.errno());
            assertEquals(1, LibC.epoll_wait(epfd, event.address(), 1, TIMEOUT_MILLIS), "fd " + fd + " not ready in time");
            return event.get(ValueLayout.JAVA_INT, 0);
        } finally {
            LibC.close(epfd);
        }
    }

    static void awaitReadable(Socket socket) {
        await(socket.fd(), Linux.EPOLLIN);
    }

    static void awaitWritable(Socket socket) {
        await(socket.fd(), Linux.EPOLLOUT);
    }
}
