package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.TrafficShapingHandlerTest;

import java.util.List;

/**
 * Netty's {@link TrafficShapingHandlerTest} on gonetpoll: channel and global traffic shaping of reads
 * and writes, in the loop and on an extra executor, and auto-read switched off and on by the shaping
 * handler. It checks Netty's own bandwidth bounds (average between 3 and 18 times the configured
 * rate), which rely on the loop running the handler's timers on time.
 *
 * <p>Server x client: gonetpoll x gonetpoll, gonetpoll x NIO, NIO x gonetpoll.
 */
public class GoNetpollTrafficShapingHandlerTest extends TrafficShapingHandlerTest {

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.socket();
    }
}
