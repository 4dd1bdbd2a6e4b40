package dev.gonetpoll.it;

import dev.gonetpoll.channel.GoNetpollEventLoopGroup;
import dev.gonetpoll.channel.GoNetpollServerSocketChannel;
import dev.gonetpoll.channel.GoNetpollSocketChannel;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Failures from the outside world: an address in use, a refused or hanging connect, a peer that resets. */
@Timeout(120)
class BadInputTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private EventLoopGroup group;

    @BeforeEach
    void createGroup() {
        group = new GoNetpollEventLoopGroup(1);
    }

    @AfterEach
    void shutdownGroup() {
        assertTrue(group.shutdownGracefully(0, 10, TimeUnit.SECONDS).awaitUninterruptibly(30, TimeUnit.SECONDS),
                "group did not terminate");
    }

    @Test
    void bindToAPortInUseFailsWithBindExceptionNamingTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(LOOPBACK, 0));
            int port = taken.getLocalPort();

            ChannelFuture bind = new ServerBootstrap()
                    .group(group)
                    .channel(GoNetpollServerSocketChannel.class)
                    .childHandler(new ChannelInboundHandlerAdapter())
                    .bind(new InetSocketAddress(LOOPBACK, port));
            assertTrue(bind.await(10, TimeUnit.SECONDS), "bind neither succeeded nor failed");
            assertFalse(bind.isSuccess(), "bound a port that is in use");
            BindException e = assertInstanceOf(BindException.class, bind.cause());
            String address = LOOPBACK.getHostAddress() + ":" + port;
            assertTrue(String.valueOf(e.getMessage()).contains(address),
                    "the message should name " + address + ": " + e.getMessage());
            assertTrue(bind.channel().closeFuture().await(10, TimeUnit.SECONDS), "the failed channel was not closed");
        }
    }

    @Test
    void connectToAClosedPortFailsWithConnectException() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            port = s.getLocalPort(); // free again after this block: nobody listens there
        }
        ChannelFuture connect = clientBootstrap().connect(new InetSocketAddress(LOOPBACK, port));
        assertTrue(connect.await(10, TimeUnit.SECONDS), "connect neither succeeded nor failed");
        assertFalse(connect.isSuccess(), "connected to a closed port");
        assertInstanceOf(ConnectException.class, connect.cause());
        assertTrue(connect.channel().closeFuture().await(10, TimeUnit.SECONDS), "the failed channel was not closed");
    }

    /**
     * No traffic may leave loopback here, so a hanging connect is made by filling the accept queue of a
     * listener (backlog 1) that never accepts: Linux then drops further SYNs and the next connect hangs.
     */
    @Test
    void connectThatHangsFailsWithConnectTimeoutException() throws Exception {
        List<java.nio.channels.SocketChannel> fillers = new ArrayList<>();
        try (ServerSocket neverAccepts = new ServerSocket(0, 1, LOOPBACK); Selector selector = Selector.open()) {
            InetSocketAddress address = new InetSocketAddress(LOOPBACK, neverAccepts.getLocalPort());
            boolean hanging = false;
            for (int i = 0; i < 32 && !hanging; i++) {
                java.nio.channels.SocketChannel c = java.nio.channels.SocketChannel.open();
                fillers.add(c);
                c.configureBlocking(false);
                if (c.connect(address)) {
                    continue;
                }
                SelectionKey key = c.register(selector, SelectionKey.OP_CONNECT);
                if (selector.select(1_000) == 0) {
                    hanging = true; // this connect's SYN was dropped: the accept queue is full
                } else {
                    selector.selectedKeys().clear();
                    c.finishConnect();
                }
                key.cancel();
                selector.selectNow();
            }
            assertTrue(hanging, "could not make a loopback connect hang by filling a listener's accept queue; "
                    + "this test needs another way to provoke a connect timeout");

            ChannelFuture connect = clientBootstrap()
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 200)
                    .connect(address);
            assertTrue(connect.await(10, TimeUnit.SECONDS),
                    "connect with CONNECT_TIMEOUT_MILLIS=200 neither connected nor timed out within 10 s");
            assertFalse(connect.isSuccess(), "connected although the listener's accept queue was full");
            assertInstanceOf(ConnectTimeoutException.class, connect.cause());
            assertTrue(connect.channel().closeFuture().await(10, TimeUnit.SECONDS),
                    "the timed-out channel was not closed");
        } finally {
            for (java.nio.channels.SocketChannel c : fillers) {
                c.close();
            }
        }
    }

    @Test
    void peerResetDuringALargeWriteClosesTheChannelAndTheServerKeepsWorking() throws Exception {
        BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
        Queue<Throwable> caught = new ConcurrentLinkedQueue<>();
        CompletableFuture<ChannelFuture> lastLargeWrite = new CompletableFuture<>();
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(GoNetpollServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accepted.add(ch);
                        ch.pipeline().addLast(new LargeResponseHandler(caught, lastLargeWrite));
                    }
                })
                .bind(new InetSocketAddress(LOOPBACK, 0))
                .syncUninterruptibly()
                .channel();
        try {
            int port = ((InetSocketAddress) server.localAddress()).getPort();

            // 1. A client asks for the large response, reads a little of it, then resets the connection.
            try (Socket s = new Socket()) {
                s.setReceiveBufferSize(64 * 1024);
                s.connect(new InetSocketAddress(LOOPBACK, port), 10_000);
                s.setSoTimeout(30_000);
                s.getOutputStream().write('L');
                s.getOutputStream().flush();
                byte[] some = s.getInputStream().readNBytes(LargeResponseHandler.CHUNK);
                assertEquals(LargeResponseHandler.CHUNK, some.length, "the large response did not start");
                s.setSoLinger(true, 0); // close() now sends RST instead of FIN
            }

            Channel child = accepted.poll(10, TimeUnit.SECONDS);
            assertNotNull(child, "the server never saw the connection");
            assertTrue(child.closeFuture().await(10, TimeUnit.SECONDS), "the server channel did not close after RST");
            assertFalse(child.isOpen());
            assertFalse(child.isActive());

            ChannelFuture write = lastLargeWrite.get(10, TimeUnit.SECONDS);
            assertTrue(write.await(10, TimeUnit.SECONDS), "the interrupted write never completed");
            assertFalse(write.isSuccess(), "the large write succeeded although the peer reset the connection");
            assertInstanceOf(IOException.class, write.cause(), "cause of the failed write");
            for (Throwable t : caught) {
                // exceptionCaught may or may not fire (a failed write closes the channel), but if it does, the
                // cause must be the I/O error, not a bug in the transport.
                assertInstanceOf(IOException.class, t, "exceptionCaught with an unexpected cause");
            }

            // 2. The server still serves a new connection: a small answer, then the whole large response.
            try (Socket s = new Socket(LOOPBACK, port)) {
                s.setSoTimeout(30_000);
                s.getOutputStream().write('S');
                s.getOutputStream().flush();
                InputStream in = s.getInputStream();
                assertArrayEquals("ok\n".getBytes(StandardCharsets.US_ASCII), in.readNBytes(3));
                s.getOutputStream().write('L');
                s.getOutputStream().flush();
                byte[] chunk = new byte[LargeResponseHandler.CHUNK];
                for (int i = 0; i < LargeResponseHandler.CHUNKS; i++) {
                    int n = in.readNBytes(chunk, 0, chunk.length);
                    if (n != chunk.length || !LargeResponseHandler.isChunkContent(chunk)) {
                        fail("large response broken in chunk " + i + " (" + n + " bytes)");
                    }
                }
            }
        } finally {
            server.close().syncUninterruptibly();
        }
    }

    private Bootstrap clientBootstrap() {
        return new Bootstrap()
                .group(group)
                .channel(GoNetpollSocketChannel.class)
                .handler(new ChannelInboundHandlerAdapter());
    }

    /** 'S' -> "ok\n"; 'L' -> {@link #CHUNKS} x {@link #CHUNK} bytes, far more than the socket buffers hold. */
    private static final class LargeResponseHandler extends ChannelInboundHandlerAdapter {
        static final int CHUNK = 64 * 1024;
        static final int CHUNKS = 1024; // 64 MiB

        private final Queue<Throwable> caught;
        private final CompletableFuture<ChannelFuture> lastLargeWrite;

        LargeResponseHandler(Queue<Throwable> caught, CompletableFuture<ChannelFuture> lastLargeWrite) {
            this.caught = caught;
            this.lastLargeWrite = lastLargeWrite;
        }

        static boolean isChunkContent(byte[] chunk) {
            for (int i = 0; i < chunk.length; i++) {
                if (chunk[i] != (byte) i) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                while (in.isReadable()) {
                    byte command = in.readByte();
                    if (command == 'S') {
                        ctx.writeAndFlush(Unpooled.copiedBuffer("ok\n", StandardCharsets.US_ASCII));
                    } else if (command == 'L') {
                        ByteBuf chunk = ctx.alloc().directBuffer(CHUNK);
                        for (int i = 0; i < CHUNK; i++) {
                            chunk.writeByte((byte) i);
                        }
                        ChannelFuture last = null;
                        for (int i = 0; i < CHUNKS; i++) {
                            last = ctx.write(chunk.retainedDuplicate());
                        }
                        chunk.release();
                        ctx.flush();
                        lastLargeWrite.complete(last); // only the first large write is recorded
                    }
                }
            } finally {
                in.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            caught.add(cause);
            ctx.close();
        }
    }
}
