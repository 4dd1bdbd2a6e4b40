package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketConnectTest;

import java.util.List;

/**
 * Netty's {@link SocketConnectTest} on gonetpoll.
 *
 * <p>Close twice, local address after connect, active/inactive order on connect-then-close, and
 * data written (not flushed) after {@code register()} and before {@code connect()} (the
 * {@code testWriteWithFastOpenBeforeConnect*} tests, with plain, offset and composite direct
 * buffers).
 *
 * <p>Hook {@code enableTcpFastOpen(sb, cb)} is kept as Netty's: it sets {@code TCP_FASTOPEN} on the
 * server and {@code TCP_FASTOPEN_CONNECT} on the client. gonetpoll has no TCP fast open yet, so
 * those options are unknown to it and the bootstraps only log a warning; the tests then check
 * that data written before the connect is sent after it, in order. Once TCP fast open exists, add
 * fast-open factories to {@link GoNetpollSocketTestPermutation} and keep this hook.
 *
 * <p>Server x client: gonetpoll x gonetpoll, gonetpoll x NIO, NIO x gonetpoll.
 */
public class GoNetpollSocketConnectTest extends SocketConnectTest {

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.socket();
    }
}
