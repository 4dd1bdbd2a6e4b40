package dev.gonetpoll.sys;

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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.PortUnreachableException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The datagram syscalls against the real kernel, over loopback only. Multicast uses {@code lo}: Linux
 * loops IPv4 multicast over it (without its MULTICAST flag, since the interface is given
 * explicitly); for IPv6 it has no multicast route, so IPv6 membership is checked in
 * {@code /proc/net/igmp6} instead of by sending.
 */
@Timeout(60)
class UdpSocketTest {

    private static final InetAddress LOOPBACK4 = InetAddress.getLoopbackAddress();
    private static final InetSocketAddress ANY_PORT4 = new InetSocketAddress(LOOPBACK4, 0);
    private static final InetSocketAddress ANY_PORT6 = new InetSocketAddress("::1", 0);
    private static final int CAPACITY = 2048;

    private final List<UdpSocket> sockets = new ArrayList<>();
    private Arena arena;
    private MemorySegment buffer;

    @BeforeEach
    void openArena() {
        arena = Arena.ofConfined();
        buffer = arena.allocate(CAPACITY);
    }

    @AfterEach
    void closeAll() throws IOException {
        for (UdpSocket udp : sockets) {
            udp.socket().close();
        }
        arena.close();
    }

    @Test
    void sendsToAnAddressAndReceivesWithTheSender() throws IOException {
        UdpSocket receiver = bound(false, ANY_PORT4);
        UdpSocket sender = bound(false, ANY_PORT4);
        send(sender, "hello", receiver.socket().localAddress());

        ReceivedDatagram from = new ReceivedDatagram();
        int n = receiveWhenReady(receiver, CAPACITY, from);
        assertEquals("hello", text(n));
        assertEquals(5, from.length());
        assertEquals(sender.socket().localAddress(), from.sender());
    }

    @Test
    void dualStackSocketSendsAndReceivesIPv4AndIPv6() throws IOException {
        assumeTrue(Socket.isIPv6Supported());
        UdpSocket receiver = bound(true, new InetSocketAddress("::", 0));
        int port = receiver.socket().localAddress().getPort();
        UdpSocket sender4 = bound(false, ANY_PORT4);
        UdpSocket sender6 = bound(true, ANY_PORT6);

        ReceivedDatagram from = new ReceivedDatagram();
        send(sender4, "four", new InetSocketAddress(LOOPBACK4, port));
        assertEquals("four", text(receiveWhenReady(receiver, CAPACITY, from)));
        assertEquals(sender4.socket().localAddress(), from.sender(), "v4-mapped sender comes back as IPv4");

        send(sender6, "six", new InetSocketAddress("::1", port));
        assertEquals("six", text(receiveWhenReady(receiver, CAPACITY, from)));
        assertEquals(sender6.socket().localAddress(), from.sender());
    }

    @Test
    void nothingQueuedWouldBlock() throws IOException {
        UdpSocket receiver = bound(false, ANY_PORT4);
        assertEquals(Socket.WOULD_BLOCK, receiver.receive(buffer.address(), CAPACITY, new ReceivedDatagram()));
    }

    @Test
    void longerDatagramIsTruncatedAndTellsItsFullLength() throws IOException {
        UdpSocket receiver = bound(false, ANY_PORT4);
        UdpSocket sender = bound(false, ANY_PORT4);
        send(sender, "0123456789", receiver.socket().localAddress());
        send(sender, "next", receiver.socket().localAddress());

        ReceivedDatagram from = new ReceivedDatagram();
        assertEquals("0123", text(receiveWhenReady(receiver, 4, from)));
        assertEquals(10, from.length());
        // The rest of the long one is gone; the next datagram is whole.
        assertEquals("next", text(receiveWhenReady(receiver, CAPACITY, from)));
        assertEquals(4, from.length());
    }

    @Test
    void emptyDatagramIsADatagram() throws IOException {
        UdpSocket receiver = bound(false, ANY_PORT4);
        UdpSocket sender = bound(false, ANY_PORT4);
        assertEquals(0, sender.sendTo(0, 0, receiver.socket().localAddress()));

        ReceivedDatagram from = new ReceivedDatagram();
        assertEquals(0, receiveWhenReady(receiver, CAPACITY, from));
        assertEquals(sender.socket().localAddress(), from.sender());
    }

