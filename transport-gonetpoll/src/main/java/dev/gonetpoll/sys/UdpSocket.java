package dev.gonetpoll.sys;

import static dev.gonetpoll.sys.Linux.AF_INET;
import static dev.gonetpoll.sys.Linux.AF_INET6;
import static dev.gonetpoll.sys.Linux.AF_UNSPEC;
import static dev.gonetpoll.sys.Linux.EAGAIN;
import static dev.gonetpoll.sys.Linux.ECONNREFUSED;
import static dev.gonetpoll.sys.Linux.EINTR;
import static dev.gonetpoll.sys.Linux.ENOPROTOOPT;
import static dev.gonetpoll.sys.Linux.IPPROTO_IP;
import static dev.gonetpoll.sys.Linux.IPPROTO_IPV6;
import static dev.gonetpoll.sys.Linux.IPV6_MULTICAST_ALL;
import static dev.gonetpoll.sys.Linux.IPV6_MULTICAST_HOPS;
import static dev.gonetpoll.sys.Linux.IPV6_MULTICAST_IF;
import static dev.gonetpoll.sys.Linux.IPV6_MULTICAST_LOOP;
import static dev.gonetpoll.sys.Linux.IPV6_V6ONLY;
import static dev.gonetpoll.sys.Linux.IP_MULTICAST_ALL;
import static dev.gonetpoll.sys.Linux.IP_MULTICAST_IF;
import static dev.gonetpoll.sys.Linux.IP_MULTICAST_LOOP;
import static dev.gonetpoll.sys.Linux.IP_MULTICAST_TTL;
import static dev.gonetpoll.sys.Linux.MCAST_BLOCK_SOURCE;
import static dev.gonetpoll.sys.Linux.MCAST_JOIN_GROUP;
import static dev.gonetpoll.sys.Linux.MCAST_JOIN_SOURCE_GROUP;
import static dev.gonetpoll.sys.Linux.MCAST_LEAVE_GROUP;
import static dev.gonetpoll.sys.Linux.MCAST_LEAVE_SOURCE_GROUP;
import static dev.gonetpoll.sys.Linux.MSG_TRUNC;
import static dev.gonetpoll.sys.Linux.SOCK_CLOEXEC;
import static dev.gonetpoll.sys.Linux.SOCK_DGRAM;
import static dev.gonetpoll.sys.Linux.SOCK_NONBLOCK;
import static dev.gonetpoll.sys.Linux.SOL_SOCKET;
import static dev.gonetpoll.sys.Linux.SO_BROADCAST;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.util.Enumeration;

/**
 * A non-blocking UDP socket: the datagram operations on top of a {@link Socket}, which keeps what
 * every socket has (bind, connect, close, buffer sizes, IP_TOS, addresses).
 *
 * <ul>
 *   <li>I/O: one datagram per call, sent to an address or, when connected, to the peer; received
 *       with its sender. A send error reported by ICMP ({@code ECONNREFUSED}: nobody listens on the
 *       peer's port) becomes a {@link PortUnreachableException}, as java.nio and Netty report it.</li>
 *   <li>{@link #disconnect}, which keeps the local port (Linux drops an ephemeral one).</li>
 *   <li>Multicast membership with the protocol-independent {@code MCAST_*} requests (RFC 3678): an
 *       IPv4 group at the IPPROTO_IP level, an IPv6 group at IPPROTO_IPV6, so a dual-stack AF_INET6
 *       socket joins groups of both families. Interface index 0 lets the kernel pick the interface
 *       by route.</li>
 *   <li>Multicast and broadcast options; on an AF_INET6 socket the multicast options are set for
 *       both families, because the dual-stack socket sends IPv4 too.</li>
 * </ul>
 *
 * <p>The I/O calls are made by one owner at a time (the channel's goroutine) and use scratch memory
 * allocated once per socket; option calls use a short-lived confined {@link Arena}. Not final only
 * so that tests can simulate kernel states that loopback never produces, such as a full send buffer.
 */
