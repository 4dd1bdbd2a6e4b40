package dev.gonetpoll.testsuite;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapFactory;
import io.netty.testsuite.transport.socket.SocketShutdownOutputByPeerTest;

import java.util.List;

/**
 * Netty's {@link SocketShutdownOutputByPeerTest} on gonetpoll: a plain {@code java.net.Socket}
 * shuts its output down; the accepted gonetpoll child sees input shutdown (with
 * {@code ALLOW_HALF_CLOSURE}: stays open and active, fires {@code ChannelInputShutdownEvent};
 * without: closes).
 *
 * <p>Hooks: {@code newSocket}, {@code connect}, {@code write}, {@code shutdownOutput} and
 * {@code close} are already implemented by Netty's class with {@code java.net.Socket}, which is the
 * peer we want; nothing to override but the factories.
 *
 * <p>Server: gonetpoll only.
 */
public class GoNetpollSocketShutdownOutputByPeerTest extends SocketShutdownOutputByPeerTest {

    @Override
    protected List<BootstrapFactory<ServerBootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.serverSocket();
    }
}
