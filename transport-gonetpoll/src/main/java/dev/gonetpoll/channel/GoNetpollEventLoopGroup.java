package dev.gonetpoll.channel;

import dev.gonetpoll.poll.Netpoller;
import dev.gonetpoll.sched.RuntimeRequirements;
import dev.gonetpoll.sched.Scheduler;
import dev.gonetpoll.sys.NativeAccess;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.NettyRuntime;
import io.netty.util.concurrent.AbstractEventExecutorGroup;
import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import io.netty.util.internal.ObjectUtil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gonetpoll {@link EventLoopGroup}: a Go-style runtime (processors, run queues, work stealing,
 * one shared epoll netpoller) on which every registered channel gets its own {@link GoNetpollEventLoop},
 * that is its own goroutine, so handlers may block. Swap it into a bootstrap together with
 * {@link GoNetpollServerSocketChannel} / {@link GoNetpollSocketChannel}.
 *
 * <h2>Loops and shutdown</h2>
 * {@link #next()} returns a loop of its own to each caller (goroutine per connection): a loop from
 * {@link #idleLoops}, whose goroutine ended for want of work (no channel, task or timer), or a new
 * one. Reusing idle loops keeps the number of loop objects, and whatever others keep per executor
 * (Netty's address resolvers, for one), bounded by the peak number of loops in use. A loop handed
 * out is reserved for its caller until a channel registers with it: a reserved loop that goes idle
 * (a stale task ran on it before the caller's registration) does not go back to the pool, so no
 * loop is handed out twice. One that never gets a channel is never reused; it is garbage once idle. A loop costs a
 * goroutine only while it has work; the group tracks those loops and the dormant ones (channels
 * waiting for I/O, goroutine exited; see {@link GoNetpollEventLoop}) in {@link #liveLoops}. Shutting the
 * group down sets {@link #state}, then shuts down every live loop; a loop that starts later sees the
 * state in {@link #loopStarted} and shuts itself down. When the last live loop has stopped, the
 * scheduler's carriers stop and the netpoller closes, and {@link #terminationFuture()} completes.
 */
public final class GoNetpollEventLoopGroup extends AbstractEventExecutorGroup implements EventLoopGroup {

    private static final int ST_ACTIVE = 0;
    private static final int ST_SHUTTING_DOWN = 1;
    private static final int ST_TERMINATING = 2;
    private static final int ST_TERMINATED = 3;

    private static final AtomicInteger GROUP_IDS = new AtomicInteger();

    /** System property: milliseconds a loop waits for I/O with nothing else to do before its goroutine exits. */
    public static final String DORMANT_AFTER_MILLIS_PROPERTY = "gonetpoll.dormantAfterMillis";
    private static final long DEFAULT_DORMANT_AFTER_MILLIS = 1000;

    private final Netpoller netpoller;
    private final Scheduler scheduler;
    private final Set<GoNetpollEventLoop> liveLoops = ConcurrentHashMap.newKeySet();
    private final Queue<GoNetpollEventLoop> idleLoops = new ConcurrentLinkedQueue<>();
    private final AtomicInteger state = new AtomicInteger(ST_ACTIVE);
    private final AtomicBoolean shutdownRequested = new AtomicBoolean();
    private final Promise<Void> terminationFuture = new DefaultPromise<>(GlobalEventExecutor.INSTANCE);
    private volatile long quietPeriodNanos;
    private volatile long timeoutNanos;
    private final long dormantAfterNanos;

    /** A group with one processor per available CPU. */
    public GoNetpollEventLoopGroup() {
        this(0);
    }

    /**
     * @param processors the number of processors (carrier threads), Go's GOMAXPROCS; 0 means one per
     *                   available CPU
     * @throws IllegalStateException if a required JVM flag is missing (the message names it)
     */
    public GoNetpollEventLoopGroup(int processors) {
        this(processors, TimeUnit.MILLISECONDS.toNanos(dormantAfterMillisProperty()));
    }

    /** For tests: a group whose loops go dormant after {@code dormantAfterNanos} of waiting for I/O. */
    GoNetpollEventLoopGroup(int processors, long dormantAfterNanos) {
        ObjectUtil.checkPositiveOrZero(processors, "processors");
        ObjectUtil.checkPositiveOrZero(dormantAfterNanos, "dormantAfterNanos");
        this.dormantAfterNanos = dormantAfterNanos;
        RuntimeRequirements.checkGoroutineSupport();
        NativeAccess.check();
        int n = processors == 0 ? NettyRuntime.availableProcessors() : processors;
        try {
            this.netpoller = new Netpoller();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the gonetpoll netpoller", e);
        }
        this.scheduler = new Scheduler("gonetpoll-" + GROUP_IDS.incrementAndGet(), n, netpoller);
        scheduler.describeGoroutinesWith(this::describeGoroutine);
    }

    /** What a goroutine serves, for the runtime's reports: its loop's channels; null if it runs no live loop. */
    private String describeGoroutine(Thread goroutine) {
        for (GoNetpollEventLoop loop : liveLoops) {
            if (loop.inEventLoop(goroutine)) {
                return loop.describe();
            }
        }
        return null;
    }

    private static long dormantAfterMillisProperty() {
        String value = System.getProperty(DORMANT_AFTER_MILLIS_PROPERTY);
        if (value == null) {
            return DEFAULT_DORMANT_AFTER_MILLIS;
        }
        try {
            long millis = Long.parseLong(value.trim());
            if (millis >= 0) {
                return millis;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("system property " + DORMANT_AFTER_MILLIS_PROPERTY
                + " must be a number of milliseconds >= 0, not '" + value + "'");
    }

    /**
     * How long a loop whose channels wait for I/O, with no task and no due timer, keeps its goroutine
     * parked before the goroutine exits (the loop goes dormant; readiness starts a new goroutine):
     * after one to two times this delay of quiet, since the loop checks for quiet once per delay.
     * Set with the system property {@value #DORMANT_AFTER_MILLIS_PROPERTY} (default 1000 ms).
     */
    long dormantAfterNanos() {
        return dormantAfterNanos;
    }

    /** The number of processors. */
    public int processorCount() {
        return scheduler.processorCount();
    }

    /** Loops that currently have a goroutine, or channels whose goroutine went dormant (for diagnostics and tests). */
    public int liveLoopCount() {
        return liveLoops.size();
    }

    /**
     * Carrier threads alive now (for diagnostics and tests): those running goroutines on the
     * processors, at most one blocked in epoll_wait, spares, and any that a goroutine pins after its
     * processor was handed to another carrier.
     */
    public int carrierCount() {
        return scheduler.carrierCount();
    }

    /**
     * How many times so far a processor was handed to another carrier thread because a goroutine held
     * it while pinning its carrier (a CPU-bound handler, a native call, blocking file I/O) or entered
     * a {@link GoNetpoll#blocking} region (for diagnostics and tests).
     */
    public long handoffCount() {
        return scheduler.handoffCount();
    }

    /** Goroutines (virtual threads) the group's scheduler created so far (for tests). */
    long createdGoroutineCount() {
        return scheduler.createdGoroutineCount();
    }

    /** Descriptors registered with the shared epoll instance (for diagnostics and tests). */
    public int registeredFdCount() {
        return netpoller.registeredCount();
    }

    // ---------------------------------------------------------------------------------------------
    // Loops

    /** A loop with no channel: each channel registered through the group gets its own goroutine. */
    @Override
    public EventLoop next() {
        GoNetpollEventLoop loop;
        while ((loop = idleLoops.poll()) != null) {
            loop.reserved = true; // before pooled goes false: see loopIdle
            loop.pooled.set(false);
            if (!loop.isShuttingDown()) {
                return loop;
            }
        }
        GoNetpollEventLoop fresh = new GoNetpollEventLoop(this, scheduler);
        fresh.reserved = true;
        return fresh;
    }

    @Override
    public ChannelFuture register(Channel channel) {
        return next().register(channel);
    }

    @Override
    public ChannelFuture register(ChannelPromise promise) {
        return next().register(promise);
    }

    @Deprecated
    @Override
    public ChannelFuture register(Channel channel, ChannelPromise promise) {
        return next().register(channel, promise);
    }

    /** A snapshot of the loops that currently have a goroutine. */
    @Override
    public Iterator<EventExecutor> iterator() {
        List<EventExecutor> snapshot = new ArrayList<>(liveLoops);
        return snapshot.iterator();
    }

    /** A loop got a goroutine; false if the group is terminated and the loop must not run. */
    boolean loopStarted(GoNetpollEventLoop loop) {
        liveLoops.add(loop);
        int s = state.get();
        if (s >= ST_TERMINATING) {
            liveLoops.remove(loop);
            return false;
        }
        if (s == ST_SHUTTING_DOWN) {
            loop.shutdownGracefully(quietPeriodNanos, timeoutNanos, TimeUnit.NANOSECONDS);
        }
        return true;
    }

    /**
     * A loop's goroutine is about to end for want of work (called by that goroutine):
     * {@link #next()} may hand the loop out again, unless it is reserved for a caller of next().
     * The CAS comes before the read of {@code reserved}: a CAS that saw next()'s {@code pooled = false}
     * also sees the {@code reserved = true} next() wrote before it.
     */
    void loopIdle(GoNetpollEventLoop loop) {
        if (state.get() != ST_ACTIVE || loop.isShuttingDown() || !loop.pooled.compareAndSet(false, true)) {
            return;
        }
        if (loop.reserved) {
            loop.pooled.set(false);
            return;
        }
        idleLoops.offer(loop);
    }

    /** A loop's goroutine ended (idle or terminated). */
    void loopStopped(GoNetpollEventLoop loop) {
        liveLoops.remove(loop);
        if (state.get() == ST_SHUTTING_DOWN && liveLoops.isEmpty()) {
            terminate();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Shutdown

    @Override
    public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
        checkShutdownArguments(quietPeriod, timeout, unit);
        // Only the first request counts (as in Netty): its values are set before the state change,
        // which publishes them to the loops that start later.
        if (shutdownRequested.compareAndSet(false, true)) {
            quietPeriodNanos = unit.toNanos(quietPeriod);
            timeoutNanos = unit.toNanos(timeout);
            state.set(ST_SHUTTING_DOWN);
            for (GoNetpollEventLoop loop : liveLoops) {
                loop.shutdownGracefully(quietPeriod, timeout, unit);
            }
            if (liveLoops.isEmpty()) {
                terminate();
            }
        }
        return terminationFuture;
    }

    /** Netty's rules for shutdownGracefully's arguments, shared by the group and its loops. */
    static void checkShutdownArguments(long quietPeriod, long timeout, TimeUnit unit) {
        ObjectUtil.checkPositiveOrZero(quietPeriod, "quietPeriod");
        if (timeout < quietPeriod) {
            throw new IllegalArgumentException(
                    "timeout: " + timeout + " (expected >= quietPeriod (" + quietPeriod + "))");
        }
        ObjectUtil.checkNotNull(unit, "unit");
    }

    /** Stops the runtime once no loop is live; runs at most once, off the carriers. */
    private void terminate() {
        if (!state.compareAndSet(ST_SHUTTING_DOWN, ST_TERMINATING)) {
            return;
        }
        Runnable terminator = () -> {
            try {
                // A loop may have started between the last stop and our state change: let it finish.
                while (!liveLoops.isEmpty()) {
                    for (GoNetpollEventLoop loop : liveLoops) {
                        loop.shutdownGracefully(quietPeriodNanos, timeoutNanos, TimeUnit.NANOSECONDS);
                    }
                    Thread.sleep(10);
                }
                scheduler.shutdown();
                while (!scheduler.awaitTermination(1, TimeUnit.SECONDS)) {
                    scheduler.shutdown(); // wakes carriers again if one was busy
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            netpoller.close();
            GoNetpollEventLoop idle;
            while ((idle = idleLoops.poll()) != null) {
                idle.terminateIfIdle();
            }
            state.set(ST_TERMINATED);
            terminationFuture.trySuccess(null);
        };
        // Off the caller's thread (often a loop's goroutine, whose carrier must be able to stop).
        try {
            Thread.ofPlatform().name("gonetpoll-terminator").daemon(true).start(terminator);
        } catch (Throwable cannotStart) { // (out of memory, or the process's thread limit)
            Thread.ofVirtual().name("gonetpoll-terminator").start(terminator);
        }
    }

    @Override
    public boolean isShuttingDown() {
        return state.get() >= ST_SHUTTING_DOWN;
    }

    @Override
    public boolean isShutdown() {
        return state.get() >= ST_TERMINATING;
    }

    @Override
    public boolean isTerminated() {
        return state.get() == ST_TERMINATED;
    }

    @Override
    public Future<?> terminationFuture() {
        return terminationFuture;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return terminationFuture.await(timeout, unit);
    }

    @Deprecated
    @Override
    public void shutdown() {
        shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }
}
