package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketExceptionHandlingTest;

import java.util.List;

/**
 * Netty's {@link SocketExceptionHandlingTest} on gonetpoll.
 *
 * <p>A handler that throws in {@code channelRead} and closes in {@code exceptionCaught} sees no
 * further exceptions.
 *
 * <p>Server x client: gonetpoll x gonetpoll, gonetpoll x NIO, NIO x gonetpoll.
 */
public class GoNetpollSocketExceptionHandlingTest extends SocketExceptionHandlingTest {

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.socket();
    }
}
