package dev.gonetpoll.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gonetpoll.sys.Socket;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.RepeatedTest;

/**
 * Writers and readers on several loopback connections wait on their {@link PollDesc}s exactly as
 * goroutines do (syscall until EAGAIN, arm, park, consume or re-arm) while a blocking poller and a
 * non-blocking poller turn epoll events into wake-ups. Every byte written must be read, in order;
 * no waiter may hang; the waiter count must return to zero.
 */
class PollDescStressTest {

    private static final int PAIRS = 4;
    private static final long RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(1200);
    private static final int PATTERN = 1 << 16;

    /** Per-connection books. */
    private static final class Conn {
        TcpPair pair;
        PollDesc readPd;
        PollDesc writePd;
        final AtomicLong written = new AtomicLong();
        final AtomicLong read = new AtomicLong();
        final AtomicLong readerParks = new AtomicLong();
        final AtomicLong writerParks = new AtomicLong();
        final AtomicLong readerWaits = new AtomicLong();
        final AtomicLong writerWaits = new AtomicLong();
        volatile boolean eof;
    }

    /** Waits like a goroutine: true when readiness was consumed; throws if the descriptor closed. */
    private static void awaitReady(PollDesc pd, int mode, AtomicLong parks) throws IOException {
        Thread me = Thread.currentThread();
        for (;;) {
            int r = pd.arm(mode, me);
            if (r == PollDesc.ARM_READY) {
                return;
            }
            if (r == PollDesc.ARM_CLOSED) {
                throw new IOException("descriptor closed while waiting");
            }
            parks.incrementAndGet();
            LockSupport.park(pd);
            if (pd.consume(mode)) {
                return;
            }
            if (me.isInterrupted()) {
                pd.consume(mode);
                throw new IOException("interrupted (test teardown)");
            }
            // spurious wake-up: arm again
        }
    }

    private static void pollLoop(Netpoller np, long delay, AtomicBoolean stop, AtomicLong readied) {
        try (EventBuffer buf = new EventBuffer()) {
            ReadyList list = new ReadyList();
            while (!stop.get()) {
                int taken = np.poll(delay, buf, list);
                for (int i = 0; i < list.size(); i++) {
                    list.wake(i);
                }
                if (list.size() != taken) {
                    throw new AssertionError("poll returned " + taken + " but readied " + list.size());
                }
                list.clear();
                np.waitersReadied(taken);
                readied.addAndGet(taken);
                if (delay == 0) {
                    LockSupport.parkNanos(20_000);
                }
            }
        }
    }

