package dev.gonetpoll.channel;

import dev.gonetpoll.sys.AcceptedPeer;
import dev.gonetpoll.sys.ErrnoException;
import dev.gonetpoll.sys.Linux;
import dev.gonetpoll.sys.Socket;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ServerChannel;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A listening stream socket (TCP or Unix domain): accepts connections until EAGAIN on each
 * readiness edge and hands each one to the pipeline as the channel {@link #newChildChannel} makes,
 * which the {@code ServerBootstrap} registers with the child group (its own goroutine).
 *
 * <p>When the process runs out of file descriptors, accepting pauses for
 * {@value #FD_EXHAUSTED_BACKOFF_MS} ms ({@code acceptPaused}) and then retries without waiting
 * for an edge: the pending connection stays in the backlog and brings no new one.
 */
abstract class AbstractGoNetpollServerChannel extends AbstractGoNetpollChannel implements ServerChannel {

    /** How long accepting pauses after the process ran out of file descriptors. */
    private static final long FD_EXHAUSTED_BACKOFF_MS = 100;

    private final AcceptedPeer peer = new AcceptedPeer();
    private boolean acceptPaused;

    AbstractGoNetpollServerChannel(Socket socket) {
        super(null, socket, false);
    }

    /**
     * The channel for an accepted connection. If this throws, the accepted socket is closed and
     * the failure goes to the pipeline.
     *
     * @param accepted the connection's socket, of this listener's address family
     * @param peer     the remote address the accept call reported (may be null)
     */
    abstract Channel newChildChannel(Socket accepted, AcceptedPeer peer) throws Exception;

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
        handle.reset(config());
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
                pipeline.fireChannelRead(newChild(socket.wrapAccepted(fd)));
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

    private Channel newChild(Socket accepted) throws Exception {
        try {
            return newChildChannel(accepted, peer);
        } catch (Throwable t) {
            try {
                accepted.close();
            } catch (IOException e) {
                t.addSuppressed(e);
            }
            throw t;
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
    protected SocketAddress remoteAddress0() {
        return null;
    }
}
