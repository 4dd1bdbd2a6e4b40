package dev.gonetpoll.channel;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The domain socket channels use Netty's unix interfaces and addresses but never Netty's native
 * code: in a fresh JVM that logs every class and native library it loads, a full use of the
 * channels ({@link DomainSocketProbe}) loads only the plain Java classes of
 * {@code io.netty.channel.unix} (none whose initialization calls native methods) and no Netty
 * library.
 */
class NoNettyNativeCodeTest {

    /** The classes of netty-transport-native-unix-common the domain channels may load. */
    private static final Set<String> PLAIN_JAVA = Set.of(
            "io.netty.channel.unix.DomainSocketAddress",
            "io.netty.channel.unix.DomainSocketChannel",
            "io.netty.channel.unix.DomainSocketChannelConfig",
            "io.netty.channel.unix.DomainSocketReadMode",
            "io.netty.channel.unix.ServerDomainSocketChannel",
            "io.netty.channel.unix.UnixChannel",
            "io.netty.channel.unix.UnixChannelOption",
            "io.netty.channel.unix.PeerCredentials",
            // Loaded as fd()'s type; its native methods are only linked if called, and they never are.
            "io.netty.channel.unix.FileDescriptor",
            // A plain IOException subclass, loaded (not initialized) when the verifier checks the
            // throw sites of FileDescriptor; its enclosing Errors, which calls native code, is not.
            "io.netty.channel.unix.Errors$NativeIoException");

    private static final Pattern LOADED_CLASS = Pattern.compile("\\[class,load\\s*\\] (\\S+) source");
    private static final Pattern LOADED_LIBRARY = Pattern.compile("\\[library\\s*\\] (.*)");

    @Test
    void domainSocketsLoadNoNettyNativeCode() throws Exception {
        List<String> lines = runProbe();
        List<String> printed = lines.stream().filter(line -> !line.startsWith("[")).toList();
        assertEquals(List.of("ok"), printed, String.join("\n", lines));

        Set<String> unixClasses = new TreeSet<>();
        Set<String> libraries = new TreeSet<>();
        for (String line : lines) {
            Matcher c = LOADED_CLASS.matcher(line);
            if (c.find() && c.group(1).startsWith("io.netty.channel.unix.")) {
                unixClasses.add(c.group(1));
            }
            Matcher l = LOADED_LIBRARY.matcher(line);
            if (l.find() && l.group(1).startsWith("Loaded library")) {
                libraries.add(l.group(1));
            }
        }
        assertTrue(unixClasses.contains("io.netty.channel.unix.DomainSocketAddress"),
                "the log must show the classes the probe loaded: " + unixClasses);
        Set<String> unexpected = new TreeSet<>(unixClasses);
        unexpected.removeAll(PLAIN_JAVA);
        assertTrue(unexpected.isEmpty(), "classes of Netty's native unix code were loaded: " + unexpected);
        // JNA's own library, extracted to a temporary file, shows that such loads are logged at all.
        assertTrue(libraries.stream().anyMatch(lib -> lib.contains("jna")), "JNA's library not in the log: " + libraries);
        assertFalse(libraries.stream().anyMatch(lib -> lib.toLowerCase().contains("netty")),
                "a Netty native library was loaded: " + libraries);
        assertFalse(lines.stream().anyMatch(line -> line.contains("io.netty.util.internal.NativeLibraryLoader ")),
                "Netty's native library loader was loaded");
    }

    private static List<String> runProbe() throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = List.of(java,
                "--add-opens=java.base/java.lang=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
                "-Xlog:class+load=info,library=info:stdout",
                // (no hand-offs: on a loaded machine, a cold start may hold a processor long enough
                // to be reported, and the probe checks its output line by line)
                "-Dgonetpoll.retakeAfterMillis=1000000",
                "-cp", System.getProperty("java.class.path"),
                DomainSocketProbe.class.getName());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe JVM did not finish");
        return new String(out, StandardCharsets.UTF_8).strip().lines().toList();
    }
}
