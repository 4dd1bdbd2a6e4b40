package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.DatagramUnicastInetTest;

import java.util.List;

/**
 * Netty's {@link DatagramUnicastInetTest} on gonetpoll, over IPv4 loopback with AF_INET channels:
 * {@code DatagramPacket}s of direct, heap and composite buffers (also duplicated, sliced and
 * read-only) to a bound or an unbound sender, connect / write / disconnect / reconnect, empty
 * datagrams, a write to an unresolved address, binding with a port only.
 *
 * <p>Sender x receiver: gonetpoll x gonetpoll, gonetpoll x NIO, NIO x gonetpoll.
 */
public class GoNetpollDatagramUnicastInetTest extends DatagramUnicastInetTest {

    @Override
    protected List<BootstrapComboFactory<Bootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.datagram(socketInternetProtocalFamily());
    }
}
