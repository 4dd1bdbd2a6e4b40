package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketFileRegionTest;

import java.util.List;

/**
 * Netty's {@link SocketFileRegionTest} on gonetpoll: a 10 MiB {@code DefaultFileRegion} at a random
 * offset after a {@code ByteBuf} and an empty region, with and without auto-read and void promises;
 * the same through a custom {@code FileRegion} wrapper; a region longer than its file must fail the
 * write with an {@code IOException}; a region must not be asked to transfer once complete.
 *
 * <p>Hook {@code supportsCustomFileRegion()} kept (true): any {@code FileRegion} is written, through
 * its own {@code transferTo}. Netty makes every {@code DefaultFileRegion} here from a
 * {@code FileChannel}, so on a gonetpoll client it is copied by default and goes out with
 * {@code sendfile} in the surefire execution with the extra {@code --add-opens} flags; see the
 * README. Regions made from a {@code File}, which take {@code sendfile} without those flags, are
 * tested by {@link GoNetpollSocketFileRegionFromFileTest}.
 *
 * <p>Server x client: gonetpoll x gonetpoll, gonetpoll x NIO, NIO x gonetpoll.
 */
public class GoNetpollSocketFileRegionTest extends SocketFileRegionTest {

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.socket();
    }
}
