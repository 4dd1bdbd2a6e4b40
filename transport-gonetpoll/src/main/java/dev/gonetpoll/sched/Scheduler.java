package dev.gonetpoll.sched;

import dev.gonetpoll.poll.Netpoller;

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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Go's scheduler for virtual threads: N {@link Processor}s with local run queues, one global run
 * queue, work stealing, a shared {@link Netpoller} and a monitor thread. Goroutines are virtual
 * threads whose continuations this class receives through {@link #execute} (the JDK calls it when a
 * goroutine starts or is unparked) and runs on its carriers.
 *
 * <h2>Where a runnable goroutine goes ({@link #execute})</h2>
 * <ul>
 *   <li>from a goroutine or timer on one of our carriers: that processor's runnext (Go's ready);</li>
 *   <li>from a carrier whose goroutine just yielded: the tail of that processor's ring;</li>
 *   <li>during a poller's batch collection: the batch, injected later as a whole ({@link #inject});</li>
 *   <li>from any other thread: the global queue, then {@link #wakep}.</li>
 * </ul>
 *
 * <h2>Shared state and invariants</h2>
 * <ul>
 *   <li>{@link #spinning} counts processors looking for work; {@link #wakep} starts one only when
 *       none spins (CAS 0→1), Go's rule that keeps idle processors from stampeding.</li>
 *   <li>{@link #lastPoll} is {@link #POLLING} while one processor blocks in epoll_wait, otherwise the
 *       time of the last poll. Claiming the poller is a swap to POLLING: only one blocks at a time.
 *       The poller publishes {@link #pollUntil} (its wake time) so an earlier timer can break it.</li>
 *   <li>No carrier ever waits for a lock a goroutine may hold: queues and the idle set are
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

    /** {@link #lastPoll} value while a processor is blocked in the netpoller (Go: lastpoll == 0). */
    static final long POLLING = Long.MIN_VALUE;

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
    final AtomicInteger spinning = new AtomicInteger();
    final Netpoller netpoller;
    private final AtomicLong lastPoll = new AtomicLong(System.nanoTime());
    private final AtomicLong pollUntil = new AtomicLong(TimerHeap.NONE);
    private final Monitor monitor;
    private final ThreadFactory goroutines;
    /** Goroutines whose task ended, waiting for the next {@link #go}: up to 64 per processor, as Go's gFree. */
    private final FreeGoroutines free;
    private final String name;
    private final CountDownLatch carriersExited;
    private final AtomicInteger state = new AtomicInteger(RUNNING);
    private final AtomicInteger timerHeapRoundRobin = new AtomicInteger();

    /**
     * Creates and starts the carriers and the monitor.
     *
     * @param name prefix of the thread names
     * @param processorCount how many processors (Go's GOMAXPROCS)
     */
    public Scheduler(String name, int processorCount, Netpoller netpoller) {
        super(1); // starts no thread: see "Why a ForkJoinPool"
        if (processorCount < 1) {
            throw new IllegalArgumentException("processorCount must be at least 1: " + processorCount);
        }
        this.netpoller = netpoller;
        this.idle = new IdleSet(processorCount);
        this.processors = new Processor[processorCount];
        this.carriersExited = new CountDownLatch(processorCount);
        for (int i = 0; i < processorCount; i++) {
            processors[i] = new Processor(i, this, name + "-p" + i);
        }
        this.monitor = new Monitor(this, name + "-sysmon");
        try {
            Thread.Builder.OfVirtual builder = (Thread.Builder.OfVirtual) VIRTUAL_THREAD_BUILDER.newInstance(this);
            this.goroutines = builder.name(name + "-g", 0).factory();
            this.free = new FreeGoroutines(64 * processorCount);
            this.name = name;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(RuntimeRequirements.ADD_OPENS_MESSAGE, e);
        }
        for (Processor p : processors) {
            p.carrier.start();
        }
        monitor.start();
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
        }
    }

    /**
     * Starts a new goroutine of its own for {@code task}; it ends with the task (never joins the free
     * list), so callers may {@link Thread#join} it.
     */
    public Thread newGoroutine(Runnable task) {
        Thread g = goroutines.newThread(task);
        g.start();
        return g;
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
        return currentCarrier() instanceof Carrier c && c.scheduler == this;
    }

    // ---------------------------------------------------------------------------------------------
    // Making goroutines runnable

    @Override
    public void execute(Runnable g) {
        Thread current = Thread.currentThread();
        Thread carrierThread = current.isVirtual() ? currentCarrier() : current;
        if (carrierThread instanceof Carrier c && c.scheduler == this) {
            if (c.collecting != null) {
                c.collecting.add(g);
                return;
            }
            Processor p = c.processor;
            if (p != null) {
                // On the carrier itself while a goroutine is mounted: that goroutine yielded (or
                // re-parked with a permit); it goes behind the others, not into runnext.
                boolean yielded = !current.isVirtual() && p.inGoroutine;
                p.ready(g, !yielded);
                wakep();
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
     * Starts a spinning processor if there is an idle one and nobody spins (Go's wakep). Cheap
     * when there is nothing to do, so it is called whenever work appears.
     */
    void wakep() {
        if (idle.size() == 0) {
            return;
        }
        if (spinning.get() != 0 || !spinning.compareAndSet(0, 1)) {
            return;
        }
        int id = idle.take(ThreadLocalRandom.current().nextInt(processors.length));
        if (id < 0) {
            spinning.decrementAndGet();
            return;
        }
        processors[id].handOff(Processor.HANDOFF_SPINNING);
    }

    /**
     * Go's injectglist: of {@code gs[from..]}, one goroutine per idle processor goes to the global
     * queue and that many idle processors are started; the rest go to {@code p}'s ring (the global
     * queue when {@code p} is null, i.e. for the monitor).
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
            int id = idle.take(ThreadLocalRandom.current().nextInt(processors.length));
            if (id < 0) {
                break;
            }
            processors[id].handOff(Processor.HANDOFF_PLAIN);
        }
        for (int i = from + toGlobal; i < gs.size(); i++) {
            p.ready(gs.get(i), false);
        }
        wakep(); // idle processors may have appeared after we counted them
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
            p.ready(next, false);
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
    // The blocking poller and timers

    boolean someoneIsPolling() {
        return lastPoll.get() == POLLING;
    }

    /** Claims the right to block in epoll_wait; at most one processor holds it. */
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

    /** Records a non-blocking poll by the monitor, unless a processor claimed the poller meanwhile. */
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

    /** The heap a new timer joins: the caller's processor if it runs on one, else round-robin. */
    TimerHeap timerHeapForCaller() {
        if (currentCarrier() instanceof Carrier c && c.scheduler == this && c.processor != null) {
            return c.processor.timers;
        }
        int i = Math.floorMod(timerHeapRoundRobin.getAndIncrement(), processors.length);
        return processors[i].timers;
    }

    // ---------------------------------------------------------------------------------------------
    // Life cycle

    boolean isStopping() {
        return state.get() != RUNNING;
    }

    /**
     * Stops the carriers once their queues are empty. Goroutines still parked then are abandoned;
     * the layer above ends its goroutines before it calls this.
     */
    public void shutdown() {
        if (state.get() == RUNNING) {
            free.stopAll(); // while execute still accepts them: the carriers run them out before stopping
        }
        if (state.compareAndSet(RUNNING, STOPPING)) {
            for (Processor p : processors) {
                java.util.concurrent.locks.LockSupport.unpark(p.carrier);
            }
            netpoller.wakeup();
            monitor.interrupt();
        }
    }

    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return carriersExited.await(timeout, unit);
    }

    public boolean isTerminated() {
        return carriersExited.getCount() == 0;
    }

    void carrierExited() {
        carriersExited.countDown();
        netpoller.wakeup(); // a carrier blocked in epoll_wait may be the last one left
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
