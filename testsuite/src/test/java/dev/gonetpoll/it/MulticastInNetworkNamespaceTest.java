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
 * Netty's {@code DatagramMulticastTest} sends to a group on the first multicast-capable interface;
 * on this project's machines that is a real interface, so in the normal run the test is aborted
 * (it must not send beyond loopback). Here it runs for real, in a child JVM inside a private network
 * namespace whose only interface is a multicast-capable {@code lo}: nothing can leave the machine,
 * and the host's network is untouched. Needs {@code unshare} and {@code ip} and the right to create
 * a network namespace (root, as on CI); without them the test is aborted and says why.
 */
@Timeout(300)
class MulticastInNetworkNamespaceTest {

    private static final Pattern SUMMARY =
            Pattern.compile("summary found=(\\d+) succeeded=(\\d+) failed=(\\d+) aborted=(\\d+) skipped=(\\d+)");

    @Test
    void nettysIpv4MulticastTestPassesOnLoopbackInAPrivateNetwork() throws Exception {
        Assumptions.assumeTrue(canCreateNetworkNamespace(),
                "cannot create a network namespace here (needs unshare, ip and CAP_SYS_ADMIN)");
        String out = runInNamespace("dev.gonetpoll.testsuite.GoNetpollDatagramMulticastTest");
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

    private static String runInNamespace(String testClass) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("unshare", "-n", "sh", "-c",
                "ip link set lo up && ip link set lo multicast on && exec \"$0\" \"$@\""));
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments()); // same flags, PARANOID
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