    @Test
    void gatheringSendIsOneDatagram() throws IOException {
        UdpSocket receiver = bound(false, ANY_PORT4);
        UdpSocket sender = bound(false, ANY_PORT4);
        MemorySegment a = arena.allocateFrom("gather", StandardCharsets.US_ASCII);
        MemorySegment b = arena.allocateFrom("ed", StandardCharsets.US_ASCII);
        try (IovArray iov = new IovArray()) {
            iov.add(a.address(), 6);
            iov.add(b.address(), 2);
            assertEquals(8, sender.sendToGathering(iov.address(), iov.count(), receiver.socket().localAddress()));
        }
        assertEquals("gathered", text(receiveWhenReady(receiver, CAPACITY, new ReceivedDatagram())));
    }

    @Test
    void connectedSendNeedsNoAddressAndARefusedPeerIsReportedOnTheNextCall() throws Exception {
        UdpSocket closedPeer = bound(false, ANY_PORT4);
        InetSocketAddress peer = closedPeer.socket().localAddress();
        closedPeer.socket().close();

        UdpSocket client = track(new UdpSocket(false));
        assertTrue(client.socket().connect(peer), "UDP connect completes at once");
        send(client, "anyone?", null);
        // The ICMP port unreachable arrives asynchronously; it fails the next send or receive.
        IOException refused = null;
        for (int i = 0; i < 200 && refused == null; i++) {
            try {
                send(client, "again", null);
                Thread.sleep(5);
            } catch (IOException e) {
                refused = e;
            }
        }
        assertInstanceOf(PortUnreachableException.class, refused);
        assertTrue(refused.getMessage().contains("Connection refused"), refused.getMessage());
    }

    @Test
    void unconnectedSendWithoutAddressFails() {
        UdpSocket udp = track(new UdpSocket(false));
        IOException e = assertThrows(IOException.class, () -> send(udp, "where?", null));
        assertTrue(e.getMessage().startsWith("sendto(..) failed"), e.getMessage());
    }

    @Test
    void sendToTheWrongFamilyNamesTheAddress() {
        assumeTrue(Socket.isIPv6Supported());
        UdpSocket ipv4Only = track(new UdpSocket(false));
        InetSocketAddress ipv6 = new InetSocketAddress("::1", 9);
        IOException e = assertThrows(IOException.class, () -> send(ipv4Only, "x", ipv6));
        assertTrue(e.getMessage().contains(ipv6.toString()), e.getMessage());
    }

    @Test
    void disconnectKeepsAnExplicitlyBoundEphemeralPort() throws IOException {
        UdpSocket udp = bound(false, ANY_PORT4);
        InetSocketAddress local = udp.socket().localAddress();
        UdpSocket peer = bound(false, ANY_PORT4);
        udp.socket().connect(peer.socket().localAddress());

        udp.disconnect();
        assertEquals(local, udp.socket().localAddress());
        assertNull(udp.socket().remoteAddress());
        // Unconnected again: datagrams from anyone arrive.
        UdpSocket stranger = bound(false, ANY_PORT4);
        send(stranger, "hi", local);
        assertEquals("hi", text(receiveWhenReady(udp, CAPACITY, new ReceivedDatagram())));
    }

    @Test
    void disconnectKeepsThePortThatConnectPicked() throws IOException {
        UdpSocket udp = track(new UdpSocket(false));
        UdpSocket peer = bound(false, ANY_PORT4);
        udp.socket().connect(peer.socket().localAddress());
        int port = udp.socket().localAddress().getPort();

        udp.disconnect();
        assertEquals(port, udp.socket().localAddress().getPort());
    }

    @Test
    void closedSocketFailsWithClosedChannelException() throws IOException {
        UdpSocket udp = new UdpSocket(false);
        udp.socket().close();
        assertThrows(ClosedChannelException.class, () -> udp.sendTo(0, 0, ANY_PORT4));
        assertThrows(ClosedChannelException.class, () -> udp.receive(buffer.address(), 1, new ReceivedDatagram()));
        assertThrows(ClosedChannelException.class, udp::disconnect);
        assertThrows(ClosedChannelException.class, () -> udp.joinGroup(InetAddress.getByName("230.0.0.70"), 0, null));
    }

    @Test
    void optionsRoundTrip() throws IOException {
        for (boolean ipv6 : Socket.isIPv6Supported() ? new boolean[] {false, true} : new boolean[] {false}) {
            UdpSocket udp = track(new UdpSocket(ipv6));
            assertFalse(udp.isBroadcast());
            udp.setBroadcast(true);
            assertTrue(udp.isBroadcast());

            assertTrue(udp.isMulticastLoop(), "Linux loops multicast back by default");
            udp.setMulticastLoop(false);
            assertFalse(udp.isMulticastLoop());

            udp.setMulticastTtl(7);
            assertEquals(7, udp.getMulticastTtl());

            assertNull(udp.getMulticastInterface());
            NetworkInterface lo = loopbackInterface();
            udp.setMulticastInterface(lo);
            assertEquals(lo, udp.getMulticastInterface());
            assertTrue(lo.inetAddresses().anyMatch(udp.getMulticastInterfaceAddress()::equals));
            udp.setMulticastInterface((NetworkInterface) null);
            assertNull(udp.getMulticastInterface());
            udp.setMulticastInterface(LOOPBACK4);
            assertEquals(lo, udp.getMulticastInterface());
        }
    }

