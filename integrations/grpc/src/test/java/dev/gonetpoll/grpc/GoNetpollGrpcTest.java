package dev.gonetpoll.grpc;

import dev.gonetpoll.channel.GoNetpollEventLoopGroup;
import dev.gonetpoll.testing.Await;
import dev.gonetpoll.testing.Bodies;
import dev.gonetpoll.testing.LeakCheck;
import dev.gonetpoll.testing.OpenDescriptors;
import dev.gonetpoll.testing.TestCertificates;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.EventExecutor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * gRPC-java (grpc-netty) server and client on one gonetpoll group with one processor: unary calls with
 * 0 B to 1 MiB over TCP, TLS and a Unix socket, Go-style blocking service methods, and shutdown.
 * The service is defined without protobuf: its messages are raw bytes.
 */
@ExtendWith(LeakCheck.class)
class GoNetpollGrpcTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private static final MethodDescriptor<byte[], byte[]> ECHO = method("Echo");
    /** Blocks in the service method until the test releases it, then answers "slow". */
    private static final MethodDescriptor<byte[], byte[]> SLOW = method("Slow");

    private static MethodDescriptor<byte[], byte[]> method(String name) {
        return MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName("gonetpoll.Test", name))
                .setRequestMarshaller(BYTES)
                .setResponseMarshaller(BYTES)
                .build();
    }

    private static GoNetpollEventLoopGroup group;
    private static final Queue<String> problems = new ConcurrentLinkedQueue<>();
    private static volatile CountDownLatch slowEntered;
    private static volatile CountDownLatch releaseSlow;

    @BeforeAll
    static void createGroup() {
        group = new GoNetpollEventLoopGroup(1);
    }

    @AfterAll
    static void shutDownGroup() {
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        assertEquals(0, group.liveLoopCount());
    }

    /** Echo and Slow, written as a blocking service: no callbacks, no offloading. */
    private static ServerServiceDefinition service(boolean expectLoop) {
        return ServerServiceDefinition.builder("gonetpoll.Test")
                .addMethod(ECHO, ServerCalls.asyncUnaryCall((request, response) -> {
                    if (expectLoop && !runsInALoopOfTheGroup()) {
                        problems.add("Echo ran outside the group's loops, on " + Thread.currentThread());
                    }
                    response.onNext(request);
                    response.onCompleted();
                }))
                .addMethod(SLOW, ServerCalls.asyncUnaryCall((request, response) -> {
                    slowEntered.countDown();
                    try {
                        releaseSlow.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS); // blocks this goroutine
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    response.onNext("slow".getBytes(StandardCharsets.US_ASCII));
                    response.onCompleted();
                }))
                .build();
    }

    /** Whether the caller runs in one of the group's loops, i.e. in a connection's goroutine. */
    private static boolean runsInALoopOfTheGroup() {
        for (EventExecutor loop : group) {
            if (loop.inEventLoop()) {
                return true;
            }
        }
        return false;
    }

    private static Server start(NettyServerBuilder builder) {
        try {
            return builder.build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void stop(Server server, ManagedChannel... channels) throws InterruptedException {
        for (ManagedChannel channel : channels) {
            channel.shutdown();
            assertTrue(channel.awaitTermination(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "channel terminated");
        }
        server.shutdown();
        assertTrue(server.awaitTermination(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "server terminated");
    }

    private static byte[] call(ManagedChannel channel, MethodDescriptor<byte[], byte[]> method, byte[] request) {
        return ClientCalls.blockingUnaryCall(channel, method, CallOptions.DEFAULT.withDeadlineAfter(
                TIMEOUT.toSeconds(), TimeUnit.SECONDS), request);
    }

    private static void assertEchoes(ManagedChannel channel) {
        for (int size : Bodies.SIZES) {
            byte[] sent = Bodies.random(size);
            assertArrayEquals(sent, call(channel, ECHO, sent), size + " bytes");
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void unaryCallsOverTcpRunInTheConnectionsGoroutine() throws Exception {
        Server server = start(GoNetpollGrpc.serverBuilder(new InetSocketAddress("127.0.0.1", 0), group)
                .directExecutor().addService(service(true)));
        ManagedChannel channel = GoNetpollGrpc.channelBuilder("127.0.0.1:" + server.getPort(), group)
                .usePlaintext().build();
        try {
            assertEchoes(channel);
        } finally {
            stop(server, channel);
        }
    }

    @Test
    void unaryCallsOverTls() throws Exception {
        var certificate = TestCertificates.localhost();
        Server server = start(GoNetpollGrpc.serverBuilder(new InetSocketAddress("127.0.0.1", 0), group)
                .sslContext(GrpcSslContexts.configure(SslContextBuilder.forServer(
                        certificate.getKeyPair().getPrivate(), certificate.getCertificatePath())).build())
                .directExecutor().addService(service(true)));
        ManagedChannel channel = GoNetpollGrpc.channelBuilder(new InetSocketAddress("127.0.0.1", server.getPort()), group)
                .sslContext(GrpcSslContexts.forClient().trustManager(certificate.toTrustManagerFactory()).build())
                .overrideAuthority("localhost")
                .build();
        try {
            assertEchoes(channel);
        } finally {
            stop(server, channel);
        }
    }

    @Test
    void unaryCallsOverAUnixSocket(@TempDir Path dir) throws Exception {
        String path = dir.resolve("grpc.sock").toString();
        Server server = start(GoNetpollGrpc.serverBuilder(new DomainSocketAddress(path), group)
                .directExecutor().addService(service(true)));
        ManagedChannel byAddress = GoNetpollGrpc.channelBuilder(new DomainSocketAddress(path), group)
                .usePlaintext().build();
        ManagedChannel byTarget = GoNetpollGrpc.channelBuilder("unix://" + path, group).usePlaintext().build();
        try {
            assertEchoes(byAddress);
            assertArrayEquals(new byte[] {42}, call(byTarget, ECHO, new byte[] {42}));
        } finally {
            stop(server, byAddress, byTarget);
        }
    }

    /**
     * Go style on one processor: the service method blocks its connection's goroutine; a call over another
     * connection (another ManagedChannel) is answered meanwhile.
     */
    @Test
    void withDirectExecutorABlockedMethodHoldsBackOnlyItsConnection() throws Exception {
        Server server = startBlockingServer(NettyServerBuilder::directExecutor);
        ManagedChannel first = plaintextChannel(server);
        ManagedChannel second = plaintextChannel(server);
        try {
            assertSlowCallDoesNotHoldBack(first, second);
        } finally {
            releaseSlow.countDown();
            stop(server, first, second);
        }
    }

    /**
     * The limit of the Go style under gRPC-java: the streams of one connection share its goroutine, so a
     * call over the same ManagedChannel waits for the blocked one (grpc-go would run it in a goroutine
     * of its own). This is what {@link GoNetpollGrpc#goroutinePerTask} is for.
     */
    @Test
    void withDirectExecutorCallsOverTheSameConnectionWaitForABlockedOne() throws Exception {
        Server server = startBlockingServer(NettyServerBuilder::directExecutor);
        ManagedChannel channel = plaintextChannel(server);
        try {
            CompletableFuture<byte[]> slow = CompletableFuture.supplyAsync(() -> call(channel, SLOW, new byte[0]));
            assertTrue(slowEntered.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "the slow method started");
            CompletableFuture<byte[]> fast = CompletableFuture.supplyAsync(() -> call(channel, ECHO, new byte[] {1}));
            Thread.sleep(300);
            assertFalse(fast.isDone(), "a call on the blocked connection waits");
            releaseSlow.countDown();
            assertArrayEquals(new byte[] {1}, fast.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
            assertEquals(4, slow.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).length);
        } finally {
            releaseSlow.countDown();
            stop(server, channel);
        }
    }

    /** With a goroutine per task, even calls over the same connection do not wait for a blocked one. */
    @Test
    void withAGoroutinePerTaskABlockedMethodHoldsBackOnlyItsCall() throws Exception {
        Server server = startBlockingServer(b -> b.executor(GoNetpollGrpc.goroutinePerTask(group)));
        ManagedChannel channel = plaintextChannel(server);
        try {
            assertSlowCallDoesNotHoldBack(channel, channel);
        } finally {
            releaseSlow.countDown();
            stop(server, channel);
        }
    }

    /** A TCP server with Echo and Slow, Slow's latches reset; {@code executor} says where calls run. */
    private static Server startBlockingServer(UnaryOperator<NettyServerBuilder> executor) {
        slowEntered = new CountDownLatch(1);
        releaseSlow = new CountDownLatch(1);
        return start(executor.apply(GoNetpollGrpc.serverBuilder(new InetSocketAddress("127.0.0.1", 0), group))
                .addService(service(false)));
    }

    private static ManagedChannel plaintextChannel(Server server) {
        return GoNetpollGrpc.channelBuilder("127.0.0.1:" + server.getPort(), group).usePlaintext().build();
    }

    private static void assertSlowCallDoesNotHoldBack(ManagedChannel slowOver, ManagedChannel fastOver)
            throws Exception {
        CompletableFuture<byte[]> slow = CompletableFuture.supplyAsync(() -> call(slowOver, SLOW, new byte[0]));
        assertTrue(slowEntered.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "the slow method started");
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(new byte[] {(byte) i}, call(fastOver, ECHO, new byte[] {(byte) i}));
        }
        assertFalse(slow.isDone(), "the slow call is still blocked in its method");
        releaseSlow.countDown();
        assertEquals("slow", new String(slow.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS), StandardCharsets.US_ASCII));
    }

    /**
     * Shutting down server, channel and group leaves nothing registered, no loop, and as many open
     * descriptors in the process as before (counted around a second run: the first also opens jar
     * files that stay open).
     */
    @Test
    void shutdownOfServerAndChannelLeavesNothingRegistered() throws Exception {
        callOnceAndShutDown();
        long before = OpenDescriptors.count();
        callOnceAndShutDown();
        assertEquals(before, OpenDescriptors.count(), "open descriptors of the process");
    }

    private static void callOnceAndShutDown() throws InterruptedException {
        GoNetpollEventLoopGroup own = new GoNetpollEventLoopGroup(1);
        Server server = start(GoNetpollGrpc.serverBuilder(new InetSocketAddress("127.0.0.1", 0), own)
                .directExecutor().addService(service(false)));
        ManagedChannel channel = GoNetpollGrpc.channelBuilder("127.0.0.1:" + server.getPort(), own).usePlaintext().build();
        assertArrayEquals(new byte[] {7}, call(channel, ECHO, new byte[] {7}));
        assertTrue(own.registeredFdCount() > 0);

        stop(server, channel);
        Await.until(TIMEOUT, () -> own.registeredFdCount() == 0,
                () -> own.registeredFdCount() + " descriptors still registered");
        own.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        assertTrue(own.isTerminated());
        assertEquals(0, own.liveLoopCount());
    }

    @Test
    void rejectsAddressesItCannotServe() {
        SocketAddress jdkUnix = UnixDomainSocketAddress.of("/tmp/x.sock");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GoNetpollGrpc.serverBuilder(jdkUnix, group));
        assertTrue(e.getMessage().contains("UnixDomainSocketAddress"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GoNetpollGrpc.channelBuilder(jdkUnix, group));
        assertThrows(NullPointerException.class, () -> GoNetpollGrpc.channelBuilder("localhost:1", null));
    }
}
