package dev.gonetpoll.sys;

import java.io.IOException;

/** A failed syscall, with the syscall's name and the errno it set. */
public class ErrnoException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String syscall;
    private final int errno;

    /** Message {@code "<syscall>(..) failed: <strerror text>"}, e.g. {@code "read(..) failed: Broken pipe"}. */
    public ErrnoException(String syscall, int errno) {
        this(syscall, errno, syscall + "(..) failed: " + Errors.strerror(errno));
    }

    /** For callers that add detail (an address, a hint) to the standard message. */
    public ErrnoException(String syscall, int errno, String message) {
        super(message);
        this.syscall = syscall;
        this.errno = errno;
    }

    public String syscall() {
        return syscall;
    }

    public int errno() {
        return errno;
    }
}
