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
 * <p>Like Netty's {@code EpollSocketConnectTest}, it runs with the fast-open permutations
 * ({@link GoNetpollSocketTestPermutation#socketWithFastOpen()}): a gonetpoll client with
 * {@code TCP_FASTOPEN_CONNECT} and a gonetpoll server with {@code TCP_FASTOPEN}, each where the
 * kernel has that side of fast open on. Hook {@code enableTcpFastOpen(sb, cb)} is kept as Netty's:
 * in the {@code testWriteWithFastOpenBeforeConnect*} tests it sets {@code TCP_FASTOPEN} on every
 * server and {@code TCP_FASTOPEN_CONNECT} on every client (NIO ignores both with a warning). The
 * data written before the connect then goes out with the SYN where the kernel holds a cookie for
 * the server, and after the handshake otherwise; either way the connect completes normally and
 * the data arrives first, in order.
 *
 * <p>Server x client: gonetpoll (with and without fast open) x gonetpoll, gonetpoll x NIO,
 * NIO x gonetpoll.
 */
public class GoNetpollSocketConnectTest extends SocketConnectTest {

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.socketWithFastOpen();
    }
}
