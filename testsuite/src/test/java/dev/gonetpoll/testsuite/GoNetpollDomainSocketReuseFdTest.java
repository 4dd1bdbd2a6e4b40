package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.AbstractSocketReuseFdTest;

import java.net.SocketAddress;
import java.util.List;

/**
 * Netty's {@link AbstractSocketReuseFdTest} on gonetpoll over Unix domain sockets, as Netty's
 * {@code EpollDomainSocketReuseFdTest} runs it on epoll: 100 connections opened at once, each
 * exchanging a payload and closing, so that fd numbers are reused while events for their previous
 * owners may still be around (the poll descriptor's generation must drop those).
 *
 * <p>Server x client: gonetpoll x gonetpoll.
 */
public class GoNetpollDomainSocketReuseFdTest extends AbstractSocketReuseFdTest {

    @Override
    protected SocketAddress newSocketAddress() {
        return GoNetpollSocketTestPermutation.newDomainSocketAddress();
    }

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.domainSocket();
    }
}
