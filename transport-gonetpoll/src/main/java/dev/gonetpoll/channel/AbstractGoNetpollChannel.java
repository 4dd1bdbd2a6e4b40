package dev.gonetpoll.channel;

import dev.gonetpoll.poll.Netpoller;
import dev.gonetpoll.poll.PollDesc;
import dev.gonetpoll.poll.PollWaiter;
import dev.gonetpoll.sys.Socket;
import io.netty.channel.AbstractChannel;
import io.netty.channel.Channel;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;

import java.net.SocketAddress;
import java.util.concurrent.RejectedExecutionException;

/**
 * What every gonetpoll channel shares: a non-blocking {@link Socket}, its {@link PollDesc} in the
 * group's netpoller, and the readiness bookkeeping its loop's goroutine drives.
 *
 * <h2>I/O readiness</h2>
 * The loop calls {@link #armIo} before it parks and {@link #processIo} after every pass. A direction
 * is looked at only while the channel wants it ({@link #wantsRead}, {@link #wantsWrite}); otherwise
 * its edge stays latched in the descriptor until it is wanted. {@link #readReady} and
 * {@link #writeReady} hold readiness taken from the descriptor (or "maybe more data": a read pass
 * that stopped before the kernel said EAGAIN) that has not been acted on yet.
 *
 * <p>All methods except the constructors run in the loop's goroutine.
 */
abstract class AbstractGoNetpollChannel extends AbstractChannel {

    final Socket socket;
    private PollDesc pollDesc;
    private Netpoller netpoller;
    boolean readReady;
    boolean writeReady;
    /** Set by doBeginRead, cleared once a read pass delivered something (Netty's read() contract). */
    boolean readPending;
    volatile boolean active;

    AbstractGoNetpollChannel(Channel parent, Socket socket, boolean active) {
        super(parent);
        this.socket = socket;
        this.active = active;
    }

    /** The descriptor in the netpoller, null until first registered. */
    PollDesc pollDesc() {
        return pollDesc;
    }

    GoNetpollEventLoop loop() {
        return (GoNetpollEventLoop) eventLoop();
    }

    @Override
    protected boolean isCompatible(EventLoop loop) {
        return loop instanceof GoNetpollEventLoop;
    }

    @Override
    public boolean isOpen() {
        return socket.isOpen();
    }

    @Override
    public boolean isActive() {
        return active;
    }

    @Override
    public abstract ChannelMetadata metadata();

    @Override
    protected void doRegister(ChannelPromise promise) {
        GoNetpollEventLoop loop = loop();
        Netpoller target = loop.netpoller();
        try {
            if (pollDesc != null && netpoller != target) {
                netpoller.close(pollDesc); // re-registered with another group: move to its epoll instance
                pollDesc = null;
            }
            if (pollDesc == null) {
                pollDesc = target.open(socket.fd());
                netpoller = target;
            }
        } catch (Throwable t) {
            promise.setFailure(t);
            return;
        }
        loop.addChannel(this);
        promise.setSuccess();
    }

    @Override
    protected void doDeregister() {
        // The fd stays in the epoll set (registered once, never modified) until it is closed.
        loop().removeChannel(this);
    }

    @Override
    protected void doBeginRead() {
        readPending = true;
    }

    /**
     * Auto-read was turned off (called by the config's {@code autoReadCleared}): the read that the last
     * auto-read cycle requested stops being pending, so nothing more is read, or accepted, until
     * {@code read()} is called or auto-read is turned on again. Netty's {@code ServerBootstrapAcceptor}
     * relies on this to pause accepting for a second after an accept failed. From outside the loop
     * this is a task, which leaves a read that was requested after auto-read went off alone (Netty's
     * epoll transport does the same).
     */
    final void autoReadCleared() {
        if (!isRegistered()) {
            readPending = false; // (nothing is pending before registration; for symmetry with epoll)
            return;
        }
        EventLoop loop = eventLoop();
        if (loop.inEventLoop()) {
            readPending = false;
            return;
        }
        try {
            loop.execute(() -> {
                if (!config().isAutoRead()) {
                    readPending = false;
                }
            });
        } catch (RejectedExecutionException e) {
            // the loop shut down: it reads nothing any more anyway
        }
    }

    @Override
    protected void doClose() throws Exception {
        active = false;
        try {
            if (pollDesc != null) {
                netpoller.close(pollDesc); // unblock, deregister, recycle: before the fd number is freed
            }
        } finally {
            socket.close();
        }
    }

    /** Whether the loop should act on read readiness now. */
    abstract boolean wantsRead();

    /**
     * Whether the loop should act on read readiness although nobody asked to read: true for a stream
     * whose peer hung up, so the FIN (or RST) is noticed without a pending read, as epoll's RDHUP
     * handling does.
     */
    boolean mustReadUnasked(PollDesc pd) {
        return false;
    }

    /** Whether the loop should act on write readiness now. */
    abstract boolean wantsWrite();

    /** Read readiness arrived (or more data may be left): read. */
    abstract void readReady();

    /** Write readiness arrived: finish a connect or flush what waits. */
    abstract void writeReady();

    /**
     * Before the loop parks: publish the loop's waiter as the waiter of each direction it watches. Read
     * readiness is watched even while nobody reads (it is kept in {@link #readReady}), so that a hang-up
     * wakes the loop; it is acted on only when {@link #wantsRead} or {@link #mustReadUnasked} says so.
     *
     * @return true if something is ready already, so the loop must not park
     */
    final boolean armIo(PollWaiter g) {
        PollDesc pd = pollDesc;
        if (pd == null || !isOpen()) {
            return false;
        }
        boolean ready = false;
        if (wantsWrite()) {
            ready |= writeReady || (writeReady = arm(pd, PollDesc.WRITE, g));
        }
        if (active) {
            if (!readReady) {
                readReady = arm(pd, PollDesc.READ, g);
            }
            ready |= readReady && (wantsRead() || mustReadUnasked(pd));
        }
        return ready;
    }

    private static boolean arm(PollDesc pd, int mode, PollWaiter g) {
        // ARM_CLOSED cannot normally happen (only this goroutine closes the descriptor); treat it
        // as ready so the next syscall reports the real state.
        return pd.arm(mode, g) != PollDesc.ARM_WAITING;
    }

    /** After each loop pass: act on readiness; true if it did any I/O work. */
    final boolean processIo() {
        PollDesc pd = pollDesc;
        if (pd == null || !isOpen()) {
            return false;
        }
        boolean worked = false;
        if (wantsWrite()) {
            if (!writeReady) {
                writeReady = pd.consume(PollDesc.WRITE);
            }
            if (writeReady) {
                writeReady = false;
                worked = true;
                writeReady();
            }
        }
        if (active && isOpen()) {
            if (!readReady) {
                readReady = pd.consume(PollDesc.READ);
            }
            if (readReady && (wantsRead() || mustReadUnasked(pd))) {
                readReady = false;
                worked = true;
                readReady();
            }
        }
        return worked;
    }

    /** The kernel's answer for an IP socket; channels of another address family override both. */
    @Override
    protected SocketAddress localAddress0() {
        return socket.localAddress();
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return socket.remoteAddress();
    }
}
