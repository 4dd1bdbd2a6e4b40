package dev.gonetpoll.sys;

import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Raw libc calls through JNA direct mapping. Return values and errno are exactly those of libc.
 *
 * <p>Pointers are passed as {@code long} native addresses, so every call takes JNA's fast path
 * with no argument conversion. Read {@link #errno()} right after a failed call, before any other
 * native call on the same thread can overwrite it.
 */
public final class LibC {

    static {
        // Constants, struct layouts (iovec, epoll_event) and the long-as-pointer mapping assume LP64 Linux.
        if (!Platform.isLinux() || !Platform.is64Bit()) {
            throw new UnsupportedOperationException("gonetpoll needs 64-bit Linux, not "
                    + System.getProperty("os.name") + "/" + System.getProperty("os.arch"));
        }
        Native.register(LibC.class, Platform.C_LIBRARY_NAME);
    }

    private LibC() {
    }

    public static native int epoll_create1(int flags);

    public static native int epoll_ctl(int epfd, int op, int fd, long eventAddr);

    public static native int epoll_wait(int epfd, long eventsAddr, int maxEvents, int timeoutMillis);

    public static native int eventfd(int initval, int flags);

    public static native long read(int fd, long buf, long count);

    public static native long write(int fd, long buf, long count);

    /**
     * recv(2): a stream socket's read. The kernel's path is shorter than read(2)'s (no file-position
     * lock, no VFS permission and notify hooks), which a request/response server pays per request.
     */
    public static native long recv(int fd, long buf, long len, int flags);

    /** send(2): a stream socket's write; see {@link #recv} for why not write(2). */
    public static native long send(int fd, long buf, long len, int flags);

    public static native long readv(int fd, long iov, int iovcnt);

    public static native long writev(int fd, long iov, int iovcnt);

    public static native int socket(int domain, int type, int protocol);

    public static native int bind(int fd, long addr, int addrLen);

    public static native int listen(int fd, int backlog);

    public static native int accept4(int fd, long addr, long addrLenPtr, int flags);

    public static native int connect(int fd, long addr, int addrLen);

    public static native int getsockopt(int fd, int level, int name, long val, long lenPtr);

    public static native int setsockopt(int fd, int level, int name, long val, int len);

    public static native int getsockname(int fd, long addr, long lenPtr);

    public static native int getpeername(int fd, long addr, long lenPtr);

    public static native int shutdown(int fd, int how);

    public static native int close(int fd);

    /**
     * open(2) of the NUL-terminated path at {@code pathAddr}. libc declares it variadic (the mode is
     * read only with O_CREAT); on x86_64 and aarch64 Linux a variadic int travels exactly as a fixed
     * one does, so three fixed arguments call it correctly.
     */
    public static native int open(long pathAddr, int flags, int mode);

    public static native long lseek(int fd, long offset, int whence);

    /** {@code offsetPtr} points to an {@code off_t} read and advanced by the kernel; the file offset of {@code inFd} is left alone. */
    public static native long sendfile(int outFd, int inFd, long offsetPtr, long count);

    /** The errno left by the last native call of this thread (JNA saves it right after each call). */
    public static int errno() {
        return Native.getLastError();
    }

    // UDP: one datagram per call; a connected socket passes no address (0, 0).

    public static native long sendto(int fd, long buf, long len, int flags, long addr, int addrLen);

    public static native long sendmsg(int fd, long msghdr, int flags);

    public static native long recvfrom(int fd, long buf, long len, int flags, long addr, long addrLenPtr);
}
