package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapFactory;
import io.netty.testsuite.transport.socket.SocketChannelNotYetConnectedTest;

import java.util.List;

/**
 * Netty's {@link SocketChannelNotYetConnectedTest} on gonetpoll: a bound but unconnected client
 * channel fails {@code shutdownInput()}/{@code shutdownOutput()} with
 * {@link java.nio.channels.NotYetConnectedException} or a {@link java.net.SocketException}, and a
 * {@code read()} requested before the channel is active takes effect once it connects (against a
 * NIO server the test builds itself).
 *
 * <p>Client: gonetpoll only.
 */
public class GoNetpollSocketChannelNotYetConnectedTest extends SocketChannelNotYetConnectedTest {

    @Override
    protected List<BootstrapFactory<Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.clientSocket();
    }
}
