package dev.gonetpoll.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gonetpoll.sys.LibC;
import dev.gonetpoll.sys.Socket;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PollDesc} with a real {@link Netpoller} and loopback TCP pairs: the readiness latch, parked
 * waiters woken by data and by close, stale generations, double waits and the waiter count.
 */
class PollDescTest {

    private static final long WAIT_MILLIS = 5_000;

    private Netpoller np;
    private EventBuffer buf;
    private final ReadyList ready = new ReadyList();
    private final List<TcpPair> pairs = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private Arena arena;

    @BeforeEach
    void setUp() throws Exception {
        np = new Netpoller();
        buf = new EventBuffer();
        arena = Arena.ofShared();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Thread t : threads) {
            LockSupport.unpark(t);
            t.interrupt();
            t.join(1000);
        }
        for (TcpPair p : pairs) {
            p.close();
        }
        buf.close();
        np.close();
        arena.close();
    }

    // ------------------------------------------------------------------------------------------ helpers

    static int waiterCount(Netpoller np) {
        try {
            Field f = Netpoller.class.getDeclaredField("waiters");
            f.setAccessible(true);
            return ((AtomicInteger) f.get(np)).get();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private TcpPair pair() throws Exception {
        TcpPair p = TcpPair.open();
        pairs.add(p);
        return p;
    }

    /** One poll as a scheduler would do it: unpark what it readied, then lower the waiter count. */
    private List<Object> pollOnce(long delayNanos) {
        int taken = np.poll(delayNanos, buf, ready);
        List<Object> woken = new ArrayList<>();
        for (int i = 0; i < ready.size(); i++) {
            woken.add(ready.get(i));
            ready.wake(i);
        }
        ready.clear();
        np.waitersReadied(taken);
        assertEquals(woken.size(), taken, "poll's return value counts the readied goroutines");
        return woken;
    }

    /** Polls (10 ms at a time) until {@code condition} holds; fails after {@link #WAIT_MILLIS}. */
    private List<Object> pollUntil(BooleanSupplier condition, String what) {
        List<Object> woken = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            woken.addAll(pollOnce(TimeUnit.MILLISECONDS.toNanos(10)));
        }
        return woken;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(1);
        }
    }

    private void send(Socket s, int n) throws Exception {
        MemorySegment data = arena.allocate(n);
        for (int i = 0; i < n; i++) {
            data.set(ValueLayout.JAVA_BYTE, i, (byte) i);
        }
        assertEquals(n, s.write(data.address(), n));
    }

    private int drain(Socket s) throws Exception {
        MemorySegment in = arena.allocate(65536);
        int total = 0;
        int n;
        while ((n = s.read(in.address(), 65536)) > 0) {
            total += n;
        }
        return total;
    }

    /** Consumes the initial edges (the fresh socket is writable): afterwards both slots are empty. */
    private void settle(PollDesc pd) {
        pollUntil(() -> pd.isReady(PollDesc.WRITE), "the initial writable edge");
        pollOnce(0);
        assertTrue(pd.consume(PollDesc.WRITE));
        assertFalse(pd.consume(PollDesc.READ));
        assertFalse(pd.isReady(PollDesc.READ));
        assertFalse(pd.isReady(PollDesc.WRITE));
    }

    /** A thread that waits as a goroutine does: arm, park, and after any wake consume or re-arm. */
    private final class Waiter extends Thread {
        final PollDesc pd;
        final int mode;
        volatile int result = -1;
        volatile int wakes;

        Waiter(PollDesc pd, int mode) {
            super("waiter-" + (mode == PollDesc.READ ? "read" : "write"));
            this.pd = pd;
            this.mode = mode;
            setDaemon(true);
            threads.add(this);
        }

        @Override
        public void run() {
            for (;;) {
                int r = pd.arm(mode, this);
                if (r != PollDesc.ARM_WAITING) {
                    result = r;
                    return;
                }
                LockSupport.park(this);
                wakes++;
                if (pd.consume(mode)) {
                    result = PollDesc.ARM_READY;
                    return;
                }
                if (isInterrupted()) {
                    return; // test teardown
                }
            }
        }

        Waiter begin() {
            start();
            return this;
        }

        void awaitParked() throws InterruptedException {
            PollDescTest.await(() -> getState() == State.WAITING && waiterCount(np) >= 1, getName() + " to park");
        }

        int awaitResult() throws InterruptedException {
            join(WAIT_MILLIS);
            if (isAlive()) {
                fail(getName() + " still parked: " + pd + ", waiters " + waiterCount(np));
            }
            return result;
        }
    }

    // ------------------------------------------------------------------------------------------ tests

    @Test
    void anEdgeBeforeTheWaiterArmsIsLatched() throws Exception {
        TcpPair p = pair();
        PollDesc pd = np.open(p.server.fd());
        assertEquals(1, np.registeredCount());
        settle(pd);

        send(p.client, 5);
        pollUntil(() -> pd.isReady(PollDesc.READ), "the readable edge to be latched");
        assertEquals(0, waiterCount(np), "nobody waited");
        // later polls must not lose the latch (the edge is not repeated)
        pollOnce(0);
        assertTrue(pd.isReady(PollDesc.READ));

        assertEquals(PollDesc.ARM_READY, pd.arm(PollDesc.READ, Thread.currentThread()));
        assertFalse(pd.isReady(PollDesc.READ), "arm took the latch");
        assertEquals(0, waiterCount(np));
        assertEquals(5, drain(p.server));

        // no new edge: arming now announces a wait, and consume withdraws it
        assertEquals(PollDesc.ARM_WAITING, pd.arm(PollDesc.READ, Thread.currentThread()));
        assertEquals(1, waiterCount(np));
        assertEquals(PollDesc.ARM_WAITING, pd.arm(PollDesc.READ, Thread.currentThread()), "re-arming is idempotent");
        assertEquals(1, waiterCount(np), "re-arming does not count twice");
        assertFalse(pd.consume(PollDesc.READ));
        assertEquals(0, waiterCount(np));
        assertFalse(pd.consume(PollDesc.READ));

        np.close(pd);
        assertEquals(0, np.registeredCount());
    }

    @Test
    void aPollWaiterIsToldOfReadinessAndOfClose() throws Exception {
        TcpPair p = pair();
        PollDesc pd = np.open(p.server.fd());
        settle(pd);
        AtomicInteger told = new AtomicInteger();
        PollWaiter waiter = told::incrementAndGet;

        assertEquals(PollDesc.ARM_WAITING, pd.arm(PollDesc.READ, waiter));
        assertEquals(PollDesc.ARM_WAITING, pd.arm(PollDesc.READ, waiter), "re-arming is idempotent");
        assertEquals(1, waiterCount(np));
        assertThrows(IllegalStateException.class, () -> pd.arm(PollDesc.READ, Thread.currentThread()),
                "a goroutine arming a slot a PollWaiter holds is a double wait");
        send(p.client, 3);
        List<Object> woken = pollUntil(() -> told.get() > 0, "the waiter to be told");
        assertEquals(List.of(waiter), woken);
        assertEquals(1, told.get());
        assertEquals(0, waiterCount(np));
        assertTrue(pd.consume(PollDesc.READ), "the edge stays latched for the waiter's retry");
        assertEquals(3, drain(p.server));

        // armed again, then the descriptor closes: the waiter is told once, without READY
        assertEquals(PollDesc.ARM_WAITING, pd.arm(PollDesc.READ, waiter));
        np.close(pd);
        assertEquals(2, told.get());
        assertEquals(0, waiterCount(np));
    }

    @Test
    void consumeAlsoTakesALatchedEdge() throws Exception {
        TcpPair p = pair();
        PollDesc pd = np.open(p.server.fd());
        settle(pd);
        send(p.client, 1);
        pollUntil(() -> pd.isReady(PollDesc.READ), "the readable edge");
        assertTrue(pd.consume(PollDesc.READ));
        assertFalse(pd.consume(PollDesc.READ));
        assertEquals(0, waiterCount(np));
        np.close(pd);
    }

    @Test
    void aParkedWaiterIsWokenByArrivingData() throws Exception {
        TcpPair p = pair();
        PollDesc pd = np.open(p.server.fd());
        settle(pd);

        Waiter w = new Waiter(pd, PollDesc.READ).begin();
        w.awaitParked();
        assertEquals(1, waiterCount(np));
        assertTrue(np.hasWaiters());

        send(p.client, 3);
        List<Object> woken = pollUntil(() -> !w.isAlive() || w.result >= 0 || waiterCount(np) == 0, "the waiter to be readied");
        assertEquals(PollDesc.ARM_READY, w.awaitResult());
        assertTrue(woken.contains(w), "the poll returned the parked waiter");
        assertEquals(0, waiterCount(np));
        assertFalse(np.hasWaiters());
        assertFalse(pd.isReady(PollDesc.READ), "the waiter consumed the readiness");
        assertEquals(3, drain(p.server));
        np.close(pd);
    }

    @Test
    void aParkedWriterIsWokenWhenThePeerDrains() throws Exception {
        TcpPair p = pair();
        p.client.setSendBufferSize(4096);
        p.server.setReceiveBufferSize(4096);
        PollDesc pd = np.open(p.client.fd());
        settle(pd);
        MemorySegment chunk = arena.allocate(65536);
        long written = 0;
        int n;
        while ((n = p.client.write(chunk.address(), 65536)) > 0) {
            written += n;
        }
        assertEquals(Socket.WOULD_BLOCK, n);
        Waiter w = new Waiter(pd, PollDesc.WRITE).begin();
        w.awaitParked();

        long read = 0;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (w.result < 0 && System.nanoTime() < deadline) {
            read += drain(p.server);
            pollOnce(TimeUnit.MILLISECONDS.toNanos(10));
        }
        assertEquals(PollDesc.ARM_READY, w.awaitResult());
        assertTrue(read > 0 && read <= written);
        assertEquals(0, waiterCount(np));
        np.close(pd);
    }

    @Test
    void closeWakesParkedWaitersWithoutReadinessAndLaterArmsSeeClosed() throws Exception {
        TcpPair p = pair();
        PollDesc pd = np.open(p.server.fd());
        settle(pd);
        Waiter reader = new Waiter(pd, PollDesc.READ).begin();
        Waiter writer = new Waiter(pd, PollDesc.WRITE).begin();
        reader.awaitParked();
        writer.awaitParked();
        await(() -> waiterCount(np) == 2, "two waiters");

        np.close(pd);
        assertTrue(pd.isClosing());
        assertEquals(-1, pd.fd());
        assertEquals(PollDesc.ARM_CLOSED, reader.awaitResult(), "the reader must learn about the close");
        assertEquals(PollDesc.ARM_CLOSED, writer.awaitResult(), "the writer must learn about the close");
        assertFalse(pd.isReady(PollDesc.READ), "close never sets ready");
        assertFalse(pd.isReady(PollDesc.WRITE), "close never sets ready");
        assertEquals(0, waiterCount(np));
        assertEquals(0, np.registeredCount());

        assertEquals(PollDesc.ARM_CLOSED, pd.arm(PollDesc.READ, Thread.currentThread()));
        assertEquals(PollDesc.ARM_CLOSED, pd.arm(PollDesc.WRITE, Thread.currentThread()));
        assertEquals(0, waiterCount(np), "a refused arm leaves no waiter behind");
        np.close(pd); // idempotent
        assertEquals(0, np.registeredCount());

        // data for the closed descriptor readies nobody
        send(p.client, 4);
        assertTrue(pollOnce(TimeUnit.MILLISECONDS.toNanos(20)).isEmpty());
        assertFalse(pd.isReady(PollDesc.READ));
    }

    @Test
    void closeBetweenArmAndParkIsNotLost() throws Exception {
        // The unpark may land before the waiter parks: the park permit must carry it. (The hand-shake
        // is a spin on an atomic on purpose: a park-based barrier, e.g. CyclicBarrier, could swallow the
        // permit between arm and park, which is a general rule for goroutines: nothing may park between
        // arming a PollDesc and parking for it.)
        TcpPair p = pair();
        PollDesc pd = np.open(p.server.fd());
        settle(pd);
        for (int round = 0; round < 500; round++) {
            AtomicInteger phase = new AtomicInteger();
            int[] result = {-1};
            Thread t = new Thread(() -> {
                Thread me = Thread.currentThread();
                int r = pd.arm(PollDesc.READ, me);
                phase.set(1);
                for (int spin = ThreadLocalRandom.current().nextInt(2000); spin > 0; spin--) {
                    Thread.onSpinWait(); // vary where the close lands: before, during or after the park
                }
                while (r == PollDesc.ARM_WAITING) {
                    LockSupport.park();
                    if (pd.consume(PollDesc.READ)) {
                        r = PollDesc.ARM_READY;
                    } else {
                        r = pd.arm(PollDesc.READ, me);
                    }
                }
                result[0] = r;
            });
            t.setDaemon(true);
            threads.add(t);
            t.start();
            long limit = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
            while (phase.get() == 0 && System.nanoTime() < limit) {
                Thread.onSpinWait();
            }
            np.close(pd);
            t.join(WAIT_MILLIS);
            assertFalse(t.isAlive(), "waiter hung after close in round " + round);
            assertEquals(PollDesc.ARM_CLOSED, result[0]);
            assertEquals(0, waiterCount(np));
            // reopen the same fd: the descriptor is recycled
            PollDesc again = np.open(p.server.fd());
            assertSame(pd, again, "the freed slot is reused");
            settle(again);
        }
        np.close(pd);
    }

    @Test
    void aDifferentThreadArmingAnArmedSlotIsADoubleWait() throws Exception {
        TcpPair p = pair();
        PollDesc pd = np.open(p.server.fd());
        settle(pd);
        Waiter w = new Waiter(pd, PollDesc.READ).begin();
        w.awaitParked();
        assertEquals(1, waiterCount(np));

        assertThrows(IllegalStateException.class, () -> pd.arm(PollDesc.READ, Thread.currentThread()));
        assertEquals(1, waiterCount(np), "a refused double wait changes no count");
        // the other direction is independent
        assertEquals(PollDesc.ARM_WAITING, pd.arm(PollDesc.WRITE, Thread.currentThread()));
        assertEquals(2, waiterCount(np));
        assertFalse(pd.consume(PollDesc.WRITE));
        assertEquals(1, waiterCount(np));

        // the original waiter is still the one readied
        send(p.client, 1);
        List<Object> woken = pollUntil(() -> waiterCount(np) == 0, "the waiter to be readied");
        assertEquals(List.of(w), woken);
        assertEquals(PollDesc.ARM_READY, w.awaitResult());
        assertEquals(0, waiterCount(np));
        np.close(pd);
    }

    @Test
    void peerHalfCloseReadiesTheReaderAndResetReadiesBothDirections() throws Exception {
        TcpPair p = pair();
        PollDesc pd = np.open(p.server.fd());
        settle(pd);
        Waiter reader = new Waiter(pd, PollDesc.READ).begin();
        reader.awaitParked();
        p.client.shutdown(false, true); // FIN: EPOLLIN | EPOLLRDHUP
        pollUntil(() -> waiterCount(np) == 0, "the reader to be readied by the FIN");
        assertEquals(PollDesc.ARM_READY, reader.awaitResult());
        MemorySegment in = arena.allocate(16);
        assertEquals(0, p.server.read(in.address(), 16), "end of stream");
        assertFalse(pd.hasEventError());
        // with edge-triggered epoll an event reports every ready bit: the FIN event also says
        // "writable", so the write latch is set now; take it so that the writer below parks
        pd.consume(PollDesc.WRITE);

        Waiter writer = new Waiter(pd, PollDesc.WRITE).begin();
        Waiter reader2 = new Waiter(pd, PollDesc.READ).begin();
        writer.awaitParked();
        reader2.awaitParked();
        await(() -> waiterCount(np) == 2, "two waiters");
        p.client.setLinger(0);
        p.client.close(); // RST: EPOLLHUP | EPOLLERR | ... wakes both directions
        pollUntil(() -> waiterCount(np) == 0, "both waiters to be readied by the reset");
        assertEquals(PollDesc.ARM_READY, writer.awaitResult());
        assertEquals(PollDesc.ARM_READY, reader2.awaitResult());
        assertEquals(0, waiterCount(np));
        np.close(pd);
    }

    /**
     * Go's fdseq defence. The kernel keeps an epoll registration for as long as the open file
     * description lives, so when the fd was closed while a duplicate keeps the file open, the
     * EPOLL_CTL_DEL in {@link Netpoller#close(PollDesc)} fails and events keep arriving with the old
     * user data. The descriptor slot is recycled meanwhile: those events must not ready the new owner.
     */
    @Test
    void eventsForARecycledSlotWithAnOldGenerationAreDropped() throws Throwable {
        TcpPair old = pair();
        TcpPair fresh = pair();
        int dupFd = dup(old.server.fd());
        assertTrue(dupFd >= 0, "dup failed");
        try {
            PollDesc pd1 = np.open(old.server.fd());
            int slot = pd1.slot;
            int gen1 = pd1.generation;
            long oldUserData = pd1.userData();
            settle(pd1);
            old.server.close(); // the dup keeps the file, and with it the epoll registration, alive
            np.close(pd1);      // EPOLL_CTL_DEL fails with EBADF: ignored
            assertEquals(0, np.registeredCount());

            PollDesc pd2 = np.open(fresh.server.fd());
            assertSame(pd1, pd2, "the freed descriptor is recycled");
            assertEquals(slot, pd2.slot);
            assertNotEquals(gen1, pd2.generation, "recycling bumps the generation");
            assertFalse(pd2.isClosing(), "a recycled descriptor starts open");
            settle(pd2);

            Waiter w = new Waiter(pd2, PollDesc.READ).begin();
            w.awaitParked();

            // data on the OLD connection: the kernel reports it with the old (slot, generation)
            send(old.client, 7);
            boolean sawStale = false;
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
            while (!sawStale && System.nanoTime() < deadline) {
                buf.events.fill((byte) 0);
                List<Object> woken = pollOnce(TimeUnit.MILLISECONDS.toNanos(10));
                assertTrue(woken.isEmpty(), "a stale event readied " + woken);
                for (int i = 0; i < Netpoller.MAX_EVENTS; i++) {
                    if (buf.userData(i) == oldUserData && buf.events(i) != 0) {
                        sawStale = true;
                    }
                }
            }
            assertTrue(sawStale, "the kernel delivered the event with the old user data");
            assertFalse(pd2.isReady(PollDesc.READ), "a stale event set the new owner's read latch");
            assertFalse(pd2.isReady(PollDesc.WRITE), "a stale event set the new owner's write latch");
            assertFalse(pd2.hasEventError());
            assertTrue(w.isAlive(), "the new owner's waiter stays parked");
            assertEquals(1, waiterCount(np));

            // a stale reset (EPOLLERR) must not mark the new owner either
            old.client.setLinger(0);
            old.client.close();
            deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
            boolean sawStaleError = false;
            while (!sawStaleError && System.nanoTime() < deadline) {
                buf.events.fill((byte) 0);
                assertTrue(pollOnce(TimeUnit.MILLISECONDS.toNanos(10)).isEmpty());
                for (int i = 0; i < Netpoller.MAX_EVENTS; i++) {
                    if (buf.userData(i) == oldUserData && (buf.events(i) & 0x8) != 0) {
                        sawStaleError = true;
                    }
                }
            }
            assertTrue(sawStaleError, "the kernel delivered the stale error event");
            assertFalse(pd2.hasEventError(), "a stale EPOLLERR marked the new owner");
            assertFalse(pd2.isReady(PollDesc.READ));
            assertTrue(w.isAlive());

            // the new owner's own event does ready it
            send(fresh.client, 2);
            pollUntil(() -> waiterCount(np) == 0, "the new owner's waiter");
            assertEquals(PollDesc.ARM_READY, w.awaitResult());
            np.close(pd2);
        } finally {
            LibC.close(dupFd);
        }
    }

    @Test
    void recyclingKeepsTheSlotAndBumpsTheGeneration() throws Exception {
        TcpPair p = pair();
        PollDesc pd = np.open(p.server.fd());
        int gen = pd.generation;
        long data = pd.userData();
        np.close(pd);
        PollDesc again = np.open(p.server.fd());
        assertSame(pd, again);
        assertEquals(gen + 1, again.generation);
        assertNotEquals(data, again.userData());
        assertEquals((long) again.slot << 32 | (again.generation & 0xFFFF_FFFFL), again.userData());
        assertEquals(p.server.fd(), again.fd());
        assertFalse(again.isClosing());
        np.close(again);
    }

    /**
     * {@link Netpoller#close(PollDesc)} says a second call is ignored. Two threads closing the same
     * descriptor at once must not free it twice: a double free puts the slot twice on the free list,
     * and two later opens share one descriptor.
     */
    @Test
    void concurrentClosesOfOneDescriptorFreeItOnce() throws Exception {
        TcpPair p = pair();
        int rounds = 20_000;
        AtomicInteger go = new AtomicInteger(-1);
        AtomicInteger done = new AtomicInteger(-1);
        PollDesc[] current = new PollDesc[1];
        String problem = null;
        int round = 0;
        Thread other = new Thread(() -> {
            for (int r = 0; r < rounds; r++) {
                while (go.get() < r) {
                    if (Thread.currentThread().isInterrupted()) {
                        return;
                    }
                    Thread.onSpinWait();
                }
                np.close(current[0]); // current[0] is published by go's volatile write
                done.set(r);
            }
        }, "second-closer");
        other.setDaemon(true);
        threads.add(other);
        other.start();
        for (; round < rounds; round++) {
            PollDesc pd = np.open(p.server.fd());
            current[0] = pd;
            go.set(round);
            np.close(pd);
            long limit = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
            while (done.get() < round) {
                if (System.nanoTime() > limit) {
                    fail("second closer stuck in round " + round);
                }
                Thread.onSpinWait();
            }
            if (np.registeredCount() != 0) {
                problem = "round " + round + ": registeredCount " + np.registeredCount() + " after one open and two closes";
                break;
            }
        }
        other.interrupt();
        other.join(WAIT_MILLIS);
        // If the slot was freed twice, the next two opens return the same descriptor for two fds.
        try (TcpPair q = TcpPair.open()) {
            PollDesc a = np.open(p.server.fd());
            PollDesc b = np.open(q.server.fd());
            if (a == b) {
                problem = (problem == null ? "" : problem + "; ") + "then two open fds share " + a;
            }
            np.close(a);
            if (a != b) {
                np.close(b);
            }
        }
        assertEquals(null, problem, "Netpoller.close(pd) raced by two threads freed the descriptor twice");
    }

    private static final MethodHandle DUP = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("dup").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private static int dup(int fd) throws Throwable {
        return (int) DUP.invokeExact(fd);
    }
}
