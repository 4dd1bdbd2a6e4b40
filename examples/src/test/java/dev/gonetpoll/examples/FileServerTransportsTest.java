package dev.gonetpoll.examples;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The file server on every transport of {@code --transport}: each writes the same
 * {@code DefaultFileRegion}s its own way (gonetpoll and epoll with {@code sendfile}, NIO through
 * {@code FileChannel.transferTo}), so whole files, slices and a client leaving mid-file are checked
 * on each.
 */
@Timeout(120)
class FileServerTransportsTest {

    private static final int SIZE = 3 * 1024 * 1024 + 17;

    @TempDir
    static Path dir;
    static byte[] content;

    @BeforeAll
    static void files() throws IOException {
        content = new byte[SIZE];
        new Random(7).nextBytes(content);
        Files.write(dir.resolve("data.bin"), content);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void filesAndSlicesArriveIntactAndAnAbandonedTransferHarmsNothing(Transport transport) throws Exception {
        Transports.assumeAvailable(transport);
        try (RunningServer server = FileServer.start(new ServerOptions("127.0.0.1", 0, 1).withTransport(transport), dir)) {
            try (RawHttpConnection abandoned = new RawHttpConnection(server.port())) {
                abandoned.request("GET", "/data.bin").readHeaders();
                assertEquals(1000, abandoned.skip(1000));
            } // closed with most of the file unsent
            try (RawHttpConnection c = new RawHttpConnection(server.port())) {
                RawHttpConnection.Response whole = c.request("GET", "/data.bin").read();
                assertEquals(200, whole.status());
                assertArrayEquals(content, whole.body());
                RawHttpConnection.Response slice = c.request("GET", "/data.bin", "Range: bytes=1048576-2097151").read();
                assertEquals(206, slice.status());
                assertArrayEquals(Arrays.copyOfRange(content, 1048576, 2097152), slice.body());
                RawHttpConnection.Response tail = c.request("GET", "/data.bin", "Range: bytes=-17").read();
                assertArrayEquals(Arrays.copyOfRange(content, SIZE - 17, SIZE), tail.body());
                assertEquals(404, c.request("GET", "/missing.bin").read().status());
            }
        }
    }
}
