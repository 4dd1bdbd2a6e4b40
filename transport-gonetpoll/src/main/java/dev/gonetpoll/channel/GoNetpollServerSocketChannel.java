package dev.gonetpoll.channel;

import dev.gonetpoll.sys.AcceptedPeer;
import dev.gonetpoll.sys.Socket;
import io.netty.channel.Channel;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * A TCP server channel, IPv4 or IPv6: accepting is that of every gonetpoll listener
 * ({@link AbstractGoNetpollServerChannel}); each accepted connection becomes a
 * {@link GoNetpollSocketChannel}.
 */
public final class GoNetpollServerSocketChannel extends AbstractGoNetpollServerChannel implements ServerSocketChannel {

    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);

    private final GoNetpollServerSocketChannelConfig config;

    public GoNetpollServerSocketChannel() {
        this(Socket.newStreamSocket());
    }

    public GoNetpollServerSocketChannel(SocketProtocolFamily family) {
        this(Socket.newStreamSocket(GoNetpollSocketChannel.isIPv6(family)));
    }

    private GoNetpollServerSocketChannel(Socket socket) {
        super(socket);
        this.config = new GoNetpollServerSocketChannelConfig(this, socket);
    }

    @Override
    public GoNetpollServerSocketChannelConfig config() {
        return config;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    protected void doBind(SocketAddress localAddress) throws Exception {
        socket.bind(GoNetpollSocketChannel.checkInet(localAddress));
        socket.listen(config.getBacklog());
        active = true;
    }

    @Override
    Channel newChildChannel(Socket accepted, AcceptedPeer peer) {
        return new GoNetpollSocketChannel(this, accepted, peer.address());
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) super.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return null;
    }
}
