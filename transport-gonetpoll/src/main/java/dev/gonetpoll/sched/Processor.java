package dev.gonetpoll.sched;

import dev.gonetpoll.poll.EventBuffer;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import dev.gonetpoll.poll.Netpoller;
import dev.gonetpoll.poll.ReadyList;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A processor: one carrier thread with a local run queue and a timer heap (Go's P together with
 * the M that runs it; here a P keeps its M for life).
 *
 * <h2>The carrier loop</h2>
 * {@link #run} repeats: find a runnable goroutine ({@link #findRunnable}, in Go's order), run it
 * until it parks, yields or ends. {@code findRunnable} looks at: due timers of this processor; the
 * global queue every 61st tick (fairness); runnext and the local ring; the global queue (a fair
 * batch); a non-blocking netpoll; stealing from other processors (4 rounds, random order, runnext
 * and due timers of the victim in the last round); then it goes idle and either becomes the one
 * blocking poller or sleeps.
 *
 * <h2>Idle and wake-up protocol</h2>
 * <ul>
 *   <li>Going idle: add itself to the idle set, drop spinning, re-check the global queue (and, if it
 *       was spinning, every local queue). Producers push first and then call wakep, which reads the
 *       idle set: with sequentially consistent atomics one side always sees the other.</li>
 *   <li>Leaving idle: it takes its own bit back, or finds that a waker took it ({@link IdleSet#take})
 *       and then waits for the waker's {@link #handoff}, which says whether it was started spinning.</li>
 *   <li>A waker hands off, then breaks the poller if this processor is {@link #polling}, then
 *       unparks the carrier. The processor publishes {@code polling} before it reads {@code handoff}
 *       and blocks, so a hand-off is never slept through.</li>
 *   <li>{@link #spinning} processors count in {@code Scheduler.spinning}; a processor that finds work
 *       while spinning stops spinning and calls wakep, so work spreads one processor at a time.</li>
 * </ul>
 */
final class Processor implements Runnable {

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(Processor.class);

    static final int HANDOFF_NONE = 0;
    static final int HANDOFF_PLAIN = 1;
    static final int HANDOFF_SPINNING = 2;

    /** How often the global queue is served first, whatever the local queue holds (Go: 61). */
    private static final int FAIRNESS_TICKS = 61;
    private static final int STEAL_ROUNDS = 4;

    final int id;
    final Scheduler scheduler;
    final RunQueue runq = new RunQueue();
    final TimerHeap timers = new TimerHeap();
    final Carrier carrier;
    /** Set by a waker that took this processor out of the idle set. */
    final AtomicInteger handoff = new AtomicInteger(HANDOFF_NONE);
    /** True while this processor is (about to be) blocked in epoll_wait. */
    volatile boolean polling;
    /**
     * Goroutines started by this processor; read by the monitor to spot a goroutine that never yields.
     * Written by the owner with release stores ({@link #SCHED_TICK}), as is {@link #inGoroutine}: the
     * monitor only needs to see them soon, and a full volatile store would cost a fence per goroutine run.
     */
    volatile long schedTick;
    /** Whether a goroutine is mounted on this carrier right now; read by the monitor. */
    volatile boolean inGoroutine;
    private static final VarHandle SCHED_TICK;
    private static final VarHandle IN_GOROUTINE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            SCHED_TICK = lookup.findVarHandle(Processor.class, "schedTick", long.class);
            IN_GOROUTINE = lookup.findVarHandle(Processor.class, "inGoroutine", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // Owner-only state
    private boolean spinning;
    private final Netpoller netpoller;
    private final EventBuffer events;
    private final ReadyList ready = new ReadyList();
    private final ArrayList<Runnable> batch = new ArrayList<>();
    private final Timer[] dueTimers = new Timer[64];

    Processor(int id, Scheduler scheduler, String carrierName) {
        this.id = id;
        this.scheduler = scheduler;
        this.netpoller = scheduler.netpoller;
        this.events = new EventBuffer();
        this.carrier = new Carrier(scheduler, this, carrierName, this);
    }

    @Override
    public void run() {
        try {
            Runnable g;
            while ((g = findRunnable()) != null) {
                if (spinning) {
                    resetSpinning();
                }
                SCHED_TICK.setRelease(this, schedTick + 1);
                IN_GOROUTINE.setRelease(this, true);
                try {
                    g.run();
                } catch (Throwable failure) {
                    // A goroutine's continuation handles its own exceptions; this is a JDK or
                    // scheduler bug. The carrier must keep serving the others either way.
                    Failures.error(logger, "gonetpoll carrier: running a goroutine failed", failure);
                } finally {
                    IN_GOROUTINE.setRelease(this, false);
                }
            }
        } finally {
            events.close();
            scheduler.carrierExited();
        }
    }

    /** Queues {@code g} on this processor: runnext (inherits the time slice) or the ring's tail. */
    void ready(Runnable g, boolean next) {
        runq.put(g, next, scheduler.global);
    }

    /** Wakes this processor after a waker took it from the idle set. */
    void handOff(int kind) {
        handoff.set(kind);
        if (polling) {
            netpoller.wakeup();
        }
        LockSupport.unpark(carrier);
    }

    // ---------------------------------------------------------------------------------------------

    private Runnable findRunnable() {
        final Scheduler sched = scheduler;
        for (;;) {
            if (sched.isStopping() && !hasLocalOrGlobalWork()) {
                return null;
            }
            long now = System.nanoTime();
            timers.runDue(now, true, dueTimers);

            Runnable g;
            if (schedTick % FAIRNESS_TICKS == 0 && sched.global.size() > 0 && (g = sched.global.poll()) != null) {
                return g;
            }
            if ((g = runq.get()) != null) {
                return g;
            }
            if ((g = sched.globalGet(this)) != null) {
                return g;
            }

            // Non-blocking netpoll, if someone waits on the network and nobody blocks in epoll_wait.
            if (netpoller.hasWaiters() && !sched.someoneIsPolling()) {
                g = pollNetwork(0);
                if (g != null) {
                    return g;
                }
            }

            // Steal, unless too many processors already spin (they would fight over little work).
            if (spinning || 2 * sched.spinning.get() < sched.busyProcessors()) {
                if (!spinning) {
                    spinning = true;
                    sched.spinning.incrementAndGet();
                }
                if ((g = stealWork(now)) != null) {
                    return g;
                }
            }

            // Nothing to do: go idle, then re-check what a producer might have added meanwhile.
            handoff.set(HANDOFF_NONE);
            sched.idle.add(id);
            boolean wasSpinning = spinning;
            if (spinning) {
                spinning = false;
                sched.spinning.decrementAndGet();
            }
            if (!sched.global.isEmpty() || wasSpinning && sched.anyLocalWork() || sched.isStopping()) {
                leaveIdle(wasSpinning);
                continue;
            }

            long pollUntil = sched.earliestTimer();
            if ((netpoller.hasWaiters() || pollUntil != TimerHeap.NONE) && sched.claimPoller()) {
                g = blockInNetpoll(pollUntil);
                if (g != null) {
                    return g;
                }
                continue;
            }
            if (pollUntil != TimerHeap.NONE) {
                sched.breakPollerIfLater(pollUntil); // the poller must wake for our earlier timer
            }
            sleep();
            leaveIdle(false);
        }
    }

    private boolean hasLocalOrGlobalWork() {
        return !runq.isEmpty() || !scheduler.global.isEmpty();
    }

    /** Takes this processor out of the idle set, or accepts the hand-off of whoever took it. */
    private void leaveIdle(boolean respin) {
        if (scheduler.idle.remove(id)) {
            if (respin) {
                spinning = true;
                scheduler.spinning.incrementAndGet();
            }
            return;
        }
        // A waker took us; it sets handoff right after taking, so this wait is a few instructions.
        int kind;
        while ((kind = handoff.getAndSet(HANDOFF_NONE)) == HANDOFF_NONE) {
            Thread.onSpinWait();
        }
        if (kind == HANDOFF_SPINNING) {
            spinning = true; // the waker already counted us in Scheduler.spinning
        }
    }

    private void sleep() {
        while (handoff.get() == HANDOFF_NONE && !scheduler.isStopping()) {
            LockSupport.park(this);
        }
    }

    /** The single blocking poller: waits for I/O or the earliest timer of any processor. */
    private Runnable blockInNetpoll(long pollUntil) {
        final Scheduler sched = scheduler;
        sched.publishPollUntil(pollUntil);
        polling = true;
        long delay;
        if (handoff.get() != HANDOFF_NONE || sched.isStopping()) {
            delay = 0; // woken before we got here
        } else if (pollUntil == TimerHeap.NONE) {
            delay = -1;
        } else {
            delay = Math.max(0, pollUntil - System.nanoTime());
        }
        int taken = netpoller.poll(delay, events, ready);
        polling = false;
        sched.releasePoller(System.nanoTime());
        leaveIdle(false);
        Runnable g = collectReadied();
        netpoller.waitersReadied(taken);
        return g;
    }

    /** A netpoll with the given delay from a running processor: run the first readied goroutine. */
    private Runnable pollNetwork(long delay) {
        int taken = netpoller.poll(delay, events, ready);
        Runnable g = collectReadied();
        netpoller.waitersReadied(taken);
        return g;
    }

    /** Makes the goroutines of the last poll runnable: returns one to run, injects the rest. */
    private Runnable collectReadied() {
        if (ready.size() == 0) {
            return null;
        }
        carrier.collecting = batch;
        try {
            for (int i = 0; i < ready.size(); i++) {
                ready.wake(i);
            }
        } finally {
            carrier.collecting = null;
            ready.clear();
        }
        if (batch.isEmpty()) {
            return null;
        }
        Runnable first = batch.get(0);
        scheduler.inject(batch, 1, this);
        batch.clear();
        return first;
    }

    private Runnable stealWork(long now) {
        Processor[] all = scheduler.processors;
        int n = all.length;
        if (n == 1) {
            return null;
        }
        for (int round = 0; round < STEAL_ROUNDS; round++) {
            boolean last = round == STEAL_ROUNDS - 1;
            int start = ThreadLocalRandom.current().nextInt(n);
            for (int i = 0; i < n; i++) {
                Processor victim = all[(start + i) % n];
                if (victim == this) {
                    continue;
                }
                if (last && victim.timers.runDue(now, false, dueTimers) > 0) {
                    Runnable g = runq.get(); // the timers readied goroutines onto our queue
                    if (g != null) {
                        return g;
                    }
                }
                Runnable g = runq.stealFrom(victim.runq, last);
                if (g != null) {
                    return g;
                }
            }
        }
        return null;
    }

    private void resetSpinning() {
        spinning = false;
        scheduler.spinning.decrementAndGet();
        scheduler.wakep();
    }
}
