package dev.gonetpoll.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SockAddrTest {

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment buf = arena.allocate(SockAddr.MAX_SIZE, Long.BYTES);

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void ipv4HasTheKernelLayout() {
        int len = SockAddr.encode(buf, new InetSocketAddress("10.1.2.3", 0x1F90), false);
        assertEquals(SockAddr.IPV4_SIZE, len);
        // family AF_INET (host order, little-endian here), port 8080 big-endian, then the address
        assertArrayEquals(new byte[] {2, 0, 0x1F, (byte) 0x90, 10, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0},
                buf.asSlice(0, len).toArray(ValueLayout.JAVA_BYTE));
        assertEquals(new InetSocketAddress("10.1.2.3", 8080), SockAddr.decode(buf, len));
    }

    @Test
    void ipv6RoundTripsWithPortAndScope() throws UnknownHostException {
        Inet6Address linkLocal = Inet6Address.getByAddress(null, InetAddress.getByName("fe80::1").getAddress(), 3);
        InetSocketAddress address = new InetSocketAddress(linkLocal, 65535);
        int len = SockAddr.encode(buf, address, true);
        assertEquals(SockAddr.IPV6_SIZE, len);
        assertEquals(Linux.AF_INET6, buf.get(ValueLayout.JAVA_SHORT, 0));
        assertEquals(3, buf.get(ValueLayout.JAVA_INT, 24));
        InetSocketAddress decoded = SockAddr.decode(buf, len);
        assertEquals(address, decoded);
        assertEquals(3, ((Inet6Address) decoded.getAddress()).getScopeId());
    }

    @Test
    void ipv4OnAnIPv6SocketIsV4MappedAndDecodesBackToIPv4() {
        InetSocketAddress address = new InetSocketAddress("192.168.7.9", 443);
        int len = SockAddr.encode(buf, address, true);
        assertEquals(SockAddr.IPV6_SIZE, len);
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 192, (byte) 168, 7, 9},
                buf.asSlice(8, 16).toArray(ValueLayout.JAVA_BYTE));
        InetSocketAddress decoded = SockAddr.decode(buf, len);
        assertInstanceOf(Inet4Address.class, decoded.getAddress());
        assertEquals(address, decoded);
    }

    @Test
    void ipv4WildcardOnAnIPv6SocketIsTheIPv6Wildcard() {
        int len = SockAddr.encode(buf, new InetSocketAddress(80), true);
        InetSocketAddress decoded = SockAddr.decode(buf, len);
        assertInstanceOf(Inet6Address.class, decoded.getAddress());
        assertEquals(true, decoded.getAddress().isAnyLocalAddress());
        assertEquals(80, decoded.getPort());
    }

    @Test
    void encodingClearsLeftovers() {
        SockAddr.encode(buf, new InetSocketAddress("fe80::1%1", 1), true);
        int len = SockAddr.encode(buf, new InetSocketAddress("127.0.0.1", 1), true);
        assertEquals(0, buf.get(ValueLayout.JAVA_INT, 24), "no stale scope id");
        assertEquals(new InetSocketAddress("127.0.0.1", 1), SockAddr.decode(buf, len));
    }

    @Test
    void unresolvedIsRejected() {
        assertThrows(UnresolvedAddressException.class,
                () -> SockAddr.encode(buf, InetSocketAddress.createUnresolved("localhost", 1), false));
    }

    @Test
    void unknownFamilyOrShortLengthDecodesToNull() {
        int len = SockAddr.encode(buf, new InetSocketAddress("::1", 1), true);
        assertNull(SockAddr.decode(buf, len - 1));
        buf.set(ValueLayout.JAVA_SHORT, 0, (short) Linux.AF_UNIX);
        assertNull(SockAddr.decode(buf, len));
        assertNull(SockAddr.decode(buf, 0));
    }
}
