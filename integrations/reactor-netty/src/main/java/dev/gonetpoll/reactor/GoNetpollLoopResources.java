package dev.gonetpoll.reactor;

import dev.gonetpoll.channel.GoNetpollDatagramChannel;
import dev.gonetpoll.channel.GoNetpollDomainSocketChannel;
import dev.gonetpoll.channel.GoNetpollEventLoopGroup;
import dev.gonetpoll.channel.GoNetpollServerDomainSocketChannel;
import dev.gonetpoll.channel.GoNetpollServerSocketChannel;
import dev.gonetpoll.channel.GoNetpollSocketChannel;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.unix.DomainSocketChannel;
import io.netty.channel.unix.ServerDomainSocketChannel;
import reactor.core.publisher.Mono;
import reactor.netty.resources.LoopResources;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Reactor Netty {@link LoopResources} on gonetpoll: one line puts {@code HttpServer}, {@code HttpClient},
 * {@code TcpServer}, {@code TcpClient} and {@code UdpServer} on a {@link GoNetpollEventLoopGroup}:
 * <pre>{@code
 * LoopResources loops = GoNetpollLoopResources.create("http");
 * HttpServer.create().runOn(loops)...
 * }</pre>
 *
 * <h2>What it provides</h2>
 * One {@link GoNetpollEventLoopGroup}, created on first use, serves all three roles Reactor asks for
 * ({@link #onServerSelect} for server channels, {@link #onServer} for accepted ones, {@link #onClient}):
 * gonetpoll gives every channel its own loop, so there is nothing to gain from separate selector and
 * worker groups. {@link #onChannel} and {@link #onChannelClass} name gonetpoll's channel classes for
 * Reactor's abstract types (Reactor's own native detection knows only epoll, io_uring, kqueue and NIO);
 * for a group that is not gonetpoll's they fall back to Reactor's detection. {@code useNative} is
 * ignored: gonetpoll is the transport either way.
 *
 * <h2>Where it differs from {@code LoopResources.create}</h2>
 * <ul>
 *   <li><b>Threads.</b> Reactor's {@code workerCount} is a number of event-loop threads; here
 *       {@code processors} is the number of gonetpoll processors (Go's GOMAXPROCS), which run any
 *       number of loops, one goroutine each. The {@code name} is for {@link #toString()}: gonetpoll
 *       names its threads itself and takes no thread factory.</li>
 *   <li><b>Blocking.</b> Reactor's loop threads are {@code NonBlocking}, so {@code Mono.block()} there
 *       throws. gonetpoll's goroutines are not: a handler may block (JDBC, {@code block()}), which
 *       parks only its own connection's goroutine.</li>
 *   <li><b>Colocation</b> is off by default (Reactor's is on). With it on, a client connection opened
 *       from inside a loop joins that loop's goroutine. On gonetpoll that ties a pooled client
 *       connection to the one server connection that happened to open it: when that connection's
 *       handler blocks, every later request that picks the pooled connection waits too, and the
 *       goroutine switch colocation saves is cheap. See {@link #create(String, int, boolean)}.</li>
 *   <li><b>Daemon.</b> Loops run on virtual threads, which never keep the JVM alive, but gonetpoll's
 *       carrier threads are not configurable: {@link #daemon()} is false, and the resources must be
 *       disposed ({@link #dispose()}, {@link #disposeLater()}; Spring's {@code ReactorResourceFactory}
 *       does it on shutdown).</li>
 * </ul>
 *
 * <h2>Life cycle</h2>
 * ACTIVE (the group is created by the first {@code on*} call) → DISPOSED (by the subscription to a
 * {@link #disposeLater} Mono: the group shuts down gracefully and the Mono completes when it has
 * terminated). After that the {@code on*} methods throw {@link IllegalStateException}.
 */
public final class GoNetpollLoopResources implements LoopResources {

    /**
     * How long {@link #disposeLater} waits beyond its timeout: after its last loop has stopped, the group
     * still stops its carrier threads and closes its epoll instance.
     */
    static final Duration TERMINATION_GRACE = Duration.ofSeconds(5);

    private final String name;
    private final int processors;
    private final boolean colocate;
    private final AtomicReference<GoNetpollEventLoopGroup> group = new AtomicReference<>();
    private final AtomicReference<EventLoopGroup> clientGroup = new AtomicReference<>();
    private final AtomicBoolean disposed = new AtomicBoolean();

    private GoNetpollLoopResources(String name, int processors, boolean colocate) {
        this.name = name;
        this.processors = processors;
        this.colocate = colocate;
    }

    /** Resources with one processor per available CPU, colocation off. */
    public static GoNetpollLoopResources create(String name) {
        return create(name, 0, false);
    }

    /**
     * @param processors the number of gonetpoll processors; 0 means one per available CPU
     */
    public static GoNetpollLoopResources create(String name, int processors) {
        return create(name, processors, false);
    }

    /**
     * @param processors the number of gonetpoll processors; 0 means one per available CPU
     * @param colocate   whether {@link #onClient} puts a connection opened from inside a gonetpoll loop
     *                   on that same loop (Reactor's colocation), instead of a loop of its own
     * @throws IllegalArgumentException for an empty name or a negative number of processors
     */
    public static GoNetpollLoopResources create(String name, int processors, boolean colocate) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("name must not be empty");
        }
        if (processors < 0) {
            throw new IllegalArgumentException("processors must be >= 0 (0: one per available CPU), not " + processors);
        }
        return new GoNetpollLoopResources(name, processors, colocate);
    }

    /**
     * The group behind these resources, created on first use: for diagnostics
     * ({@link GoNetpollEventLoopGroup#liveLoopCount()}) or to run plain Netty bootstraps on it too.
     *
     * @throws IllegalStateException once disposed
     */
    public GoNetpollEventLoopGroup eventLoopGroup() {
        GoNetpollEventLoopGroup g = group.get();
        if (g == null) {
            checkNotDisposed();
            GoNetpollEventLoopGroup created = new GoNetpollEventLoopGroup(processors);
            if (group.compareAndSet(null, created)) {
                g = created;
                // A dispose that ran between our check and the CAS saw no group: shut ours down too
                // (unless a later dispose already did, with its own quiet period).
                if (disposed.get()) {
                    if (!created.isShuttingDown()) {
                        created.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
                    }
                    checkNotDisposed();
                }
            } else {
                created.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
                g = group.get();
            }
        }
        checkNotDisposed();
        return g;
    }

    private void checkNotDisposed() {
        if (disposed.get()) {
            throw new IllegalStateException(this + " is disposed");
        }
    }

    @Override
    public EventLoopGroup onServer(boolean useNative) {
        return eventLoopGroup();
    }

    @Override
    public EventLoopGroup onServerSelect(boolean useNative) {
        return eventLoopGroup();
    }

    @Override
    public EventLoopGroup onClient(boolean useNative) {
        GoNetpollEventLoopGroup g = eventLoopGroup();
        if (!colocate) {
            return g;
        }
        EventLoopGroup c = clientGroup.get();
        if (c == null) {
            clientGroup.compareAndSet(null, new ColocatingEventLoopGroup(g));
            c = clientGroup.get();
        }
        return c;
    }

    /** Whether {@code group} is this transport's: ours, or ours behind colocation. */
    private static boolean isGoNetpoll(EventLoopGroup group) {
        return group instanceof GoNetpollEventLoopGroup || group instanceof ColocatingEventLoopGroup;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <CHANNEL extends Channel> CHANNEL onChannel(Class<CHANNEL> channelType, EventLoopGroup group) {
        if (!isGoNetpoll(group)) {
            return LoopResources.super.onChannel(channelType, group);
        }
        return (CHANNEL) channelFactory(channelType).get();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <CHANNEL extends Channel> Class<? extends CHANNEL> onChannelClass(Class<CHANNEL> channelType,
                                                                            EventLoopGroup group) {
        if (!isGoNetpoll(group)) {
            return LoopResources.super.onChannelClass(channelType, group);
        }
        return (Class<? extends CHANNEL>) channelClass(channelType);
    }

    /** gonetpoll's class for one of the abstract channel types Reactor asks for. */
    static Class<? extends Channel> channelClass(Class<? extends Channel> channelType) {
        Objects.requireNonNull(channelType, "channelType");
        if (channelType == SocketChannel.class) {
            return GoNetpollSocketChannel.class;
        }
        if (channelType == ServerSocketChannel.class) {
            return GoNetpollServerSocketChannel.class;
        }
        if (channelType == DatagramChannel.class) {
            return GoNetpollDatagramChannel.class;
        }
        if (channelType == DomainSocketChannel.class) {
            return GoNetpollDomainSocketChannel.class;
        }
        if (channelType == ServerDomainSocketChannel.class) {
            return GoNetpollServerDomainSocketChannel.class;
        }
        throw new IllegalArgumentException("gonetpoll has no channel of type " + channelType.getName()
                + " (it has SocketChannel, ServerSocketChannel, DatagramChannel, DomainSocketChannel and"
                + " ServerDomainSocketChannel; no Unix datagram channel)");
    }

    private static Supplier<Channel> channelFactory(Class<? extends Channel> channelType) {
        Class<? extends Channel> cls = channelClass(channelType);
        if (cls == GoNetpollSocketChannel.class) {
            return GoNetpollSocketChannel::new;
        }
        if (cls == GoNetpollServerSocketChannel.class) {
            return GoNetpollServerSocketChannel::new;
        }
        if (cls == GoNetpollDatagramChannel.class) {
            return GoNetpollDatagramChannel::new;
        }
        if (cls == GoNetpollDomainSocketChannel.class) {
            return GoNetpollDomainSocketChannel::new;
        }
        return GoNetpollServerDomainSocketChannel::new;
    }

    /** False: gonetpoll's carrier threads are not daemon-configurable; dispose these resources. */
    @Override
    public boolean daemon() {
        return false;
    }

    @Override
    public boolean isDisposed() {
        return disposed.get();
    }

    /**
     * Shuts the group down gracefully when subscribed to: channels are closed, loops finish their tasks
     * (the quiet period starts over with every new task, up to {@code timeout}), then gonetpoll's
     * carriers stop and its epoll instance closes. The Mono completes when the group has terminated,
     * or fails with {@link IllegalStateException} if that takes longer than {@code timeout} plus
     * {@link #TERMINATION_GRACE} for stopping the runtime after the last loop.
     */
    @Override
    public Mono<Void> disposeLater(Duration quietPeriod, Duration timeout) {
        Objects.requireNonNull(quietPeriod, "quietPeriod");
        Objects.requireNonNull(timeout, "timeout");
        return Mono.defer(() -> {
            disposed.set(true);
            GoNetpollEventLoopGroup g = group.get();
            if (g == null) {
                return Mono.<Void>empty();
            }
            io.netty.util.concurrent.Future<?> termination = g.shutdownGracefully(
                    quietPeriod.toMillis(), timeout.toMillis(), TimeUnit.MILLISECONDS);
            return Mono.<Void>create(sink -> termination.addListener(f -> {
                if (f.isSuccess()) {
                    sink.success();
                } else {
                    sink.error(f.cause());
                }
            })).timeout(timeout.plus(TERMINATION_GRACE), Mono.error(new IllegalStateException(
                    this + " was not disposed within " + timeout.plus(TERMINATION_GRACE).toMillis() + " ms")));
        });
    }

    @Override
    public String toString() {
        return "GoNetpollLoopResources{name=" + name + ", processors="
                + (processors == 0 ? "available CPUs" : processors) + ", colocate=" + colocate + '}';
    }
}
