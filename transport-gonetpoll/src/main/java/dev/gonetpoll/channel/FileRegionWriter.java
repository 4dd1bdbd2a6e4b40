package dev.gonetpoll.channel;

import dev.gonetpoll.sched.Scheduler;
import dev.gonetpoll.sys.ErrnoException;
import dev.gonetpoll.sys.Linux;
import dev.gonetpoll.sys.ReadOnlyFile;
import dev.gonetpoll.sys.Socket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.FileRegion;

import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;

/**
 * Writes the {@link FileRegion} at the head of a stream channel's outbound buffer to the channel's
 * socket. One instance per channel, created on its first region; used only in the channel's loop
 * goroutine, and by {@link #close()} when the channel closes.
 *
 * <h2>Three routes, chosen per region</h2>
 * {@link FileRegionRoute} says which and why. In short: a {@code DefaultFileRegion} made from a
 * {@code File} goes out with {@code sendfile(2)} from a descriptor we open by its path
 * ({@link FileRegionRoute#OWN_FILE}); one made from a {@code FileChannel} goes out with
 * {@code sendfile} from that channel's descriptor when the JVM lets us read it
 * ({@link FileRegionRoute#REGION_FILE}); everything else is written by the region's own
 * {@code transferTo} into a {@link WritableByteChannel} over the socket ({@link FileRegionRoute#COPY}).
 * On the sendfile routes the kernel moves the bytes from the page cache to the socket, and the
 * region's {@code transferred()} advances as its own {@code transferTo} would advance it. When
 * {@code sendfile} says EINVAL (a file system that cannot), the rest of that region is copied.
 *
 * <h2>Our own descriptor</h2>
 * On {@link FileRegionRoute#OWN_FILE} the descriptor is opened when the region's first write
 * begins and closed exactly once, on whichever comes first: the region is complete (before it is
 * removed from the buffer), a write of it throws (the peer reset the connection, the file is
 * truncated, ...), another message turns up at the head of the buffer, or the channel closes or
 * shuts its output down ({@link #close()}). A region still queued behind it opens nothing.
 *
 * <h2>Errors</h2>
 * <ul>
 *   <li>The path cannot be opened (ENOENT: deleted after the region was made, EACCES, EMFILE,
 *       ...): an {@link ErrnoException} naming the path and the errno. Like any I/O error of a
 *       write, it fails the write's promise and, with {@code AUTO_CLOSE} (the default), closes the
 *       channel, as Netty's NIO and epoll transports do when a region cannot open its file.</li>
 *   <li>The file ends before {@code position() + count()} (it was truncated, or the count is too
 *       large): once the bytes it does have are sent, an {@link IOException} saying the underlying
 *       file was truncated, with both sizes, where Netty's epoll transport reports the same
 *       condition with an {@code IOException} from {@code DefaultFileRegion}'s own check. Never a
 *       hang.</li>
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
 */
final class FileRegionWriter {

    /** {@link #write} result: EAGAIN; the same value as the stream channel's own write results. */
    static final int SEND_BUFFER_FULL = Integer.MAX_VALUE;

    /** Heap bytes are copied to native memory in pieces of at most this size. */
    private static final int COPY_PIECE = 64 * 1024;

    private final Socket socket;
    /** The {@code off_t} that sendfile reads and advances; allocated on first use, freed by the GC. */
    private MemorySegment sendfileOffset;
    /** The region whose write has begun and not ended, or null. */
    private FileRegion current;
    /** The route of {@link #current}. */
    private FileRegionRoute route;
    /** Our descriptor of {@link #current}'s file on {@link FileRegionRoute#OWN_FILE}, else null. */
    private ReadOnlyFile ownFile;
    /** Set by {@link #close()}: no region is begun any more. */
    private boolean closed;
    /** How many regions began on each route, by ordinal; what tests read to see the route taken. */
    private final long[] regionsBegun = new long[FileRegionRoute.values().length];

    FileRegionWriter(Socket socket) {
        this.socket = socket;
    }

