package dev.gonetpoll.testsuite;

import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.util.NetUtil;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assumptions.abort;

/**
 * Keeps Netty's multicast tests on loopback. Netty's {@code DatagramMulticastTest} sends to a group
 * on the first interface that is up, multicast-capable and has an address of the family; on most
 * hosts that is a real network interface (Linux's {@code lo} has no MULTICAST flag), and this
 * project's tests must not send anything beyond loopback. So the test runs only where every such
 * candidate interface is a loopback interface, and is aborted otherwise, naming the interfaces.
 * The project's own {@code dev.gonetpoll.it.DatagramMulticastLoopbackTest} covers multicast on
 * {@code lo} explicitly. See the testsuite README.
 */
final class LoopbackMulticastGuard {

    /** Set by a runner that starts the JVM in a network namespace of its own (see the testsuite README). */
    static final String PRIVATE_NETWORK_PROPERTY = "gonetpoll.testsuite.privateNetwork";

    private LoopbackMulticastGuard() {
    }

    /** Aborts the calling test unless Netty's interface choice can only fall on loopback. */
    static void assumeOnlyLoopbackCandidates(SocketProtocolFamily family) throws SocketException {
        if (Boolean.getBoolean(PRIVATE_NETWORK_PROPERTY)) {
            return; // a private network namespace: whatever interface Netty picks, nothing leaves the machine
        }
        List<String> nonLoopback = new ArrayList<>();
        for (NetworkInterface iface : NetUtil.NETWORK_INTERFACES) {
            if (iface.isUp() && iface.supportsMulticast() && hasAddressOf(iface, family) && !iface.isLoopback()) {
                nonLoopback.add(iface.getName());
            }
        }
        if (!nonLoopback.isEmpty()) {
            abort("Netty's multicast test would send to a multicast group of family " + family
                    + " on a non-loopback interface " + nonLoopback
                    + "; tests here use loopback only (see testsuite/README.md)");
        }
    }

    private static boolean hasAddressOf(NetworkInterface iface, SocketProtocolFamily family) {
        for (InetAddress address : Collections.list(iface.getInetAddresses())) {
            boolean ipv4 = address instanceof Inet4Address;
            if (family == SocketProtocolFamily.INET ? ipv4 : address instanceof Inet6Address) {
                return true;
            }
        }
        return false;
    }
}
