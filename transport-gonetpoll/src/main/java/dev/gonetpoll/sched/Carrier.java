package dev.gonetpoll.sched;

import dev.gonetpoll.poll.EventBuffer;
import dev.gonetpoll.poll.Netpoller;
import dev.gonetpoll.poll.ReadyList;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * A carrier thread (Go's M): runs goroutines while it owns a {@link Processor}, looks for work in
 * Go's order when its processor runs dry, and waits among the spare carriers when it has none.
 *
 * <h2>The loop ({@link #run})</h2>
 * Without a processor the carrier waits to be handed one ({@link #awaitProcessor}, Go's stopm). With
 * one, it repeats: find a runnable goroutine ({@link #findRunnable}), run it until it parks, yields or
 * ends ({@link #runGoroutine}). {@code findRunnable} looks at, in Go's order: due timers of its
 * processor; the global queue every 61st slice (fairness) and when the monitor found the current
 * slice too long; runnext (which inherits the slice) and the local ring; the global queue
 * (a fair batch); a non-blocking netpoll; stealing from other processors (4 rounds, random order,
 * runnext and due timers of the victim in the last round). With nothing found it releases the
 * processor to the idle set, re-checks, and then either becomes the one carrier blocked in epoll_wait
 * (holding no processor, as in Go) or waits among the spares.
 *
 * <h2>Losing the processor</h2>
 * The monitor may retake the processor while this carrier runs a goroutine that holds it too long
 * (the processor is IN_GOROUTINE; see {@link Processor}), and the goroutine may give it up itself in
 * a blocking region ({@link Scheduler#enterBlocking}). Either way the carrier learns it when it
 * leaves the goroutine: {@link Processor#leaveGoroutine} fails, or {@link #processor} is null. It then
 * does what Go's exitsyscall does: takes an idle processor if there is one, else joins the spares.
 *
 * <h2>Threads and fields</h2>
 * Fields without a note are touched only by this thread, whether it runs scheduler code or the
 * goroutine mounted on it (the goroutine's code runs on this very thread: {@link Scheduler#execute}
 * and the blocking region read and write {@link #processor} and {@link #owned}).
 */
final class Carrier extends SchedulerThread {

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(Carrier.class);

    /** How often the global queue is served first, whatever the local queue holds (Go: 61). */
    private static final int FAIRNESS_TICKS = 61;
    private static final int STEAL_ROUNDS = 4;

    /** The processor this carrier owns, null when it owns none. */
    Processor processor;
    /** {@link #processor}'s status word as this carrier owns it: RUNNING, or IN_GOROUTINE while one runs. */
    long owned;
    /** Whether a goroutine runs on this carrier now (set around {@code g.run()}). */
    boolean inGoroutine;
    /** Whether this carrier spins (looks for work holding a processor); counted in Scheduler.spinning. */
    private boolean spinning;

    /** A processor handed to this carrier while it waits among the spares (set before the unpark). */
    private volatile Processor handed;
    private volatile long handedWord;
    private volatile boolean handedSpinning;

    /**
     * The goroutine (its continuation) running on this carrier, null between runs, and how many runs
     * started so far: for the monitor's report, which tells one long run from several by the count.
     * Written with release stores and read racily: a fence per goroutine run would cost more than
     * the report is worth.
     */
    private Runnable running;
    private long runs;
    private static final VarHandle RUNNING;
    private static final VarHandle RUNS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            RUNNING = lookup.findVarHandle(Carrier.class, "running", Runnable.class);
            RUNS = lookup.findVarHandle(Carrier.class, "runs", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    /** True while this carrier is (about to be) blocked in epoll_wait. */
    volatile boolean polling;

    private final Netpoller netpoller;
    private final EventBuffer events = new EventBuffer();
    private final ReadyList ready = new ReadyList();
    private final ArrayList<Runnable> batch = new ArrayList<>();
    private final Timer[] dueTimers = new Timer[64];

    Carrier(Scheduler scheduler, String name) {
        super(scheduler, name, null);
        this.netpoller = scheduler.netpoller;
        // Not daemon, as Netty's event loop threads: a server whose main() returned keeps serving
        // until its group is shut down.
        setDaemon(false);
    }

    // ---------------------------------------------------------------------------------------------
    // Being handed a processor (Go's startm / stopm)

    /**
     * Gives this carrier {@code p}, owned by {@code word}, and wakes it (or starts it, if it is new).
     * Called by whoever took the carrier from the spares or created it, so exactly one caller hands it
     * a processor per wait. Throws what {@link Thread#start} throws for a new carrier that cannot start.
     */
    void handOff(Processor p, long word, boolean spin) {
        if (getState() == State.NEW) {
            // a carrier started for this processor (never a spare yet): it begins with it
            processor = p;
            owned = word;
            spinning = spin;
            start();
            return;
        }
        handedWord = word;
        handedSpinning = spin;
        handed = p;
        LockSupport.unpark(this);
    }

    /** Waits among the spares until handed a processor; false if this carrier must exit. */
    private boolean awaitProcessor() {
        Scheduler sched = scheduler;
        sched.spares.park(this);
        long keepAlive = sched.spareKeepAliveNanos;
        long deadline = System.nanoTime() + keepAlive;
        for (;;) {
            Processor p = handed;
            if (p != null) {
                handed = null;
                processor = p;
                owned = handedWord;
                if (handedSpinning) {
                    spinning = true; // the waker counted us in Scheduler.spinning already
                }
                return true;
            }
            if (sched.isStopping() && sched.spares.leave(this)) {
                return false;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                // Idle for the whole keep-alive: exit if spares beyond those kept exist and nobody took us.
                if (sched.spares.retire(this)) {
                    return false;
                }
                deadline = System.nanoTime() + keepAlive;
                continue;
            }
            LockSupport.parkNanos(this, left);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The loop

    @Override
    public void run() {
        try {
            for (;;) {
                if (processor == null && !awaitProcessor()) {
                    return;
                }
                try {
                    Runnable g = findRunnable();
                    if (g instanceof Scheduler.GoroutineStart start) {
                        start.run(); // in scheduler code: the goroutine it takes goes to runnext
                    } else if (g != null) {
                        runGoroutine(g);
                    } else if (processor != null) {
                        // stopping with nothing left to run
                        releaseProcessor();
                        return;
                    }
                } catch (Throwable failure) {
                    // A scheduler bug or an Error: this carrier must not die holding a processor.
                    Failures.error(logger, "gonetpoll carrier: scheduling failed", failure);
                }
            }
        } finally {
            events.close();
            scheduler.carrierExited(this);
        }
    }

    private void runGoroutine(Runnable g) {
        Processor p = processor;
        if (spinning) {
            resetSpinning();
        }
        owned = p.enterGoroutine(owned);
        RUNS.setRelease(this, runs + 1);
        RUNNING.setRelease(this, g);
        inGoroutine = true;
        try {
            g.run();
        } catch (Throwable failure) {
            // A goroutine's continuation handles its own exceptions; this is a JDK or scheduler bug.
            // The carrier must keep serving the others either way.
            Failures.error(logger, "gonetpoll carrier: running a goroutine failed", failure);
        } finally {
            inGoroutine = false;
            RUNNING.setRelease(this, null);
        }
        // The goroutine may have changed processor (blocking region) or lost it (retake).
        p = processor;
        if (p != null) {
            long running = p.leaveGoroutine(owned);
            if (running >= 0) {
                owned = running;
                return;
            }
            processor = null; // retaken while the goroutine ran (Go: exitsyscall finds its P gone)
        }
        acquireIdleProcessor(); // else the loop waits among the spares
    }

    /** Takes any idle processor (Go's exitsyscall fast path, pidleget); false if none is idle. */
    boolean acquireIdleProcessor() {
        Scheduler sched = scheduler;
        int id = sched.idle.take(ThreadLocalRandom.current().nextInt(sched.processors.length));
        if (id < 0) {
            return false;
        }
        Processor p = sched.processors[id];
        owned = p.acquire(this);
        processor = p;
        return true;
    }

    /** Gives up the owned processor: to the idle set (Go's releasep + pidleput). */
    private void releaseProcessor() {
        Processor p = processor;
        processor = null;
        p.releaseToIdle(owned);
        scheduler.idle.add(p.id);
    }

    private void checkOwnership(Processor p) {
        if (p.owner != this) {
            scheduler.ownershipViolation(p, this);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Finding work (Go's findRunnable)

    /**
     * Returns a goroutine to run on {@link #processor}, or null: then either the scheduler is
     * stopping (the processor is still owned) or this carrier gave its processor up and must wait
     * among the spares.
     */
    private Runnable findRunnable() {
        final Scheduler sched = scheduler;
        for (;;) {
            Processor p = processor;
            checkOwnership(p);
            if (sched.isStopping() && p.runq.isEmpty() && sched.global.isEmpty()) {
                return null;
            }
            long now = System.nanoTime();
            p.timers.runDue(now, true, dueTimers);

            // A slice the monitor found too long (a goroutine, or a chain that kept waking its partner
            // through runnext) ends here: the global queue and the ring go before runnext.
            boolean expired = p.sliceExpired;
            Runnable g;
            if ((expired || p.schedTick % FAIRNESS_TICKS == 0) && sched.global.size() > 0
                    && (g = sched.global.poll()) != null) {
                return newSlice(p, g);
            }
            if ((g = takeLocal(p, expired)) != null) {
                return g;
            }
            if ((g = sched.globalGet(p)) != null) {
                return newSlice(p, g);
            }

            // Non-blocking netpoll, if someone waits on the network and nobody blocks in epoll_wait.
            if (netpoller.hasWaiters() && !sched.someoneIsPolling()) {
                g = pollNetwork();
                if (g != null) {
                    return newSlice(p, g);
                }
            }

            // Steal, unless too many carriers already spin (they would fight over little work).
            if (spinning || 2 * sched.spinning.get() < sched.busyProcessors()) {
                if (!spinning) {
                    spinning = true;
                    sched.spinning.incrementAndGet();
                }
                if ((g = stealWork(p, now)) != null) {
                    return newSlice(p, g);
                }
            }

            // Nothing to do: give the processor up, then re-check what a producer may have added
            // meanwhile (producers queue first, then call wakep, which reads the idle set).
            boolean wasSpinning = spinning;
            if (spinning) {
                spinning = false;
                sched.spinning.decrementAndGet();
            }
            releaseProcessor();
            if (!sched.global.isEmpty() || wasSpinning && sched.anyLocalWork() || sched.isStopping()) {
                if (reacquire(p)) {
                    if (wasSpinning) {
                        spinning = true;
                        sched.spinning.incrementAndGet();
                    }
                    continue;
                }
                // a waker took the processor: it runs the work
            }

            long pollUntil = sched.earliestTimer();
            if ((netpoller.hasWaiters() || pollUntil != TimerHeap.NONE) && sched.claimPoller()) {
                g = blockInNetpoll(pollUntil);
                if (g != null) {
                    return newSlice(processor, g);
                }
                if (processor != null) {
                    continue; // woken for a timer (or nothing): look again with the processor it took
                }
                return null;
            }
            if (pollUntil != TimerHeap.NONE) {
                sched.breakPollerIfLater(pollUntil); // the poller must wake for the earliest timer
            }
            return null;
        }
    }

    /** Takes {@code p} back from the idle set, or any idle processor; false if none is idle. */
    private boolean reacquire(Processor p) {
        if (scheduler.idle.remove(p.id)) {
            owned = p.acquire(this);
            processor = p;
            return true;
        }
        return acquireIdleProcessor();
    }

    /** A goroutine that does not inherit the current time slice starts a new one (Go's execute). */
    private static Runnable newSlice(Processor p, Runnable g) {
        p.sliceExpired = false;
        p.schedTick = p.schedTick + 1;
        return g;
    }

    /**
     * runnext, then the ring's head. A goroutine taken from runnext inherits the time slice (the
     * schedule tick stays), unless the slice expired: then the ring goes first.
     */
    private static Runnable takeLocal(Processor p, boolean expired) {
        if (expired) {
            Runnable g = p.runq.getSkippingRunNext();
            return g == null ? null : newSlice(p, g);
        }
        Runnable next = p.runq.takeRunNext();
        if (next != null) {
            return next;
        }
        Runnable g = p.runq.get();
        return g == null ? null : newSlice(p, g);
    }

    /** The single blocking poller, holding no processor: waits for I/O or the earliest timer. */
    private Runnable blockInNetpoll(long pollUntil) {
        final Scheduler sched = scheduler;
        sched.publishPollUntil(pollUntil);
        polling = true;
        long delay;
        if (sched.isStopping()) {
            delay = 0;
        } else if (pollUntil == TimerHeap.NONE) {
            delay = -1;
        } else {
            delay = Math.max(0, pollUntil - System.nanoTime());
        }
        int taken = 0;
        try {
            taken = netpoller.poll(delay, events, ready);
        } finally {
            // (also when epoll_wait failed: the next poller must be able to claim the role)
            polling = false;
            sched.releasePoller(System.nanoTime());
        }
        try {
            if (acquireIdleProcessor()) {
                return collectReadied(processor);
            }
            collectReadied(null); // no processor free: everything to the global queue
            return null;
        } finally {
            netpoller.waitersReadied(taken);
        }
    }

    /** A non-blocking netpoll by the owner of a processor: returns the first readied goroutine. */
    private Runnable pollNetwork() {
        int taken = netpoller.poll(0, events, ready);
        try {
            return collectReadied(processor);
        } finally {
            netpoller.waitersReadied(taken);
        }
    }

    /**
     * Makes the goroutines of the last poll runnable: with a processor, returns one to run and
     * injects the rest (Go's injectglist); without one, puts them all on the global queue.
     */
    private Runnable collectReadied(Processor p) {
        if (ready.size() == 0) {
            return null;
        }
        collecting = batch;
        try {
            scheduler.wakeAll(ready);
        } finally {
            collecting = null;
        }
        if (batch.isEmpty()) {
            return null;
        }
        Runnable first = null;
        if (p != null) {
            first = batch.get(0);
            scheduler.inject(batch, 1, p);
        } else {
            scheduler.inject(batch, 0, null);
        }
        batch.clear();
        return first;
    }

    private Runnable stealWork(Processor p, long now) {
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
                if (victim == p) {
                    continue;
                }
                if (last && victim.timers.runDue(now, false, dueTimers) > 0) {
                    Runnable g = p.runq.get(); // the timers readied goroutines onto our queue
                    if (g != null) {
                        return g;
                    }
                }
                Runnable g = p.runq.stealFrom(victim.runq, last);
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

    /** The goroutine running on this carrier now, null if none (a racy read, for the monitor). */
    Runnable runningGoroutine() {
        return (Runnable) RUNNING.getOpaque(this);
    }

    /** How many goroutine runs this carrier has started (a racy read, for the monitor). */
    long runCount() {
        return (long) RUNS.getOpaque(this);
    }

    @Override
    public String toString() {
        Processor p = processor;
        return getName() + "[" + (p == null ? "no processor" : "p" + p.id) + (polling ? ", polling" : "")
                + (runningGoroutine() != null ? ", running a goroutine" : "") + "]";
    }
}
