package dev.gonetpoll.channel;

import dev.gonetpoll.sys.ErrnoException;
import dev.gonetpoll.sys.Linux;
import dev.gonetpoll.sys.Socket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.FileRegion;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/**
 * Writes the {@link FileRegion} at the head of a stream channel's outbound buffer to the channel's
 * socket. One instance per channel, created on its first region; used only in the channel's loop
 * goroutine.
 *
 * <h2>Two ways, chosen per region</h2>
 * <ul>
 *   <li><b>sendfile</b>: a region of exactly the class {@link DefaultFileRegion} whose file
 *       descriptor {@link DefaultFileRegionAccess} can reach. The kernel moves the bytes from the page
 *       cache to the socket, and the region's {@code transferred()} is advanced as its own
 *       {@code transferTo} would. Reaching the descriptor needs JVM flags gonetpoll does not
 *       require; {@link DefaultFileRegionAccess} explains why.</li>
 *   <li><b>copy</b> (the default): every other region, and every {@code DefaultFileRegion} when the
 *       descriptor cannot be reached. The region writes itself with
 *       {@code transferTo(target, transferred())} into a {@link WritableByteChannel} over the socket.
 *       For a {@code DefaultFileRegion} the JDK then reads the file in 8 KiB pieces into a heap
 *       buffer, which is copied into pooled native memory for {@code write(2)}. A subclass of
 *       {@code DefaultFileRegion} always takes this path, so its own {@code transferTo} is honoured.</li>
 * </ul>
 *
 * <h2>Contract with the channel</h2>
 * {@link #write} makes one attempt and returns what the channel's write loop counts:
 * <ul>
 *   <li>0: the region was already complete (or empty) and is removed; nothing was written.</li>
 *   <li>1: bytes may have moved. Progress goes to {@link ChannelOutboundBuffer#progress} (so
 *       {@code ChannelProgressivePromise} listeners hear of it) and the region is removed once
 *       {@code transferred() >= count()}. {@code transferTo} is never called on a complete region.</li>
 *   <li>{@link #SEND_BUFFER_FULL}: the kernel said EAGAIN. The channel waits for write readiness;
 *       the next call resumes at {@code transferred()}.</li>
 * </ul>
 * A {@code DefaultFileRegion} whose file is shorter than {@code position() + count()} (it shrank,
 * or the count was too large) fails with an {@link IOException} that gives both sizes, once the
 * bytes the file does have are sent.
 */
final class FileRegionWriter {

    /** {@link #write} result: EAGAIN; the same value as the stream channel's own write results. */
    static final int SEND_BUFFER_FULL = Integer.MAX_VALUE;

    /** Heap bytes are copied to native memory in pieces of at most this size. */
    private static final int COPY_PIECE = 64 * 1024;

    private final Socket socket;
    /** The {@code off_t} that sendfile reads and advances; allocated on first use, freed by the GC. */
    private MemorySegment sendfileOffset;

    FileRegionWriter(Socket socket) {
        this.socket = socket;
    }

    /** One write attempt of {@code region}, the current message of {@code in}; see the class comment. */
    int write(ChannelOutboundBuffer in, FileRegion region) throws Exception {
        if (region.transferred() >= region.count()) {
            in.remove();
            return 0;
        }
        DefaultFileRegionAccess access = DefaultFileRegionAccess.INSTANCE;
        if (access != null && region.getClass() == DefaultFileRegion.class) {
            DefaultFileRegion fileRegion = (DefaultFileRegion) region;
            int fd = access.fileDescriptor(fileRegion);
            if (fd >= 0) {
                return sendFile(in, fileRegion, fd, access);
            }
        }
        return copy(in, region);
    }

