package dev.gonetpoll.channel;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.gonetpoll.channel.LoopTests.WAIT_SECONDS;
import static dev.gonetpoll.channel.LoopTests.await;
import static dev.gonetpoll.channel.LoopTests.holdsOnLoop;
import static dev.gonetpoll.channel.LoopTests.onLoop;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@link GoNetpollEventLoop} and its channels: registration, a loop shared by two channels (the
 * proxy pattern, {@code new Bootstrap().group(inbound.eventLoop())}) runs both in one goroutine, a
 * blocking handler holds back exactly the channels of its own loop, and shutting a loop down closes
 * its channels (also one registered while it was shutting down) but nothing of other loops.
 * Everything runs over 127.0.0.1.
 */
@Timeout(120)
class GoNetpollEventLoopChannelsTest {

    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final List<GoNetpollEventLoopGroup> groups = new ArrayList<>();

    private GoNetpollEventLoopGroup newGroup(int processors) {
        GoNetpollEventLoopGroup g = new GoNetpollEventLoopGroup(processors);
        groups.add(g);
        return g;
    }

    @AfterEach
    void shutdownGroups() {
        for (GoNetpollEventLoopGroup g : groups) {
            LoopTests.shutdown(g);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Registration

    @Test
    void aLoopCountsTheChannelsRegisteredWithIt() throws Exception {
        // Netty's testChannelsRegistered, with the loop's own count.
        GoNetpollEventLoopGroup group = newGroup(1);
        GoNetpollEventLoop loop = (GoNetpollEventLoop) group.next();
        GoNetpollSocketChannel ch1 = new GoNetpollSocketChannel();
        GoNetpollSocketChannel ch2 = new GoNetpollSocketChannel();
        try {
            assertEquals(0, (int) onLoop(loop, loop::channelCount));
            assertTrue(loop.register(ch1).syncUninterruptibly().isSuccess());
            assertTrue(loop.register(ch2).syncUninterruptibly().isSuccess());
            assertSame(loop, ch1.eventLoop());
            assertSame(loop, ch2.eventLoop());
            assertEquals(2, (int) onLoop(loop, loop::channelCount));

            assertTrue(ch1.deregister().syncUninterruptibly().isSuccess());
            assertFalse(ch1.isRegistered());
            assertTrue(ch1.isOpen(), "deregistering closed the channel");
            assertEquals(1, (int) onLoop(loop, loop::channelCount));

            // Close completes its future first and deregisters in a task queued after that.
            assertTrue(ch2.close().syncUninterruptibly().isSuccess());
            awaitChannelCount(loop, 0);
        } finally {
            ch1.unsafe().closeForcibly();
            ch2.unsafe().closeForcibly();
        }
    }

    private static void awaitChannelCount(GoNetpollEventLoop loop, int expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        int count;
        while ((count = onLoop(loop, loop::channelCount)) != expected && System.nanoTime() - deadline < 0) {
            Thread.sleep(1);
        }
        assertEquals(expected, count);
    }

    @Test
    void registeringWithATerminatedLoopFailsAndClosesTheChannel() throws Exception {
        GoNetpollEventLoopGroup group = newGroup(1);
        EventLoop loop = group.next();
        assertTrue(loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(WAIT_SECONDS, TimeUnit.SECONDS));
        GoNetpollSocketChannel ch = new GoNetpollSocketChannel();
        ChannelFuture f = loop.register(ch);
        assertTrue(f.await(WAIT_SECONDS, TimeUnit.SECONDS));
        assertInstanceOf(RejectedExecutionException.class, f.cause());
        assertFalse(ch.isOpen(), "a channel that could not be registered kept its descriptor");
    }

    @Test
    void aLoopHandedOutByNextIsNotHandedOutAgainBeforeItsChannelArrives() throws Exception {
        // next() and the registration it is for are two steps (Bootstrap registers in a task). A
        // stale task on the loop in between (a write to an old channel from another thread, say)
        // lets its goroutine run and go idle again; that must not put the loop back in the pool, or
        // two connections would share one goroutine.
        GoNetpollEventLoopGroup group = newGroup(1);
        GoNetpollSocketChannel old = new GoNetpollSocketChannel();
        assertTrue(group.register(old).syncUninterruptibly().isSuccess());
        EventLoop loop = old.eventLoop();
        old.close().syncUninterruptibly();
        await(() -> group.liveLoopCount() == 0, "the loop of the closed channel to go idle");

        EventLoop handedOut = group.next();
        assertSame(loop, handedOut, "an idle loop is reused (see GroupShutdownTest)");
        onLoop(loop, Thread::currentThread); // a stale task: the loop runs and goes idle again
        await(() -> !((GoNetpollEventLoop) loop).hasGoroutine(), "the loop to go idle after the stale task");

        EventLoop next = group.next();
        assertNotSame(handedOut, next, "one loop was handed out twice");

        // The loop is used by the channel it was handed out for, and is reused once that one closes.
        GoNetpollSocketChannel fresh = new GoNetpollSocketChannel();
        assertTrue(handedOut.register(fresh).syncUninterruptibly().isSuccess());
        fresh.close().syncUninterruptibly();
        await(() -> group.liveLoopCount() == 0, "the loop of the closed channel to go idle");
        assertSame(handedOut, group.next(), "a loop whose channel closed is not reused");
    }

    // ---------------------------------------------------------------------------------------------
    // One loop, two channels

    @Test
    void aSharedLoopRunsBothChannelsInOneGoroutine() throws Exception {
        GoNetpollEventLoopGroup group = newGroup(2);
        Proxy proxy = new Proxy(group);
        try (Socket client = connect(proxy.frontend)) {
            assertEquals("ping", roundTrip(client, "ping"));
            assertEquals("pong", roundTrip(client, "pong"));

            Channel inbound = proxy.inbound.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            Channel outbound = proxy.outbound.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(inbound);
            assertNotNull(outbound);
            assertSame(inbound.eventLoop(), outbound.eventLoop(), "the outbound channel got a loop of its own");

            List<Thread> threads = new ArrayList<>(proxy.handlerThreads);
            assertTrue(threads.size() >= 6, "handler calls seen: " + threads.size());
            Thread goroutine = threads.get(0);
            assertTrue(goroutine.isVirtual());
            for (Thread t : threads) {
                assertSame(goroutine, t, "the two channels of one loop ran on different threads");
            }
            assertTrue(holdsOnLoop(inbound.eventLoop(), () -> Thread.currentThread() == goroutine),
                    "a loop with channels changed its goroutine");
            assertFalse(holdsOnLoop(proxy.backendServer.eventLoop(), () -> Thread.currentThread() == goroutine),
                    "another loop ran in the shared loop's goroutine");
        } finally {
            proxy.close();
        }
    }

    @Test
    void aBlockingHandlerHoldsBackItsSharedLoopButNoOtherLoop() throws Exception {
        // One processor: whatever runs while the handler blocks runs on the same carrier.
        GoNetpollEventLoopGroup group = newGroup(1);
        Proxy proxy = new Proxy(group);
        try (Socket client = connect(proxy.frontend);
             Socket other = connect(proxy.backendServer.localAddress())) {
            assertEquals("warm", roundTrip(client, "warm"));
            Channel inbound = proxy.inbound.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(inbound);
            EventLoop shared = inbound.eventLoop();
            // The backend accepted two connections (the proxy's outbound one and "other"), in either
            // order: pick the one whose peer is the outbound channel.
            Channel outbound = proxy.outbound.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(outbound);
            Channel backendSideOfOutbound = null;
            while (backendSideOfOutbound == null) {
                Channel ch = proxy.backendChildren.poll(WAIT_SECONDS, TimeUnit.SECONDS);
                assertNotNull(ch, "the backend never accepted the proxy's outbound connection");
                if (ch.remoteAddress().equals(outbound.localAddress())) {
                    backendSideOfOutbound = ch;
                }
            }
            int outboundReadsBefore = proxy.outboundReads.get();

            send(client, "block");
            assertTrue(proxy.blocking.await(WAIT_SECONDS, TimeUnit.SECONDS), "the handler never blocked");
            try {
                // Data for the outbound channel arrives in its socket, and a task waits in the loop.
                assertTrue(backendSideOfOutbound.writeAndFlush(ascii("late")).await(WAIT_SECONDS, TimeUnit.SECONDS));
                Future<Thread> task = shared.submit(Thread::currentThread);

                // Another loop, on the same single processor, serves its connection meanwhile.
                assertEquals("other", roundTrip(other, "other"));
                assertEquals("again", roundTrip(other, "again"));

                // The shared loop's goroutine is blocked in the handler: neither its other channel
                // nor its task could have run.
                assertEquals(outboundReadsBefore, proxy.outboundReads.get(),
                        "the outbound channel read while its loop was blocked");
                assertFalse(task.isDone(), "a task of the blocked loop ran");
            } finally {
                proxy.release.countDown();
            }
            // Released: the loop catches up, the backend's "late" reaches the client through it.
            assertEquals("late", receive(client, 4));
            assertEquals("block", receive(client, 5));
        } finally {
            proxy.close();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Shutting a loop down

    @Test
    void shuttingALoopDownClosesItsChannelsAndNothingElse() throws Exception {
        GoNetpollEventLoopGroup group = newGroup(2);
        EchoServer backend = new EchoServer(group);
        try {
            Channel first = new Bootstrap().group(group).channel(GoNetpollSocketChannel.class)
                    .handler(new ChannelInboundHandlerAdapter())
                    .connect(backend.address()).sync().channel();
            EventLoop loop = first.eventLoop();
            Channel second = new Bootstrap().group(loop).channel(GoNetpollSocketChannel.class)
                    .handler(new ChannelInboundHandlerAdapter())
                    .connect(backend.address()).sync().channel();
            Channel elsewhere = new Bootstrap().group(group).channel(GoNetpollSocketChannel.class)
                    .handler(new ChannelInboundHandlerAdapter())
                    .connect(backend.address()).sync().channel();
            assertSame(loop, second.eventLoop());
            assertNotSame(loop, elsewhere.eventLoop());
            await(() -> backend.children.size() == 3, "three accepted connections");

            assertTrue(loop.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(WAIT_SECONDS, TimeUnit.SECONDS));
            assertTrue(first.closeFuture().isDone(), "a channel of the terminated loop is open");
            assertTrue(second.closeFuture().isDone(), "a channel of the terminated loop is open");
            assertFalse(first.isOpen());
            assertFalse(second.isOpen());
            // The peers see the close: the descriptors were really closed.
            await(() -> backend.children.stream().filter(Channel::isActive).count() == 1,
                    "the backend to see exactly two connections closed");

            assertTrue(elsewhere.isActive(), "a channel of another loop was closed");
            assertTrue(backend.server.isActive(), "the server of another loop was closed");
            assertFalse(group.isShuttingDown());
            try (Socket s = connect(backend.address())) {
                assertEquals("still", roundTrip(s, "still"));
            }
            elsewhere.close().sync();
        } finally {
            backend.close();
        }
    }

    @Test
    void aChannelRegisteredDuringTheQuietPeriodIsClosedToo() throws Exception {
        GoNetpollEventLoopGroup group = newGroup(2);
        EchoServer backend = new EchoServer(group);
        try {
            Channel before = new Bootstrap().group(group).channel(GoNetpollSocketChannel.class)
                    .handler(new ChannelInboundHandlerAdapter())
                    .connect(backend.address()).sync().channel();
            EventLoop loop = before.eventLoop();
            Future<?> termination = loop.shutdownGracefully(1, 10, TimeUnit.SECONDS);
            assertTrue(before.closeFuture().await(WAIT_SECONDS, TimeUnit.SECONDS),
                    "shutdown did not close the loop's channel");
            assertFalse(termination.isDone());

            // The loop still runs tasks in its quiet period, registration included. (A connect would
            // fail here: Netty's resolver group refuses a loop that is shutting down.)
            GoNetpollSocketChannel lateChannel = new GoNetpollSocketChannel();
            ChannelFuture late = loop.register(lateChannel);
            assertTrue(late.await(WAIT_SECONDS, TimeUnit.SECONDS));
            assertTrue(late.isSuccess(), () -> "registration in the quiet period failed: " + late.cause());

            try {
                assertTrue(termination.await(WAIT_SECONDS, TimeUnit.SECONDS));
                assertFalse(lateChannel.isOpen(), "a channel registered during the quiet period outlived its loop");
                assertTrue(lateChannel.closeFuture().isDone());
            } finally {
                lateChannel.unsafe().closeForcibly(); // whatever happened, do not leak its descriptor
            }
        } finally {
            backend.close();
        }
    }

    @Test
    void groupShutdownWithoutQuietPeriodEndsALoopWithAnOpenServer() throws Exception {
        // Netty's testShutdownGracefullyNoQuietPeriod: the server channel is not closed first.
        GoNetpollEventLoopGroup group = new GoNetpollEventLoopGroup(1);
        Channel server = new ServerBootstrap().group(group).channel(GoNetpollServerSocketChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter())
                .bind(LOOPBACK).sync().channel();
        Future<?> f = group.shutdownGracefully(0, 1, TimeUnit.MINUTES);
        assertTrue(group.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(f.syncUninterruptibly().isSuccess());
        assertTrue(group.isShutdown());
        assertTrue(group.isTerminated());
        assertTrue(server.eventLoop().isTerminated());
        assertFalse(server.isOpen());
    }

    @Test
    void aHandlerCanShutItsOwnLoopDown() throws Exception {
        GoNetpollEventLoopGroup group = newGroup(2);
        AtomicReference<Future<?>> termination = new AtomicReference<>();
        CountDownLatch requested = new CountDownLatch(1);
        Channel server = new ServerBootstrap().group(group).channel(GoNetpollServerSocketChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ReferenceCountUtil.release(msg);
                        termination.set(ctx.channel().eventLoop().shutdownGracefully(0, 5, TimeUnit.SECONDS));
                        requested.countDown();
                    }
                })
                .bind(LOOPBACK).sync().channel();
        try (Socket client = connect(server.localAddress())) {
            send(client, "stop");
            assertTrue(requested.await(WAIT_SECONDS, TimeUnit.SECONDS));
            assertTrue(termination.get().await(WAIT_SECONDS, TimeUnit.SECONDS));
            // The accepted channel was closed with its loop: the client reads end-of-stream.
            assertEquals(-1, client.getInputStream().read());
            assertTrue(server.isActive(), "the server's own loop was shut down too");
        } finally {
            server.close().sync();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Fixtures

    /** An echo server; it remembers its accepted channels. */
    private static final class EchoServer {
        final Channel server;
        final Queue<Channel> children = new ConcurrentLinkedQueue<>();

        EchoServer(GoNetpollEventLoopGroup group) throws InterruptedException {
            server = new ServerBootstrap().group(group).channel(GoNetpollServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            children.add(ch);
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ctx.writeAndFlush(msg);
                                }
                            });
                        }
                    })
                    .bind(LOOPBACK).sync().channel();
        }

        SocketAddress address() {
            return server.localAddress();
        }

        void close() throws InterruptedException {
            server.close().sync();
            for (Channel ch : children) {
                ch.close().sync();
            }
        }
    }

