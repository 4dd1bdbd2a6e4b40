package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketObjectEchoTest;

import java.net.SocketAddress;
import java.util.List;

/**
 * Netty's {@link SocketObjectEchoTest} on gonetpoll over Unix domain sockets, as Netty's
 * {@code EpollDomainSocketObjectEchoTest} runs it on epoll.
 *
 * <p>Echo of serialized objects through the object codecs, with and without auto-read.
 *
 * <p>Server x client: gonetpoll x gonetpoll. Addresses: socket files in a temporary directory.
 */
public class GoNetpollDomainSocketObjectEchoTest extends SocketObjectEchoTest {

    @Override
    protected SocketAddress newSocketAddress() {
        return GoNetpollSocketTestPermutation.newDomainSocketAddress();
    }

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.domainSocket();
    }
}
