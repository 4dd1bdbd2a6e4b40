package dev.gonetpoll.examples;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;

import java.io.PrintStream;

/**
 * {@code echo}: a TCP echo server. What is read is written back and flushed when the read pass ends;
 * while the peer does not read (the channel is not writable) the server stops reading from it, so a
 * fast sender cannot make it buffer without bound.
 */
final class EchoCommand implements Command {

    @Override
    public String name() {
        return "echo";
    }

    @Override
    public String summary() {
        return "TCP echo server (backpressure: stops reading while the peer does not read)";
    }

    @Override
    public String usage() {
        return "echo [options]\n" + ServerOptions.usage();
    }

    @Override
    public int serve(ServerOptions options, PrintStream out, PrintStream err)
            throws UsageException, StartupException {
        return Main.serve(name(), start(options), out);
    }

    static RunningServer start(ServerOptions options) throws StartupException {
        return RunningServer.bind(options, new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.config().setOption(ChannelOption.TCP_NODELAY, true);
                ch.pipeline().addLast("echo", new EchoHandler());
            }
        }, "tcp");
    }

    /** Writes back what it reads; reading follows the channel's writability. */
    static final class EchoHandler extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
            if (!ctx.channel().isWritable()) {
                ctx.channel().config().setAutoRead(false); // until the peer has read what waits
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                ctx.channel().config().setAutoRead(true);
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // typically a reset by the peer: this connection only
        }
    }
}
