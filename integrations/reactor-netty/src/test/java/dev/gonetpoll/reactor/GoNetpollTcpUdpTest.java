package dev.gonetpoll.reactor;

import dev.gonetpoll.channel.GoNetpollDatagramChannel;
import dev.gonetpoll.channel.GoNetpollServerSocketChannel;
import dev.gonetpoll.channel.GoNetpollSocketChannel;
import dev.gonetpoll.testing.Bodies;
import dev.gonetpoll.testing.LeakCheck;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;
import reactor.netty.udp.UdpClient;
import reactor.netty.udp.UdpServer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TcpServer/TcpClient and UdpServer/UdpClient on gonetpoll, and Reactor's colocation. */
@ExtendWith(LeakCheck.class)
class GoNetpollTcpUdpTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static GoNetpollLoopResources loops;

    @BeforeAll
    static void createResources() {
        loops = GoNetpollLoopResources.create("tcp-udp-test", 1);
    }

    @AfterAll
    static void disposeResources() {
        loops.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(TIMEOUT);
    }

    private static DisposableServer tcpEchoServer(GoNetpollLoopResources resources) {
        return TcpServer.create()
                .runOn(resources)
                .host("127.0.0.1").port(0)
                .handle((in, out) -> out.send(in.receive().retain()))
                .bindNow(TIMEOUT);
    }

    @Test
    void tcpEchoesOneMebibyte() {
        DisposableServer server = tcpEchoServer(loops);
        Connection client = TcpClient.create().runOn(loops).host("127.0.0.1").port(server.port()).connectNow(TIMEOUT);
        try {
            assertEquals(GoNetpollServerSocketChannel.class, server.channel().getClass());
            assertEquals(GoNetpollSocketChannel.class, client.channel().getClass());
            byte[] sent = Bodies.random(1024 * 1024);
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            Mono<Void> echoed = client.inbound().receive().asByteArray()
                    .doOnNext(received::writeBytes)
                    .takeUntil(b -> received.size() >= sent.length)
                    .then();
            client.outbound().send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(sent))).then().subscribe();
            echoed.block(TIMEOUT);
            assertArrayEquals(sent, received.toByteArray());
        } finally {
            client.disposeNow(TIMEOUT);
            server.disposeNow(TIMEOUT);
        }
    }

    @Test
    void udpServerEchoesDatagrams() throws InterruptedException {
        Connection server = UdpServer.create()
                .runOn(loops)
                .host("127.0.0.1").port(0)
                .handle((in, out) -> out.sendObject(in.receiveObject().cast(DatagramPacket.class)
                        .map(p -> new DatagramPacket(p.content().retain(), p.sender()))))
                .bindNow(TIMEOUT);
        Connection client = UdpClient.create()
                .runOn(loops)
                .remoteAddress(() -> server.address())
                .connectNow(TIMEOUT);
        try {
            assertEquals(GoNetpollDatagramChannel.class, server.channel().getClass());
            assertEquals(GoNetpollDatagramChannel.class, client.channel().getClass());
            // Inbound is subscribed once; each reply is awaited before the next datagram goes out.
            BlockingQueue<String> replies = new LinkedBlockingQueue<>();
            client.inbound().receive().asString(StandardCharsets.UTF_8).subscribe(replies::add);
            for (String word : new String[] {"one", "two", "three"}) {
                client.outbound().sendString(Mono.just(word)).then().block(TIMEOUT);
                assertEquals(word, replies.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
            }
        } finally {
            client.disposeNow(TIMEOUT);
            server.disposeNow(TIMEOUT);
        }
    }

    /** The loop of a client connection opened while the server connection's handler runs. */
    private static EventLoop loopOfClientOpenedInsideHandler(GoNetpollLoopResources resources) {
        DisposableServer backend = tcpEchoServer(resources);
        CompletableFuture<EventLoop[]> loopsSeen = new CompletableFuture<>();
        DisposableServer front = TcpServer.create()
                .runOn(resources)
                .host("127.0.0.1").port(0)
                .doOnConnection(inbound -> {
                    EventLoop serverLoop = inbound.channel().eventLoop();
                    if (!serverLoop.inEventLoop()) {
                        loopsSeen.completeExceptionally(new AssertionError("doOnConnection ran outside its loop"));
                        return;
                    }
                    TcpClient.create().runOn(resources).remoteAddress(backend::address).connect()
                            .subscribe(outbound -> {
                                loopsSeen.complete(new EventLoop[] {serverLoop, outbound.channel().eventLoop()});
                                outbound.dispose();
                            }, loopsSeen::completeExceptionally);
                })
                .bindNow(TIMEOUT);
        Connection client = TcpClient.create().runOn(resources).host("127.0.0.1").port(front.port()).connectNow(TIMEOUT);
        try {
            EventLoop[] seen = loopsSeen.orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
            return seen[0] == seen[1] ? seen[0] : null;
        } finally {
            client.disposeNow(TIMEOUT);
            front.disposeNow(TIMEOUT);
            backend.disposeNow(TIMEOUT);
        }
    }

    @Test
    void withColocationAClientOpenedInAHandlerJoinsTheHandlersLoop() {
        GoNetpollLoopResources colocating = GoNetpollLoopResources.create("colocate-test", 1, true);
        try {
            assertTrue(colocating.onClient(true) instanceof ColocatingEventLoopGroup);
            EventLoop shared = loopOfClientOpenedInsideHandler(colocating);
            assertTrue(shared != null, "client connection runs on the server connection's loop");
            // From outside any loop, colocation has nothing to join: a loop of its own.
            assertNotSame(colocating.onClient(true).next(), colocating.onClient(true).next());
        } finally {
            colocating.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(TIMEOUT);
        }
    }

    @Test
    void withoutColocationAClientOpenedInAHandlerGetsALoopOfItsOwn() {
        assertSame(loops.eventLoopGroup(), loops.onClient(true));
        assertEquals(null, loopOfClientOpenedInsideHandler(loops));
    }
}
