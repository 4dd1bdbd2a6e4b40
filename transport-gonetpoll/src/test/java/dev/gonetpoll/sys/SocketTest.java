package dev.gonetpoll.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SocketTest {

    private static final InetSocketAddress LOOPBACK4 = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final InetSocketAddress LOOPBACK6 = new InetSocketAddress("::1", 0);

    private final List<Socket> sockets = new ArrayList<>();
    private Arena arena;

    @BeforeEach
    void openArena() {
        arena = Arena.ofConfined();
    }

    @AfterEach
    void closeAll() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        arena.close();
    }

    @Test
    void bindsIPv4LoopbackAndReadsThePortBack() throws IOException {
        Socket server = track(Socket.newStreamSocket(false));
        assertFalse(server.isIPv6());
        assertNull(server.localAddress(), "not bound yet");
        server.bind(LOOPBACK4);
        server.listen(16);
        InetSocketAddress local = server.localAddress();
        assertEquals(InetAddress.getLoopbackAddress(), local.getAddress());
        assertTrue(local.getPort() > 0);
        assertNull(server.remoteAddress());
    }

    @Test
    void bindsIPv6LoopbackAndReadsThePortBack() throws IOException {
        assumeTrue(Socket.isIPv6Supported());
        Socket server = track(Socket.newStreamSocket(true));
        server.bind(LOOPBACK6);
        server.listen(16);
        InetSocketAddress local = server.localAddress();
        assertInstanceOf(Inet6Address.class, local.getAddress());
        assertTrue(local.getAddress().isLoopbackAddress());
        assertTrue(local.getPort() > 0);
    }

    @Test
    void dualStackSocketBoundToTheWildcardAcceptsIPv4AndReportsIPv4Peers() throws IOException {
        assumeTrue(Socket.isIPv6Supported());
        Socket server = track(Socket.newStreamSocket());
        assertTrue(server.isIPv6());
        server.bind(new InetSocketAddress(0));
        server.listen(16);
        InetSocketAddress local = server.localAddress();
        assertTrue(local.getAddress().isAnyLocalAddress());
        assertInstanceOf(Inet6Address.class, local.getAddress(), "0.0.0.0 must become :: on a dual-stack socket");

        // IPv4 client to a dual-stack server, and a dual-stack client to an IPv4 destination.
        Connection v4Client = connect(server, Socket.newStreamSocket(false), new InetSocketAddress("127.0.0.1", local.getPort()));
        assertInstanceOf(Inet4Address.class, v4Client.peer.address().getAddress(), "v4-mapped peer decodes to IPv4");
        assertEquals(v4Client.client.localAddress(), v4Client.peer.address());

        Connection dualClient = connect(server, Socket.newStreamSocket(true), new InetSocketAddress("127.0.0.1", local.getPort()));
        assertEquals(new InetSocketAddress("127.0.0.1", local.getPort()), dualClient.client.remoteAddress());
        assertInstanceOf(Inet4Address.class, dualClient.client.localAddress().getAddress());
    }

    @Test
    void roundTripOverIPv4() throws IOException {
        roundTrip(Socket.newStreamSocket(false), LOOPBACK4);
    }

    @Test
    void roundTripOverIPv6() throws IOException {
        assumeTrue(Socket.isIPv6Supported());
        roundTrip(Socket.newStreamSocket(true), LOOPBACK6);
    }

    private void roundTrip(Socket server, InetSocketAddress bindAddress) throws IOException {
        track(server);
        server.bind(bindAddress);
        server.listen(16);
        Socket client = Socket.newStreamSocket(server.isIPv6());
        Connection c = connect(server, client, server.localAddress());
        assertEquals(c.client.localAddress(), c.peer.address());
        assertEquals(server.localAddress(), c.client.remoteAddress());
        assertEquals(c.client.localAddress(), c.accepted.remoteAddress());

        MemorySegment buf = arena.allocate(64);
        assertEquals(Socket.WOULD_BLOCK, c.accepted.read(buf.address(), 64), "no data yet");

        byte[] hello = "hello, kernel".getBytes(StandardCharsets.US_ASCII);
        MemorySegment out = arena.allocateFrom(ValueLayout.JAVA_BYTE, hello);
        assertEquals(hello.length, c.client.write(out.address(), hello.length));

        Readiness.awaitReadable(c.accepted);
        int n = c.accepted.read(buf.address(), 64);
        assertArrayEquals(hello, buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
        assertEquals(Socket.WOULD_BLOCK, c.accepted.read(buf.address(), 64), "drained");
    }

    @Test
    void acceptWouldBlockWithNothingPending() throws IOException {
        Socket server = listeningServer();
        AcceptedPeer peer = new AcceptedPeer();
        assertEquals(Socket.WOULD_BLOCK, server.accept(peer));
        assertNull(peer.address());
    }

    @Test
    void writevGathersAndReadvScatters() throws IOException {
        Connection c = connectedPair();
        String[] parts = {"one ", "two ", "three"};
        try (IovArray iov = new IovArray()) {
            for (String part : parts) {
                MemorySegment segment = arena.allocateFrom(part, StandardCharsets.US_ASCII);
                assertTrue(iov.add(segment.address(), part.length()));
            }
            assertEquals(3, iov.count());
            assertEquals(13, iov.size());
            assertEquals(13, c.client.writev(iov.address(), iov.count()));

            Readiness.awaitReadable(c.accepted);
            MemorySegment head = arena.allocate(5);
            MemorySegment tail = arena.allocate(100);
            iov.clear();
            iov.add(head.address(), 5);
            iov.add(tail.address(), 100);
            assertEquals(13, c.accepted.readv(iov.address(), iov.count()));
            assertEquals("one t", new String(head.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII));
            assertEquals("wo three", new String(tail.asSlice(0, 8).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII));
            assertEquals(Socket.WOULD_BLOCK, c.accepted.readv(iov.address(), iov.count()));
        }
    }

    @Test
    void connectToAClosedPortFailsWithConnectExceptionNamingTheAddress() throws IOException {
        Socket probe = Socket.newStreamSocket(false);
        probe.bind(LOOPBACK4);
        InetSocketAddress closedPort = probe.localAddress();
        probe.close();

        Socket client = track(Socket.newStreamSocket(false));
        ConnectException e = assertThrows(ConnectException.class, () -> {
            if (!client.connect(closedPort)) {
                Readiness.awaitWritable(client);
                client.finishConnect(closedPort);
            }
        });
        assertTrue(e.getMessage().contains("refused"), e.getMessage());
        assertTrue(e.getMessage().contains(closedPort.toString()), e.getMessage());
    }

    @Test
    void finishConnectReportsSuccessOnceWritable() throws IOException {
        Socket server = listeningServer();
        Socket client = track(Socket.newStreamSocket(false));
        if (!client.connect(server.localAddress())) {
            Readiness.awaitWritable(client);
            assertTrue(client.finishConnect(server.localAddress()));
        }
        assertEquals(server.localAddress(), client.remoteAddress());
    }

    @Test
    void finishConnectIsFalseWhileTheHandshakeIsPending() throws IOException {
        Socket server = track(Socket.newStreamSocket(false));
        server.bind(LOOPBACK4);
        server.listen(0);
        // Backlog 0 queues one connection; the kernel drops the next SYN, leaving that client in SYN_SENT.
        Socket queued = track(Socket.newStreamSocket(false));
        if (!queued.connect(server.localAddress())) {
            Readiness.awaitWritable(queued);
            assertTrue(queued.finishConnect(server.localAddress()));
        }
        Socket pending = track(Socket.newStreamSocket(false));
        assertFalse(pending.connect(server.localAddress()));
        assertFalse(pending.finishConnect(server.localAddress()));
        assertNull(pending.remoteAddress());
    }

    @Test
    void bindingAPortInUseFailsWithBindExceptionNamingTheAddress() throws IOException {
        Socket first = listeningServer();
        InetSocketAddress taken = first.localAddress();
        Socket second = track(Socket.newStreamSocket(false));
        BindException e = assertThrows(BindException.class, () -> second.bind(taken));
        assertEquals("bind(..) failed: Address already in use: " + taken, e.getMessage());
    }

    @Test
    void unresolvedAddressesAreRejected() {
        Socket socket = track(Socket.newStreamSocket(false));
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved("example.invalid", 80);
        assertThrows(UnresolvedAddressException.class, () -> socket.connect(unresolved));
        assertThrows(UnresolvedAddressException.class, () -> socket.bind(unresolved));
    }

    @Test
    void optionsAreSetAndReadBack() throws IOException {
        Socket socket = track(Socket.newStreamSocket());

        socket.setTcpNoDelay(true);
        assertTrue(socket.isTcpNoDelay());
        socket.setTcpNoDelay(false);
        assertFalse(socket.isTcpNoDelay());

        socket.setKeepAlive(true);
        assertTrue(socket.isKeepAlive());
        socket.setKeepAlive(false);
        assertFalse(socket.isKeepAlive());

        socket.setReuseAddress(true);
        assertTrue(socket.isReuseAddress());
        socket.setReusePort(true);
        assertTrue(socket.isReusePort());

        assertEquals(-1, socket.getLinger(), "off by default");
        socket.setLinger(7);
        assertEquals(7, socket.getLinger());
        socket.setLinger(0);
        assertEquals(0, socket.getLinger());
        socket.setLinger(-1);
        assertEquals(-1, socket.getLinger());

        assertTrue(socket.getSendBufferSize() > 0);
        socket.setSendBufferSize(64 * 1024);
        assertTrue(socket.getSendBufferSize() >= 64 * 1024);
        socket.setReceiveBufferSize(32 * 1024);
        assertTrue(socket.getReceiveBufferSize() >= 32 * 1024);

        assertEquals(0, socket.getSoError());
        if (socket.isIPv6()) {
            assertEquals(0, socket.getIntOption(Linux.IPPROTO_IPV6, Linux.IPV6_V6ONLY), "dual stack");
        }
    }

    @Test
    void trafficClassOnIPv4AndDualStackSockets() throws IOException {
        Socket v4 = track(Socket.newStreamSocket(false));
        v4.setTrafficClass(0x10);
        assertEquals(0x10, v4.getTrafficClass());
        assertEquals(0x10, v4.getIntOption(Linux.IPPROTO_IP, Linux.IP_TOS));

        assumeTrue(Socket.isIPv6Supported());
        Socket v6 = track(Socket.newStreamSocket(true));
        v6.setTrafficClass(0x28);
        assertEquals(0x28, v6.getTrafficClass());
        assertEquals(0x28, v6.getIntOption(Linux.IPPROTO_IPV6, Linux.IPV6_TCLASS));
    }

    @Test
    void aPeerResetMakesReadFailWithConnectionReset() throws IOException {
        Connection c = connectedPair();
        c.accepted.setLinger(0);
        c.accepted.close();

        Readiness.awaitReadable(c.client);
        MemorySegment buf = arena.allocate(16);
        ErrnoException e = assertThrows(ErrnoException.class, () -> c.client.read(buf.address(), 16));
        assertEquals(Linux.ECONNRESET, e.errno());
        assertEquals("recv", e.syscall());
        assertEquals("recv(..) failed: Connection reset by peer", e.getMessage());
    }

    @Test
    void shutdownOutputIsSeenAsEndOfStream() throws IOException {
        Connection c = connectedPair();
        c.client.shutdown(false, true);
        assertTrue(c.client.isOutputShutdown());
        assertFalse(c.client.isInputShutdown());

        Readiness.awaitReadable(c.accepted);
        MemorySegment buf = arena.allocate(16);
        assertEquals(0, c.accepted.read(buf.address(), 16));

        c.client.shutdown(true, true);
        assertTrue(c.client.isInputShutdown());
        c.accepted.close();
        Readiness.awaitReadable(c.client);
        assertEquals(0, c.client.read(buf.address(), 16), "read side shut: end of stream");
    }

    @Test
    void shutdownOfAnUnconnectedSocketIsIgnored() throws IOException {
        Socket socket = track(Socket.newStreamSocket(false));
        socket.shutdown(true, true);
        assertTrue(socket.isInputShutdown());
        assertTrue(socket.isOutputShutdown());
    }

    @Test
    void writeToAResetConnectionFails() throws IOException {
        Connection c = connectedPair();
        c.accepted.setLinger(0);
        c.accepted.close();
        Readiness.awaitReadable(c.client);
        MemorySegment buf = arena.allocate(16);
        IOException e = assertThrows(IOException.class, () -> c.client.write(buf.address(), 16));
        assertTrue(e.getMessage().contains("reset") || e.getMessage().contains("Broken pipe"), e.getMessage());
    }

    @Test
    void writeAfterShutdownOutputFailsWithBrokenPipe() throws IOException {
        // send(2) with MSG_NOSIGNAL: the kernel answers EPIPE instead of raising SIGPIPE.
        Connection c = connectedPair();
        c.client.shutdown(false, true);
        MemorySegment buf = arena.allocate(16);
        ErrnoException e = assertThrows(ErrnoException.class, () -> c.client.write(buf.address(), 16));
        assertEquals(Linux.EPIPE, e.errno());
        assertEquals("send(..) failed: Broken pipe", e.getMessage());
    }

    @Test
    void operationsOnAClosedSocketThrowClosedChannelException() throws IOException {
        Socket socket = Socket.newStreamSocket(false);
        socket.close();
        socket.close();
        assertFalse(socket.isOpen());
        assertNull(socket.localAddress());
        assertNull(socket.remoteAddress());

        MemorySegment buf = arena.allocate(16);
        assertThrows(ClosedChannelException.class, () -> socket.read(buf.address(), 16));
        assertThrows(ClosedChannelException.class, () -> socket.write(buf.address(), 16));
        assertThrows(ClosedChannelException.class, () -> socket.readv(buf.address(), 1));
        assertThrows(ClosedChannelException.class, () -> socket.writev(buf.address(), 1));
        assertThrows(ClosedChannelException.class, () -> socket.bind(LOOPBACK4));
        assertThrows(ClosedChannelException.class, () -> socket.listen(1));
        assertThrows(ClosedChannelException.class, () -> socket.accept(new AcceptedPeer()));
        assertThrows(ClosedChannelException.class, () -> socket.connect(LOOPBACK4));
        assertThrows(ClosedChannelException.class, () -> socket.finishConnect(LOOPBACK4));
        assertThrows(ClosedChannelException.class, () -> socket.shutdown(true, true));
        assertThrows(ClosedChannelException.class, socket::isTcpNoDelay);
        assertThrows(ClosedChannelException.class, () -> socket.setLinger(1));
    }

    @Test
    void sendFileFromABadFileDescriptorBlamesTheFileNotTheSocket() throws IOException {
        Connection c = connectedPair();
        MemorySegment offset = arena.allocateFrom(ValueLayout.JAVA_LONG, 0L);
        // -1 is never a descriptor: the socket is fine, so this must not look like a closed channel.
        ErrnoException e = assertThrows(ErrnoException.class, () -> c.client.sendFile(-1, offset.address(), 16));
        assertEquals(Linux.EBADF, e.errno());
        assertTrue(e.getMessage().contains("not open for reading"), e.getMessage());
        assertTrue(c.client.isOpen());
        c.client.close();
        assertThrows(ClosedChannelException.class, () -> c.client.sendFile(-1, offset.address(), 16));
    }

    @Test
    void aStaleFdIsReportedAsAClosedChannel() throws IOException {
        Socket socket = Socket.newStreamSocket(false);
        Socket alias = new Socket(socket.fd(), false);
        socket.close();
        MemorySegment buf = arena.allocate(16);
        // The alias still thinks it is open; the kernel's EBADF must surface as a closed channel.
        assertThrows(ClosedChannelException.class, () -> alias.read(buf.address(), 16));
    }

    @Test
    void linkLocalScopeIdSurvivesBind() throws IOException {
        assumeTrue(Socket.isIPv6Supported());
        Optional<Inet6Address> linkLocal = linkLocalAddress();
        assumeTrue(linkLocal.isPresent(), "no link-local IPv6 address on this host");
        Socket socket = track(Socket.newStreamSocket(true));
        try {
            socket.bind(new InetSocketAddress(linkLocal.get(), 0));
        } catch (BindException e) {
            // A tentative (DAD not finished) address cannot be bound yet; nothing to check then.
            assumeTrue(false, e.getMessage());
        }
        Inet6Address bound = (Inet6Address) socket.localAddress().getAddress();
        assertEquals(linkLocal.get().getScopeId(), bound.getScopeId());
        assertTrue(bound.getScopeId() > 0);
    }

    private static Optional<Inet6Address> linkLocalAddress() throws SocketException {
        return NetworkInterface.networkInterfaces()
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet6Address && a.isLinkLocalAddress())
                .map(a -> (Inet6Address) a)
                .findFirst();
    }

    private record Connection(Socket client, Socket accepted, AcceptedPeer peer) {
    }

    private Socket track(Socket socket) {
        sockets.add(socket);
        return socket;
    }

    private Socket listeningServer() throws IOException {
        Socket server = track(Socket.newStreamSocket(false));
        server.bind(LOOPBACK4);
        server.listen(16);
        return server;
    }

    private Connection connectedPair() throws IOException {
        Socket server = listeningServer();
        return connect(server, Socket.newStreamSocket(false), server.localAddress());
    }

    /** Connects {@code client} to {@code server} (listening at {@code remote}) and accepts it. */
    private Connection connect(Socket server, Socket client, InetSocketAddress remote) throws IOException {
        track(client);
        boolean connected = client.connect(remote);
        AcceptedPeer peer = new AcceptedPeer();
        Readiness.awaitReadable(server);
        int fd = server.accept(peer);
        assertTrue(fd >= 0, "a connection is pending");
        Socket accepted = track(new Socket(fd, server.isIPv6()));
        if (!connected) {
            Readiness.awaitWritable(client);
            assertTrue(client.finishConnect(remote));
        }
        assertNotNull(peer.address());
        return new Connection(client, accepted, peer);
    }
}
