package dev.gonetpoll.channel;

import dev.gonetpoll.sys.Socket;
import dev.gonetpoll.sys.UnixSocketFile;
import dev.gonetpoll.sys.UnixSocketPath;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketChannel;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.PeerCredentials;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * A Unix domain stream connection. Reading, writing, half-close and the connect machinery are those
 * of every gonetpoll stream ({@link AbstractGoNetpollStreamChannel}); this class adds Unix socket
 * addresses, options and peer credentials.
 *
 * <p>It implements Netty's {@link DomainSocketChannel}, so code written for epoll's
 * {@code EpollDomainSocketChannel} needs only the class name changed. Addresses may be Netty's
 * {@link DomainSocketAddress} (a file system path, or a Linux abstract name starting with
 * {@code '\0'}) or the JDK's {@link java.net.UnixDomainSocketAddress}; they are reported as
 * {@link DomainSocketAddress}. Differences from epoll:
 * <ul>
 *   <li>File descriptors cannot be passed (SCM_RIGHTS): a {@link FileDescriptor} message and the
 *       {@code FILE_DESCRIPTORS} read mode are refused with {@link UnsupportedOperationException}.</li>
 *   <li>Binding to a path removes a file there only if it is a stale socket file (see
 *       {@link UnixSocketFile}); closing removes the file the channel bound, if nobody listens on it.</li>
 * </ul>
 */
public final class GoNetpollDomainSocketChannel extends AbstractGoNetpollStreamChannel implements DomainSocketChannel {

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(GoNetpollDomainSocketChannel.class);
    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);

    private final GoNetpollDomainSocketChannelConfig config;
    private final ChannelFileDescriptor fd;
    /** Null until bound or connected (as epoll reports it), then what the kernel says. */
    private volatile DomainSocketAddress local;
    private volatile DomainSocketAddress remote;
    /** The file system path this channel bound, whose socket file it removes when it closes. */
    private UnixSocketPath boundPathname;

    public GoNetpollDomainSocketChannel() {
        this(null, Socket.newUnixStreamSocket(), false);
    }

    /** An accepted connection. */
    GoNetpollDomainSocketChannel(GoNetpollServerDomainSocketChannel parent, Socket accepted) {
        this(parent, accepted, true);
        local = DomainSocketAddresses.toDomainSocketAddress(accepted.localUnixAddress());
        remote = DomainSocketAddresses.toDomainSocketAddress(accepted.remoteUnixAddress());
    }

    private GoNetpollDomainSocketChannel(GoNetpollServerDomainSocketChannel parent, Socket socket, boolean active) {
        super(parent, socket, active);
        this.config = new GoNetpollDomainSocketChannelConfig(this, socket);
        this.fd = new ChannelFileDescriptor(socket);
    }

    @Override
    public GoNetpollServerDomainSocketChannel parent() {
        return (GoNetpollServerDomainSocketChannel) super.parent();
    }

    @Override
    public GoNetpollDomainSocketChannelConfig config() {
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

    /**
     * The process id, user id and group id of the peer process when it connected
     * ({@code SO_PEERCRED}), as epoll's {@code peerCredentials()} reports them.
     */
    public PeerCredentials peerCredentials() throws IOException {
        return PeerCredentialsAdapter.of(socket.peerCredentials());
    }

    @Override
    public DomainSocketAddress localAddress() {
        return (DomainSocketAddress) super.localAddress();
    }

    @Override
    public DomainSocketAddress remoteAddress() {
        return (DomainSocketAddress) super.remoteAddress();
    }

    @Override
    protected SocketAddress localAddress0() {
        return local;
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return remote;
    }

    @Override
    protected void doBind(SocketAddress localAddress) throws Exception {
        boundPathname = DomainSocketAddresses.bind(socket, localAddress);
        // The kernel's name: the same path, or the abstract name it picked for an unnamed address.
        local = DomainSocketAddresses.toDomainSocketAddress(socket.localUnixAddress());
    }

    /** Connects at once or fails: a Unix domain connect never stays in progress. */
    @Override
    boolean doConnect(SocketAddress remoteAddress, SocketAddress localAddress) throws Exception {
        UnixSocketPath target = DomainSocketAddresses.toUnixSocketPath(remoteAddress);
        if (target.isUnnamed()) {
            throw new IllegalArgumentException("cannot connect to the unnamed unix socket address (empty path)");
        }
        if (localAddress != null) {
            doBind(localAddress);
        }
        socket.connect(target);
        remote = DomainSocketAddresses.toDomainSocketAddress(target);
        if (local == null) {
            local = DomainSocketAddresses.toDomainSocketAddress(socket.localUnixAddress());
        }
        return true;
    }

    /** Never called: {@link #doConnect} never leaves a connect in progress. */
    @Override
    boolean doFinishConnect() {
        throw new IllegalStateException("a Unix domain connect never stays in progress");
    }

    @Override
    protected Object filterOutboundMessage(Object msg) {
        if (msg instanceof FileDescriptor) {
            throw new UnsupportedOperationException("gonetpoll does not pass file descriptors over Unix sockets "
                    + "(SCM_RIGHTS): " + msg);
        }
        return super.filterOutboundMessage(msg);
    }

    @Override
    protected void doClose() throws Exception {
        try {
            super.doClose();
        } finally {
            removeBoundFile(boundPathname);
        }
    }

    /** After close: removes the socket file a channel bound, unless another socket listens there now. */
    static void removeBoundFile(UnixSocketPath pathname) {
        if (pathname == null) {
            return;
        }
        try {
            UnixSocketFile.removeIfStale(pathname);
        } catch (IOException e) {
            logger.debug("Failed to remove the socket file {}", pathname, e);
        }
    }
}
