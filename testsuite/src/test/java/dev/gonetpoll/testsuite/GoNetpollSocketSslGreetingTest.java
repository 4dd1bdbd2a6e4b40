package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketSslGreetingTest;

import java.util.List;

/**
 * Netty's {@link SocketSslGreetingTest} on gonetpoll.
 *
 * <p>The server greets first, right after its TLS handshake; JDK and OpenSSL (BoringSSL) engines,
 * with and without a delegated-task executor.
 *
 * <p>Server x client: gonetpoll x gonetpoll, gonetpoll x NIO, NIO x gonetpoll.
 */
public class GoNetpollSocketSslGreetingTest extends SocketSslGreetingTest {

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.socket();
    }
}
