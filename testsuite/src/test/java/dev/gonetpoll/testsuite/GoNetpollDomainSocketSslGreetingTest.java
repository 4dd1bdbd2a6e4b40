package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketSslGreetingTest;

import java.net.SocketAddress;
import java.util.List;

/**
 * Netty's {@link SocketSslGreetingTest} on gonetpoll over Unix domain sockets, as Netty's
 * {@code EpollDomainSocketSslGreetingTest} runs it on epoll.
 *
 * <p>The server greets the client right after the TLS handshake; the client reads the greeting.
 *
 * <p>Server x client: gonetpoll x gonetpoll. Addresses: socket files in a temporary directory.
 */
public class GoNetpollDomainSocketSslGreetingTest extends SocketSslGreetingTest {

    @Override
    protected SocketAddress newSocketAddress() {
        return GoNetpollSocketTestPermutation.newDomainSocketAddress();
    }

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.domainSocket();
    }
}
