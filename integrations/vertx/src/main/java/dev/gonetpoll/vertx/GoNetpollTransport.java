package dev.gonetpoll.vertx;

import dev.gonetpoll.channel.GoNetpollChannelOption;
import dev.gonetpoll.channel.GoNetpollDatagramChannel;
import dev.gonetpoll.channel.GoNetpollDomainSocketChannel;
import dev.gonetpoll.channel.GoNetpollEventLoopGroup;
import dev.gonetpoll.channel.GoNetpollServerDomainSocketChannel;
import dev.gonetpoll.channel.GoNetpollServerSocketChannel;
import dev.gonetpoll.channel.GoNetpollSocketChannel;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.channel.unix.DomainSocketAddress;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.spi.transport.Transport;

import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.concurrent.ThreadFactory;

/**
 * A Vert.x 5 {@link Transport} backed by gonetpoll: TCP, UDP and Unix domain sockets. Select it with
 * <pre>{@code
 * Vertx vertx = Vertx.builder().withTransport(GoNetpollTransport.create()).build();
 * }</pre>
 *
 * <h2>Groups instead of an IoHandlerFactory</h2>
 * Vert.x 5's default {@link #eventLoopGroup} builds a {@code MultiThreadIoEventLoopGroup} from
 * {@link #ioHandlerFactory()}. gonetpoll has no {@code IoHandler}: its group is a Go-style runtime, not
 * a set of threads that each run an I/O handler. So this transport overrides {@code eventLoopGroup}
 * and makes a {@link GoNetpollEventLoopGroup} itself, and {@link #ioHandlerFactory()} throws.
 * <ul>
 *   <li>Vert.x asks for two groups in its constructor, the I/O group and then an acceptor group. gonetpoll
 *       gives every server channel its own loop anyway, so the acceptor group is the I/O group made just
 *       before on the same thread; closing Vert.x shuts it down once. (Called on its own, the acceptor
 *       request gets a group of its own with one processor.)</li>
 *   <li>The group has the processors given to {@link #create(int)} (default: one per available CPU).
 *       {@code VertxOptions.eventLoopPoolSize} is ignored: its default, twice the CPUs, leaves spare
 *       threads for blocking handlers, which gonetpoll does not need.</li>
 *   <li>Vert.x's thread factory is ignored: loops run on gonetpoll's goroutines, not on
 *       {@code VertxThread}s. So Vert.x's blocked-thread checker does not watch them, and
 *       {@code Context.isOnEventLoopThread()} is false inside handlers; {@code Vertx.currentContext()}
 *       still works (Vert.x tracks the context of other threads itself).</li>
 * </ul>
 *
 * <h2>Thread model</h2>
 * Every Vert.x event-loop context (a verticle instance, or the context of code outside verticles) gets
 * its own gonetpoll loop, that is its own goroutine; Vert.x hands a server's connections to the contexts
 * of the verticle instances that listen. A handler that blocks parks its context's goroutine: the
 * connections of that context wait, and every other context keeps running, even on one processor.
 * Deploying many instances is cheap here (a loop costs a goroutine only while it has work).
 * {@code executeBlocking} is still the way to keep a context answering while one of its handlers blocks.
 */
public final class GoNetpollTransport implements Transport {

    /** The TCP fast-open queue length a server gets with {@code setTcpFastOpen(true)}, as with Vert.x's epoll. */
    private static final int PENDING_FAST_OPEN_REQUESTS = 256;

    private final int processors;
    /** The I/O group Vert.x made last on this thread, waiting for the acceptor request that follows it. */
    private final ThreadLocal<GoNetpollEventLoopGroup> ioGroupOfThisThread = new ThreadLocal<>();

    /**
     * @param processors the number of gonetpoll processors of each Vert.x instance's group; 0 means one
     *                   per available CPU
     * @throws IllegalArgumentException if {@code processors} is negative
     */
    public GoNetpollTransport(int processors) {
        if (processors < 0) {
            throw new IllegalArgumentException("processors must be >= 0 (0: one per available CPU), not " + processors);
        }
        this.processors = processors;
    }

    /** The transport for {@code Vertx.builder().withTransport(...)}, one processor per available CPU. */
    public static io.vertx.core.transport.Transport create() {
        return create(0);
    }

    /**
     * The transport for {@code Vertx.builder().withTransport(...)}.
     *
     * @param processors the number of gonetpoll processors; 0 means one per available CPU
     */
    public static io.vertx.core.transport.Transport create(int processors) {
        return new Selection(new GoNetpollTransport(processors));
    }

    @Override
    public boolean supportsDomainSockets() {
        return true;
    }

    @Override
    public SocketAddress convert(io.vertx.core.net.SocketAddress address) {
        if (address.isDomainSocket()) {
            return new DomainSocketAddress(address.path());
        }
        return Transport.super.convert(address);
    }

    @Override
    public io.vertx.core.net.SocketAddress convert(SocketAddress address) {
        if (address instanceof DomainSocketAddress domain) {
            return io.vertx.core.net.SocketAddress.domainSocketAddress(domain.path());
        }
        return Transport.super.convert(address);
    }

