package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketEchoTest;

import java.net.SocketAddress;
import java.util.List;

/**
 * Netty's {@link SocketEchoTest} on gonetpoll over Unix domain sockets, as Netty's
 * {@code EpollDomainSocketEchoTest} runs it on epoll.
 *
 * <p>Echo of 1 MiB in random chunks, heap and direct buffers, with and without auto-read, an extra
 * handler executor and void promises.
 *
 * <p>Server x client: gonetpoll x gonetpoll. Addresses: socket files in a temporary directory.
 */
public class GoNetpollDomainSocketEchoTest extends SocketEchoTest {

    @Override
    protected SocketAddress newSocketAddress() {
        return GoNetpollSocketTestPermutation.newDomainSocketAddress();
    }

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.domainSocket();
    }
}
