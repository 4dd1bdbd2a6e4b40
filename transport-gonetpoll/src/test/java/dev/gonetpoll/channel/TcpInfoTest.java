package dev.gonetpoll.channel;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link GoNetpollSocketChannel#tcpInfo()} decodes the kernel's {@code struct tcp_info} field by field. */
@Timeout(120)
class TcpInfoTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** Offsets in {@code struct tcp_info} (linux/tcp.h), read here straight from the raw bytes. */
    private static final int STATE = 0;
    private static final int OPTIONS = 5;
    private static final int WSCALE = 6;
    private static final int SND_MSS = 16;
    private static final int PMTU = 60;
    private static final int ADVMSS = 84;
    private static final int TOTAL_RETRANS = 100;

    private EventLoopGroup group;
    private Channel server;
    private GoNetpollSocketChannel client;
    private final CompletableFuture<GoNetpollSocketChannel> accepted = new CompletableFuture<>();
    private final CountDownLatch received = new CountDownLatch(1);

    @BeforeEach
    void connect() throws Exception {
        group = new GoNetpollEventLoopGroup(2);
        // Very different receive buffers give the two sides different window scales, so swapping the
        // two 4-bit fields of tcp_info would show.
        server = new ServerBootstrap()
                .group(group)
                .channel(GoNetpollServerSocketChannel.class)
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        accepted.complete((GoNetpollSocketChannel) ctx.channel());
                    }

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ((ByteBuf) msg).release();
                        received.countDown();
                    }
                })
                .bind(LOOPBACK, 0).sync().channel();
        client = (GoNetpollSocketChannel) new Bootstrap()
                .group(group)
                .channel(GoNetpollSocketChannel.class)
                .option(ChannelOption.SO_RCVBUF, 4096)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(server.localAddress()).sync().channel();
    }

    @AfterEach
    void close() {
        client.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
        server.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
        assertTrue(group.shutdownGracefully(0, 10, TimeUnit.SECONDS).awaitUninterruptibly(30, TimeUnit.SECONDS),
                "group did not terminate");
    }

    @Test
    void fieldsMatchTheKernelsStructAndThePeersView() throws Exception {
        client.writeAndFlush(client.alloc().directBuffer().writeLong(42)).sync();
        assertTrue(received.await(30, TimeUnit.SECONDS), "the server got nothing");
        GoNetpollSocketChannel peer = accepted.get(30, TimeUnit.SECONDS);

        GoNetpollTcpInfo info = client.tcpInfo();
        ByteBuffer raw = ByteBuffer.wrap(KernelProbe.tcpInfo(client.socket.fd())).order(ByteOrder.nativeOrder());

        assertEquals(GoNetpollTcpInfo.STATE_ESTABLISHED, info.state());
        assertEquals(raw.get(STATE), info.state());
        assertEquals(raw.get(OPTIONS) & 0xFF, info.options());
        // Stable on an idle loopback connection: the path MTU, the MSS values, the retransmissions.
        assertEquals(Integer.toUnsignedLong(raw.getInt(PMTU)), info.pmtu());
        assertEquals(Integer.toUnsignedLong(raw.getInt(SND_MSS)), info.sndMss());
        assertEquals(Integer.toUnsignedLong(raw.getInt(ADVMSS)), info.advmss());
        assertEquals(Integer.toUnsignedLong(raw.getInt(TOTAL_RETRANS)), info.totalRetrans());
        assertEquals(raw.get(WSCALE) & 0xF, info.sndWscale());
        assertEquals((raw.get(WSCALE) & 0xFF) >>> 4, info.rcvWscale());
        assertTrue(info.pmtu() > 0 && info.sndMss() > 0 && info.advmss() > 0 && info.rto() > 0, info::toString);
        assertTrue(info.sndCwnd() > 0, info::toString);
        assertEquals(0, info.totalRetrans(), info::toString);

        // What one side sends with is what the other side announced it receives with.
        GoNetpollTcpInfo peerInfo = peer.tcpInfo();
        assertEquals(GoNetpollTcpInfo.STATE_ESTABLISHED, peerInfo.state());
        assertNotEquals(info.sndWscale(), info.rcvWscale(), info::toString);
        assertEquals(peerInfo.rcvWscale(), info.sndWscale(), () -> info + " / peer " + peerInfo);
        assertEquals(peerInfo.sndWscale(), info.rcvWscale(), () -> info + " / peer " + peerInfo);
    }

    @Test
    void closedChannelFailsWithChannelException() {
        client.close().syncUninterruptibly();
        ChannelException e = assertThrows(ChannelException.class, client::tcpInfo);
        assertTrue(e.getMessage().contains("TCP_INFO"), e::getMessage);
    }
}
