package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketStartTlsTest;

import java.util.List;

/**
 * Netty's {@link SocketStartTlsTest} on gonetpoll.
 *
 * <p>STARTTLS: a plain-text exchange, then an {@code SslHandler} added on both sides mid-stream,
 * with and without auto-read; JDK and OpenSSL (BoringSSL) engines.
 *
 * <p>Server x client: gonetpoll x gonetpoll, gonetpoll x NIO, NIO x gonetpoll.
 */
public class GoNetpollSocketStartTlsTest extends SocketStartTlsTest {

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.socket();
    }
}
