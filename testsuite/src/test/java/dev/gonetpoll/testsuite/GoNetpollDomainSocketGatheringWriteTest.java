package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketGatheringWriteTest;

import java.net.SocketAddress;
import java.util.List;

/**
 * Netty's {@link SocketGatheringWriteTest} on gonetpoll over Unix domain sockets, as Netty's
 * {@code EpollDomainSocketGatheringWriteTest} runs it on epoll.
 *
 * <p>Many buffered writes (plain and composite, up to 50 MiB) flushed at once, and two channels
 * written from the same loop ({@code Bootstrap.clone(group.next())}).
 *
 * <p>Server x client: gonetpoll x gonetpoll. Addresses: socket files in a temporary directory.
 */
public class GoNetpollDomainSocketGatheringWriteTest extends SocketGatheringWriteTest {

    @Override
    protected SocketAddress newSocketAddress() {
        return GoNetpollSocketTestPermutation.newDomainSocketAddress();
    }

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.domainSocket();
    }
}
