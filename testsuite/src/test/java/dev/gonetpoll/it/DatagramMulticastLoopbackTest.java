package dev.gonetpoll.it;

import dev.gonetpoll.channel.GoNetpollDatagramChannel;
import dev.gonetpoll.channel.GoNetpollEventLoopGroup;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Multicast with {@link GoNetpollDatagramChannel} on the loopback interface only, the part Netty's
 * {@code DatagramMulticastTest} cannot run here (it picks the first multicast-capable interface,
 * which is a real one; see testsuite/README.md).
 *
 * <p>Every sender sets IP_MULTICAST_IF to {@code lo} and every membership names {@code lo}, so no
 * datagram and no IGMP/MLD report leaves loopback. Linux loops IPv4 multicast over {@code lo} even
 * though it lacks the MULTICAST flag. IPv6 multicast cannot be sent over {@code lo} (it has no
 * {@code ff00::/8} route: sendto fails with ENETUNREACH), so IPv6 membership is checked in
 * {@code /proc/net/igmp6}.
 *
 * <p>A datagram that must not arrive is checked after a second datagram that must: loopback keeps
 * the order, so once the second is read the first would have been read before it.
 */
@Timeout(120)
class DatagramMulticastLoopbackTest {

    private static final InetAddress LOOPBACK4 = InetAddress.getLoopbackAddress();

    private static EventLoopGroup goNetpoll;
    private static EventLoopGroup nio;
    private static NetworkInterface lo;

    private final List<DatagramChannel> channels = new ArrayList<>();

    @BeforeAll
    static void setUp() throws IOException {
        goNetpoll = new GoNetpollEventLoopGroup(2);
        nio = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        lo = NetworkInterface.getByInetAddress(LOOPBACK4);
        assertNotNull(lo, "no interface has " + LOOPBACK4);
    }

