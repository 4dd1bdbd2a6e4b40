package dev.gonetpoll.testsuite;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapFactory;
import io.netty.testsuite.transport.socket.AbstractSocketShutdownOutputByPeerTest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;

/**
 * Netty's {@link AbstractSocketShutdownOutputByPeerTest} on gonetpoll over Unix domain sockets, as
 * Netty's {@code EpollDomainSocketShutdownOutputByPeerTest} runs it on epoll: the peer shuts its
 * output down; the accepted gonetpoll child sees input shutdown (with {@code ALLOW_HALF_CLOSURE}:
 * stays open and active, fires {@code ChannelInputShutdownEvent}; without: closes).
 *
 * <p>Hooks: the peer is the JDK's own Unix socket channel ({@link SocketChannel} of
 * {@link StandardProtocolFamily#UNIX}, blocking), an implementation independent of ours (epoll uses
 * its own native socket). It connects to the server's {@link DomainSocketAddress} as a
 * {@link UnixDomainSocketAddress} of the same path and writes the test's one byte.
 *
 * <p>Server: gonetpoll only.
 */
public class GoNetpollDomainSocketShutdownOutputByPeerTest extends AbstractSocketShutdownOutputByPeerTest<SocketChannel> {

    @Override
    protected List<BootstrapFactory<ServerBootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.serverDomainSocket();
    }

    @Override
    protected SocketAddress newSocketAddress() {
        return GoNetpollSocketTestPermutation.newDomainSocketAddress();
    }

    @Override
    protected SocketChannel newSocket() {
        try {
            return SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected void connect(SocketChannel s, SocketAddress address) throws IOException {
        s.connect(UnixDomainSocketAddress.of(((DomainSocketAddress) address).path()));
    }

    @Override
    protected void write(SocketChannel s, int data) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(new byte[] {(byte) data});
        while (buf.hasRemaining()) {
            s.write(buf);
        }
    }

    @Override
    protected void shutdownOutput(SocketChannel s) throws IOException {
        s.shutdownOutput();
    }

    @Override
    protected void close(SocketChannel s) throws IOException {
        s.close();
    }
}
