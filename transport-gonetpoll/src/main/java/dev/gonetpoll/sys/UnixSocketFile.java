package dev.gonetpoll.sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The file a pathname Unix socket puts in the file system when it is bound. It outlives the socket:
 * the kernel never removes it, and a later bind to the same path fails with EADDRINUSE while it
 * exists. So a server removes a file left behind by a server that is gone before it binds
 * ({@link #prepareBind}), and its own file after it closed ({@link #removeIfStale}).
 *
 * <p>A socket file is <em>stale</em> when a connect to it is refused: nobody listens on it. Only
 * stale socket files are removed. (Netty's epoll transport unlinks whatever is at the path before
 * it binds and after it closes. Removing less means a typo cannot delete a regular file, and a
 * second server cannot take the address of a running one, or delete its file, unnoticed.)
 */
public final class UnixSocketFile {

    private enum State { NONE, NOT_A_SOCKET, LISTENING, STALE }

    private UnixSocketFile() {
    }

    /**
     * Before binding to {@code address}: removes a stale socket file there. Leaves everything else
     * alone; the bind then fails with "Address already in use" if a server still listens there.
     *
     * @throws BindException naming the path if a file that is not a socket is in the way
     * @throws IOException if the stale file cannot be removed
     */
    public static void prepareBind(UnixSocketPath address) throws IOException {
        State state = stateOf(address);
        if (state == State.NOT_A_SOCKET) {
            throw new BindException("bind(..) failed: a file that is not a socket is in the way (left as is): "
                    + address);
        }
        if (state == State.STALE) {
            Files.deleteIfExists(Path.of(address.path()));
        }
    }

    /**
     * Removes the socket file at {@code address} if it is stale, e.g. after the server that bound it
     * closed. Returns whether a file was removed.
     */
    public static boolean removeIfStale(UnixSocketPath address) throws IOException {
        return stateOf(address) == State.STALE && Files.deleteIfExists(Path.of(address.path()));
    }

    private static State stateOf(UnixSocketPath address) throws IOException {
        if (!address.isPathname()) {
            return State.NONE; // abstract and unnamed addresses leave no file
        }
        int mode;
        try {
            mode = (Integer) Files.getAttribute(Path.of(address.path()), "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return State.NONE;
        }
        if ((mode & Linux.S_IFMT) != Linux.S_IFSOCK) {
            return State.NOT_A_SOCKET;
        }
        return isRefused(address) ? State.STALE : State.LISTENING;
    }

    /**
     * Whether a connect to the socket file is refused. A non-blocking AF_UNIX connect never waits:
     * it succeeds, says EAGAIN (a listener with a full backlog) or fails at once.
     */
    private static boolean isRefused(UnixSocketPath address) throws IOException {
        int fd = LibC.socket(Linux.AF_UNIX, Linux.SOCK_STREAM | Linux.SOCK_NONBLOCK | Linux.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw Errors.newIOException("socket", LibC.errno());
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(UnixSockAddr.SIZE, Long.BYTES);
            int addrLen = UnixSockAddr.encode(addr, address);
            return LibC.connect(fd, addr.address(), addrLen) < 0 && LibC.errno() == Linux.ECONNREFUSED;
        } finally {
            LibC.close(fd);
        }
    }
}
