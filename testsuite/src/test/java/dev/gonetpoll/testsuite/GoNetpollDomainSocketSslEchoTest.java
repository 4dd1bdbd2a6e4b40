package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketSslEchoTest;

import java.net.SocketAddress;
import java.util.List;

/**
 * Netty's {@link SocketSslEchoTest} on gonetpoll over Unix domain sockets, as Netty's
 * {@code EpollDomainSocketSslEchoTest} runs it on epoll.
 *
 * <p>Echo of 1 MiB over TLS (JDK engine; OpenSSL only if netty-tcnative is present), with
 * renegotiation, delegated tasks, auto-read, {@code ChunkedWriteHandler} and composite buffers.
 *
 * <p>Server x client: gonetpoll x gonetpoll. Addresses: socket files in a temporary directory.
 */
public class GoNetpollDomainSocketSslEchoTest extends SocketSslEchoTest {

    @Override
    protected SocketAddress newSocketAddress() {
        return GoNetpollSocketTestPermutation.newDomainSocketAddress();
    }

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.domainSocket();
    }
}
