package dev.gonetpoll.channel;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A missing JVM flag makes the group fail at construction with a message that names the flag. */
class JvmFlagsTest {

    private static final String ADD_OPENS = "--add-opens=java.base/java.lang=ALL-UNNAMED";
    private static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";

    @Test
    void missingAddOpensIsNamed() throws Exception {
        String out = runProbe(NATIVE_ACCESS);
        assertTrue(out.startsWith("failed: "), out);
        assertTrue(out.contains("--add-opens java.base/java.lang=ALL-UNNAMED"), out);
    }

    @Test
    void missingNativeAccessIsNamed() throws Exception {
        String out = runProbe(ADD_OPENS);
        assertTrue(out.startsWith("failed: "), out);
        assertTrue(out.contains("--enable-native-access=ALL-UNNAMED"), out);
    }

    @Test
    void bothFlagsStartTheGroup() throws Exception {
        assertEquals("started", runProbe(ADD_OPENS, NATIVE_ACCESS));
    }

    private static String runProbe(String... flags) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(List.of(flags));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(MissingFlagProbe.class.getName());
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe JVM did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        // The last line is the probe's verdict; loggers may print before it.
        return out.substring(out.lastIndexOf('\n') + 1);
    }
}
