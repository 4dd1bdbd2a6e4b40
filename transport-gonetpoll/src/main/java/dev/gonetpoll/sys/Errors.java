package dev.gonetpoll.sys;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;

/** Turns a failed syscall into the exception a Netty (or java.net) user expects. */
public final class Errors {

    /** Added to the message of EMFILE and ENFILE. */
    private static final String FD_LIMIT_HINT = " (file descriptor limit reached; check ulimit -n and fd leaks)";

    private Errors() {
    }

    public static IOException newIOException(String syscall, int errno) {
        return newIOException(syscall, errno, null);
    }

    /**
     * @param address the remote (connect) or local (bind) address the call was about, named in the
     *                message; may be null
     */
    public static IOException newIOException(String syscall, int errno, SocketAddress address) {
        String message = syscall + "(..) failed: " + strerror(errno);
        String messageWithAddress = address == null ? message : message + ": " + address;
        return switch (errno) {
            // The fd is gone: to a channel user that is a closed channel, not an I/O failure.
            case Linux.EBADF -> new ClosedChannelException();
            case Linux.ECONNREFUSED -> new ConnectException(messageWithAddress);
            case Linux.ETIMEDOUT -> isConnect(syscall)
                    ? new ConnectException(address == null ? "connection timed out" : "connection timed out: " + address)
                    : new ErrnoException(syscall, errno, messageWithAddress);
            case Linux.ENETUNREACH, Linux.EHOSTUNREACH -> new NoRouteToHostException(messageWithAddress);
            case Linux.EADDRINUSE, Linux.EADDRNOTAVAIL, Linux.EACCES -> "bind".equals(syscall)
                    ? new BindException(messageWithAddress)
                    : new ErrnoException(syscall, errno, messageWithAddress);
            case Linux.EMFILE, Linux.ENFILE -> new ErrnoException(syscall, errno,
                    message + FD_LIMIT_HINT);
            default -> new ErrnoException(syscall, errno, messageWithAddress);
        };
    }

    /**
     * English text for an errno, as glibc's C locale prints it. A fixed table instead of libc's
     * strerror, which depends on the locale and is not thread-safe.
     */
    public static String strerror(int errno) {
        return switch (errno) {
            case Linux.EPERM -> "Operation not permitted";
            case Linux.ENOENT -> "No such file or directory";
            case Linux.EINTR -> "Interrupted system call";
            case Linux.EBADF -> "Bad file descriptor";
            case Linux.EAGAIN -> "Resource temporarily unavailable";
            case Linux.ENOMEM -> "Cannot allocate memory";
            case Linux.EACCES -> "Permission denied";
            case Linux.ENODEV -> "No such device";
            case Linux.ENOTDIR -> "Not a directory";
            case Linux.EISDIR -> "Is a directory";
            case Linux.EINVAL -> "Invalid argument";
            case Linux.ENFILE -> "Too many open files in system";
            case Linux.EMFILE -> "Too many open files";
            case Linux.ESPIPE -> "Illegal seek";
            case Linux.EPIPE -> "Broken pipe";
            case Linux.ENAMETOOLONG -> "File name too long";
            case Linux.ELOOP -> "Too many levels of symbolic links";
            case Linux.EMSGSIZE -> "Message too long";
            case Linux.ENOPROTOOPT -> "Protocol not available";
            case Linux.EAFNOSUPPORT -> "Address family not supported by protocol";
            case Linux.EADDRINUSE -> "Address already in use";
            case Linux.EADDRNOTAVAIL -> "Cannot assign requested address";
            case Linux.ENETUNREACH -> "Network is unreachable";
            case Linux.ECONNABORTED -> "Software caused connection abort";
            case Linux.ECONNRESET -> "Connection reset by peer";
            case Linux.ENOBUFS -> "No buffer space available";
            case Linux.EISCONN -> "Transport endpoint is already connected";
            case Linux.ENOTCONN -> "Transport endpoint is not connected";
            case Linux.ETIMEDOUT -> "Connection timed out";
            case Linux.ECONNREFUSED -> "Connection refused";
            case Linux.EHOSTUNREACH -> "No route to host";
            case Linux.EALREADY -> "Operation already in progress";
            case Linux.EINPROGRESS -> "Operation now in progress";
            case Linux.EOPNOTSUPP -> "Operation not supported";
            default -> "errno " + errno;
        };
    }

    /**
     * A failed open(2) of a file to read: {@code "open(..) failed: <text> (errno <n>): <path>"},
     * with the fd-limit hint for EMFILE and ENFILE. The errno is in the message too because this
     * often ends up in a log far from the code that could call {@link ErrnoException#errno()}.
     */
    public static ErrnoException newOpenException(int errno, String path) {
        String message = "open(..) failed: " + strerror(errno) + " (errno " + errno + "): " + path;
        if (errno == Linux.EMFILE || errno == Linux.ENFILE) {
            message += FD_LIMIT_HINT;
        }
        return new ErrnoException("open", errno, message);
    }

    private static boolean isConnect(String syscall) {
        return "connect".equals(syscall) || "finishConnect".equals(syscall);
    }

    /**
     * A failed connect of a Unix domain stream socket, which never waits: ENOENT (no socket file)
     * gives a {@link FileNotFoundException} as Netty's epoll transport does, EAGAIN (the
     * listener's backlog is full) a {@link ConnectException}; the rest as {@link #newIOException}.
     */
    public static IOException newUnixConnectException(int errno, SocketAddress address) {
        String message = "connect(..) failed: " + strerror(errno);
        return switch (errno) {
            case Linux.ENOENT -> new FileNotFoundException(message + ": " + address);
            case Linux.EAGAIN -> new ConnectException(message + " (the listener's backlog is full): " + address);
            default -> newIOException("connect", errno, address);
        };
    }
}