    /**
     * A TCP proxy in Netty's usual shape: for each accepted (inbound) channel it connects an
     * outbound channel with {@code new Bootstrap().group(inbound.eventLoop())}, then relays bytes
     * both ways. The backend echoes. The inbound handler blocks on {@link #release} when it reads
     * "block". Every handler call records its thread in {@link #handlerThreads}.
     */
    private static final class Proxy {
        final Channel frontendServer;
        final SocketAddress frontend;
        final Channel backendServer;
        final BlockingQueue<Channel> inbound = new LinkedBlockingQueue<>();
        final BlockingQueue<Channel> outbound = new LinkedBlockingQueue<>();
        final BlockingQueue<Channel> backendChildren = new LinkedBlockingQueue<>();
        final Queue<Thread> handlerThreads = new ConcurrentLinkedQueue<>();
        final AtomicInteger outboundReads = new AtomicInteger();
        final CountDownLatch blocking = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        Proxy(GoNetpollEventLoopGroup group) throws InterruptedException {
            backendServer = new ServerBootstrap().group(group).channel(GoNetpollServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            backendChildren.add(ch);
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ctx.writeAndFlush(msg);
                                }
                            });
                        }
                    })
                    .bind(LOOPBACK).sync().channel();
            SocketAddress backend = backendServer.localAddress();
            frontendServer = new ServerBootstrap().group(group).channel(GoNetpollServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel in) {
                            in.config().setAutoRead(false); // until the outbound channel is connected
                            in.pipeline().addLast(new InboundRelay(backend));
                        }
                    })
                    .bind(LOOPBACK).sync().channel();
            frontend = frontendServer.localAddress();
        }

        void close() throws InterruptedException {
            release.countDown();
            frontendServer.close().sync();
            backendServer.close().sync();
            for (Channel ch : inbound) {
                ch.close().sync();
            }
            for (Channel ch : outbound) {
                ch.close().sync();
            }
            for (Channel ch : backendChildren) {
                ch.close().sync();
            }
        }

        private final class InboundRelay extends ChannelInboundHandlerAdapter {
            private final SocketAddress backend;
            private Channel out;

            InboundRelay(SocketAddress backend) {
                this.backend = backend;
            }

            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                handlerThreads.add(Thread.currentThread());
                Channel in = ctx.channel();
                inbound.add(in);
                ChannelFuture connect = new Bootstrap()
                        .group(in.eventLoop()) // the proxy pattern: share the inbound channel's loop
                        .channel(GoNetpollSocketChannel.class)
                        .handler(new OutboundRelay(in))
                        .connect(backend);
                out = connect.channel();
                outbound.add(out);
                connect.addListener((ChannelFuture f) -> {
                    handlerThreads.add(Thread.currentThread());
                    if (f.isSuccess()) {
                        in.config().setAutoRead(true);
                    } else {
                        in.close();
                    }
                });
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) throws InterruptedException {
                handlerThreads.add(Thread.currentThread());
                ByteBuf buf = (ByteBuf) msg;
                if (buf.toString(StandardCharsets.US_ASCII).equals("block")) {
                    blocking.countDown();
                    release.await(); // blocks the loop's goroutine, as blocking handler code does
                }
                out.writeAndFlush(buf);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                out.close();
            }
        }

        private final class OutboundRelay extends ChannelInboundHandlerAdapter {
            private final Channel in;

            OutboundRelay(Channel in) {
                this.in = in;
            }

            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                handlerThreads.add(Thread.currentThread());
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                handlerThreads.add(Thread.currentThread());
                outboundReads.incrementAndGet();
                in.writeAndFlush(msg);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                in.close();
            }
        }
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    private static Socket connect(SocketAddress address) throws IOException {
        Socket s = new Socket();
        s.connect(address, (int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        s.setTcpNoDelay(true);
        s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    private static String receive(Socket s, int length) throws IOException {
        byte[] b = new byte[length];
        InputStream in = s.getInputStream();
        int n = 0;
        while (n < length) {
            int r = in.read(b, n, length - n);
            if (r < 0) {
                throw new IOException("end of stream after " + n + " of " + length + " bytes");
            }
            n += r;
        }
        return new String(b, StandardCharsets.US_ASCII);
    }

    private static String roundTrip(Socket s, String text) throws IOException {
        send(s, text);
        return receive(s, text.length());
    }
}
