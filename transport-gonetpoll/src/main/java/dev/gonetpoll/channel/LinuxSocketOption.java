package dev.gonetpoll.channel;

import dev.gonetpoll.sys.Linux;
import dev.gonetpoll.sys.Socket;
import io.netty.channel.ChannelException;

import java.io.IOException;

/**
 * Where the kernel keeps each Linux socket option of {@link GoNetpollChannelOption} (and of Netty's
 * fast-open options): its level and name, read and written as a C {@code int}.
 *
 * <p>A call the kernel refuses becomes a {@link ChannelException} that names the option (and the
 * value, for a write) and keeps the {@link dev.gonetpoll.sys.ErrnoException} with the errno as its
 * cause.
 */
enum LinuxSocketOption {

    SO_REUSEPORT(Linux.SOL_SOCKET, Linux.SO_REUSEPORT),
    SO_BUSY_POLL(Linux.SOL_SOCKET, Linux.SO_BUSY_POLL),
    // These three are flags the kernel shares between a socket's IPv4 and IPv6 sides, so the
    // IPPROTO_IP call also covers a dual-stack AF_INET6 socket (Linux forwards SOL_IP there).
    IP_FREEBIND(Linux.IPPROTO_IP, Linux.IP_FREEBIND),
    IP_TRANSPARENT(Linux.IPPROTO_IP, Linux.IP_TRANSPARENT),
    IP_BIND_ADDRESS_NO_PORT(Linux.IPPROTO_IP, Linux.IP_BIND_ADDRESS_NO_PORT),
    TCP_CORK(Linux.IPPROTO_TCP, Linux.TCP_CORK),
    TCP_QUICKACK(Linux.IPPROTO_TCP, Linux.TCP_QUICKACK),
    TCP_NOTSENT_LOWAT(Linux.IPPROTO_TCP, Linux.TCP_NOTSENT_LOWAT),
    TCP_KEEPIDLE(Linux.IPPROTO_TCP, Linux.TCP_KEEPIDLE),
    TCP_KEEPINTVL(Linux.IPPROTO_TCP, Linux.TCP_KEEPINTVL),
    TCP_KEEPCNT(Linux.IPPROTO_TCP, Linux.TCP_KEEPCNT),
    TCP_USER_TIMEOUT(Linux.IPPROTO_TCP, Linux.TCP_USER_TIMEOUT),
    TCP_DEFER_ACCEPT(Linux.IPPROTO_TCP, Linux.TCP_DEFER_ACCEPT),
    TCP_FASTOPEN(Linux.IPPROTO_TCP, Linux.TCP_FASTOPEN),
    TCP_FASTOPEN_CONNECT(Linux.IPPROTO_TCP, Linux.TCP_FASTOPEN_CONNECT);

    private final int level;
    private final int optname;

    LinuxSocketOption(int level, int optname) {
        this.level = level;
        this.optname = optname;
    }

    int get(Socket socket) {
        try {
            return socket.getIntOption(level, optname);
        } catch (IOException e) {
            throw new ChannelException("cannot read " + name() + ": " + describe(e), e);
        }
    }

    boolean isSet(Socket socket) {
        return get(socket) != 0;
    }

    void set(Socket socket, int value) {
        try {
            socket.setIntOption(level, optname, value);
        } catch (IOException e) {
            throw new ChannelException("cannot set " + name() + " to " + value + ": " + describe(e), e);
        }
    }

    void set(Socket socket, boolean on) {
        set(socket, on ? 1 : 0);
    }

    private static String describe(IOException e) {
        // A closed socket fails with a ClosedChannelException, which has no message.
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
