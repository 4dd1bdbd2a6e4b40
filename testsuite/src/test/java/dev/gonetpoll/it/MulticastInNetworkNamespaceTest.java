package dev.gonetpoll.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Netty's multicast tests send to a group on the first multicast-capable interface; on this
 * project's machines that is a real interface, so in the normal run they are aborted (nothing may
 * be sent beyond loopback). Here they run for real, each in a child JVM inside a private network
 * namespace of its own: nothing can leave the machine and the host's network is untouched.
 * IPv4 uses {@code lo} made multicast-capable; IPv6 multicast is not delivered over {@code lo} by
 * this kernel, so the IPv6 test gets a veth pair (multicast-capable, IPv6 link-local) instead. Needs
 * {@code unshare} and {@code ip} and the right to create a network namespace (root, as on CI);
 * without them the tests are aborted and say why.
 */
@Timeout(300)
class MulticastInNetworkNamespaceTest {

    private static final Pattern SUMMARY =
            Pattern.compile("summary found=(\\d+) succeeded=(\\d+) failed=(\\d+) aborted=(\\d+) skipped=(\\d+)");

    @Test
    void nettysIpv4MulticastTestPassesOnLoopbackInAPrivateNetwork() throws Exception {
        assertChildPassed(runInNamespace("ip link set lo multicast on",
                "dev.gonetpoll.testsuite.GoNetpollDatagramMulticastTest"));
    }

    @Test
    void nettysIpv6MulticastTestPassesOnAVethPairInAPrivateNetwork() throws Exception {
        // Wait until the link-local address left duplicate address detection ("tentative").
        assertChildPassed(runInNamespace("ip link add gnp0 type veth peer name gnp1"
                        + " && ip link set gnp0 up && ip link set gnp1 up"
                        + " && for i in 1 2 3 4 5 6 7 8 9 10; do"
                        + " ip -6 addr show dev gnp0 scope link | grep -q tentative || break; sleep 0.5; done",
                "dev.gonetpoll.testsuite.GoNetpollDatagramMulticastIPv6Test"));
    }

    private static void assertChildPassed(String out) {
        Matcher m = SUMMARY.matcher(out);
        assertTrue(m.find(), "no summary from the child JVM:\n" + out);
        assertEquals(0, Integer.parseInt(m.group(3)), "failed:\n" + out);
        assertEquals(0, Integer.parseInt(m.group(4)), "aborted:\n" + out);
        assertTrue(Integer.parseInt(m.group(2)) >= 1, "nothing ran:\n" + out);
    }

    private static boolean canCreateNetworkNamespace() throws InterruptedException {
        try {
            Process p = new ProcessBuilder("unshare", "-n", "ip", "link", "set", "lo", "up")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs {@code testClass} in a child JVM in a new network namespace prepared by {@code setup}. */
    private static String runInNamespace(String setup, String testClass) throws IOException, InterruptedException {
        Assumptions.assumeTrue(canCreateNetworkNamespace(),
                "cannot create a network namespace here (needs unshare, ip and CAP_SYS_ADMIN)");
        List<String> command = new ArrayList<>(List.of("unshare", "-n", "sh", "-c",
                "ip link set lo up && " + setup + " && exec \"$0\" \"$@\""));
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments()); // same flags, PARANOID
        command.add("-Dgonetpoll.testsuite.privateNetwork=true"); // see LoopbackMulticastGuard
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(JUnitClassRunner.class.getName());
        command.add(testClass);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(240, TimeUnit.SECONDS), "child JVM did not finish");
        return new String(output, StandardCharsets.UTF_8);
    }
}