    @Test
    void multicastInterfaceByAnAddressNoInterfaceHasFailsClearly() {
        UdpSocket udp = track(new UdpSocket(false));
        IOException e = assertThrows(IOException.class,
                () -> udp.setMulticastInterface(InetAddress.getByName("192.0.2.123")));
        assertTrue(e.getMessage().contains("192.0.2.123"), e.getMessage());
    }

    @Test
    void joinedIPv4GroupReceivesOverLoopbackUntilLeft() throws Exception {
        NetworkInterface lo = loopbackInterface();
        InetAddress group = InetAddress.getByName("230.0.0.71");
        UdpSocket member = bound(false, new InetSocketAddress(0));
        int port = member.socket().localAddress().getPort();
        UdpSocket sender = track(new UdpSocket(false));
        sender.setMulticastInterface(lo);

        member.joinGroup(group, lo.getIndex(), null);
        assertTrue(procMembership("/proc/net/igmp").contains(igmpHex(group)), "joined group is listed for lo");
        send(sender, "to the group", new InetSocketAddress(group, port));
        assertEquals("to the group", text(receiveWhenReady(member, CAPACITY, new ReceivedDatagram())));

        member.leaveGroup(group, lo.getIndex(), null);
        assertFalse(procMembership("/proc/net/igmp").contains(igmpHex(group)));
        send(sender, "nobody listens", new InetSocketAddress(group, port));
        sleepMillis(200);
        assertEquals(Socket.WOULD_BLOCK, member.receive(buffer.address(), CAPACITY, new ReceivedDatagram()));
    }

    @Test
    void dualStackSocketJoinsAnIPv4Group() throws Exception {
        assumeTrue(Socket.isIPv6Supported());
        NetworkInterface lo = loopbackInterface();
        InetAddress group = InetAddress.getByName("230.0.0.72");
        UdpSocket member = bound(true, new InetSocketAddress("::", 0));
        int port = member.socket().localAddress().getPort();
        UdpSocket sender = track(new UdpSocket(true));
        sender.setMulticastInterface(lo);

        member.joinGroup(group, lo.getIndex(), null);
        send(sender, "mapped", new InetSocketAddress(group, port));
        assertEquals("mapped", text(receiveWhenReady(member, CAPACITY, new ReceivedDatagram())));
        member.leaveGroup(group, lo.getIndex(), null);
    }

    @Test
    void sourceSpecificJoinAndBlockFilterBySender() throws Exception {
        NetworkInterface lo = loopbackInterface();
        InetAddress ssmGroup = InetAddress.getByName("232.0.0.73");
        InetAddress anyGroup = InetAddress.getByName("230.0.0.73");
        UdpSocket member = bound(false, new InetSocketAddress(0));
        int port = member.socket().localAddress().getPort();
        // Loopback traffic comes from 127.0.0.1, whatever address of 127/8 the sender binds.
        UdpSocket sender = bound(false, new InetSocketAddress(LOOPBACK4, 0));
        sender.setMulticastInterface(lo);
        InetAddress otherSource = InetAddress.getByName("127.0.0.2");

        member.joinGroup(ssmGroup, lo.getIndex(), otherSource);
        send(sender, "from 127.0.0.1", new InetSocketAddress(ssmGroup, port));
        sleepMillis(200);
        assertEquals(Socket.WOULD_BLOCK, member.receive(buffer.address(), CAPACITY, new ReceivedDatagram()),
                "a source-specific join lets only that source through");
        member.leaveGroup(ssmGroup, lo.getIndex(), otherSource);

        member.joinGroup(ssmGroup, lo.getIndex(), LOOPBACK4);
        send(sender, "from the joined source", new InetSocketAddress(ssmGroup, port));
        assertEquals("from the joined source", text(receiveWhenReady(member, CAPACITY, new ReceivedDatagram())));
        member.leaveGroup(ssmGroup, lo.getIndex(), LOOPBACK4);

        member.joinGroup(anyGroup, lo.getIndex(), null);
        member.blockSource(anyGroup, lo.getIndex(), LOOPBACK4);
        send(sender, "blocked", new InetSocketAddress(anyGroup, port));
        sleepMillis(200);
        assertEquals(Socket.WOULD_BLOCK, member.receive(buffer.address(), CAPACITY, new ReceivedDatagram()),
                "a blocked source is filtered out");
        member.leaveGroup(anyGroup, lo.getIndex(), null);
    }

