package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketGatheringWriteTest;

import java.util.List;

/**
 * Netty's {@link SocketGatheringWriteTest} on gonetpoll.
 *
 * <p>Many buffered writes (plain and composite, up to 50 MiB) flushed at once, and two channels
 * written from the same loop ({@code Bootstrap.clone(group.next())}).
 *
 * <p>Server x client: gonetpoll x gonetpoll, gonetpoll x NIO, NIO x gonetpoll.
 */
public class GoNetpollSocketGatheringWriteTest extends SocketGatheringWriteTest {

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.socket();
    }
}