    /**
     * gonetpoll has no {@code IoHandler}; this transport makes its groups in {@link #eventLoopGroup}.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public IoHandlerFactory ioHandlerFactory() {
        throw new UnsupportedOperationException("gonetpoll has no IoHandler: its group is a Go-style runtime;"
                + " GoNetpollTransport.eventLoopGroup makes a GoNetpollEventLoopGroup instead");
    }

    /**
     * A {@link GoNetpollEventLoopGroup}: a new one for {@link #IO_EVENT_LOOP_GROUP}, the same one again
     * for the {@link #ACCEPTOR_EVENT_LOOP_GROUP} request that follows on the same thread. {@code nThreads},
     * {@code threadFactory} and {@code ioRatio} are ignored (see the class comment).
     */
    @Override
    public EventLoopGroup eventLoopGroup(int type, int nThreads, ThreadFactory threadFactory, int ioRatio) {
        if (type == IO_EVENT_LOOP_GROUP) {
            GoNetpollEventLoopGroup group = new GoNetpollEventLoopGroup(processors);
            ioGroupOfThisThread.set(group);
            return group;
        }
        if (type == ACCEPTOR_EVENT_LOOP_GROUP) {
            GoNetpollEventLoopGroup group = ioGroupOfThisThread.get();
            ioGroupOfThisThread.remove();
            return group != null && !group.isShuttingDown() ? group : new GoNetpollEventLoopGroup(1);
        }
        throw new IllegalArgumentException("unknown event loop group type " + type
                + " (expected IO_EVENT_LOOP_GROUP or ACCEPTOR_EVENT_LOOP_GROUP)");
    }

    @Override
    public DatagramChannel datagramChannel() {
        return new GoNetpollDatagramChannel();
    }

    @Override
    @SuppressWarnings("deprecation") // the SPI's signature
    public DatagramChannel datagramChannel(InternetProtocolFamily family) {
        return family == null ? new GoNetpollDatagramChannel()
                : new GoNetpollDatagramChannel(family.toSocketProtocolFamily());
    }

    @Override
    public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
        return domainSocket ? GoNetpollDomainSocketChannel::new : GoNetpollSocketChannel::new;
    }

    @Override
    public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
        return domainSocket ? GoNetpollServerDomainSocketChannel::new : GoNetpollServerSocketChannel::new;
    }

    /**
     * Vert.x's options, plus what its epoll transport sets that gonetpoll has too: {@code SO_REUSEPORT}
     * and the multicast options (Vert.x sets those only for NIO itself).
     */
    @Override
    public void configure(DatagramChannel channel, DatagramSocketOptions options) {
        if (options.isReusePort()) {
            channel.config().setOption(GoNetpollChannelOption.SO_REUSEPORT, true);
        }
        Transport.super.configure(channel, options);
        channel.config().setLoopbackModeDisabled(options.isLoopbackModeDisabled());
        if (options.getMulticastTimeToLive() != -1) {
            channel.config().setTimeToLive(options.getMulticastTimeToLive());
        }
        if (options.getMulticastNetworkInterface() != null) {
            try {
                NetworkInterface nic = NetworkInterface.getByName(options.getMulticastNetworkInterface());
                if (nic == null) {
                    throw new IllegalArgumentException("no network interface named "
                            + options.getMulticastNetworkInterface());
                }
                channel.config().setNetworkInterface(nic);
            } catch (SocketException e) {
                throw new IllegalArgumentException("cannot look up network interface "
                        + options.getMulticastNetworkInterface(), e);
            }
        }
    }

    /** Vert.x's options, plus the Linux ones its epoll transport sets, where they differ from the default. */
    @Override
    public void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap bootstrap) {
        if (!domainSocket) {
            if (options.isReusePort()) {
                bootstrap.option(GoNetpollChannelOption.SO_REUSEPORT, true);
            }
            if (options.isTcpFastOpen()) {
                bootstrap.option(ChannelOption.TCP_FASTOPEN, PENDING_FAST_OPEN_REQUESTS);
            }
            if (options.isTcpQuickAck()) {
                bootstrap.childOption(GoNetpollChannelOption.TCP_QUICKACK, true);
            }
            if (options.isTcpCork()) {
                bootstrap.childOption(GoNetpollChannelOption.TCP_CORK, true);
            }
        }
        Transport.super.configure(options, domainSocket, bootstrap);
    }

    /** Vert.x's options, plus the Linux ones its epoll transport sets, where they differ from the default. */
    @Override
    public void configure(ClientOptionsBase options, int connectTimeout, boolean domainSocket, Bootstrap bootstrap) {
        if (!domainSocket) {
            if (options.isTcpFastOpen()) {
                bootstrap.option(ChannelOption.TCP_FASTOPEN_CONNECT, true);
            }
            if (options.getTcpUserTimeout() > 0) {
                bootstrap.option(GoNetpollChannelOption.TCP_USER_TIMEOUT, options.getTcpUserTimeout());
            }
            if (options.isTcpQuickAck()) {
                bootstrap.option(GoNetpollChannelOption.TCP_QUICKACK, true);
            }
            if (options.isTcpCork()) {
                bootstrap.option(GoNetpollChannelOption.TCP_CORK, true);
            }
        }
        Transport.super.configure(options, connectTimeout, domainSocket, bootstrap);
    }

    @Override
    public String toString() {
        return "GoNetpollTransport{processors=" + (processors == 0 ? "available CPUs" : processors) + '}';
    }

    /** What {@code Vertx.builder().withTransport} takes: the public face of this SPI implementation. */
    private record Selection(GoNetpollTransport implementation) implements io.vertx.core.transport.Transport {

        @Override
        public String name() {
            return "gonetpoll";
        }

        @Override
        public boolean available() {
            return true;
        }

        @Override
        public Throwable unavailabilityCause() {
            return null;
        }
    }
}
