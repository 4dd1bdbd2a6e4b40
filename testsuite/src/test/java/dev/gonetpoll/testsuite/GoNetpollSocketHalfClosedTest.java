package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketHalfClosedTest;

import java.util.List;

/**
 * Netty's {@link SocketHalfClosedTest} on gonetpoll.
 *
 * <p>{@code ALLOW_HALF_CLOSURE}, {@code AUTO_CLOSE=false}, {@code SO_LINGER}, input-shutdown
 * events (exactly one {@code ChannelInputShutdownEvent} and one
 * {@code ChannelInputShutdownReadComplete}), all data read before the half-closure is reported, and
 * a failed write with {@code AUTO_CLOSE=false} shutting the output down instead of closing.
 *
 * <p>Hook {@code maxReadCompleteWithNoDataAfterInputShutdown()} is kept at Netty's 2: our
 * combinations include NIO clients, which need both of those empty read completions. Note that
 * {@code testAllDataReadEventTriggeredAfterHalfClosure} skips a combination only when the client
 * group is an {@code IoEventLoopGroup} running {@code NioIoHandler}; with a gonetpoll client it runs.
 *
 * <p>Server x client: gonetpoll x gonetpoll, gonetpoll x NIO, NIO x gonetpoll.
 */
public class GoNetpollSocketHalfClosedTest extends SocketHalfClosedTest {

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.socket();
    }
}
