package dev.gonetpoll.channel;

import dev.gonetpoll.poll.Netpoller;
import dev.gonetpoll.poll.PollWaiter;
import dev.gonetpoll.sched.Failures;
import dev.gonetpoll.sched.Scheduler;
import dev.gonetpoll.sched.Timer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import io.netty.util.internal.ObjectUtil;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.util.Arrays;
import java.util.Queue;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A Netty {@link EventLoop} whose tasks, timers and channel I/O all run inside one goroutine (a
 * virtual thread on the group's {@link Scheduler}), one after another. Netty's rule "everything of a
 * loop runs on one thread, in order" holds with thread = that goroutine, and a handler that blocks
 * parks only this goroutine: the processor runs other loops meanwhile.
 *
 * <h2>The goroutine</h2>
 * A loop has a goroutine only while it has work. Then {@link #gState} is {@code G_RUNNING}; otherwise
 * it is {@code G_IDLE} and the next wake-up ({@link #wakeup}: a task, a due timer, I/O readiness)
 * starts a new goroutine (CAS IDLE→RUNNING, so exactly one starts). The goroutine gives the loop up
 * in two ways:
 * <ul>
 *   <li><em>idle</em>: no channel, task or scheduled task is left. The group may hand the loop out
 *       again ({@link GoNetpollEventLoopGroup#next()}); it no longer counts as live.</li>
 *   <li><em>dormant</em>: its channels wait for I/O and nothing else happened for one to two times
 *       {@link GoNetpollEventLoopGroup#dormantAfterNanos()} (a check armed for that delay finds no
 *       work done since it was armed; see {@link #quietCheckArmed}). The goroutine exits instead of
 *       staying parked, so an idle connection costs no goroutine (no stack chunk, no thread-locals of its own);
 *       its descriptors stay armed with the loop's {@link #ioWaiter}, which starts a new goroutine
 *       when one becomes ready. The loop stays live: group shutdown reaches it. A loop woken after
 *       a whole delay of dormancy (a connection used now and then) goes dormant again at its first
 *       quiet park ({@link #wokeSporadically}): its goroutine goes back to the scheduler's free list
 *       at once, ready for the next such wake-up, so a burst of N sporadic connections costs about as
 *       many goroutines as run at the same moment, not N new ones with cold thread-locals. One woken
 *       sooner is in active use and keeps the whole delay.</li>
 * </ul>
 * Either way the goroutine sets IDLE, then re-checks what may have slipped in (a task, a wake-up that
 * cleared {@link #parked} while it still looked RUNNING, shutdown) and takes the loop back
 * (CAS IDLE→RUNNING) if so; a waker that saw RUNNING relies on that re-check.
 *
 * <h2>Parking</h2>
 * Before parking the goroutine sets {@link #parked}, arms the poll descriptors of the channels that
 * wait for I/O (publishing {@link #ioWaiter} as their waiter) and re-checks the task queue. Every
 * waker calls {@link #wakeup}: it unparks the goroutine if it wins the CAS parked true→false. Wakers
 * are submitters (after they enqueue), the netpoller (through {@link #ioWaiter}, when a descriptor
 * becomes ready or closes) and the loop's {@link Timer} (at the next scheduled task's deadline, or
 * when the dormancy check comes due). Spurious wake-ups are harmless: every pass re-reads all
 * sources.
 *
 * <h2>Life cycle</h2>
 * ACTIVE → SHUTTING_DOWN (keeps running tasks until a quiet period passes or the timeout ends, and
 * closes its channels on every pass, so a channel registered meanwhile is closed too) → SHUTDOWN
 * (rejects tasks) → TERMINATED ({@link #terminationFuture} done). No channel of a terminated loop is
 * open.
 *
 * <h2>No accepted task is lost</h2>
 * {@link #execute} either throws {@link RejectedExecutionException} or its task runs. A submitter
 * counts itself in {@link #submitting} before it reads the state and until its task is queued; the
 * goroutine sets SHUTDOWN, waits until {@code submitting} is zero (a submitter never blocks between
 * its check and its offer), and only then runs the queue empty. With both sides on sequentially
 * consistent atomics, a submitter either sees SHUTDOWN (and rejects) or is seen by the goroutine (and
 * its task is drained). Scheduled tasks left after that drain are cancelled, so their futures complete.
 * A submitter that wins the start of a goroutine after the group terminated does not throw either
 * (its task is queued already): the loop's last pass runs instead ({@link #runLastPass}).
 *
 * <h2>What can fail, and what happens</h2>
 * Nothing that fails may leave the loop RUNNING with nobody to run it, its channels open, or the group
 * waiting for it. Each case, and where it is handled:
 * <ul>
 *   <li><em>A task or scheduled task throws</em> (anything, {@code Error}s included): logged, the loop
 *       goes on ({@link #runSafely}). If the logger throws too, that is swallowed ({@link Failures}).</li>
 *   <li><em>A handler throws</em>: Netty's pipeline catches it and fires {@code exceptionCaught}. If
 *       Netty's own report of it throws (a logger that throws, an {@code Error} in an
 *       {@code exceptionCaught}), the failure escapes into the loop's body: next case.</li>
 *   <li><em>The loop's body throws</em> ({@code OutOfMemoryError}, {@code StackOverflowError}, a class
 *       that failed to initialise, a bug of ours): the loop terminates as a shutdown without quiet
 *       period would, each step attempted even if one before it throws again: execute rejects, the
 *       accepted tasks run, the channels close, scheduled tasks are cancelled, the group is told, the
 *       termination future completes; the failure is logged last ({@link #terminateAfterFailure}).</li>
 *   <li><em>No goroutine can be started</em> (the group terminated, or out of memory): the loop's last
 *       pass runs on a JDK virtual thread, or in the caller if even that fails ({@link #startGoroutine}).</li>
 *   <li><em>A wake-up from the netpoller or a timer throws</em>: the carrier reports it and wakes the
 *       other goroutines of the same poll ({@code Scheduler.wakeAll}, {@code TimerHeap.runDue}); carriers
 *       and the monitor outlive any failure of a round (see {@code Carrier} and {@code Monitor}).</li>
 *   <li><em>A handler pins its carrier</em> (a CPU loop, a native call): the goroutine keeps the
 *       carrier, the monitor hands the processor to another one; the loop itself is unaffected.</li>
 * </ul>
 */
public final class GoNetpollEventLoop extends AbstractScheduledEventExecutor implements EventLoop {

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(GoNetpollEventLoop.class);

    private static final int G_IDLE = 0;
    private static final int G_RUNNING = 1;

    private static final int ST_ACTIVE = 0;
    private static final int ST_SHUTTING_DOWN = 1;
    private static final int ST_SHUTDOWN = 2;
    private static final int ST_TERMINATED = 3;

    /** Tasks run per pass before the loop looks at I/O again. */
    private static final int MAX_TASKS_PER_PASS = 1024;
    /** Passes without parking after which the goroutine yields its processor to others. */
    private static final int BUSY_PASSES_BEFORE_YIELD = 8;
    private static final long SHUTDOWN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final AbstractGoNetpollChannel[] NO_CHANNELS = {};

    private final GoNetpollEventLoopGroup group;
    private final Scheduler scheduler;
    /**
     * Submitted tasks. A linked queue: it costs two small objects while empty, which is what most of
     * a server's loops are (an array-backed MPSC queue keeps a chunk of about 4 KiB per loop).
     */
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** The goroutine's body and what runs instead when it cannot start, allocated once. */
    private final Runnable body = this::run;
    private final Consumer<Throwable> cannotStart = this::cannotStartGoroutine;
    /** The waiter this loop's channels arm their descriptors with: readiness wakes the loop. */
    private final PollWaiter ioWaiter = this::wakeFromCarrier;
    private final AtomicInteger gState = new AtomicInteger(G_IDLE);
    private final AtomicBoolean parked = new AtomicBoolean();
    private final AtomicInteger state = new AtomicInteger(ST_ACTIVE);
    /** Submitters between their state check and their offer (see "No accepted task is lost"). */
    private final AtomicInteger submitting = new AtomicInteger();
    /** Whether this loop waits in the group's pool of idle loops (at most once). */
    final AtomicBoolean pooled = new AtomicBoolean();
    /**
     * Set by the group's {@code next()} when it hands this loop out, cleared when a channel registers
     * with it. Until then the loop is its caller's: if it goes idle meanwhile (a stale task ran on it),
     * it must not go back to the pool and be handed out a second time.
     */
    volatile boolean reserved;
    private final Promise<Void> terminationFuture = new DefaultPromise<>(GlobalEventExecutor.INSTANCE);
    /** The goroutine running this loop now, null while idle. */
    private volatile Thread thread;

    // Goroutine-only state
    private AbstractGoNetpollChannel[] channels = NO_CHANNELS;
    private Timer wakeTimer;
    /** Whether {@link #wakeTimer} is set (it has not fired since), and to when. */
    private boolean wakeArmed;
    private long wakeDeadline;
    /** Set by {@link #wakeTimer}'s action when it fires: the goroutine then reads the clock again. */
    private volatile boolean wakeTimerFired;
    /**
     * The dormancy check: whether one is armed, and when it is due. When it comes due and the loop
     * did no work since it was armed, the loop goes dormant; otherwise it is armed again. So the clock
     * is read once per dormancy delay, not on every park (S1 parks once per request).
     */
    private boolean quietCheckArmed;
    private long quietCheckDeadline;
    private boolean workedSinceQuietCheck;
    /** When the loop last went dormant, 0 if it was not dormant; read by the next goroutine. */
    private long dormantSince;
    /** This goroutine was started after a whole dormancy delay: it goes dormant at its first quiet park. */
    private boolean wokeSporadically;
    private volatile long quietPeriodNanos;
    private volatile long shutdownTimeoutNanos;
    private long shutdownStartNanos;
    /** Whether {@link #terminationFuture()} follows the group's termination already. */
    private final AtomicBoolean terminationWatched = new AtomicBoolean();
    /** Set when the group can no longer run this loop: its shutdown ends on the next pass. */
    private volatile boolean lastPass;
    private long lastTaskNanos;
    private boolean shutdownStarted;

    GoNetpollEventLoop(GoNetpollEventLoopGroup group, Scheduler scheduler) {
        super(group);
        this.group = group;
        this.scheduler = scheduler;
    }

    @Override
    public EventLoopGroup parent() {
        return group;
    }

    @Override
    public EventLoop next() {
        return this;
    }

    Netpoller netpoller() {
        return scheduler.netpoller();
    }

    @Override
    public ChannelFuture register(Channel channel) {
        return register(new DefaultChannelPromise(channel, this));
    }

    @Override
    public ChannelFuture register(ChannelPromise promise) {
        ObjectUtil.checkNotNull(promise, "promise");
        promise.channel().unsafe().register(this, promise);
        return promise;
    }

    @Deprecated
    @Override
    public ChannelFuture register(Channel channel, ChannelPromise promise) {
        ObjectUtil.checkNotNull(channel, "channel");
        ObjectUtil.checkNotNull(promise, "promise");
        channel.unsafe().register(this, promise);
        return promise;
    }

    @Override
    public boolean inEventLoop(Thread t) {
        // thread is null while the loop has no goroutine: no thread (not even null) is the loop then.
        return t != null && t == thread;
    }

    // ---------------------------------------------------------------------------------------------
    // Submitting work

    @Override
    public void execute(Runnable task) {
        ObjectUtil.checkNotNull(task, "task");
        submitting.incrementAndGet();
        try {
            if (isShutdown()) {
                throw new RejectedExecutionException(state.get() >= ST_SHUTDOWN ? "event loop shut down"
                        : "the GoNetpollEventLoopGroup of this event loop is shut down");
            }
            tasks.offer(task);
        } finally {
            submitting.decrementAndGet();
        }
        if (!inEventLoop()) {
            wakeup();
        }
    }

    /**
     * Makes sure the goroutine runs soon: starts one if the loop is idle, else unparks it. Never
     * throws: a submitter calls it after its task was queued, when rejecting is no longer an option.
     */
    private void wakeup() {
        for (;;) {
            if (gState.get() == G_IDLE) {
                if (gState.compareAndSet(G_IDLE, G_RUNNING)) {
                    if (state.get() == ST_TERMINATED) {
                        // A late wake-up (a submitter whose task the final drain ran, or the timer): a
                        // terminated loop never runs again. TERMINATED is set before the last G_IDLE.
                        gState.set(G_IDLE);
                        return;
                    }
                    startGoroutine();
                }
                return; // (a failed CAS: another waker started the goroutine)
            }
            if (!parked.get() || !parked.compareAndSet(true, false)) {
                return; // the goroutine is running: it re-checks every source before it parks
            }
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
            }
            // The goroutine may have gone dormant after we saw RUNNING: it found parked still set
            // and exited. Then nobody runs the loop, and this wake-up must start a goroutine.
            if (gState.get() != G_IDLE) {
                return;
            }
        }
    }

    /** {@link #ioWaiter}: runs on a carrier (or a closer). */
    private void wakeFromCarrier() {
        wakeup();
    }

    /** {@link #wakeTimer}'s action. */
    private void wakeFromTimer() {
        wakeTimerFired = true;
        wakeup();
    }

    /**
     * Runs the loop in a goroutine of the group's scheduler; called by the waker that won the CAS
     * IDLE→RUNNING. If the group has terminated (its scheduler runs nothing any more), the loop's last
     * pass runs instead: see {@link #runLastPass}.
     */
    private void startGoroutine() {
        try {
            if (group.loopStarted(this)) {
                try {
                    // The goroutine is taken when a processor gets to the start (see Scheduler.goLater):
                    // many loops woken at once then share the few goroutines that free up in turn.
                    scheduler.goLater(body, cannotStart);
                    return;
                } catch (Throwable e) {
                    group.loopStopped(this);
                    throw e;
                }
            }
        } catch (Throwable e) {
            noGoroutine(e);
            return;
        }
        runLastPass();
    }

    /**
     * No goroutine could be started for this loop: the group's scheduler stopped, or out of memory. Its
     * work (a queued task, I/O whose readiness was already taken from the descriptor) cannot wait for
     * a wake-up that will not come, so the loop ends cleanly rather than stay RUNNING with nobody to
     * run it: its last pass runs.
     */
    private void noGoroutine(Throwable cause) {
        if (!(cause instanceof RejectedExecutionException)) {
            Failures.error(logger, "gonetpoll: cannot start a goroutine for an event loop; the loop shuts down", cause);
        }
        runLastPass();
    }

    /** {@link Scheduler#goLater}'s fallback: the start was queued, but no goroutine could be had then. */
    private void cannotStartGoroutine(Throwable cause) {
        group.loopStopped(this);
        noGoroutine(cause);
    }

    /**
     * The group terminated while this loop still had (or got) work: a task a submitter queued just
     * before the group's termination, a channel to close, a shutdown request. Such work must neither
     * be lost nor make its waker throw (the submitter's task is queued already: "rejected or run,
     * never both"). So the loop shuts down at once, with no quiet period, in a goroutine that is not
     * the group's: a JDK virtual thread, or the calling thread if none can be started. That pass runs
     * the accepted tasks, closes the channels and terminates the loop, as a normal shutdown does.
     * Called with {@link #gState} RUNNING, owned by the caller.
     */
    private void runLastPass() {
        shutDownNow();
        try {
            Thread.ofVirtual().name("gonetpoll-loop-last-pass").start(this::run);
        } catch (Throwable cannotStart) { // (out of memory, say)
            run();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Channels (goroutine only)

    void addChannel(AbstractGoNetpollChannel ch) {
        assert inEventLoop();
        reserved = false;
        AbstractGoNetpollChannel[] old = channels;
        AbstractGoNetpollChannel[] grown = Arrays.copyOf(old, old.length + 1);
        grown[old.length] = ch;
        channels = grown;
    }

    void removeChannel(AbstractGoNetpollChannel ch) {
        assert inEventLoop();
        AbstractGoNetpollChannel[] old = channels;
        for (int i = 0; i < old.length; i++) {
            if (old[i] == ch) {
                AbstractGoNetpollChannel[] shrunk = new AbstractGoNetpollChannel[old.length - 1];
                System.arraycopy(old, 0, shrunk, 0, i);
                System.arraycopy(old, i + 1, shrunk, i, old.length - i - 1);
                channels = shrunk.length == 0 ? NO_CHANNELS : shrunk;
                return;
            }
        }
    }

    int channelCount() {
        return channels.length;
    }

    /** Whether a goroutine runs (or is parked in) this loop now; false while idle or dormant. */
    boolean hasGoroutine() {
        return gState.get() == G_RUNNING;
    }

    // ---------------------------------------------------------------------------------------------
    // The goroutine's body

    private void run() {
        thread = Thread.currentThread();
        parked.set(false); // may be left set by a goroutine that went dormant
        quietCheckArmed = false; // a new goroutine starts a new quiet period
        long since = dormantSince;
        if (since != 0) {
            dormantSince = 0;
            wokeSporadically = System.nanoTime() - since >= group.dormantAfterNanos();
        }
        int busyPasses = 0;
        try {
            for (;;) {
                boolean worked = runTasks();
                worked |= processIo();
                workedSinceQuietCheck |= worked;
                if (state.get() >= ST_SHUTTING_DOWN) {
                    if (confirmShutdown()) {
                        return;
                    }
                    continue;
                }
                // (Netty's hasScheduledTasks() only counts tasks that are due already.)
                if (channels.length == 0 && tasks.isEmpty() && nextScheduledTaskNano() < 0) {
                    if (goIdle()) {
                        return;
                    }
                    continue;
                }
                if (worked && ++busyPasses >= BUSY_PASSES_BEFORE_YIELD) {
                    busyPasses = 0;
                    Thread.yield(); // busy for a while without parking: let the processor's other goroutines run
                    continue;
                }
                // Straight to the park check after a pass that worked: arming re-reads every source,
                // so a second pass that would find nothing is not needed to know there is nothing.
                int parkResult = parkIfNothingReady();
                if (parkResult == PARK_READY) {
                    continue;
                }
                busyPasses = 0;
                if (parkResult == PARK_QUIET && goDormant()) {
                    return;
                }
            }
        } catch (Throwable failure) {
            terminateAfterFailure(failure);
        }
    }

    /**
     * The loop's body threw: an {@link Error} (OutOfMemoryError, StackOverflowError, a class that
     * failed to initialise, a logger that throws) or a bug of ours; user code cannot get here, since
     * tasks run through {@link #runSafely} and handlers behind Netty's pipeline, which catch what they
     * throw. The loop terminates as a shutdown without quiet period would: execute rejects from now
     * on, the accepted tasks run, the channels close, scheduled tasks are cancelled, the group is
     * told. Each step is attempted even if an earlier one throws again, and the failure is logged
     * last, because logging may be what is broken.
     */
    private void terminateAfterFailure(Throwable failure) {
        state.set(ST_SHUTDOWN);
        Failures.attempt(this::drainAfterShutdown, failure);
        Failures.attempt(this::closeAllChannels, failure); // again, in case the drain failed before it
        Failures.attempt(this::cancelScheduledTasks, failure);
        finishTermination(failure);
        Failures.error(logger, "gonetpoll event loop goroutine failed; the loop is terminated", failure);
    }

    private boolean runTasks() {
        boolean ran = false;
        if (nextScheduledTaskDeadlineNanos() != -1) { // (the clock is read only if there are scheduled tasks)
            long now = ticker().nanoTime();
            Runnable scheduled;
            while ((scheduled = pollScheduledTask(now)) != null) {
                runSafely(scheduled);
                ran = true;
            }
        }
        for (int i = 0; i < MAX_TASKS_PER_PASS; i++) {
            Runnable task = tasks.poll();
            if (task == null) {
                break;
            }
            runSafely(task);
            ran = true;
        }
        if (ran && state.get() >= ST_SHUTTING_DOWN) {
            lastTaskNanos = System.nanoTime(); // only the shutdown's quiet period looks at it
        }
        return ran;
    }

    private boolean processIo() {
        boolean worked = false;
        for (AbstractGoNetpollChannel ch : channels) {
            worked |= ch.processIo();
        }
        return worked;
    }

    /** {@link #parkIfNothingReady} found something ready and did not park. */
    private static final int PARK_READY = 0;
    /** {@link #parkIfNothingReady} parked and was woken. */
    private static final int PARK_WOKEN = 1;
    /** {@link #parkIfNothingReady} found the loop quiet for the dormancy delay and did not park. */
    private static final int PARK_QUIET = 2;

    /**
     * Arms I/O interest, re-checks the sources and parks until something happens, the next
     * scheduled task is due, or the dormancy check comes due.
     *
     * @return {@link #PARK_READY}, {@link #PARK_WOKEN}, or {@link #PARK_QUIET}: then it returns
     *         without parking, with {@link #parked} still set and every descriptor armed, for
     *         {@link #goDormant}
     */
    private int parkIfNothingReady() {
        parked.set(true);
        boolean ready = !tasks.isEmpty();
        for (AbstractGoNetpollChannel ch : channels) {
            ready |= ch.armIo(ioWaiter);
        }
        if (ready) {
            parked.set(false);
            return PARK_READY;
        }
        long delay = nextScheduledTaskNano();
        if (delay == 0) {
            parked.set(false);
            return PARK_READY;
        }
        long dormantAfter = group.dormantAfterNanos();
        if ((dormantAfter == 0 || wokeSporadically) && state.get() == ST_ACTIVE) {
            return PARK_QUIET;
        }
        // The clock is read only when a deadline must be computed: a scheduled task, the wake timer
        // having fired (maybe the dormancy check came due), or no dormancy check armed yet.
        boolean timerFired = wakeTimerFired;
        if (timerFired) {
            wakeTimerFired = false;
            wakeArmed = false;
        }
        if (delay > 0 || timerFired || !quietCheckArmed) {
            long now = System.nanoTime();
            if (!quietCheckArmed || now - quietCheckDeadline >= 0) {
                if (quietCheckArmed && !workedSinceQuietCheck && state.get() == ST_ACTIVE) {
                    return PARK_QUIET;
                }
                quietCheckArmed = true;
                quietCheckDeadline = now + dormantAfter;
                workedSinceQuietCheck = false;
            }
            long deadline = delay > 0 && delay < quietCheckDeadline - now ? now + delay : quietCheckDeadline;
            // One timer reset per dormancy delay, not per park: a deadline armed earlier than needed
            // (the loop worked since) only costs one spurious wake-up, after which it is set again.
            if (!wakeArmed || deadline - wakeDeadline < 0) {
                setWakeTimer(deadline);
            }
        }
        LockSupport.park(this);
        if (parked.get()) { // (a waker cleared it already, unless the wake-up was spurious)
            parked.set(false);
        }
        return PARK_WOKEN;
    }

    /**
     * Ends this goroutine while the loop's channels wait for I/O (see "The goroutine"). Called with
     * {@link #parked} set and every descriptor armed with {@link #ioWaiter}.
     *
     * @return true if the goroutine must exit, false if a wake-up slipped in and it keeps the loop
     */
    private boolean goDormant() {
        long delay = nextScheduledTaskNano();
        if (delay > 0) {
            setWakeTimer(deadlineAfter(delay)); // starts a goroutine when the next scheduled task is due
        } else {
            stopWakeTimer();
        }
        thread = null;
        wokeSporadically = false;
        dormantSince = System.nanoTime(); // (published to the next goroutine by the G_IDLE store)
        gState.set(G_IDLE);
        // A waker that came before G_IDLE saw RUNNING and only cleared parked (its unpark reaches
        // this exiting goroutine): take the loop back. One that comes later starts a new goroutine.
        if ((!parked.get() || !tasks.isEmpty() || state.get() >= ST_SHUTTING_DOWN)
                && gState.compareAndSet(G_IDLE, G_RUNNING)) {
            thread = Thread.currentThread();
            parked.set(false);
            quietCheckArmed = false;
            dormantSince = 0; // in use after all: the whole delay again
            return false;
        }
        return true;
    }

    /**
     * {@link System#nanoTime} plus {@code delayNanos} (> 0), saturated at Long.MAX_VALUE. Netty's
     * deadlines go up to Long.MAX_VALUE ({@code schedule(task, Long.MAX_VALUE, MILLISECONDS)}); a sum
     * that wrapped would lie in the past, and the timer would wake the goroutine again and again.
     */
    private static long deadlineAfter(long delayNanos) {
        long now = System.nanoTime();
        long deadline = now + delayNanos;
        return deadline < now ? Long.MAX_VALUE : deadline;
    }

    private void setWakeTimer(long deadline) {
        Timer t = wakeTimer;
        if (t == null) {
            t = wakeTimer = scheduler.newTimer(this::wakeFromTimer);
        }
        wakeArmed = true;
        wakeDeadline = deadline;
        t.reset(deadline);
    }

    private void stopWakeTimer() {
        if (wakeTimer != null) {
            wakeTimer.stop();
        }
        wakeArmed = false;
    }

    /** Gives the goroutine up; true if it must exit, false if work slipped in and it keeps the loop. */
    private boolean goIdle() {
        stopWakeTimer();
        // Offered for reuse while this goroutine still owns the loop: only the owner registers
        // channels (which ends a reservation), so the reservation the group reads is current. If
        // next() hands the loop out before G_IDLE below, the new caller's task is found by the
        // re-check below, as any task that slips in.
        group.loopIdle(this);
        thread = null;
        group.loopStopped(this);
        gState.set(G_IDLE);
        if (!tasks.isEmpty() || state.get() >= ST_SHUTTING_DOWN) {
            if (gState.compareAndSet(G_IDLE, G_RUNNING)) {
                thread = Thread.currentThread();
                if (!group.loopStarted(this)) {
                    // The group terminated meanwhile: this goroutine runs the loop's last pass.
                    shutDownNow();
                }
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------------
    // Shutdown

    @Override
    public boolean isShuttingDown() {
        // A loop the group's shutdown did not reach (it had no goroutine) shuts down when it starts.
        return state.get() >= ST_SHUTTING_DOWN || group.isShuttingDown();
    }

    /** True once this loop rejects tasks: it shut down, or its group can run no goroutine any more. */
    @Override
    public boolean isShutdown() {
        return state.get() >= ST_SHUTDOWN || group.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return state.get() == ST_TERMINATED || group.isTerminated() && terminateIfIdle();
    }

    /**
     * Completes when the loop has terminated. A loop the group's termination did not reach (one
     * handed out by {@code next()} that has no goroutine and waits in no pool) terminates when its
     * group does, through a listener added here on first request.
     */
    @Override
    public Future<?> terminationFuture() {
        if (!terminationFuture.isDone() && terminationWatched.compareAndSet(false, true)) {
            group.terminationFuture().addListener(f -> terminateIfIdle());
        }
        return terminationFuture;
    }

    @Override
    public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
        GoNetpollEventLoopGroup.checkShutdownArguments(quietPeriod, timeout, unit);
        if (state.compareAndSet(ST_ACTIVE, ST_SHUTTING_DOWN)) {
            quietPeriodNanos = unit.toNanos(quietPeriod);
            shutdownTimeoutNanos = unit.toNanos(timeout);
            wakeup();
        }
        return terminationFuture();
    }

    @Deprecated
    @Override
    public void shutdown() {
        shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return terminationFuture.await(timeout, unit);
    }

    /** Called in the goroutine while shutting down; true once the loop has terminated. */
    private boolean confirmShutdown() {
        if (!shutdownStarted) {
            shutdownStarted = true;
            shutdownStartNanos = System.nanoTime();
            lastTaskNanos = shutdownStartNanos;
        }
        if (channels.length > 0) {
            closeAllChannels(); // every pass: tasks of the quiet period may register channels
        }
        cancelScheduledTasks();
        boolean ran = runTasks();
        long now = System.nanoTime();
        boolean quiet = !ran && now - lastTaskNanos >= quietPeriodNanos;
        boolean timedOut = lastPass || now - shutdownStartNanos >= shutdownTimeoutNanos;
        if (state.get() >= ST_SHUTDOWN || quiet || timedOut || quietPeriodNanos == 0 && !ran) {
            state.set(ST_SHUTDOWN);
            drainAfterShutdown();
            finishTermination();
            return true;
        }
        // Wait for the quiet period to pass, but wake for new tasks at once.
        long wait = Math.min(SHUTDOWN_POLL_NANOS, quietPeriodNanos - (now - lastTaskNanos));
        parked.set(true);
        if (tasks.isEmpty() && wait > 0) {
            setWakeTimer(now + wait);
            LockSupport.park(this);
        }
        parked.set(false);
        return false;
    }

    /**
     * Runs every task accepted before SHUTDOWN: first waits for submitters that passed their state
     * check before it (they are about to offer, never blocked), then empties the queue. Tasks it runs
     * cannot add more (execute rejects now), but a scheduled task submitted from outside adds itself
     * to the scheduled queue when it runs, and a registration task adds a channel: those are cancelled
     * and closed last. (Such a late channel's close events cannot be queued any more; Netty logs that.
     * Its descriptor is closed all the same.)
     */
    private void drainAfterShutdown() {
        while (submitting.get() != 0) {
            Thread.yield();
        }
        Runnable task;
        while ((task = tasks.poll()) != null) {
            runSafely(task);
        }
        if (channels.length > 0) {
            closeAllChannels();
        }
        cancelScheduledTasks();
    }

    /**
     * Runs a task; what it throws is logged and goes no further (Netty's {@code safeExecute}, but a
     * logger that throws cannot take the loop down either: see {@link Failures}).
     */
    private static void runSafely(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            Failures.warn(logger, "A task raised an exception. Task: " + taskName(task), t);
        }
    }

    private static String taskName(Runnable task) {
        try {
            return String.valueOf(task);
        } catch (Throwable t) { // a task's toString is user code too
            return task.getClass().getName();
        }
    }

    private void closeAllChannels() {
        for (AbstractGoNetpollChannel ch : channels) {
            ch.unsafe().close(ch.unsafe().voidPromise());
        }
        processIo();
    }

    private void finishTermination() {
        finishTermination(null);
    }

    /**
     * The goroutine's last steps. After a failure ({@code failure} not null) each step is attempted
     * whatever the one before it threw, so the loop never stays "running" with nobody to run it.
     */
    private void finishTermination(Throwable failure) {
        state.set(ST_TERMINATED);
        Throwable collector = failure != null ? failure : new Throwable();
        Failures.attempt(this::stopWakeTimer, collector);
        thread = null;
        Failures.attempt(() -> group.loopStopped(this), collector);
        gState.set(G_IDLE);
        Failures.attempt(() -> terminationFuture.trySuccess(null), collector);
        if (failure == null && collector.getSuppressed().length > 0) {
            Failures.error(logger, "gonetpoll event loop: terminating failed in part", collector);
        }
    }

    /**
     * Makes the goroutine's next pass its last: a shutdown with neither quiet period nor timeout.
     * Called by whoever owns the loop ({@link #gState} RUNNING) when the group can no longer run it.
     */
    private void shutDownNow() {
        lastPass = true;
        state.compareAndSet(ST_ACTIVE, ST_SHUTTING_DOWN);
    }

    /**
     * Called once the group terminated, for a loop its shutdown did not reach (one in its pool of idle
     * loops, or one handed out that has no goroutine): if no goroutine runs the loop, its last pass
     * runs now, in the caller's thread; otherwise that goroutine terminates it (startGoroutine's last
     * pass). The last pass of a loop with no goroutine is short: it has no channel, and nothing can
     * be queued any more (execute rejects).
     *
     * @return whether the loop is terminated now
     */
    boolean terminateIfIdle() {
        if (state.get() != ST_TERMINATED && gState.compareAndSet(G_IDLE, G_RUNNING)) {
            if (state.get() == ST_TERMINATED) {
                gState.set(G_IDLE);
            } else {
                shutDownNow();
                run();
            }
        }
        return state.get() == ST_TERMINATED;
    }

    /** What this loop serves, for the runtime's reports: its channels. */
    String describe() {
        AbstractGoNetpollChannel[] serving = channels; // (read from another thread: a snapshot)
        if (serving.length == 0) {
            return "event loop with no channel";
        }
        StringJoiner joined = new StringJoiner(", ", "event loop of ", "");
        for (AbstractGoNetpollChannel ch : serving) {
            joined.add(ch.toString());
        }
        return joined.toString();
    }

    @Override
    public String toString() {
        return "GoNetpollEventLoop@" + Integer.toHexString(System.identityHashCode(this))
                + "[channels=" + channels.length + ", goroutine=" + thread + "]";
    }
}