public class UdpSocket {

    private static final int NONBLOCK_CLOEXEC = SOCK_NONBLOCK | SOCK_CLOEXEC;

    /** Scratch layout: the recipient sockaddr, the sender sockaddr and its length, a msghdr. */
    private static final long SEND_ADDR_OFFSET = 0;
    private static final long RECV_ADDR_OFFSET = 32;
    private static final long RECV_ADDR_LEN_OFFSET = 64;
    private static final long MSGHDR_OFFSET = 72;
    private static final long SCRATCH_SIZE = MSGHDR_OFFSET + Linux.MSGHDR_SIZE;

    /** {@code struct msghdr} fields used by sendmsg. */
    private static final long MSG_NAME = 0;
    private static final long MSG_NAMELEN = 8;
    private static final long MSG_IOV = 16;
    private static final long MSG_IOVLEN = 24;

    /** {@code struct sockaddr_storage}, and its offsets in {@code group_req} / {@code group_source_req}. */
    private static final int SOCKADDR_STORAGE_SIZE = 128;
    private static final int GROUP_OFFSET = 8;
    private static final int SOURCE_OFFSET = GROUP_OFFSET + SOCKADDR_STORAGE_SIZE;
    private static final int GROUP_REQ_SIZE = GROUP_OFFSET + SOCKADDR_STORAGE_SIZE;
    private static final int GROUP_SOURCE_REQ_SIZE = SOURCE_OFFSET + SOCKADDR_STORAGE_SIZE;

    /** {@code struct ip_mreqn}: multicast address, interface address, interface index. */
    private static final int IP_MREQN_SIZE = 12;

    private final Socket socket;
    /**
     * GC-managed rather than freed by close(), so that a close racing with an I/O call can never
     * leave the kernel writing freed memory.
     */
    private final MemorySegment scratch = Arena.ofAuto().allocate(SCRATCH_SIZE, Long.BYTES);
    private final MemorySegment sendAddr = scratch.asSlice(SEND_ADDR_OFFSET, SockAddr.MAX_SIZE);
    private final MemorySegment recvAddr = scratch.asSlice(RECV_ADDR_OFFSET, SockAddr.MAX_SIZE);

