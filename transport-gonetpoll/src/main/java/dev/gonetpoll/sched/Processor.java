package dev.gonetpoll.sched;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A processor (Go's P): a local run queue, a timer heap and the right to run goroutines. A carrier
 * thread (an M, {@link Carrier}) runs goroutines only while it owns a processor; there are as many
 * processors as the group's size (GOMAXPROCS), and any number of carriers.
 *
 * <h2>Status word</h2>
 * {@link #status} packs a generation (bits 2..63) and a state (bits 0..1). The generation changes
 * whenever ownership changes hands, so an owner that lost the processor can never win a CAS meant
 * for the current owner (no ABA). States and the transitions, each made in exactly one method here:
 * <pre>
 *   IDLE ----------acquire------------> RUNNING      a carrier took it from the idle set (Go: acquirep)
 *   RUNNING -------releaseToIdle------> IDLE         its owner found nothing to do (Go: pidleput)
 *   RUNNING -------enterGoroutine-----> IN_GOROUTINE its owner mounts a goroutine
 *   IN_GOROUTINE --leaveGoroutine-----> RUNNING      the goroutine parked, yielded or ended; or the owner
 *                                                    steps out briefly to queue work (CAS: fails if retaken)
 *   IN_GOROUTINE --enterSyscall-------> IN_SYSCALL   the goroutine starts a call that may block (Go: entersyscall)
 *   IN_SYSCALL ----exitSyscall--------> IN_GOROUTINE the call returned (CAS: fails if retaken; Go: exitsyscallfast)
 *   IN_GOROUTINE --retake-------------> RUNNING'     the monitor took it from a carrier whose goroutine
 *   IN_SYSCALL ----retake-------------> RUNNING'     held it too long, or sat in a call (Go: retake)
 *   RUNNING -------handOver-----------> RUNNING'     its owner gives it to another carrier (Go: handoffp)
 * </pre>
 * (RUNNING' is RUNNING with the next generation.) Both IN_GOROUTINE and IN_SYSCALL play the part of
 * Go's {@code _Psyscall}: the owner is busy in code the scheduler cannot see into, and the monitor may
 * take the processor away, from IN_GOROUTINE after the retake threshold (the JDK cannot preempt a
 * virtual thread: this stands in for Go's preemption), from IN_SYSCALL after one monitor period. Unlike
 * Go, the carrier keeps running that goroutine after losing the processor; the kernel time-slices it
 * with the processor's new carrier.
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>At most one carrier owns a processor: the one whose generation is current. Owner-only state
 *       (the ring's producer side, {@link #schedTick}, {@link #sliceExpired}'s clearing) is touched only
 *       by that carrier, in RUNNING, or in IN_GOROUTINE by code of the owner's own thread that first
 *       stepped back to RUNNING ({@link Scheduler#execute}). So the ring keeps its single-owner invariant
 *       through every retake and hand-over: the monitor retakes only from IN_GOROUTINE, never while the
 *       owner is in RUNNING, and the former owner's next CAS fails.</li>
 *   <li>An IDLE processor is in the scheduler's idle set, and only the carrier that took it out of the
 *       set may acquire it.</li>
 *   <li>{@link #owner} names the carrier that owns the processor; carriers check it on every pass of
 *       their scheduling loop, which is how tests assert that no processor ever has two owners.</li>
 * </ul>
 */
final class Processor {

    static final int IDLE = 0;
    static final int RUNNING = 1;
    static final int IN_GOROUTINE = 2;
    static final int IN_SYSCALL = 3;
    private static final int STATE_MASK = 3;
    private static final long ONE_GENERATION = 4;

    final int id;
    final RunQueue runq = new RunQueue();
    final TimerHeap timers = new TimerHeap();
    private final AtomicLong status = new AtomicLong(IDLE);
    /** The carrier that owns this processor, null while idle; set by whoever grants ownership. */
    volatile Carrier owner;
    /**
     * Counts time slices: incremented by the owner whenever it starts a goroutine that does not inherit
     * the slice (one not taken from runnext). The monitor reads it to spot a slice that lasts too long.
     */
    volatile long schedTick;
    /**
     * Set by the monitor when the current slice has lasted longer than the retake threshold: the owner's
     * next pick then starts a new slice (the ring's head before runnext), so goroutines that keep
     * waking each other through runnext cannot starve the ring (Go preempts such a pair).
     */
    volatile boolean sliceExpired;
    /** Counts the owner's calls into IN_SYSCALL; the monitor tells one long call from several short ones by it. */
    volatile long syscallTick;

    Processor(int id) {
        this.id = id;
    }

    static int stateOf(long word) {
        return (int) (word & STATE_MASK);
    }

    long status() {
        return status.get();
    }

    /** IDLE → RUNNING for {@code carrier}, which took this processor out of the idle set. */
    long acquire(Carrier carrier) {
        long word = status.get();
        if (stateOf(word) != IDLE) {
            throw new IllegalStateException("processor " + id + " acquired while not idle: " + describe(word));
        }
        long owned = (word & ~STATE_MASK) + ONE_GENERATION | RUNNING;
        owner = carrier;
        status.set(owned);
        return owned;
    }

    /** RUNNING → IDLE, by the owner; the caller then adds the processor to the idle set. */
    void releaseToIdle(long owned) {
        owner = null;
        if (!status.compareAndSet(owned, (owned & ~STATE_MASK) | IDLE)) {
            throw new IllegalStateException("processor " + id + " released by a carrier that does not own it: "
                    + describe(status.get()) + ", expected " + describe(owned));
        }
    }

    /** RUNNING → RUNNING', by the owner, for {@code next}: returns the word {@code next} owns it by. */
    long handOver(long owned, Carrier next) {
        long given = (owned & ~STATE_MASK) + ONE_GENERATION | RUNNING;
        owner = next;
        if (!status.compareAndSet(owned, given)) {
            throw new IllegalStateException("processor " + id + " handed over by a carrier that does not own it: "
                    + describe(status.get()) + ", expected " + describe(owned));
        }
        return given;
    }

    /** RUNNING → IN_GOROUTINE, by the owner. A release store: only the monitor reads it, and a late read is harmless. */
    long enterGoroutine(long owned) {
        long mounted = (owned & ~STATE_MASK) | IN_GOROUTINE;
        status.setRelease(mounted);
        return mounted;
    }

    /**
     * IN_GOROUTINE (or IN_SYSCALL) → RUNNING, by the owner: returns the word it owns the processor by
     * now, or -1 if the monitor retook the processor meanwhile.
     */
    long leaveGoroutine(long mounted) {
        long running = (mounted & ~STATE_MASK) | RUNNING;
        return status.compareAndSet(mounted, running) ? running : -1;
    }

    /**
     * IN_GOROUTINE → IN_SYSCALL, by the owner: returns the new word, or -1 if the monitor retook the
     * processor meanwhile. (A CAS, not a store: the monitor may be retaking from IN_GOROUTINE.)
     */
    long enterSyscall(long mounted) {
        long inSyscall = (mounted & ~STATE_MASK) | IN_SYSCALL;
        if (!status.compareAndSet(mounted, inSyscall)) {
            return -1;
        }
        syscallTick = syscallTick + 1;
        return inSyscall;
    }

    /** IN_SYSCALL → IN_GOROUTINE, by the owner: returns the new word, or -1 if the monitor retook the processor. */
    long exitSyscall(long inSyscall) {
        long mounted = (inSyscall & ~STATE_MASK) | IN_GOROUTINE;
        return status.compareAndSet(inSyscall, mounted) ? mounted : -1;
    }

    /**
     * IN_GOROUTINE or IN_SYSCALL → RUNNING', by the monitor, for {@code next}: returns the word
     * {@code next} owns the processor by, or -1 if the owner moved on first (nothing is retaken then).
     */
    long retake(long mounted, Carrier next) {
        long taken = (mounted & ~STATE_MASK) + ONE_GENERATION | RUNNING;
        if (!status.compareAndSet(mounted, taken)) {
            return -1;
        }
        owner = next;
        return taken;
    }

    /** Queues {@code g} on this processor (owner only): runnext (inherits the time slice) or the ring's tail. */
    void ready(Runnable g, boolean next, GlobalRunQueue overflow) {
        runq.put(g, next, overflow);
    }

    /** Whether goroutines wait on this processor or one of its timers is due. */
    boolean hasWork(long now) {
        return !runq.isEmpty() || timers.earliest() <= now;
    }

    static String describe(long word) {
        String state = switch (stateOf(word)) {
            case IDLE -> "idle";
            case RUNNING -> "running";
            case IN_GOROUTINE -> "in a goroutine";
            case IN_SYSCALL -> "in a goroutine's blocking call";
            default -> "state " + stateOf(word);
        };
        return state + " (generation " + (word >>> 2) + ")";
    }

    @Override
    public String toString() {
        return "p" + id + "[" + describe(status.get()) + ", runq " + runq.size() + ", timers " + timers.size() + "]";
    }
}
