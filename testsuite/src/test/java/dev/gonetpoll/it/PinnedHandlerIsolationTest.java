package dev.gonetpoll.it;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import dev.gonetpoll.channel.GoNetpoll;
import dev.gonetpoll.channel.GoNetpollEventLoopGroup;
import dev.gonetpoll.channel.GoNetpollServerSocketChannel;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9's promise, end to end on ONE processor: two handlers pin their carrier threads for 2 s (a
 * CPU loop, read(2) on a FIFO, a native sleep through JNA, a native sleep inside
 * {@link GoNetpoll#blocking}), and meanwhile every other connection is served as if nothing happened:
 * {@code /fast} on new connections (so accepting goes on), and a 50 ms {@link IdleStateHandler} fires
 * on time. Without hand-offs all of it waits for the pinned handlers (2 s and more). Afterwards the
 * carriers that the hand-offs started go back to the spares and retire, and every request was
 * handled exactly once.
 */
@Timeout(120)
class PinnedHandlerIsolationTest {

    private static final long PIN_MILLIS = 2_000;
    private static final long IDLE_MILLIS = 50;
    private static final int FAST_REQUESTS = 5;
    private static final long SPARE_KEEP_ALIVE_MILLIS = 200;

    /** libc through JNA, as a driver or a native library would call it: the call pins the carrier. */
    static final class Libc {
        static {
            Native.register(Libc.class, Platform.C_LIBRARY_NAME);
        }

        static native int usleep(int micros);

        static native int mkfifo(String path, int mode);
    }

    /** How a /slow handler pins its carrier. */
    enum Pin {
        CPU_LOOP, FIFO_READ, JNA_SLEEP, BLOCKING_REGION
    }

    @TempDir
    Path dir;

    private GoNetpollEventLoopGroup group;
    private Channel server;
    private Channel idleServer;
    private final Map<String, AtomicInteger> handled = new ConcurrentHashMap<>();
    private final AtomicInteger pinning = new AtomicInteger();
    private final List<Long> idleFiredAfterMillis = new ArrayList<>();

    @BeforeEach
    void startServers() throws Exception {
        // Short keep-alive, so that the extra carriers retire within the test.
        System.setProperty("gonetpoll.spareCarrierKeepAliveMillis", Long.toString(SPARE_KEEP_ALIVE_MILLIS));
        try {
            group = new GoNetpollEventLoopGroup(1);
        } finally {
            System.clearProperty("gonetpoll.spareCarrierKeepAliveMillis");
        }
        server = new ServerBootstrap().group(group).channel(GoNetpollServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1024), new Handler());
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        idleServer = new ServerBootstrap().group(group).channel(GoNetpollServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        long start = System.nanoTime();
                        ch.pipeline().addLast(new IdleStateHandler(IDLE_MILLIS, 0, 0, TimeUnit.MILLISECONDS),
                                new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                        if (evt instanceof IdleStateEvent) {
                                            synchronized (idleFiredAfterMillis) {
                                                idleFiredAfterMillis.add(
                                                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                                            }
                                            ctx.close();
                                        }
                                    }
                                });
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
    }

    @AfterEach
    void stopServers() {
        assertTrue(group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(30, TimeUnit.SECONDS));
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws Exception {
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            String id = uri.parameters().get("id").get(0);
            handled.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            if (uri.path().equals("/slow")) {
                pinning.incrementAndGet();
                Pin pin = Pin.valueOf(uri.parameters().get("pin").get(0));
                pin(pin, uri.parameters().containsKey("fifo") ? uri.parameters().get("fifo").get(0) : null);
            }
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(id, StandardCharsets.US_ASCII));
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static void pin(Pin pin, String fifo) throws Exception {
        switch (pin) {
            case CPU_LOOP -> {
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PIN_MILLIS);
                while (System.nanoTime() - end < 0) {
                    Thread.onSpinWait();
                }
            }
            case FIFO_READ -> {
                try (InputStream in = new FileInputStream(fifo)) { // open(2) and read(2) both block
                    in.read();
                }
            }
            case JNA_SLEEP -> Libc.usleep((int) TimeUnit.MILLISECONDS.toMicros(PIN_MILLIS));
            case BLOCKING_REGION -> GoNetpoll.blocking(() -> Libc.usleep((int) TimeUnit.MILLISECONDS.toMicros(PIN_MILLIS)));
        }
    }

    /** One HTTP/1.1 request on a new connection; returns the body. */
    private static String get(InetSocketAddress address, String pathAndQuery) throws IOException {
        try (Socket s = new Socket(address.getAddress(), address.getPort())) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: test\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            return response.substring(response.indexOf("\r\n\r\n") + 4);
        }
    }

    @ParameterizedTest
    @EnumSource(Pin.class)
    void twoPinnedHandlersHoldBackOnlyTheirOwnConnections(Pin pin) throws Exception {
        InetSocketAddress address = (InetSocketAddress) server.localAddress();
        long handoffsBefore = group.handoffCount();
        List<CompletableFuture<String>> slow = new ArrayList<>();
        List<Path> fifos = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String query = "/slow?pin=" + pin + "&id=slow-" + pin + "-" + i;
            if (pin == Pin.FIFO_READ) {
                Path fifo = dir.resolve("fifo-" + i);
                assertEquals(0, Libc.mkfifo(fifo.toString(), 0600), "mkfifo " + fifo);
                fifos.add(fifo);
                query += "&fifo=" + fifo;
            }
            String q = query;
            CompletableFuture<String> response = new CompletableFuture<>();
            Thread.ofPlatform().daemon().name("slow-client-" + i).start(() -> { // both in flight at once
                try {
                    response.complete(get(address, q));
                } catch (Throwable t) {
                    response.completeExceptionally(t);
                }
            });
            slow.add(response);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pinning.get() < 2) {
            assertTrue(System.nanoTime() < deadline, "the two slow handlers never started");
            Thread.sleep(1);
        }
        long pinnedAt = System.nanoTime();

        // While both are pinned: new connections are accepted and answered, and a timer fires on time.
        long[] fastMillis = new long[FAST_REQUESTS];
        InetSocketAddress idleAddress = (InetSocketAddress) idleServer.localAddress();
        try (Socket idle = new Socket(idleAddress.getAddress(), idleAddress.getPort())) {
            for (int i = 0; i < FAST_REQUESTS; i++) {
                long start = System.nanoTime();
                assertEquals("fast-" + pin + "-" + i, get(address, "/fast?id=fast-" + pin + "-" + i));
                fastMillis[i] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            }
            idle.setSoTimeout(10_000);
            assertEquals(-1, idle.getInputStream().read(), "the idle connection was not closed by its IdleStateHandler");
        }
        long fastDoneAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pinnedAt);
        assertTrue(fastDoneAfter < PIN_MILLIS, "the fast requests were answered only after " + fastDoneAfter
                + " ms, when the pinned handlers let go (" + Arrays.toString(fastMillis) + ")");
        long[] sorted = fastMillis.clone();
        Arrays.sort(sorted);
        assertTrue(sorted[FAST_REQUESTS / 2] < 100, pin + ": /fast took " + Arrays.toString(fastMillis) + " ms");
        long idleAfter;
        synchronized (idleFiredAfterMillis) {
            assertEquals(1, idleFiredAfterMillis.size());
            idleAfter = idleFiredAfterMillis.get(0);
        }
        assertTrue(idleAfter >= IDLE_MILLIS && idleAfter < IDLE_MILLIS + 100,
                pin + ": the 50 ms IdleStateHandler fired after " + idleAfter + " ms");

        // Let the FIFO readers go, then every slow request completes, once.
        Thread.sleep(Math.max(0, PIN_MILLIS - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pinnedAt)));
        for (Path fifo : fifos) {
            try (OutputStream out = new FileOutputStream(fifo.toFile())) {
                out.write(1);
            }
        }
        for (int i = 0; i < 2; i++) {
            assertEquals("slow-" + pin + "-" + i, slow.get(i).get(30, TimeUnit.SECONDS));
        }
        handled.forEach((id, count) -> assertEquals(1, count.get(), id + " was handled " + count.get() + " times"));
        assertEquals(2 + FAST_REQUESTS, handled.size(), "requests were lost: " + handled.keySet());
        assertTrue(group.handoffCount() > handoffsBefore, "no processor was handed off");

        // The carriers started for the hand-offs go back to the spares, and those beyond one per
        // processor retire: at most the processor's carrier, one poller and one kept spare remain.
        int bound = 2 * group.processorCount() + 1;
        long retireBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (group.carrierCount() > bound) {
            assertTrue(System.nanoTime() < retireBy, group.carrierCount() + " carriers remain, more than " + bound);
            Thread.sleep(10);
        }
        System.out.println("PinnedHandlerIsolationTest " + pin + ": /fast " + Arrays.toString(fastMillis)
                + " ms, idle handler after " + idleAfter + " ms, hand-offs " + (group.handoffCount() - handoffsBefore)
                + ", carriers now " + group.carrierCount());
    }
}
