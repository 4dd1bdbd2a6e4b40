package dev.gonetpoll.sys;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.Charset;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A file opened by its path for reading, with a descriptor of its own (for {@code sendfile}):
 * {@code O_RDONLY | O_CLOEXEC | O_NONBLOCK}. The descriptor is closed once, by {@link #close()};
 * a later {@link #close()} does nothing, so it can never close a number the kernel has since given
 * to someone else.
 *
 * <p>The path is encoded as the JDK encodes file names ({@code sun.jnu.encoding}), so this opens
 * the file a {@code RandomAccessFile} of the same path would. {@code O_NONBLOCK} does nothing to a
 * regular file; it only keeps the open of a FIFO from waiting for a writer.
 */
public final class ReadOnlyFile implements Closeable {

    private static final Charset FILE_NAME_ENCODING = fileNameEncoding();

    private final int fd;
    private final String path;
    private final AtomicBoolean open = new AtomicBoolean(true);

    private ReadOnlyFile(int fd, String path) {
        this.fd = fd;
        this.path = path;
    }

    /**
     * Opens {@code path} (relative to the working directory unless absolute).
     *
     * @throws ErrnoException naming the path and the errno (ENOENT, EACCES, EMFILE, ...) if open fails
     * @throws IOException if the path contains a NUL character, which no file name can
     */
    public static ReadOnlyFile open(String path) throws IOException {
        int nul = path.indexOf('\0');
        if (nul >= 0) {
            throw new IOException("invalid file path: NUL character at index " + nul + ": "
                    + path.replace('\0', '?'));
        }
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(path, FILE_NAME_ENCODING);
            do {
                fd = LibC.open(cPath.address(), Linux.O_RDONLY | Linux.O_CLOEXEC | Linux.O_NONBLOCK, 0);
            } while (fd < 0 && LibC.errno() == Linux.EINTR);
        }
        if (fd < 0) {
            throw Errors.newOpenException(LibC.errno(), path);
        }
        return new ReadOnlyFile(fd, path);
    }

    public int fd() {
        return fd;
    }

    /** The path it was opened by. */
    public String path() {
        return path;
    }

    /**
     * The file's size now. Measured by seeking to the end, which moves only this descriptor's own
     * offset; {@code sendfile} with an offset pointer neither reads nor moves it.
     */
    public long size() throws IOException {
        ensureOpen();
        long size = LibC.lseek(fd, 0, Linux.SEEK_END);
        if (size < 0) {
            int errno = LibC.errno();
            throw new ErrnoException("lseek", errno, "lseek(..) failed: " + Errors.strerror(errno) + ": " + path);
        }
        return size;
    }

    public boolean isOpen() {
        return open.get();
    }

    /** Closes the descriptor once. A read-only descriptor has nothing to flush, so close(2)'s result is moot. */
    @Override
    public void close() {
        if (open.compareAndSet(true, false)) {
            LibC.close(fd);
        }
    }

    private void ensureOpen() throws IOException {
        if (!open.get()) {
            throw new IOException("file already closed: " + path);
        }
    }

    @Override
    public String toString() {
        return "ReadOnlyFile(fd " + fd + (isOpen() ? ", " : ", closed, ") + path + ")";
    }

    private static Charset fileNameEncoding() {
        String name = System.getProperty("sun.jnu.encoding");
        try {
            return name != null ? Charset.forName(name) : Charset.defaultCharset();
        } catch (IllegalArgumentException e) { // a name this JDK does not know
            return Charset.defaultCharset();
        }
    }
}
