package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketStartTlsTest;

import java.util.List;

/**
 * Netty's {@link SocketStartTlsTest} on gonetpoll.
 *
 * <p>STARTTLS: a plain-text exchange, then an {@code SslHandler} added on both sides mid-stream,
 * with and without auto-read; JDK and OpenSSL (BoringSSL) engines.
 *
 * <p>Like Netty's epoll subclass it takes the TCP fast open combinations ({@code socketWithFastOpen()}):
 * the client's first plain-text write may then travel with its SYN. Until gonetpoll has fast open
 * that list is the plain one: server x client = gonetpoll x gonetpoll, gonetpoll x NIO,
 * NIO x gonetpoll.
 */
public class GoNetpollSocketStartTlsTest extends SocketStartTlsTest {

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.socketWithFastOpen();
    }
}
