package dev.gonetpoll.channel;

import io.netty.channel.ChannelOption;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether this host's kernel does TCP fast open (RFC 7413), as the {@code net.ipv4.tcp_fastopen}
 * sysctl of the process's network namespace says: bit {@code 0x1} lets clients put data in the SYN
 * ({@link ChannelOption#TCP_FASTOPEN_CONNECT}), bit {@code 0x2} lets servers take it
 * ({@link ChannelOption#TCP_FASTOPEN}). The sysctl is read once, on first use.
 *
 * <p>The options can be set either way where the kernel allows it; this only says whether they
 * will have an effect. A kernel with client-side fast open off refuses
 * {@code TCP_FASTOPEN_CONNECT} ({@code EOPNOTSUPP}); one with server-side fast open off accepts
 * {@code TCP_FASTOPEN} on a listener but answers every SYN the ordinary way.
 */
public final class GoNetpollTcpFastOpen {

    private static final Path SYSCTL = Path.of("/proc/sys/net/ipv4/tcp_fastopen");
    private static final int CLIENT_ENABLE = 0x1;
    private static final int SERVER_ENABLE = 0x2;

    private GoNetpollTcpFastOpen() {
    }

    /** Whether a client's data can go out with its SYN. */
    public static boolean isClientSideAvailable() {
        return (Sysctl.VALUE & CLIENT_ENABLE) != 0;
    }

    /** Whether a server takes data that comes with a SYN (and hands out fast-open cookies). */
    public static boolean isServerSideAvailable() {
        return (Sysctl.VALUE & SERVER_ENABLE) != 0;
    }

    private static final class Sysctl {
        static final int VALUE = read();

        /** The sysctl's value; 0 (fast open off) if it cannot be read, e.g. in a sandbox without /proc. */
        private static int read() {
            try {
                return Integer.parseInt(Files.readString(SYSCTL).strip());
            } catch (IOException | NumberFormatException | SecurityException e) {
                return 0;
            }
        }
    }
}
