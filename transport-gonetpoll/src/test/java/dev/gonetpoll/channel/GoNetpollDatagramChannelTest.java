package dev.gonetpoll.channel;

import dev.gonetpoll.sys.Socket;
import dev.gonetpoll.sys.UdpSocket;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultAddressedEnvelope;
import io.netty.channel.DefaultMaxMessagesRecvByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Edge cases of {@link GoNetpollDatagramChannel}, over IPv4 loopback. */
@Timeout(60)
class GoNetpollDatagramChannelTest {

    private static final InetSocketAddress LOOPBACK_ANY_PORT =
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private EventLoopGroup group;
    private final List<Channel> channels = new ArrayList<>();

    @BeforeEach
    void createGroup() {
        group = new GoNetpollEventLoopGroup(2);
    }

    @AfterEach
    void closeAndShutdown() {
        for (Channel ch : channels) {
            ch.close().syncUninterruptibly();
        }
        assertTrue(group.shutdownGracefully(0, 10, TimeUnit.SECONDS).awaitUninterruptibly(30, TimeUnit.SECONDS),
                "group did not terminate");
    }

    @Test
    void writeToAnUnresolvedAddressFailsOnlyThatWrite() throws Exception {
        Receiver receiver = new Receiver(bootstrap());
        Channel sender = bind(bootstrap().handler(new ChannelInboundHandlerAdapter()));
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved("no.such.host.invalid", 9);
        ByteBuf lost = text("lost");

        ChannelFuture bad = sender.writeAndFlush(new DatagramPacket(lost, unresolved)).await();
        assertInstanceOf(UnresolvedAddressException.class, bad.cause());
        assertEquals(0, lost.refCnt(), "the refused message is released");
        assertTrue(sender.isOpen());

        sender.writeAndFlush(new DatagramPacket(text("still sending"), receiver.address())).sync();
        assertEquals("still sending", receiver.nextText());
    }

