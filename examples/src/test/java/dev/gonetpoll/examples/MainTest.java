package dev.gonetpoll.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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

    /** The first line of each command's usage, as the user sees it after "usage: gonetpoll-examples ". */
    private static final Map<String, String> USAGE_LINES = Map.of(
            "hello", "hello [options]",
            "blocking", "blocking (--sleep-ms N | --db) [--offload] [options]",
            "echo", "echo [options]",
            "proxy", "proxy --target HOST:PORT [options]");

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "proxy --port 0                                 | --target HOST:PORT is required",
            "proxy --target localhost --port 0              | --target needs HOST:PORT, not 'localhost'",
            "proxy --target 127.0.0.1:http --port 0         | --target port must be a number, not 'http'",
            "proxy --target ::1:80 --port 0                 | --target: write an IPv6 address in brackets, e.g. [::1]:80, not '::1:80'",
            "proxy --target 127.0.0.1:1 --transport x       | unknown transport 'x'",
            "blocking --port 0                              | give exactly one of --sleep-ms N or --db",
            "blocking --sleep-ms 1 --db --port 0            | give exactly one of --sleep-ms N or --db",
            "blocking --sleep-ms soon --port 0              | --sleep-ms needs a number, not 'soon'",
            "blocking --db --offload=yes                    | option --offload takes no value",
            "blocking --db --transport carrier-pigeon       | unknown transport 'carrier-pigeon'",
            "echo --transport x                             | unknown transport 'x'",
            "echo --target 127.0.0.1:1                      | unknown option '--target'",
            "hello --transport EPOLL2                       | unknown transport 'EPOLL2'",
    })
    void badArgumentsOfEachCommandExit2WithItsUsage(String args, String message) {
        String[] argv = args.strip().split(" +");
        String command = argv[0];
        assertEquals(2, run(argv), err());
        String[] lines = err().split("\n");
        assertTrue(lines[0].startsWith("gonetpoll-examples " + command + ": " + message), err());
        assertEquals("usage: gonetpoll-examples " + USAGE_LINES.get(command), lines[1], err());
        assertTrue(err().contains("--transport T"), err());
        assertEquals("", out(), "nothing on stdout for a bad command line");
    }

    /** Help needs none of a command's required options (proxy's --target, blocking's --sleep-ms/--db). */
    @ParameterizedTest
    @CsvSource({"blocking, --sleep-ms N", "echo, --processors N", "proxy, --target HOST:PORT"})
    void eachCommandsHelpGoesToStdoutAndExits0(String command, String option) {
        assertEquals(0, run(command, "--help"), err());
        assertTrue(out().startsWith("usage: gonetpoll-examples " + USAGE_LINES.get(command) + "\n"), out());
        assertTrue(out().contains(option), out());
        assertTrue(out().contains("--transport T"), out());
        assertEquals("", err());
    }

    /**
     * echo and proxy run through {@link Main#run} in threads of this JVM: each prints its tcp:// line,
     * the proxy relays to the echo server, and interrupting a thread stops its server.
     */
    @Test
    void echoAndProxyPrintTheirTcpListenLineAndStopWhenInterrupted() throws Exception {
        try (InProcess echo = new InProcess("echo", "--host", "127.0.0.1", "--port", "0", "--processors", "1")) {
            int echoPort = echo.port("gonetpoll echo listening on tcp://127\\.0\\.0\\.1:(\\d+)/");
            try (InProcess proxy = new InProcess("proxy", "--target", "127.0.0.1:" + echoPort,
                    "--host", "127.0.0.1", "--port", "0", "--processors", "1")) {
                int proxyPort = proxy.port("gonetpoll proxy listening on tcp://127\\.0\\.0\\.1:(\\d+)/");
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxyPort)) {
                    s.setSoTimeout(30_000);
                    String ping = "ping through the proxy\n";
                    HelloServerTest.send(s, ping);
                    assertEquals(ping, HelloServerTest.readExactly(s, ping.length()));
                    assertEquals(0, proxy.stop());
                    HelloServerTest.assertEndOfStream(s); // the stopped proxy closed the connection
                }
                proxy.assertOnlyTheListenLine();
            }
            assertEquals(0, echo.stop());
            echo.assertOnlyTheListenLine();
        }
    }

    /** A command run by {@link Main#run} in a thread of this JVM, with its own stdout and stderr. */
    private static final class InProcess implements AutoCloseable {
        private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        private final CompletableFuture<Integer> exitCode = new CompletableFuture<>();
        private final AtomicBoolean interruptedAfterwards = new AtomicBoolean();
        private final Thread thread;

        InProcess(String... args) {
            PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
            PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
            thread = Thread.ofPlatform().name("main-" + args[0]).start(() -> {
                exitCode.complete(Main.run(args, out, err));
                interruptedAfterwards.set(Thread.currentThread().isInterrupted());
            });
        }

        /** Waits for the listen line, checks it against {@code pattern} and returns the port it names. */
        int port(String pattern) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String text;
            while ((text = outBytes.toString(StandardCharsets.UTF_8)).indexOf('\n') < 0) {
                if (exitCode.isDone() || System.nanoTime() > deadline) {
                    fail("no listen line; stdout: " + text + "; stderr: " + errBytes.toString(StandardCharsets.UTF_8));
                }
                Thread.sleep(10);
            }
            String line = text.substring(0, text.indexOf('\n'));
            Matcher m = Pattern.compile(pattern).matcher(line);
            assertTrue(m.matches(), "listen line: " + line);
            return Integer.parseInt(m.group(1));
        }

        /** Interrupts the thread; returns its exit code once the server has stopped. */
        int stop() throws Exception {
            thread.interrupt();
            int code = exitCode.get(60, TimeUnit.SECONDS);
            thread.join();
            assertTrue(interruptedAfterwards.get(), "Main.run must keep the interrupt status");
            return code;
        }

        /** Stops the server if a failed test left it running. */
        @Override
        public void close() throws InterruptedException {
            thread.interrupt();
            thread.join(TimeUnit.SECONDS.toMillis(60));
        }

        void assertOnlyTheListenLine() {
            String text = outBytes.toString(StandardCharsets.UTF_8);
            assertEquals(1, text.split("\n", -1).length - 1, "exactly one line on stdout: " + text);
            assertEquals("", errBytes.toString(StandardCharsets.UTF_8));
        }
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
            assertStoppedBySigterm(p, first, stdout, stderr);
        } finally {
            p.destroyForcibly();
        }
    }

    /**
     * Each server command besides hello in its own process, each on another transport: its listen line,
     * one exchange, a graceful stop on SIGTERM. (The proxy relays to an echo server in this JVM.)
     */
    @ParameterizedTest
    @CsvSource({"blocking --sleep-ms 1, nio, http", "echo, epoll, tcp", "proxy, io_uring, tcp"})
    void eachServerCommandAnnouncesItselfServesAndStopsOnSigterm(String commandLine, String transport, String scheme)
            throws Exception {
        Transports.assumeAvailable(Transport.of(transport));
        List<String> args = new ArrayList<>(List.of(commandLine.split(" ")));
        String command = args.getFirst();
        args.addAll(List.of("--transport", transport, "--host", "127.0.0.1", "--port", "0", "--processors", "1"));
        boolean proxy = command.equals("proxy");
        try (RunningServer target = proxy ? EchoCommand.start(new ServerOptions("127.0.0.1", 0, 1)) : null) {
            if (proxy) {
                args.addAll(List.of("--target", "127.0.0.1:" + target.port()));
            }
            Process p = start(args.toArray(String[]::new));
            try {
                Output stdout = new Output(p.getInputStream());
                Output stderr = new Output(p.getErrorStream());
                String first = stdout.firstLine(p, stderr);
                Matcher m = Pattern.compile("gonetpoll " + command + " listening on " + scheme
                        + "://127\\.0\\.0\\.1:(\\d+)/").matcher(first);
                assertTrue(m.matches(), "listen line: " + first);
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(m.group(1)))) {
                    s.setSoTimeout(30_000);
                    String request = scheme.equals("http") ? "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n" : "ping\n";
                    String answer = scheme.equals("http") ? HelloServerTest.OK_RESPONSE : request;
                    HelloServerTest.send(s, request);
                    assertEquals(answer, HelloServerTest.readExactly(s, answer.length()));
                    p.destroy(); // SIGTERM: the shutdown hook stops the server, closing this idle connection
                    HelloServerTest.assertEndOfStream(s);
                }
                assertStoppedBySigterm(p, first, stdout, stderr);
            } finally {
                p.destroyForcibly();
            }
        }
    }

    /**
     * Waits for a process sent SIGTERM after it printed {@code listenLine}: exit status 143 (the JVM's
     * for SIGTERM, after the shutdown hook stopped the server), only that line on stdout, no exception
     * on stderr.
     */
    static void assertStoppedBySigterm(Process p, String listenLine, Output stdout, Output stderr) throws Exception {
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the process did not exit after SIGTERM");
        assertEquals(128 + 15, p.exitValue(), "exit status after SIGTERM");
        assertEquals(listenLine + "\n", stdout.all(), "exactly one line on stdout");
        String e = stderr.all();
        assertFalse(e.contains("Exception") || e.contains("\tat ") || e.contains("LEAK"),
                "no exception or leak report on stderr: " + e);
    }

    @Test
    void processWithPortInUseExits1WithOneLineOnStderr() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            String e = startupErrorLine(start("hello", "--host", "127.0.0.1", "--port", String.valueOf(port),
                    "--processors", "1"));
            assertTrue(e.contains("127.0.0.1:" + port), "names the address: " + e);
        }
    }

    @Test
    void processWithBadArgumentsExits2() throws Exception {
        String e = stderrAfterExit(start("hello", "--port", "not-a-port"), 2);
        assertTrue(e.contains("usage: gonetpoll-examples hello"), e);
    }

    /** Netty's own message would only say "failed to load the required native library". */
    @ParameterizedTest
    @ValueSource(strings = {"epoll", "io_uring"})
    void processWithAnUnavailableNativeTransportExits1NamingTheCause(String transport) throws Exception {
        String e = startupErrorLine(startWithJvmOptions(List.of("-Dio.netty.transport.noNative=true"),
                "hello", "--transport", transport, "--host", "127.0.0.1", "--port", "0", "--processors", "1"));
        assertTrue(e.startsWith("gonetpoll-examples hello: cannot start the " + transport
                + " event loop group: " + transport + " is not available here: "), e);
        assertTrue(e.contains("-Dio.netty.transport.noNative=true"), "names the cause: " + e);
    }

    /** Waits for a process that cannot start its server: exit code 1, nothing on stdout, one line on stderr. */
    private static String startupErrorLine(Process p) throws Exception {
        String e = stderrAfterExit(p, 1);
        assertTrue(e.endsWith("\n") && e.indexOf('\n') == e.length() - 1, "exactly one line: " + e);
        return e;
    }

    /** Waits for a process that must exit with {@code exitCode} having printed nothing on stdout; its stderr. */
    private static String stderrAfterExit(Process p, int exitCode) throws Exception {
        try {
            Output stdout = new Output(p.getInputStream());
            Output stderr = new Output(p.getErrorStream());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the process did not exit");
            String e = stderr.all();
            assertEquals(exitCode, p.exitValue(), e);
            assertEquals("", stdout.all());
            return e;
        } finally {
            p.destroyForcibly();
        }
    }

    /** Starts {@link Main} in a new JVM (this JVM's java, the test class path, the gonetpoll flags). */
    static Process start(String... args) throws IOException {
        return startWithJvmOptions(List.of(), args);
    }

    /** {@link #start(String...)} with more options for the JVM, before the main class. */
    private static Process startWithJvmOptions(List<String> jvmOptions, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("--add-opens");
        cmd.add("java.base/java.lang=ALL-UNNAMED");
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Xmx256m");
        // the same leak detection as this JVM's (the surefire argLine); a report would go to the child's stderr
        String leakDetection = System.getProperty("io.netty.leakDetection.level");
        if (leakDetection != null) {
            cmd.add("-Dio.netty.leakDetection.level=" + leakDetection);
        }
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
