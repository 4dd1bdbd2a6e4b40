package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketAddressesTest;

import java.net.SocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Netty's {@link SocketAddressesTest} on gonetpoll over Unix domain sockets, as Netty's
 * {@code EpollDomainSocketAddressesTest} runs it on epoll: before {@code connect()} a registered
 * client has no local and no remote address; after it (with and without binding the client to a
 * path of its own) the client's and the accepted child's addresses are all there.
 *
 * <p>Hook {@link #assertAddress(SocketAddress)} (abstract in Netty): a {@link DomainSocketAddress}
 * with a path, as epoll's check. The path of an unbound client is {@code ""} (the unnamed address).
 *
 * <p>Server x client: gonetpoll x gonetpoll.
 */
public class GoNetpollDomainSocketAddressesTest extends SocketAddressesTest {

    @Override
    protected SocketAddress newSocketAddress() {
        return GoNetpollSocketTestPermutation.newDomainSocketAddress();
    }

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.domainSocket();
    }

    @Override
    protected void assertAddress(SocketAddress address) {
        assertNotNull(assertInstanceOf(DomainSocketAddress.class, address).path(), "path of " + address);
    }
}
