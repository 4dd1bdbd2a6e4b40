package dev.gonetpoll.channel;

import dev.gonetpoll.sys.Linux;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ChannelOption#TCP_FASTOPEN_CONNECT} on a real kernel: data written before
 * {@code connect()} goes out with the SYN when the kernel may send SYN data, and every connect
 * completes normally with all data delivered in order.
 *
 * <p>Fast open only sends SYN data with a cookie from the server, and this host may have server-side
 * fast open off (sysctl {@code net.ipv4.tcp_fastopen} without bit 0x2), so no cookie ever comes.
 * The per-socket option {@code TCP_FASTOPEN_NO_COOKIE} (a socket option, not a system setting) makes
 * the client send SYN data without one; that drives the kernel's deferred connect: connect() returns
 * at once, the SYN waits for the first write. {@code tcpi_fastopen_client_fail} in
 * {@code struct tcp_info} (Linux 5.5+) then tells what the kernel did with the SYN.
 */
@Timeout(120)
class TcpFastOpenConnectTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** linux/tcp.h: send SYN data without a fast-open cookie. */
    private static final int TCP_FASTOPEN_NO_COOKIE = 34;
    /** {@code tcpi_fastopen_client_fail} values (linux/tcp.h {@code enum tcp_fastopen_client_fail}). */
    private static final int TFO_STATUS_UNSPEC = 0;
    private static final int TFO_COOKIE_UNAVAILABLE = 1;
    private static final int TFO_DATA_NOT_ACKED = 2;
    /** {@code tcpi_options} bit: the peer acknowledged the data of our SYN. */
    private static final int TCPI_OPT_SYN_DATA = 32;
    /** sysctl bits: server-side fast open, and accepting SYN data without a cookie. */
    private static final int TFO_SERVER_ENABLE = 0x2;
    private static final int TFO_SERVER_COOKIE_NOT_REQD = 0x200;

    private EventLoopGroup group;
    private Channel server;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

    @BeforeEach
    void startServer() throws Exception {
        group = new GoNetpollEventLoopGroup(2);
        server = new ServerBootstrap()
                .group(group)
                .channel(GoNetpollServerSocketChannel.class)
                .option(ChannelOption.TCP_FASTOPEN, 16)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf buf = (ByteBuf) msg;
                        try {
                            synchronized (received) {
                                received.writeBytes(ByteBufUtil.getBytes(buf));
                                received.notifyAll();
                            }
                        } finally {
                            buf.release();
                        }
                    }
                })
                .bind(LOOPBACK, 0).sync().channel();
    }

    @AfterEach
    void stop() {
        server.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
        assertTrue(group.shutdownGracefully(0, 10, TimeUnit.SECONDS).awaitUninterruptibly(30, TimeUnit.SECONDS),
                "group did not terminate");
    }

    @Test
    void withoutACookieTheConnectAsksForOneAndTheEarlyDataFollowsTheHandshake() throws Exception {
        if (!clientSideFastOpenOrRefusal()) {
            return;
        }
        GoNetpollSocketChannel client = register(fastOpenClient());
        ChannelFuture early = client.write(ascii(client, "[early]"));
        client.connect(server.localAddress()).sync();
        client.writeAndFlush(ascii(client, "[late]")).sync();
        early.sync();
        assertArrayEquals(bytes("[early][late]"), awaitReceived(13));

        // The kernel took the fast-open path: it looked for a cookie for the server.
        int fail = fastOpenClientFail(client);
        if ((KernelProbe.tcpFastOpenSysctl() & TFO_SERVER_ENABLE) == 0) {
            assertEquals(TFO_COOKIE_UNAVAILABLE, fail);
        } else {
            // With server-side fast open on, an earlier test may have left a cookie for loopback.
            assertTrue(fail == TFO_COOKIE_UNAVAILABLE || fail == TFO_STATUS_UNSPEC, "fastopen_client_fail " + fail);
        }
        client.close().sync();
    }

    @Test
    void aPlainClientDoesNotTryFastOpen() throws Exception {
        GoNetpollSocketChannel client = register(new Bootstrap()
                .group(group).channel(GoNetpollSocketChannel.class).handler(new ChannelInboundHandlerAdapter()));
        ChannelFuture early = client.write(ascii(client, "[early]"));
        client.connect(server.localAddress()).sync();
        client.writeAndFlush(ascii(client, "[late]")).sync();
        early.sync();
        assertArrayEquals(bytes("[early][late]"), awaitReceived(13));
        assertEquals(TFO_STATUS_UNSPEC, fastOpenClientFail(client));
        client.close().sync();
    }

    @Test
    void deferredConnectCarriesTheEarlyDataInTheSyn() throws Exception {
        if (!clientSideFastOpenOrRefusal()) {
            return;
        }
        GoNetpollSocketChannel client = register(fastOpenClient());
        KernelProbe.setInt(client.socket.fd(), Linux.IPPROTO_TCP, TCP_FASTOPEN_NO_COOKIE, 1);
        ChannelFuture early = client.write(ascii(client, "[early]"));
        client.connect(server.localAddress()).sync();
        // The early data left with the SYN: its write was done before the handshake was.
        assertTrue(early.isSuccess(), () -> "early write not done: " + early);
        client.writeAndFlush(ascii(client, "[late]")).sync();
        assertArrayEquals(bytes("[early][late]"), awaitReceived(13));

        byte[] info = KernelProbe.tcpInfo(client.socket.fd());
        int sysctl = KernelProbe.tcpFastOpenSysctl();
        int serverTakesDataWithoutCookie = TFO_SERVER_ENABLE | TFO_SERVER_COOKIE_NOT_REQD;
        if ((sysctl & serverTakesDataWithoutCookie) == serverTakesDataWithoutCookie) {
            assertEquals(TCPI_OPT_SYN_DATA, info[5] & TCPI_OPT_SYN_DATA, "the server did not take the SYN data");
        } else {
            // The SYN carried the data; the server ignored it and the client sent it again.
            assertEquals(TFO_DATA_NOT_ACKED, fastOpenClientFail(client));
        }
        client.close().sync();
    }

    @Test
    void deferredConnectWithoutEarlyDataStillSendsTheSyn() throws Exception {
        if (!clientSideFastOpenOrRefusal()) {
            return;
        }
        GoNetpollSocketChannel client = register(fastOpenClient());
        KernelProbe.setInt(client.socket.fd(), Linux.IPPROTO_TCP, TCP_FASTOPEN_NO_COOKIE, 1);
        client.connect(server.localAddress()).sync();
        assertTrue(client.isActive());
        assertEquals(GoNetpollTcpInfo.STATE_ESTABLISHED, client.tcpInfo().state());
        client.writeAndFlush(ascii(client, "[after]")).sync();
        assertArrayEquals(bytes("[after]"), awaitReceived(7));
        client.close().sync();
    }

    @Test
    void earlyDataLargerThanASynIsWrittenOnceConnectedWithoutAFlush() throws Exception {
        if (!clientSideFastOpenOrRefusal()) {
            return;
        }
        byte[] data = new byte[256 * 1024];
        new Random(7).nextBytes(data);
        GoNetpollSocketChannel client = register(fastOpenClient());
        KernelProbe.setInt(client.socket.fd(), Linux.IPPROTO_TCP, TCP_FASTOPEN_NO_COOKIE, 1);
        ChannelFuture first = client.write(client.alloc().directBuffer().writeBytes(data, 0, 1000));
        ChannelFuture rest = client.write(client.alloc().directBuffer().writeBytes(data, 1000, data.length - 1000));
        client.connect(server.localAddress()).sync();
        // Nobody flushes: what the SYN could not carry must be written once connected.
        assertTrue(first.await(30, TimeUnit.SECONDS) && rest.await(30, TimeUnit.SECONDS), "early writes not done");
        first.sync();
        rest.sync();
        assertArrayEquals(data, awaitReceived(data.length));
        client.close().sync();
    }

    /**
     * True if the kernel does client-side fast open. If it does not, asserts what it does instead
     * (TCP_FASTOPEN_CONNECT refused with EOPNOTSUPP) and returns false.
     */
    private static boolean clientSideFastOpenOrRefusal() {
        if (GoNetpollTcpFastOpen.isClientSideAvailable()) {
            return true;
        }
        GoNetpollSocketChannel channel = new GoNetpollSocketChannel();
        try {
            ChannelException e = assertThrows(ChannelException.class,
                    () -> channel.config().setTcpFastOpenConnect(true));
            KernelProbe.assertRefused(e, Linux.EOPNOTSUPP, "TCP_FASTOPEN_CONNECT");
        } finally {
            channel.unsafe().closeForcibly();
        }
        return false;
    }

    private Bootstrap fastOpenClient() {
        return new Bootstrap()
                .group(group)
                .channel(GoNetpollSocketChannel.class)
                .option(ChannelOption.TCP_FASTOPEN_CONNECT, true)
                .handler(new ChannelInboundHandlerAdapter());
    }

    private static GoNetpollSocketChannel register(Bootstrap bootstrap) throws InterruptedException {
        GoNetpollSocketChannel channel = (GoNetpollSocketChannel) bootstrap.register().sync().channel();
        assertEquals(bootstrap.config().options().containsKey(ChannelOption.TCP_FASTOPEN_CONNECT),
                channel.config().isTcpFastOpenConnect());
        return channel;
    }

    /** {@code tcpi_fastopen_client_fail}: bits 1-2 of byte 7 of {@code struct tcp_info}. */
    private static int fastOpenClientFail(GoNetpollSocketChannel channel) {
        return (KernelProbe.tcpInfo(channel.socket.fd())[7] >> 1) & 3;
    }

    private byte[] awaitReceived(int length) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        synchronized (received) {
            while (received.size() < length) {
                long left = deadline - System.nanoTime();
                assertTrue(left > 0, () -> "received " + received.size() + " of " + length + " bytes");
                TimeUnit.NANOSECONDS.timedWait(received, left);
            }
            return received.toByteArray();
        }
    }

    private static ByteBuf ascii(Channel channel, String text) {
        return channel.alloc().directBuffer().writeBytes(bytes(text));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
