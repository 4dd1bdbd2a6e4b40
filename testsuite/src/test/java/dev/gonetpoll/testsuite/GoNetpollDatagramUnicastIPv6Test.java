package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.DatagramUnicastIPv6Test;

import java.util.List;

/**
 * Netty's {@link DatagramUnicastIPv6Test} on gonetpoll: the unicast tests over {@code ::1} with
 * AF_INET6 channels.
 *
 * <p>Sender x receiver: gonetpoll x gonetpoll, gonetpoll x NIO, NIO x gonetpoll.
 */
public class GoNetpollDatagramUnicastIPv6Test extends DatagramUnicastIPv6Test {

    @Override
    protected List<BootstrapComboFactory<Bootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.datagram(socketInternetProtocalFamily());
    }
}