    @AfterAll
    static void tearDown() {
        goNetpoll.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        nio.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @AfterEach
    void closeChannels() {
        for (DatagramChannel ch : channels) {
            ch.close().syncUninterruptibly();
        }
    }

    @Test
    void joinedGroupReceivesUntilLeft() throws Exception {
        InetAddress group = InetAddress.getByName("230.0.1.1");
        Member member = new Member(SocketProtocolFamily.INET);
        DatagramChannel sender = sender(SocketProtocolFamily.INET);
        InetSocketAddress to = new InetSocketAddress(group, member.port());

        member.channel.joinGroup(to, lo).sync();
        send(sender, "joined", to);
        assertEquals("joined", member.next());

        member.channel.leaveGroup(to, lo).sync();
        send(sender, "left", to);
        member.channel.joinGroup(to, lo).sync();
        send(sender, "joined again", to);
        assertEquals("joined again", member.next(), "nothing arrived while not a member");
    }

    @Test
    void joinWithoutAnInterfaceUsesTheConfiguredMulticastInterface() throws Exception {
        InetAddress group = InetAddress.getByName("230.0.1.2");
        Member member = new Member(SocketProtocolFamily.INET);
        member.channel.config().setNetworkInterface(lo);
        DatagramChannel sender = sender(SocketProtocolFamily.INET);
        InetSocketAddress to = new InetSocketAddress(group, member.port());

        member.channel.joinGroup(group).sync();
        assertTrue(igmpGroupsOnLoopback().contains(igmpHex(group)), "joined on lo");
        send(sender, "no interface given", to);
        assertEquals("no interface given", member.next());

        member.channel.leaveGroup(group).sync();
        assertFalse(igmpGroupsOnLoopback().contains(igmpHex(group)));
    }

    @Test
    void sourceSpecificJoinAdmitsOnlyThatSource() throws Exception {
        InetAddress group = InetAddress.getByName("232.0.1.3");
        Member member = new Member(SocketProtocolFamily.INET);
        DatagramChannel sender = sender(SocketProtocolFamily.INET); // loopback traffic comes from 127.0.0.1
        InetSocketAddress to = new InetSocketAddress(group, member.port());

        member.channel.joinGroup(group, lo, InetAddress.getByName("127.0.0.2")).sync();
        send(sender, "wrong source", to);
        member.channel.leaveGroup(group, lo, InetAddress.getByName("127.0.0.2")).sync();
        member.channel.joinGroup(group, lo, LOOPBACK4).sync();
        send(sender, "right source", to);
        assertEquals("right source", member.next());
        member.channel.leaveGroup(group, lo, LOOPBACK4).sync();
    }

    @Test
    void blockedSourceIsFilteredOut() throws Exception {
        InetAddress group = InetAddress.getByName("230.0.1.4");
        Member member = new Member(SocketProtocolFamily.INET);
        DatagramChannel blocked = sender(SocketProtocolFamily.INET);
        InetSocketAddress to = new InetSocketAddress(group, member.port());

        member.channel.joinGroup(to, lo).sync();
        member.channel.block(group, lo, LOOPBACK4).sync();
        send(blocked, "blocked", to);
        member.channel.leaveGroup(to, lo).sync(); // leaving drops the block list too
        member.channel.joinGroup(to, lo).sync();
        send(blocked, "unblocked", to);
        assertEquals("unblocked", member.next(), "the blocked datagram did not arrive");
    }

    @Test
    void blockWithoutAJoinFailsTheFuture() throws Exception {
        Member member = new Member(SocketProtocolFamily.INET);
        Throwable cause = member.channel.block(InetAddress.getByName("230.0.1.5"), lo, LOOPBACK4).await().cause();
        assertInstanceOf(IOException.class, cause);
        assertTrue(cause.getMessage().contains("230.0.1.5"), cause.getMessage());
        assertTrue(member.channel.isOpen());
    }

    @Test
    void nioSenderReachesAGoNetpollMember() throws Exception {
        InetAddress group = InetAddress.getByName("230.0.1.6");
        Member member = new Member(SocketProtocolFamily.INET);
        DatagramChannel sender = (DatagramChannel) new Bootstrap().group(nio)
                .channelFactory(() -> new NioDatagramChannel(SocketProtocolFamily.INET))
                .option(ChannelOption.IP_MULTICAST_IF, lo)
                .handler(new ChannelInboundHandlerAdapter())
                .bind(new InetSocketAddress(LOOPBACK4, 0)).sync().channel();
        channels.add(sender);
        InetSocketAddress to = new InetSocketAddress(group, member.port());

        member.channel.joinGroup(to, lo).sync();
        send(sender, "from nio", to);
        assertEquals("from nio", member.next());
    }

    @Test
    void dualStackChannelJoinsAnIPv4Group() throws Exception {
        assumeTrue(hasIPv6Loopback());
        InetAddress group = InetAddress.getByName("230.0.1.7");
        Member member = new Member(SocketProtocolFamily.INET6);
        DatagramChannel sender = sender(SocketProtocolFamily.INET6);
        InetSocketAddress to = new InetSocketAddress(group, member.port());

        member.channel.joinGroup(to, lo).sync();
        send(sender, "v4 group, v6 sockets", to);
        assertEquals("v4 group, v6 sockets", member.next());
        member.channel.leaveGroup(to, lo).sync();
    }

    @Test
    void ipv6GroupMembershipIsRegisteredOnLoopback() throws Exception {
        assumeTrue(hasIPv6Loopback() && Files.isReadable(Path.of("/proc/net/igmp6")));
        InetAddress group = InetAddress.getByName("ff02::1:4713");
        Member member = new Member(SocketProtocolFamily.INET6);

        member.channel.joinGroup(new InetSocketAddress(group, member.port()), lo).sync();
        assertTrue(igmp6GroupsOnLoopback().contains("ff020000000000000000000000014713"));
        member.channel.leaveGroup(new InetSocketAddress(group, member.port()), lo).sync();
        assertFalse(igmp6GroupsOnLoopback().contains("ff020000000000000000000000014713"));
    }

    @Test
    void ipv6GroupOnAnIPv4ChannelFailsClearly() throws Exception {
        Member member = new Member(SocketProtocolFamily.INET);
        Throwable cause = member.channel.joinGroup(InetAddress.getByName("ff02::1:4714")).await().cause();
        assertInstanceOf(IllegalArgumentException.class, cause);
        assertTrue(cause.getMessage().contains("IPv4 socket"), cause.getMessage());
    }

    @Test
    void multicastOptionsAreTheKernels() throws Exception {
        DatagramChannel ch = sender(SocketProtocolFamily.INET);
        assertEquals(lo, ch.config().getNetworkInterface());
        assertEquals(LOOPBACK4, ch.config().getInterface());
        ch.config().setTimeToLive(5);
        assertEquals(5, ch.config().getTimeToLive());
        ch.config().setLoopbackModeDisabled(true);
        assertTrue(ch.config().isLoopbackModeDisabled());
        ch.config().setLoopbackModeDisabled(false);
        assertFalse(ch.config().isLoopbackModeDisabled());
        ch.config().setNetworkInterface(null);
        assertNull(ch.config().getNetworkInterface());
        assertThrows(io.netty.channel.ChannelException.class,
                () -> ch.config().setInterface(InetAddress.getByName("192.0.2.200")));
    }

    // ---------------------------------------------------------------------------------------------

    /** A gonetpoll channel bound to the wildcard address (multicast is addressed to the group, not to it). */
    private final class Member {
        final DatagramChannel channel;
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();

        Member(SocketProtocolFamily family) throws InterruptedException {
            channel = (DatagramChannel) new Bootstrap().group(goNetpoll)
                    .channelFactory(() -> new GoNetpollDatagramChannel(family))
                    .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket msg) {
                            received.add(msg.content().toString(StandardCharsets.UTF_8));
                        }
                    })
                    .bind(new InetSocketAddress(0)).sync().channel();
            channels.add(channel);
        }

        int port() {
            return channel.localAddress().getPort();
        }

        String next() throws InterruptedException {
            String text = received.poll(10, TimeUnit.SECONDS);
            assertNotNull(text, "no datagram arrived");
            return text;
        }
    }

    /** A gonetpoll channel whose multicast datagrams leave by lo. */
    private DatagramChannel sender(SocketProtocolFamily family) throws InterruptedException {
        DatagramChannel ch = (DatagramChannel) new Bootstrap().group(goNetpoll)
                .channelFactory(() -> new GoNetpollDatagramChannel(family))
                .option(ChannelOption.IP_MULTICAST_IF, lo)
                .handler(new ChannelInboundHandlerAdapter())
                .bind(new InetSocketAddress(LOOPBACK4, 0)).sync().channel();
        channels.add(ch);
        return ch;
    }

    private static void send(DatagramChannel sender, String text, InetSocketAddress to) throws InterruptedException {
        sender.writeAndFlush(new DatagramPacket(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8), to)).sync();
    }

    private static boolean hasIPv6Loopback() {
        return lo.inetAddresses().anyMatch(a -> a instanceof java.net.Inet6Address);
    }

    /** The group lines of /proc/net/igmp under the loopback interface. */
    private static String igmpGroupsOnLoopback() throws IOException {
        StringBuilder groups = new StringBuilder();
        boolean inLo = false;
        for (String line : Files.readAllLines(Path.of("/proc/net/igmp"))) {
            if (!line.startsWith("\t")) {
                String[] header = line.trim().split("\\s+");
                inLo = header.length > 1 && header[1].equals(lo.getName());
            } else if (inLo) {
                groups.append(line).append('\n');
            }
        }
        return groups.toString();
    }

    private static String igmp6GroupsOnLoopback() throws IOException {
        StringBuilder groups = new StringBuilder();
        for (String line : Files.readAllLines(Path.of("/proc/net/igmp6"))) {
            if (line.trim().split("\\s+")[1].equals(lo.getName())) {
                groups.append(line).append('\n');
            }
        }
        return groups.toString();
    }

    /** A group as /proc/net/igmp prints it: the address as a host-order (little-endian) hex word. */
    private static String igmpHex(InetAddress group) {
        byte[] b = group.getAddress();
        return String.format("%02X%02X%02X%02X", b[3], b[2], b[1], b[0]);
    }
}
