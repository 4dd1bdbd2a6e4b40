package dev.gonetpoll.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code files} on the command line: {@code --dir} and its errors, and the real process. */
@Timeout(120)
class FilesCommandTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(outBytes, true, StandardCharsets.UTF_8),
                new PrintStream(errBytes, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",                       // --dir is required
            "--port 0",
            "--dir",                  // missing value
            "--dir=",
            "--dir . --port abc",     // the server options are still checked
            "--dir . --bogus",
            "--dir . extra",
    })
    void badArgumentsExit2WithTheUsage(String args) {
        String[] argv = ("files " + args).strip().split(" ");
        assertEquals(2, run(argv), err());
        String[] lines = err().split("\n");
        assertTrue(lines[0].startsWith("gonetpoll-examples files: "), err());
        assertEquals("usage: gonetpoll-examples files --dir PATH [options]", lines[1], err());
        assertTrue(err().contains("--dir PATH") && err().contains("--port N"), err());
        assertEquals("", out());
    }

    @Test
    void aMissingDirectoryIsNamed() {
        assertEquals(2, run("files"));
        assertTrue(err().startsWith("gonetpoll-examples files: option --dir is required\n"), err());
    }

    @Test
    void helpNeedsNoDirectory() {
        assertEquals(0, run("files", "--help"));
        assertTrue(out().startsWith("usage: gonetpoll-examples files --dir PATH [options]\n"), out());
        assertTrue(out().contains("--processors N"), out());
        assertEquals("", err());
        outBytes.reset();
        assertEquals(0, run("--help"));
        assertTrue(out().contains("files "), "listed among the commands: " + out());
    }

    @Test
    void aDirectoryThatCannotBeServedExits1WithOneLine() throws IOException {
        Path file = Files.writeString(dir.resolve("file.txt"), "x");
        Path missing = dir.resolve("missing");
        for (Path bad : new Path[] {file, missing}) {
            errBytes.reset();
            assertEquals(1, run("files", "--dir", bad.toString(), "--host", "127.0.0.1", "--port", "0"), err());
            String e = err();
            assertTrue(e.endsWith("\n") && e.indexOf('\n') == e.length() - 1, "exactly one line: " + e);
            assertTrue(e.startsWith("gonetpoll-examples files: cannot serve '" + bad + "': "), e);
        }
        assertTrue(err().endsWith("no such directory\n"), err());
        assertEquals("", out());
    }

    @Test
    void processServesTheDirectoryAndStopsOnSigterm() throws Exception {
        Files.writeString(dir.resolve("hello.txt"), FileServerTestTree.HELLO);
        Process p = MainTest.start("files", "--dir=" + dir, "--host", "127.0.0.1", "--port", "0", "--processors", "1");
        try {
            MainTest.Output stdout = new MainTest.Output(p.getInputStream());
            MainTest.Output stderr = new MainTest.Output(p.getErrorStream());
            String first = stdout.firstLine(p, stderr);
            Matcher m = Pattern.compile("gonetpoll files listening on http://127\\.0\\.0\\.1:(\\d+)/").matcher(first);
            assertTrue(m.matches(), "listen line: " + first);
            try (RawHttpConnection c = new RawHttpConnection(Integer.parseInt(m.group(1)))) {
                assertEquals(FileServerTestTree.HELLO, c.request("GET", "/hello.txt").read().text());
                p.destroy();
                c.assertClosedByServer();
            }
            MainTest.assertStoppedBySigterm(p, first, stdout, stderr);
        } finally {
            p.destroyForcibly();
        }
    }
}
