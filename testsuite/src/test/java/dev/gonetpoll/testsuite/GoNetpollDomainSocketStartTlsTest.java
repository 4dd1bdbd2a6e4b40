package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketStartTlsTest;

import java.net.SocketAddress;
import java.util.List;

/**
 * Netty's {@link SocketStartTlsTest} on gonetpoll over Unix domain sockets, as Netty's
 * {@code EpollDomainSocketStartTlsTest} runs it on epoll.
 *
 * <p>A plain-text exchange that switches to TLS (StartTLS) in the middle of the connection, with
 * and without auto-read.
 *
 * <p>Server x client: gonetpoll x gonetpoll. Addresses: socket files in a temporary directory.
 */
public class GoNetpollDomainSocketStartTlsTest extends SocketStartTlsTest {

    @Override
    protected SocketAddress newSocketAddress() {
        return GoNetpollSocketTestPermutation.newDomainSocketAddress();
    }

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.domainSocket();
    }
}
