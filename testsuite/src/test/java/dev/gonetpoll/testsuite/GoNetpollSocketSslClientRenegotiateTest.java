package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketSslClientRenegotiateTest;

import java.util.List;

/**
 * Netty's {@link SocketSslClientRenegotiateTest} on gonetpoll: a JDK client asks an OpenSSL server
 * to renegotiate, and the server must refuse with an {@code SSLHandshakeException}.
 *
 * <p>Netty runs it only where {@code OpenSsl.isRenegotiationSupported()}, which is false for
 * BoringSSL, the OpenSSL this build can load ({@code netty-tcnative-boringssl-static}); so its 64
 * invocations are reported as skipped by Netty's own assumption here. Run against BoringSSL anyway,
 * the server refuses with an {@code SSLException} (NO_RENEGOTIATION) from {@code wrap}, not the
 * {@code SSLHandshakeException} the test checks for, so the test does not apply to it. The
 * dynamically linked {@code netty-tcnative} that supports it does not load on this machine: see the
 * README ("OpenSSL").
 *
 * <p>Server x client: gonetpoll x gonetpoll, gonetpoll x NIO, NIO x gonetpoll.
 */
public class GoNetpollSocketSslClientRenegotiateTest extends SocketSslClientRenegotiateTest {

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.socket();
    }
}