    @Test
    void ipv6GroupMembershipIsRegisteredOnLoopback() throws Exception {
        assumeTrue(Socket.isIPv6Supported() && Files.isReadable(Path.of("/proc/net/igmp6")));
        NetworkInterface lo = loopbackInterface();
        InetAddress group = InetAddress.getByName("ff02::1:4711");
        UdpSocket member = bound(true, new InetSocketAddress("::", 0));

        member.joinGroup(group, lo.getIndex(), null);
        assertTrue(procMembership("/proc/net/igmp6").contains("ff020000000000000000000000014711"));
        member.leaveGroup(group, lo.getIndex(), null);
        assertFalse(procMembership("/proc/net/igmp6").contains("ff020000000000000000000000014711"));
    }

    @Test
    void badMembershipRequestsFailClearly() throws Exception {
        NetworkInterface lo = loopbackInterface();
        UdpSocket ipv4 = track(new UdpSocket(false));
        IllegalArgumentException v6OnV4 = assertThrows(IllegalArgumentException.class,
                () -> ipv4.joinGroup(InetAddress.getByName("ff02::1:4712"), lo.getIndex(), null));
        assertTrue(v6OnV4.getMessage().contains("IPv4 socket"), v6OnV4.getMessage());
        IllegalArgumentException unicast = assertThrows(IllegalArgumentException.class,
                () -> ipv4.joinGroup(LOOPBACK4, lo.getIndex(), null));
        assertTrue(unicast.getMessage().contains("not a multicast address"), unicast.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ipv4.joinGroup(InetAddress.getByName("230.0.0.74"), lo.getIndex(), InetAddress.getByName("::1")));
        // Leaving a group never joined: the kernel's refusal, naming the group.
        IOException notJoined = assertThrows(IOException.class,
                () -> ipv4.leaveGroup(InetAddress.getByName("230.0.0.75"), lo.getIndex(), null));
        assertTrue(notJoined.getMessage().contains("230.0.0.75"), notJoined.getMessage());
    }

    // ---------------------------------------------------------------------------------------------

    private UdpSocket track(UdpSocket udp) {
        sockets.add(udp);
        return udp;
    }

    private UdpSocket bound(boolean ipv6, InetSocketAddress local) throws IOException {
        UdpSocket udp = track(new UdpSocket(ipv6));
        udp.socket().setReuseAddress(true);
        udp.socket().bind(local);
        return udp;
    }

    private void send(UdpSocket udp, String text, InetSocketAddress to) throws IOException {
        MemorySegment data = arena.allocateFrom(text, StandardCharsets.US_ASCII);
        int length = text.length();
        assertEquals(length, udp.sendTo(data.address(), length, to));
    }

    /** Receives one datagram, waiting for it with the readiness helper (loopback delivers at once). */
    private int receiveWhenReady(UdpSocket udp, int capacity, ReceivedDatagram from) throws IOException {
        for (int i = 0; i < 1000; i++) {
            int n = udp.receive(buffer.address(), capacity, from);
            if (n != Socket.WOULD_BLOCK) {
                return n;
            }
            sleepMillis(5);
        }
        throw new AssertionError("no datagram arrived within 5 s");
    }

    private String text(int length) {
        return new String(buffer.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
    }

    private static NetworkInterface loopbackInterface() throws IOException {
        NetworkInterface lo = NetworkInterface.getByInetAddress(LOOPBACK4);
        assertNotNull(lo, "no interface has " + LOOPBACK4);
        return lo;
    }

    /** The lines of a /proc membership table that belong to the loopback interface. */
    private static String procMembership(String file) throws IOException {
        StringBuilder lo = new StringBuilder();
        boolean inLo = false;
        for (String line : Files.readAllLines(Path.of(file))) {
            if (file.endsWith("igmp6")) {
                if (line.split("\\s+")[1].equals(loopbackInterface().getName())) {
                    lo.append(line).append('\n');
                }
            } else if (!line.startsWith("\t")) {
                String[] header = line.trim().split("\\s+");
                inLo = header.length > 1 && header[1].equals(loopbackInterface().getName());
            } else if (inLo) {
                lo.append(line).append('\n');
            }
        }
        return lo.toString();
    }

    /** A group as /proc/net/igmp prints it: the address as a host-order (little-endian) hex word. */
    private static String igmpHex(InetAddress group) {
        byte[] b = group.getAddress();
        return String.format(Locale.ROOT, "%02X%02X%02X%02X", b[3], b[2], b[1], b[0]);
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
