package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketSpdyEchoTest;

import java.util.List;

/**
 * Netty's {@link SocketSpdyEchoTest} on gonetpoll.
 *
 * <p>A byte stream of SPDY/3.1 frames of every type echoed back by a server that decodes and
 * re-encodes them with the SPDY frame codec, with and without auto-read.
 *
 * <p>Server x client: gonetpoll x gonetpoll, gonetpoll x NIO, NIO x gonetpoll.
 */
public class GoNetpollSocketSpdyEchoTest extends SocketSpdyEchoTest {

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.socket();
    }
}
