package dev.gonetpoll.channel;

import com.sun.security.auth.module.UnixSystem;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketReadMode;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.PeerCredentials;
import io.netty.channel.unix.UnixChannelOption;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileNotFoundException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The domain socket channels as a user sees them: addresses of both Netty's and the JDK's type,
 * abstract names, the socket file's life, peer credentials, options and the clear errors for bad
 * input. The JDK's own Unix socket channels are the independent peer.
 */
@Timeout(60)
class GoNetpollDomainSocketChannelTest {

    private static EventLoopGroup group;

    @TempDir
    Path dir;

    @BeforeAll
    static void createGroup() {
        group = new GoNetpollEventLoopGroup(2);
    }

    @AfterAll
    static void shutdownGroup() {
        assertTrue(group.shutdownGracefully(0, 10, TimeUnit.SECONDS).awaitUninterruptibly(30, TimeUnit.SECONDS));
    }

    @Test
    void echoOverAPathnameWithNettyAddresses() throws Exception {
        DomainSocketAddress address = new DomainSocketAddress(dir.resolve("echo.sock").toFile());
        Channel server = echoServer(address);
        try {
            assertInstanceOf(GoNetpollServerDomainSocketChannel.class, server);
            assertEquals(address, server.localAddress());
            assertNull(server.remoteAddress());
            assertTrue(Files.exists(dir.resolve("echo.sock")));

            BlockingQueue<String> replies = new LinkedBlockingQueue<>();
            Channel client = client(replies).connect(address).sync().channel();
            GoNetpollDomainSocketChannel domain = assertInstanceOf(GoNetpollDomainSocketChannel.class, client);
            assertEquals(address, domain.remoteAddress());
            assertEquals(new DomainSocketAddress(""), domain.localAddress(), "unbound: the unnamed address");

            client.writeAndFlush(Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8)).sync();
            assertEquals("hello", replies.poll(10, TimeUnit.SECONDS));
            client.close().sync();
        } finally {
            server.close().sync();
        }
        assertFalse(Files.exists(dir.resolve("echo.sock")), "closing the server removes its socket file");
    }

    @Test
    void jdkAddressesAreAcceptedAndReportedAsNettyAddresses() throws Exception {
        Path file = dir.resolve("jdk.sock");
        Channel server = echoServer(UnixDomainSocketAddress.of(file));
        try {
            assertEquals(new DomainSocketAddress(file.toString()), server.localAddress());
            BlockingQueue<String> replies = new LinkedBlockingQueue<>();
            Path clientFile = dir.resolve("client.sock");
            Channel client = client(replies)
                    .connect(UnixDomainSocketAddress.of(file), UnixDomainSocketAddress.of(clientFile)).sync().channel();
            assertEquals(new DomainSocketAddress(file.toString()), client.remoteAddress());
            assertEquals(new DomainSocketAddress(clientFile.toString()), client.localAddress());
            client.writeAndFlush(Unpooled.copiedBuffer("jdk", StandardCharsets.UTF_8)).sync();
            assertEquals("jdk", replies.poll(10, TimeUnit.SECONDS));
            client.close().sync();
            assertFalse(Files.exists(clientFile), "a client removes the socket file it bound, too");
        } finally {
            server.close().sync();
        }
    }

    @Test
    void abstractNamesWork() throws Exception {
        DomainSocketAddress address = new DomainSocketAddress("\0gonetpoll-" + UUID.randomUUID());
        Channel server = echoServer(address);
        try {
            assertEquals(address, server.localAddress());
            BlockingQueue<String> replies = new LinkedBlockingQueue<>();
            Channel client = client(replies).connect(address).sync().channel();
            client.writeAndFlush(Unpooled.copiedBuffer("abstract", StandardCharsets.UTF_8)).sync();
            assertEquals("abstract", replies.poll(10, TimeUnit.SECONDS));
            client.close().sync();
        } finally {
            server.close().sync();
        }
    }

    @Test
    void anEmptyPathBindsToANameTheKernelPicks() throws Exception {
        Channel server = echoServer(new DomainSocketAddress(""));
        try {
            DomainSocketAddress picked = (DomainSocketAddress) server.localAddress();
            assertTrue(picked.path().startsWith("\0") && picked.path().length() > 1, "abstract: " + picked);
            BlockingQueue<String> replies = new LinkedBlockingQueue<>();
            Channel client = client(replies).connect(picked).sync().channel();
            client.writeAndFlush(Unpooled.copiedBuffer("auto", StandardCharsets.UTF_8)).sync();
            assertEquals("auto", replies.poll(10, TimeUnit.SECONDS));
            client.close().sync();
        } finally {
            server.close().sync();
        }
    }

    @Test
    void aJdkClientTalksToOurServer() throws Exception {
        Path file = dir.resolve("for-jdk.sock");
        Channel server = echoServer(new DomainSocketAddress(file.toString()));
        try (SocketChannel jdk = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            jdk.connect(UnixDomainSocketAddress.of(file));
            jdk.write(ByteBuffer.wrap("from the jdk".getBytes(StandardCharsets.UTF_8)));
            ByteBuffer reply = ByteBuffer.allocate(64);
            while (reply.position() < "from the jdk".length()) {
                assertTrue(jdk.read(reply) > 0, "echo ended early");
            }
            assertEquals("from the jdk", new String(reply.array(), 0, reply.position(), StandardCharsets.UTF_8));
        } finally {
            server.close().sync();
        }
    }

    @Test
    void ourClientTalksToAJdkServerAndSeesItsHalfClose() throws Exception {
        Path file = dir.resolve("jdk-server.sock");
        try (ServerSocketChannel jdkServer = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            jdkServer.bind(UnixDomainSocketAddress.of(file));
            BlockingQueue<Object> events = new LinkedBlockingQueue<>();
            Channel client = new Bootstrap().group(group).channel(GoNetpollDomainSocketChannel.class)
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ByteBuf buf = (ByteBuf) msg;
                            events.add(buf.toString(StandardCharsets.UTF_8));
                            buf.release();
                        }

                        @Override
                        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                            events.add(evt);
                        }
                    })
                    .connect(new DomainSocketAddress(file.toString())).sync().channel();
            try (SocketChannel accepted = jdkServer.accept()) {
                accepted.write(ByteBuffer.wrap("bye".getBytes(StandardCharsets.UTF_8)));
                accepted.shutdownOutput();
                assertEquals("bye", events.poll(10, TimeUnit.SECONDS));
                assertEquals(ChannelInputShutdownEvent.INSTANCE, events.poll(10, TimeUnit.SECONDS));
                GoNetpollDomainSocketChannel domain = (GoNetpollDomainSocketChannel) client;
                assertTrue(domain.isInputShutdown());
                assertFalse(domain.isOutputShutdown());
                assertTrue(domain.isActive());
                client.writeAndFlush(Unpooled.copiedBuffer("still writing", StandardCharsets.UTF_8)).sync();
                domain.shutdownOutput().sync();
                ByteBuffer in = ByteBuffer.allocate(64);
                while (accepted.read(in) >= 0) {
                    // read until our FIN
                }
                assertEquals("still writing", new String(in.array(), 0, in.position(), StandardCharsets.UTF_8));
            } finally {
                client.close().sync();
            }
        }
    }

    @Test
    void peerCredentialsAreThoseOfThePeerProcess() throws Exception {
        DomainSocketAddress address = new DomainSocketAddress(dir.resolve("cred.sock").toString());
        CompletableFuture<GoNetpollDomainSocketChannel> accepted = new CompletableFuture<>();
        Channel server = new ServerBootstrap().group(group).channel(GoNetpollServerDomainSocketChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        accepted.complete((GoNetpollDomainSocketChannel) ctx.channel());
                    }
                })
                .bind(address).sync().channel();
        try {
            GoNetpollDomainSocketChannel client = (GoNetpollDomainSocketChannel) client(new LinkedBlockingQueue<>())
                    .connect(address).sync().channel();
            UnixSystem me = new UnixSystem();
            for (GoNetpollDomainSocketChannel ch : new GoNetpollDomainSocketChannel[] {client, accepted.get(10, TimeUnit.SECONDS)}) {
                PeerCredentials peer = ch.peerCredentials();
                assertEquals(ProcessHandle.current().pid(), peer.pid());
                assertEquals(me.getUid(), peer.uid());
                assertArrayEquals(new int[] {(int) me.getGid()}, peer.gids());
            }
            assertEquals(address, accepted.get().localAddress());
            assertEquals(new DomainSocketAddress(""), accepted.get().remoteAddress(), "the client is not bound");
            client.close().sync();
        } finally {
            server.close().sync();
        }
    }

    @Test
    void fdGivesTheNumberButNotTheOwnership() throws Exception {
        GoNetpollDomainSocketChannel ch = new GoNetpollDomainSocketChannel();
        group.register(ch).sync();
        FileDescriptor fd = ch.fd();
        assertTrue(fd.intValue() >= 0);
        assertTrue(fd.isOpen());
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, fd::close);
        assertTrue(e.getMessage().contains("close the channel"), e.getMessage());
        ch.close().sync();
        assertFalse(fd.isOpen());
    }

    @Test
    void socketBufferOptionsReachTheKernel() throws Exception {
        GoNetpollDomainSocketChannel ch = new GoNetpollDomainSocketChannel();
        try {
            GoNetpollDomainSocketChannelConfig config = ch.config();
            assertTrue(config.setOption(ChannelOption.SO_SNDBUF, 64 * 1024));
            assertTrue(config.setOption(ChannelOption.SO_RCVBUF, 32 * 1024));
            // The kernel doubles what it is given (up to its maximum): at least what was asked for.
            int sndbuf = config.getOption(ChannelOption.SO_SNDBUF);
            int rcvbuf = config.getOption(ChannelOption.SO_RCVBUF);
            assertTrue(sndbuf >= 64 * 1024, "SO_SNDBUF " + sndbuf);
            assertTrue(rcvbuf >= 32 * 1024 && rcvbuf != sndbuf, "SO_RCVBUF " + rcvbuf);
            assertTrue(config.setOption(ChannelOption.ALLOW_HALF_CLOSURE, true));
            assertTrue(config.isAllowHalfClosure());
            assertEquals(DomainSocketReadMode.BYTES, config.getOption(UnixChannelOption.DOMAIN_SOCKET_READ_MODE));
            assertTrue(config.getOptions().containsKey(UnixChannelOption.DOMAIN_SOCKET_READ_MODE));
        } finally {
            ch.unsafe().closeForcibly();
        }
    }

    @Test
    void passingFileDescriptorsIsRefusedClearly() throws Exception {
        GoNetpollDomainSocketChannel ch = new GoNetpollDomainSocketChannel();
        try {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> ch.config().setOption(UnixChannelOption.DOMAIN_SOCKET_READ_MODE, DomainSocketReadMode.FILE_DESCRIPTORS));
            assertTrue(e.getMessage().contains("SCM_RIGHTS"), e.getMessage());
            assertEquals(DomainSocketReadMode.BYTES, ch.config().getReadMode());
        } finally {
            ch.unsafe().closeForcibly();
        }

        DomainSocketAddress address = new DomainSocketAddress(dir.resolve("fd.sock").toString());
        Channel server = echoServer(address);
        try {
            BlockingQueue<String> replies = new LinkedBlockingQueue<>();
            Channel client = client(replies).connect(address).sync().channel();
            ChannelFuture write = client.writeAndFlush(new FileDescriptor(0)).await();
            assertInstanceOf(UnsupportedOperationException.class, write.cause());
            assertTrue(write.cause().getMessage().contains("SCM_RIGHTS"), write.cause().getMessage());
            // Nothing was lost: the channel still works.
            client.writeAndFlush(Unpooled.copiedBuffer("after", StandardCharsets.UTF_8)).sync();
            assertEquals("after", replies.poll(10, TimeUnit.SECONDS));
            client.close().sync();
        } finally {
            server.close().sync();
        }
    }

    @Test
    void aTooLongPathFailsTheBindWithTheLimitInTheMessage() {
        String tooLong = dir.resolve("x".repeat(120)).toString();
        ChannelFuture bind = new ServerBootstrap().group(group).channel(GoNetpollServerDomainSocketChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter())
                .bind(new DomainSocketAddress(tooLong)).awaitUninterruptibly();
        IllegalArgumentException e = assertInstanceOf(IllegalArgumentException.class, bind.cause());
        assertTrue(e.getMessage().contains("too long") && e.getMessage().contains("108"), e.getMessage());
        assertTrue(bind.channel().closeFuture().awaitUninterruptibly(10, TimeUnit.SECONDS), "closed");
    }

    @Test
    void anIpAddressIsRefusedNamingTheAcceptedTypes() {
        ChannelFuture bind = new ServerBootstrap().group(group).channel(GoNetpollServerDomainSocketChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter())
                .bind(new InetSocketAddress("127.0.0.1", 0)).awaitUninterruptibly();
        IllegalArgumentException e = assertInstanceOf(IllegalArgumentException.class, bind.cause());
        assertTrue(e.getMessage().contains("DomainSocketAddress") && e.getMessage().contains("UnixDomainSocketAddress"),
                e.getMessage());
    }

    @Test
    void connectingToNothingFailsNamingThePath() {
        DomainSocketAddress missing = new DomainSocketAddress(dir.resolve("nobody-here.sock").toString());
        ChannelFuture connect = client(new LinkedBlockingQueue<>()).connect(missing).awaitUninterruptibly();
        FileNotFoundException e = assertInstanceOf(FileNotFoundException.class, connect.cause());
        assertTrue(e.getMessage().contains(missing.path()), e.getMessage());
        assertTrue(connect.channel().closeFuture().awaitUninterruptibly(10, TimeUnit.SECONDS), "closed");
    }

    @Test
    void aStaleSocketFileIsReplacedButARegularFileIsKept() throws Exception {
        Path stale = dir.resolve("stale.sock");
        try (ServerSocketChannel crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            crashed.bind(UnixDomainSocketAddress.of(stale)); // closing leaves the file, as a crash would
        }
        assertTrue(Files.exists(stale));
        Channel server = echoServer(new DomainSocketAddress(stale.toString()));
        server.close().sync();

        Path regular = Files.writeString(dir.resolve("notes.txt"), "keep me");
        ChannelFuture bind = new ServerBootstrap().group(group).channel(GoNetpollServerDomainSocketChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter())
                .bind(new DomainSocketAddress(regular.toString())).awaitUninterruptibly();
        BindException e = assertInstanceOf(BindException.class, bind.cause());
        assertTrue(e.getMessage().contains("not a socket"), e.getMessage());
        assertEquals("keep me", Files.readString(regular));
    }

    @Test
    void aRunningServersAddressIsNotTaken() throws Exception {
        DomainSocketAddress address = new DomainSocketAddress(dir.resolve("running.sock").toString());
        Channel first = echoServer(address);
        try {
            ChannelFuture second = new ServerBootstrap().group(group).channel(GoNetpollServerDomainSocketChannel.class)
                    .childHandler(new ChannelInboundHandlerAdapter())
                    .bind(address).awaitUninterruptibly();
            BindException e = assertInstanceOf(BindException.class, second.cause());
            assertTrue(e.getMessage().contains("Address already in use") && e.getMessage().contains(address.path()),
                    e.getMessage());
            assertTrue(second.channel().closeFuture().awaitUninterruptibly(10, TimeUnit.SECONDS), "closed");
            // The failed second server did not remove the first one's file.
            BlockingQueue<String> replies = new LinkedBlockingQueue<>();
            Channel client = client(replies).connect(address).sync().channel();
            client.writeAndFlush(Unpooled.copiedBuffer("still here", StandardCharsets.UTF_8)).sync();
            assertEquals("still here", replies.poll(10, TimeUnit.SECONDS));
            client.close().sync();
        } finally {
            first.close().sync();
        }
    }

    private static Channel echoServer(SocketAddress address) throws InterruptedException {
        return new ServerBootstrap().group(group).channel(GoNetpollServerDomainSocketChannel.class)
                .childHandler(new Echo())
                .bind(address).sync().channel();
    }

    @ChannelHandler.Sharable
    private static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.writeAndFlush(msg);
        }
    }

    private static Bootstrap client(BlockingQueue<String> replies) {
        return new Bootstrap().group(group).channel(GoNetpollDomainSocketChannel.class)
                .handler(new SimpleChannelInboundHandler<ByteBuf>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                        replies.add(msg.toString(StandardCharsets.UTF_8));
                    }
                });
    }
}
