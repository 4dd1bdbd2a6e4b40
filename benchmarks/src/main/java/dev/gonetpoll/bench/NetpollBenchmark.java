package dev.gonetpoll.bench;

import static dev.gonetpoll.sys.Linux.EFD_CLOEXEC;
import static dev.gonetpoll.sys.Linux.EFD_NONBLOCK;
import static dev.gonetpoll.sys.Linux.EPOLLIN;
import static dev.gonetpoll.sys.Linux.EPOLL_CLOEXEC;
import static dev.gonetpoll.sys.Linux.EPOLL_CTL_ADD;
import static dev.gonetpoll.sys.Linux.EPOLL_EVENT_DATA_OFFSET;
import static dev.gonetpoll.sys.Linux.EPOLL_EVENT_SIZE;

import dev.gonetpoll.poll.EventBuffer;
import dev.gonetpoll.poll.Netpoller;
import dev.gonetpoll.poll.ReadyList;
import dev.gonetpoll.sys.Errors;
import dev.gonetpoll.sys.LibC;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The netpoller's syscalls, each through gonetpoll ({@code ...Netpoller}: {@link Netpoller}),
 * through the bare JNA binding ({@code ...Libc}) and through the JDK's FFM API ({@code ...Ffm}):
 * <ul>
 *   <li>a non-blocking {@code epoll_wait} that finds nothing, as a spinning processor and the
 *       monitor make it;</li>
 *   <li>a wake-up: an eventfd write that breaks an {@code epoll_wait}, which returns the eventfd's
 *       event, and the eventfd read that drains it (three syscalls);</li>
 *   <li>an eventfd write and read alone (there is no gonetpoll wrapper for just these two).</li>
 * </ul>
 * The bare variants use an epoll instance of their own set up like the netpoller's: one eventfd
 * registered level-triggered, nothing else.
 */
public class NetpollBenchmark extends BenchmarkDefaults {

    /** The wake-up polls block at most this long; the eventfd is always written before, so they never wait. */
    static final long WAKEUP_POLL_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final int WAKEUP_POLL_MILLIS = (int) TimeUnit.NANOSECONDS.toMillis(WAKEUP_POLL_NANOS);

    @State(Scope.Thread)
    public static class Poller {
        Netpoller netpoller;
        final EventBuffer events = new EventBuffer();
        final ReadyList ready = new ReadyList();
        final Arena arena = Arena.ofShared();
        final MemorySegment bareEvents = arena.allocate((long) Netpoller.MAX_EVENTS * EPOLL_EVENT_SIZE, Long.BYTES);
        /** The eventfd counter increment (1) and the buffer its value is read into. */
        final MemorySegment one = arena.allocateFrom(ValueLayout.JAVA_LONG, 1L);
        final MemorySegment counter = arena.allocate(ValueLayout.JAVA_LONG);
        final BareLibc ffm = new BareLibc(arena);
        int epfd = -1;
        int eventFd = -1;

        @Setup(Level.Trial)
        public void open() throws IOException {
            netpoller = new Netpoller();
            epfd = LibC.epoll_create1(EPOLL_CLOEXEC);
            if (epfd < 0) {
                throw Errors.newIOException("epoll_create1", LibC.errno());
            }
            eventFd = LibC.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
            if (eventFd < 0) {
                throw Errors.newIOException("eventfd", LibC.errno());
            }
            MemorySegment event = arena.allocate(EPOLL_EVENT_SIZE, Long.BYTES);
            event.set(ValueLayout.JAVA_INT_UNALIGNED, 0, EPOLLIN);
            event.set(ValueLayout.JAVA_LONG_UNALIGNED, EPOLL_EVENT_DATA_OFFSET, eventFd);
            if (LibC.epoll_ctl(epfd, EPOLL_CTL_ADD, eventFd, event.address()) < 0) {
                throw Errors.newIOException("epoll_ctl", LibC.errno());
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            try (arena; events; Netpoller n = netpoller) {
                closeFd(eventFd);
                closeFd(epfd);
            }
        }

        private static void closeFd(int fd) {
            if (fd >= 0 && LibC.close(fd) < 0) {
                throw new IllegalStateException("close(" + fd + ") failed: " + Errors.strerror(LibC.errno()));
            }
        }

        int netpollerPoll(long delayNanos) {
            Expect.value(netpoller.poll(delayNanos, events, ready), 0, "Netpoller.poll");
            return (int) Expect.value(ready.size(), 0, "goroutines readied");
        }
    }

    // epoll_wait with timeout 0 on an idle epoll instance

    @Benchmark
    public int epollWaitNetpoller(Poller p) {
        return p.netpollerPoll(0);
    }

    @Benchmark
    public int epollWaitLibc(Poller p) {
        return (int) Expect.value(LibC.epoll_wait(p.epfd, p.bareEvents.address(), Netpoller.MAX_EVENTS, 0), 0, "LibC.epoll_wait");
    }

    @Benchmark
    public int epollWaitFfm(Poller p) {
        return (int) Expect.value(p.ffm.epollWait(p.epfd, p.bareEvents.address(), Netpoller.MAX_EVENTS, 0), 0, "epoll_wait");
    }

    // a wake-up: eventfd write, epoll_wait that returns it, eventfd read

    @Benchmark
    public int wakeupNetpoller(Poller p) {
        p.netpoller.wakeup();
        return p.netpollerPoll(WAKEUP_POLL_NANOS); // a blocking poll drains the eventfd
    }

    @Benchmark
    public long wakeupLibc(Poller p) {
        Expect.value(LibC.write(p.eventFd, p.one.address(), Long.BYTES), Long.BYTES, "LibC.write(eventfd)");
        Expect.value(LibC.epoll_wait(p.epfd, p.bareEvents.address(), Netpoller.MAX_EVENTS, WAKEUP_POLL_MILLIS), 1, "LibC.epoll_wait");
        return Expect.value(LibC.read(p.eventFd, p.counter.address(), Long.BYTES), Long.BYTES, "LibC.read(eventfd)");
    }

    @Benchmark
    public long wakeupFfm(Poller p) {
        Expect.value(p.ffm.write(p.eventFd, p.one.address(), Long.BYTES), Long.BYTES, "write(eventfd)");
        Expect.value(p.ffm.epollWait(p.epfd, p.bareEvents.address(), Netpoller.MAX_EVENTS, WAKEUP_POLL_MILLIS), 1, "epoll_wait");
        return Expect.value(p.ffm.read(p.eventFd, p.counter.address(), Long.BYTES), Long.BYTES, "read(eventfd)");
    }

    // eventfd write and read alone

    @Benchmark
    public long eventfdWriteReadLibc(Poller p) {
        Expect.value(LibC.write(p.eventFd, p.one.address(), Long.BYTES), Long.BYTES, "LibC.write(eventfd)");
        return Expect.value(LibC.read(p.eventFd, p.counter.address(), Long.BYTES), Long.BYTES, "LibC.read(eventfd)");
    }

    @Benchmark
    public long eventfdWriteReadFfm(Poller p) {
        Expect.value(p.ffm.write(p.eventFd, p.one.address(), Long.BYTES), Long.BYTES, "write(eventfd)");
        return Expect.value(p.ffm.read(p.eventFd, p.counter.address(), Long.BYTES), Long.BYTES, "read(eventfd)");
    }
}
