package dev.gonetpoll.examples;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A bound example server: its event loop group and listening channel. Shared by every example server;
 * each one only brings its child handler (usually a {@link io.netty.channel.ChannelInitializer}).
 */
public final class RunningServer implements AutoCloseable {

    /** Quiet period and timeout of the graceful shutdown. */
    private static final long QUIET_MILLIS = 100;
    private static final long TIMEOUT_MILLIS = 10_000;

    private final ServerOptions options;
    private final EventLoopGroup group;
    private final Channel channel;
    private final String scheme;

    private RunningServer(ServerOptions options, EventLoopGroup group, Channel channel, String scheme) {
        this.options = options;
        this.group = group;
        this.channel = channel;
        this.scheme = scheme;
    }

    /** {@link #bind(ServerOptions, ChannelHandler, String)} for an HTTP server. */
    public static RunningServer bind(ServerOptions options, ChannelHandler childHandler) throws StartupException {
        return bind(options, childHandler, "http");
    }

    /**
     * Creates the group of {@code options.transport()} and binds a server on {@code options.host():options.port()}.
     *
     * @throws StartupException with a one-line message when the group cannot be created or the address not bound;
     *                          nothing is left running then
     */
    public static RunningServer bind(ServerOptions options, ChannelHandler childHandler, String scheme)
            throws StartupException {
        String address = options.urlHost() + ":" + options.port();
        InetSocketAddress local = new InetSocketAddress(options.host(), options.port());
        if (local.isUnresolved()) {
            throw new StartupException("cannot listen on " + address + ": unknown host " + options.host(), null);
        }
        EventLoopGroup group;
        try {
            group = options.transport().newGroup(options.processors());
        } catch (RuntimeException | LinkageError e) {
            throw new StartupException("cannot start the " + options.transport().id() + " event loop group: "
                    + oneLine(e), e);
        }
        try {
            ChannelFuture bind = new ServerBootstrap()
                    .group(group)
                    .channel(options.transport().serverChannelClass())
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childHandler(childHandler)
                    .bind(local)
                    .awaitUninterruptibly();
            if (!bind.isSuccess()) {
                throw new StartupException("cannot listen on " + address + ": " + oneLine(bind.cause()), bind.cause());
            }
            return new RunningServer(options, group, bind.channel(), scheme);
        } catch (StartupException | RuntimeException e) {
            group.shutdownGracefully(0, TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).awaitUninterruptibly();
            if (e instanceof StartupException se) {
                throw se;
            }
            throw new StartupException("cannot listen on " + address + ": " + oneLine(e), e);
        }
    }

    /** The listening channel. */
    public Channel channel() {
        return channel;
    }

    /** The actually bound port (useful with port 0). */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** The listening channel's event loop group. */
    public EventLoopGroup group() {
        return group;
    }

    /** The options the server was started with. */
    public ServerOptions options() {
        return options;
    }

    /** The server's URL (scheme http or tcp) with the host as given in the options and the bound port. */
    public String url() {
        return scheme + "://" + options.urlHost() + ":" + port() + "/";
    }

    /**
     * Waits until the listening channel is closed (by {@link #close()}, e.g. from a shutdown hook).
     *
     * @throws InterruptedException if the waiting thread is interrupted first (the server keeps running)
     */
    public void awaitClosed() throws InterruptedException {
        channel.closeFuture().await();
    }

    /** Closes the listening channel and shuts the group down gracefully; waits for its termination. */
    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(QUIET_MILLIS, TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).awaitUninterruptibly();
    }

    /** A throwable as one line: its message, or its class name when it has none. */
    static String oneLine(Throwable t) {
        if (t == null) {
            return "unknown error";
        }
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            message = t.getClass().getSimpleName();
        }
        return message.replace('\n', ' ').replace('\r', ' ').strip();
    }
}
