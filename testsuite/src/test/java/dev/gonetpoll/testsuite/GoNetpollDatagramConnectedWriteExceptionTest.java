package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapFactory;
import io.netty.testsuite.transport.socket.DatagramConnectedWriteExceptionTest;

import java.util.List;

/**
 * Netty's {@link DatagramConnectedWriteExceptionTest} on gonetpoll: a connected channel that does
 * not read keeps writing after its peer closed; the ICMP "port unreachable" for one datagram fails
 * a later write with {@code PortUnreachableException} (reported by the next send).
 *
 * <p>Client and server: gonetpoll only (default family: dual-stack AF_INET6).
 */
public class GoNetpollDatagramConnectedWriteExceptionTest extends DatagramConnectedWriteExceptionTest {

    @Override
    protected List<BootstrapFactory<Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.datagramSocket();
    }
}
