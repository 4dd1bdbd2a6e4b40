package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketDataReadInitialStateTest;

import java.net.SocketAddress;
import java.util.List;

/**
 * Netty's {@link SocketDataReadInitialStateTest} on gonetpoll over Unix domain sockets, as Netty's
 * {@code EpollDomainSocketDataReadInitialStateTest} runs it on epoll.
 *
 * <p>With auto-read off nothing is accepted or read before {@code read()}; with auto-read on data
 * is read immediately.
 *
 * <p>Server x client: gonetpoll x gonetpoll. Addresses: socket files in a temporary directory.
 */
public class GoNetpollDomainSocketDataReadInitialStateTest extends SocketDataReadInitialStateTest {

    @Override
    protected SocketAddress newSocketAddress() {
        return GoNetpollSocketTestPermutation.newDomainSocketAddress();
    }

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.domainSocket();
    }
}