    @RepeatedTest(3)
    void everyByteIsReadAndNoWaiterHangs() throws Exception {
        Netpoller np = new Netpoller();
        Arena arena = Arena.ofShared();
        MemorySegment pattern = arena.allocate(PATTERN + 256);
        for (int i = 0; i < PATTERN + 256; i++) {
            pattern.set(ValueLayout.JAVA_BYTE, i, (byte) i);
        }
        List<Conn> conns = new ArrayList<>();
        AtomicBoolean stopPollers = new AtomicBoolean();
        AtomicLong readiedBlocking = new AtomicLong();
        AtomicLong readiedNonBlocking = new AtomicLong();
        try {
            for (int i = 0; i < PAIRS; i++) {
                Conn c = new Conn();
                c.pair = TcpPair.open();
                conns.add(c);
                // small buffers so that writers hit EAGAIN and park too
                c.pair.client.setSendBufferSize(32768);
                c.pair.server.setReceiveBufferSize(32768);
                c.pair.client.setTcpNoDelay(true);
                c.pair.server.setTcpNoDelay(true);
                c.readPd = np.open(c.pair.server.fd());
                c.writePd = np.open(c.pair.client.fd());
            }
            try (Workers w = new Workers()) {
                w.start("blocking-poller", () -> pollLoop(np, -1, stopPollers, readiedBlocking));
                w.start("nonblocking-poller", () -> pollLoop(np, 0, stopPollers, readiedNonBlocking));
                List<Thread> ioThreads = new ArrayList<>();
                for (int i = 0; i < PAIRS; i++) {
                    Conn c = conns.get(i);
                    ioThreads.add(w.start("writer-" + i, () -> {
                        ThreadLocalRandom rnd = ThreadLocalRandom.current();
                        Socket s = c.pair.client;
                        long end = System.nanoTime() + RUN_NANOS;
                        long off = 0;
                        while (System.nanoTime() < end) {
                            int len = 1 + rnd.nextInt(rnd.nextBoolean() ? 64 : PATTERN);
                            int n = s.write(pattern.address() + (off & 0xFF), len);
                            if (n == Socket.WOULD_BLOCK) {
                                c.writerWaits.incrementAndGet();
                                awaitReady(c.writePd, PollDesc.WRITE, c.writerParks);
                                continue;
                            }
                            off += n;
                            c.written.set(off);
                            if (rnd.nextInt(8) == 0) {
                                LockSupport.parkNanos(rnd.nextInt(100_000)); // let the reader run dry and park
                            }
                        }
                        s.shutdown(false, true); // FIN: the reader ends on end-of-stream
                    }));
                    ioThreads.add(w.start("reader-" + i, () -> {
                        ThreadLocalRandom rnd = ThreadLocalRandom.current();
                        Socket s = c.pair.server;
                        try (Arena local = Arena.ofConfined()) {
                            MemorySegment in = local.allocate(PATTERN);
                            long off = 0;
                            for (;;) {
                                int want = 1 + rnd.nextInt(PATTERN);
                                int n = s.read(in.address(), want);
                                if (n == Socket.WOULD_BLOCK) {
                                    c.readerWaits.incrementAndGet();
                                    awaitReady(c.readPd, PollDesc.READ, c.readerParks);
                                    continue;
                                }
                                if (n == 0) {
                                    c.eof = true;
                                    break;
                                }
                                for (int k = 0; k < n; k++) {
                                    byte b = in.get(ValueLayout.JAVA_BYTE, k);
                                    if (b != (byte) (off + k)) {
                                        throw new AssertionError("byte " + (off + k) + " is " + b + ", expected " + (byte) (off + k));
                                    }
                                }
                                off += n;
                                c.read.set(off);
                            }
                        }
                    }));
                }
                for (Thread t : ioThreads) {
                    t.join(TimeUnit.SECONDS.toMillis(20));
                }
                boolean hung = ioThreads.stream().anyMatch(Thread::isAlive);
                if (hung) {
                    StringBuilder sb = new StringBuilder("I/O threads hung:");
                    for (Conn c : conns) {
                        sb.append("\n  written ").append(c.written.get()).append(", read ").append(c.read.get())
                                .append(", read latch ").append(c.readPd.isReady(PollDesc.READ))
                                .append(", write latch ").append(c.writePd.isReady(PollDesc.WRITE));
                    }
                    sb.append("\n  waiters ").append(PollDescTest.waiterCount(np));
                    w.fail(sb.toString());
                    // release them: close wakes every waiter with ARM_CLOSED
                    for (Conn c : conns) {
                        np.close(c.readPd);
                        np.close(c.writePd);
                    }
                }
                stopPollers.set(true);
                np.wakeup();
                w.joinAll(10_000);
            }

            long total = 0;
            long parks = 0;
            for (Conn c : conns) {
                assertTrue(c.eof, "reader saw end of stream");
                assertEquals(c.written.get(), c.read.get(), "every byte written was read");
                total += c.read.get();
                parks += c.readerParks.get() + c.writerParks.get();
            }
            assertEquals(0, PollDescTest.waiterCount(np), "waiter count back to zero");
            assertTrue(readiedBlocking.get() + readiedNonBlocking.get() <= parks,
                    "the pollers readied more goroutines than ever armed-and-parked");
            for (Conn c : conns) {
                np.close(c.readPd);
                np.close(c.writePd);
            }
            assertEquals(0, np.registeredCount());
            long eagain = conns.stream().mapToLong(c -> c.readerWaits.get() + c.writerWaits.get()).sum();
            System.out.printf("PollDescStressTest: %d bytes, %d EAGAIN, %d parks, %d readied by the blocking poller, %d by poll(0)%n",
                    total, eagain, parks, readiedBlocking.get(), readiedNonBlocking.get());
        } finally {
            for (Conn c : conns) {
                if (c.pair != null) {
                    c.pair.close();
                }
            }
            np.close();
            arena.close();
        }
    }
}
