package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.DatagramMulticastIPv6Test;

import java.util.List;

/**
 * Netty's {@link DatagramMulticastIPv6Test} on gonetpoll: the multicast test with AF_INET6 channels
 * and an IPv6 group.
 *
 * <p>Runs only where Netty's choice of interface can only be a loopback one
 * ({@link LoopbackMulticastGuard}); on this project's machine it is aborted because {@code eth0} is
 * the only multicast-capable interface (and {@code lo} has no IPv6 multicast route).
 *
 * <p>Sender x receiver: gonetpoll x gonetpoll, gonetpoll x NIO, NIO x gonetpoll.
 */
public class GoNetpollDatagramMulticastIPv6Test extends DatagramMulticastIPv6Test {

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
