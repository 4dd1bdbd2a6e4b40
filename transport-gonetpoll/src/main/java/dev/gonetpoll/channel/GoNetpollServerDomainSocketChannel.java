package dev.gonetpoll.channel;

import dev.gonetpoll.sys.AcceptedPeer;
import dev.gonetpoll.sys.Socket;
import dev.gonetpoll.sys.UnixSocketPath;
import io.netty.channel.Channel;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.ServerDomainSocketChannel;

import java.net.SocketAddress;

/**
 * A Unix domain stream listener: accepting is that of every gonetpoll listener
 * ({@link AbstractGoNetpollServerChannel}); each accepted connection becomes a
 * {@link GoNetpollDomainSocketChannel}.
 *
 * <p>It implements Netty's {@link ServerDomainSocketChannel}, so a bootstrap written for epoll's
 * {@code EpollServerDomainSocketChannel} needs only the class name changed. It binds to Netty's
 * {@link DomainSocketAddress} or the JDK's {@link java.net.UnixDomainSocketAddress}: a file system
 * path, a Linux abstract name ({@code "\0name"}), or {@code ""} for a name the kernel picks. A stale
 * socket file at the path (one nobody listens on, as a crashed server leaves) is removed before
 * binding; any other file fails the bind. Closing removes the socket file, as epoll does, unless
 * another server listens on the path by then.
 */
public final class GoNetpollServerDomainSocketChannel extends AbstractGoNetpollServerChannel
        implements ServerDomainSocketChannel {

    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);

    private final GoNetpollServerDomainSocketChannelConfig config;
    private final ChannelFileDescriptor fd;
    private volatile DomainSocketAddress local;
    /** The file system path this channel bound, whose socket file it removes when it closes. */
    private UnixSocketPath boundPathname;

    public GoNetpollServerDomainSocketChannel() {
        super(Socket.newUnixStreamSocket());
        this.config = new GoNetpollServerDomainSocketChannelConfig(this);
        this.fd = new ChannelFileDescriptor(socket);
    }

    @Override
    public GoNetpollServerDomainSocketChannelConfig config() {
        return config;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    /** The socket's number; see {@link ChannelFileDescriptor} for what the returned object allows. */
    @Override
    public FileDescriptor fd() {
        return fd;
    }

    @Override
    public DomainSocketAddress localAddress() {
        return (DomainSocketAddress) super.localAddress();
    }

    @Override
    public DomainSocketAddress remoteAddress() {
        return null;
    }

    @Override
    protected SocketAddress localAddress0() {
        return local;
    }

    @Override
    protected void doBind(SocketAddress localAddress) throws Exception {
        boundPathname = DomainSocketAddresses.bind(socket, localAddress);
        socket.listen(config.getBacklog());
        // The kernel's name: the same path, or the abstract name it picked for an unnamed address.
        local = DomainSocketAddresses.toDomainSocketAddress(socket.localUnixAddress());
        active = true;
    }

    @Override
    Channel newChildChannel(Socket accepted, AcceptedPeer peer) {
        return new GoNetpollDomainSocketChannel(this, accepted);
    }

    @Override
    protected void doClose() throws Exception {
        try {
            super.doClose();
        } finally {
            GoNetpollDomainSocketChannel.removeBoundFile(boundPathname);
        }
    }
}
