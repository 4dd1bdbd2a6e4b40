package dev.gonetpoll.reactor;

import dev.gonetpoll.channel.GoNetpollDomainSocketChannel;
import dev.gonetpoll.channel.GoNetpollServerDomainSocketChannel;
import dev.gonetpoll.channel.GoNetpollServerSocketChannel;
import dev.gonetpoll.channel.GoNetpollSocketChannel;
import dev.gonetpoll.testing.Bodies;
import dev.gonetpoll.testing.LeakCheck;
import dev.gonetpoll.testing.TestCertificates;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.unix.DomainSocketAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reactor Netty's HttpServer and HttpClient on one {@link GoNetpollLoopResources} with a single
 * processor: bodies from 0 to 1 MiB over TCP, TLS and a Unix socket, and a handler that blocks while
 * other requests are answered.
 */
@ExtendWith(LeakCheck.class)
class GoNetpollHttpTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static GoNetpollLoopResources loops;
    private static ConnectionProvider connections;

    @BeforeAll
    static void createResources() {
        loops = GoNetpollLoopResources.create("http-test", 1);
        connections = ConnectionProvider.create("http-test", 16);
    }

    @AfterAll
    static void disposeResources() {
        connections.disposeLater().block(TIMEOUT);
        loops.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(TIMEOUT);
    }

    private static HttpServer echoServer(Queue<Class<? extends Channel>> acceptedTypes) {
        return HttpServer.create()
                .runOn(loops)
                .doOnConnection(c -> acceptedTypes.add(c.channel().getClass()))
                .route(routes -> routes.post("/echo", (req, res) -> res.send(req.receive().retain())));
    }

    private static HttpClient client(Queue<Class<? extends Channel>> clientTypes) {
        return HttpClient.create(connections)
                .runOn(loops)
                .doOnConnected(c -> clientTypes.add(c.channel().getClass()));
    }

    private static byte[] post(HttpClient client, byte[] body) {
        return client.post()
                .uri("/echo")
                .send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(body)))
                .responseSingle((res, content) -> {
                    assertEquals(200, res.status().code());
                    return content.asByteArray().defaultIfEmpty(new byte[0]);
                })
                .block(TIMEOUT);
    }

    private static void assertEchoes(HttpClient client, String how) {
        for (int size : Bodies.SIZES) {
            byte[] sent = Bodies.random(size);
            assertArrayEquals(sent, post(client, sent), how + ", " + size + " bytes");
        }
    }

    @Test
    void echoesBodiesOverTcpOnGoNetpollChannels() {
        Queue<Class<? extends Channel>> accepted = new ConcurrentLinkedQueue<>();
        Queue<Class<? extends Channel>> connected = new ConcurrentLinkedQueue<>();
        DisposableServer server = echoServer(accepted).host("127.0.0.1").port(0).bindNow(TIMEOUT);
        try {
            assertEquals(GoNetpollServerSocketChannel.class, server.channel().getClass());
            HttpClient client = client(connected).host("127.0.0.1").port(server.port());
            assertEchoes(client, "TCP");
        } finally {
            server.disposeNow(TIMEOUT);
        }
        assertFalse(accepted.isEmpty());
        accepted.forEach(c -> assertEquals(GoNetpollSocketChannel.class, c));
        assertFalse(connected.isEmpty());
        connected.forEach(c -> assertEquals(GoNetpollSocketChannel.class, c));
    }

    @Test
    void echoesBodiesOverTls() throws Exception {
        var certificate = TestCertificates.localhost();
        Queue<Class<? extends Channel>> accepted = new ConcurrentLinkedQueue<>();
        DisposableServer server = echoServer(accepted)
                .secure(spec -> spec.sslContext(Http11SslContextSpec.forServer(
                        certificate.getKeyPair().getPrivate(), certificate.getCertificatePath())))
                .host("127.0.0.1").port(0).bindNow(TIMEOUT);
        try {
            HttpClient client = client(new ConcurrentLinkedQueue<>())
                    .secure(spec -> spec.sslContext(Http11SslContextSpec.forClient()
                            .configure(b -> b.trustManager(certificate.toTrustManagerFactory()))))
                    .host("localhost").port(server.port());
            assertEchoes(client, "TLS");
        } finally {
            server.disposeNow(TIMEOUT);
        }
        accepted.forEach(c -> assertEquals(GoNetpollSocketChannel.class, c));
    }

    @Test
    void echoesBodiesOverAUnixSocket(@TempDir Path dir) {
        DomainSocketAddress address = new DomainSocketAddress(dir.resolve("http.sock").toString());
        Queue<Class<? extends Channel>> accepted = new ConcurrentLinkedQueue<>();
        Queue<Class<? extends Channel>> connected = new ConcurrentLinkedQueue<>();
        DisposableServer server = echoServer(accepted).bindAddress(() -> address).bindNow(TIMEOUT);
        try {
            assertEquals(GoNetpollServerDomainSocketChannel.class, server.channel().getClass());
            HttpClient client = client(connected).remoteAddress(() -> address);
            assertEchoes(client, "Unix socket");
        } finally {
            server.disposeNow(TIMEOUT);
        }
        accepted.forEach(c -> assertEquals(GoNetpollDomainSocketChannel.class, c));
        assertFalse(connected.isEmpty());
        connected.forEach(c -> assertEquals(GoNetpollDomainSocketChannel.class, c));
    }

    /**
     * One processor, and a handler that blocks its connection's goroutine in {@code Mono.block()} (which
     * Reactor forbids on its own loop threads) until the test releases it: meanwhile a second request is
     * answered, so the blocked handler held back only its own connection.
     */
    @Test
    void aBlockedHandlerHoldsBackOnlyItsOwnConnection() throws Exception {
        CountDownLatch slowEntered = new CountDownLatch(1);
        Sinks.One<String> release = Sinks.one();
        DisposableServer server = HttpServer.create()
                .runOn(loops)
                .route(routes -> routes
                        .get("/slow", (req, res) -> {
                            slowEntered.countDown();
                            String word = release.asMono().block(TIMEOUT); // blocks this goroutine
                            return res.sendString(Mono.just(word));
                        })
                        .get("/fast", (req, res) -> res.sendString(Mono.just("fast"))))
                .host("127.0.0.1").port(0).bindNow(TIMEOUT);
        try {
            HttpClient client = HttpClient.create(connections).runOn(loops).host("127.0.0.1").port(server.port());
            CompletableFuture<String> slow = client.get().uri("/slow").responseContent().aggregate().asString()
                    .toFuture();
            assertTrue(slowEntered.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "the slow handler started");

            for (int i = 0; i < 3; i++) {
                assertEquals("fast", client.get().uri("/fast").responseContent().aggregate().asString().block(TIMEOUT));
            }
            assertFalse(slow.isDone(), "the slow request is still blocked in its handler");

            release.tryEmitValue("slow").orThrow();
            assertEquals("slow", slow.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        } finally {
            release.tryEmitValue("released");
            server.disposeNow(TIMEOUT);
        }
    }

    @Test
    void manyConcurrentRequestsOnOneProcessor() {
        DisposableServer server = echoServer(new ConcurrentLinkedQueue<>()).host("127.0.0.1").port(0).bindNow(TIMEOUT);
        ConnectionProvider wide = ConnectionProvider.create("many", 64);
        try {
            HttpClient client = HttpClient.create(wide).runOn(loops).host("127.0.0.1").port(server.port());
            byte[] payload = "ping".getBytes(StandardCharsets.US_ASCII);
            CompletableFuture<?>[] replies = new CompletableFuture<?>[64];
            for (int i = 0; i < replies.length; i++) {
                replies[i] = client.post().uri("/echo")
                        .send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(payload)))
                        .responseContent().aggregate().asByteArray()
                        .toFuture()
                        .thenAccept(b -> assertTrue(Arrays.equals(payload, b)));
            }
            CompletableFuture.allOf(replies).orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
        } finally {
            wide.disposeLater().block(TIMEOUT);
            server.disposeNow(TIMEOUT);
        }
    }
}
