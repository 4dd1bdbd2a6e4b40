package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.CompositeBufferGatheringWriteTest;

import java.util.List;

/**
 * Netty's {@link CompositeBufferGatheringWriteTest} on gonetpoll.
 *
 * <p>A composite buffer written in one gathering write, and a composite buffer that a small
 * {@code SO_SNDBUF} (1 KiB) cuts in the middle, must arrive uncorrupted.
 *
 * <p>Hook {@code compositeBufferPartialWriteDoesNotCorruptDataInitServerConfig(config, soSndBuf)} is
 * kept as Netty's no-op: epoll uses it to cap its bytes per gathering write at {@code SO_SNDBUF};
 * gonetpoll has no such public setting yet. When the socket config gets one, set it here.
 *
 * <p>Server x client: gonetpoll x gonetpoll, gonetpoll x NIO, NIO x gonetpoll.
 */
public class GoNetpollCompositeBufferGatheringWriteTest extends CompositeBufferGatheringWriteTest {

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.socket();
    }
}
