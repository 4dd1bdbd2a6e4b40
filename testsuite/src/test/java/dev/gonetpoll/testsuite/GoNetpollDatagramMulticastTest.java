package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.DatagramMulticastTest;

import java.util.List;

/**
 * Netty's {@link DatagramMulticastTest} on gonetpoll (IPv4): options IP_MULTICAST_IF and
 * SO_REUSEADDR, join, receive, leave, IP_MULTICAST_LOOP_DISABLED.
 *
 * <p>Runs only where Netty's choice of interface can only be a loopback one
 * ({@link LoopbackMulticastGuard}); on this project's machine it is aborted because {@code eth0} is
 * the only multicast-capable interface.
 *
 * <p>Sender x receiver: gonetpoll x gonetpoll, gonetpoll x NIO, NIO x gonetpoll.
 */
public class GoNetpollDatagramMulticastTest extends DatagramMulticastTest {

    @Override
    protected List<BootstrapComboFactory<Bootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.datagram(socketInternetProtocalFamily());
    }

    @Override
    public void testMulticast(Bootstrap sb, Bootstrap cb) throws Throwable {
        LoopbackMulticastGuard.assumeOnlyLoopbackCandidates(socketInternetProtocalFamily());
        super.testMulticast(sb, cb);
    }
}
