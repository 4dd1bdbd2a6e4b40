package dev.gonetpoll.channel;

import dev.gonetpoll.sys.IovArray;
import dev.gonetpoll.sys.Linux;
import dev.gonetpoll.sys.Socket;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.UnresolvedAddressException;

/**
 * A TCP connection, IPv4 or IPv6. Reading, writing (FileRegions included), half-close and the
 * connect machinery are those of every gonetpoll stream ({@link AbstractGoNetpollStreamChannel});
 * this class adds TCP/IP addresses and options, {@code TCP_INFO}, and TCP fast open: with
 * {@code TCP_FASTOPEN_CONNECT} the data written before connect goes out in the SYN.
 */
public final class GoNetpollSocketChannel extends AbstractGoNetpollStreamChannel implements SocketChannel {

    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);

    private final GoNetpollSocketChannelConfig config;
    private volatile InetSocketAddress remote;
    /** The address of the connect in progress, named in its outcome. */
    private InetSocketAddress requestedRemote;

    public GoNetpollSocketChannel() {
        this(Socket.newStreamSocket());
    }

    public GoNetpollSocketChannel(SocketProtocolFamily family) {
        this(Socket.newStreamSocket(isIPv6(family)));
    }

    private GoNetpollSocketChannel(Socket socket) {
        super(null, socket, false);
        this.config = new GoNetpollSocketChannelConfig(this, socket);
    }

    /** An accepted connection. */
    GoNetpollSocketChannel(GoNetpollServerSocketChannel parent, Socket socket, InetSocketAddress remote) {
        super(parent, socket, true);
        this.remote = remote;
        this.config = new GoNetpollSocketChannelConfig(this, socket);
    }

    static boolean isIPv6(SocketProtocolFamily family) {
        return switch (family) {
            case INET -> false;
            case INET6 -> true;
            default -> throw new IllegalArgumentException("not a TCP/IP protocol family: " + family);
        };
    }

    static InetSocketAddress checkInet(SocketAddress address) {
        if (!(address instanceof InetSocketAddress inet)) {
            throw new IllegalArgumentException("unsupported address type: " + address
                    + " (expected: InetSocketAddress)");
        }
        if (inet.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        return inet;
    }

    @Override
    public GoNetpollServerSocketChannel parent() {
        return (GoNetpollServerSocketChannel) super.parent();
    }

    @Override
    public GoNetpollSocketChannelConfig config() {
        return config;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) super.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) super.remoteAddress();
    }

    @Override
    protected SocketAddress remoteAddress0() {
        InetSocketAddress r = remote;
        return r != null ? r : socket.remoteAddress();
    }

    @Override
    protected void doBind(SocketAddress local) throws Exception {
        socket.bind(checkInet(local));
    }

    @Override
    boolean doConnect(SocketAddress remoteAddress, SocketAddress localAddress) throws Exception {
        InetSocketAddress target = checkInet(remoteAddress);
        if (localAddress != null) {
            socket.bind(checkInet(localAddress));
        }
        if (socket.connect(target)) {
            if (socket.finishConnect(target)) {
                remote = target;
                return true;
            }
            sendFastOpenSyn(target);
        }
        requestedRemote = target;
        return false;
    }

    /**
     * connect() returned at once without a handshake: TCP_FASTOPEN_CONNECT is on and the kernel has a
     * fast-open cookie for the server, so it holds the SYN back for the first write. Send it now,
     * carrying what was written before connect (flushed here, as Netty's epoll transport does); the
     * part that does not fit the SYN is written once connected.
     */
    private void sendFastOpenSyn(InetSocketAddress target) throws Exception {
        ChannelOutboundBuffer out = unsafe().outboundBuffer();
        out.addFlush();
        IovArray iov = IovArrayPool.acquire();
        try {
            out.forEachFlushedMessage(msg -> msg instanceof ByteBuf buf && addBuffer(iov, buf));
            out.removeBytes(socket.sendDeferredSyn(iov.address(), iov.count(), target));
        } finally {
            IovArrayPool.release(iov);
        }
    }

    /**
     * The kernel's {@code TCP_INFO} for this connection, read now. May be called from any thread.
     *
     * @throws ChannelException if the kernel refuses, e.g. because the channel is closed
     */
    public GoNetpollTcpInfo tcpInfo() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(Linux.TCP_INFO_SIZE, Long.BYTES);
            socket.getTcpInfo(info);
            return GoNetpollTcpInfo.decode(info);
        } catch (IOException e) {
            throw new ChannelException("cannot read TCP_INFO: "
                    + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()), e);
        }
    }

    @Override
    boolean doFinishConnect() throws Exception {
        if (!socket.finishConnect(requestedRemote)) {
            return false;
        }
        remote = requestedRemote;
        return true;
    }

    /** close() with SO_LINGER > 0 blocks in the kernel until the data is sent or the time is up. */
    @Override
    boolean closeMayBlock() {
        return config.getSoLinger() > 0;
    }
}
