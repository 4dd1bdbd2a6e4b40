package dev.gonetpoll.channel;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.FileDescriptor;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Run in a child JVM by {@link NoNettyNativeCodeTest}: uses every part of the domain socket
 * channels that touches Netty's unix classes (addresses, fd(), peer credentials, options, a refused
 * file descriptor message, an echo), then prints "ok", or "failed: " and the reason.
 */
public final class DomainSocketProbe {

    private DomainSocketProbe() {
    }

    public static void main(String[] args) throws Exception {
        GoNetpollEventLoopGroup group = new GoNetpollEventLoopGroup(1);
        try {
            DomainSocketAddress address = new DomainSocketAddress("\0gonetpoll-probe-" + UUID.randomUUID());
            Channel server = new ServerBootstrap().group(group).channel(GoNetpollServerDomainSocketChannel.class)
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ctx.writeAndFlush(msg);
                        }
                    })
                    .bind(address).sync().channel();
            CompletableFuture<String> reply = new CompletableFuture<>();
            GoNetpollDomainSocketChannel client = (GoNetpollDomainSocketChannel) new Bootstrap().group(group)
                    .channel(GoNetpollDomainSocketChannel.class)
                    .handler(new SimpleChannelInboundHandler<ByteBuf>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                            reply.complete(msg.toString(StandardCharsets.UTF_8));
                        }
                    })
                    .connect(address).sync().channel();
            client.peerCredentials().toString();
            client.fd().intValue();
            client.fd().isOpen();
            ((GoNetpollServerDomainSocketChannel) server).fd().toString();
            client.config().getOptions().toString();
            client.localAddress().path();
            if (client.writeAndFlush(new FileDescriptor(0)).await().isSuccess()) {
                System.out.println("failed: a FileDescriptor message was written");
                return;
            }
            client.writeAndFlush(Unpooled.copiedBuffer("ping", StandardCharsets.UTF_8));
            String echoed = reply.get(10, TimeUnit.SECONDS);
            client.close().sync();
            server.close().sync();
            System.out.println("ping".equals(echoed) ? "ok" : "failed: echoed " + echoed);
        } finally {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }
}
