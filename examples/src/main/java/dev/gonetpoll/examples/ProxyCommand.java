package dev.gonetpoll.examples;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code proxy --target HOST:PORT}: a TCP proxy. Each inbound connection gets an outbound one to the
 * target, registered on the inbound channel's own event loop ({@code Bootstrap.group(inbound.eventLoop())}):
 * on gonetpoll both channels of a pair run in one goroutine, as they share one thread on Netty's
 * transports. The inbound side reads only once the outbound one is connected; each direction reads
 * only while the other side is writable (backpressure); when one side closes, the other is closed
 * after what is pending was flushed. A target that cannot be reached is reported with one line per
 * connection on the error stream.
 */
final class ProxyCommand implements Command {

    static final String TARGET = "--target";
    private static final ServerOptions.CommandOptions OPTIONS =
            new ServerOptions.CommandOptions(Set.of(TARGET), Set.of());

    @Override
    public String name() {
        return "proxy";
    }

    @Override
    public String summary() {
        return "TCP proxy to --target HOST:PORT (outbound channel on the inbound channel's loop)";
    }

    @Override
    public String usage() {
        return "proxy --target HOST:PORT [options]\n"
                + "  --target HOST:PORT  where connections are forwarded to\n"
                + ServerOptions.usage();
    }

    @Override
    public ServerOptions.CommandOptions options() {
        return OPTIONS;
    }

    @Override
    public int serve(ServerOptions options, PrintStream out, PrintStream err)
            throws UsageException, StartupException {
        return Main.serve(name(), start(options, err), out);
    }

    /**
     * Binds the proxy.
     *
     * @param err where a failed outbound connection is reported, one line each
     */
    static RunningServer start(ServerOptions options, PrintStream err) throws UsageException, StartupException {
        InetSocketAddress target = parseTarget(options.option(TARGET));
        Transport transport = options.transport();
        // Netty's logger would print two lines (java.util.logging); a user wants one.
        Consumer<String> report = line -> err.println(Main.PROGRAM + " proxy: " + line);
        return RunningServer.bind(options, new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.config().setAutoRead(false); // until the outbound connection is up
                ch.pipeline().addLast("frontend", new Frontend(target, options.option(TARGET), transport, report));
            }
        }, "tcp");
    }

    static InetSocketAddress parseTarget(String value) throws UsageException {
        if (value == null) {
            throw new UsageException("--target HOST:PORT is required");
        }
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new UsageException("--target needs HOST:PORT, not '" + value + "'");
        }
        String host = value.substring(0, colon);
        boolean bracketed = host.startsWith("[") && host.endsWith("]");
        if (bracketed) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty() || host.indexOf('[') >= 0 || host.indexOf(']') >= 0) {
            throw new UsageException("--target needs HOST:PORT, not '" + value + "'");
        }
        if (!bracketed && host.indexOf(':') >= 0) {
            // "::1:80" could also mean host ::1:80 without a port; brackets say where the port starts.
            throw new UsageException("--target: write an IPv6 address in brackets, e.g. [" + host + "]:"
                    + value.substring(colon + 1) + ", not '" + value + "'");
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new UsageException("--target port must be a number, not '" + value.substring(colon + 1) + "'");
        }
        if (port < 1 || port > 65535) {
            throw new UsageException("--target port must be between 1 and 65535, not " + port);
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    /** The inbound side: connects the outbound channel on its own loop, then relays what it reads. */
    private static final class Frontend extends ChannelInboundHandlerAdapter {
        private final InetSocketAddress target;
        /** The target as the user typed it, for messages. */
        private final String targetText;
        private final Transport transport;
        private final Consumer<String> report;
        private Channel outbound;

        Frontend(InetSocketAddress target, String targetText, Transport transport, Consumer<String> report) {
            this.target = target;
            this.targetText = targetText;
            this.transport = transport;
            this.report = report;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel inbound = ctx.channel();
            ChannelFuture connect = new Bootstrap()
                    .group(inbound.eventLoop())
                    .channel(transport.socketChannelClass())
                    .option(ChannelOption.AUTO_READ, false)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new Relay(inbound))
                    .connect(new InetSocketAddress(target.getHostString(), target.getPort()));
            outbound = connect.channel();
            connect.addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    inbound.read();
                    outbound.read();
                } else {
                    report.accept("cannot connect to " + targetText + " for " + inbound.remoteAddress() + ": "
                            + RunningServer.oneLine(f.cause()));
                    inbound.close();
                }
            });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            relay(ctx.channel(), outbound, msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (outbound != null) {
                closeAfterFlush(outbound);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable() && outbound != null && outbound.isActive()) {
                outbound.read(); // the inbound side drained: read more from the target
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            closeAfterFlush(ctx.channel());
        }
    }

    /** The outbound side: relays what the target sends back to the inbound channel. */
    private static final class Relay extends ChannelInboundHandlerAdapter {
        private final Channel inbound;

        Relay(Channel inbound) {
            this.inbound = inbound;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            relay(ctx.channel(), inbound, msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closeAfterFlush(inbound);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable() && inbound.isActive()) {
                inbound.read(); // the target drained: read more from the client
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            closeAfterFlush(ctx.channel());
        }
    }

    /**
     * Writes {@code msg} read from {@code from} to {@code to}; reads again from {@code from} once it is
     * written, and at once if {@code to} stays writable (one read in flight per direction).
     */
    private static void relay(Channel from, Channel to, Object msg) {
        if (!to.isActive()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        to.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                closeAfterFlush(from);
            } else if (to.isWritable()) {
                from.read();
            }
            // else: to's channelWritabilityChanged reads from again once it drained
        });
    }

    private static void closeAfterFlush(Channel ch) {
        if (ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
    }
}
