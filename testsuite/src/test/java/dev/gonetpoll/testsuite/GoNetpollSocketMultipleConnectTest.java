package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketMultipleConnectTest;

import java.util.List;

/**
 * Netty's {@link SocketMultipleConnectTest} on gonetpoll: a second {@code connect()} on a connected
 * channel fails with {@link java.nio.channels.AlreadyConnectedException}.
 *
 * <p>Netty's own {@code newFactories()} keeps only the combinations whose client group runs
 * {@code NioIoHandler} (to leave OIO out) and reads Netty's NIO-only list; ours returns all our
 * combinations, since both client kinds in them (gonetpoll and NIO) must report
 * {@code AlreadyConnectedException}.
 *
 * <p>Server x client: gonetpoll x gonetpoll, gonetpoll x NIO, NIO x gonetpoll.
 */
public class GoNetpollSocketMultipleConnectTest extends SocketMultipleConnectTest {

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.socket();
    }
}
