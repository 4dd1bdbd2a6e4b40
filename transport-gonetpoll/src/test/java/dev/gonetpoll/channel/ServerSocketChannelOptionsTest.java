package dev.gonetpoll.channel;

import dev.gonetpoll.sys.Linux;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketProtocolFamily;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every Linux option of {@link GoNetpollServerSocketChannelConfig}: set through {@code setOption}
 * and the typed setter, read back through {@code getOption}, the typed getter and a raw
 * {@code getsockopt} on the fd, on an IPv4 and on a (dual-stack) IPv6 socket.
 */
class ServerSocketChannelOptionsTest {

    private GoNetpollServerSocketChannel channel;
    private GoNetpollServerSocketChannelConfig config;
    private int fd;

    private void open(SocketProtocolFamily family) {
        channel = new GoNetpollServerSocketChannel(family);
        config = channel.config();
        fd = channel.socket.fd();
    }

    @AfterEach
    void close() {
        if (channel != null) {
            channel.unsafe().closeForcibly();
        }
    }

    private <T> void assertRoundTrip(ChannelOption<T> option, T value, int level, int name, int kernelValue) {
        assertTrue(config.setOption(option, value), option::name);
        assertEquals(value, config.getOption(option), option::name);
        assertEquals(kernelValue, KernelProbe.getInt(fd, level, name), option::name);
    }

    @ParameterizedTest
    @EnumSource(value = SocketProtocolFamily.class, names = {"INET", "INET6"})
    void soReusePort(SocketProtocolFamily family) {
        open(family);
        assertRoundTrip(GoNetpollChannelOption.SO_REUSEPORT, true, Linux.SOL_SOCKET, Linux.SO_REUSEPORT, 1);
        assertRoundTrip(GoNetpollChannelOption.SO_REUSEPORT, false, Linux.SOL_SOCKET, Linux.SO_REUSEPORT, 0);
        config.setReusePort(true);
        assertTrue(config.isReusePort());
        assertEquals(1, KernelProbe.getInt(fd, Linux.SOL_SOCKET, Linux.SO_REUSEPORT));
    }

    @ParameterizedTest
    @EnumSource(value = SocketProtocolFamily.class, names = {"INET", "INET6"})
    void ipFreeBind(SocketProtocolFamily family) {
        open(family);
        assertRoundTrip(GoNetpollChannelOption.IP_FREEBIND, true, Linux.IPPROTO_IP, Linux.IP_FREEBIND, 1);
        assertRoundTrip(GoNetpollChannelOption.IP_FREEBIND, false, Linux.IPPROTO_IP, Linux.IP_FREEBIND, 0);
        config.setIpFreeBind(true);
        assertTrue(config.isIpFreeBind());
        assertEquals(1, KernelProbe.getInt(fd, Linux.IPPROTO_IP, Linux.IP_FREEBIND));
    }

    /** IP_TRANSPARENT needs CAP_NET_RAW or CAP_NET_ADMIN: the kernel says EPERM without either. */
    @ParameterizedTest
    @EnumSource(value = SocketProtocolFamily.class, names = {"INET", "INET6"})
    void ipTransparent(SocketProtocolFamily family) {
        open(family);
        if (KernelProbe.hasNetRawOrNetAdmin()) {
            assertRoundTrip(GoNetpollChannelOption.IP_TRANSPARENT, true, Linux.IPPROTO_IP, Linux.IP_TRANSPARENT, 1);
            assertRoundTrip(GoNetpollChannelOption.IP_TRANSPARENT, false, Linux.IPPROTO_IP, Linux.IP_TRANSPARENT, 0);
            config.setIpTransparent(true);
            assertTrue(config.isIpTransparent());
        } else {
            ChannelException e = assertThrows(ChannelException.class,
                    () -> config.setOption(GoNetpollChannelOption.IP_TRANSPARENT, true));
            KernelProbe.assertRefused(e, Linux.EPERM, "IP_TRANSPARENT");
            assertFalse(config.isIpTransparent());
            assertEquals(0, KernelProbe.getInt(fd, Linux.IPPROTO_IP, Linux.IP_TRANSPARENT));
        }
    }

    /**
     * The kernel keeps TCP_DEFER_ACCEPT as a number of SYN-ACK retransmissions (1 s, then doubling),
     * so it reads back rounded up to the end of that retransmission: 1, 3, 7, 15, 31, ... seconds.
     */
    @ParameterizedTest
    @EnumSource(value = SocketProtocolFamily.class, names = {"INET", "INET6"})
    void tcpDeferAccept(SocketProtocolFamily family) {
        open(family);
        assertRoundTrip(GoNetpollChannelOption.TCP_DEFER_ACCEPT, 7, Linux.IPPROTO_TCP, Linux.TCP_DEFER_ACCEPT, 7);
        config.setTcpDeferAccept(10);
        assertEquals(15, config.getTcpDeferAccept());
        assertEquals(15, config.getOption(GoNetpollChannelOption.TCP_DEFER_ACCEPT));
        assertEquals(15, KernelProbe.getInt(fd, Linux.IPPROTO_TCP, Linux.TCP_DEFER_ACCEPT));
        config.setTcpDeferAccept(0);
        assertEquals(0, config.getTcpDeferAccept());

        assertThrows(IllegalArgumentException.class, () -> config.setTcpDeferAccept(-1));
        assertEquals(0, KernelProbe.getInt(fd, Linux.IPPROTO_TCP, Linux.TCP_DEFER_ACCEPT));
    }

    /**
     * A listener takes a fast-open queue length whether or not server-side fast open is on
     * (it then has no effect); a negative length is refused with EINVAL.
     */
    @ParameterizedTest
    @EnumSource(value = SocketProtocolFamily.class, names = {"INET", "INET6"})
    void tcpFastOpen(SocketProtocolFamily family) {
        open(family);
        assertEquals((KernelProbe.tcpFastOpenSysctl() & 2) != 0, GoNetpollTcpFastOpen.isServerSideAvailable());
        assertRoundTrip(ChannelOption.TCP_FASTOPEN, 5, Linux.IPPROTO_TCP, Linux.TCP_FASTOPEN, 5);
        config.setTcpFastopen(256);
        assertEquals(256, config.getTcpFastopen());
        assertEquals(256, KernelProbe.getInt(fd, Linux.IPPROTO_TCP, Linux.TCP_FASTOPEN));

        ChannelException e = assertThrows(ChannelException.class, () -> config.setTcpFastopen(-1));
        KernelProbe.assertRefused(e, Linux.EINVAL, "TCP_FASTOPEN");
        assertEquals(256, config.getTcpFastopen());
    }

    @ParameterizedTest
    @EnumSource(value = SocketProtocolFamily.class, names = {"INET", "INET6"})
    void getOptionsReadsEveryLinuxOptionFromTheKernel(SocketProtocolFamily family) {
        open(family);
        config.setReusePort(true).setTcpFastopen(3).setTcpDeferAccept(1).setIpFreeBind(true);
        Map<ChannelOption<?>, Object> options = config.getOptions();
        assertEquals(true, options.get(GoNetpollChannelOption.SO_REUSEPORT));
        assertEquals(3, options.get(ChannelOption.TCP_FASTOPEN));
        assertEquals(1, options.get(GoNetpollChannelOption.TCP_DEFER_ACCEPT));
        assertEquals(true, options.get(GoNetpollChannelOption.IP_FREEBIND));
        assertTrue(options.containsKey(GoNetpollChannelOption.IP_TRANSPARENT));
    }
}
