package dev.gonetpoll.it;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.gonetpoll.channel.GoNetpollEventLoopGroup;
import dev.gonetpoll.channel.GoNetpollServerSocketChannel;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One processor, 1,000 connections open at the same time, each sending its own bytes and getting exactly
 * those bytes back. Clients are plain JDK sockets driven by (JDK default) virtual threads.
 */
@Timeout(180)
class ThousandConnectionsEchoTest {

    private static final int CONNECTIONS = 1_000;
    /** File descriptors needed besides the 2 x CONNECTIONS sockets (jars, epoll, eventfd, pipes, ...). */
    private static final int FD_HEADROOM = 256;

    private EventLoopGroup group;
    private Channel server;
    private final AtomicInteger serverActive = new AtomicInteger();
    private final AtomicInteger serverPeak = new AtomicInteger();

    @BeforeEach
    void startServer() {
        group = new GoNetpollEventLoopGroup(1);
        server = new ServerBootstrap()
                .group(group)
                .channel(GoNetpollServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 2048)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                serverPeak.accumulateAndGet(serverActive.incrementAndGet(), Math::max);
                                ctx.fireChannelActive();
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                serverActive.decrementAndGet();
                                ctx.fireChannelInactive();
                            }

                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ctx.write(msg, ctx.voidPromise()); // echo
                            }

                            @Override
                            public void channelReadComplete(ChannelHandlerContext ctx) {
                                ctx.flush();
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                ctx.close();
                            }
                        });
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .syncUninterruptibly()
                .channel();
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        if (group != null) {
            assertTrue(group.shutdownGracefully(0, 10, TimeUnit.SECONDS).awaitUninterruptibly(30, TimeUnit.SECONDS),
                    "group did not terminate");
        }
    }

    @Test
    void thousandConcurrentConnectionsEachGetTheirOwnBytesBack() throws Exception {
        assertEnoughFileDescriptors();
        int port = ((InetSocketAddress) server.localAddress()).getPort();

        List<Socket> sockets = new ArrayList<>(CONNECTIONS);
        try {
            // 1. Open every connection first, so that all of them exist at the same time.
            for (int i = 0; i < CONNECTIONS; i++) {
                Socket s = new Socket();
                sockets.add(s);
                s.setSoTimeout(60_000);
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 30_000);
            }
            awaitCount(serverActive, CONNECTIONS, "server channels active");
            assertEquals(CONNECTIONS, serverPeak.get(), "server channels active at the same time");

            // 2. All clients send their own data at once and read their echo.
            CountDownLatch go = new CountDownLatch(1);
            List<Future<String>> results = new ArrayList<>(CONNECTIONS);
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < CONNECTIONS; i++) {
                    int id = i;
                    Socket s = sockets.get(i);
                    results.add(clients.submit(() -> {
                        go.await();
                        return exchange(id, s);
                    }));
                }
                go.countDown();
                List<String> failures = new ArrayList<>();
                for (Future<String> r : results) {
                    String failure = r.get(120, TimeUnit.SECONDS);
                    if (failure != null) {
                        failures.add(failure);
                    }
                }
                if (!failures.isEmpty()) {
                    fail(failures.size() + " of " + CONNECTIONS + " connections failed, e.g.:\n"
                            + String.join("\n", failures.subList(0, Math.min(10, failures.size()))));
                }
            }
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
        // 3. The server noticed every close.
        awaitCount(serverActive, 0, "server channels still active after the clients closed");
    }

    /** Sends this client's payload, reads it back, then half-closes and expects the server to close too. */
    private static String exchange(int id, Socket s) {
        byte[] payload = payload(id);
        try {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(payload);
            out.flush();
            byte[] echo = in.readNBytes(payload.length);
            if (!Arrays.equals(payload, echo)) {
                return "client " + id + ": sent " + payload.length + " bytes, got back " + echo.length
                        + (echo.length == payload.length ? " different" : "") + " bytes starting with '"
                        + new String(echo, 0, Math.min(echo.length, 16), StandardCharsets.ISO_8859_1) + "'";
            }
            s.shutdownOutput(); // the server closes on EOF: nothing may follow our own bytes
            int extra = in.read();
            if (extra != -1) {
                return "client " + id + ": got more than its own " + payload.length + " bytes back";
            }
            return null;
        } catch (IOException e) {
            return "client " + id + ": " + e;
        }
    }

    /** Distinct data per client: its id, then 1 to 24 KiB of bytes from a per-client seed. */
    private static byte[] payload(int id) {
        byte[] head = String.format("client-%04d|", id).getBytes(StandardCharsets.US_ASCII);
        Random random = new Random(id * 7919L + 17);
        byte[] body = new byte[1 + random.nextInt(24 * 1024)];
        random.nextBytes(body);
        byte[] payload = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, payload, head.length, body.length);
        return payload;
    }

    private static void assertEnoughFileDescriptors() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (!(os instanceof UnixOperatingSystemMXBean unix)) {
            fail("cannot check the file descriptor limit on this platform (" + os.getClass().getName() + ")");
            return;
        }
        long max = unix.getMaxFileDescriptorCount(); // RLIMIT_NOFILE as this JVM sees it
        long open = unix.getOpenFileDescriptorCount();
        long needed = open + 2L * CONNECTIONS + FD_HEADROOM;
        assertTrue(max >= needed, "this test needs " + needed + " file descriptors (" + open + " open + 2 x "
                + CONNECTIONS + " sockets + " + FD_HEADROOM + " spare) but the limit (RLIMIT_NOFILE) is " + max
                + "; raise it, e.g. 'ulimit -n 4096', before running the tests");
    }

    private static void awaitCount(AtomicInteger counter, int expected, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (counter.get() != expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(expected, counter.get(), what);
    }
}
