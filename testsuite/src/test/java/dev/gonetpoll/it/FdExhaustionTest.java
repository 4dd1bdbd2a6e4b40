package dev.gonetpoll.it;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import dev.gonetpoll.channel.GoNetpollEventLoopGroup;
import dev.gonetpoll.channel.GoNetpollServerSocketChannel;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The process runs out of file descriptors while connections wait to be accepted: the server reports
 * "Too many open files" through exceptionCaught, retries after a pause instead of spinning, keeps its
 * listening socket, and accepts every waiting connection once descriptors are free again. Nothing is
 * lost.
 */
@Timeout(60)
class FdExhaustionTest {

    private static final int RLIMIT_NOFILE = 7;
    private static final int CLIENTS = 20;

    /** setrlimit(2) for this test only: the transport itself never changes limits. */
    static final class Rlimit {
        static {
            Native.register(Rlimit.class, Platform.C_LIBRARY_NAME);
        }

        static native int getrlimit(int resource, long rlimAddress);

        static native int setrlimit(int resource, long rlimAddress);
    }

    @Test
    void acceptRecoversAfterTheFdLimitIsRaised() throws Exception {
        GoNetpollEventLoopGroup group = new GoNetpollEventLoopGroup(1);
        List<Socket> clients = new ArrayList<>();
        List<Throwable> serverErrors = new CopyOnWriteArrayList<>();
        AtomicInteger accepted = new AtomicInteger();
        CountDownLatch allAccepted = new CountDownLatch(CLIENTS);
        try (Arena arena = Arena.ofConfined()) {
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(GoNetpollServerSocketChannel.class)
                    .option(ChannelOption.AUTO_READ, false) // connections wait in the backlog for now
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            serverErrors.add(cause);
                        }
                    })
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            accepted.incrementAndGet();
                            allAccepted.countDown();
                        }
                    })
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) server.localAddress()).getPort()));
            }

            MemorySegment original = arena.allocate(16, 8);
            assertEquals(0, Rlimit.getrlimit(RLIMIT_NOFILE, original.address()));
            MemorySegment lowered = arena.allocate(16, 8);
            lowered.set(ValueLayout.JAVA_LONG, 0, openFds() + 2); // room for two accepts only
            lowered.set(ValueLayout.JAVA_LONG, 8, original.get(ValueLayout.JAVA_LONG, 8));
            assertEquals(0, Rlimit.setrlimit(RLIMIT_NOFILE, lowered.address()));
            try {
                server.config().setAutoRead(true);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (serverErrors.isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                Thread.sleep(300); // still out of descriptors: accepting must back off, not spin
            } finally {
                assertEquals(0, Rlimit.setrlimit(RLIMIT_NOFILE, original.address()));
            }
            assertFalse(serverErrors.isEmpty(), "accepting past the fd limit must be reported");
            String message = Objects.toString(serverErrors.get(0).getMessage());
            assertTrue(message.contains("Too many open files"), message);
            assertTrue(accepted.get() < CLIENTS, "the limit must have stopped some accepts");
            // A retry every 100 ms gives a handful of reports in 300 ms; a busy retry gives thousands.
            assertTrue(serverErrors.size() <= 20, serverErrors.size() + " reports: accepting spins on EMFILE");

            assertTrue(allAccepted.await(20, TimeUnit.SECONDS),
                    "after the limit was raised only " + accepted.get() + " of " + CLIENTS + " were accepted");
            assertTrue(server.isActive(), "the listening socket survives");
            server.close().sync();
        } finally {
            for (Socket s : clients) {
                s.close();
            }
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Netty's ServerBootstrapAcceptor answers a failed accept by turning auto-read off for a second.
     * During that second the server channel must make no accept call at all: each failed accept is
     * one report, so exactly one report arrives in that second, not one per backoff retry.
     */
    @Test
    void theAcceptorsPauseAfterAFailedAcceptStopsAcceptingForItsSecond() throws Exception {
        GoNetpollEventLoopGroup group = new GoNetpollEventLoopGroup(1);
        List<Socket> clients = new ArrayList<>();
        List<Long> reportedAt = new CopyOnWriteArrayList<>();
        CountDownLatch allAccepted = new CountDownLatch(CLIENTS);
        try (Arena arena = Arena.ofConfined()) {
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(GoNetpollServerSocketChannel.class)
                    .option(ChannelOption.AUTO_READ, false)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            reportedAt.add(System.nanoTime());
                            ctx.fireExceptionCaught(cause); // on to ServerBootstrapAcceptor, which pauses
                        }
                    })
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            allAccepted.countDown();
                        }
                    })
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            // After the acceptor: swallow the reports instead of logging them (logging needs fds too).
            server.eventLoop().submit(() -> server.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                }
            })).sync();
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) server.localAddress()).getPort()));
            }

            MemorySegment original = arena.allocate(16, 8);
            assertEquals(0, Rlimit.getrlimit(RLIMIT_NOFILE, original.address()));
            MemorySegment lowered = arena.allocate(16, 8);
            lowered.set(ValueLayout.JAVA_LONG, 0, openFds()); // no room for any accept
            lowered.set(ValueLayout.JAVA_LONG, 8, original.get(ValueLayout.JAVA_LONG, 8));
            assertEquals(0, Rlimit.setrlimit(RLIMIT_NOFILE, lowered.address()));
            long pausedUntil;
            try {
                server.config().setAutoRead(true);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (reportedAt.isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                assertFalse(reportedAt.isEmpty(), "accepting past the fd limit must be reported");
                // The acceptor's pause is one second from the first report; look at most of it.
                pausedUntil = reportedAt.get(0) + TimeUnit.MILLISECONDS.toNanos(900);
                Thread.sleep(900);
            } finally {
                assertEquals(0, Rlimit.setrlimit(RLIMIT_NOFILE, original.address()));
            }
            long duringPause = reportedAt.stream().filter(t -> t - pausedUntil < 0).count();
            assertEquals(1, duringPause, "accept was called again while auto-read was off");
            assertTrue(allAccepted.await(20, TimeUnit.SECONDS), "accepting resumed after the pause");
            server.close().sync();
        } finally {
            for (Socket s : clients) {
                s.close();
            }
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }

    private static long openFds() {
        return Objects.requireNonNull(new File("/proc/self/fd").list()).length;
    }
}
