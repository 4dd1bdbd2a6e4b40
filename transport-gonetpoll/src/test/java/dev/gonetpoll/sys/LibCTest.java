package dev.gonetpoll.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LibCTest {

    private static final ValueLayout.OfLong EVENT_DATA = ValueLayout.JAVA_LONG_UNALIGNED;

    @Test
    void errnoIsReadAfterAFailedCall() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(8);
            assertEquals(-1, LibC.read(-1, buf.address(), 8));
            assertEquals(Linux.EBADF, LibC.errno());
            assertEquals(-1, LibC.socket(-1, Linux.SOCK_STREAM, 0));
            assertEquals(Linux.EAFNOSUPPORT, LibC.errno());
        }
    }

    @Test
    void epollReportsEventfdWritesWithUserDataIntact() {
        int epfd = LibC.epoll_create1(Linux.EPOLL_CLOEXEC);
        int first = LibC.eventfd(0, Linux.EFD_NONBLOCK | Linux.EFD_CLOEXEC);
        int second = LibC.eventfd(0, Linux.EFD_NONBLOCK | Linux.EFD_CLOEXEC);
        assertTrue(epfd >= 0 && first >= 0 && second >= 0, "errno " + LibC.errno());
        // All 64 bits set in distinct patterns, so a wrong data offset or stride cannot go unnoticed.
        long firstData = 0x8123_4567_89AB_CDEFL;
        long secondData = 0xF0E1_D2C3_B4A5_9687L;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment events = arena.allocate(4L * Linux.EPOLL_EVENT_SIZE, Long.BYTES);
            register(epfd, first, firstData, events);
            register(epfd, second, secondData, events);

            assertEquals(0, LibC.epoll_wait(epfd, events.address(), 4, 0), "nothing written yet");

            MemorySegment one = arena.allocateFrom(ValueLayout.JAVA_LONG, 1);
            assertEquals(8, LibC.write(first, one.address(), 8));
            assertEquals(8, LibC.write(second, one.address(), 8));

            assertEquals(2, LibC.epoll_wait(epfd, events.address(), 4, 5_000));
            Map<Long, Integer> reported = new HashMap<>();
            for (int i = 0; i < 2; i++) {
                long base = (long) i * Linux.EPOLL_EVENT_SIZE;
                reported.put(events.get(EVENT_DATA, base + Linux.EPOLL_EVENT_DATA_OFFSET), events.get(ValueLayout.JAVA_INT_UNALIGNED, base));
            }
            assertEquals(Map.of(firstData, Linux.EPOLLIN, secondData, Linux.EPOLLIN), reported);

            MemorySegment counter = arena.allocate(ValueLayout.JAVA_LONG);
            assertEquals(8, LibC.read(first, counter.address(), 8));
            assertEquals(1, counter.get(ValueLayout.JAVA_LONG, 0));
            assertEquals(-1, LibC.read(first, counter.address(), 8), "eventfd drained");
            assertEquals(Linux.EAGAIN, LibC.errno());
        } finally {
            LibC.close(first);
            LibC.close(second);
            LibC.close(epfd);
        }
    }

    @Test
    void epollEventLayoutMatchesTheArchitecture() {
        boolean x86 = "amd64".equals(System.getProperty("os.arch")) || "x86_64".equals(System.getProperty("os.arch"));
        assertEquals(x86 ? 12 : 16, Linux.EPOLL_EVENT_SIZE);
        assertEquals(x86 ? 4 : 8, Linux.EPOLL_EVENT_DATA_OFFSET);
    }

    @Test
    void epollCtlRejectsAnUnknownFd() {
        int epfd = LibC.epoll_create1(Linux.EPOLL_CLOEXEC);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment event = arena.allocate(Linux.EPOLL_EVENT_SIZE, Long.BYTES);
            assertNotEquals(0, LibC.epoll_ctl(epfd, Linux.EPOLL_CTL_DEL, 1_000_000, event.address()));
            assertEquals(Linux.EBADF, LibC.errno());
        } finally {
            LibC.close(epfd);
        }
    }

    private static void register(int epfd, int fd, long data, MemorySegment scratch) {
        scratch.set(ValueLayout.JAVA_INT_UNALIGNED, 0, Linux.EPOLLIN | Linux.EPOLLET);
        scratch.set(EVENT_DATA, Linux.EPOLL_EVENT_DATA_OFFSET, data);
        assertEquals(0, LibC.epoll_ctl(epfd, Linux.EPOLL_CTL_ADD, fd, scratch.address()), "errno " + LibC.errno());
    }
}
