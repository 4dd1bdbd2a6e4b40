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
 * Every Linux option of {@link GoNetpollSocketChannelConfig}: set through {@code setOption} and
 * through the typed setter, read back through {@code getOption} and the typed getter, and checked
 * with a raw {@code getsockopt} on the fd, on an IPv4 and on a (dual-stack) IPv6 socket. Values the
 * kernel refuses must fail with a {@link ChannelException} carrying the errno and leave the old value.
 */
class SocketChannelOptionsTest {

    private GoNetpollSocketChannel channel;
    private GoNetpollSocketChannelConfig config;
    private int fd;

    private void open(SocketProtocolFamily family) {
        channel = new GoNetpollSocketChannel(family);
        config = channel.config();
        fd = channel.socket.fd();
    }

    @AfterEach
    void close() {
        if (channel != null) {
            channel.unsafe().closeForcibly();
        }
    }

    /** Sets {@code value} with {@code setOption}, then checks getOption and the kernel's own value. */
    private <T> void assertRoundTrip(ChannelOption<T> option, T value, int level, int name, int kernelValue) {
        assertTrue(config.setOption(option, value), option::name);
        assertEquals(value, config.getOption(option), option::name);
        assertEquals(kernelValue, KernelProbe.getInt(fd, level, name), option::name);
    }

    private void assertBooleanRoundTrip(ChannelOption<Boolean> option, int level, int name) {
        assertRoundTrip(option, true, level, name, 1);
        assertRoundTrip(option, false, level, name, 0);
    }

    @ParameterizedTest
    @EnumSource(value = SocketProtocolFamily.class, names = {"INET", "INET6"})
    void soReusePort(SocketProtocolFamily family) {
        open(family);
        assertBooleanRoundTrip(GoNetpollChannelOption.SO_REUSEPORT, Linux.SOL_SOCKET, Linux.SO_REUSEPORT);
        config.setReusePort(true);
        assertTrue(config.isReusePort());
        assertEquals(1, KernelProbe.getInt(fd, Linux.SOL_SOCKET, Linux.SO_REUSEPORT));
    }

    @ParameterizedTest
    @EnumSource(value = SocketProtocolFamily.class, names = {"INET", "INET6"})
    void soBusyPoll(SocketProtocolFamily family) {
        open(family);
        assertRoundTrip(GoNetpollChannelOption.SO_BUSY_POLL, 50, Linux.SOL_SOCKET, Linux.SO_BUSY_POLL, 50);
        config.setSoBusyPoll(0);
        assertEquals(0, config.getSoBusyPoll());
        assertEquals(0, KernelProbe.getInt(fd, Linux.SOL_SOCKET, Linux.SO_BUSY_POLL));

        ChannelException e = assertThrows(ChannelException.class, () -> config.setSoBusyPoll(-1));
        KernelProbe.assertRefused(e, Linux.EINVAL, "SO_BUSY_POLL");
        assertEquals(0, config.getSoBusyPoll());
    }

    @ParameterizedTest
    @EnumSource(value = SocketProtocolFamily.class, names = {"INET", "INET6"})
    void ipFreeBind(SocketProtocolFamily family) {
        open(family);
        assertBooleanRoundTrip(GoNetpollChannelOption.IP_FREEBIND, Linux.IPPROTO_IP, Linux.IP_FREEBIND);
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
            assertBooleanRoundTrip(GoNetpollChannelOption.IP_TRANSPARENT, Linux.IPPROTO_IP, Linux.IP_TRANSPARENT);
            config.setIpTransparent(true);
            assertTrue(config.isIpTransparent());
            assertEquals(1, KernelProbe.getInt(fd, Linux.IPPROTO_IP, Linux.IP_TRANSPARENT));
        } else {
            ChannelException e = assertThrows(ChannelException.class, () -> config.setIpTransparent(true));
            KernelProbe.assertRefused(e, Linux.EPERM, "IP_TRANSPARENT");
            assertFalse(config.isIpTransparent());
            assertEquals(0, KernelProbe.getInt(fd, Linux.IPPROTO_IP, Linux.IP_TRANSPARENT));
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketProtocolFamily.class, names = {"INET", "INET6"})
    void ipBindAddressNoPort(SocketProtocolFamily family) {
        open(family);
        assertBooleanRoundTrip(GoNetpollChannelOption.IP_BIND_ADDRESS_NO_PORT,
                Linux.IPPROTO_IP, Linux.IP_BIND_ADDRESS_NO_PORT);
        config.setIpBindAddressNoPort(true);
        assertTrue(config.isIpBindAddressNoPort());
        assertEquals(1, KernelProbe.getInt(fd, Linux.IPPROTO_IP, Linux.IP_BIND_ADDRESS_NO_PORT));
    }

