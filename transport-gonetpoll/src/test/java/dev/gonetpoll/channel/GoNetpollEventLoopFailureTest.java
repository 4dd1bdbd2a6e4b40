package dev.gonetpoll.channel;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static dev.gonetpoll.channel.LoopTests.WAIT_SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A loop whose goroutine dies of an {@link Error} while logging is broken. Seen for real: out of file
 * descriptors, java.util.logging's formatter failed to load time-zone data and every log call threw
 * {@code NoClassDefFoundError}; the loop's failure handler logged first, threw again, and left the
 * loop "running" with nobody to run it, its channels open, its tasks never run, and the group's
 * shutdown waiting forever. Here the same happens through the JDK logger Netty uses by default: a
 * handler's exception reaches Netty's tail handler, whose warning throws, and so does Netty's
 * report of that; the Error escapes the pipeline into the loop.
 */
@Timeout(120)
class GoNetpollEventLoopFailureTest {

    /** A java.util.logging handler that throws for warnings, as the broken formatter did. */
    private static final class ThrowingHandler extends Handler {
        final AtomicInteger thrown = new AtomicInteger();

        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                thrown.incrementAndGet();
                throw new NoClassDefFoundError("sun/util/calendar/ZoneInfoFile (simulated: Too many open files)");
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    private final ThrowingHandler throwing = new ThrowingHandler();
    private Handler[] workingHandlers;
    private GoNetpollEventLoopGroup group;

    @BeforeEach
    void breakLogging() {
        assertInstanceOf(JdkLoggerFactory.class, InternalLoggerFactory.getDefaultFactory(),
                "this test breaks java.util.logging, which Netty must be using");
        Logger root = Logger.getLogger("");
        workingHandlers = root.getHandlers();
        for (Handler h : workingHandlers) {
            root.removeHandler(h);
        }
        root.addHandler(throwing);
        group = new GoNetpollEventLoopGroup(1);
    }

    @AfterEach
    void repairLogging() {
        Logger root = Logger.getLogger("");
        root.removeHandler(throwing);
        for (Handler h : workingHandlers) {
            root.addHandler(h);
        }
        if (group != null) {
            LoopTests.shutdown(group);
        }
    }

    @Test
    void aLoopWhoseGoroutineDiesWhileLoggingIsBrokenTerminatesClosesItsChannelsAndLetsTheGroupTerminate()
            throws Exception {
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        CountDownLatch requestSeen = new CountDownLatch(1);
        Channel server = new ServerBootstrap().group(group).channel(GoNetpollServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accepted.complete(ch);
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ReferenceCountUtil.release(msg);
                                requestSeen.countDown();
                                throw new IllegalStateException("a handler fails; its report cannot be logged");
                            }
                        });
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        InetSocketAddress address = (InetSocketAddress) server.localAddress();
        try (Socket client = new Socket(address.getAddress(), address.getPort())) {
            client.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            Channel child = accepted.get(WAIT_SECONDS, TimeUnit.SECONDS);
            EventLoop loop = child.eventLoop();
            // A task queued behind the failing read: it either runs or is rejected, never lost.
            AtomicInteger queuedRan = new AtomicInteger();
            OutputStream out = client.getOutputStream();
            out.write("boom".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertTrue(requestSeen.await(WAIT_SECONDS, TimeUnit.SECONDS));
            boolean queued;
            try {
                loop.execute(queuedRan::incrementAndGet);
                queued = true;
            } catch (RejectedExecutionException e) {
                queued = false;
            }

            assertTrue(loop.terminationFuture().await(WAIT_SECONDS, TimeUnit.SECONDS),
                    "the loop whose goroutine failed never terminated");
            assertTrue(throwing.thrown.get() > 0, "logging never failed: the test did not test anything");
            assertTrue(loop.isTerminated());
            assertFalse(child.isOpen(), "the failed loop's channel is still open");
            assertTrue(child.closeFuture().isDone());
            assertEquals(queued ? 1 : 0, queuedRan.get(), "a task queued to the failed loop was lost or ran twice");
            assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> { }));
            InputStream in = client.getInputStream();
            assertEquals(-1, in.read(), "the peer of the failed loop's channel was not closed");
        }
        // The group and its other loops go on: the server still accepts.
        assertTrue(server.isActive());
        try (Socket another = new Socket(address.getAddress(), address.getPort())) {
            LoopTests.await(() -> accepted.isDone(), "accept");
        }
        server.close().sync();
        // ...and terminates.
        assertTrue(group.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(WAIT_SECONDS, TimeUnit.SECONDS),
                "the group did not terminate after one of its loops failed");
        group = null;
    }
}
