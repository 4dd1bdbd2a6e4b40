package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.DatagramUnicastIPv6MappedTest;

import java.util.List;

/**
 * Netty's {@link DatagramUnicastIPv6MappedTest} on gonetpoll: AF_INET6 channels bound to the
 * wildcard exchange datagrams over IPv4 loopback, so the addresses travel v4-mapped
 * ({@code ::ffff:127.0.0.1}) through the dual-stack sockets.
 *
 * <p>Sender x receiver: gonetpoll x gonetpoll, gonetpoll x NIO, NIO x gonetpoll.
 */
public class GoNetpollDatagramUnicastIPv6MappedTest extends DatagramUnicastIPv6MappedTest {

    @Override
    protected List<BootstrapComboFactory<Bootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.datagram(socketInternetProtocalFamily());
    }
}
