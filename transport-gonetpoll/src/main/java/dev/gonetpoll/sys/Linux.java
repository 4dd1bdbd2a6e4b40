package dev.gonetpoll.sys;

import com.sun.jna.Platform;

/**
 * Linux constants. Values are those of the generic ABI shared by x86_64 and aarch64; only the
 * layout of {@code struct epoll_event} differs between the two.
 */
public final class Linux {

    private Linux() {
    }

    // errno (asm-generic/errno-base.h, asm-generic/errno.h)
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int ESPIPE = 29;
    public static final int EPIPE = 32;
    public static final int ENAMETOOLONG = 36;
    public static final int ELOOP = 40;
    public static final int ENOPROTOOPT = 92;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETUNREACH = 101;
    public static final int ECONNABORTED = 103;
    public static final int ECONNRESET = 104;
    public static final int ENOBUFS = 105;
    public static final int EISCONN = 106;
    public static final int ENOTCONN = 107;
    public static final int ETIMEDOUT = 110;
    public static final int ECONNREFUSED = 111;
    public static final int EHOSTUNREACH = 113;
    public static final int EALREADY = 114;
    public static final int EINPROGRESS = 115;

    // epoll and eventfd
    public static final int EPOLLIN = 0x1;
    public static final int EPOLLOUT = 0x4;
    public static final int EPOLLERR = 0x8;
    public static final int EPOLLHUP = 0x10;
    public static final int EPOLLRDHUP = 0x2000;
    public static final int EPOLLET = 1 << 31;
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;
    /** The creation flags below are O_CLOEXEC (02000000) and O_NONBLOCK (04000). */
    public static final int EPOLL_CLOEXEC = 0x80000;
    public static final int EFD_NONBLOCK = 0x800;
    public static final int EFD_CLOEXEC = 0x80000;

    /** x86_64 is the one 64-bit ABI that declares {@code struct epoll_event} packed. */
    private static final boolean PACKED_EPOLL_EVENT = "x86-64".equals(Platform.ARCH);
    /** {@code struct epoll_event}: 12 bytes on x86_64 (packed), 16 bytes on aarch64. */
    public static final int EPOLL_EVENT_SIZE = PACKED_EPOLL_EVENT ? 12 : 16;
    /** Offset of the 64-bit {@code data} field; on x86_64 it is not 8-byte aligned. */
    public static final int EPOLL_EVENT_DATA_OFFSET = PACKED_EPOLL_EVENT ? 4 : 8;

    // sockets
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_ERROR = 4;
    public static final int SO_BROADCAST = 6;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_KEEPALIVE = 9;
    public static final int SO_LINGER = 13;
    public static final int SO_REUSEPORT = 15;
    public static final int IPPROTO_IP = 0;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_IPV6 = 41;
    public static final int IP_TOS = 1;
    public static final int IPV6_V6ONLY = 26;
    public static final int IPV6_TCLASS = 67;
    public static final int TCP_NODELAY = 1;
    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;

    /** {@code struct iovec}: a pointer and a size_t. */
    public static final int IOV_SIZE = 16;
    /** The kernel's UIO_MAXIOV: writev/readv reject more entries with EINVAL. */
    public static final int IOV_MAX = 1024;

    // UDP (datagram channels)
    public static final int AF_UNSPEC = 0;
    public static final int ENODEV = 19;
    public static final int EMSGSIZE = 90;
    /** recv flag: return the real length of a datagram even when it was longer than the buffer. */
    public static final int MSG_TRUNC = 0x20;
    /** send flag: a peer that has gone fails the call with EPIPE instead of raising SIGPIPE. */
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int IP_MULTICAST_IF = 32;
    public static final int IP_MULTICAST_TTL = 33;
    public static final int IP_MULTICAST_LOOP = 34;
    public static final int IP_MULTICAST_ALL = 49;
    public static final int IPV6_MULTICAST_IF = 17;
    public static final int IPV6_MULTICAST_HOPS = 18;
    public static final int IPV6_MULTICAST_LOOP = 19;
    public static final int IPV6_MULTICAST_ALL = 29;
    /** Protocol-independent multicast (RFC 3678), the same numbers at the IPPROTO_IP and IPPROTO_IPV6 levels. */
    public static final int MCAST_JOIN_GROUP = 42;
    public static final int MCAST_BLOCK_SOURCE = 43;
    public static final int MCAST_LEAVE_GROUP = 45;
    public static final int MCAST_JOIN_SOURCE_GROUP = 46;
    public static final int MCAST_LEAVE_SOURCE_GROUP = 47;
    /** {@code struct msghdr} on LP64. */
    public static final int MSGHDR_SIZE = 56;

    // Linux socket options beyond the portable ones (asm-generic/socket.h, linux/in.h, linux/tcp.h)
    /** errno of a socket option the kernel knows but has switched off, e.g. TCP_FASTOPEN_CONNECT by sysctl. */
    public static final int EOPNOTSUPP = 95;
    public static final int SO_BUSY_POLL = 46;
    public static final int IP_FREEBIND = 15;
    public static final int IP_TRANSPARENT = 19;
    public static final int IP_BIND_ADDRESS_NO_PORT = 24;
    public static final int TCP_CORK = 3;
    public static final int TCP_KEEPIDLE = 4;
    public static final int TCP_KEEPINTVL = 5;
    public static final int TCP_KEEPCNT = 6;
    public static final int TCP_DEFER_ACCEPT = 9;
    public static final int TCP_INFO = 11;
    public static final int TCP_QUICKACK = 12;
    public static final int TCP_USER_TIMEOUT = 18;
    public static final int TCP_FASTOPEN = 23;
    public static final int TCP_NOTSENT_LOWAT = 25;
    public static final int TCP_FASTOPEN_CONNECT = 30;
    /**
     * The prefix of {@code struct tcp_info} that every kernel since 2.6 fills in (up to and including
     * {@code tcpi_total_retrans}); newer kernels append fields after it and copy no more than asked.
     */
    public static final int TCP_INFO_SIZE = 104;

    // files (asm-generic/fcntl.h; the same values on x86_64 and aarch64)
    public static final int O_RDONLY = 0;
    public static final int O_NONBLOCK = 04000;
    public static final int O_CLOEXEC = 02000000;
    public static final int SEEK_END = 2;

    /** The most bytes one sendfile (or read/write) call moves: MAX_RW_COUNT, INT_MAX rounded down to a page. */
    public static final long SENDFILE_MAX_COUNT = 0x7ffff000L;

    // Unix domain sockets
    /** {@code struct ucred} of a Unix socket's peer: pid, uid, gid, three ints. */
    public static final int SO_PEERCRED = 17;
    /** File type bits of {@code st_mode}, and the type of a socket file. */
    public static final int S_IFMT = 0170000;
    public static final int S_IFSOCK = 0140000;
}
