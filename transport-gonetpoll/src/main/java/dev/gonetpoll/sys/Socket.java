package dev.gonetpoll.sys;

import static dev.gonetpoll.sys.Linux.AF_INET;
import static dev.gonetpoll.sys.Linux.AF_INET6;
import static dev.gonetpoll.sys.Linux.AF_UNIX;
import static dev.gonetpoll.sys.Linux.EAGAIN;
import static dev.gonetpoll.sys.Linux.EBADF;
import static dev.gonetpoll.sys.Linux.ECONNABORTED;
import static dev.gonetpoll.sys.Linux.EINPROGRESS;
import static dev.gonetpoll.sys.Linux.EINTR;
import static dev.gonetpoll.sys.Linux.ENOPROTOOPT;
import static dev.gonetpoll.sys.Linux.ENOTCONN;
import static dev.gonetpoll.sys.Linux.MSG_NOSIGNAL;
import static dev.gonetpoll.sys.Linux.IPPROTO_IP;
import static dev.gonetpoll.sys.Linux.IPPROTO_IPV6;
import static dev.gonetpoll.sys.Linux.IPPROTO_TCP;
import static dev.gonetpoll.sys.Linux.IPV6_TCLASS;
import static dev.gonetpoll.sys.Linux.IPV6_V6ONLY;
import static dev.gonetpoll.sys.Linux.IP_TOS;
import static dev.gonetpoll.sys.Linux.SHUT_RD;
import static dev.gonetpoll.sys.Linux.SHUT_RDWR;
import static dev.gonetpoll.sys.Linux.SHUT_WR;
import static dev.gonetpoll.sys.Linux.SOCK_CLOEXEC;
import static dev.gonetpoll.sys.Linux.SOCK_NONBLOCK;
import static dev.gonetpoll.sys.Linux.SOCK_STREAM;
import static dev.gonetpoll.sys.Linux.SOL_SOCKET;
import static dev.gonetpoll.sys.Linux.SO_ERROR;
import static dev.gonetpoll.sys.Linux.SO_KEEPALIVE;
import static dev.gonetpoll.sys.Linux.SO_LINGER;
import static dev.gonetpoll.sys.Linux.SO_PEERCRED;
import static dev.gonetpoll.sys.Linux.SO_RCVBUF;
import static dev.gonetpoll.sys.Linux.SO_REUSEADDR;
import static dev.gonetpoll.sys.Linux.SO_REUSEPORT;
import static dev.gonetpoll.sys.Linux.SO_SNDBUF;
import static dev.gonetpoll.sys.Linux.TCP_INFO;
import static dev.gonetpoll.sys.Linux.TCP_NODELAY;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A non-blocking, close-on-exec socket fd with the operations the transport needs.
 *
 * <p>Not thread-safe: the owner serializes calls, except {@link #close()}, which may race with
 * itself safely, and the address queries, which use their own scratch memory. Every failure
 * throws the exception {@link Errors} maps the errno to; any operation on a closed socket throws
 * {@link ClosedChannelException}.
 *
 * <p>The I/O calls take native addresses from the caller and allocate nothing. Calls off the hot
 * path (bind, connect, options, address queries) use a short-lived confined {@link Arena} for
 * their sockaddr or option value.
 */
public final class Socket {

    static {
        // Load the error mapping up front: once the process is out of file descriptors, loading a
        // class from a jar can fail, and "Too many open files" must still reach the user intact.
        Errors.newIOException("accept", Linux.EMFILE);
    }

    /** Returned by read, write, readv, writev and accept when the kernel says EAGAIN. */
    public static final int WOULD_BLOCK = -1;

    private static final int NONBLOCK_CLOEXEC = SOCK_NONBLOCK | SOCK_CLOEXEC;

    /** Accept scratch layout: the peer sockaddr, then its socklen_t. */
    private static final long ACCEPT_ADDR_LEN_OFFSET = SockAddr.MAX_SIZE;
    private static final long ACCEPT_SCRATCH_SIZE = ACCEPT_ADDR_LEN_OFFSET + Integer.BYTES;

    private final int fd;
    /** AF_INET, AF_INET6 or AF_UNIX. */
    private final int family;
    private final boolean ipv6;
    private final AtomicBoolean open = new AtomicBoolean(true);
    private boolean inputShutdown;
    private boolean outputShutdown;
    /**
     * Allocated on first accept and reused by every later one. GC-managed rather than freed by
     * close(), so a close racing with an accept can never leave the kernel writing freed memory.
     */
    private MemorySegment acceptScratch;

    /** Wraps an existing socket fd, e.g. one returned by {@link #accept}. */
    public Socket(int fd, boolean ipv6) {
        this(fd, ipv6 ? AF_INET6 : AF_INET);
    }

    private Socket(int fd, int family) {
        this.fd = fd;
        this.family = family;
        this.ipv6 = family == AF_INET6;
    }

    /**
     * A Unix domain stream socket (AF_UNIX, SOCK_STREAM).
     *
     * @throws UncheckedIOException wrapping the mapped IOException if the socket cannot be created
     */
    public static Socket newUnixStreamSocket() {
        int fd = LibC.socket(AF_UNIX, SOCK_STREAM | NONBLOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new UncheckedIOException(Errors.newIOException("socket", LibC.errno()));
        }
        return new Socket(fd, AF_UNIX);
    }

    /** Wraps an fd that {@link #accept} returned on this listening socket: same address family. */
    public Socket wrapAccepted(int acceptedFd) {
        return new Socket(acceptedFd, family);
    }

    /** Whether this host can create AF_INET6 sockets; probed once. */
    public static boolean isIPv6Supported() {
        return IPv6Probe.SUPPORTED;
    }

    /**
     * A TCP socket: dual-stack AF_INET6 when IPv6 is supported, else AF_INET.
     *
     * @throws UncheckedIOException wrapping the mapped IOException if the socket cannot be created
     */
    public static Socket newStreamSocket() {
        return newStreamSocket(isIPv6Supported());
    }

    /**
     * A TCP socket; an AF_INET6 one is dual-stack (IPV6_V6ONLY off) so it also serves IPv4 peers.
     *
     * @throws UncheckedIOException wrapping the mapped IOException if the socket cannot be created
     */
    public static Socket newStreamSocket(boolean ipv6) {
        int fd = LibC.socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM | NONBLOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new UncheckedIOException(Errors.newIOException("socket", LibC.errno()));
        }
        Socket socket = new Socket(fd, ipv6);
        if (ipv6) {
            try {
                socket.setIntOption(IPPROTO_IPV6, IPV6_V6ONLY, 0);
            } catch (IOException e) {
                socket.closeAfterFailure(e);
                throw new UncheckedIOException(e);
            }
        }
        return socket;
    }

    public int fd() {
        return fd;
    }

    public boolean isIPv6() {
        return ipv6;
    }

    /** Whether this is a Unix domain (AF_UNIX) socket. */
    public boolean isUnix() {
        return family == AF_UNIX;
    }

    public boolean isOpen() {
        return open.get();
    }

    /** @throws java.net.BindException naming the address on EADDRINUSE, EADDRNOTAVAIL or EACCES */
    public void bind(InetSocketAddress local) throws IOException {
        ensureOpen();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(SockAddr.MAX_SIZE, Long.BYTES);
            int addrLen = SockAddr.encode(addr, local, ipv6);
            if (LibC.bind(fd, addr.address(), addrLen) < 0) {
                throw Errors.newIOException("bind", LibC.errno(), local);
            }
        }
    }

    public void listen(int backlog) throws IOException {
        ensureOpen();
        if (LibC.listen(fd, backlog) < 0) {
            throw Errors.newIOException("listen", LibC.errno());
        }
    }

    /**
     * Accepts one connection. Returns its fd, already non-blocking and close-on-exec, and stores
     * the peer's address in {@code peerOut} (if not null); returns {@link #WOULD_BLOCK} when no
     * connection is pending. The new fd has this socket's family: wrap it with
     * {@code new Socket(fd, isIPv6())}.
     */
    public int accept(AcceptedPeer peerOut) throws IOException {
        ensureOpen();
        MemorySegment scratch = acceptScratch();
        long addr = scratch.address();
        for (;;) {
            scratch.set(ValueLayout.JAVA_INT, ACCEPT_ADDR_LEN_OFFSET, SockAddr.MAX_SIZE);
            int accepted = LibC.accept4(fd, addr, addr + ACCEPT_ADDR_LEN_OFFSET, NONBLOCK_CLOEXEC);
            if (accepted >= 0) {
                if (peerOut != null) {
                    peerOut.address = SockAddr.decode(scratch, scratch.get(ValueLayout.JAVA_INT, ACCEPT_ADDR_LEN_OFFSET));
                }
                return accepted;
            }
            int errno = LibC.errno();
            if (errno == EAGAIN) {
                return WOULD_BLOCK;
            }
            // A client that gave up before we accepted it says nothing about the listener: take the next one.
            if (errno != EINTR && errno != ECONNABORTED) {
                throw Errors.newIOException("accept", errno);
            }
        }
    }

    /**
     * Starts connecting. Returns true if connected at once, false if the handshake is in
     * progress: then wait for writability and call {@link #finishConnect}.
     *
     * @throws java.net.ConnectException naming the address if refused at once
     */
    public boolean connect(InetSocketAddress remote) throws IOException {
        ensureOpen();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(SockAddr.MAX_SIZE, Long.BYTES);
            int addrLen = SockAddr.encode(addr, remote, ipv6);
            if (LibC.connect(fd, addr.address(), addrLen) == 0) {
                return true;
            }
            int errno = LibC.errno();
            // An interrupted non-blocking connect goes on in the background, like EINPROGRESS.
            if (errno == EINPROGRESS || errno == EINTR) {
                return false;
            }
            throw Errors.newIOException("connect", errno, remote);
        }
    }

    /**
     * Completes a connect that returned false, once the socket is writable. Returns true when
     * connected, false if the handshake is still in progress.
     *
     * @param remote the address passed to connect, named in the exception
     * @throws java.net.ConnectException naming the address if refused or timed out
     */
    public boolean finishConnect(InetSocketAddress remote) throws IOException {
        int error = getSoError();
        if (error != 0) {
            throw Errors.newIOException("finishConnect", error, remote);
        }
        // SO_ERROR is also 0 while the handshake is still running; only a peer name proves it is done.
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(SockAddr.MAX_SIZE, Long.BYTES);
            MemorySegment addrLen = arena.allocate(ValueLayout.JAVA_INT);
            addrLen.set(ValueLayout.JAVA_INT, 0, SockAddr.MAX_SIZE);
            if (LibC.getpeername(fd, addr.address(), addrLen.address()) == 0) {
                return true;
            }
            int errno = LibC.errno();
            if (errno == ENOTCONN) {
                return false;
            }
            throw Errors.newIOException("finishConnect", errno, remote);
        }
    }

    /** Reads with recv(2); returns the bytes read, 0 at end of stream, or {@link #WOULD_BLOCK}. */
    public int read(long address, int length) throws IOException {
        ensureOpen();
        long n;
        do {
            n = LibC.recv(fd, address, length, 0);
        } while (n < 0 && shouldRetry("recv"));
        return n < 0 ? WOULD_BLOCK : (int) n;
    }

    /** Writes with send(2), without SIGPIPE; returns the bytes written or {@link #WOULD_BLOCK}. */
    public int write(long address, int length) throws IOException {
        ensureOpen();
        long n;
        do {
            n = LibC.send(fd, address, length, MSG_NOSIGNAL);
        } while (n < 0 && shouldRetry("send"));
        return n < 0 ? WOULD_BLOCK : (int) n;
    }

    /** Writes {@code iovCount} iovec entries (see {@link IovArray}); returns the bytes written or {@link #WOULD_BLOCK}. */
    public long writev(long iovAddress, int iovCount) throws IOException {
        ensureOpen();
        long n;
        do {
            n = LibC.writev(fd, iovAddress, iovCount);
        } while (n < 0 && shouldRetry("writev"));
        return n < 0 ? WOULD_BLOCK : n;
    }

    /** Reads into {@code iovCount} iovec entries; returns the bytes read, 0 at end of stream, or {@link #WOULD_BLOCK}. */
    public long readv(long iovAddress, int iovCount) throws IOException {
        ensureOpen();
        long n;
        do {
            n = LibC.readv(fd, iovAddress, iovCount);
        } while (n < 0 && shouldRetry("readv"));
        return n < 0 ? WOULD_BLOCK : n;
    }

    /**
     * Sends up to {@code count} bytes of the file open as {@code fileFd} with {@code sendfile(2)},
     * without copying them through user space. {@code offsetAddress} points to an {@code off_t}
     * holding the file position to start at; the kernel advances it by the bytes sent. The file's
     * own offset is not used or changed.
     *
     * <p>Returns the bytes sent, 0 when the file ends at that position, or {@link #WOULD_BLOCK}.
     * EBADF on an open socket means the file's descriptor is bad (closed, or not open for reading),
     * so it is reported as an {@link ErrnoException} saying so, not as a closed channel.
     */
    public long sendFile(int fileFd, long offsetAddress, long count) throws IOException {
        ensureOpen();
        for (;;) {
            long n = LibC.sendfile(fd, fileFd, offsetAddress, count);
            if (n >= 0) {
                return n;
            }
            int errno = LibC.errno();
            if (errno == EAGAIN) {
                return WOULD_BLOCK;
            }
            if (errno == EBADF && isOpen()) {
                throw new ErrnoException("sendfile", errno, "sendfile(..) failed: " + Errors.strerror(errno)
                        + " (the file's descriptor " + fileFd + " is closed or not open for reading)");
            }
            if (errno != EINTR) {
                throw Errors.newIOException("sendfile", errno);
            }
        }
    }

    /**
     * Shuts down the given directions that this object has not shut down yet. ENOTCONN is
     * ignored: the peer is already gone, so the direction is as good as shut.
     */
    public void shutdown(boolean read, boolean write) throws IOException {
        ensureOpen();
        boolean shutRead = read && !inputShutdown;
        boolean shutWrite = write && !outputShutdown;
        if (!shutRead && !shutWrite) {
            return;
        }
        int how = shutRead ? (shutWrite ? SHUT_RDWR : SHUT_RD) : SHUT_WR;
        if (LibC.shutdown(fd, how) < 0) {
            int errno = LibC.errno();
            if (errno != ENOTCONN) {
                throw Errors.newIOException("shutdown", errno);
            }
        }
        inputShutdown |= shutRead;
        outputShutdown |= shutWrite;
    }

    /** Whether {@link #shutdown} shut the input down (the peer's FIN is not tracked here). */
    public boolean isInputShutdown() {
        return inputShutdown;
    }

    /** Whether {@link #shutdown} shut the output down. */
    public boolean isOutputShutdown() {
        return outputShutdown;
    }

    /** The bound local address, or null if not bound, closed, or on error. */
    public InetSocketAddress localAddress() {
        InetSocketAddress local = queryAddress(false);
        // An unbound socket reports the wildcard with port 0; binding always yields a real port.
        return local == null || local.getPort() == 0 ? null : local;
    }

    /** The connected peer's address, or null if not connected, closed, or on error. */
    public InetSocketAddress remoteAddress() {
        return queryAddress(true);
    }

    /**
     * Binds a Unix domain socket. A pathname creates the socket file, which stays after close (see
     * {@link UnixSocketFile}); an unnamed address makes the kernel pick an abstract name.
     *
     * @throws java.net.BindException naming the path on EADDRINUSE (the file exists) or EACCES
     */
    public void bind(UnixSocketPath local) throws IOException {
        ensureOpen();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(UnixSockAddr.SIZE, Long.BYTES);
            int addrLen = UnixSockAddr.encode(addr, local);
            if (LibC.bind(fd, addr.address(), addrLen) < 0) {
                throw Errors.newIOException("bind", LibC.errno(), local);
            }
        }
    }

    /**
     * Connects a Unix domain stream socket. Unlike TCP this never stays in progress: Linux
     * completes it at once or fails.
     *
     * @throws java.net.ConnectException naming the path if refused, or if the listener's backlog is full
     * @throws java.io.FileNotFoundException naming the path if there is no socket file
     */
    public void connect(UnixSocketPath remote) throws IOException {
        ensureOpen();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(UnixSockAddr.SIZE, Long.BYTES);
            int addrLen = UnixSockAddr.encode(addr, remote);
            int errno;
            do {
                if (LibC.connect(fd, addr.address(), addrLen) == 0) {
                    return;
                }
                errno = LibC.errno();
            } while (errno == EINTR);
            throw Errors.newUnixConnectException(errno, remote);
        }
    }

    /** The bound address of a Unix domain socket (unnamed if not bound), or null if closed or on error. */
    public UnixSocketPath localUnixAddress() {
        return queryUnixAddress(false);
    }

    /** The peer's address of a connected Unix domain socket (unnamed if it is not bound), or null if not connected, closed, or on error. */
    public UnixSocketPath remoteUnixAddress() {
        return queryUnixAddress(true);
    }

    /** The process and ids of a connected Unix domain socket's peer ({@code SO_PEERCRED}). */
    public UnixCredentials peerCredentials() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ucred = arena.allocate(ValueLayout.JAVA_INT, 3);
            getOption(SOL_SOCKET, SO_PEERCRED, ucred, arena);
            return new UnixCredentials(ucred.getAtIndex(ValueLayout.JAVA_INT, 0),
                    ucred.getAtIndex(ValueLayout.JAVA_INT, 1), ucred.getAtIndex(ValueLayout.JAVA_INT, 2));
        }
    }

    /**
     * Closes the fd once; later calls do nothing. EINTR is not an error: Linux releases the fd
     * before it can be interrupted, so retrying could close an fd another thread just opened.
     */
    public void close() throws IOException {
        if (!open.compareAndSet(true, false)) {
            return;
        }
        if (LibC.close(fd) < 0) {
            int errno = LibC.errno();
            if (errno != EINTR) {
                throw Errors.newIOException("close", errno);
            }
        }
    }

    public int getIntOption(int level, int name) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            getOption(level, name, value, arena);
            return value.get(ValueLayout.JAVA_INT, 0);
        }
    }

    public void setIntOption(int level, int name, int value) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            setOption(level, name, arena.allocateFrom(ValueLayout.JAVA_INT, value));
        }
    }

    /** SO_LINGER: close() waits up to {@code seconds} for unsent data; 0 resets the connection on close; negative disables. */
    public void setLinger(int seconds) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            // struct linger { int l_onoff; int l_linger; }
            setOption(SOL_SOCKET, SO_LINGER, arena.allocateFrom(ValueLayout.JAVA_INT, seconds < 0 ? 0 : 1, Math.max(seconds, 0)));
        }
    }

    /** The SO_LINGER timeout in seconds, or -1 when lingering is off. */
    public int getLinger() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment linger = arena.allocate(ValueLayout.JAVA_INT, 2);
            getOption(SOL_SOCKET, SO_LINGER, linger, arena);
            return linger.getAtIndex(ValueLayout.JAVA_INT, 0) == 0 ? -1 : linger.getAtIndex(ValueLayout.JAVA_INT, 1);
        }
    }

    public void setTcpNoDelay(boolean on) throws IOException {
        setIntOption(IPPROTO_TCP, TCP_NODELAY, on ? 1 : 0);
    }

    public boolean isTcpNoDelay() throws IOException {
        return getIntOption(IPPROTO_TCP, TCP_NODELAY) != 0;
    }

    public void setKeepAlive(boolean on) throws IOException {
        setIntOption(SOL_SOCKET, SO_KEEPALIVE, on ? 1 : 0);
    }

    public boolean isKeepAlive() throws IOException {
        return getIntOption(SOL_SOCKET, SO_KEEPALIVE) != 0;
    }

    public void setReuseAddress(boolean on) throws IOException {
        setIntOption(SOL_SOCKET, SO_REUSEADDR, on ? 1 : 0);
    }

    public boolean isReuseAddress() throws IOException {
        return getIntOption(SOL_SOCKET, SO_REUSEADDR) != 0;
    }

    public void setReusePort(boolean on) throws IOException {
        setIntOption(SOL_SOCKET, SO_REUSEPORT, on ? 1 : 0);
    }

    public boolean isReusePort() throws IOException {
        return getIntOption(SOL_SOCKET, SO_REUSEPORT) != 0;
    }

    /** The kernel doubles the requested size (for its bookkeeping), so reading it back gives more. */
    public void setSendBufferSize(int bytes) throws IOException {
        setIntOption(SOL_SOCKET, SO_SNDBUF, bytes);
    }

    public int getSendBufferSize() throws IOException {
        return getIntOption(SOL_SOCKET, SO_SNDBUF);
    }

    /** The kernel doubles the requested size (for its bookkeeping), so reading it back gives more. */
    public void setReceiveBufferSize(int bytes) throws IOException {
        setIntOption(SOL_SOCKET, SO_RCVBUF, bytes);
    }

    public int getReceiveBufferSize() throws IOException {
        return getIntOption(SOL_SOCKET, SO_RCVBUF);
    }

    /**
     * IP_TOS on an IPv4 socket. An IPv6 socket gets IPV6_TCLASS for its IPv6 traffic and, because
     * it is dual-stack, IP_TOS for its IPv4 traffic too; a kernel that refuses IP_TOS on an
     * AF_INET6 socket (ENOPROTOOPT) is tolerated.
     */
    public void setTrafficClass(int trafficClass) throws IOException {
        if (!ipv6) {
            setIntOption(IPPROTO_IP, IP_TOS, trafficClass);
            return;
        }
        setIntOption(IPPROTO_IPV6, IPV6_TCLASS, trafficClass);
        try {
            setIntOption(IPPROTO_IP, IP_TOS, trafficClass);
        } catch (ErrnoException e) {
            if (e.errno() != ENOPROTOOPT) {
                throw e;
            }
        }
    }

    public int getTrafficClass() throws IOException {
        return ipv6 ? getIntOption(IPPROTO_IPV6, IPV6_TCLASS) : getIntOption(IPPROTO_IP, IP_TOS);
    }

    /** Reads and clears the pending socket error (SO_ERROR); 0 if none. */
    public int getSoError() throws IOException {
        return getIntOption(SOL_SOCKET, SO_ERROR);
    }

    /**
     * Copies the kernel's {@code struct tcp_info} of this TCP socket into {@code info}, at most
     * {@code info.byteSize()} bytes; returns how many bytes the kernel filled in.
     */
    public int getTcpInfo(MemorySegment info) throws IOException {
        ensureOpen();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, (int) info.byteSize());
            if (LibC.getsockopt(fd, IPPROTO_TCP, TCP_INFO, info.address(), length.address()) < 0) {
                throw Errors.newIOException("getsockopt", LibC.errno());
            }
            return length.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /**
     * Sends the SYN of a connect that TCP_FASTOPEN_CONNECT deferred. With that option on and a
     * fast-open cookie for the peer (or TCP_FASTOPEN_NO_COOKIE), connect() returns 0 at once and
     * sends nothing: the SYN leaves with the first write and carries as much of it as fits. So call
     * this when {@link #connect} returned true but {@link #finishConnect} says not connected yet.
     *
     * @param iovAddress {@code iovCount} iovec entries (see {@link IovArray}) with the data for the
     *                   SYN; with no entries a SYN without data goes out
     * @param remote     the address passed to connect, named in the exception
     * @return the bytes that went out with the SYN, 0 if the kernel sent the SYN without data; either
     *         way the connect is now in progress, as after EINPROGRESS: wait for write readiness,
     *         then call {@link #finishConnect}
     */
    public long sendDeferredSyn(long iovAddress, int iovCount, InetSocketAddress remote) throws IOException {
        ensureOpen();
        // A writev() of no bytes returns before it reaches TCP; a write() of no bytes reaches it.
        long sent = iovCount == 0 ? LibC.write(fd, 0, 0) : LibC.writev(fd, iovAddress, iovCount);
        if (sent >= 0) {
            return sent;
        }
        int errno = LibC.errno();
        if (errno == EINPROGRESS) {
            return 0; // the SYN went out without data: the kernel had no usable cookie after all
        }
        throw Errors.newIOException("connect", errno, remote);
    }

    @Override
    public String toString() {
        String familyName = switch (family) {
            case AF_INET6 -> "inet6";
            case AF_UNIX -> "unix";
            default -> "inet";
        };
        return "Socket(fd=" + fd + ", " + familyName + (isOpen() ? ")" : ", closed)");
    }

    /**
     * For the I/O loops, called right after a call failed: true to retry (EINTR), false when the
     * call would block (EAGAIN); throws the mapped exception for anything else.
     */
    private static boolean shouldRetry(String syscall) throws IOException {
        int errno = LibC.errno();
        if (errno == EINTR) {
            return true;
        }
        if (errno == EAGAIN) {
            return false;
        }
        throw Errors.newIOException(syscall, errno);
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!open.get()) {
            throw new ClosedChannelException();
        }
    }

    private MemorySegment acceptScratch() {
        if (acceptScratch == null) {
            acceptScratch = Arena.ofAuto().allocate(ACCEPT_SCRATCH_SIZE, Long.BYTES);
        }
        return acceptScratch;
    }

    private void getOption(int level, int name, MemorySegment value, Arena arena) throws IOException {
        ensureOpen();
        MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, (int) value.byteSize());
        if (LibC.getsockopt(fd, level, name, value.address(), length.address()) < 0) {
            throw Errors.newIOException("getsockopt", LibC.errno());
        }
    }

    private void setOption(int level, int name, MemorySegment value) throws IOException {
        ensureOpen();
        if (LibC.setsockopt(fd, level, name, value.address(), (int) value.byteSize()) < 0) {
            throw Errors.newIOException("setsockopt", LibC.errno());
        }
    }

    /** getpeername or getsockname, decoded; null on any failure. */
    private InetSocketAddress queryAddress(boolean peer) {
        if (!isOpen()) {
            return null;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(SockAddr.MAX_SIZE, Long.BYTES);
            MemorySegment addrLen = arena.allocateFrom(ValueLayout.JAVA_INT, SockAddr.MAX_SIZE);
            int rc = peer
                    ? LibC.getpeername(fd, addr.address(), addrLen.address())
                    : LibC.getsockname(fd, addr.address(), addrLen.address());
            return rc < 0 ? null : SockAddr.decode(addr, addrLen.get(ValueLayout.JAVA_INT, 0));
        }
    }

    /** getpeername or getsockname of a Unix domain socket, decoded; null on any failure. */
    private UnixSocketPath queryUnixAddress(boolean peer) {
        if (!isOpen()) {
            return null;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(UnixSockAddr.SIZE, Long.BYTES);
            MemorySegment addrLen = arena.allocateFrom(ValueLayout.JAVA_INT, UnixSockAddr.SIZE);
            int rc = peer
                    ? LibC.getpeername(fd, addr.address(), addrLen.address())
                    : LibC.getsockname(fd, addr.address(), addrLen.address());
            return rc < 0 ? null : UnixSockAddr.decode(addr, addrLen.get(ValueLayout.JAVA_INT, 0));
        }
    }

    private void closeAfterFailure(IOException failure) {
        try {
            close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    private static final class IPv6Probe {
        static final boolean SUPPORTED = probe();

        private static boolean probe() {
            int fd = LibC.socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                return false;
            }
            LibC.close(fd);
            return true;
        }
    }
}
