package dev.gonetpoll.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The {@code echo} and {@code proxy} examples, on every transport: 1 MiB through intact, refusals handled. */
@Timeout(60)
class EchoAndProxyTest {

    private static final int SIZE = 1 << 20;

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
                     .with(ProxyCommand.TARGET, "127.0.0.1:" + echo.port()))) {
            assertEchoes(proxy.port());
            assertEchoes(proxy.port()); // a second connection, its own outbound channel
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"GONETPOLL", "NIO"})
    void aRefusingTargetClosesTheInboundConnection(Transport transport) throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort(); // nothing listens there once closed
        }
        try (RunningServer proxy = ProxyCommand.start(options(transport).with(ProxyCommand.TARGET, "127.0.0.1:" + closedPort));
             Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            s.setSoTimeout(20_000);
            InputStream in = s.getInputStream();
            assertEquals(-1, in.read(), "the inbound connection stayed open after the target refused");
            // the proxy keeps serving
            try (Socket again = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                again.setSoTimeout(20_000);
                assertEquals(-1, again.getInputStream().read());
            }
        }
    }

    @Test
    void targetMustBeHostColonPort() throws UsageException {
        for (String bad : new String[] {"localhost", ":80", "host:", "host:port", "host:0", "host:70000"}) {
            assertThrows(UsageException.class, () -> ProxyCommand.parseTarget(bad), bad);
        }
        assertThrows(UsageException.class, () -> ProxyCommand.parseTarget(null));
        assertEquals(8080, ProxyCommand.parseTarget("[::1]:8080").getPort());
        assertEquals("::1", ProxyCommand.parseTarget("[::1]:8080").getHostString());
    }
}
