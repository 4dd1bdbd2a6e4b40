package dev.gonetpoll.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The command line: argument errors, a port in use, the listen line and a clean stop on SIGTERM. */
@Timeout(120)
class MainTest {

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    private int run(String... args) {
        return Main.run(args, out, err);
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void noArgumentsPrintsUsageAndExits2() {
        assertEquals(2, run());
        assertTrue(err().startsWith("usage: gonetpoll-examples <command>"), err());
        assertTrue(err().contains("hello"), err());
        assertEquals("", out());
    }

    @Test
    void unknownCommandExits2() {
        assertEquals(2, run("frobnicate"));
        assertTrue(err().startsWith("gonetpoll-examples: unknown command 'frobnicate'\nusage:"), err());
        assertEquals("", out());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "--port",                 // missing value
            "--port abc",             // not a number
            "--port 65536",           // out of range
            "--port -1",
            "--port=",
            "--processors 0",
            "--processors many",
            "--host",
            "--host=",
            "--bogus",
            "extra",
            "--help=yes",
    })
    void badHelloArgumentsExit2WithUsage(String args) {
        assertEquals(2, run(("hello " + args).split(" ")), err());
        String[] lines = err().split("\n");
        assertTrue(lines[0].startsWith("gonetpoll-examples hello: "), err());
        assertEquals("usage: gonetpoll-examples hello [options]", lines[1], err());
        assertTrue(err().contains("--port N"), err());
        assertEquals("", out(), "nothing on stdout for a bad command line");
    }

    @Test
    void helpGoesToStdoutAndExits0() {
        assertEquals(0, run("--help"));
        assertTrue(out().contains("hello"), out());
        assertEquals(0, run("hello", "--help"));
        assertTrue(out().contains("--processors N"), out());
        assertEquals("", err());
    }

    @Test
    void optionsParse() throws UsageException {
        ServerOptions o = ServerOptions.parse(List.of("--port", "0", "--processors=3", "--host", "::1"));
        assertEquals(0, o.port());
        assertEquals(3, o.processors());
        assertEquals("::1", o.host());
        assertEquals("[::1]", o.urlHost());
        ServerOptions d = ServerOptions.parse(List.of());
        assertEquals(8080, d.port());
        assertEquals("0.0.0.0", d.host());
        assertEquals(Runtime.getRuntime().availableProcessors(), d.processors());
    }

    @Test
    void portInUseExits1WithOneLineNamingTheAddress() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertEquals(1, run("hello", "--host", "127.0.0.1", "--port", String.valueOf(port), "--processors", "1"));
            String e = err();
            assertTrue(e.endsWith("\n") && e.indexOf('\n') == e.length() - 1, "exactly one line: " + e);
            assertTrue(e.startsWith("gonetpoll-examples hello: "), e);
            assertTrue(e.contains("127.0.0.1:" + port), "names the address: " + e);
            assertEquals("", out());
        }
    }

    // ---- the real process: System.exit codes, the listen line, SIGTERM ----

    @Test
    void processPrintsTheListenLineServesAndStopsGracefullyOnSigterm() throws Exception {
        Process p = start("hello", "--host", "127.0.0.1", "--port", "0", "--processors", "1");
        try {
            Output stdout = new Output(p.getInputStream());
            Output stderr = new Output(p.getErrorStream());
            String first = stdout.firstLine(p, stderr);
            Matcher m = Pattern.compile("gonetpoll hello listening on http://127\\.0\\.0\\.1:(\\d+)/").matcher(first);
            assertTrue(m.matches(), "listen line: " + first);
            int port = Integer.parseInt(m.group(1));
            assertTrue(port > 0, first);

            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(30_000);
                HelloServerTest.send(s, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
                assertEquals(HelloServerTest.OK_RESPONSE,
                        HelloServerTest.readExactly(s, HelloServerTest.OK_RESPONSE.length()));

                p.destroy(); // SIGTERM: the shutdown hook stops the server gracefully ...
                HelloServerTest.assertEndOfStream(s); // ... which closes our idle keep-alive connection
            }
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the process did not exit after SIGTERM");
            assertEquals(128 + 15, p.exitValue(), "exit status after SIGTERM");
            assertEquals(first + "\n", stdout.all(), "exactly one line on stdout");
            String e = stderr.all();
            assertFalse(e.contains("Exception") || e.contains("\tat "), "no exception on stderr: " + e);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void processWithPortInUseExits1WithOneLineOnStderr() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Process p = start("hello", "--host", "127.0.0.1", "--port", String.valueOf(port), "--processors", "1");
            try {
                Output stdout = new Output(p.getInputStream());
                Output stderr = new Output(p.getErrorStream());
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the process did not exit");
                String e = stderr.all();
                assertEquals(1, p.exitValue(), e);
                assertEquals("", stdout.all());
                assertTrue(e.endsWith("\n") && e.indexOf('\n') == e.length() - 1, "exactly one line: " + e);
                assertTrue(e.contains("127.0.0.1:" + port), "names the address: " + e);
            } finally {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void processWithBadArgumentsExits2() throws Exception {
        Process p = start("hello", "--port", "not-a-port");
        try {
            Output stdout = new Output(p.getInputStream());
            Output stderr = new Output(p.getErrorStream());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the process did not exit");
            String e = stderr.all();
            assertEquals(2, p.exitValue(), e);
            assertTrue(e.contains("usage: gonetpoll-examples hello"), e);
            assertEquals("", stdout.all());
        } finally {
            p.destroyForcibly();
        }
    }

    /** Starts {@link Main} in a new JVM (this JVM's java, the test class path, the gonetpoll flags). */
    static Process start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--add-opens");
        cmd.add("java.base/java.lang=ALL-UNNAMED");
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Xmx256m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).start();
    }

    /** Collects a process stream in the background. */
    static final class Output {
        private final StringBuffer text = new StringBuffer();
        private final CompletableFuture<String> done = new CompletableFuture<>();

        Output(InputStream in) {
            Thread.ofPlatform().daemon().start(() -> {
                byte[] buf = new byte[8192];
                try (in) {
                    for (int n; (n = in.read(buf)) >= 0; ) {
                        text.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    }
                    done.complete(text.toString());
                } catch (IOException e) {
                    done.completeExceptionally(e);
                }
            });
        }

        /** The whole output, once the stream is closed (the process has exited). */
        String all() throws Exception {
            return done.get(30, TimeUnit.SECONDS);
        }

        /** The first line, as soon as it is complete. */
        String firstLine(Process p, Output stderr) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                int nl = text.indexOf("\n");
                if (nl >= 0) {
                    return text.substring(0, nl);
                }
                if (!p.isAlive() && done.isDone()) {
                    fail("the process exited with " + p.exitValue() + "; stdout: " + text + "; stderr: "
                            + stderr.all());
                }
                Thread.sleep(10);
            }
            return fail("no line on stdout within 60 s; stdout so far: " + text);
        }
    }
}