    /** One write attempt of {@code region}, the current message of {@code in}; see the class comment. */
    int write(ChannelOutboundBuffer in, FileRegion region) throws Exception {
        if (region != current) {
            endRegion(); // a region left unfinished, e.g. removed by someone else: close what it held
        }
        if (region.transferred() >= region.count()) {
            in.remove();
            return 0;
        }
        try {
            if (current == null) {
                begin(region);
            }
            return switch (route) {
                case OWN_FILE -> sendFile(in, (DefaultFileRegion) region, ownFile.fd());
                case REGION_FILE -> sendFromRegionFile(in, (DefaultFileRegion) region);
                case COPY -> copy(in, region);
            };
        } catch (Throwable t) {
            endRegion();
            throw t;
        }
    }

    /** Ends the current region's write for good: closes our descriptor. The channel is closing. */
    void close() {
        closed = true;
        endRegion();
    }

    /** How many regions began on {@code route} in this channel. */
    long regionsBegun(FileRegionRoute route) {
        return regionsBegun[route.ordinal()];
    }

    private void begin(FileRegion region) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        FileRegionRoute chosen = FileRegionRoute.of(region);
        if (chosen == FileRegionRoute.OWN_FILE) {
            File file = DefaultFileRegionAccess.INSTANCE.sourceFile((DefaultFileRegion) region);
            // open(2) can block for long (NFS, a slow disk): the processor may be handed off meanwhile
            ownFile = Scheduler.syscall(() -> ReadOnlyFile.open(file.getPath()));
        }
        current = region;
        route = chosen;
        regionsBegun[chosen.ordinal()]++;
    }

    private void endRegion() {
        if (ownFile != null) {
            ownFile.close();
            ownFile = null;
        }
        current = null;
        route = null;
    }

    private int sendFromRegionFile(ChannelOutboundBuffer in, DefaultFileRegion region) throws Exception {
        int fd = FileChannelDescriptors.INSTANCE.descriptorOf(DefaultFileRegionAccess.INSTANCE.openChannel(region));
        if (fd < 0) {
            // The user closed the region's channel meanwhile: its own transferTo reports that.
            return copyFromNowOn(in, region);
        }
        return sendFile(in, region, fd);
    }

    private int sendFile(ChannelOutboundBuffer in, DefaultFileRegion region, int fd) throws Exception {
        long transferred = region.transferred();
        long remaining = region.count() - transferred;
        MemorySegment offset = sendfileOffset();
        offset.set(ValueLayout.JAVA_LONG, 0, region.position() + transferred);
        long sent;
        try {
            // the socket never blocks, but reading the file may (page cache misses on a slow disk)
            long count = Math.min(remaining, Linux.SENDFILE_MAX_COUNT);
            sent = Scheduler.syscall(() -> socket.sendFile(fd, offset.address(), count));
        } catch (ErrnoException e) {
            if (e.errno() != Linux.EINVAL) {
                throw e;
            }
            // The file does not support sendfile (some special file systems): copy the rest instead.
            return copyFromNowOn(in, region);
        }
        if (sent == Socket.WOULD_BLOCK) {
            return SEND_BUFFER_FULL;
        }
        if (sent == 0) {
            // End of file before the region's end: fail if the file is too short, else try again.
            checkFileLength(region);
            return 1;
        }
        DefaultFileRegionAccess.INSTANCE.addTransferred(region, sent);
        in.progress(sent);
        if (region.transferred() >= region.count()) {
            endRegion();
            in.remove();
        }
        return 1;
    }

    /** Switches the current region to its own {@code transferTo}, which goes on at {@code transferred()}. */
    private int copyFromNowOn(ChannelOutboundBuffer in, FileRegion region) throws Exception {
        if (ownFile != null) {
            ownFile.close();
            ownFile = null;
        }
        route = FileRegionRoute.COPY;
        return copy(in, region);
    }

    private void checkFileLength(DefaultFileRegion region) throws IOException {
        long size;
        String name;
        if (ownFile != null) {
            size = ownFile.size();
            name = ownFile.path();
        } else {
            size = DefaultFileRegionAccess.INSTANCE.openChannel(region).size();
            File source = DefaultFileRegionAccess.INSTANCE.sourceFile(region);
            name = source != null ? source.getPath() : "of the FileChannel";
        }
        long end = region.position() + region.count();
        if (size < end) {
            throw new IOException("the underlying file " + name + " was truncated, or the region is too long: it"
                    + " has " + size + " bytes, the region ends at byte " + end + " (position " + region.position()
                    + " + count " + region.count() + "); sent " + region.transferred() + " of " + region.count()
                    + " bytes");
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
