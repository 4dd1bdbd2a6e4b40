package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketSslEchoTest;

import java.util.List;

/**
 * Netty's {@link SocketSslEchoTest} on gonetpoll.
 *
 * <p>1 MiB echoed over TLS 1.2 with every combination of JDK and OpenSSL (BoringSSL) engines on
 * either side, delegated-task executors, auto-read, {@code ChunkedWriteHandler} and composite
 * buffers; JDK-only pairs also renegotiate, started by the client or by the server.
 *
 * <p>Server x client: gonetpoll x gonetpoll, gonetpoll x NIO, NIO x gonetpoll.
 */
public class GoNetpollSocketSslEchoTest extends SocketSslEchoTest {

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.socket();
    }
}
