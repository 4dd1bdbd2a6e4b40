package dev.gonetpoll.channel;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SO_REUSEPORT as the kernel implements it: several server channels bound to one port, each
 * accepting its share of the connections, and several client channels bound to one local port.
 * Without the option the second bind fails with a {@link BindException}.
 */
@Timeout(120)
class ReusePortTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** The kernel picks a listener by a hash of each connection's addresses and ports: with this many, both get some. */
    private static final int CONNECTIONS = 64;

    private EventLoopGroup group;
    private final List<Channel> channels = new ArrayList<>();

    @BeforeEach
    void createGroup() {
        group = new GoNetpollEventLoopGroup(2);
    }

    @AfterEach
    void shutdown() {
        for (Channel channel : channels) {
            channel.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
        assertTrue(group.shutdownGracefully(0, 10, TimeUnit.SECONDS).awaitUninterruptibly(30, TimeUnit.SECONDS),
                "group did not terminate");
    }

    private ServerBootstrap server(boolean reusePort, AtomicInteger accepted, CountDownLatch allAccepted) {
        return new ServerBootstrap()
                .group(group)
                .channel(GoNetpollServerSocketChannel.class)
                .option(GoNetpollChannelOption.SO_REUSEPORT, reusePort)
                .childHandler(new CountingHandler(accepted, allAccepted));
    }

    /** Counts the connections one server accepted. */
    @ChannelHandler.Sharable
    private static final class CountingHandler extends ChannelInboundHandlerAdapter {
        private final AtomicInteger accepted;
        private final CountDownLatch allAccepted;

        CountingHandler(AtomicInteger accepted, CountDownLatch allAccepted) {
            this.accepted = accepted;
            this.allAccepted = allAccepted;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            accepted.incrementAndGet();
            allAccepted.countDown();
            ctx.fireChannelActive();
        }
    }

    private Channel bound(ChannelFuture bind) throws InterruptedException {
        Channel channel = bind.sync().channel();
        channels.add(channel);
        return channel;
    }

    @Test
    void twoServersOnOnePortBothAccept() throws Exception {
        AtomicInteger acceptedByFirst = new AtomicInteger();
        AtomicInteger acceptedBySecond = new AtomicInteger();
        CountDownLatch allAccepted = new CountDownLatch(CONNECTIONS);
        Channel first = bound(server(true, acceptedByFirst, allAccepted).bind(LOOPBACK, 0));
        int port = ((InetSocketAddress) first.localAddress()).getPort();
        Channel second = bound(server(true, acceptedBySecond, allAccepted).bind(LOOPBACK, port));
        assertEquals(port, ((InetSocketAddress) second.localAddress()).getPort());
        assertTrue(((GoNetpollServerSocketChannel) second).config().isReusePort());

        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < CONNECTIONS; i++) {
                clients.add(new Socket(LOOPBACK, port));
            }
            assertTrue(allAccepted.await(60, TimeUnit.SECONDS), "not every connection was accepted");
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
        assertEquals(CONNECTIONS, acceptedByFirst.get() + acceptedBySecond.get());
        assertTrue(acceptedByFirst.get() > 0, "the first server accepted nothing");
        assertTrue(acceptedBySecond.get() > 0, "the second server accepted nothing");
    }

    @Test
    void withoutReusePortTheSecondServerCannotBind() throws Exception {
        CountDownLatch unused = new CountDownLatch(1);
        Channel first = bound(server(true, new AtomicInteger(), unused).bind(LOOPBACK, 0));
        int port = ((InetSocketAddress) first.localAddress()).getPort();

        ChannelFuture second = server(false, new AtomicInteger(), unused).bind(LOOPBACK, port).await();
        assertInstanceOf(BindException.class, second.cause());
    }

    @Test
    void twoClientsShareOneLocalPort() throws Exception {
        CountDownLatch accepted = new CountDownLatch(2);
        Channel serverA = bound(server(false, new AtomicInteger(), accepted).bind(LOOPBACK, 0));
        Channel serverB = bound(server(false, new AtomicInteger(), accepted).bind(LOOPBACK, 0));

        Channel clientA = bound(client(true).connect(serverA.localAddress(), new InetSocketAddress(LOOPBACK, 0)));
        InetSocketAddress shared = (InetSocketAddress) clientA.localAddress();
        Channel clientB = bound(client(true).connect(serverB.localAddress(), shared));
        assertEquals(shared, clientB.localAddress());
        assertTrue(accepted.await(30, TimeUnit.SECONDS), "the servers did not accept both clients");

        ChannelFuture third = client(false).connect(serverB.localAddress(), shared).await();
        assertInstanceOf(BindException.class, third.cause());
    }

    private Bootstrap client(boolean reusePort) {
        return new Bootstrap()
                .group(group)
                .channel(GoNetpollSocketChannel.class)
                .option(GoNetpollChannelOption.SO_REUSEPORT, reusePort)
                .handler(new ChannelInboundHandlerAdapter());
    }
}