    @Test
    void datagramLongerThanTheReceiveBufferIsTruncatedAndTheNextOneIsWhole() throws Exception {
        Receiver receiver = new Receiver(bootstrap());
        Channel sender = bind(bootstrap().handler(new ChannelInboundHandlerAdapter()));
        byte[] big = pattern(GoNetpollDatagramChannelConfig.DEFAULT_RECEIVE_BUFFER + 1000);

        sender.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(big), receiver.address())).sync();
        sender.writeAndFlush(new DatagramPacket(text("after"), receiver.address())).sync();

        byte[] truncated = receiver.next();
        assertArrayEquals(Arrays.copyOf(big, GoNetpollDatagramChannelConfig.DEFAULT_RECEIVE_BUFFER), truncated);
        assertEquals("after", receiver.nextText());
    }

    @Test
    void receiveBufferOfTheMaximumSizeTakesTheLargestDatagramWhole() throws Exception {
        int maxIpv4Payload = 65_507;
        Receiver receiver = new Receiver(bootstrap()
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(maxIpv4Payload))
                .option(ChannelOption.SO_RCVBUF, 1 << 20));
        Channel sender = bind(bootstrap().handler(new ChannelInboundHandlerAdapter()));
        byte[] largest = pattern(maxIpv4Payload);

        sender.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(largest), receiver.address())).sync();
        assertArrayEquals(largest, receiver.next());
    }

    @Test
    void closeWhileAWriteWaitsForRoomFailsTheWriteAndReleasesIt() throws Exception {
        SendBufferFullSocket udp = new SendBufferFullSocket();
        GoNetpollDatagramChannel ch = register(new GoNetpollDatagramChannel(udp));
        ch.bind(LOOPBACK_ANY_PORT).sync();
        ByteBuf data = text("waiting");

        ChannelFuture write = ch.writeAndFlush(new DatagramPacket(data, LOOPBACK_ANY_PORT));
        assertTrue(udp.refused.await(10, TimeUnit.SECONDS), "the send was not tried");
        settleUntilQuiet(ch, udp);
        assertFalse(write.isDone(), "the write waits while the send buffer is full");

        ch.close().sync();
        assertInstanceOf(ClosedChannelException.class, write.await().cause());
        assertEquals(0, data.refCnt(), "the waiting message is released");
    }

    @Test
    void writeThatFoundTheSendBufferFullGoesOnWhenTheKernelSignalsRoom() throws Exception {
        Receiver receiver = new Receiver(bootstrap());
        SendBufferFullSocket udp = new SendBufferFullSocket();
        GoNetpollDatagramChannel ch = register(new GoNetpollDatagramChannel(udp));
        ch.bind(LOOPBACK_ANY_PORT).sync();

        ChannelFuture write = ch.writeAndFlush(new DatagramPacket(text("waited"), receiver.address()));
        assertTrue(udp.refused.await(10, TimeUnit.SECONDS), "the send was not tried");
        settleUntilQuiet(ch, udp);
        udp.full = false;
        settleUntilQuiet(ch, udp);
        assertFalse(write.isDone(), "room the kernel did not announce is not looked for");

        // A real datagram leaving this socket frees its buffer space: the kernel reports write
        // readiness, the loop wakes and sends what waited.
        ch.eventLoop().submit(() -> udp.sendForReal(receiver.address())).sync();
        write.sync();
        assertEquals("room", receiver.nextText());
        assertEquals("waited", receiver.nextText());
    }

    @Test
    void plainBufferNeedsAConnectedChannel() throws Exception {
        Channel ch = bind(bootstrap().handler(new ChannelInboundHandlerAdapter()));
        ByteBuf data = text("to whom?");
        ChannelFuture write = ch.writeAndFlush(data).await();
        assertInstanceOf(NotYetConnectedException.class, write.cause());
        assertEquals(0, data.refCnt());
        assertTrue(ch.isOpen());
    }

    @Test
    void unsupportedMessagesFailAndAreReleased() throws Exception {
        Channel ch = bind(bootstrap().handler(new ChannelInboundHandlerAdapter()));
        UnsupportedOperationException string = assertInstanceOf(UnsupportedOperationException.class,
                ch.writeAndFlush("text").await().cause());
        assertTrue(string.getMessage().contains("expected: DatagramPacket"), string.getMessage());

        ByteBuf held = text("held");
        assertInstanceOf(UnsupportedOperationException.class,
                ch.writeAndFlush(new DefaultByteBufHolder(held)).await().cause());
        assertEquals(0, held.refCnt());
        assertTrue(ch.isOpen());
    }

    @Test
    void emptyDatagramIsSentAndReceived() throws Exception {
        Receiver receiver = new Receiver(bootstrap());
        Channel sender = bind(bootstrap().handler(new ChannelInboundHandlerAdapter()));
        sender.writeAndFlush(new DatagramPacket(Unpooled.EMPTY_BUFFER, receiver.address())).sync();
        assertEquals(0, receiver.next().length);
        assertEquals(sender.localAddress(), receiver.lastSender);
        assertEquals(receiver.address(), receiver.lastRecipient, "the recipient is the local address");
    }

    @Test
    void heapBuffersAndAddressedEnvelopesOnBothSides() throws Exception {
        Receiver receiver = new Receiver(bootstrap()
                .option(ChannelOption.RCVBUF_ALLOCATOR, new HeapReceiveBuffers()));
        Channel sender = bind(bootstrap().handler(new ChannelInboundHandlerAdapter()));

        sender.writeAndFlush(new DatagramPacket(Unpooled.copiedBuffer("heap", StandardCharsets.US_ASCII),
                receiver.address())).sync();
        sender.writeAndFlush(new DefaultAddressedEnvelope<>(text("envelope"), receiver.address())).sync();
        sender.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(text("compo"), text("site")),
                receiver.address())).sync();

        assertEquals("heap", receiver.nextText());
        assertEquals("envelope", receiver.nextText());
        assertEquals("composite", receiver.nextText());
    }

    @Test
    void disconnectKeepsTheLocalAddressAndTheChannelReceiving() throws Exception {
        Receiver peer = new Receiver(bootstrap());
        Receiver ch = new Receiver(bootstrap());
        InetSocketAddress local = ch.address();
        GoNetpollDatagramChannel udp = (GoNetpollDatagramChannel) ch.channel;

        udp.connect(peer.address()).sync();
        assertTrue(udp.isConnected());
        assertEquals(peer.address(), udp.remoteAddress());
        udp.writeAndFlush(text("connected")).sync();
        assertEquals("connected", peer.nextText());

        udp.disconnect().sync();
        assertFalse(udp.isConnected());
        assertTrue(udp.isActive());
        assertNull(udp.remoteAddress());
        assertEquals(local, udp.localAddress());
        assertInstanceOf(NotYetConnectedException.class, udp.writeAndFlush(text("nobody")).await().cause());

        Channel stranger = bind(bootstrap().handler(new ChannelInboundHandlerAdapter()));
        stranger.writeAndFlush(new DatagramPacket(text("from anyone"), local)).sync();
        assertEquals("from anyone", ch.nextText());
    }

    @Test
    @SuppressWarnings("deprecation")
    void activeOnRegistrationSendsAndReceivesWithoutBind() throws Exception {
        Receiver receiver = new Receiver(bootstrap());
        BlockingQueue<String> replies = new LinkedBlockingQueue<>();
        Channel ch = track(bootstrap()
                .option(ChannelOption.DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION, true)
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket msg) {
                        replies.add(msg.content().toString(StandardCharsets.US_ASCII));
                    }
                })
                .register().sync().channel());
        assertTrue(ch.isActive());
        assertThrows(IllegalStateException.class,
                () -> ch.config().setOption(ChannelOption.DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION, false));

        ch.writeAndFlush(new DatagramPacket(text("ping"), receiver.address())).sync();
        assertEquals("ping", receiver.nextText());
        receiver.channel.writeAndFlush(new DatagramPacket(text("pong"), receiver.lastSender)).sync();
        assertEquals("pong", replies.poll(10, TimeUnit.SECONDS));
    }

    @Test
    void withoutAutoReadEachReadDeliversOneDatagram() throws Exception {
        Receiver receiver = new Receiver(bootstrap().option(ChannelOption.AUTO_READ, false));
        Channel sender = bind(bootstrap().handler(new ChannelInboundHandlerAdapter()));
        for (String s : List.of("one", "two", "three")) {
            sender.writeAndFlush(new DatagramPacket(text(s), receiver.address())).sync();
        }
        receiver.channel.read();
        assertEquals("one", receiver.nextText());
        receiver.channel.eventLoop().submit(() -> { }).sync();
        assertNull(receiver.received.poll(), "one read, one datagram");
        receiver.channel.read();
        assertEquals("two", receiver.nextText());
        receiver.channel.read();
        assertEquals("three", receiver.nextText());
    }

    @Test
    void defaultsAndOptionsRoundTrip() throws Exception {
        GoNetpollDatagramChannel ch = new GoNetpollDatagramChannel(SocketProtocolFamily.INET);
        try {
            GoNetpollDatagramChannelConfig config = ch.config();
            assertEquals(16, config.getMaxMessagesPerRead());
            assertInstanceOf(FixedRecvByteBufAllocator.class, config.getRecvByteBufAllocator());
            assertTrue(ch.metadata().hasDisconnect());
            assertFalse(ch.isActive());
            assertNull(ch.localAddress());
            assertNull(ch.remoteAddress());

            assertTrue(config.setOption(ChannelOption.SO_BROADCAST, true));
            assertTrue(config.getOption(ChannelOption.SO_BROADCAST));
            assertTrue(config.setOption(ChannelOption.SO_REUSEADDR, true));
            assertTrue(config.getOption(ChannelOption.SO_REUSEADDR));
            config.setOption(ChannelOption.SO_RCVBUF, 100_000);
            assertTrue(config.getOption(ChannelOption.SO_RCVBUF) >= 100_000, "the kernel doubles it");
            config.setOption(ChannelOption.SO_SNDBUF, 100_000);
            assertTrue(config.getOption(ChannelOption.SO_SNDBUF) >= 100_000);
            config.setOption(ChannelOption.IP_TOS, 0x10);
            assertEquals(0x10, config.getOption(ChannelOption.IP_TOS));
            config.setOption(ChannelOption.IP_MULTICAST_TTL, 3);
            assertEquals(3, config.getOption(ChannelOption.IP_MULTICAST_TTL));
            config.setOption(ChannelOption.IP_MULTICAST_LOOP_DISABLED, true);
            assertTrue(config.getOption(ChannelOption.IP_MULTICAST_LOOP_DISABLED));
            NetworkInterface lo = NetworkInterface.getByInetAddress(InetAddress.getLoopbackAddress());
            config.setOption(ChannelOption.IP_MULTICAST_IF, lo);
            assertEquals(lo, config.getOption(ChannelOption.IP_MULTICAST_IF));
            assertEquals(InetAddress.getLoopbackAddress(), config.getOption(ChannelOption.IP_MULTICAST_ADDR));
            assertTrue(config.getOptions().containsKey(ChannelOption.IP_MULTICAST_IF));
        } finally {
            ch.unsafe().closeForcibly();
        }
    }

    @Test
    void familyMustBeAnIPFamily() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new GoNetpollDatagramChannel(SocketProtocolFamily.UNIX));
        assertTrue(e.getMessage().contains("UNIX"), e.getMessage());
    }

    @Test
    void defaultFamilyIsDualStackWhereIPv6Exists() throws Exception {
        Receiver receiver = new Receiver(bootstrap());
        Channel ch = bind(new Bootstrap().group(group).channel(GoNetpollDatagramChannel.class)
                .handler(new ChannelInboundHandlerAdapter()));
        ch.writeAndFlush(new DatagramPacket(text("v4 from a v6 socket"), receiver.address())).sync();
        assertEquals("v4 from a v6 socket", receiver.nextText());
        assertEquals(Socket.isIPv6Supported(), ((GoNetpollDatagramChannel) ch).socket.isIPv6());
    }

    // ---------------------------------------------------------------------------------------------

    /** A UDP socket whose send buffer is "full" until told otherwise: loopback never fills one. */
    private static final class SendBufferFullSocket extends UdpSocket {
        final CountDownLatch refused = new CountDownLatch(1);
        final AtomicInteger tries = new AtomicInteger();
        volatile boolean full = true;

        SendBufferFullSocket() {
            super(false);
        }

        @Override
        public int sendTo(long address, int length, InetSocketAddress recipient) throws IOException {
            if (full) {
                tries.incrementAndGet();
                refused.countDown();
                return Socket.WOULD_BLOCK;
            }
            return super.sendTo(address, length, recipient);
        }

        /** Sends a datagram past the simulation, in the channel's goroutine. */
        Void sendForReal(InetSocketAddress to) throws IOException {
            ByteBuf room = text("room");
            try {
                assertEquals(4, super.sendTo(room.memoryAddress() + room.readerIndex(), 4, to));
            } finally {
                room.release();
            }
            return null;
        }
    }

    /** Receive buffers on the heap, so that the channel must receive into direct memory and copy. */
    private static final class HeapReceiveBuffers extends DefaultMaxMessagesRecvByteBufAllocator {
        @Override
        public Handle newHandle() {
            return new MaxMessageHandle() {
                @Override
                public ByteBuf allocate(ByteBufAllocator alloc) {
                    return alloc.heapBuffer(guess());
                }

                @Override
                public int guess() {
                    return 2048;
                }
            };
        }
    }

    /**
     * Lets the loop run until the send is no longer retried: the write readiness latched at
     * registration may cause one retry, a loop that spins on EAGAIN would never come to rest.
     */
    private static void settleUntilQuiet(Channel ch, SendBufferFullSocket udp) throws Exception {
        int before = -1;
        for (int round = 0; round < 50; round++) {
            int tries = udp.tries.get();
            if (tries == before) {
                return;
            }
            before = tries;
            for (int i = 0; i < 3; i++) {
                ch.eventLoop().submit(() -> { }).sync();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the send is retried over and over (" + udp.tries.get()
                + " tries) instead of waiting for write readiness");
    }

    /** A bound channel that queues the bytes (and remembers the sender) of what it receives. */
    private final class Receiver {
        final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
        final Channel channel;
        volatile InetSocketAddress lastSender;
        volatile InetSocketAddress lastRecipient;

        Receiver(Bootstrap b) throws InterruptedException {
            channel = bind(b.handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket msg) {
                    lastRecipient = msg.recipient();
                    lastSender = msg.sender();
                    byte[] bytes = new byte[msg.content().readableBytes()];
                    msg.content().getBytes(msg.content().readerIndex(), bytes);
                    received.add(bytes);
                }
            }));
        }

        InetSocketAddress address() {
            return (InetSocketAddress) channel.localAddress();
        }

        byte[] next() throws InterruptedException {
            byte[] bytes = received.poll(10, TimeUnit.SECONDS);
            assertNotNull(bytes, "no datagram arrived");
            return bytes;
        }

        String nextText() throws InterruptedException {
            return new String(next(), StandardCharsets.US_ASCII);
        }
    }

    private Bootstrap bootstrap() {
        return new Bootstrap().group(group)
                .channelFactory(() -> new GoNetpollDatagramChannel(SocketProtocolFamily.INET));
    }

    private Channel bind(Bootstrap b) throws InterruptedException {
        return track(b.bind(LOOPBACK_ANY_PORT).sync().channel());
    }

    private <C extends Channel> C register(C ch) throws InterruptedException {
        group.register(ch).sync();
        return track(ch);
    }

    private <C extends Channel> C track(C ch) {
        channels.add(ch);
        return ch;
    }

    private static ByteBuf text(String s) {
        return Unpooled.directBuffer().writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] pattern(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        return bytes;
    }
}
