package dev.gonetpoll.it;

import dev.gonetpoll.channel.GoNetpollEventLoopGroup;
import dev.gonetpoll.channel.GoNetpollServerSocketChannel;
import dev.gonetpoll.channel.GoNetpollSocketChannel;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Graceful shutdown of the group reaches every live loop: it closes every channel (server, accepted
 * and client), ends every goroutine and carrier, closes the epoll instance, and afterwards the
 * group's loops reject work.
 */
@Timeout(60)
class GroupShutdownTest {

    private static final int CONNECTIONS = 50;

    @Test
    void shutdownClosesEveryChannelAndStopsEveryThread() throws Exception {
        GoNetpollEventLoopGroup group = new GoNetpollEventLoopGroup(2);
        Queue<Channel> accepted = new ConcurrentLinkedQueue<>();
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(GoNetpollServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accepted.add(ch);
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        List<Channel> clients = new ArrayList<>();
        Bootstrap cb = new Bootstrap().group(group).channel(GoNetpollSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // nothing to add: the client only holds its connection open
                    }
                });
        for (int i = 0; i < CONNECTIONS; i++) {
            clients.add(cb.connect(server.localAddress()).sync().channel());
        }
        while (accepted.size() < CONNECTIONS) {
            Thread.sleep(5);
        }
        // A loop with only a pending timer is live too, and must be reached.
        EventLoop timerOnly = group.next();
        timerOnly.schedule(() -> { }, 1, TimeUnit.HOURS);
        assertTrue(group.liveLoopCount() >= 2 * CONNECTIONS + 1);
        String threadPrefix = carrierPrefix(timerOnly);

        assertTrue(group.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(30, TimeUnit.SECONDS),
                "group did not terminate");

        assertTrue(group.isTerminated());
        assertFalse(server.isOpen(), "server channel still open");
        for (Channel ch : clients) {
            assertFalse(ch.isOpen(), "client channel still open: " + ch);
        }
        for (Channel ch : accepted) {
            assertFalse(ch.isOpen(), "accepted channel still open: " + ch);
        }
        assertTrue(timerOnly.isTerminated(), "a loop with only a timer was not shut down");
        assertEquals(0, group.liveLoopCount());
        assertEquals(0, group.registeredFdCount(), "descriptors left in the epoll set");
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(threadPrefix) && !t.getName().endsWith("sysmon")) {
                t.join(5_000);
                assertFalse(t.isAlive(), "carrier still running: " + t);
            }
        }
        assertThrows(RejectedExecutionException.class, () -> group.next().execute(() -> { }));
    }

    @Test
    void closedConnectionsLeaveTheirLoopsForReuse() throws Exception {
        // Netty keeps per-executor state (an address resolver per loop, until the loop terminates):
        // loops must be reused, not created per connection forever.
        GoNetpollEventLoopGroup group = new GoNetpollEventLoopGroup(1);
        AtomicInteger acceptedCount = new AtomicInteger();
        try {
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(GoNetpollServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            acceptedCount.incrementAndGet(); // accept and hold
                        }
                    })
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            Bootstrap cb = new Bootstrap().group(group).channel(GoNetpollSocketChannel.class)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            // connect and close
                        }
                    });
            java.util.Set<EventLoop> loops = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            for (int i = 0; i < 200; i++) {
                Channel c = cb.connect(server.localAddress()).sync().channel();
                loops.add(c.eventLoop());
                // The connect completes before the server accepts: wait for the accepted side's loop
                // too, or the live-loop count below is low only because it has not started yet.
                long acceptDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (acceptedCount.get() <= i && System.nanoTime() < acceptDeadline) {
                    Thread.sleep(1);
                }
                assertEquals(i + 1, acceptedCount.get(), "the server did not accept connection " + i);
                c.close().sync();
                // Wait until only the server's loop is live: both ends' loops went idle.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (group.liveLoopCount() > 1 && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                assertEquals(1, group.liveLoopCount(), "loops of closed connections still live");
            }
            // One loop for the client side and one for the accepted side, reused every time.
            assertTrue(loops.size() <= 2, loops.size() + " loops for 200 sequential connections");
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }

    /**
     * The name prefix of the group's carrier threads ("gonetpoll-N-m"): a goroutine's toString names
     * the carrier it is mounted on.
     */
    private static String carrierPrefix(EventLoop loop) throws Exception {
        String goroutine = loop.submit(() -> Thread.currentThread().toString()).get(10, TimeUnit.SECONDS);
        Matcher m = Pattern.compile("@(gonetpoll-\\d+-m)\\d+").matcher(goroutine);
        assertTrue(m.find(), goroutine);
        return m.group(1);
    }
}
