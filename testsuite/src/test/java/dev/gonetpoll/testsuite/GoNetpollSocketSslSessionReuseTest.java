package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketSslSessionReuseTest;

import java.util.List;

/**
 * Netty's {@link SocketSslSessionReuseTest} on gonetpoll.
 *
 * <p>A second connection resumes the first one's TLS session (JDK engines), and resumption checks
 * the peer with the trust manager again (JDK and OpenSSL engines).
 *
 * <p>Server x client: gonetpoll x gonetpoll, gonetpoll x NIO, NIO x gonetpoll.
 */
public class GoNetpollSocketSslSessionReuseTest extends SocketSslSessionReuseTest {

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.socket();
    }
}
