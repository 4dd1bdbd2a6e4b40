package dev.gonetpoll.channel;

import dev.gonetpoll.sys.AcceptedPeer;
import dev.gonetpoll.sys.ErrnoException;
import dev.gonetpoll.sys.Linux;
import dev.gonetpoll.sys.Socket;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A TCP server channel: accepts connections until EAGAIN on each readiness edge and hands every
 * accepted connection to the pipeline as a {@link GoNetpollSocketChannel}, which the
 * {@code ServerBootstrap} registers with the child group (its own goroutine).
 */
public final class GoNetpollServerSocketChannel extends AbstractGoNetpollChannel implements ServerSocketChannel {

    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);
    /** How long accepting pauses after the process ran out of file descriptors. */
    private static final long FD_EXHAUSTED_BACKOFF_MS = 100;

    private final GoNetpollServerSocketChannelConfig config;
    private final AcceptedPeer peer = new AcceptedPeer();
    private boolean acceptPaused;

    public GoNetpollServerSocketChannel() {
        this(Socket.newStreamSocket());
    }

    public GoNetpollServerSocketChannel(SocketProtocolFamily family) {
        this(Socket.newStreamSocket(GoNetpollSocketChannel.isIPv6(family)));
    }

    private GoNetpollServerSocketChannel(Socket socket) {
        super(null, socket, false);
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
    boolean wantsRead() {
        return readPending && !acceptPaused && active;
    }

    @Override
    boolean wantsWrite() {
        return false;
    }

    @Override
    void writeReady() {
        // a listening socket is never written
    }

    @Override
    void readReady() {
        RecvByteBufAllocator.ExtendedHandle handle = (RecvByteBufAllocator.ExtendedHandle) unsafe().recvBufAllocHandle();
        handle.reset(config);
        ChannelPipeline pipeline = pipeline();
        Throwable failure = null;
        boolean drained = false;
        try {
            do {
                int fd = socket.accept(peer);
                if (fd == Socket.WOULD_BLOCK) {
                    drained = true;
                    break;
                }
                handle.incMessagesRead(1);
                readPending = false;
                pipeline.fireChannelRead(new GoNetpollSocketChannel(this, new Socket(fd, socket.isIPv6()), peer.address()));
            } while (handle.continueReading());
        } catch (Throwable t) {
            failure = t;
        }
        handle.readComplete();
        pipeline.fireChannelReadComplete();
        // Edge-triggered: unless the kernel said EAGAIN, connections may still wait in the backlog.
        readReady = !drained;
        if (failure != null) {
            if (isFdExhausted(failure)) {
                pauseAccepting();
            }
            pipeline.fireExceptionCaught(failure);
        }
    }

    /**
     * Out of descriptors, the pending connection stays in the backlog and no new edge will come for
     * it: retry after a pause instead of spinning (Go's http.Server does the same).
     */
    private void pauseAccepting() {
        acceptPaused = true;
        eventLoop().schedule(() -> {
            acceptPaused = false;
            readReady = true;
        }, FD_EXHAUSTED_BACKOFF_MS, TimeUnit.MILLISECONDS);
    }

    private static boolean isFdExhausted(Throwable t) {
        return t instanceof ErrnoException e && (e.errno() == Linux.EMFILE || e.errno() == Linux.ENFILE);
    }

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new AbstractUnsafe() {
            @Override
            public void connect(SocketAddress remote, SocketAddress local, ChannelPromise promise) {
                promise.setFailure(new UnsupportedOperationException("a server channel does not connect"));
            }
        };
    }

    @Override
    protected void doDisconnect() {
        throw new UnsupportedOperationException();
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) {
        throw new UnsupportedOperationException();
    }

    @Override
    protected Object filterOutboundMessage(Object msg) {
        throw new UnsupportedOperationException();
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) super.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return null;
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return null;
    }
}
