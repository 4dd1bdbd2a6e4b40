package dev.gonetpoll.reactor;

import dev.gonetpoll.channel.GoNetpollEventLoopGroup;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.AbstractEventExecutorGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;

import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * A view of a {@link GoNetpollEventLoopGroup} for Reactor's colocation: {@link #next()} called from
 * inside one of the group's loops returns that loop, so a client connection opened by a handler runs in
 * the handler's own goroutine (the proxy pattern, {@code Bootstrap.group(inbound.eventLoop())}); called
 * from anywhere else it returns a loop of its own, as the group does. Everything else is the group's.
 *
 * <p>Reactor's own colocation ({@code LoopResources.colocate}) cannot serve gonetpoll: it records the
 * loops of a thread in a thread-local once, at construction, for the loops alive then; gonetpoll makes
 * a loop per channel, and a goroutine (thread) may serve another loop after its loop went idle. So the
 * caller's loop is found when asked: the loop whose goroutine is the current thread. The last loop
 * found is cached per goroutine and checked with {@code inEventLoop()} before it is used; on a miss the
 * group's live loops are scanned (linear in their number, once per goroutine and loop).
 */
final class ColocatingEventLoopGroup extends AbstractEventExecutorGroup implements EventLoopGroup {

    private final GoNetpollEventLoopGroup group;
    /** The loop this goroutine ran last time it asked; stale once the goroutine serves another loop. */
    private final ThreadLocal<EventLoop> lastLoop = new ThreadLocal<>();

    ColocatingEventLoopGroup(GoNetpollEventLoopGroup group) {
        this.group = group;
    }

    @Override
    public EventLoop next() {
        EventLoop current = currentLoop();
        return current != null ? current : group.next();
    }

    /** The group's loop whose goroutine is the calling thread, or null. */
    private EventLoop currentLoop() {
        Thread self = Thread.currentThread();
        if (!self.isVirtual()) {
            return null; // loops run only on goroutines, which are virtual threads
        }
        EventLoop cached = lastLoop.get();
        if (cached != null && cached.inEventLoop(self)) {
            return cached;
        }
        for (EventExecutor executor : group) {
            if (executor.inEventLoop(self)) {
                EventLoop loop = (EventLoop) executor;
                lastLoop.set(loop);
                return loop;
            }
        }
        if (cached != null) {
            lastLoop.remove();
        }
        return null;
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

    @Override
    public Iterator<EventExecutor> iterator() {
        return group.iterator();
    }

    @Override
    public boolean isShuttingDown() {
        return group.isShuttingDown();
    }

    @Override
    public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
        return group.shutdownGracefully(quietPeriod, timeout, unit);
    }

    @Override
    public Future<?> terminationFuture() {
        return group.terminationFuture();
    }

    @Deprecated
    @Override
    public void shutdown() {
        group.shutdown();
    }

    @Override
    public boolean isShutdown() {
        return group.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return group.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return group.awaitTermination(timeout, unit);
    }

    @Override
    public String toString() {
        return "ColocatingEventLoopGroup{" + group + '}';
    }
}
