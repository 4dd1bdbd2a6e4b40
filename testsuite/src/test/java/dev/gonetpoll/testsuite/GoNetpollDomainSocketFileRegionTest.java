package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketFileRegionTest;
import org.junit.jupiter.api.Timeout;

import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Netty's {@link SocketFileRegionTest} on gonetpoll over Unix domain sockets, as Netty's
 * {@code EpollDomainSocketFileRegionTest} runs it on epoll.
 *
 * <p>{@code FileRegion} writes (Netty's regions are made from a {@code FileChannel}: copied, or
 * sent with {@code sendfile} when the JVM has the extra {@code --add-opens} flags), custom regions,
 * regions that overshoot, and a region written after the file was closed. Needs the
 * {@code FileRegion} write path of the stream channels.
 *
 * <p>Server x client: gonetpoll x gonetpoll. Addresses: socket files in a temporary directory.
 *
 * <p>Netty's test methods have no time limit, and one waits in an unbounded loop for data that a
 * failed {@code FileRegion} write never sends: the class-wide {@link Timeout} turns that into a
 * failure instead of a hung build.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class GoNetpollDomainSocketFileRegionTest extends SocketFileRegionTest {

    @Override
    protected SocketAddress newSocketAddress() {
        return GoNetpollSocketTestPermutation.newDomainSocketAddress();
    }

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.domainSocket();
    }
}
