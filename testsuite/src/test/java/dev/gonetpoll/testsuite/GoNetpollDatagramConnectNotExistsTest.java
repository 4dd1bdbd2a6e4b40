package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapFactory;
import io.netty.testsuite.transport.socket.DatagramConnectNotExistsTest;

import java.util.List;

/**
 * Netty's {@link DatagramConnectNotExistsTest} on gonetpoll: a channel connected to a loopback port
 * nobody listens on sends a datagram; the kernel's ICMP "port unreachable" comes back as a
 * {@code PortUnreachableException} in {@code exceptionCaught} (reported by the next receive).
 *
 * <p>Client: gonetpoll only (default family: dual-stack AF_INET6).
 */
public class GoNetpollDatagramConnectNotExistsTest extends DatagramConnectNotExistsTest {

    @Override
    protected List<BootstrapFactory<Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.datagramSocket();
    }
}
