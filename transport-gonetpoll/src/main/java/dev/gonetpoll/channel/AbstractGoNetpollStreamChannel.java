package dev.gonetpoll.channel;

import dev.gonetpoll.poll.PollDesc;
import dev.gonetpoll.sys.IovArray;
import dev.gonetpoll.sys.Linux;
import dev.gonetpoll.sys.Socket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.FileRegion;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.DuplexChannelConfig;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * A connected byte stream (TCP or a Unix domain stream socket): what both share, so that the
 * subclasses only say how to name, bind and connect their kind of socket.
 *
 * <p>Reads until EAGAIN on each readiness edge (or until the receive allocator says stop, then
 * goes on in the next pass without waiting for an edge); writes with {@code write} or, for several
 * buffers, one {@code writev}; parks on its poll descriptor when the kernel's send buffer is full;
 * connects without blocking, with Netty's connect timeout; half-closes ({@link DuplexChannel}).
 *
 * <h2>State, all owned by the loop's goroutine</h2>
 * <ul>
 *   <li>Connect: idle → pending ({@code connectPromise != null}, waiting for write readiness, a
 *       timeout may be scheduled) → active. Close, cancellation and the timeout all leave pending
 *       with the promise failed and the timeout cancelled; a channel is never both pending and
 *       active.</li>
 *   <li>Write: {@code waitingForWritable} is set when a write hit EAGAIN. While it is set, only
 *       write readiness flushes ({@link GoNetpollStreamUnsafe#flush0} does nothing), so the kernel
 *       is not asked again before it said there is room.</li>
 *   <li>Read: open → input shut down (by us, or after the peer's FIN with
 *       {@code ALLOW_HALF_CLOSURE}: {@code ChannelInputShutdownEvent}) → end of input reported
 *       ({@code inputClosedSeenErrorOnRead}: {@code ChannelInputShutdownReadComplete}, fired once).
 *       A peer's hang-up is acted on even without a read request ({@link #mustReadUnasked}).</li>
 * </ul>
 */
abstract class AbstractGoNetpollStreamChannel extends AbstractGoNetpollChannel implements DuplexChannel {

    /** doWriteOnce result: the kernel's send buffer is full; wait for write readiness. */
    private static final int SEND_BUFFER_FULL = FileRegionWriter.SEND_BUFFER_FULL;

    /** The connect in progress (EINPROGRESS), else null. */
    private ChannelPromise connectPromise;
    private Future<?> connectTimeout;
    /** A write hit EAGAIN: flushing waits for write readiness. */
    private boolean waitingForWritable;
    /** Reads already returned end-of-stream after the input was shut down. */
    private boolean inputClosedSeenErrorOnRead;
    private final Runnable flushTask = () -> ((GoNetpollStreamUnsafe) unsafe()).flushFromTask();
    /** Writes FileRegions; created on the first one. */
    private FileRegionWriter fileRegionWriter;

    AbstractGoNetpollStreamChannel(Channel parent, Socket socket, boolean active) {
        super(parent, socket, active);
    }

    @Override
    public abstract DuplexChannelConfig config();

    /**
     * Checks the addresses, binds {@code local} if not null and starts connecting to {@code remote}.
     *
     * @return true if connected already; false if the connect is in progress and
     *         {@link #doFinishConnect} must be called once the socket is writable
     * @throws Exception for an address of the wrong type (IllegalArgumentException) or a failed bind
     *                   or connect; the channel then fails the connect promise
     */
    abstract boolean doConnect(SocketAddress remote, SocketAddress local) throws Exception;

    /** Completes a connect {@link #doConnect} left in progress; true once connected, false if still going. */
    abstract boolean doFinishConnect() throws Exception;

    /** Whether closing the socket may block in the kernel, so that it must happen off the carriers. */
    boolean closeMayBlock() {
        return false;
    }

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new GoNetpollStreamUnsafe();
    }

    // ---------------------------------------------------------------------------------------------
    // Readiness

    @Override
    boolean wantsRead() {
        return readPending && active && !inputClosedSeenErrorOnRead;
    }

    @Override
    boolean mustReadUnasked(PollDesc pd) {
        // The peer's FIN is reported without a read request: first ChannelInputShutdownEvent (or the
        // close), then, on the next pass, ChannelInputShutdownReadComplete, as Netty's epoll does.
        return pd.hasHangup() && !inputClosedSeenErrorOnRead;
    }

    @Override
    boolean wantsWrite() {
        return connectPromise != null || waitingForWritable;
    }

    @Override
    void writeReady() {
        if (connectPromise != null) {
            ((GoNetpollStreamUnsafe) unsafe()).finishConnect();
        } else if (waitingForWritable) {
            waitingForWritable = false;
            ((GoNetpollStreamUnsafe) unsafe()).flushFromTask();
        }
    }

    @Override
    void readReady() {
        ChannelPipeline pipeline = pipeline();
        if (socket.isInputShutdown()) {
            // Half-closed earlier: all that is left to say is that reading is over for good.
            if (!inputClosedSeenErrorOnRead) {
                inputClosedSeenErrorOnRead = true;
                pipeline.fireUserEventTriggered(ChannelInputShutdownReadComplete.INSTANCE);
            }
            return;
        }
        DuplexChannelConfig config = config();
        RecvByteBufAllocator.ExtendedHandle handle = (RecvByteBufAllocator.ExtendedHandle) unsafe().recvBufAllocHandle();
        handle.reset(config);
        ByteBufAllocator allocator = config.getAllocator();
        ByteBuf buf = null;
        boolean eof = false;
        boolean drained = false;
        int delivered = 0;
        try {
            do {
                buf = handle.allocate(allocator);
                int attempted = buf.writableBytes();
                handle.attemptedBytesRead(attempted);
                int n = readInto(buf);
                if (n == Socket.WOULD_BLOCK) {
                    buf.release();
                    buf = null;
                    handle.lastBytesRead(0);
                    drained = true;
                    break;
                }
                if (n == 0) {
                    buf.release();
                    buf = null;
                    handle.lastBytesRead(-1);
                    eof = true;
                    readPending = false;
                    break;
                }
                handle.lastBytesRead(n);
                handle.incMessagesRead(1);
                readPending = false;
                delivered++;
                ByteBuf data = buf;
                buf = null;
                pipeline.fireChannelRead(data);
                if (n < attempted && !pollDesc().hasHangup()) {
                    // A stream read returns less than asked only when the kernel buffer is empty:
                    // any later byte brings a new edge. A FIN that came already brings none, so
                    // after a hang-up we read on until EOF.
                    drained = true;
                    break;
                }
            } while (isOpen() && !socket.isInputShutdown() && handle.continueReading());
            // A pass that found nothing (stale readiness) is not a read: the read request stays pending.
            if (delivered > 0 || eof) {
                handle.readComplete();
                pipeline.fireChannelReadComplete();
            }
            if (eof) {
                closeOnRead();
            }
        } catch (Throwable t) {
            handleReadException(pipeline, buf, t, eof, handle);
        }
        // Edge-triggered: without EAGAIN (or a short read) more data may wait; EOF stays readable.
        readReady = !drained && isOpen();
    }

    private int readInto(ByteBuf buf) throws IOException {
        int writable = buf.writableBytes();
        if (buf.hasMemoryAddress()) {
            int n = socket.read(buf.memoryAddress() + buf.writerIndex(), writable);
            if (n > 0) {
                buf.writerIndex(buf.writerIndex() + n);
            }
            return n;
        }
        if (buf.nioBufferCount() == 1) {
            ByteBuffer nio = buf.internalNioBuffer(buf.writerIndex(), writable);
            if (nio.isDirect()) {
                int n = socket.read(MemorySegment.ofBuffer(nio).address(), writable);
                if (n > 0) {
                    buf.writerIndex(buf.writerIndex() + n);
                }
                return n;
            }
        }
        // Heap memory has no stable address: read into pooled direct memory and copy.
        ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(writable);
        try {
            int n = socket.read(direct.memoryAddress(), writable);
            if (n > 0) {
                buf.writeBytes(direct, 0, n);
            }
            return n;
        } finally {
            direct.release();
        }
    }

    private void closeOnRead() {
        if (!socket.isInputShutdown()) {
            if (config().isAllowHalfClosure()) {
                shutdownInputNow();
                pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            } else {
                unsafe().close(unsafe().voidPromise());
            }
        } else if (!inputClosedSeenErrorOnRead) {
            inputClosedSeenErrorOnRead = true;
            pipeline().fireUserEventTriggered(ChannelInputShutdownReadComplete.INSTANCE);
        }
    }

    private void handleReadException(ChannelPipeline pipeline, ByteBuf buf, Throwable cause, boolean eof,
                                     RecvByteBufAllocator.ExtendedHandle handle) {
        if (buf != null) {
            if (buf.isReadable()) {
                readPending = false;
                pipeline.fireChannelRead(buf);
            } else {
                buf.release();
            }
        }
        handle.readComplete();
        pipeline.fireChannelReadComplete();
        pipeline.fireExceptionCaught(cause);
        if (eof || cause instanceof OutOfMemoryError || cause instanceof IOException) {
            closeOnRead();
        }
    }

    private void shutdownInputNow() {
        try {
            socket.shutdown(true, false);
        } catch (IOException e) {
            pipeline().fireExceptionCaught(e);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Writing

    @Override
    protected Object filterOutboundMessage(Object msg) {
        if (msg instanceof ByteBuf buf) {
            return isNativeWritable(buf) ? buf : newDirectBuffer(buf);
        }
        if (msg instanceof FileRegion) {
            return msg;
        }
        throw new UnsupportedOperationException("unsupported message type: " + msg.getClass().getName()
                + " (expected: ByteBuf, FileRegion)");
    }

    /** A copy of a heap buffer in direct memory the kernel can read; releases the original. */
    private ByteBuf newDirectBuffer(ByteBuf buf) {
        int readable = buf.readableBytes();
        ByteBufAllocator allocator = alloc();
        ByteBuf direct = allocator.isDirectBufferPooled()
                ? allocator.directBuffer(readable)
                : PooledByteBufAllocator.DEFAULT.directBuffer(readable);
        direct.writeBytes(buf, buf.readerIndex(), readable);
        ReferenceCountUtil.safeRelease(buf);
        return direct;
    }

    /** Whether the kernel can read the buffer's memory directly. */
    private static boolean isNativeWritable(ByteBuf buf) {
        return buf.hasMemoryAddress() || buf.isDirect() && buf.nioBufferCount() <= Linux.IOV_MAX;
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) throws Exception {
        int spins = config().getWriteSpinCount();
        do {
            int count = in.size();
            if (count == 0) {
                return;
            }
            Object current = in.current();
            int result = current instanceof FileRegion region ? fileRegionWriter().write(in, region)
                    : count > 1 ? writeGathering(in) : writeSingle(in);
            if (result == SEND_BUFFER_FULL) {
                waitingForWritable = true;
                return;
            }
            spins -= result;
        } while (spins > 0);
        // Spent our spins with data left: let the loop's other work run, then go on.
        eventLoop().execute(flushTask);
    }

    /** The channel's region writer, created on first use; only the loop goroutine may call this. */
    FileRegionWriter fileRegionWriter() {
        if (fileRegionWriter == null) {
            fileRegionWriter = new FileRegionWriter(socket);
        }
        return fileRegionWriter;
    }

    private int writeSingle(ChannelOutboundBuffer in) throws IOException {
        ByteBuf buf = (ByteBuf) in.current();
        int readable = buf.readableBytes();
        if (readable == 0) {
            in.remove();
            return 0;
        }
        long written;
        if (buf.hasMemoryAddress()) {
            written = socket.write(buf.memoryAddress() + buf.readerIndex(), readable);
        } else {
            IovArray iov = IovArrayPool.acquire();
            try {
                addBuffer(iov, buf);
                written = socket.writev(iov.address(), iov.count());
            } finally {
                IovArrayPool.release(iov);
            }
        }
        if (written == Socket.WOULD_BLOCK) {
            return SEND_BUFFER_FULL;
        }
        in.removeBytes(written);
        return 1;
    }

    private int writeGathering(ChannelOutboundBuffer in) throws Exception {
        IovArray iov = IovArrayPool.acquire();
        try {
            in.forEachFlushedMessage(msg -> msg instanceof ByteBuf buf && addBuffer(iov, buf));
            if (iov.count() == 0) {
                in.removeBytes(0); // only empty buffers
                return 1;
            }
            long written = socket.writev(iov.address(), iov.count());
            if (written == Socket.WOULD_BLOCK) {
                return SEND_BUFFER_FULL;
            }
            in.removeBytes(written);
            return 1;
        } finally {
            IovArrayPool.release(iov);
        }
    }

    /** Adds the readable bytes of {@code buf}; false once the array is full (a partial add is fine). */
    static boolean addBuffer(IovArray iov, ByteBuf buf) {
        int readable = buf.readableBytes();
        if (readable == 0) {
            return true;
        }
        if (buf.hasMemoryAddress()) {
            return iov.add(buf.memoryAddress() + buf.readerIndex(), readable);
        }
        for (ByteBuffer nio : buf.nioBuffers(buf.readerIndex(), readable)) {
            int remaining = nio.remaining();
            if (remaining != 0 && !iov.add(MemorySegment.ofBuffer(nio).address(), remaining)) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------------
    // Half-close (DuplexChannel)

    @Override
    public boolean isInputShutdown() {
        return socket.isInputShutdown() || !isActive();
    }

    @Override
    public boolean isOutputShutdown() {
        return socket.isOutputShutdown() || !isActive();
    }

    @Override
    public boolean isShutdown() {
        return socket.isInputShutdown() && socket.isOutputShutdown() || !isActive();
    }

    @Override
    public ChannelFuture shutdownOutput() {
        return shutdownOutput(newPromise());
    }

    @Override
    public ChannelFuture shutdownOutput(ChannelPromise promise) {
        EventLoop loop = eventLoop();
        if (loop.inEventLoop()) {
            ((AbstractUnsafe) unsafe()).shutdownOutput(promise);
        } else {
            loop.execute(() -> ((AbstractUnsafe) unsafe()).shutdownOutput(promise));
        }
        return promise;
    }

    @Override
    public ChannelFuture shutdownInput() {
        return shutdownInput(newPromise());
    }

    @Override
    public ChannelFuture shutdownInput(ChannelPromise promise) {
        EventLoop loop = eventLoop();
        if (loop.inEventLoop()) {
            shutdownInput0(promise);
        } else {
            loop.execute(() -> shutdownInput0(promise));
        }
        return promise;
    }

    private void shutdownInput0(ChannelPromise promise) {
        if (!isOpen()) {
            promise.setFailure(new ClosedChannelException());
            return;
        }
        if (!isActive()) {
            promise.setFailure(new NotYetConnectedException());
            return;
        }
        try {
            socket.shutdown(true, false);
            promise.setSuccess();
        } catch (Throwable t) {
            promise.setFailure(t);
        }
    }

    @Override
    public ChannelFuture shutdown() {
        return shutdown(newPromise());
    }

    @Override
    public ChannelFuture shutdown(ChannelPromise promise) {
        ChannelFuture output = shutdownOutput();
        if (output.isDone()) {
            shutdownInputAfterOutput(output, promise);
        } else {
            output.addListener((ChannelFutureListener) f -> shutdownInputAfterOutput(f, promise));
        }
        return promise;
    }

    private void shutdownInputAfterOutput(ChannelFuture output, ChannelPromise promise) {
        Throwable outputCause = output.cause();
        ChannelFuture input = shutdownInput();
        input.addListener((ChannelFutureListener) f -> {
            Throwable inputCause = f.cause();
            if (outputCause != null) {
                if (inputCause != null) {
                    outputCause.addSuppressed(inputCause);
                }
                promise.setFailure(outputCause);
            } else if (inputCause != null) {
                promise.setFailure(inputCause);
            } else {
                promise.setSuccess();
            }
        });
    }

    @Override
    protected void doShutdownOutput() throws Exception {
        if (!isActive()) {
            throw new NotYetConnectedException();
        }
        closeFileRegionWriter(); // nothing can be written any more: close the file of a region in progress
        socket.shutdown(false, true);
    }

    private void closeFileRegionWriter() {
        if (fileRegionWriter != null) {
            fileRegionWriter.close();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Connect, close

    @Override
    protected void doDisconnect() throws Exception {
        doClose();
    }

    @Override
    protected void doClose() throws Exception {
        try {
            ChannelPromise promise = connectPromise;
            if (promise != null) {
                promise.tryFailure(new ClosedChannelException());
                connectPromise = null;
            }
            if (connectTimeout != null) {
                connectTimeout.cancel(false);
                connectTimeout = null;
            }
            closeFileRegionWriter();
        } finally {
            super.doClose();
        }
    }

    /** The unsafe adds non-blocking connect and defers flushing while the send buffer is full. */
    private final class GoNetpollStreamUnsafe extends AbstractUnsafe {

        @Override
        public void connect(SocketAddress remoteAddress, SocketAddress localAddress, ChannelPromise promise) {
            // The promise stays cancellable: a non-blocking connect can be abandoned at any time.
            if (promise.isDone() || !ensureOpen(promise)) {
                return;
            }
            try {
                if (connectPromise != null) {
                    throw new ConnectionPendingException();
                }
                if (active) {
                    throw new AlreadyConnectedException();
                }
                if (doConnect(remoteAddress, localAddress)) {
                    fulfillConnect(promise);
                    return;
                }
                connectPromise = promise;
                int timeoutMillis = config().getConnectTimeoutMillis();
                if (timeoutMillis > 0) {
                    connectTimeout = eventLoop().schedule(() -> {
                        ChannelPromise pending = connectPromise;
                        if (pending != null && pending.tryFailure(new ConnectTimeoutException(
                                "connection timed out after " + timeoutMillis + " ms: " + remoteAddress))) {
                            close(voidPromise());
                        }
                    }, timeoutMillis, TimeUnit.MILLISECONDS);
                }
                promise.addListener((ChannelFutureListener) f -> {
                    if (f.isCancelled()) {
                        clearConnect();
                        close(voidPromise());
                    }
                });
            } catch (Throwable t) {
                promise.tryFailure(t);
                closeIfClosed();
            }
        }

        void finishConnect() {
            ChannelPromise promise = connectPromise;
            try {
                if (!doFinishConnect()) {
                    return; // spurious readiness: still connecting
                }
                clearConnect();
                fulfillConnect(promise);
            } catch (Throwable t) {
                clearConnect();
                promise.tryFailure(t);
                closeIfClosed();
            }
        }

        private void clearConnect() {
            connectPromise = null;
            if (connectTimeout != null) {
                connectTimeout.cancel(false);
                connectTimeout = null;
            }
        }

        private void fulfillConnect(ChannelPromise promise) {
            active = true;
            boolean promiseSet = promise.trySuccess();
            pipeline().fireChannelActive();
            if (!promiseSet) {
                close(voidPromise()); // the user cancelled the connect meanwhile
            } else {
                ChannelOutboundBuffer out = outboundBuffer();
                if (out != null && out.size() > 0) {
                    flush0(); // what a TCP fast-open SYN flushed but could not carry
                }
            }
        }

        @Override
        protected void flush0() {
            // While the send buffer is full, the write-readiness handler flushes.
            if (!waitingForWritable) {
                super.flush0();
            }
        }

        void flushFromTask() {
            super.flush0();
        }

        @Override
        protected Executor prepareToClose() {
            // A close that blocks in the kernel (SO_LINGER > 0) must not hold a carrier.
            try {
                if (isOpen() && closeMayBlock()) {
                    doDeregister();
                    return GlobalEventExecutor.INSTANCE;
                }
            } catch (Throwable ignored) {
                // the socket is being torn down anyway; close it here
            }
            return null;
        }
    }
}