    private int sendFile(ChannelOutboundBuffer in, DefaultFileRegion region, int fd, DefaultFileRegionAccess access)
            throws Exception {
        long transferred = region.transferred();
        long remaining = region.count() - transferred;
        MemorySegment offset = sendfileOffset();
        offset.set(ValueLayout.JAVA_LONG, 0, region.position() + transferred);
        long sent;
        try {
            sent = socket.sendFile(fd, offset.address(), Math.min(remaining, Linux.SENDFILE_MAX_COUNT));
        } catch (ErrnoException e) {
            if (e.errno() != Linux.EINVAL) {
                throw e;
            }
            // The file does not support sendfile (some special file systems): copy this one instead.
            return copy(in, region);
        }
        if (sent == Socket.WOULD_BLOCK) {
            return SEND_BUFFER_FULL;
        }
        if (sent == 0) {
            // End of file before the region's end: fail if the file is too short, else try again.
            checkFileLength(region, access.fileChannel(region));
            return 1;
        }
        access.addTransferred(region, sent);
        in.progress(sent);
        if (region.transferred() >= region.count()) {
            in.remove();
        }
        return 1;
    }

    private static void checkFileLength(DefaultFileRegion region, FileChannel file) throws IOException {
        long size = file.size();
        long end = region.position() + region.count();
        if (size < end) {
            throw new IOException("file region ends at byte " + end + " (position " + region.position()
                    + " + count " + region.count() + ") but its file has only " + size
                    + " bytes: the file shrank or the count is too large; sent " + region.transferred()
                    + " of " + region.count() + " bytes");
        }
    }

    private int copy(ChannelOutboundBuffer in, FileRegion region) throws Exception {
        SocketTarget target = new SocketTarget();
        try {
            long written;
            try {
                written = region.transferTo(target, region.transferred());
            } catch (IOException e) {
                if (target.sendBufferFull) {
                    // DefaultFileRegion checks its file's size whenever nothing moved, also when the
                    // socket was full: wait for room; a short file is reported once its bytes are out.
                    return SEND_BUFFER_FULL;
                }
                throw e;
            }
            if (written > 0) {
                in.progress(written);
                if (region.transferred() >= region.count()) {
                    in.remove();
                }
            }
            // Without EAGAIN, nothing written is not a full send buffer: counting it as one attempt
            // means the channel retries later instead of waiting for an edge that may never come.
            return target.sendBufferFull ? SEND_BUFFER_FULL : 1;
        } finally {
            target.releaseScratch();
        }
    }

    private MemorySegment sendfileOffset() {
        if (sendfileOffset == null) {
            sendfileOffset = Arena.ofAuto().allocate(ValueLayout.JAVA_LONG);
        }
        return sendfileOffset;
    }

    /**
     * What a region's {@code transferTo} writes into: a non-blocking view of the socket for one
     * {@code transferTo} call. {@code write} returns the bytes the kernel took, fewer when its send
     * buffer filled up (then {@link #sendBufferFull} is set). Closing the view ends the view, not the
     * socket, which belongs to the channel.
     */
    private final class SocketTarget implements WritableByteChannel {

        boolean sendBufferFull;
        private boolean closed;
        /** Native memory for heap bytes, taken from the pool on the first heap buffer. */
        private ByteBuf scratch;

        @Override
        public int write(ByteBuffer src) throws IOException {
            if (!isOpen()) {
                throw new ClosedChannelException();
            }
            int total = 0;
            while (src.hasRemaining()) {
                int n = src.isDirect() ? writeDirect(src) : writeHeap(src);
                if (n == Socket.WOULD_BLOCK) {
                    sendBufferFull = true;
                    break;
                }
                src.position(src.position() + n);
                total += n;
            }
            return total;
        }

        private int writeDirect(ByteBuffer src) throws IOException {
            // A segment over a buffer starts at the buffer's position.
            return socket.write(MemorySegment.ofBuffer(src).address(), src.remaining());
        }

        private int writeHeap(ByteBuffer src) throws IOException {
            int length = Math.min(src.remaining(), COPY_PIECE);
            if (scratch == null) {
                scratch = PooledByteBufAllocator.DEFAULT.directBuffer(COPY_PIECE, COPY_PIECE);
            }
            MemorySegment nativePiece = MemorySegment.ofBuffer(scratch.internalNioBuffer(0, length));
            MemorySegment.copy(MemorySegment.ofBuffer(src), 0, nativePiece, 0, length);
            return socket.write(nativePiece.address(), length);
        }

        @Override
        public boolean isOpen() {
            return !closed && socket.isOpen();
        }

        @Override
        public void close() {
            closed = true;
        }

        void releaseScratch() {
            if (scratch != null) {
                scratch.release();
                scratch = null;
            }
        }
    }
}
