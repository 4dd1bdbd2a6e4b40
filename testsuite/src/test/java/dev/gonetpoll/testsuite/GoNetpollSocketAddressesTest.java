package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketAddressesTest;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Netty's {@link SocketAddressesTest} on gonetpoll: before {@code connect()} a registered client
 * has no local and no remote address; after it (with and without an explicit local address) the
 * client's and the accepted child's local and remote addresses are all real.
 *
 * <p>Hook {@link #assertAddress(SocketAddress)} (abstract in Netty): a TCP address here must be an
 * {@link InetSocketAddress} with a port and a concrete IP, never the wildcard address (which is
 * what a cached pre-connect or pre-bind value would give).
 *
 * <p>Server x client: gonetpoll x gonetpoll, gonetpoll x NIO, NIO x gonetpoll.
 */
public class GoNetpollSocketAddressesTest extends SocketAddressesTest {

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.socket();
    }

    @Override
    protected void assertAddress(SocketAddress address) {
        assertNotNull(address, "address");
        InetSocketAddress inet = assertInstanceOf(InetSocketAddress.class, address);
        assertTrue(inet.getPort() > 0, "port of " + inet);
        assertNotNull(inet.getAddress(), "unresolved address " + inet);
        assertFalse(inet.getAddress().isAnyLocalAddress(), "wildcard address " + inet);
    }
}