    @ParameterizedTest
    @EnumSource(value = SocketProtocolFamily.class, names = {"INET", "INET6"})
    void tcpCork(SocketProtocolFamily family) {
        open(family);
        assertBooleanRoundTrip(GoNetpollChannelOption.TCP_CORK, Linux.IPPROTO_TCP, Linux.TCP_CORK);
        config.setTcpCork(true);
        assertTrue(config.isTcpCork());
        assertEquals(1, KernelProbe.getInt(fd, Linux.IPPROTO_TCP, Linux.TCP_CORK));
    }

    /** On a socket without traffic the kernel keeps the quick-ack mode it was given. */
    @ParameterizedTest
    @EnumSource(value = SocketProtocolFamily.class, names = {"INET", "INET6"})
    void tcpQuickAck(SocketProtocolFamily family) {
        open(family);
        assertRoundTrip(GoNetpollChannelOption.TCP_QUICKACK, false, Linux.IPPROTO_TCP, Linux.TCP_QUICKACK, 0);
        assertRoundTrip(GoNetpollChannelOption.TCP_QUICKACK, true, Linux.IPPROTO_TCP, Linux.TCP_QUICKACK, 1);
        config.setTcpQuickAck(false);
        assertFalse(config.isTcpQuickAck());
        assertEquals(0, KernelProbe.getInt(fd, Linux.IPPROTO_TCP, Linux.TCP_QUICKACK));
    }

    /** The kernel's value is a uint32: the full range round-trips; anything outside it is refused before the kernel. */
    @ParameterizedTest
    @EnumSource(value = SocketProtocolFamily.class, names = {"INET", "INET6"})
    void tcpNotSentLowAt(SocketProtocolFamily family) {
        open(family);
        assertRoundTrip(GoNetpollChannelOption.TCP_NOTSENT_LOWAT, 12345L,
                Linux.IPPROTO_TCP, Linux.TCP_NOTSENT_LOWAT, 12345);
        assertRoundTrip(GoNetpollChannelOption.TCP_NOTSENT_LOWAT, 0xFFFF_FFFFL,
                Linux.IPPROTO_TCP, Linux.TCP_NOTSENT_LOWAT, -1);
        config.setTcpNotSentLowAt(16384);
        assertEquals(16384, config.getTcpNotSentLowAt());

        assertThrows(IllegalArgumentException.class, () -> config.setTcpNotSentLowAt(-1));
        assertThrows(IllegalArgumentException.class,
                () -> config.setOption(GoNetpollChannelOption.TCP_NOTSENT_LOWAT, 0x1_0000_0000L));
        assertEquals(16384, config.getTcpNotSentLowAt());
        assertEquals(16384, KernelProbe.getInt(fd, Linux.IPPROTO_TCP, Linux.TCP_NOTSENT_LOWAT));
    }

    @ParameterizedTest
    @EnumSource(value = SocketProtocolFamily.class, names = {"INET", "INET6"})
    void tcpKeepAliveTimes(SocketProtocolFamily family) {
        open(family);
        assertRoundTrip(GoNetpollChannelOption.TCP_KEEPIDLE, 77, Linux.IPPROTO_TCP, Linux.TCP_KEEPIDLE, 77);
        assertRoundTrip(GoNetpollChannelOption.TCP_KEEPINTVL, 7, Linux.IPPROTO_TCP, Linux.TCP_KEEPINTVL, 7);
        assertRoundTrip(GoNetpollChannelOption.TCP_KEEPCNT, 5, Linux.IPPROTO_TCP, Linux.TCP_KEEPCNT, 5);
        config.setTcpKeepIdle(600).setTcpKeepIntvl(60).setTcpKeepCnt(3);
        assertEquals(600, config.getTcpKeepIdle());
        assertEquals(60, config.getTcpKeepIntvl());
        assertEquals(3, config.getTcpKeepCnt());
        assertEquals(600, KernelProbe.getInt(fd, Linux.IPPROTO_TCP, Linux.TCP_KEEPIDLE));
        assertEquals(60, KernelProbe.getInt(fd, Linux.IPPROTO_TCP, Linux.TCP_KEEPINTVL));
        assertEquals(3, KernelProbe.getInt(fd, Linux.IPPROTO_TCP, Linux.TCP_KEEPCNT));
    }

    /** The kernel's ranges: TCP_KEEPIDLE and TCP_KEEPINTVL 1-32767 seconds, TCP_KEEPCNT 1-127. */
    @ParameterizedTest
    @EnumSource(value = SocketProtocolFamily.class, names = {"INET", "INET6"})
    void tcpKeepAliveOutOfRangeIsRefused(SocketProtocolFamily family) {
        open(family);
        config.setTcpKeepIdle(600).setTcpKeepIntvl(60).setTcpKeepCnt(3);

        KernelProbe.assertRefused(assertThrows(ChannelException.class, () -> config.setTcpKeepIdle(0)),
                Linux.EINVAL, "TCP_KEEPIDLE");
        KernelProbe.assertRefused(assertThrows(ChannelException.class, () -> config.setTcpKeepIntvl(32768)),
                Linux.EINVAL, "TCP_KEEPINTVL");
        KernelProbe.assertRefused(assertThrows(ChannelException.class,
                () -> config.setOption(GoNetpollChannelOption.TCP_KEEPCNT, 128)), Linux.EINVAL, "TCP_KEEPCNT");

        assertEquals(600, config.getTcpKeepIdle());
        assertEquals(60, config.getTcpKeepIntvl());
        assertEquals(3, config.getTcpKeepCnt());
    }

