package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapFactory;
import io.netty.testsuite.transport.socket.SocketShutdownOutputBySelfTest;

import java.util.List;

/**
 * Netty's {@link SocketShutdownOutputBySelfTest} on gonetpoll: a gonetpoll client against a plain
 * {@code java.net.ServerSocket} shuts its output down (the peer reads EOF, the client still reads),
 * fails {@code shutdownInput()}/{@code shutdownOutput()} after close with a
 * {@code ClosedChannelException} or {@code SocketException}, and survives {@code shutdown()} and
 * {@code shutdownOutput()} with {@code SO_LINGER} set.
 *
 * <p>Client: gonetpoll only.
 */
public class GoNetpollSocketShutdownOutputBySelfTest extends SocketShutdownOutputBySelfTest {

    @Override
    protected List<BootstrapFactory<Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.clientSocket();
    }
}
