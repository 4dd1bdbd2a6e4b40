package dev.gonetpoll.channel;

import dev.gonetpoll.sys.Socket;
import dev.gonetpoll.sys.UnixSocketFile;
import dev.gonetpoll.sys.UnixSocketPath;
import io.netty.channel.unix.DomainSocketAddress;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;

/**
 * The Unix socket addresses a domain channel accepts, and the one it reports. It accepts Netty's
 * {@link DomainSocketAddress} (what epoll users have) and the JDK's {@link UnixDomainSocketAddress}
 * (what NIO users have); it reports {@link DomainSocketAddress}, as Netty's epoll transport does,
 * because only that one can hold a Linux abstract name ({@code "\0name"}).
 */
final class DomainSocketAddresses {

    private DomainSocketAddresses() {
    }

    /**
     * @throws IllegalArgumentException for another address type, or a path the kernel cannot take
     *                                  (too long, or a NUL inside a file system path)
     */
    /**
     * Binds {@code socket} to {@code address}, first removing a stale socket file nobody listens on.
     *
     * @return the socket file's path, which its owner removes on close; null for an abstract or
     *         unnamed address
     */
    static UnixSocketPath bind(Socket socket, SocketAddress address) throws IOException {
        UnixSocketPath path = toUnixSocketPath(address);
        UnixSocketFile.prepareBind(path);
        socket.bind(path);
        return path.isPathname() ? path : null;
    }

    static UnixSocketPath toUnixSocketPath(SocketAddress address) {
        if (address instanceof DomainSocketAddress netty) {
            return UnixSocketPath.of(netty.path());
        }
        if (address instanceof UnixDomainSocketAddress jdk) {
            return UnixSocketPath.of(jdk.getPath().toString());
        }
        throw new IllegalArgumentException("unsupported address type: " + address
                + " (expected: io.netty.channel.unix.DomainSocketAddress or java.net.UnixDomainSocketAddress)");
    }

    /** Netty's address for a kernel answer; null stays null (not bound, not connected or closed). */
    static DomainSocketAddress toDomainSocketAddress(UnixSocketPath path) {
        return path == null ? null : new DomainSocketAddress(path.path());
    }
}
