package dev.gonetpoll.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gonetpoll.poll.Netpoller;
import dev.gonetpoll.poll.PollDesc;
import dev.gonetpoll.poll.TcpPair;
import dev.gonetpoll.sys.Socket;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Goroutines doing socket I/O through the scheduler's own netpoller: echo pairs where every
 * request/response parks both goroutines on their {@link PollDesc}s, so the processors' blocking
 * and non-blocking polls (and the monitor's) must ready them. Every exchange must complete, in order.
 */
class SchedulerNetpollTest {

    private static void awaitIo(PollDesc pd, int mode, AtomicLong parks) throws IOException {
        Thread me = Thread.currentThread();
        for (;;) {
            int r = pd.arm(mode, me);
            if (r == PollDesc.ARM_READY) {
                return;
            }
            if (r == PollDesc.ARM_CLOSED) {
                throw new IOException("closed");
            }
            parks.incrementAndGet();
            LockSupport.park(pd);
            if (pd.consume(mode)) {
                return;
            }
        }
    }

    private static void writeFully(Socket s, PollDesc pd, MemorySegment buf, int len, AtomicLong parks) throws IOException {
        int off = 0;
        while (off < len) {
            int n = s.write(buf.address() + off, len - off);
            if (n == Socket.WOULD_BLOCK) {
                awaitIo(pd, PollDesc.WRITE, parks);
            } else {
                off += n;
            }
        }
    }

    /** Reads exactly {@code len} bytes; false on end of stream before the first byte. */
    private static boolean readFully(Socket s, PollDesc pd, MemorySegment buf, int len, AtomicLong parks) throws IOException {
        int off = 0;
        while (off < len) {
            int n = s.read(buf.address() + off, len - off);
            if (n == Socket.WOULD_BLOCK) {
                awaitIo(pd, PollDesc.READ, parks);
            } else if (n == 0) {
                if (off == 0) {
                    return false;
                }
                throw new IOException("end of stream inside a message");
            } else {
                off += n;
            }
        }
        return true;
    }

    private static int waiterCount(Netpoller np) throws ReflectiveOperationException {
        java.lang.reflect.Field f = Netpoller.class.getDeclaredField("waiters");
        f.setAccessible(true);
        return ((java.util.concurrent.atomic.AtomicInteger) f.get(np)).get();
    }

    @ParameterizedTest(name = "{0} processor(s)")
    @ValueSource(ints = {1, 2})
    void echoPairsOverTheSchedulersNetpollerAllComplete(int processors) throws Exception {
        final int pairs = 128;
        final int exchanges = 300;
        final int msg = 16;
        Netpoller np = new Netpoller();
        Scheduler s = new Scheduler("netpoll", processors, np);
        List<TcpPair> tcp = new ArrayList<>();
        List<PollDesc> pds = new ArrayList<>();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        AtomicLong parks = new AtomicLong();
        AtomicLong completedExchanges = new AtomicLong();
        CountDownLatch done = new CountDownLatch(2 * pairs);
        try {
            for (int i = 0; i < pairs; i++) {
                TcpPair p = TcpPair.open();
                tcp.add(p);
                p.client.setTcpNoDelay(true);
                p.server.setTcpNoDelay(true);
                PollDesc cpd = np.open(p.client.fd());
                PollDesc spd = np.open(p.server.fd());
                pds.add(cpd);
                pds.add(spd);
                s.newGoroutine(() -> { // client: request, await the echo, check it
                    try (Arena a = Arena.ofConfined()) {
                        MemorySegment out = a.allocate(msg);
                        MemorySegment in = a.allocate(msg);
                        for (long k = 0; k < exchanges; k++) {
                            out.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, k);
                            out.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, ~k);
                            writeFully(p.client, cpd, out, msg, parks);
                            if (!readFully(p.client, cpd, in, msg, parks)) {
                                throw new IOException("server hung up early");
                            }
                            if (in.get(ValueLayout.JAVA_LONG_UNALIGNED, 0) != k + 1
                                    || in.get(ValueLayout.JAVA_LONG_UNALIGNED, 8) != ~k) {
                                throw new AssertionError("bad echo for " + k);
                            }
                            completedExchanges.incrementAndGet();
                            if ((k & 15) == 0) {
                                Thread.yield();
                            }
                        }
                        p.client.shutdown(false, true);
                    } catch (Throwable e) {
                        errors.add(e);
                    } finally {
                        done.countDown();
                    }
                });
                s.newGoroutine(() -> { // server: echo with the counter incremented until end of stream
                    try (Arena a = Arena.ofConfined()) {
                        MemorySegment buf = a.allocate(msg);
                        while (readFully(p.server, spd, buf, msg, parks)) {
                            buf.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, buf.get(ValueLayout.JAVA_LONG_UNALIGNED, 0) + 1);
                            writeFully(p.server, spd, buf, msg, parks);
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    } finally {
                        done.countDown();
                    }
                });
            }
            if (!done.await(30, TimeUnit.SECONDS)) {
                StringBuilder sb = new StringBuilder("echo goroutines did not finish: ").append(done.getCount())
                        .append(" left, exchanges ").append(completedExchanges.get())
                        .append(", waiters ").append(waiterCount(np))
                        .append(", polling ").append(s.someoneIsPolling())
                        .append(", idle ").append(s.idle.size());
                for (Processor p : s.processors) {
                    sb.append("\n ").append(p).append(" owned by ").append(p.owner);
                }
                fail(sb.toString());
            }
            if (!errors.isEmpty()) {
                throw new AssertionError("goroutine failed", errors.peek());
            }
            assertEquals((long) pairs * exchanges, completedExchanges.get());
            assertEquals(0, waiterCount(np), "netpoller waiter count back to zero");
            assertFalse(np.hasWaiters());
            assertTrue(parks.get() > 0, "goroutines parked on the network");
            System.out.printf("SchedulerNetpollTest(%d): %d exchanges, %d parks%n", processors, completedExchanges.get(), parks.get());
        } finally {
            s.shutdown();
            boolean terminated = s.awaitTermination(10, TimeUnit.SECONDS);
            for (PollDesc pd : pds) {
                np.close(pd);
            }
            for (TcpPair p : tcp) {
                p.close();
            }
            np.close();
            assertTrue(terminated, "scheduler terminated");
        }
    }
}
