package dev.gonetpoll.poll;

import dev.gonetpoll.sys.Errors;
import dev.gonetpoll.sys.LibC;
import dev.gonetpoll.sys.Linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One epoll instance shared by every processor of a group (Go's netpoll_epoll.go).
 *
 * <h2>Protocol</h2>
 * <ul>
 *   <li>Every fd is registered once, at {@link #open}, with {@code EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET}
 *       and never modified: readiness edges are latched in its {@link PollDesc}.</li>
 *   <li>{@link #poll} turns events into readied goroutines: IN, RDHUP, HUP and ERR ready the reader;
 *       OUT, HUP and ERR ready the writer. Events whose generation does not match the descriptor's
 *       current one (a closed or recycled fd) are dropped whole, error bit included.</li>
 *   <li>An eventfd registered level-triggered breaks a blocked {@code epoll_wait}. {@link #wakeup}
 *       is deduplicated by {@link #wakeupPending} (CAS false→true); only a blocking poll drains the
 *       eventfd and clears the flag, so a non-blocking poll can never swallow a wake-up.</li>
 *   <li>{@link #close(PollDesc)} follows the close order: mark closing, wake both waiters,
 *       {@code EPOLL_CTL_DEL}, recycle the descriptor (generation bump); the caller then closes the fd.</li>
 *   <li>{@link #waiters} counts goroutines parked on any descriptor. A poller lowers it with the value
 *       {@link #poll} returns only after it made the readied goroutines runnable, so that no processor
 *       concludes "nobody waits on the network" while readied goroutines are in flight.</li>
 * </ul>
 */
public final class Netpoller implements AutoCloseable {

    /** Events handled per epoll_wait call, as in Go. */
    public static final int MAX_EVENTS = 128;
    /** Go's cap on a blocking poll: about 11.5 days; longer waits are re-polled. */
    private static final long MAX_DELAY_MILLIS = 1_000_000_000L;
    private static final long WAKEUP_DATA = -1L; // no PollDesc has slot 0xFFFFFFFF

    private final int epfd;
    private final int wakeFd;
    private final AtomicInteger waiters = new AtomicInteger();
    private final PollDescTable table = new PollDescTable(waiters);
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Arena arena = Arena.ofShared();
    /** The constant 1 written to the eventfd; shared by all wakers (its content never changes). */
    private final MemorySegment one = arena.allocate(8, 8);
    /** Guarded by this: epoll_event scratch for epoll_ctl, which is rare (open/close). */
    private final MemorySegment ctlEvent = arena.allocate(Linux.EPOLL_EVENT_SIZE, 8);

    public Netpoller() throws IOException {
        one.set(ValueLayout.JAVA_LONG, 0, 1L);
        int ep = LibC.epoll_create1(Linux.EPOLL_CLOEXEC);
        if (ep < 0) {
            int errno = LibC.errno();
            arena.close();
            throw Errors.newIOException("epoll_create1", errno);
        }
        int efd = LibC.eventfd(0, Linux.EFD_NONBLOCK | Linux.EFD_CLOEXEC);
        if (efd < 0) {
            int errno = LibC.errno();
            LibC.close(ep);
            arena.close();
            throw Errors.newIOException("eventfd", errno);
        }
        epfd = ep;
        wakeFd = efd;
        try {
            ctl(Linux.EPOLL_CTL_ADD, wakeFd, Linux.EPOLLIN, WAKEUP_DATA); // level-triggered on purpose
        } catch (IOException e) {
            LibC.close(efd);
            LibC.close(ep);
            arena.close();
            throw e;
        }
    }

    /** Registers {@code fd} once for both directions, edge-triggered. */
    public PollDesc open(int fd) throws IOException {
        PollDesc pd = table.allocate(fd);
        try {
            ctl(Linux.EPOLL_CTL_ADD, fd,
                    Linux.EPOLLIN | Linux.EPOLLOUT | Linux.EPOLLRDHUP | Linux.EPOLLET, pd.userData());
        } catch (IOException e) {
            table.free(pd);
            throw e;
        }
        return pd;
    }

    /**
     * Unblocks the descriptor's waiters, deregisters it and recycles it. The caller closes the fd
     * afterwards. Idempotent: of concurrent or repeated calls for one open, only the first acts.
     */
    public void close(PollDesc pd) {
        int fd = pd.fd;
        if (fd < 0 || !pd.markClosing()) {
            return;
        }
        Object reader = pd.evict(PollDesc.READ);
        Object writer = pd.evict(PollDesc.WRITE);
        try {
            ctl(Linux.EPOLL_CTL_DEL, fd, 0, 0);
        } catch (IOException ignored) {
            // the fd may already be gone from the interest list (e.g. EBADF); nothing to undo
        } finally {
            table.free(pd);
        }
        // Wake last: the descriptor is recycled whatever an unpark does (it throws once the
        // scheduler of an abandoned goroutine has terminated).
        wake(reader);
        wake(writer);
    }

    private static void wake(Object waiter) {
        if (waiter != null) {
            try {
                PollWaiter.wake(waiter);
            } catch (RuntimeException e) {
                // the waiter's scheduler is gone: nobody is left to wake
            }
        }
    }

    /** Whether any goroutine is parked on a descriptor (Go's netpollAnyWaiters). */
    public boolean hasWaiters() {
        return waiters.get() > 0;
    }

    /** Lowers the waiter count after the goroutines a poll readied were made runnable. */
    public void waitersReadied(int count) {
        if (count != 0) {
            waiters.addAndGet(-count);
        }
    }

    /** Breaks a blocked {@link #poll}; cheap and idempotent until the poller drains it. */
    public void wakeup() {
        // (After close the eventfd's number may belong to another file: never write to it then.
        // Every poller has stopped by then, so there is nobody left to wake.)
        if (!closed.get() && wakeupPending.compareAndSet(false, true)) {
            long n = LibC.write(wakeFd, one.address(), 8);
            if (n != 8) {
                int errno = LibC.errno();
                if (errno != Linux.EAGAIN) {
                    // EAGAIN means the counter is already non-zero: the poller will wake anyway
                    wakeupPending.set(false);
                }
            }
        }
    }

    /**
     * Waits for readiness events and appends the goroutines they ready to {@code out}.
     *
     * @param delayNanos negative blocks until an event or {@link #wakeup}; zero polls; otherwise the
     *                   longest wait, rounded up to whole milliseconds
     * @return how many goroutines were taken out of descriptor slots; pass it to
     *         {@link #waitersReadied} once they are runnable
     */
    public int poll(long delayNanos, EventBuffer buf, ReadyList out) {
        int timeout;
        if (delayNanos < 0) {
            timeout = -1;
        } else if (delayNanos == 0) {
            timeout = 0;
        } else {
            long millis = TimeUnit.NANOSECONDS.toMillis(delayNanos + 999_999);
            timeout = (int) Math.min(millis, MAX_DELAY_MILLIS);
        }
        int n = LibC.epoll_wait(epfd, buf.events.address(), MAX_EVENTS, timeout);
        if (n < 0) {
            int errno = LibC.errno();
            if (errno == Linux.EINTR || errno == Linux.EBADF && closed.get()) {
                return 0; // the caller recomputes its deadline and polls again
            }
            throw new IllegalStateException("epoll_wait failed", Errors.newIOException("epoll_wait", errno));
        }
        int readied = 0;
        for (int i = 0; i < n; i++) {
            int ev = buf.events(i);
            long data = buf.userData(i);
            if (data == WAKEUP_DATA) {
                if (timeout != 0) {
                    LibC.read(wakeFd, buf.scratch.address(), 8); // drain: level-triggered
                    wakeupPending.set(false);
                }
                continue;
            }
            PollDesc pd = table.get((int) (data >>> 32));
            if (pd == null || pd.generation != (int) data) {
                continue; // stale: the fd was closed (and maybe reused) after the event was queued
            }
            int mode = 0;
            if ((ev & (Linux.EPOLLIN | Linux.EPOLLRDHUP | Linux.EPOLLHUP | Linux.EPOLLERR)) != 0) {
                mode |= PollDesc.READ;
            }
            if ((ev & (Linux.EPOLLOUT | Linux.EPOLLHUP | Linux.EPOLLERR)) != 0) {
                mode |= PollDesc.WRITE;
            }
            if (ev == Linux.EPOLLERR) {
                pd.markEventError();
            }
            // RDHUP only: an unconnected TCP socket reports EPOLLHUP at registration already.
            if ((ev & Linux.EPOLLRDHUP) != 0 && !pd.hasHangup()) {
                pd.markHangup();
            }
            if ((mode & PollDesc.READ) != 0) {
                readied += ready(pd, PollDesc.READ, out);
            }
            if ((mode & PollDesc.WRITE) != 0) {
                readied += ready(pd, PollDesc.WRITE, out);
            }
        }
        return readied;
    }

    private static int ready(PollDesc pd, int mode, ReadyList out) {
        Object g = pd.setReady(mode);
        if (g == null) {
            return 0;
        }
        out.add(g);
        return 1;
    }

    /** Descriptors currently registered (for tests and diagnostics). */
    public int registeredCount() {
        return table.inUse();
    }

    private synchronized void ctl(int op, int fd, int events, long data) throws IOException {
        if (closed.get()) {
            // The group terminated: its epoll instance is gone (and the fd with it from every set).
            throw new IOException("the gonetpoll netpoller is closed (its event loop group terminated)");
        }
        ctlEvent.set(ValueLayout.JAVA_INT_UNALIGNED, 0, events);
        ctlEvent.set(ValueLayout.JAVA_LONG_UNALIGNED, Linux.EPOLL_EVENT_DATA_OFFSET, data);
        if (LibC.epoll_ctl(epfd, op, fd, ctlEvent.address()) < 0) {
            throw Errors.newIOException("epoll_ctl", LibC.errno());
        }
    }

    /** Closes the epoll fd and the eventfd. Every poller thread must have stopped polling. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            LibC.close(wakeFd);
            LibC.close(epfd);
            synchronized (this) { // not while a ctl call uses ctlEvent
                arena.close();
            }
        }
    }
}
