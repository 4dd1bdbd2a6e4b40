package dev.gonetpoll.examples;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code echo} and {@code proxy} examples, on every transport: 1 MiB through intact, backpressure,
 * closes passed on after what was pending, refusals handled.
 */
@Timeout(60)
class EchoAndProxyTest {

    private static final int SIZE = 1 << 20;

    /** The proxy's error stream. */
    private final ByteArrayOutputStream errorBytes = new ByteArrayOutputStream();
    private final PrintStream errors = new PrintStream(errorBytes, true, StandardCharsets.UTF_8);

    private String errorText() {
        return errorBytes.toString(StandardCharsets.UTF_8);
    }

    private static ServerOptions options(Transport transport) {
        return new ServerOptions("127.0.0.1", 0, 1).withTransport(transport);
    }

    /** Sends 1 MiB of random bytes (from another thread, so neither side waits on the other) and reads them back. */
    private static void assertEchoes(int port) throws Exception {
        byte[] data = new byte[SIZE];
        new Random(42).nextBytes(data);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int off = 0; off < SIZE; off += 65536) {
                        out.write(data, off, 65536);
                    }
                    out.flush();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] back = s.getInputStream().readNBytes(SIZE);
            writer.get(20, TimeUnit.SECONDS);
            assertArrayEquals(data, back);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void echoReturnsEveryByte(Transport transport) throws Exception {
        Transports.assumeAvailable(transport);
        try (RunningServer echo = EchoCommand.start(options(transport))) {
            assertEquals("tcp://127.0.0.1:" + echo.port() + "/", echo.url());
            assertEchoes(echo.port());
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void proxyRelaysBothWaysToItsTarget(Transport transport) throws Exception {
        Transports.assumeAvailable(transport);
        try (RunningServer echo = EchoCommand.start(options(transport));
             RunningServer proxy = ProxyCommand.start(options(transport)
                     .with(ProxyCommand.TARGET, "127.0.0.1:" + echo.port()), errors)) {
            assertEchoes(proxy.port());
            assertEchoes(proxy.port()); // a second connection, its own outbound channel
        }
        assertEquals("", errorText());
    }

    /**
     * A client that writes 16 MiB without reading: once the socket buffers and the server's outbound
     * buffer are full, the server stops reading (auto-read off) instead of buffering the rest; as the
     * client reads, the server reads again and every byte comes back in order.
     */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void echoStopsReadingWhileThePeerDoesNotRead(Transport transport) throws Exception {
        Transports.assumeAvailable(transport);
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        try (RunningServer echo = RunningServer.bind(options(transport), new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                // small kernel buffers, so that 16 MiB is far more than the path between the two can hold
                ch.config().setOption(ChannelOption.SO_SNDBUF, 32 * 1024);
                ch.config().setOption(ChannelOption.SO_RCVBUF, 32 * 1024);
                ch.pipeline().addLast("echo", new EchoCommand.EchoHandler());
                accepted.complete(ch);
            }
        }, "tcp"); Socket s = new Socket()) {
            s.setReceiveBufferSize(32 * 1024);
            s.setSendBufferSize(32 * 1024);
            s.setSoTimeout(20_000);
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), echo.port()));
            int chunk = 65536;
            int chunks = 256;
            OutputStream out = s.getOutputStream();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                Random pattern = new Random(7);
                byte[] buf = new byte[chunk];
                try {
                    for (int i = 0; i < chunks; i++) {
                        pattern.nextBytes(buf);
                        out.write(buf);
                    }
                    out.flush();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Channel served = accepted.get(20, TimeUnit.SECONDS);
            FileServerTest.awaitNothingPending(() -> served.config().isAutoRead()
                    ? "the server keeps reading from a peer that does not read" : null);
            assertFalse(writer.isDone(), "the whole 16 MiB went in although the server stopped reading");
            // what the server holds is about its high water mark (64 KiB) plus one read pass, not the 16 MiB
            assertTrue(served.bytesBeforeWritable() < 4 << 20,
                    "the server buffers " + served.bytesBeforeWritable() + " bytes for a peer that does not read");

            Random pattern = new Random(7);
            byte[] expected = new byte[chunk];
            byte[] got = new byte[chunk];
            InputStream in = s.getInputStream();
            for (int i = 0; i < chunks; i++) {
                pattern.nextBytes(expected);
                assertEquals(chunk, in.readNBytes(got, 0, chunk), "short echo in chunk " + i);
                assertArrayEquals(expected, got, "chunk " + i);
            }
            writer.get(20, TimeUnit.SECONDS);
            FileServerTest.awaitNothingPending(() -> served.config().isAutoRead()
                    ? null : "the server does not read again once the peer has read everything");
        }
    }

    /**
     * When one side sends 1 MiB and closes, the other side gets every byte through the proxy, then the
     * close: first the target sending to the client, then the client sending to the target.
     */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void proxyPassesACloseOnOnlyAfterWhatCameBeforeIt(Transport transport) throws Exception {
        Transports.assumeAvailable(transport);
        try (ServerSocket target = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             RunningServer proxy = ProxyCommand.start(options(transport)
                     .with(ProxyCommand.TARGET, "127.0.0.1:" + target.getLocalPort()), errors)) {
            target.setSoTimeout(20_000);
            Callable<Socket> client = () -> new Socket(InetAddress.getLoopbackAddress(), proxy.port());
            assertArrivesBeforeTheClose(target::accept, client);
            assertArrivesBeforeTheClose(client, target::accept);
        }
        assertEquals("", errorText());
    }

    /**
     * On another thread, the socket from {@code sender} writes 1 MiB and closes; the socket from
     * {@code receiver} must get every byte, then the end of the stream.
     */
    private static void assertArrivesBeforeTheClose(Callable<Socket> sender, Callable<Socket> receiver) throws Exception {
        byte[] data = new byte[SIZE];
        new Random(1).nextBytes(data);
        CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
            try (Socket s = sender.call()) {
                s.getOutputStream().write(data);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        try (Socket r = receiver.call()) {
            r.setSoTimeout(20_000);
            assertArrayEquals(data, r.getInputStream().readNBytes(SIZE));
            sending.get(20, TimeUnit.SECONDS);
            HelloServerTest.assertEndOfStream(r);
        }
    }

    /** Each refused connection: the inbound one is closed, and exactly one line says why. */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void aRefusingTargetClosesTheInboundConnectionAndIsReportedInOneLine(Transport transport) throws Exception {
        Transports.assumeAvailable(transport);
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort(); // nothing listens there once closed
        }
        String target = "127.0.0.1:" + closedPort;
        try (RunningServer proxy = ProxyCommand.start(options(transport).with(ProxyCommand.TARGET, target), errors);
             Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            s.setSoTimeout(20_000);
            InputStream in = s.getInputStream();
            // the line is printed before the inbound connection is closed
            assertEquals(-1, in.read(), "the inbound connection stayed open after the target refused");
            String[] lines = errorText().split("\n", -1);
            assertEquals(2, lines.length, "exactly one line: " + errorText());
            assertEquals("", lines[1]);
            String prefix = "gonetpoll-examples proxy: cannot connect to " + target + " for /127.0.0.1:" + s.getLocalPort()
                    + ": ";
            assertTrue(lines[0].startsWith(prefix), lines[0]);
            assertTrue(lines[0].toLowerCase(Locale.ROOT).contains("refused"), "says why: " + lines[0]);

            // the proxy keeps serving
            try (Socket again = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                again.setSoTimeout(20_000);
                assertEquals(-1, again.getInputStream().read());
                assertEquals(2, errorText().split("\n").length, "one more line: " + errorText());
            }
        }
    }

    @Test
    void targetMustBeHostColonPort() throws UsageException {
        for (String bad : new String[] {"localhost", ":80", "host:", "host:port", "host:0", "host:70000"}) {
            assertThrows(UsageException.class, () -> ProxyCommand.parseTarget(bad), bad);
        }
        assertThrows(UsageException.class, () -> ProxyCommand.parseTarget(null));
        UsageException unbracketed = assertThrows(UsageException.class, () -> ProxyCommand.parseTarget("::1:80"));
        assertTrue(unbracketed.getMessage().contains("[::1]:80"), unbracketed.getMessage());
        for (String bad : new String[] {"[::1]", "[::1:80", "::1]:80", "[]:80"}) {
            assertThrows(UsageException.class, () -> ProxyCommand.parseTarget(bad), bad);
        }
        assertEquals("example.com", ProxyCommand.parseTarget("example.com:80").getHostString());
        assertEquals(8080, ProxyCommand.parseTarget("[::1]:8080").getPort());
        assertEquals("::1", ProxyCommand.parseTarget("[::1]:8080").getHostString());
    }
}
