package dev.gonetpoll.sys;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.channels.UnresolvedAddressException;
import java.util.Arrays;

/**
 * Encodes and decodes {@code sockaddr_in} and {@code sockaddr_in6}.
 *
 * <pre>
 * sockaddr_in  (16): family u16 | port u16 BE | addr[4]                              | zero[8]
 * sockaddr_in6 (28): family u16 | port u16 BE | flowinfo u32 | addr[16] | scope_id u32
 * </pre>
 * The family and scope id are in host byte order, port and address in network byte order.
 */
final class SockAddr {

    static final int IPV4_SIZE = 16;
    static final int IPV6_SIZE = 28;
    /** Enough room for either kind; what callers allocate. */
    static final int MAX_SIZE = IPV6_SIZE;

    private static final ValueLayout.OfShort FAMILY = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfShort PORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt SCOPE_ID = ValueLayout.JAVA_INT_UNALIGNED;

    private static final int FAMILY_OFFSET = 0;
    private static final int PORT_OFFSET = 2;
    private static final int IPV4_ADDR_OFFSET = 4;
    private static final int IPV6_ADDR_OFFSET = 8;
    private static final int IPV6_SCOPE_ID_OFFSET = 24;

    private static final byte[] V4_MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};

    private SockAddr() {
    }

    /**
     * Writes {@code address} to {@code dst} (at least {@link #MAX_SIZE} bytes) and returns the
     * sockaddr length. On an IPv6 socket an IPv4 address becomes v4-mapped, except the IPv4
     * wildcard, which becomes {@code ::} so that a dual-stack socket bound to "any" accepts both
     * families (as java.nio does). An IPv6 address on an IPv4 socket is encoded as is and left to
     * the kernel to reject.
     *
     * @throws UnresolvedAddressException if the address has no IP
     */
    static int encode(MemorySegment dst, InetSocketAddress address, boolean ipv6Socket) {
        if (address.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        InetAddress ip = address.getAddress();
        dst.asSlice(0, MAX_SIZE).fill((byte) 0);
        dst.set(PORT, PORT_OFFSET, (short) address.getPort());
        if (ip instanceof Inet6Address ip6) {
            dst.set(FAMILY, FAMILY_OFFSET, (short) Linux.AF_INET6);
            MemorySegment.copy(ip6.getAddress(), 0, dst, ValueLayout.JAVA_BYTE, IPV6_ADDR_OFFSET, 16);
            dst.set(SCOPE_ID, IPV6_SCOPE_ID_OFFSET, ip6.getScopeId());
            return IPV6_SIZE;
        }
        if (ipv6Socket) {
            dst.set(FAMILY, FAMILY_OFFSET, (short) Linux.AF_INET6);
            if (!ip.isAnyLocalAddress()) {
                MemorySegment.copy(V4_MAPPED_PREFIX, 0, dst, ValueLayout.JAVA_BYTE, IPV6_ADDR_OFFSET, 12);
                MemorySegment.copy(ip.getAddress(), 0, dst, ValueLayout.JAVA_BYTE, IPV6_ADDR_OFFSET + 12, 4);
            }
            return IPV6_SIZE;
        }
        dst.set(FAMILY, FAMILY_OFFSET, (short) Linux.AF_INET);
        MemorySegment.copy(ip.getAddress(), 0, dst, ValueLayout.JAVA_BYTE, IPV4_ADDR_OFFSET, 4);
        return IPV4_SIZE;
    }

    /**
     * Reads the sockaddr of {@code length} bytes at {@code src}; a v4-mapped IPv6 address comes
     * back as an {@link Inet4Address}. Returns null for another family or a truncated sockaddr.
     */
    static InetSocketAddress decode(MemorySegment src, int length) {
        if (length < Short.BYTES) {
            return null;
        }
        int family = src.get(FAMILY, FAMILY_OFFSET);
        int port = Short.toUnsignedInt(src.get(PORT, PORT_OFFSET));
        if (family == Linux.AF_INET && length >= IPV4_SIZE) {
            byte[] ip = src.asSlice(IPV4_ADDR_OFFSET, 4).toArray(ValueLayout.JAVA_BYTE);
            return new InetSocketAddress(ipAddress(ip, 0), port);
        }
        if (family == Linux.AF_INET6 && length >= IPV6_SIZE) {
            byte[] ip = src.asSlice(IPV6_ADDR_OFFSET, 16).toArray(ValueLayout.JAVA_BYTE);
            if (isV4Mapped(ip)) {
                return new InetSocketAddress(ipAddress(Arrays.copyOfRange(ip, 12, 16), 0), port);
            }
            return new InetSocketAddress(ipAddress(ip, src.get(SCOPE_ID, IPV6_SCOPE_ID_OFFSET)), port);
        }
        return null;
    }

    private static boolean isV4Mapped(byte[] ip6) {
        return Arrays.equals(ip6, 0, V4_MAPPED_PREFIX.length, V4_MAPPED_PREFIX, 0, V4_MAPPED_PREFIX.length);
    }

    private static InetAddress ipAddress(byte[] ip, int scopeId) {
        try {
            return scopeId == 0 ? InetAddress.getByAddress(ip) : Inet6Address.getByAddress(null, ip, scopeId);
        } catch (UnknownHostException e) {
            // Only thrown for an address array of illegal length, which the callers never pass.
            throw new IllegalArgumentException(e);
        }
    }
}
