package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketSslClientRenegotiateTest;

import java.net.SocketAddress;
import java.util.List;

/**
 * Netty's {@link SocketSslClientRenegotiateTest} on gonetpoll over Unix domain sockets, as Netty's
 * {@code EpollDomainSocketSslClientRenegotiateTest} runs it on epoll.
 *
 * <p>A client-initiated TLS renegotiation, which the server must refuse (the handshake fails and
 * the channel closes).
 *
 * <p>Server x client: gonetpoll x gonetpoll. Addresses: socket files in a temporary directory.
 */
public class GoNetpollDomainSocketSslClientRenegotiateTest extends SocketSslClientRenegotiateTest {

    @Override
    protected SocketAddress newSocketAddress() {
        return GoNetpollSocketTestPermutation.newDomainSocketAddress();
    }

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.domainSocket();
    }
}
