package dev.gonetpoll.reactor;

import dev.gonetpoll.channel.GoNetpollDatagramChannel;
import dev.gonetpoll.channel.GoNetpollDomainSocketChannel;
import dev.gonetpoll.channel.GoNetpollEventLoopGroup;
import dev.gonetpoll.channel.GoNetpollServerDomainSocketChannel;
import dev.gonetpoll.channel.GoNetpollServerSocketChannel;
import dev.gonetpoll.channel.GoNetpollSocketChannel;
import dev.gonetpoll.testing.Await;
import dev.gonetpoll.testing.LeakCheck;
import dev.gonetpoll.testing.OpenDescriptors;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainDatagramChannel;
import io.netty.channel.unix.DomainSocketChannel;
import io.netty.channel.unix.ServerDomainSocketChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.tcp.TcpClient;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Channel classes, bad arguments, and disposal: graceful, complete, and final. */
@ExtendWith(LeakCheck.class)
class GoNetpollLoopResourcesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Test
    void namesGoNetpollsChannelClassForEachOfReactorsTypes() {
        GoNetpollLoopResources loops = GoNetpollLoopResources.create("classes", 1);
        try {
            EventLoopGroup group = loops.onServer(true);
            assertSame(group, loops.onServerSelect(true));
            assertSame(group, loops.onClient(false), "useNative does not matter: gonetpoll either way");
            assertEquals(GoNetpollSocketChannel.class, loops.onChannelClass(SocketChannel.class, group));
            assertEquals(GoNetpollServerSocketChannel.class, loops.onChannelClass(ServerSocketChannel.class, group));
            assertEquals(GoNetpollDatagramChannel.class, loops.onChannelClass(DatagramChannel.class, group));
            assertEquals(GoNetpollDomainSocketChannel.class, loops.onChannelClass(DomainSocketChannel.class, group));
            assertEquals(GoNetpollServerDomainSocketChannel.class,
                    loops.onChannelClass(ServerDomainSocketChannel.class, group));
            assertInstanceOf(GoNetpollSocketChannel.class, loops.onChannel(SocketChannel.class, group));
            assertInstanceOf(GoNetpollServerSocketChannel.class, loops.onChannel(ServerSocketChannel.class, group));
            assertInstanceOf(GoNetpollServerDomainSocketChannel.class,
                    loops.onChannel(ServerDomainSocketChannel.class, group));
            closeUnregistered(loops.onChannel(DatagramChannel.class, group));
            closeUnregistered(loops.onChannel(DomainSocketChannel.class, group));

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> loops.onChannelClass(DomainDatagramChannel.class, group));
            assertTrue(e.getMessage().contains("DomainDatagramChannel"), e.getMessage());
        } finally {
            loops.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(TIMEOUT);
        }
    }

    private static void closeUnregistered(io.netty.channel.Channel channel) {
        assertTrue(channel.getClass().getName().startsWith("dev.gonetpoll."), channel.getClass().getName());
        channel.unsafe().closeForcibly();
    }

    @Test
    void aGroupThatIsNotGoNetpollsGetsReactorsOwnChoice() {
        GoNetpollLoopResources loops = GoNetpollLoopResources.create("foreign", 1);
        EventLoopGroup nio = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            assertEquals(NioSocketChannel.class, loops.onChannelClass(SocketChannel.class, nio));
        } finally {
            nio.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
            loops.dispose();
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(NullPointerException.class, () -> GoNetpollLoopResources.create(null));
        assertThrows(IllegalArgumentException.class, () -> GoNetpollLoopResources.create(""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GoNetpollLoopResources.create("x", -1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
    }

    @Test
    void disposingUnusedResourcesCreatesNoGroupAndEndsThem() {
        GoNetpollLoopResources loops = GoNetpollLoopResources.create("unused");
        assertFalse(loops.isDisposed());
        loops.disposeLater().block(TIMEOUT);
        assertTrue(loops.isDisposed());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> loops.onServer(true));
        assertTrue(e.getMessage().contains("unused") && e.getMessage().contains("disposed"), e.getMessage());
    }

    /**
     * After Reactor's own disposal of server and pool, nothing is registered; then the group terminates,
     * and the process has as many descriptors open as before (counted around a second run: the first
     * also opens jar files that stay open).
     */
    @Test
    void disposalAfterServerAndPoolLeavesNoDescriptorAndNoLoop() {
        serveOneRequestAndDispose();
        long before = OpenDescriptors.count();
        serveOneRequestAndDispose();
        assertEquals(before, OpenDescriptors.count(), "open descriptors of the process");
    }

    private static void serveOneRequestAndDispose() {
        GoNetpollLoopResources loops = GoNetpollLoopResources.create("life", 1);
        ConnectionProvider pool = ConnectionProvider.create("life", 4);
        DisposableServer server = HttpServer.create().runOn(loops).host("127.0.0.1").port(0)
                .handle((req, res) -> res.sendString(Mono.just("hi")))
                .bindNow(TIMEOUT);
        HttpClient client = HttpClient.create(pool).runOn(loops).host("127.0.0.1").port(server.port());
        assertEquals("hi", client.get().uri("/").responseContent().aggregate().asString().block(TIMEOUT));

        GoNetpollEventLoopGroup group = loops.eventLoopGroup();
        assertTrue(group.registeredFdCount() > 0, "listening socket and pooled connections are registered");
        server.disposeNow(TIMEOUT);
        pool.disposeLater().block(TIMEOUT);
        Await.until(TIMEOUT, () -> group.registeredFdCount() == 0,
                () -> group.registeredFdCount() + " descriptors still registered");

        loops.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(TIMEOUT);
        assertTrue(loops.isDisposed());
        assertTrue(group.isTerminated(), "group terminated when the Mono completed");
        assertEquals(0, group.liveLoopCount());
        assertThrows(IllegalStateException.class, () -> loops.onClient(true));
    }

    /** Disposing with a server bound and a client connected closes both: graceful, not abandoned. */
    @Test
    void disposalClosesServersAndConnectionsStillOpen() throws Exception {
        GoNetpollLoopResources loops = GoNetpollLoopResources.create("open", 1);
        DisposableServer server = reactor.netty.tcp.TcpServer.create().runOn(loops).host("127.0.0.1").port(0)
                .handle((in, out) -> out.send(in.receive().retain()))
                .bindNow(TIMEOUT);
        Connection client = TcpClient.create().runOn(loops).host("127.0.0.1").port(server.port()).connectNow(TIMEOUT);
        CountDownLatch clientClosed = new CountDownLatch(1);
        client.onDispose(clientClosed::countDown);
        GoNetpollEventLoopGroup group = loops.eventLoopGroup();

        loops.disposeLater(Duration.ofMillis(50), Duration.ofSeconds(5)).block(TIMEOUT);
        assertTrue(group.isTerminated());
        assertEquals(0, group.liveLoopCount());
        assertEquals(0, group.registeredFdCount());
        assertTrue(clientClosed.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "client connection closed");
        assertFalse(server.channel().isOpen(), "listening socket closed");
    }
}
