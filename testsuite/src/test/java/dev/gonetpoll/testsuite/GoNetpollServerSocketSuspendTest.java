package dev.gonetpoll.testsuite;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapFactory;
import io.netty.testsuite.transport.socket.ServerSocketSuspendTest;

import java.util.List;

/**
 * Netty's {@link ServerSocketSuspendTest} on gonetpoll: a listening channel with
 * {@code AUTO_READ=false} and {@code SO_BACKLOG=1} accepts nothing until auto-read is turned on.
 *
 * <p>Server: gonetpoll only.
 */
public class GoNetpollServerSocketSuspendTest extends ServerSocketSuspendTest {

    @Override
    protected List<BootstrapFactory<ServerBootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.serverSocket();
    }
}
