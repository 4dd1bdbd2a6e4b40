package dev.gonetpoll.it;

import dev.gonetpoll.channel.GoNetpollEventLoopGroup;
import dev.gonetpoll.channel.GoNetpollServerSocketChannel;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reason gonetpoll exists: with ONE processor, a handler that blocks (Thread.sleep) for one connection
 * holds back only that connection. On a classic Netty event loop with one thread, B would wait for A.
 */
@Timeout(60)
class BlockingHandlerIsolationTest {

    private static final long BLOCK_MILLIS = 2_000;

    private EventLoopGroup group;
    private Channel server;
    /** Counted down by the handler right before it starts blocking for A. */
    private final CountDownLatch aIsBlocking = new CountDownLatch(1);

    @BeforeEach
    void startServer() {
        group = new GoNetpollEventLoopGroup(1);
        server = new ServerBootstrap()
                .group(group)
                .channel(GoNetpollServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(
                                new LineBasedFrameDecoder(1024),
                                new StringDecoder(StandardCharsets.US_ASCII),
                                new StringEncoder(StandardCharsets.US_ASCII),
                                new SimpleChannelInboundHandler<String>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, String line)
                                            throws InterruptedException {
                                        if (line.equals("block")) {
                                            aIsBlocking.countDown();
                                            Thread.sleep(BLOCK_MILLIS); // blocks inside the handler
                                            ctx.writeAndFlush("unblocked\n");
                                        } else {
                                            ctx.writeAndFlush("pong:" + line + "\n");
                                        }
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
    void blockingHandlerHoldsBackOnlyItsOwnConnection() throws Exception {
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        try (Client a = new Client(port); Client b = new Client(port)) {
            // Warm up both connections (class loading, JIT of the pipeline) so that B's measurement is fair.
            for (int i = 0; i < 20; i++) {
                assertEquals("pong:a" + i, a.request("a" + i));
                assertEquals("pong:b" + i, b.request("b" + i));
            }

            long aSent = System.nanoTime();
            a.send("block");
            assertTrue(aIsBlocking.await(10, TimeUnit.SECONDS), "the handler never started blocking for A");

            long bSent = System.nanoTime();
            String bAnswer = b.request("b");
            long bMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - bSent);
            assertEquals("pong:b", bAnswer);
            assertTrue(bMillis < 100, "B was answered after " + bMillis
                    + " ms while A's handler was blocked; expected < 100 ms (B must not wait for A)");

            String aAnswer = a.receive();
            long aMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - aSent);
            assertEquals("unblocked", aAnswer);
            assertTrue(aMillis >= BLOCK_MILLIS - 100 && aMillis < BLOCK_MILLIS + 3_000,
                    "A was answered after " + aMillis + " ms; expected about " + BLOCK_MILLIS + " ms");

            // Both connections still work.
            assertEquals("pong:a-after", a.request("a-after"));
            assertEquals("pong:b-after", b.request("b-after"));
        }
    }

    /** A blocking line client on a plain JDK socket. */
    private static final class Client implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final BufferedReader in;

        Client(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(30_000);
            out = socket.getOutputStream();
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        }

        void send(String line) throws IOException {
            out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        String receive() throws IOException {
            return in.readLine();
        }

        String request(String line) throws IOException {
            send(line);
            return receive();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
