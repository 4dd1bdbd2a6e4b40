package dev.gonetpoll.examples;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.SocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.gonetpoll.examples.FileServerTestTree.HELLO;
import static dev.gonetpoll.examples.FileServerTestTree.SECRET;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The file server over real sockets on an ephemeral port, serving {@link FileServerTestTree} plus a
 * 5 MiB random file and a 64 MiB (sparse) file. Its pipeline is the real one with two recorders
 * added: one at the socket end ("wire", what the transport is asked to write) and one between the
 * codec and the handler ("replies", what the handler writes).
 */
@Timeout(120)
class FileServerTest {

    private static final int RANDOM_SIZE = 5 * 1024 * 1024;
    private static final long BIG_SIZE = 64L * 1024 * 1024;

    @TempDir
    static Path base;
    static Path www;
    static byte[] random;
    static RunningServer server;
    static final WriteRecorder WIRE = new WriteRecorder();
    static final WriteRecorder REPLIES = new WriteRecorder();

    @BeforeAll
    static void start() throws Exception {
        www = FileServerTestTree.create(base);
        random = new byte[RANDOM_SIZE];
        new Random(42).nextBytes(random);
        Files.write(www.resolve("random.bin"), random);
        try (RandomAccessFile big = new RandomAccessFile(www.resolve("big.bin").toFile(), "rw")) {
            big.setLength(BIG_SIZE); // sparse: zeros, no disk or time spent
        }
        DocumentRoot root = DocumentRoot.open(www);
        server = RunningServer.bind(new ServerOptions("127.0.0.1", 0, 2), new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(FileServer.initializer(root)); // runs at once: adds "codec" and "files"
                ch.pipeline().addFirst("wire", WIRE);
                ch.pipeline().addBefore("files", "replies", REPLIES);
            }
        });
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    // ---- whole files, HEAD, zero copy ----

    @Test
    void aFiveMegabyteFileArrivesIntactWithItsHeaders() throws Exception {
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            var response = client.send(HttpRequest.newBuilder(uri("/random.bin")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, response.statusCode());
            assertEquals(sha256(random), sha256(response.body()));
            var headers = response.headers();
            Path file = www.resolve("random.bin");
            Validators validators = Validators.of(file, Files.readAttributes(file, BasicFileAttributes.class));
            assertEquals(String.valueOf(RANDOM_SIZE), headers.firstValue("Content-Length").orElseThrow());
            assertEquals("application/octet-stream", headers.firstValue("Content-Type").orElseThrow());
            assertEquals("bytes", headers.firstValue("Accept-Ranges").orElseThrow());
            assertEquals(validators.etag(), headers.firstValue("ETag").orElseThrow());
            assertEquals(validators.lastModified(), headers.firstValue("Last-Modified").orElseThrow());
            assertTrue(headers.firstValue("Date").isPresent());
        }
    }

    @Test
    void fileBytesGoOutAsDefaultFileRegionsNeverThroughBuffers() throws IOException {
        try (RawHttpConnection c = connect()) {
            assertArrayEquals(random, c.request("GET", "/random.bin").read().body());
            assertArrayEquals(Arrays.copyOfRange(random, 100, 150),
                    c.request("GET", "/random.bin", "Range: bytes=100-149").read().body());
            assertEquals(RANDOM_SIZE, Long.parseLong(c.request("HEAD", "/random.bin").readHead()
                    .header("Content-Length")));
            assertEquals(HELLO, c.request("GET", "/hello.txt").read().text()); // all answers are complete

            List<String> replies = REPLIES.of(c);
            assertEquals(List.of(
                    "response 200", "DefaultFileRegion 0+" + RANDOM_SIZE, "last 0",
                    "response 206", "DefaultFileRegion 100+50", "last 0",
                    "response 200", "last 0", // HEAD: no region, so the file is not even opened
                    "response 200", "DefaultFileRegion 0+14", "last 0"), replies);
            List<String> wire = WIRE.of(c);
            assertEquals(List.of("DefaultFileRegion 0+" + RANDOM_SIZE, "DefaultFileRegion 100+50",
                    "DefaultFileRegion 0+14"), wire.stream().filter(s -> s.contains("Region")).toList(),
                    "the codec passes the regions on to the transport: " + wire);
            long bufferBytes = wire.stream().filter(s -> s.startsWith("bytes ")).mapToLong(s -> Long.parseLong(s.substring(6))).sum();
            assertTrue(bufferBytes < 4 * 300, "only headers went out in buffers: " + bufferBytes + " bytes: " + wire);
        }
    }

    @Test
    void headAnswersWithTheHeadersOfGetAndNoBody() throws IOException {
        try (RawHttpConnection c = connect()) {
            RawHttpConnection.Response get = c.request("GET", "/hello.txt").read();
            RawHttpConnection.Response head = c.request("HEAD", "/hello.txt").readHead();
            assertEquals(200, head.status());
            for (String name : List.of("Content-Length", "Content-Type", "ETag", "Last-Modified", "Accept-Ranges")) {
                assertEquals(get.header(name), head.header(name), name);
            }
            RawHttpConnection.Response missing = c.request("HEAD", "/missing.txt").readHead();
            assertEquals(404, missing.status());
            assertTrue(Integer.parseInt(missing.header("Content-Length")) > 0);
            // Had either HEAD answer carried a body, this would read it instead of the next answer.
            assertEquals(HELLO, c.request("GET", "/hello.txt").read().text());
        }
    }

    @Test
    void anEmptyFileIsServedWithLengthZero() throws IOException {
        try (RawHttpConnection c = connect()) {
            RawHttpConnection.Response r = c.request("GET", "/empty.txt", "Range: bytes=0-0").read();
            assertEquals(200, r.status(), "an empty file has no byte to select: Range is ignored");
            assertEquals("0", r.header("Content-Length"));
            assertNull(r.header("Content-Range"));
            assertEquals(HELLO, c.request("GET", "/hello.txt").read().text());
        }
    }

    // ---- ranges ----

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "bytes=0-4    | bytes 0-4/14  | Hello",
            "bytes=7-     | bytes 7-13/14 | files!\\n",
            "bytes=-6     | bytes 8-13/14 | iles!\\n",
            "bytes=10-999 | bytes 10-13/14| es!\\n",
            "bytes=-99    | bytes 0-13/14 | Hello, files!\\n",
    })
    void aSingleRangeGets206(String range, String contentRange, String body) throws IOException {
        try (RawHttpConnection c = connect()) {
            RawHttpConnection.Response r = c.request("GET", "/hello.txt", "Range: " + range).read();
            assertEquals(206, r.status(), r.toString());
            assertEquals(contentRange, r.header("Content-Range"));
            assertEquals(body.replace("\\n", "\n"), r.text());
            assertEquals("text/plain; charset=utf-8", r.header("Content-Type"));
        }
    }

    @Test
    void aRangeOfALargeFileIsExactlyThatSlice() throws IOException {
        try (RawHttpConnection c = connect()) {
            RawHttpConnection.Response r = c.request("GET", "/random.bin", "Range: bytes=1000000-2999999").read();
            assertEquals(206, r.status());
            assertEquals("bytes 1000000-2999999/" + RANDOM_SIZE, r.header("Content-Range"));
            assertArrayEquals(Arrays.copyOfRange(random, 1_000_000, 3_000_000), r.body());
        }
    }

    @Test
    void rangesThatSelectNothingGet416AndTheConnectionStaysUsable() throws IOException {
        try (RawHttpConnection c = connect()) {
            for (String range : List.of("bytes=14-", "bytes=100-200", "bytes=-0")) {
                RawHttpConnection.Response r = c.request("GET", "/hello.txt", "Range: " + range).read();
                assertEquals(416, r.status(), range);
                assertEquals("bytes */14", r.header("Content-Range"), range);
            }
            assertEquals(HELLO, c.request("GET", "/hello.txt").read().text());
        }
    }

    @Test
    void severalOrInvalidRangesGetTheWholeFile() throws IOException {
        try (RawHttpConnection c = connect()) {
            for (String range : List.of("bytes=0-1,3-4", "bytes=5-1", "pages=1-2", "bytes=x")) {
                RawHttpConnection.Response r = c.request("GET", "/hello.txt", "Range: " + range).read();
                assertEquals(200, r.status(), range);
                assertNull(r.header("Content-Range"));
                assertEquals(HELLO, r.text());
            }
            RawHttpConnection.Response head = c.request("HEAD", "/hello.txt", "Range: bytes=0-4").readHead();
            assertEquals(200, head.status(), "Range applies to GET only");
            assertEquals("14", head.header("Content-Length"));
        }
    }

    @Test
    void ifRangeLetsTheRangeApplyOnlyToTheSameVersion() throws IOException {
        try (RawHttpConnection c = connect()) {
            RawHttpConnection.Response full = c.request("GET", "/hello.txt").read();
            String etag = full.header("ETag");
            String lastModified = full.header("Last-Modified");
            assertEquals(206, c.request("GET", "/hello.txt", "Range: bytes=0-4", "If-Range: " + etag).read().status());
            assertEquals(206, c.request("GET", "/hello.txt", "Range: bytes=0-4", "If-Range: " + lastModified)
                    .read().status());
            for (String other : List.of("\"stale\"", "W/" + etag, "Thu, 01 Jan 1970 00:00:00 GMT", "soon")) {
                RawHttpConnection.Response r = c.request("GET", "/hello.txt", "Range: bytes=0-4", "If-Range: " + other)
                        .read();
                assertEquals(200, r.status(), other);
                assertEquals(HELLO, r.text(), other);
            }
        }
    }

    // ---- conditional requests ----

    @Test
    void ifNoneMatchWithTheCurrentTagGets304() throws IOException {
        try (RawHttpConnection c = connect()) {
            String etag = c.request("GET", "/hello.txt").read().header("ETag");
            for (String value : List.of(etag, "W/" + etag, "\"x\", " + etag, "*")) {
                RawHttpConnection.Response r = c.request("GET", "/hello.txt", "If-None-Match: " + value).read();
                assertEquals(304, r.status(), value);
                assertEquals(etag, r.header("ETag"));
                assertNull(r.header("Content-Length"), "a 304 has no content: " + r);
            }
            assertEquals(304, c.request("HEAD", "/hello.txt", "If-None-Match: " + etag).readHead().status());
            for (String value : List.of("\"x\"", "\"x\", W/\"y\"", "garbage")) {
                RawHttpConnection.Response r = c.request("GET", "/hello.txt", "If-None-Match: " + value).read();
                assertEquals(200, r.status(), value);
                assertEquals(HELLO, r.text());
            }
        }
    }

    @Test
    void ifModifiedSinceGets304OnlyWhenNotModifiedAndWithoutIfNoneMatch() throws IOException {
        try (RawHttpConnection c = connect()) {
            String lastModified = c.request("GET", "/hello.txt").read().header("Last-Modified");
            assertEquals(304, c.request("GET", "/hello.txt", "If-Modified-Since: " + lastModified).read().status());
            assertEquals(304, c.request("GET", "/hello.txt", "If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT")
                    .read().status());
            for (String[] headers : List.of(
                    new String[] {"If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT"},
                    new String[] {"If-Modified-Since: not a date"},
                    new String[] {"If-None-Match: \"other\"", "If-Modified-Since: " + lastModified})) {
                RawHttpConnection.Response r = c.request("GET", "/hello.txt", headers).read();
                assertEquals(200, r.status(), Arrays.toString(headers));
                assertEquals(HELLO, r.text());
            }
        }
    }

    // ---- which files: 404, 403, traversal, directories ----

    @Test
    void missingFilesGet404AndTheConnectionStaysUsable() throws IOException {
        try (RawHttpConnection c = connect()) {
            for (String target : List.of("/missing.txt", "/hello.txt/", "/sub/missing/")) {
                RawHttpConnection.Response r = c.request("GET", target).read();
                assertEquals(404, r.status(), target);
                assertEquals("text/plain; charset=utf-8", r.header("Content-Type"));
                assertTrue(r.text().startsWith("404 Not Found"), r.text());
            }
            assertEquals(HELLO, c.request("GET", "/hello.txt").read().text());
        }
    }

    @Test
    void unreadableFilesGet403() throws IOException {
        Path file = Files.writeString(www.resolve("unreadable.txt"), "private");
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
            assumeFalse(Files.isReadable(file),
                    "this user can read a file with mode 000 (root or CAP_DAC_OVERRIDE): permissions do not"
                            + " restrict it, so there is no unreadable file to refuse");
            try (RawHttpConnection c = connect()) {
                assertEquals(403, c.request("GET", "/unreadable.txt").read().status());
            }
        } finally {
            Files.delete(file);
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("dev.gonetpoll.examples.FileServerTestTree#refusedTargets")
    void traversalIsRefused(String target, int status) throws IOException {
        try (RawHttpConnection c = connect()) {
            RawHttpConnection.Response r = c.request("GET", target).read();
            assertEquals(status, r.status(), target + ": " + r.text());
            assertFalse(r.text().contains(SECRET), r.text());
            assertEquals(HELLO, c.request("GET", "/hello.txt").read().text(), "the connection stays usable");
        }
    }

    @Test
    void encodedNamesAndSymbolicLinksInsideTheRootAreServed() throws IOException {
        try (RawHttpConnection c = connect()) {
            assertEquals("a file named %2e%2e\n", c.request("GET", "/%252e%252e").read().text());
            assertEquals("space\n", c.request("GET", "/space%20name.txt").read().text());
            assertEquals("unicode\n", c.request("GET", "/%C3%BCn%C3%AF.txt").read().text());
            assertEquals(HELLO, c.request("GET", "/link-inside").read().text());
        }
    }

    @Test
    void directoriesServeTheirIndexAfterARedirectToTheirSlash() throws IOException {
        try (RawHttpConnection c = connect()) {
            RawHttpConnection.Response home = c.request("GET", "/").read();
            assertEquals("<h1>home</h1>\n", home.text());
            assertEquals("text/html; charset=utf-8", home.header("Content-Type"));
            RawHttpConnection.Response moved = c.request("GET", "/docs").read();
            assertEquals(301, moved.status());
            assertEquals("/docs/", moved.header("Location"));
            assertEquals("<h1>docs</h1>\n", c.request("GET", "/docs/").read().text());
        }
    }

    // ---- methods, request content, HTTP versions ----

    @Test
    void otherMethodsGet405WithAllowAndTheirContentIsSkipped() throws IOException {
        try (RawHttpConnection c = connect()) {
            c.send("POST /hello.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 11\r\n\r\nhello=world");
            RawHttpConnection.Response post = c.read();
            assertEquals(405, post.status());
            assertEquals("GET, HEAD", post.header("Allow"));
            c.send("PUT /hello.txt HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n0\r\n\r\n");
            assertEquals(405, c.read().status());
            assertEquals(405, c.request("DELETE", "/hello.txt").read().status());
            assertEquals(405, c.request("OPTIONS", "*").read().status());
            assertEquals(HELLO, c.request("GET", "/hello.txt").read().text(), "the contents were skipped");
        }
    }

    @Test
    void contentThatWaitsFor100ContinueIsNotReadAndTheConnectionCloses() throws IOException {
        try (RawHttpConnection c = connect()) {
            c.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            RawHttpConnection.Response r = c.read();
            assertEquals(405, r.status());
            assertEquals("close", r.header("Connection"));
            c.assertClosedByServer();
        }
    }

    @Test
    void http11WithoutHostGets400() throws IOException {
        try (RawHttpConnection c = connect()) {
            assertEquals(400, c.send("GET /hello.txt HTTP/1.1\r\n\r\n").read().status());
            assertEquals(HELLO, c.request("GET", "/hello.txt").read().text());
        }
    }

    @Test
    void http10IsAnsweredInKindAndClosedUnlessKeptAlive() throws IOException {
        try (RawHttpConnection c = connect()) {
            RawHttpConnection.Response kept = c.send("GET /hello.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
            assertEquals("HTTP/1.0 200 OK", kept.statusLine());
            assertEquals("keep-alive", kept.header("Connection"));
            RawHttpConnection.Response last = c.send("GET /hello.txt HTTP/1.0\r\n\r\n").read();
            assertEquals("close", last.header("Connection"));
            assertEquals(HELLO, last.text());
            c.assertClosedByServer();
        }
    }

    // ---- bad requests, aborted transfers, pipelining ----

    @Test
    void malformedAndOversizedRequestsCloseOnlyTheirOwnConnection() throws IOException {
        try (RawHttpConnection good = connect()) {
            assertEquals(HELLO, good.request("GET", "/hello.txt").read().text());
            Map<String, Integer> bad = Map.of(
                    "GET /hello.txt HTTP/9.X\r\nHost: localhost\r\n\r\n", 400,
                    "GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nX-Big: "
                            + "a".repeat(HttpRequestDecoding.MAX_HEADER_SIZE + 100) + "\r\n\r\n", 431,
                    "GET /" + "a".repeat(HttpRequestDecoding.MAX_INITIAL_LINE_LENGTH) + " HTTP/1.1\r\n\r\n", 414);
            for (var e : bad.entrySet()) {
                try (RawHttpConnection c = connect()) {
                    RawHttpConnection.Response r = c.send(e.getKey()).read();
                    assertEquals(e.getValue(), r.status());
                    assertEquals("close", r.header("Connection"));
                    c.assertClosedByServer();
                }
                assertEquals(HELLO, good.request("GET", "/hello.txt").read().text(), "the other client still works");
            }
        }
    }

    @Test
    void clientsLeavingMidFileBreakNothingAndLeaveNoFileOpen() throws Exception {
        Path big = www.resolve("big.bin");
        for (boolean reset : List.of(false, true)) {
            try (RawHttpConnection c = connect()) {
                RawHttpConnection.Response r = c.request("GET", "/big.bin").readHeaders();
                assertEquals(String.valueOf(BIG_SIZE), r.header("Content-Length"));
                assertEquals(1024 * 1024, c.skip(1024 * 1024));
                if (reset) {
                    c.socket().setSoLinger(true, 0); // close with RST instead of FIN
                }
            }
        }
        try (RawHttpConnection c = connect()) {
            RawHttpConnection.Response r = c.request("GET", "/big.bin").readHeaders();
            assertEquals(200, r.status());
            assertEquals(BIG_SIZE, c.skip(BIG_SIZE), "all 64 MiB arrive");
            assertEquals(HELLO, c.request("GET", "/hello.txt").read().text());
        }
        awaitNotOpen(big);
    }

    @Test
    void aFileThatShrinksBeforeItIsSentEndsTheConnectionAndIsClosed() throws Exception {
        Path shrinking = Files.write(www.resolve("shrinking.bin"), new byte[1024 * 1024]);
        try (RawHttpConnection c = connect()) {
            // Both answers are written at once; the big file keeps the transport busy while we
            // truncate the second one, whose headers already promise 1 MiB.
            c.request("GET", "/big.bin").request("GET", "/shrinking.bin");
            awaitReplies(c, 2);
            try (RandomAccessFile f = new RandomAccessFile(shrinking.toFile(), "rw")) {
                f.setLength(10);
            }
            c.readHeaders();
            assertEquals(BIG_SIZE, c.skip(BIG_SIZE));
            RawHttpConnection.Response r = c.readHeaders();
            assertEquals(String.valueOf(1024 * 1024), r.header("Content-Length"));
            assertEquals(10, c.skip(1024 * 1024), "the 10 bytes left, then the connection closes");
        } finally {
            awaitNotOpen(shrinking);
            Files.delete(shrinking);
        }
        try (RawHttpConnection c = connect()) {
            assertEquals(HELLO, c.request("GET", "/hello.txt").read().text());
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws IOException {
        try (RawHttpConnection c = connect()) {
            c.send("GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    + "HEAD /random.bin HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    + "GET /missing.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    + "GET /random.bin HTTP/1.1\r\nHost: localhost\r\nRange: bytes=5-9\r\n\r\n"
                    + "GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertEquals(HELLO, c.read().text());
            assertEquals(String.valueOf(RANDOM_SIZE), c.readHead().header("Content-Length"));
            assertEquals(404, c.read().status());
            assertArrayEquals(Arrays.copyOfRange(random, 5, 10), c.read().body());
            assertEquals("<h1>home</h1>\n", c.read().text());
        }
    }

    @Test
    void manyMorePipelinedRequestsThanTheServerQueuesAreAllAnsweredInOrder() throws IOException {
        int n = FileServerHandler.MAX_UNFINISHED_RESPONSES * 20;
        try (RawHttpConnection c = connect()) {
            StringBuilder requests = new StringBuilder();
            for (int i = 0; i < n; i++) {
                int at = i % HELLO.length();
                requests.append("GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nRange: bytes=")
                        .append(at).append('-').append(at).append("\r\n\r\n");
            }
            c.send(requests.toString());
            for (int i = 0; i < n; i++) {
                assertEquals(String.valueOf(HELLO.charAt(i % HELLO.length())), c.read().text(), "answer " + i);
            }
            assertEquals(HELLO, c.request("GET", "/hello.txt").read().text());
        }
    }

    // ---- helpers ----

    private static RawHttpConnection connect() throws IOException {
        return new RawHttpConnection(server.port());
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** Waits until the handler has written {@code n} responses on this connection. */
    private static void awaitReplies(RawHttpConnection c, int n) throws Exception {
        awaitNothingPending(() -> {
            List<String> replies = REPLIES.of(c);
            return replies.stream().filter(s -> s.startsWith("response ")).count() < n ? replies : null;
        });
    }

    /** Waits until no descriptor of this JVM (the server's) refers to {@code file}. */
    private static void awaitNotOpen(Path file) throws Exception {
        Path real = file.toRealPath();
        awaitNothingPending(() -> {
            List<String> open = descriptorsOf(real);
            return open.isEmpty() ? null : file + " is open as descriptors " + open;
        });
    }

    /** Polls {@code pending} until it returns null; fails with its last answer after 30 s. */
    static void awaitNothingPending(Callable<Object> pending) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (Object left; (left = pending.call()) != null; Thread.sleep(5)) {
            if (System.nanoTime() > deadline) {
                fail("still pending after 30 s: " + left);
            }
        }
    }

    private static List<String> descriptorsOf(Path file) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    if (Files.readSymbolicLink(fd).equals(file)) {
                        found.add(fd.getFileName().toString());
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor was closed while we listed them
                }
            }
        }
        return found;
    }

    /**
     * Records a short description of every message written past it, per client address: responses
     * by status, regions by class and slice, buffers and last contents by size. Holds no message.
     */
    @ChannelHandler.Sharable
    static final class WriteRecorder extends ChannelOutboundHandlerAdapter {

        private final Map<SocketAddress, Queue<String>> byClient = new ConcurrentHashMap<>();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            byClient.computeIfAbsent(ctx.channel().remoteAddress(), k -> new ConcurrentLinkedQueue<>())
                    .add(describe(msg));
            ctx.write(msg, promise);
        }

        List<String> of(RawHttpConnection c) {
            return List.copyOf(byClient.getOrDefault(c.socket().getLocalSocketAddress(), new ConcurrentLinkedQueue<>()));
        }

        private static String describe(Object msg) {
            return switch (msg) {
                case HttpResponse r -> "response " + r.status().code();
                case LastHttpContent last -> "last " + last.content().readableBytes();
                case FileRegion region -> region.getClass().getSimpleName() + " " + region.position() + "+"
                        + region.count();
                case ByteBuf buf -> "bytes " + buf.readableBytes();
                default -> msg.getClass().getName();
            };
        }
    }
}