    /**
     * Opens a UDP socket: AF_INET6 (dual-stack, IPV6_V6ONLY off) or AF_INET. IP_MULTICAST_ALL is
     * turned off, as java.nio and Netty do: otherwise Linux hands this socket, if bound to the
     * wildcard, the datagrams of every group any socket of the host joined on its port.
     *
     * @throws UncheckedIOException wrapping the mapped IOException if the socket cannot be created
     */
    public UdpSocket(boolean ipv6) {
        int fd = LibC.socket(ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM | NONBLOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new UncheckedIOException(Errors.newIOException("socket", LibC.errno()));
        }
        socket = new Socket(fd, ipv6);
        try {
            if (ipv6) {
                socket.setIntOption(IPPROTO_IPV6, IPV6_V6ONLY, 0);
                setOptionIfKnown(IPPROTO_IPV6, IPV6_MULTICAST_ALL, 0); // Linux 4.20+
            }
            setOptionIfKnown(IPPROTO_IP, IP_MULTICAST_ALL, 0); // Linux 2.6.31+
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException closeFailure) {
                e.addSuppressed(closeFailure);
            }
            throw new UncheckedIOException(e);
        }
    }

    /** The socket itself, for bind, connect, close, addresses and the options every socket has. */
    public Socket socket() {
        return socket;
    }

    public boolean isIPv6() {
        return socket.isIPv6();
    }

    // ---------------------------------------------------------------------------------------------
    // I/O

    /**
     * Sends one datagram of {@code length} bytes at {@code address}.
     *
     * @param recipient where to, or null for the connected peer
     * @return the bytes sent (all of them) or {@link Socket#WOULD_BLOCK} when the send buffer is full
     * @throws PortUnreachableException if an earlier datagram to the connected peer was refused
     */
    public int sendTo(long address, int length, InetSocketAddress recipient) throws IOException {
        ensureOpen();
        int addrLen = encodeRecipient(recipient);
        long addr = addrLen == 0 ? 0 : sendAddr.address();
        long n;
        do {
            n = LibC.sendto(socket.fd(), address, length, 0, addr, addrLen);
        } while (n < 0 && shouldRetry("sendto", recipient));
        return n < 0 ? Socket.WOULD_BLOCK : (int) n;
    }

    /**
     * Sends one datagram gathered from {@code iovCount} iovec entries (see {@link IovArray}).
     *
     * @param recipient where to, or null for the connected peer
     * @return the bytes sent or {@link Socket#WOULD_BLOCK}
     */
    public long sendToGathering(long iovAddress, int iovCount, InetSocketAddress recipient) throws IOException {
        ensureOpen();
        int addrLen = encodeRecipient(recipient);
        scratch.set(ValueLayout.JAVA_LONG, MSGHDR_OFFSET + MSG_NAME, addrLen == 0 ? 0 : sendAddr.address());
        scratch.set(ValueLayout.JAVA_LONG, MSGHDR_OFFSET + MSG_NAMELEN, addrLen); // and the padding after it
        scratch.set(ValueLayout.JAVA_LONG, MSGHDR_OFFSET + MSG_IOV, iovAddress);
        scratch.set(ValueLayout.JAVA_LONG, MSGHDR_OFFSET + MSG_IOVLEN, iovCount);
        scratch.asSlice(MSGHDR_OFFSET + MSG_IOVLEN + Long.BYTES, Linux.MSGHDR_SIZE - MSG_IOVLEN - Long.BYTES)
                .fill((byte) 0); // no control data, no flags
        long n;
        do {
            n = LibC.sendmsg(socket.fd(), scratch.address() + MSGHDR_OFFSET, 0);
        } while (n < 0 && shouldRetry("sendmsg", recipient));
        return n < 0 ? Socket.WOULD_BLOCK : n;
    }

    /**
     * Receives one datagram into {@code capacity} bytes at {@code address}. A longer datagram is
     * truncated to the buffer (the kernel drops the rest); {@code out} tells its full length.
     *
     * @param out receives the sender and the datagram's full length
     * @return the bytes stored (0 for an empty datagram) or {@link Socket#WOULD_BLOCK}
     * @throws PortUnreachableException if a datagram sent to the connected peer was refused
     */
    public int receive(long address, int capacity, ReceivedDatagram out) throws IOException {
        ensureOpen();
        long addrLenAddress = scratch.address() + RECV_ADDR_LEN_OFFSET;
        long n;
        do {
            scratch.set(ValueLayout.JAVA_INT, RECV_ADDR_LEN_OFFSET, SockAddr.MAX_SIZE);
            n = LibC.recvfrom(socket.fd(), address, capacity, MSG_TRUNC, recvAddr.address(), addrLenAddress);
        } while (n < 0 && shouldRetry("recvfrom", null));
        if (n < 0) {
            return Socket.WOULD_BLOCK;
        }
        out.sender = SockAddr.decode(recvAddr, scratch.get(ValueLayout.JAVA_INT, RECV_ADDR_LEN_OFFSET));
        out.length = (int) n;
        return (int) Math.min(n, capacity);
    }

    /**
     * Dissolves the association made by connect: afterwards the socket receives from anyone and
     * needs an address for every send. The local address stays: Linux unbinds a port the kernel
     * picked (bind with port 0, or the implicit bind of connect) on disconnect, so it is bound
     * again, as the JDK does.
     *
     * @throws java.net.BindException if another socket took the port in between; the socket is
     *         then disconnected and unbound
     */
    public void disconnect() throws IOException {
        ensureOpen();
        InetSocketAddress before = boundAddress();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment unspec = arena.allocate(SockAddr.IPV4_SIZE, Long.BYTES); // all zero
            unspec.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNSPEC);
            if (LibC.connect(socket.fd(), unspec.address(), SockAddr.IPV4_SIZE) < 0) {
                throw Errors.newIOException("disconnect", LibC.errno());
            }
        }
        InetSocketAddress after = boundAddress();
        if (before != null && before.getPort() != 0 && after != null && after.getPort() == 0) {
            socket.bind(new InetSocketAddress(after.getAddress(), before.getPort()));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Multicast membership

    /**
     * Joins {@code group} on the interface with index {@code interfaceIndex} (0: the kernel picks one
     * by route), for datagrams from any source, or only from {@code source} if not null (SSM).
     */
    public void joinGroup(InetAddress group, int interfaceIndex, InetAddress source) throws IOException {
        int request = source == null ? MCAST_JOIN_GROUP : MCAST_JOIN_SOURCE_GROUP;
        membership(request, "join", group, interfaceIndex, source);
    }

    /** Leaves what {@link #joinGroup} with the same arguments joined. */
    public void leaveGroup(InetAddress group, int interfaceIndex, InetAddress source) throws IOException {
        int request = source == null ? MCAST_LEAVE_GROUP : MCAST_LEAVE_SOURCE_GROUP;
        membership(request, "leave", group, interfaceIndex, source);
    }

    /** Stops datagrams from {@code source} to a group this socket joined for any source on that interface. */
    public void blockSource(InetAddress group, int interfaceIndex, InetAddress source) throws IOException {
        if (source == null) {
            throw new IllegalArgumentException("no source to block for group " + group.getHostAddress());
        }
        membership(MCAST_BLOCK_SOURCE, "block", group, interfaceIndex, source);
    }

    private void membership(int request, String what, InetAddress group, int interfaceIndex, InetAddress source)
            throws IOException {
        ensureOpen();
        boolean ipv6Group = group instanceof Inet6Address;
        if (ipv6Group && !isIPv6()) {
            throw new IllegalArgumentException("cannot " + what + " IPv6 group " + group.getHostAddress()
                    + " on an IPv4 socket; create the channel with SocketProtocolFamily.INET6");
        }
        if (!group.isMulticastAddress()) {
            throw new IllegalArgumentException("not a multicast address: " + group.getHostAddress());
        }
        if (source != null && (source instanceof Inet6Address) != ipv6Group) {
            throw new IllegalArgumentException("source " + source.getHostAddress() + " and group "
                    + group.getHostAddress() + " are not of the same address family");
        }
        try (Arena arena = Arena.ofConfined()) {
            int size = source == null ? GROUP_REQ_SIZE : GROUP_SOURCE_REQ_SIZE;
            MemorySegment req = arena.allocate(size, Long.BYTES); // zeroed
            req.set(ValueLayout.JAVA_INT, 0, interfaceIndex);
            // The group (and source) in its own family, never v4-mapped: the level says which stack handles it.
            SockAddr.encode(req.asSlice(GROUP_OFFSET, SOCKADDR_STORAGE_SIZE),
                    new InetSocketAddress(group, 0), false);
            if (source != null) {
                SockAddr.encode(req.asSlice(SOURCE_OFFSET, SOCKADDR_STORAGE_SIZE),
                        new InetSocketAddress(source, 0), false);
            }
            int level = ipv6Group ? IPPROTO_IPV6 : IPPROTO_IP;
            if (LibC.setsockopt(socket.fd(), level, request, req.address(), size) < 0) {
                int errno = LibC.errno();
                throw new ErrnoException("setsockopt", errno, what + " multicast group " + group.getHostAddress()
                        + (source == null ? "" : " source " + source.getHostAddress())
                        + " on interface index " + interfaceIndex + " failed: " + Errors.strerror(errno));
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Options

    public void setBroadcast(boolean on) throws IOException {
        socket.setIntOption(SOL_SOCKET, SO_BROADCAST, on ? 1 : 0);
    }

    public boolean isBroadcast() throws IOException {
        return socket.getIntOption(SOL_SOCKET, SO_BROADCAST) != 0;
    }

    /** Whether this host's own sockets get the multicast datagrams this socket sends. */
    public void setMulticastLoop(boolean on) throws IOException {
        int value = on ? 1 : 0;
        if (isIPv6()) {
            socket.setIntOption(IPPROTO_IPV6, IPV6_MULTICAST_LOOP, value);
        }
        socket.setIntOption(IPPROTO_IP, IP_MULTICAST_LOOP, value);
    }

    public boolean isMulticastLoop() throws IOException {
        return isIPv6()
                ? socket.getIntOption(IPPROTO_IPV6, IPV6_MULTICAST_LOOP) != 0
                : socket.getIntOption(IPPROTO_IP, IP_MULTICAST_LOOP) != 0;
    }

    /** The TTL (IPv4) and hop limit (IPv6) of multicast datagrams sent. */
    public void setMulticastTtl(int ttl) throws IOException {
        if (isIPv6()) {
            socket.setIntOption(IPPROTO_IPV6, IPV6_MULTICAST_HOPS, ttl);
        }
        socket.setIntOption(IPPROTO_IP, IP_MULTICAST_TTL, ttl);
    }

    public int getMulticastTtl() throws IOException {
        return isIPv6()
                ? socket.getIntOption(IPPROTO_IPV6, IPV6_MULTICAST_HOPS)
                : socket.getIntOption(IPPROTO_IP, IP_MULTICAST_TTL);
    }

    /** The interface multicast datagrams leave by; null for the kernel's choice by route. */
    public void setMulticastInterface(NetworkInterface iface) throws IOException {
        int index = iface == null ? 0 : iface.getIndex();
        InetAddress ipv4 = iface == null ? null : firstAddress(iface, Inet4Address.class);
        if (isIPv6()) {
            socket.setIntOption(IPPROTO_IPV6, IPV6_MULTICAST_IF, index);
        }
        setIpv4MulticastInterface(ipv4, index);
    }

    /** The interface that owns {@code address} (an address of this host) sends multicast datagrams. */
    public void setMulticastInterface(InetAddress address) throws IOException {
        NetworkInterface iface = NetworkInterface.getByInetAddress(address);
        if (iface == null) {
            throw new SocketException("no network interface of this host has the address " + address.getHostAddress());
        }
        if (isIPv6()) {
            socket.setIntOption(IPPROTO_IPV6, IPV6_MULTICAST_IF, iface.getIndex());
        }
        setIpv4MulticastInterface(address instanceof Inet4Address ? address : firstAddress(iface, Inet4Address.class),
                iface.getIndex());
    }

    /** The interface set for multicast datagrams, or null if the kernel picks one by route. */
    public NetworkInterface getMulticastInterface() throws IOException {
        if (isIPv6()) {
            int index = socket.getIntOption(IPPROTO_IPV6, IPV6_MULTICAST_IF);
            return index == 0 ? null : NetworkInterface.getByIndex(index);
        }
        InetAddress address = getIpv4MulticastInterfaceAddress();
        return address == null ? null : NetworkInterface.getByInetAddress(address);
    }

    /** An address of the interface set for multicast datagrams, or null if none is set. */
    public InetAddress getMulticastInterfaceAddress() throws IOException {
        if (!isIPv6()) {
            return getIpv4MulticastInterfaceAddress();
        }
        NetworkInterface iface = getMulticastInterface();
        if (iface == null) {
            return null;
        }
        InetAddress ipv6 = firstAddress(iface, Inet6Address.class);
        return ipv6 != null ? ipv6 : firstAddress(iface, Inet4Address.class);
    }

    private void setIpv4MulticastInterface(InetAddress ipv4, int index) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mreqn = arena.allocate(IP_MREQN_SIZE, Integer.BYTES); // zeroed
            if (ipv4 != null) {
                MemorySegment.copy(ipv4.getAddress(), 0, mreqn, ValueLayout.JAVA_BYTE, 4, 4);
            }
            mreqn.set(ValueLayout.JAVA_INT, 8, index);
            try {
                setOption(IPPROTO_IP, IP_MULTICAST_IF, mreqn);
            } catch (ErrnoException e) {
                // A dual-stack socket on a kernel without IPv4 options for it still serves IPv6.
                if (!isIPv6() || e.errno() != ENOPROTOOPT) {
                    throw e;
                }
            }
        }
    }

    private InetAddress getIpv4MulticastInterfaceAddress() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment inAddr = arena.allocate(4, Integer.BYTES);
            MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, 4);
            ensureOpen();
            if (LibC.getsockopt(socket.fd(), IPPROTO_IP, IP_MULTICAST_IF, inAddr.address(), length.address()) < 0) {
                throw Errors.newIOException("getsockopt", LibC.errno());
            }
            byte[] ip = inAddr.toArray(ValueLayout.JAVA_BYTE);
            InetAddress address = InetAddress.getByAddress(ip);
            return address.isAnyLocalAddress() ? null : address;
        }
    }

    private static InetAddress firstAddress(NetworkInterface iface, Class<? extends InetAddress> family) {
        Enumeration<InetAddress> addresses = iface.getInetAddresses();
        while (addresses.hasMoreElements()) {
            InetAddress address = addresses.nextElement();
            if (family.isInstance(address)) {
                return address;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "UdpSocket(" + socket + ")";
    }

    // ---------------------------------------------------------------------------------------------

    /** Encodes the recipient into the send scratch; returns its length, 0 for none (connected). */
    private int encodeRecipient(InetSocketAddress recipient) {
        return recipient == null ? 0 : SockAddr.encode(sendAddr, recipient, isIPv6());
    }

    /**
     * Called right after an I/O call failed: true to retry (EINTR), false when it would block
     * (EAGAIN); throws the mapped exception for anything else.
     */
    private static boolean shouldRetry(String syscall, InetSocketAddress recipient) throws IOException {
        int errno = LibC.errno();
        if (errno == EINTR) {
            return true;
        }
        if (errno == EAGAIN) {
            return false;
        }
        if (errno == ECONNREFUSED) {
            // ICMP port unreachable for an earlier datagram, reported on this call.
            PortUnreachableException e = new PortUnreachableException(syscall + "(..) failed: "
                    + Errors.strerror(errno) + (recipient == null ? "" : ": " + recipient));
            e.initCause(new ErrnoException(syscall, errno));
            throw e;
        }
        throw Errors.newIOException(syscall, errno, recipient);
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!socket.isOpen()) {
            throw new ClosedChannelException();
        }
    }

    /** getsockname, including an unbound socket's port 0; null on failure. */
    private InetSocketAddress boundAddress() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(SockAddr.MAX_SIZE, Long.BYTES);
            MemorySegment addrLen = arena.allocateFrom(ValueLayout.JAVA_INT, SockAddr.MAX_SIZE);
            if (LibC.getsockname(socket.fd(), addr.address(), addrLen.address()) < 0) {
                return null;
            }
            return SockAddr.decode(addr, addrLen.get(ValueLayout.JAVA_INT, 0));
        }
    }

    private void setOption(int level, int name, MemorySegment value) throws IOException {
        ensureOpen();
        if (LibC.setsockopt(socket.fd(), level, name, value.address(), (int) value.byteSize()) < 0) {
            throw Errors.newIOException("setsockopt", LibC.errno());
        }
    }

    private void setOptionIfKnown(int level, int name, int value) throws IOException {
        try {
            socket.setIntOption(level, name, value);
        } catch (ErrnoException e) {
            if (e.errno() != ENOPROTOOPT) {
                throw e;
            }
        }
    }
}