    @ParameterizedTest
    @EnumSource(value = SocketProtocolFamily.class, names = {"INET", "INET6"})
    void tcpUserTimeout(SocketProtocolFamily family) {
        open(family);
        assertRoundTrip(GoNetpollChannelOption.TCP_USER_TIMEOUT, 30_000,
                Linux.IPPROTO_TCP, Linux.TCP_USER_TIMEOUT, 30_000);
        config.setTcpUserTimeout(0);
        assertEquals(0, config.getTcpUserTimeout());

        ChannelException e = assertThrows(ChannelException.class, () -> config.setTcpUserTimeout(-1));
        KernelProbe.assertRefused(e, Linux.EINVAL, "TCP_USER_TIMEOUT");
        assertEquals(0, KernelProbe.getInt(fd, Linux.IPPROTO_TCP, Linux.TCP_USER_TIMEOUT));
    }

    /**
     * TCP_FASTOPEN_CONNECT works where the sysctl net.ipv4.tcp_fastopen has the client bit (0x1);
     * without it the kernel refuses with EOPNOTSUPP.
     */
    @ParameterizedTest
    @EnumSource(value = SocketProtocolFamily.class, names = {"INET", "INET6"})
    void tcpFastOpenConnect(SocketProtocolFamily family) {
        open(family);
        boolean clientSide = (KernelProbe.tcpFastOpenSysctl() & 1) != 0;
        assertEquals(clientSide, GoNetpollTcpFastOpen.isClientSideAvailable());
        if (clientSide) {
            assertBooleanRoundTrip(ChannelOption.TCP_FASTOPEN_CONNECT, Linux.IPPROTO_TCP, Linux.TCP_FASTOPEN_CONNECT);
            config.setTcpFastOpenConnect(true);
            assertTrue(config.isTcpFastOpenConnect());
            assertEquals(1, KernelProbe.getInt(fd, Linux.IPPROTO_TCP, Linux.TCP_FASTOPEN_CONNECT));
        } else {
            ChannelException e = assertThrows(ChannelException.class, () -> config.setTcpFastOpenConnect(true));
            KernelProbe.assertRefused(e, Linux.EOPNOTSUPP, "TCP_FASTOPEN_CONNECT");
            assertFalse(config.isTcpFastOpenConnect());
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketProtocolFamily.class, names = {"INET", "INET6"})
    void getOptionsReadsEveryLinuxOptionFromTheKernel(SocketProtocolFamily family) {
        open(family);
        config.setTcpCork(true).setTcpKeepCnt(4).setTcpNotSentLowAt(4096).setReusePort(true);
        Map<ChannelOption<?>, Object> options = config.getOptions();
        assertEquals(true, options.get(GoNetpollChannelOption.TCP_CORK));
        assertEquals(4, options.get(GoNetpollChannelOption.TCP_KEEPCNT));
        assertEquals(4096L, options.get(GoNetpollChannelOption.TCP_NOTSENT_LOWAT));
        assertEquals(true, options.get(GoNetpollChannelOption.SO_REUSEPORT));
        for (ChannelOption<?> option : new ChannelOption<?>[] {
                ChannelOption.TCP_FASTOPEN_CONNECT, GoNetpollChannelOption.SO_BUSY_POLL,
                GoNetpollChannelOption.IP_FREEBIND, GoNetpollChannelOption.IP_TRANSPARENT,
                GoNetpollChannelOption.IP_BIND_ADDRESS_NO_PORT, GoNetpollChannelOption.TCP_QUICKACK,
                GoNetpollChannelOption.TCP_KEEPIDLE, GoNetpollChannelOption.TCP_KEEPINTVL,
                GoNetpollChannelOption.TCP_USER_TIMEOUT}) {
            assertTrue(options.containsKey(option), option::name);
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketProtocolFamily.class, names = {"INET", "INET6"})
    void optionsOfAClosedChannelFailWithChannelException(SocketProtocolFamily family) {
        open(family);
        channel.unsafe().closeForcibly();
        ChannelException e = assertThrows(ChannelException.class, () -> config.isTcpCork());
        assertTrue(e.getMessage().contains("TCP_CORK"), e::getMessage);
        assertThrows(ChannelException.class, () -> config.setTcpKeepIdle(10));
    }
}
