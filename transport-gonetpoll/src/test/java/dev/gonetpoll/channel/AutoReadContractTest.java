package dev.gonetpoll.channel;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.gonetpoll.channel.LoopTests.WAIT_SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Netty's auto-read contract on every channel type: turning auto-read off stops reading (accepting,
 * for a server channel) even when the last auto-read cycle already requested a read, until auto-read
 * is turned on again. Netty's {@code ServerBootstrapAcceptor} pauses accepting this way for a second
 * after an accept failed; a channel that kept its pending read retried anyway. Each case turns
 * auto-read off both from inside the channel's loop and from another thread.
 */
@Timeout(120)
class AutoReadContractTest {

    /** How long nothing may be read while auto-read is off: long enough for a wrong read to happen. */
    private static final long QUIET_MILLIS = 300;

    @TempDir
    Path dir;

    private final GoNetpollEventLoopGroup group = new GoNetpollEventLoopGroup(1);

    @AfterEach
    void shutdown() {
        LoopTests.shutdown(group);
    }

    /** Counts what reaches the pipeline, releasing it. */
    private static final class Counter extends ChannelInboundHandlerAdapter {
        final AtomicInteger reads = new AtomicInteger();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            reads.incrementAndGet();
        }
    }

    private static void autoReadOff(Channel ch, boolean fromLoop) throws Exception {
        if (fromLoop) {
            LoopTests.onLoop(ch.eventLoop(), () -> ch.config().setAutoRead(false));
        } else {
            ch.config().setAutoRead(false);
            LoopTests.onLoop(ch.eventLoop(), () -> null); // the clearing task has run
        }
    }

    /** Nothing is read while auto-read is off; everything once it is on again. */
    private static void assertPausedThenResumed(Channel ch, Counter counter, int expected) throws Exception {
        Thread.sleep(QUIET_MILLIS);
        assertEquals(0, counter.reads.get(), ch + " read while auto-read was off");
        ch.config().setAutoRead(true);
        LoopTests.await(() -> counter.reads.get() == expected, ch + " reads again once auto-read is on");
    }

    private Channel server(Class<? extends Channel> type, SocketAddress address, Counter accepted) throws Exception {
        return new ServerBootstrap().group(group).channel(type.asSubclass(io.netty.channel.ServerChannel.class))
                .handler(accepted)
                .childHandler(new ChannelInboundHandlerAdapter())
                .bind(address).sync().channel();
    }

    @ParameterizedTest(name = "from the loop: {0}")
    @ValueSource(booleans = {true, false})
    void aTcpServerChannelAcceptsNothingWhileAutoReadIsOff(boolean fromLoop) throws Exception {
        // (the handler sits before ServerBootstrapAcceptor, so it sees each accepted channel and
        // passes nothing on: the children are closed with the group)
        Counter accepted = new Counter();
        Channel server = server(GoNetpollServerSocketChannel.class,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), accepted);
        autoReadOff(server, fromLoop);
        InetSocketAddress address = (InetSocketAddress) server.localAddress();
        try (Socket a = new Socket(address.getAddress(), address.getPort());
             Socket b = new Socket(address.getAddress(), address.getPort())) {
            assertPausedThenResumed(server, accepted, 2);
        }
        server.close().sync();
    }

    @ParameterizedTest(name = "from the loop: {0}")
    @ValueSource(booleans = {true, false})
    void aDomainServerChannelAcceptsNothingWhileAutoReadIsOff(boolean fromLoop) throws Exception {
        Counter accepted = new Counter();
        Path file = dir.resolve("paused-" + fromLoop + ".sock");
        Channel server = server(GoNetpollServerDomainSocketChannel.class, new DomainSocketAddress(file.toFile()), accepted);
        autoReadOff(server, fromLoop);
        try (SocketChannel a = SocketChannel.open(UnixDomainSocketAddress.of(file))) {
            assertPausedThenResumed(server, accepted, 1);
        }
        server.close().sync();
    }

    @ParameterizedTest(name = "from the loop: {0}")
    @ValueSource(booleans = {true, false})
    void aTcpChannelReadsNothingWhileAutoReadIsOff(boolean fromLoop) throws Exception {
        Counter read = new Counter();
        try (java.net.ServerSocket listener = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Channel ch = new Bootstrap().group(group).channel(GoNetpollSocketChannel.class).handler(read)
                    .connect(listener.getLocalSocketAddress()).sync().channel();
            try (Socket peer = listener.accept()) {
                autoReadOff(ch, fromLoop);
                OutputStream out = peer.getOutputStream();
                out.write(new byte[] {1, 2, 3});
                out.flush();
                Thread.sleep(QUIET_MILLIS);
                assertEquals(0, read.reads.get(), "read while auto-read was off");
                ch.config().setAutoRead(true);
                LoopTests.await(() -> read.reads.get() > 0, "reads again once auto-read is on");
            }
            ch.close().sync();
        }
    }

    @ParameterizedTest(name = "from the loop: {0}")
    @ValueSource(booleans = {true, false})
    void aDomainChannelReadsNothingWhileAutoReadIsOff(boolean fromLoop) throws Exception {
        Counter read = new Counter();
        Path file = dir.resolve("peer-" + fromLoop + ".sock");
        try (java.nio.channels.ServerSocketChannel listener =
                     java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(file));
            Channel ch = new Bootstrap().group(group).channel(GoNetpollDomainSocketChannel.class).handler(read)
                    .connect(new DomainSocketAddress(file.toFile())).sync().channel();
            try (SocketChannel peer = listener.accept()) {
                autoReadOff(ch, fromLoop);
                peer.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
                Thread.sleep(QUIET_MILLIS);
                assertEquals(0, read.reads.get(), "read while auto-read was off");
                ch.config().setAutoRead(true);
                LoopTests.await(() -> read.reads.get() > 0, "reads again once auto-read is on");
            }
            ch.close().sync();
        }
    }

    @ParameterizedTest(name = "from the loop: {0}")
    @ValueSource(booleans = {true, false})
    void aDatagramChannelReadsNothingWhileAutoReadIsOff(boolean fromLoop) throws Exception {
        Counter read = new Counter();
        Channel ch = new Bootstrap().group(group).channel(GoNetpollDatagramChannel.class).handler(read)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        autoReadOff(ch, fromLoop);
        try (DatagramSocket sender = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            byte[] payload = {1, 2, 3};
            sender.send(new java.net.DatagramPacket(payload, payload.length, ch.localAddress()));
            sender.send(new java.net.DatagramPacket(payload, payload.length, ch.localAddress()));
            assertPausedThenResumed(ch, read, 2);
        }
        ch.close().sync();
    }

    @Test
    void aReadRequestedWhileAutoReadIsOffReadsOnce() throws Exception {
        // read() with auto-read off: one read pass, then nothing until the next read().
        Counter read = new Counter();
        Channel ch = new Bootstrap().group(group).channel(GoNetpollDatagramChannel.class).handler(read)
                .option(io.netty.channel.ChannelOption.AUTO_READ, false)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        try (DatagramSocket sender = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            byte[] payload = {1};
            sender.send(new java.net.DatagramPacket(payload, payload.length, ch.localAddress()));
            Thread.sleep(QUIET_MILLIS);
            assertEquals(0, read.reads.get(), "read without a read request");
            ch.read();
            LoopTests.await(() -> read.reads.get() == 1, "the requested read");
            sender.send(new java.net.DatagramPacket(payload, payload.length, ch.localAddress()));
            Thread.sleep(QUIET_MILLIS);
            assertEquals(1, read.reads.get(), "a second read without a second request");
        }
        ch.close().sync();
    }
}
