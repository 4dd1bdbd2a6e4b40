package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketFixedLengthEchoTest;

import java.util.List;

/**
 * Netty's {@link SocketFixedLengthEchoTest} on gonetpoll.
 *
 * <p>Echo through a {@code FixedLengthFrameDecoder}, with and without auto-read.
 *
 * <p>Server x client: gonetpoll x gonetpoll, gonetpoll x NIO, NIO x gonetpoll.
 */
public class GoNetpollSocketFixedLengthEchoTest extends SocketFixedLengthEchoTest {

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.socket();
    }
}
