package dev.gonetpoll.sched;

import dev.gonetpoll.poll.Netpoller;
import dev.gonetpoll.poll.ReadyList;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Go's scheduler for virtual threads: N {@link Processor}s (Go's Ps) with local run queues and timers,
 * any number of {@link Carrier} threads (Go's Ms) that run goroutines while they own a processor, one
 * global run queue, work stealing, a shared {@link Netpoller} and a {@link Monitor} thread (Go's
 * sysmon). Goroutines are virtual threads whose continuations this class receives through
 * {@link #execute} (the JDK calls it when a goroutine starts or is unparked) and runs on its carriers.
 *
 * <h2>Processors and carriers (Go's M/P split)</h2>
 * A processor is the right to run goroutines; there are exactly {@link #processorCount()} of them. A
 * carrier runs goroutines only while it owns one (see the status word in {@link Processor}). Carriers
 * that own none either block in epoll_wait (at most one) or wait among the {@link #spares} (Go's
 * midle) until {@link #startCarrier} hands them a processor; new carriers are started on demand, up
 * to {@link #maxCarriers}. A goroutine that pins its carrier (a CPU loop, a native call, blocking
 * file I/O) keeps the carrier, not the processor: the monitor retakes the processor after
 * {@link #retakeAfterNanos} when other work waits for it and hands it to another carrier
 * ({@link #retake}, Go's retake and handoffp), and a goroutine that knows it is about to block gives
 * it up at once ({@link #enterBlocking}, Go's entersyscallblock).
 *
 * <h2>Where a runnable goroutine goes ({@link #execute})</h2>
 * <ul>
 *   <li>from a goroutine or timer on a carrier that owns a processor: that processor's runnext (Go's ready);</li>
 *   <li>from a carrier whose goroutine just yielded: the tail of that processor's ring;</li>
 *   <li>during a poller's batch collection: the batch, injected later as a whole ({@link #inject});</li>
 *   <li>from any other thread, or a carrier that owns no processor: the global queue, then {@link #wakep}.</li>
 * </ul>
 *
 * <h2>Shared state and invariants</h2>
 * <ul>
 *   <li>{@link #spinning} counts carriers looking for work with a processor; {@link #wakep} starts one
 *       only when none spins (CAS 0→1), Go's rule that keeps idle processors from stampeding.</li>
 *   <li>{@link #idle} holds the processors no carrier owns. A carrier that gives its processor up adds
 *       it, then re-checks the queues; producers queue first, then read the idle set in wakep: with
 *       sequentially consistent atomics one side always sees the other, so no work is stranded.</li>
 *   <li>{@link #lastPoll} is {@link #POLLING} while one carrier blocks in epoll_wait, otherwise the
 *       time of the last poll. Claiming the poller is a swap to POLLING: only one blocks at a time.
 *       The poller publishes {@link #pollUntil} (its wake time) so an earlier timer can break it.</li>
 *   <li>No carrier ever waits for a lock a goroutine may hold: queues, the idle set and the spares are
 *       lock-free; timer heaps use a spin lock never held across a park (see {@link TimerHeap}).</li>
 * </ul>
 *
 * <h2>Why a ForkJoinPool</h2>
 * Only in type. The JDK hands the wake-up of a timed park ({@code Thread.sleep}, {@code parkNanos},
 * timed waits) of a virtual thread to its scheduler's {@code schedule} method if the scheduler is a
 * {@link ForkJoinPool}, and otherwise to a separate "unparker" platform thread, which would then wake
 * a carrier (often one blocked in epoll_wait) for every sleep that ends. Being a ForkJoinPool, this
 * scheduler receives them in {@link #schedule(Runnable, long, TimeUnit)} and puts them in the
 * processors' timer heaps, where the poller's timeout already covers them (Go's timers). The
 * pool's own machinery is never started: this class's contract is {@link #execute(Runnable)},
 * {@link #schedule(Runnable, long, TimeUnit)}, {@link #go} and the shutdown methods; the other
 * ForkJoinPool and ExecutorService entry points are not for use.
 */
public final class Scheduler extends ForkJoinPool implements Executor {

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(Scheduler.class);

    /** {@link #lastPoll} value while a carrier is blocked in the netpoller (Go: lastpoll == 0). */
    static final long POLLING = Long.MIN_VALUE;

    /** System property: how long a goroutine may hold a processor others wait for before it is retaken. */
    public static final String RETAKE_AFTER_MILLIS_PROPERTY = "gonetpoll.retakeAfterMillis";
    /** System property: the most carrier threads a group may have (Go: 10,000 Ms). */
    public static final String MAX_CARRIERS_PROPERTY = "gonetpoll.maxCarriers";
    static final long DEFAULT_RETAKE_AFTER_MILLIS = 10;
    static final int DEFAULT_MAX_CARRIERS = 10_000;
    /** System property: how long a spare carrier beyond the kept ones (one per processor) waits for work before it exits. */
    public static final String SPARE_KEEP_ALIVE_MILLIS_PROPERTY = "gonetpoll.spareCarrierKeepAliveMillis";
    static final long DEFAULT_SPARE_KEEP_ALIVE_MILLIS = 60_000;

    private static final int RUNNING = 0;
    private static final int STOPPING = 1;

    private static final MethodHandle CURRENT_CARRIER;
    private static final Constructor<?> VIRTUAL_THREAD_BUILDER;

    static {
        RuntimeRequirements.checkGoroutineSupport();
        try {
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup());
            CURRENT_CARRIER = lookup.findStatic(Thread.class, "currentCarrierThread", MethodType.methodType(Thread.class));
            VIRTUAL_THREAD_BUILDER = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder")
                    .getDeclaredConstructor(Executor.class);
            VIRTUAL_THREAD_BUILDER.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException(RuntimeRequirements.ADD_OPENS_MESSAGE, e);
        }
    }

    final Processor[] processors;
    final GlobalRunQueue global = new GlobalRunQueue();
    final IdleSet idle;
    final SpareCarriers spares;
    final AtomicInteger spinning = new AtomicInteger();
    final Netpoller netpoller;
    final long retakeAfterNanos;
    final long spareKeepAliveNanos;
    private final int maxCarriers;
    private final AtomicLong lastPoll = new AtomicLong(System.nanoTime());
    private final AtomicLong pollUntil = new AtomicLong(TimerHeap.NONE);
    private final Monitor monitor;
    private final ThreadFactory goroutines;
    /** Goroutines whose task ended, waiting for the next {@link #go}: up to 64 per processor, as Go's gFree. */
    private final FreeGoroutines free;
    private final String name;
    /** Carriers started and not yet exited. */
    private final AtomicInteger liveCarriers = new AtomicInteger();
    private final AtomicInteger carrierIds = new AtomicInteger();
    private final CountDownLatch carriersExited = new CountDownLatch(1);
    private final AtomicBoolean carrierCapReported = new AtomicBoolean();
    private final LongAdder handoffs = new LongAdder();
    private final LongAdder goroutinesCreated = new LongAdder();
    private final AtomicInteger ownershipViolations = new AtomicInteger();
    private final AtomicInteger state = new AtomicInteger(RUNNING);
    private final AtomicInteger timerHeapRoundRobin = new AtomicInteger();
    /** Says what a goroutine serves, for the monitor's report (set by the layer above). */
    private volatile Function<Thread, String> goroutineDescriber = t -> null;

    /**
     * Creates and starts one carrier per processor and the monitor, with the retake threshold, the
     * carrier cap and the spares' keep-alive from their system properties.
     *
     * @param name prefix of the thread names
     * @param processorCount how many processors (Go's GOMAXPROCS)
     */
    public Scheduler(String name, int processorCount, Netpoller netpoller) {
        this(name, processorCount, netpoller, millisProperty(RETAKE_AFTER_MILLIS_PROPERTY, DEFAULT_RETAKE_AFTER_MILLIS, 1),
                (int) millisProperty(MAX_CARRIERS_PROPERTY, DEFAULT_MAX_CARRIERS, processorCount + 1),
                TimeUnit.MILLISECONDS.toNanos(millisProperty(SPARE_KEEP_ALIVE_MILLIS_PROPERTY,
                        DEFAULT_SPARE_KEEP_ALIVE_MILLIS, 1)));
    }

    /**
     * @param retakeAfterMillis how long a goroutine may hold a processor that others wait for
     * @param maxCarriers       the most carrier threads (at least processorCount + 1: the poller holds none)
     * @param spareKeepAliveNanos how long a spare carrier beyond the kept ones waits before it exits
     */
    Scheduler(String name, int processorCount, Netpoller netpoller, long retakeAfterMillis, int maxCarriers,
              long spareKeepAliveNanos) {
        super(1); // starts no thread: see "Why a ForkJoinPool"
        if (processorCount < 1) {
            throw new IllegalArgumentException("processorCount must be at least 1: " + processorCount);
        }
        if (maxCarriers <= processorCount) {
            throw new IllegalArgumentException("maxCarriers must exceed the processor count " + processorCount
                    + " (one carrier blocks in the netpoller holding no processor): " + maxCarriers);
        }
        this.netpoller = netpoller;
        this.name = name;
        this.retakeAfterNanos = TimeUnit.MILLISECONDS.toNanos(retakeAfterMillis);
        this.maxCarriers = maxCarriers;
        this.spareKeepAliveNanos = spareKeepAliveNanos;
        this.idle = new IdleSet(processorCount);
        this.spares = new SpareCarriers(processorCount);
        this.processors = new Processor[processorCount];
        for (int i = 0; i < processorCount; i++) {
            processors[i] = new Processor(i);
        }
        this.monitor = new Monitor(this, name + "-sysmon");
        try {
            Thread.Builder.OfVirtual builder = (Thread.Builder.OfVirtual) VIRTUAL_THREAD_BUILDER.newInstance(this);
            this.goroutines = builder.name(name + "-g", 0).factory();
            this.free = new FreeGoroutines(64 * processorCount);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(RuntimeRequirements.ADD_OPENS_MESSAGE, e);
        }
        for (Processor p : processors) {
            Carrier c = newCarrier();
            c.handOff(p, p.acquire(c), false);
        }
        monitor.start();
    }

    /** A whole number of milliseconds (or, for the cap, carriers) from a system property. */
    private static long millisProperty(String property, long defaultValue, long min) {
        String value = System.getProperty(property);
        if (value == null) {
            return defaultValue;
        }
        try {
            long v = Long.parseLong(value.trim());
            if (v >= min && v <= Integer.MAX_VALUE) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("system property " + property + " must be a whole number from " + min
                + " to " + Integer.MAX_VALUE + ", not '" + value + "'");
    }

    /**
     * Runs {@code task} in a goroutine (a virtual thread scheduled by this scheduler): a free one whose
     * previous task ended if one waits ({@link FreeGoroutines}), else a new one. Code that needs to
     * know which goroutine runs it reads {@link Thread#currentThread()} inside the task.
     *
     * @throws RejectedExecutionException if the scheduler has stopped
     */
    public void go(Runnable task) {
        if (state.get() != RUNNING) {
            throw new RejectedExecutionException("the scheduler " + name + " is shut down");
        }
        if (!free.take(task)) {
            goroutines.newThread(new FreeGoroutines.PooledGoroutine(free, task)).start();
            goroutinesCreated.increment();
        }
    }

    /**
     * Runs {@code task} in a goroutine that is taken (from the free list, or created) only when a
     * carrier gets to it in the run queues, not now. Go's newproc queues the new goroutine, which
     * costs little there; here a goroutine is a virtual thread, and a burst of starts (many dormant
     * loops woken by one netpoll) would otherwise take one each at once. Started in turn, a task that
     * ends quickly gives its goroutine back to the free list before the next start takes one.
     *
     * @param cannotStart runs (on a carrier: it must be short and must not block) instead of the task
     *                    if no goroutine can be started then (the scheduler stopped, out of memory)
     * @throws RejectedExecutionException if the scheduler has stopped
     */
    public void goLater(Runnable task, Consumer<Throwable> cannotStart) {
        if (state.get() != RUNNING) {
            throw new RejectedExecutionException("the scheduler " + name + " is shut down");
        }
        execute(new GoroutineStart(task, cannotStart));
    }

    /** A start queued by {@link #goLater}; carriers run it themselves, in scheduler code. */
    final class GoroutineStart implements Runnable {
        private final Runnable task;
        private final Consumer<Throwable> cannotStart;

        GoroutineStart(Runnable task, Consumer<Throwable> cannotStart) {
            this.task = task;
            this.cannotStart = cannotStart;
        }

        @Override
        public void run() {
            try {
                go(task); // the goroutine goes to runnext: it runs next, on this processor
            } catch (Throwable failure) {
                try {
                    cannotStart.accept(failure);
                } catch (Throwable again) {
                    Failures.error(logger, "gonetpoll: a goroutine that could not start could not be given up either", again);
                }
            }
        }
    }

    /**
     * Starts a new goroutine of its own for {@code task}; it ends with the task (never joins the free
     * list), so callers may {@link Thread#join} it.
     */
    public Thread newGoroutine(Runnable task) {
        Thread g = goroutines.newThread(task);
        g.start();
        goroutinesCreated.increment();
        return g;
    }

    /** Goroutines (virtual threads) created so far, as opposed to free ones handed a new task. */
    public long createdGoroutineCount() {
        return goroutinesCreated.sum();
    }

    /** Free goroutines waiting for a task (for tests and diagnostics). */
    public int freeGoroutineCount() {
        return free.waitingCount();
    }

    /**
     * Runs {@code command} on a carrier after {@code delay}: the JDK's wake-up of a goroutine's timed
     * park (see "Why a ForkJoinPool"). The command must be short and must not block.
     */
    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        Timer timer = newTimer(command);
        long now = System.nanoTime();
        long deadline = now + unit.toNanos(delay);
        timer.reset(deadline - now < 0 ? Long.MAX_VALUE : deadline); // saturate on overflow
        return new GoroutineTimeout(timer);
    }

    /** A new, disarmed timer whose action runs on a carrier; see {@link Timer}. */
    public Timer newTimer(Runnable action) {
        return new Timer(this, action);
    }

    public Netpoller netpoller() {
        return netpoller;
    }

    public int processorCount() {
        return processors.length;
    }

    /** Whether the calling thread is a carrier of this scheduler or a goroutine mounted on one. */
    public boolean isOwnThread() {
        return currentCarrier() instanceof SchedulerThread t && t.scheduler == this;
    }

    /**
     * Sets what the monitor's report on a goroutine that held its processor too long says it serves
     * (the layer above knows which loop and channel a goroutine runs); the function returns null when
     * it does not know the goroutine.
     */
    public void describeGoroutinesWith(Function<Thread, String> describer) {
        goroutineDescriber = describer;
    }

    String describe(Thread goroutine) {
        try {
            return goroutineDescriber.apply(goroutine);
        } catch (RuntimeException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Making goroutines runnable

    @Override
    public void execute(Runnable g) {
        Thread current = Thread.currentThread();
        Thread carrierThread = current.isVirtual() ? currentCarrier() : current;
        if (carrierThread instanceof SchedulerThread t && t.scheduler == this) {
            if (t.collecting != null) {
                t.collecting.add(g);
                return;
            }
            if (t instanceof Carrier c && readyOnOwnProcessor(c, g, current.isVirtual())) {
                return;
            }
        }
        if (isStopping() && isTerminated()) {
            throw new RejectedExecutionException("gonetpoll scheduler is terminated");
        }
        global.put(g);
        wakep();
    }

    /**
     * Queues {@code g} on the processor carrier {@code c} owns, if it owns one: in scheduler code
     * (a timer, a netpoll wake-up) directly; while a goroutine runs on it (the goroutine readies
     * another, or the JDK requeues one that just yielded) only after stepping the processor out of
     * IN_GOROUTINE, so the monitor cannot retake it halfway through the ring's single-owner put.
     *
     * @return false if {@code c} owns no processor (any more): the caller queues globally
     */
    private boolean readyOnOwnProcessor(Carrier c, Runnable g, boolean fromGoroutine) {
        Processor p = c.processor;
        if (p == null) {
            return false;
        }
        if (!c.inGoroutine) {
            p.ready(g, true, global);
            wakep();
            return true;
        }
        long running = p.leaveGoroutine(c.owned);
        if (running < 0) {
            c.processor = null; // retaken: the carrier finds out for good when the goroutine leaves
            return false;
        }
        // On the carrier itself while a goroutine is mounted: that goroutine yielded (or re-parked
        // with a permit); it goes behind the others, not into runnext.
        p.ready(g, fromGoroutine, global);
        c.owned = p.enterGoroutine(running);
        wakep();
        return true;
    }

    /**
     * Starts a spinning carrier with an idle processor if there is one and nobody spins (Go's wakep).
     * Cheap when there is nothing to do, so it is called whenever work appears.
     */
    void wakep() {
        if (idle.size() == 0) {
            return;
        }
        if (spinning.get() != 0 || !spinning.compareAndSet(0, 1)) {
            return;
        }
        if (!startIdleProcessor(true)) {
            spinning.decrementAndGet();
        }
    }

    /**
     * Takes an idle processor and runs it on a spare or new carrier (Go's startm with no P given);
     * false if no processor is idle or no carrier can be had.
     */
    private boolean startIdleProcessor(boolean spin) {
        int id = idle.take(ThreadLocalRandom.current().nextInt(processors.length));
        if (id < 0) {
            return false;
        }
        Processor p = processors[id];
        Carrier c = obtainCarrier();
        if (c == null) {
            idle.add(id); // it stays idle; a carrier that frees up takes it (see obtainCarrier)
            return false;
        }
        startCarrier(c, p, p.acquire(c), spin);
        return true;
    }

    /** A spare carrier, or a new (unstarted) one; null while stopping or at {@link #maxCarriers}. */
    private Carrier obtainCarrier() {
        Carrier c = spares.take();
        return c != null ? c : newCarrier();
    }

    private Carrier newCarrier() {
        int n = liveCarriers.incrementAndGet();
        if (n > maxCarriers || isStopping()) {
            carrierGone();
            if (n > maxCarriers && carrierCapReported.compareAndSet(false, true)) {
                Failures.warn(logger, "gonetpoll scheduler " + name + " reached its cap of " + maxCarriers
                        + " carrier threads (system property " + MAX_CARRIERS_PROPERTY + "): from now on a processor"
                        + " whose goroutine pins its carrier is not handed to another carrier while all carriers are"
                        + " busy, so the goroutines queued on it wait. This is reported once.", null);
            }
            return null;
        }
        try {
            return new Carrier(this, name + "-m" + carrierIds.getAndIncrement());
        } catch (Throwable cannotCreate) { // out of memory (its poll buffer is native memory)
            carrierGone();
            Failures.warn(logger, "gonetpoll scheduler " + name + " cannot create another carrier thread", cannotCreate);
            return null;
        }
    }

    /** Hands {@code p}, owned by {@code word}, to {@code c} (Go's startm); a new carrier starts with it. */
    private void startCarrier(Carrier c, Processor p, long word, boolean spin) {
        try {
            c.handOff(p, word, spin);
        } catch (Throwable cannotStart) { // a new carrier's thread cannot start (out of memory, thread limit)
            carrierGone();
            p.releaseToIdle(word);
            idle.add(p.id);
            if (spin) {
                spinning.decrementAndGet();
            }
            Failures.warn(logger, "gonetpoll scheduler " + name + " cannot start another carrier thread", cannotStart);
        }
    }

    /** A carrier obtained but not needed after all: back among the spares, or never started. */
    private void returnCarrier(Carrier c) {
        if (c.getState() == Thread.State.NEW) {
            carrierGone();
        } else {
            spares.park(c);
        }
    }

    /**
     * Go's injectglist: of {@code gs[from..]}, one goroutine per idle processor goes to the global
     * queue and that many idle processors are started; the rest go to {@code p}'s ring (the global
     * queue when {@code p} is null: a carrier without a processor, or the monitor).
     */
    void inject(List<Runnable> gs, int from, Processor p) {
        int n = gs.size() - from;
        if (n <= 0) {
            return;
        }
        int toGlobal = p == null ? n : Math.min(n, idle.size());
        for (int i = 0; i < toGlobal; i++) {
            global.put(gs.get(from + i));
        }
        for (int started = 0; started < toGlobal; started++) {
            if (!startIdleProcessor(false)) {
                break;
            }
        }
        for (int i = from + toGlobal; i < gs.size(); i++) {
            p.ready(gs.get(i), false, global);
        }
        wakep(); // idle processors may have appeared after we counted them
    }

    /**
     * Wakes every waiter a netpoll readied and clears the list. One whose wake-up throws (it must not:
     * a bug, an Error) is reported and the others are still woken: their readiness is already taken
     * from their descriptors, so a waiter skipped here would wait forever.
     */
    void wakeAll(ReadyList ready) {
        try {
            for (int i = 0; i < ready.size(); i++) {
                try {
                    ready.wake(i);
                } catch (Throwable failure) {
                    Failures.error(logger, "gonetpoll: waking a goroutine that the netpoller readied failed", failure);
                }
            }
        } finally {
            ready.clear();
        }
    }

    /** Go's globrunqget: takes a fair share of the global queue, runs one, queues the rest locally. */
    Runnable globalGet(Processor p) {
        int size = global.size();
        if (size == 0 && global.isEmpty()) {
            return null;
        }
        int n = Math.min(size, size / processors.length + 1);
        n = Math.min(n, RunQueue.CAPACITY / 2);
        Runnable g = global.poll();
        if (g == null) {
            return null;
        }
        for (int i = 1; i < n; i++) {
            Runnable next = global.poll();
            if (next == null) {
                break;
            }
            p.ready(next, false, global);
        }
        return g;
    }

    boolean anyLocalWork() {
        for (Processor p : processors) {
            if (!p.runq.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    int busyProcessors() {
        return processors.length - idle.size();
    }

    // ---------------------------------------------------------------------------------------------
    // Handing a processor off (Go's retake, handoffp, entersyscallblock, exitsyscall)

    /**
     * The monitor found {@code p} IN_GOROUTINE (status {@code mounted}) for longer than the threshold
     * while work waits for it: takes it from its carrier and hands it to a spare or new carrier.
     *
     * @return true if the processor changed hands
     */
    boolean retake(Processor p, long mounted) {
        Carrier c = obtainCarrier();
        if (c == null) {
            return false;
        }
        long word = p.retake(mounted, c);
        if (word < 0) {
            returnCarrier(c); // the goroutine let go first
            return false;
        }
        handoffs.increment();
        startCarrier(c, p, word, false);
        return true;
    }

    /**
     * The goroutine running on the calling carrier is about to block (Go's entersyscallblock): its
     * processor goes at once to another carrier if it has work, else to the idle set, and the carrier
     * runs the goroutine on without one.
     *
     * @return whether a processor was given up (the caller then calls {@link #exitBlocking})
     */
    public static boolean enterBlocking() {
        Thread current = Thread.currentThread();
        if (!current.isVirtual() || !(currentCarrier() instanceof Carrier c) || !c.inGoroutine) {
            return false; // not a goroutine of ours: nothing to give up
        }
        Processor p = c.processor;
        if (p == null) {
            return false; // given up already (retaken, or an enclosing blocking region)
        }
        long running = p.leaveGoroutine(c.owned);
        c.processor = null;
        if (running < 0) {
            return true; // retaken meanwhile
        }
        c.scheduler.handOffProcessor(p, running);
        return true;
    }

    /** Go's handoffp: {@code p}, owned by {@code running}, to a carrier if it has work, else to the idle set. */
    private void handOffProcessor(Processor p, long running) {
        long now = System.nanoTime();
        boolean work = p.hasWork(now) || !global.isEmpty()
                || (netpoller.hasWaiters() && !someoneIsPolling()) || isStopping();
        if (work) {
            Carrier c = obtainCarrier();
            if (c != null) {
                handoffs.increment();
                startCarrier(c, p, p.handOver(running, c), false);
                return;
            }
        }
        p.releaseToIdle(running);
        idle.add(p.id);
        if (p.timers.earliest() != TimerHeap.NONE) {
            timerMovedEarlier(p.timers.earliest()); // somebody must still wake for its timers
        }
    }

    /**
     * The goroutine on the calling carrier left a blocking region that gave its processor up (Go's
     * exitsyscall). It may have moved to another carrier meanwhile (it parked and was resumed), which
     * owns a processor: nothing to do then. Otherwise it {@link #regainProcessor regains one}.
     */
    public static void exitBlocking() {
        if (currentCarrier() instanceof Carrier c && c.processor == null && c.inGoroutine) {
            regainProcessor(c);
        }
    }

    /**
     * The goroutine on carrier {@code c}, which owns no processor, wants to run on: it takes an idle
     * processor (Go's exitsyscallfast), or, if none is idle, yields (exitsyscall's slow path): it
     * queues globally, and its carrier looks for a processor or joins the spares once it has left.
     */
    private static void regainProcessor(Carrier c) {
        if (c.acquireIdleProcessor()) {
            c.owned = c.processor.enterGoroutine(c.owned);
            return;
        }
        Thread.yield();
    }

    /**
     * The goroutine running on the calling carrier starts a call that may block, or may not (opening
     * a file, sendfile): Go's entersyscall. The processor stays with the carrier, marked IN_SYSCALL; the
     * monitor hands it to another carrier if the call lasts a monitor period while work waits.
     *
     * @return whether the caller must call {@link #exitSyscall} after the call
     */
    static boolean enterSyscall() {
        if (!Thread.currentThread().isVirtual() || !(currentCarrier() instanceof Carrier c) || !c.inGoroutine) {
            return false;
        }
        Processor p = c.processor;
        if (p == null) {
            return false;
        }
        long inSyscall = p.enterSyscall(c.owned);
        if (inSyscall < 0) {
            c.processor = null; // retaken already: run the call without one, regain one after
            return true;
        }
        c.owned = inSyscall;
        return true;
    }

    /** The call {@link #enterSyscall} announced returned: back to IN_GOROUTINE, or regain a processor if it was retaken. */
    static void exitSyscall() {
        if (!(currentCarrier() instanceof Carrier c)) {
            return;
        }
        Processor p = c.processor;
        if (p != null) {
            if (Processor.stateOf(c.owned) != Processor.IN_SYSCALL) {
                return; // the goroutine moved to this carrier during the call, or left the state early
            }
            long mounted = p.exitSyscall(c.owned);
            if (mounted >= 0) {
                c.owned = mounted;
                return;
            }
            c.processor = null; // retaken during the call
        }
        if (c.inGoroutine) {
            regainProcessor(c);
        }
    }

    /** Runs {@code call} as a system call that may block: see {@link #enterSyscall}. */
    public static <T, E extends Exception> T syscall(BlockingCall<T, E> call) throws E {
        boolean entered = enterSyscall();
        try {
            return call.call();
        } finally {
            if (entered) {
                exitSyscall();
            }
        }
    }

    /** A call that may block, for {@link #syscall}. */
    @FunctionalInterface
    public interface BlockingCall<T, E extends Exception> {
        T call() throws E;
    }

    void ownershipViolation(Processor p, Carrier c) {
        ownershipViolations.incrementAndGet();
        Failures.error(logger, "gonetpoll scheduler " + name + ": " + c.getName() + " runs " + p
                + " owned by " + p.owner, new IllegalStateException("a processor has two owners"));
    }

    // ---------------------------------------------------------------------------------------------
    // The blocking poller and timers

    boolean someoneIsPolling() {
        return lastPoll.get() == POLLING;
    }

    /** Claims the right to block in epoll_wait; at most one carrier holds it. */
    boolean claimPoller() {
        return lastPoll.get() != POLLING && lastPoll.getAndSet(POLLING) != POLLING;
    }

    void publishPollUntil(long deadline) {
        pollUntil.set(deadline);
    }

    void releasePoller(long now) {
        pollUntil.set(TimerHeap.NONE);
        lastPoll.set(now);
    }

    long lastPollTime() {
        return lastPoll.get();
    }

    /** Records a non-blocking poll by the monitor, unless a carrier claimed the poller meanwhile. */
    boolean claimMonitorPoll(long seen, long now) {
        return seen != POLLING && lastPoll.compareAndSet(seen, now);
    }

    /** If the blocking poller sleeps past {@code deadline}, break it so it recomputes (Go's wakeNetPoller). */
    void breakPollerIfLater(long deadline) {
        if (someoneIsPolling() && pollUntil.get() > deadline) {
            netpoller.wakeup();
        }
    }

    /** A timer became the earliest of its heap: make sure somebody wakes for it. */
    void timerMovedEarlier(long deadline) {
        if (someoneIsPolling()) {
            breakPollerIfLater(deadline);
        } else {
            wakep();
        }
    }

    /** The earliest deadline of any processor's timers, {@link TimerHeap#NONE} if there is none. */
    long earliestTimer() {
        long min = TimerHeap.NONE;
        for (Processor p : processors) {
            min = Math.min(min, p.timers.earliest());
        }
        return min;
    }

    /** The heap a new timer joins: the caller's processor if it owns one, else round-robin. */
    TimerHeap timerHeapForCaller() {
        if (currentCarrier() instanceof Carrier c && c.scheduler == this) {
            Processor p = c.processor; // (a stale one is fine: heaps are locked)
            if (p != null) {
                return p.timers;
            }
        }
        int i = Math.floorMod(timerHeapRoundRobin.getAndIncrement(), processors.length);
        return processors[i].timers;
    }

    // ---------------------------------------------------------------------------------------------
    // Diagnostics

    /** Carrier threads alive now: running, blocked in the poller, pinned by a goroutine, or spare. */
    public int carrierCount() {
        return liveCarriers.get();
    }

    /** Carriers waiting among the spares now. */
    public int spareCarrierCount() {
        return spares.size();
    }

    /** How many times a processor was handed to another carrier: retaken by the monitor or given up in a blocking region. */
    public long handoffCount() {
        return handoffs.sum();
    }

    /** How many times a carrier found its processor owned by another (a bug; tests assert zero). */
    int ownershipViolationCount() {
        return ownershipViolations.get();
    }

    // ---------------------------------------------------------------------------------------------
    // Life cycle

    boolean isStopping() {
        return state.get() != RUNNING;
    }

    /**
     * Stops the carriers once their queues are empty. Goroutines still parked then are abandoned;
     * the layer above ends its goroutines before it calls this. A carrier pinned by a goroutine exits
     * when that goroutine lets go of it.
     */
    public void shutdown() {
        if (state.get() == RUNNING) {
            free.stopAll(); // while execute still accepts them: the carriers run them out before stopping
        }
        if (state.compareAndSet(RUNNING, STOPPING)) {
            monitor.interrupt();
        }
        // (again on every call: a carrier may have joined the spares since)
        for (Carrier c : spares.all()) {
            LockSupport.unpark(c);
        }
        netpoller.wakeup();
    }

    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return carriersExited.await(timeout, unit);
    }

    public boolean isTerminated() {
        return carriersExited.getCount() == 0;
    }

    void carrierExited(Carrier c) {
        carrierGone();
        netpoller.wakeup(); // a carrier blocked in epoll_wait may be the last one left
    }

    private void carrierGone() {
        if (liveCarriers.decrementAndGet() == 0 && isStopping()) {
            carriersExited.countDown();
        }
    }

    static Thread currentCarrier() {
        Thread t = Thread.currentThread();
        if (!t.isVirtual()) {
            return t;
        }
        try {
            return (Thread) CURRENT_CARRIER.invokeExact();
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
