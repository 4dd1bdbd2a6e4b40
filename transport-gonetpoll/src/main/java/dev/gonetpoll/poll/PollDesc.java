package dev.gonetpoll.poll;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The readiness of one file descriptor registered with the {@link Netpoller}: Go's {@code pollDesc}.
 *
 * <h2>State machine of each direction (read, write)</h2>
 * <pre>
 *   NIL   --netpoll ready-->  READY          (an edge arrived while nobody waited: latched)
 *   READY --consume/arm-->    NIL            (the waiter takes the latch and retries its syscall)
 *   NIL   --arm(G)-->         G              (the goroutine G announces it waits; it parks next)
 *   G     --netpoll ready-->  READY, unpark G
 *   G     --close-->          NIL,   unpark G (close never sets READY)
 *   G     --consume by G-->   NIL            (G woke for another reason and withdraws)
 * </pre>
 * G is a waiter: a parked goroutine ({@link Thread}), or a {@link PollWaiter} (an event loop, which is
 * woken through its own protocol and may have no goroutine while it waits).
 * The goroutine is published in the slot <em>before</em> it parks. Go publishes it only once the G
 * is descheduled; in Java the park permit gives the same guarantee: an {@code unpark} that lands
 * between {@code arm} and {@code LockSupport.park} makes the park return at once, so no edge is lost.
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>One waiter per direction: arming a slot that holds another goroutine is a bug ("double wait").</li>
 *   <li>{@code READY} is only set by the netpoller; close and errors travel as flags in {@link #info}.</li>
 *   <li>A waiter re-checks {@link #isClosing()} after arming (Dekker: flag write, then slot read on the
 *       closer's side; slot write, then flag read on the waiter's side; all volatile).</li>
 *   <li>The descriptor object is never freed, only recycled; {@link #generation} is bumped on every
 *       recycle and travels in the epoll user data, so events for a closed or reused fd are dropped.</li>
 * </ul>
 */
public final class PollDesc {

    /** Read direction, for the mode arguments. */
    public static final int READ = 1;
    /** Write direction, for the mode arguments. */
    public static final int WRITE = 2;

    /** Slot value: readiness latched, nobody consumed it yet (Go's pdReady). */
    private static final Object READY = new Marker("pdReady");

    private static final int CLOSING = 1;
    private static final int EVENT_ERR = 2;
    private static final int HANGUP = 4;

    private static final VarHandle RG;
    private static final VarHandle WG;
    private static final VarHandle INFO;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            RG = lookup.findVarHandle(PollDesc.class, "rg", Object.class);
            WG = lookup.findVarHandle(PollDesc.class, "wg", Object.class);
            INFO = lookup.findVarHandle(PollDesc.class, "info", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Index in the {@link PollDescTable}; stable for the life of the netpoller. */
    final int slot;
    /** The netpoller's count of goroutines parked on any descriptor (Go's netpollWaiters). */
    private final AtomicInteger waiters;
    /** Bumped on every recycle; the low 32 bits travel in the epoll user data. */
    volatile int generation;
    /** The fd while registered, -1 when free. */
    volatile int fd = -1;
    /** CLOSING, EVENT_ERR and HANGUP flags, set with atomic ORs (the closer and the netpoller race). */
    private volatile int info;
    @SuppressWarnings("unused") // accessed through RG
    private volatile Object rg;
    @SuppressWarnings("unused") // accessed through WG
    private volatile Object wg;

    PollDesc(int slot, AtomicInteger waiters) {
        this.slot = slot;
        this.waiters = waiters;
    }

    /** The file descriptor this descriptor tracks, or -1 once closed. */
    public int fd() {
        return fd;
    }

    /** Whether {@link Netpoller#close} has started for this descriptor. */
    public boolean isClosing() {
        return (info & CLOSING) != 0;
    }

    /** Whether the kernel reported exactly {@code EPOLLERR} for this fd. */
    public boolean hasEventError() {
        return (info & EVENT_ERR) != 0;
    }

    /**
     * Whether the kernel reported that the peer shut its side down (EPOLLRDHUP). Sticky:
     * a hang-up does not go away. Lets a channel notice the peer's FIN while it is not reading.
     */
    public boolean hasHangup() {
        return (info & HANGUP) != 0;
    }

    /** Result of {@link #arm}: readiness was latched; do not park, retry the syscall now. */
    public static final int ARM_READY = 0;
    /** Result of {@link #arm}: the goroutine is published; it may park. */
    public static final int ARM_WAITING = 1;
    /** Result of {@link #arm}: the descriptor is closing; do not park. */
    public static final int ARM_CLOSED = 2;

    /**
     * Announces that {@code g} will park until {@code mode} is ready (Go's netpollblock, first half).
     * Idempotent for the same goroutine, so a loop may arm again after a spurious wake-up.
     */
    public int arm(int mode, Thread g) {
        return armWaiter(mode, g);
    }

    /** {@link #arm(int, Thread)} for a {@link PollWaiter}: readiness calls {@link PollWaiter#pollReady}. */
    public int arm(int mode, PollWaiter w) {
        return armWaiter(mode, w);
    }

    private int armWaiter(int mode, Object g) {
        VarHandle slot = handle(mode);
        for (;;) {
            Object v = slot.getVolatile(this);
            if (v == READY) {
                if (slot.compareAndSet(this, READY, null)) {
                    return ARM_READY;
                }
            } else if (v == null) {
                if (slot.compareAndSet(this, null, g)) {
                    waiters.incrementAndGet();
                    if (isClosing()) {
                        // the closer may have looked at the slot before we published: withdraw ourselves
                        if (slot.compareAndSet(this, g, null)) {
                            waiters.decrementAndGet();
                        }
                        return ARM_CLOSED;
                    }
                    return ARM_WAITING;
                }
            } else if (v == g) {
                return isClosing() ? ARM_CLOSED : ARM_WAITING;
            } else {
                throw new IllegalStateException("double wait on fd " + fd + " (" + modeName(mode) + ")");
            }
        }
    }

    /**
     * Takes whatever the slot holds and clears it (Go's netpollblock, second half): true if readiness
     * was latched. A goroutine that armed and woke for another reason withdraws this way.
     */
    public boolean consume(int mode) {
        VarHandle slot = handle(mode);
        if (slot.getVolatile(this) == null) {
            return false; // fast path: nothing latched, nobody armed
        }
        Object old = slot.getAndSet(this, null);
        if (old != null && old != READY) {
            waiters.decrementAndGet(); // withdrew our own announcement
            return false;
        }
        return old == READY;
    }

    /** Whether readiness is latched for {@code mode}, without consuming it. */
    public boolean isReady(int mode) {
        return handle(mode).getVolatile(this) == READY;
    }

    /**
     * Netpoller side: latch readiness for {@code mode} and return the waiter (a goroutine or a
     * {@link PollWaiter}), if any (Go's netpollunblock with ioready). Never blocks.
     */
    Object setReady(int mode) {
        VarHandle slot = handle(mode);
        // Already latched: nobody waits (a waiter replaces READY only by consuming it, and then
        // retries its syscall, which sees whatever this edge announced). Go's netpollunblock skips
        // the swap the same way; it saves an atomic for every write edge nobody asked for.
        if (slot.getVolatile(this) == READY) {
            return null;
        }
        Object old = slot.getAndSet(this, READY);
        return old == READY ? null : old;
    }

    /**
     * Close side: clear a waiter without setting READY and return it so it can be woken. The waiter
     * count is lowered here: the evicted goroutine is woken directly, not through a poll.
     */
    Object evict(int mode) {
        VarHandle slot = handle(mode);
        for (;;) {
            Object v = slot.getVolatile(this);
            if (v == null || v == READY) {
                return null;
            }
            if (slot.compareAndSet(this, v, null)) {
                waiters.decrementAndGet();
                return v;
            }
        }
    }

    /** Sets the closing flag; true only for the one caller that set it first. */
    boolean markClosing() {
        return ((int) INFO.getAndBitwiseOr(this, CLOSING) & CLOSING) == 0;
    }

    void markEventError() {
        INFO.getAndBitwiseOr(this, EVENT_ERR);
    }

    void markHangup() {
        INFO.getAndBitwiseOr(this, HANGUP);
    }

    /** Prepares a recycled descriptor for a new fd; only called while it is unreachable from epoll. */
    void reset(int fd) {
        RG.setVolatile(this, null);
        WG.setVolatile(this, null);
        info = 0;
        this.fd = fd;
    }

    /** The 64-bit epoll user data: slot in the high half, generation in the low half. */
    long userData() {
        return ((long) slot << 32) | (generation & 0xFFFF_FFFFL);
    }

    private static VarHandle handle(int mode) {
        return switch (mode) {
            case READ -> RG;
            case WRITE -> WG;
            default -> throw new IllegalArgumentException("mode " + mode);
        };
    }

    private static String modeName(int mode) {
        return mode == READ ? "read" : "write";
    }

    @Override
    public String toString() {
        return "PollDesc[slot=" + slot + ", fd=" + fd + ", gen=" + generation + "]";
    }

    private record Marker(String name) {
        @Override
        public String toString() {
            return name;
        }
    }
}
