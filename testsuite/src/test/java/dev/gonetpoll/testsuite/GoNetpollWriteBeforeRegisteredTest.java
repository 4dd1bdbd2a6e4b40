package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapFactory;
import io.netty.testsuite.transport.socket.WriteBeforeRegisteredTest;

import java.util.List;

/**
 * Netty's {@link WriteBeforeRegisteredTest} on gonetpoll: {@code writeAndFlush} right after
 * {@code Bootstrap.connect(..)} returns (registration and a doomed connect to port 0 still under
 * way) must neither throw nor leak the buffer.
 *
 * <p>Client: gonetpoll only.
 */
public class GoNetpollWriteBeforeRegisteredTest extends WriteBeforeRegisteredTest {

    @Override
    protected List<BootstrapFactory<Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.clientSocket();
    }
}
