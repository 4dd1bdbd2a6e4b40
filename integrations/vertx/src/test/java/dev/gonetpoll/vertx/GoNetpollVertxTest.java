package dev.gonetpoll.vertx;

import dev.gonetpoll.channel.GoNetpollDomainSocketChannel;
import dev.gonetpoll.channel.GoNetpollEventLoop;
import dev.gonetpoll.channel.GoNetpollEventLoopGroup;
import dev.gonetpoll.testing.Bodies;
import dev.gonetpoll.testing.LeakCheck;
import dev.gonetpoll.testing.OpenDescriptors;
import dev.gonetpoll.testing.TestCertificates;
import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Vert.x 5 on {@link GoNetpollTransport} with one processor: HTTP with bodies from 0 to 1 MiB over TCP
 * and TLS, a NetServer on a Unix socket, UDP, and a handler that blocks while another verticle instance
 * answers.
 */
@ExtendWith(LeakCheck.class)
class GoNetpollVertxTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static Vertx vertx;
    private static GoNetpollEventLoopGroup group;
    /** What handlers found wrong about where they ran (asserted empty after each exchange). */
    private static final Queue<String> problems = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.builder().withTransport(GoNetpollTransport.create(1)).build();
        group = (GoNetpollEventLoopGroup) ((VertxInternal) vertx).eventLoopGroup();
    }

    @AfterAll
    static void closeVertx() {
        await(vertx.close());
        assertTrue(group.isTerminated(), "closing Vert.x terminated the gonetpoll group");
        assertEquals(0, group.liveLoopCount());
    }

    static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("Vert.x future did not succeed: " + e, e);
        }
    }

    /** Records a problem unless the caller runs inside its context's gonetpoll loop. */
    static void checkRunsOnGoNetpollLoop(String where) {
        Context context = Vertx.currentContext();
        if (context == null) {
            problems.add(where + ": no Vert.x context");
            return;
        }
        EventLoop loop = ((ContextInternal) context).nettyEventLoop();
        if (!(loop instanceof GoNetpollEventLoop) || !loop.inEventLoop()) {
            problems.add(where + ": not inside a gonetpoll loop but on " + Thread.currentThread() + " for " + loop);
        }
    }

    private static void assertNoProblems() {
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void vertxRunsOnOneGoNetpollGroup() {
        VertxInternal internal = (VertxInternal) vertx;
        assertInstanceOf(GoNetpollTransport.class, internal.transport());
        assertSame(group, internal.acceptorEventLoopGroup(), "acceptor and I/O group are one group");
        assertEquals(1, group.processorCount());
    }

    private static HttpServer echoServer(HttpServerOptions options) {
        return vertx.createHttpServer(options).requestHandler(req -> {
            checkRunsOnGoNetpollLoop("request handler");
            req.body().onSuccess(b -> req.response().end(b)).onFailure(e -> req.response().setStatusCode(500).end());
        });
    }

    private static byte[] post(HttpClient client, String host, int port, byte[] body) {
        return await(client.request(HttpMethod.POST, port, host, "/echo")
                .compose(req -> req.send(Buffer.buffer(body)))
                .compose(res -> {
                    assertEquals(200, res.statusCode());
                    return res.body();
                })).getBytes();
    }

    private static void assertEchoes(HttpClient client, String host, int port, String how) {
        for (int size : Bodies.SIZES) {
            byte[] sent = Bodies.random(size);
            assertArrayEquals(sent, post(client, host, port, sent), how + ", " + size + " bytes");
        }
        assertNoProblems();
    }

    @Test
    void httpEchoesBodies() {
        HttpServer server = await(echoServer(new HttpServerOptions()).listen(0, "127.0.0.1"));
        HttpClient client = vertx.createHttpClient();
        try {
            assertEchoes(client, "127.0.0.1", server.actualPort(), "TCP");
        } finally {
            await(client.close());
            await(server.close());
        }
    }

    @Test
    void httpEchoesBodiesOverTls() {
        var certificate = TestCertificates.localhost();
        HttpServer server = await(echoServer(new HttpServerOptions()
                .setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions()
                        .setCertValue(Buffer.buffer(certificate.getCertificatePEM()))
                        .setKeyValue(Buffer.buffer(certificate.getPrivateKeyPEM()))))
                .listen(0, "127.0.0.1"));
        HttpClient client = vertx.createHttpClient(new HttpClientOptions()
                .setSsl(true)
                .setVerifyHost(true)
                .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(certificate.getCertificatePEM()))));
        try {
            assertEchoes(client, "localhost", server.actualPort(), "TLS");
        } finally {
            await(client.close());
            await(server.close());
        }
    }

    @Test
    void netServerEchoesOverAUnixSocket(@TempDir Path dir) {
        SocketAddress address = SocketAddress.domainSocketAddress(dir.resolve("net.sock").toString());
        Queue<Class<?>> channelTypes = new ConcurrentLinkedQueue<>();
        NetServer server = await(vertx.createNetServer().connectHandler(socket -> {
            checkRunsOnGoNetpollLoop("connect handler");
            channelTypes.add(((NetSocketInternal) socket).channelHandlerContext().channel().getClass());
            socket.handler(socket::write);
        }).listen(address));
        NetClient client = vertx.createNetClient();
        try {
            NetSocket socket = await(client.connect(address));
            channelTypes.add(((NetSocketInternal) socket).channelHandlerContext().channel().getClass());
            byte[] sent = Bodies.random(1024 * 1024);
            Buffer received = Buffer.buffer();
            CompletableFuture<Void> allBack = new CompletableFuture<>();
            socket.handler(chunk -> {
                received.appendBuffer(chunk);
                if (received.length() >= sent.length) {
                    allBack.complete(null);
                }
            });
            await(socket.write(Buffer.buffer(sent)));
            allBack.orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
            assertArrayEquals(sent, received.getBytes());
            await(socket.close());
            assertEquals(2, channelTypes.size());
            channelTypes.forEach(type -> assertEquals(GoNetpollDomainSocketChannel.class, type));
            assertNoProblems();
        } finally {
            await(client.close());
            await(server.close());
        }
    }

    @Test
    void datagramSocketsExchangePackets() throws InterruptedException {
        DatagramSocket server = vertx.createDatagramSocket();
        server.handler(packet -> {
            checkRunsOnGoNetpollLoop("datagram handler");
            server.send(packet.data(), packet.sender().port(), packet.sender().host());
        });
        await(server.listen(0, "127.0.0.1"));
        DatagramSocket client = vertx.createDatagramSocket();
        BlockingQueue<String> replies = new LinkedBlockingQueue<>();
        client.handler(packet -> replies.add(packet.data().toString()));
        await(client.listen(0, "127.0.0.1"));
        try {
            for (String word : new String[] {"one", "two", "three"}) {
                await(client.send(word, server.localAddress().port(), "127.0.0.1"));
                assertEquals(word, replies.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
            }
            assertNoProblems();
        } finally {
            await(client.close());
            await(server.close());
        }
    }

    static final CountDownLatch slowEntered = new CountDownLatch(1);
    static final CountDownLatch releaseSlow = new CountDownLatch(1);

    /** Answers /fast at once; /slow blocks its context's goroutine until the test releases it. */
    static final class SlowAndFastVerticle extends VerticleBase {
        private final int port;

        SlowAndFastVerticle(int port) {
            this.port = port;
        }

        @Override
        public Future<?> start() {
            return vertx.createHttpServer().requestHandler(req -> {
                if (req.path().equals("/slow")) {
                    slowEntered.countDown();
                    try {
                        releaseSlow.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS); // blocks, no executeBlocking
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    req.response().end("slow");
                } else {
                    req.response().end("fast");
                }
            }).listen(port, "127.0.0.1");
        }
    }

    /**
     * Two instances of a verticle, one processor: Vert.x hands the first connection to the first
     * instance's context and the second to the second's. The first handler blocks its goroutine; the
     * second instance answers meanwhile. (On a one-thread event-loop group both contexts would share that
     * thread, and the second request would wait.)
     */
    @Test
    void aBlockedHandlerHoldsBackOnlyItsOwnContext() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        int listenPort = port;
        String deployment = await(vertx.deployVerticle(() -> new SlowAndFastVerticle(listenPort),
                new DeploymentOptions().setInstances(2)));
        HttpClient client = vertx.createHttpClient();
        try {
            CompletableFuture<String> slow = client.request(HttpMethod.GET, port, "127.0.0.1", "/slow")
                    .compose(req -> req.send().compose(HttpClientResponse::body))
                    .map(Buffer::toString)
                    .toCompletionStage().toCompletableFuture();
            assertTrue(slowEntered.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "the slow handler started");

            String fast = await(client.request(HttpMethod.GET, port, "127.0.0.1", "/fast")
                    .compose(req -> req.send().compose(HttpClientResponse::body))
                    .map(Buffer::toString));
            assertEquals("fast", fast);
            assertFalse(slow.isDone(), "the slow request is still blocked in its handler");

            releaseSlow.countDown();
            assertEquals("slow", slow.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        } finally {
            releaseSlow.countDown();
            await(client.close());
            await(vertx.undeploy(deployment));
        }
    }

    /**
     * A Vert.x instance of its own: closing it closes its servers and ends its group's every loop, and
     * the process has as many descriptors open as before (counted around a second run: the first also
     * opens jar files that stay open).
     */
    @Test
    void closingVertxLeavesNoDescriptorAndNoLoop() {
        serveOneRequestAndClose();
        long before = OpenDescriptors.count();
        serveOneRequestAndClose();
        assertEquals(before, OpenDescriptors.count(), "open descriptors of the process");
    }

    private static void serveOneRequestAndClose() {
        Vertx own = Vertx.builder().withTransport(GoNetpollTransport.create(1)).build();
        GoNetpollEventLoopGroup ownGroup = (GoNetpollEventLoopGroup) ((VertxInternal) own).eventLoopGroup();
        HttpServer server = await(own.createHttpServer().requestHandler(req -> req.response().end("hi"))
                .listen(0, "127.0.0.1"));
        HttpClient client = own.createHttpClient();
        String reply = await(client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/")
                .compose(req -> req.send().compose(HttpClientResponse::body))).toString();
        assertEquals("hi", reply);
        assertTrue(ownGroup.registeredFdCount() > 0);

        await(own.close()); // server and client connection still open: Vert.x closes them
        assertTrue(ownGroup.isTerminated());
        assertEquals(0, ownGroup.liveLoopCount());
        assertEquals(0, ownGroup.registeredFdCount());
    }
}
