package dev.gonetpoll.channel;

import dev.gonetpoll.sys.ErrnoException;
import dev.gonetpoll.sys.Linux;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelProgressiveFuture;
import io.netty.channel.ChannelProgressiveFutureListener;
import io.netty.channel.ChannelProgressivePromise;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.FileRegion;
import io.netty.util.AbstractReferenceCounted;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * FileRegions written by a gonetpoll client to a plain blocking socket on loopback that reads only
 * when the test says so. Small socket buffers make the kernel say EAGAIN long before a region is
 * done, so every write below parks on write readiness and resumes.
 *
 * <p>The build runs this class twice. In the default JVM (only the flags gonetpoll requires), a
 * {@code DefaultFileRegion} made from a {@code File} goes out with sendfile from a descriptor the
 * transport opens itself, and one made from a {@code FileChannel} is copied. In the
 * {@code add-opens} execution ({@code -Dgonetpoll.test.addOpens=true} and
 * {@code --add-opens java.base/sun.nio.ch --add-opens java.base/java.io}) both go out with
 * sendfile. Each test that writes a region checks it took the route meant for its JVM.
 */
@Timeout(120)
class FileRegionWriteTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int SMALL_BUFFER = 16 * 1024;
    /** Far more than both small socket buffers hold, so a region cannot complete before the peer reads. */
    private static final int REGION_SIZE = 4 * 1024 * 1024;
    /** Whether this JVM opens the JDK fields that hold a FileChannel's descriptor. */
    private static final boolean ADD_OPENS = Boolean.getBoolean("gonetpoll.test.addOpens");

    /** The two public constructors of DefaultFileRegion, and the route each must take in this JVM. */
    enum Construction {
        FROM_FILE(FileRegionRoute.OWN_FILE),
        FROM_FILE_CHANNEL(ADD_OPENS ? FileRegionRoute.REGION_FILE : FileRegionRoute.COPY);

        final FileRegionRoute expectedRoute;

        Construction(FileRegionRoute expectedRoute) {
            this.expectedRoute = expectedRoute;
        }

        DefaultFileRegion region(Path file, long position, long count) throws IOException {
            return this == FROM_FILE ? new DefaultFileRegion(file.toFile(), position, count)
                    : new DefaultFileRegion(FileChannel.open(file, StandardOpenOption.READ), position, count);
        }
    }

    @TempDir
    Path dir;
    private GoNetpollEventLoopGroup group;
    private ServerSocket listener;

    @BeforeEach
    void setUp() throws IOException {
        group = new GoNetpollEventLoopGroup(1);
        listener = new ServerSocket();
        listener.setReceiveBufferSize(SMALL_BUFFER); // inherited by accepted sockets
        listener.bind(new InetSocketAddress(LOOPBACK, 0), 1);
    }

    @AfterEach
    void tearDown() throws IOException {
        listener.close();
        assertTrue(group.shutdownGracefully(0, 10, TimeUnit.SECONDS).awaitUninterruptibly(30, TimeUnit.SECONDS),
                "group did not terminate");
    }

    @Test
    void nettysFieldsAreReadableInEveryJvmTheJdksOnlyWithTheFlags() throws Exception {
        assertNotNull(DefaultFileRegionAccess.INSTANCE, DefaultFileRegionAccess.UNAVAILABLE_REASON);
        FileChannelDescriptors descriptors = FileChannelDescriptors.INSTANCE;
        if (!ADD_OPENS) {
            assertNull(descriptors, "a FileChannel's descriptor was reachable without the --add-opens flags");
            String reason = FileChannelDescriptors.UNAVAILABLE_REASON;
            assertTrue(reason.contains("--add-opens java.base/sun.nio.ch=ALL-UNNAMED")
                    && reason.contains("--add-opens java.base/java.io=ALL-UNNAMED"), reason);
            return;
        }
        assertNotNull(descriptors, FileChannelDescriptors.UNAVAILABLE_REASON);
        Path file = writeFile("descriptor", 10);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            int fd = descriptors.descriptorOf(channel);
            assertEquals(file.toRealPath(), Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)));
            channel.close();
            assertEquals(-1, descriptors.descriptorOf(channel), "a closed channel has no descriptor");
        }
    }

    @Test
    void accessReadsAndAdvancesTheRegionsOwnFields() throws IOException {
        DefaultFileRegionAccess access = DefaultFileRegionAccess.INSTANCE;
        Path file = writeFile("fields", 100);
        DefaultFileRegion fromFile = new DefaultFileRegion(file.toFile(), 0, 100);
        DefaultFileRegion fromChannel = new DefaultFileRegion(FileChannel.open(file, StandardOpenOption.READ), 0, 100);
        try {
            assertEquals(file.toFile(), access.sourceFile(fromFile));
            assertNull(access.openChannel(fromFile), "made from a File: not open until someone opens it");
            assertNull(access.sourceFile(fromChannel));
            assertNotNull(access.openChannel(fromChannel));
            access.addTransferred(fromFile, 40);
            access.addTransferred(fromFile, 2);
            assertEquals(42, fromFile.transferred());
        } finally {
            fromFile.release();
            fromChannel.release();
        }
        assertNull(access.openChannel(fromChannel), "released: closed");
    }

    @Test
    void theRouteDependsOnHowTheRegionWasMadeAndOnTheFlags() throws IOException {
        Path file = writeFile("routes", 100);
        FileRegionRoute openRegionRoute = ADD_OPENS ? FileRegionRoute.REGION_FILE : FileRegionRoute.COPY;

        DefaultFileRegion fromFile = new DefaultFileRegion(file.toFile(), 0, 100);
        assertEquals(FileRegionRoute.OWN_FILE, FileRegionRoute.of(fromFile));
        fromFile.open(); // the user opened it: never reopened by path
        assertEquals(openRegionRoute, FileRegionRoute.of(fromFile));
        fromFile.release();
        assertEquals(FileRegionRoute.COPY, FileRegionRoute.of(fromFile), "released: its transferTo reports that");

        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        DefaultFileRegion fromChannel = new DefaultFileRegion(channel, 0, 100);
        assertEquals(openRegionRoute, FileRegionRoute.of(fromChannel));
        channel.close();
        assertEquals(FileRegionRoute.COPY, FileRegionRoute.of(fromChannel), "closed by the user: copy reports it");
        fromChannel.release();

        DefaultFileRegion subclass = new DefaultFileRegion(file.toFile(), 0, 100) { };
        assertEquals(FileRegionRoute.COPY, FileRegionRoute.of(subclass), "a subclass keeps its own transferTo");
        subclass.release();
        assertEquals(FileRegionRoute.COPY, FileRegionRoute.of(new PatternRegion(new byte[1])));
    }

    @ParameterizedTest
    @EnumSource(Construction.class)
    void aRegionResumesAfterEagainReportsProgressAndTakesItsRoute(Construction construction) throws Exception {
        byte[] content = randomBytes(REGION_SIZE + 3000);
        Path file = Files.write(dir.resolve("region"), content);
        int position = 1000;
        int count = REGION_SIZE;
        Channel client = connect();
        try (Socket peer = accept()) {
            DefaultFileRegion region = construction.region(file, position, count);
            region.retain(); // keep it to look at after the channel released it
            try {
                Progress progress = writeUntilStalled(client, region);
                ChannelProgressivePromise promise = progress.promise;

                byte[] received = readExactly(peer.getInputStream(), count);
                assertTrue(promise.await(30, TimeUnit.SECONDS), "write did not complete");
                assertNull(promise.cause());
                assertArrayEquals(Arrays.copyOfRange(content, position, position + count), received);
                assertEquals(count, region.transferred());
                progress.assertCompleteAndMonotonic(count);
                assertOnlyRoute(client, construction.expectedRoute, 1);
                if (construction == Construction.FROM_FILE) {
                    assertFalse(region.isOpen(), "sent from our own descriptor, the region never opened its file");
                }
            } finally {
                region.release();
            }
            assertEquals(0, region.refCnt(), "the channel did not release the region");
        } finally {
            client.close().sync();
        }
    }

    @Test
    void customRegionsGetHeapAndDirectBuffersWrittenAtTheRightPosition() throws Exception {
        byte[] content = randomBytes(REGION_SIZE);
        Channel client = connect();
        try (Socket peer = accept()) {
            PatternRegion region = new PatternRegion(content);
            Progress progress = writeUntilStalled(client, region);
            ChannelProgressivePromise promise = progress.promise;

            byte[] received = readExactly(peer.getInputStream(), content.length);
            assertTrue(promise.await(30, TimeUnit.SECONDS), "write did not complete");
            assertNull(promise.cause());
            assertArrayEquals(content, received);
            assertTrue(region.positionErrors.isEmpty(), "transferTo got wrong positions: " + region.positionErrors);
            progress.assertCompleteAndMonotonic(content.length);
            assertEquals(0, region.refCnt());
            assertOnlyRoute(client, FileRegionRoute.COPY, 1);
        } finally {
            client.close().sync();
        }
    }

    @ParameterizedTest
    @EnumSource(Construction.class)
    void aFileShorterThanTheRegionFailsTheWriteAfterSendingWhatItHas(Construction construction) throws Exception {
        int fileSize = 100_000;
        int count = 1_000_000;
        Path file = writeFile("short", fileSize);
        Channel client = connect();
        try (Socket peer = accept()) {
            ChannelFuture write = client.writeAndFlush(construction.region(file, 0, count));
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> readToEnd(peer));

            assertTrue(write.await(30, TimeUnit.SECONDS), "write neither failed nor succeeded");
            IOException cause = assertInstanceOf(IOException.class, write.cause());
            String message = String.valueOf(cause.getMessage());
            assertTrue(message.contains(String.valueOf(fileSize)), "the message should give the file's size "
                    + fileSize + ": " + message);
            if (construction.expectedRoute != FileRegionRoute.COPY) { // copied: Netty's own message
                assertTrue(message.contains("underlying file") && message.contains("truncated"), message);
            }
            // The bytes the file has were sent, in order, before the channel closed on the error.
            assertArrayEquals(Files.readAllBytes(file), received.get(30, TimeUnit.SECONDS));
            assertTrue(client.closeFuture().await(10, TimeUnit.SECONDS), "channel stayed open after an I/O error");
            assertEquals(0, descriptorsOnFilesIn(dir));
        } finally {
            client.close().sync();
        }
    }

    @ParameterizedTest
    @EnumSource(Construction.class)
    void aRegionThatShrinksWhileWaitingForWritabilityFailsWithBothSizes(Construction construction) throws Exception {
        byte[] content = randomBytes(REGION_SIZE);
        Path file = Files.write(dir.resolve("shrinks"), content);
        Channel client = connect();
        try (Socket peer = accept();
             FileChannel truncator = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ChannelProgressivePromise promise = writeUntilStalled(client, construction.region(file, 0, content.length)).promise;

            int shrunk = REGION_SIZE / 2;
            truncator.truncate(shrunk);
            byte[] received = readToEnd(peer);

            assertTrue(promise.await(30, TimeUnit.SECONDS), "write neither failed nor succeeded");
            IOException cause = assertInstanceOf(IOException.class, promise.cause());
            assertTrue(String.valueOf(cause.getMessage()).contains(String.valueOf(shrunk)), cause.getMessage());
            assertTrue(received.length <= shrunk, "sent " + received.length + " bytes of a " + shrunk + " byte file");
            assertArrayEquals(Arrays.copyOf(content, received.length), received, "the bytes sent are not the file's");
            assertOnlyRoute(client, construction.expectedRoute, 1);
        } finally {
            client.close().sync();
        }
    }

    @Test
    void aFileDeletedAfterTheRegionWasMadeFailsTheWriteNamingItsPath() throws Exception {
        Path file = writeFile("deleted", 1000);
        Path next = writeFile("next", 1000);
        Channel client = connect();
        try (Socket peer = accept()) {
            DefaultFileRegion region = new DefaultFileRegion(file.toFile(), 0, 1000);
            Files.delete(file);
            ChannelFuture write = client.write(region);
            ChannelFuture queued = client.writeAndFlush(new DefaultFileRegion(next.toFile(), 0, 1000));

            assertTrue(write.await(30, TimeUnit.SECONDS), "write neither failed nor succeeded");
            ErrnoException cause = assertInstanceOf(ErrnoException.class, write.cause());
            assertEquals(Linux.ENOENT, cause.errno());
            assertEquals("open(..) failed: No such file or directory (errno 2): " + file, cause.getMessage());
            assertTrue(queued.await(30, TimeUnit.SECONDS));
            assertNotNull(queued.cause(), "the region behind the failed one cannot be sent either");
            assertTrue(client.closeFuture().await(10, TimeUnit.SECONDS), "AUTO_CLOSE: an I/O error closes the channel");
            assertEquals(0, region.refCnt(), "the failed region was not released");
            assertEquals(0, descriptorsOnFilesIn(dir), "a descriptor of the next file leaked");
            assertEquals(-1, peer.getInputStream().read(), "nothing at all was sent");
        } finally {
            client.close().sync();
        }
    }

    @ParameterizedTest
    @EnumSource(Construction.class)
    void sixtyFourMebibytesArriveIntact(Construction construction) throws Exception {
        int size = 64 * 1024 * 1024 + 5000;
        int position = 4097;
        int count = size - position - 903;
        Path file = dir.resolve("large");
        MessageDigest expected = MessageDigest.getInstance("SHA-256");
        try (OutputStream out = Files.newOutputStream(file)) {
            Random random = new Random(64);
            byte[] chunk = new byte[1 << 20];
            for (int written = 0; written < size; written += chunk.length) {
                random.nextBytes(chunk);
                int length = Math.min(chunk.length, size - written);
                out.write(chunk, 0, length);
                int from = Math.max(position - written, 0);
                int to = Math.min(position + count - written, length);
                if (from < to) {
                    expected.update(chunk, from, to - from);
                }
            }
        }
        Channel client = connect();
        try (Socket peer = accept()) {
            ChannelFuture write = client.writeAndFlush(construction.region(file, position, count));
            MessageDigest actual = MessageDigest.getInstance("SHA-256");
            InputStream in = peer.getInputStream();
            byte[] buffer = new byte[256 * 1024];
            long received = 0;
            while (received < count) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, count - received));
                assertTrue(n > 0, "the stream ended after " + received + " of " + count + " bytes");
                actual.update(buffer, 0, n);
                received += n;
            }
            assertTrue(write.await(30, TimeUnit.SECONDS), "write did not complete");
            assertNull(write.cause());
            assertEquals(HexFormat.of().formatHex(expected.digest()), HexFormat.of().formatHex(actual.digest()));
            assertOnlyRoute(client, construction.expectedRoute, 1);
        } finally {
            client.close().sync();
        }
    }

    @Test
    void slicesOfOneFileArriveInOrderBetweenBuffers() throws Exception {
        byte[] content = randomBytes(300_000);
        Path file = Files.write(dir.resolve("slices"), content);
        long[][] slices = {{0, 0}, {0, 1}, {1, 4095}, {4096, 100_000}, {299_900, 100}, {300_000, 0},
                {150_000, 150_000}, {7, 0}, {123_457, 1}};
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        Channel client = connect();
        try (Socket peer = accept()) {
            List<ChannelFuture> writes = new ArrayList<>();
            int nonEmpty = 0;
            for (int i = 0; i < slices.length; i++) {
                Construction construction = Construction.values()[i % 2];
                int position = (int) slices[i][0];
                int count = (int) slices[i][1];
                writes.add(client.write(construction.region(file, position, count)));
                expected.write(content, position, count);
                byte[] separator = ("|" + i + "|").getBytes(StandardCharsets.US_ASCII);
                writes.add(client.write(Unpooled.wrappedBuffer(separator)));
                expected.write(separator);
                nonEmpty += count > 0 ? 1 : 0;
            }
            client.flush();
            byte[] received = readExactly(peer.getInputStream(), expected.size());
            for (ChannelFuture write : writes) {
                assertTrue(write.await(30, TimeUnit.SECONDS), "a write did not complete");
                assertNull(write.cause());
            }
            assertArrayEquals(expected.toByteArray(), received);
            long begun = 0;
            for (FileRegionRoute route : FileRegionRoute.values()) {
                begun += regionsBegun(client, route);
            }
            assertEquals(nonEmpty, begun, "an empty region is removed without beginning a route");
        } finally {
            client.close().sync();
        }
    }

    @Test
    void aThousandRegionsLeaveNoDescriptorBehind() throws Exception {
        int regions = 1000;
        int slice = 1024;
        byte[] content = randomBytes(regions * slice);
        Path file = Files.write(dir.resolve("thousand"), content);
        int baseline = descriptorsAfterWarmUp(file);
        Channel client = connect();
        try (Socket peer = accept()) {
            List<ChannelFuture> writes = new ArrayList<>();
            for (int i = 0; i < regions; i++) {
                writes.add(client.write(Construction.values()[i % 2].region(file, (long) i * slice, slice)));
            }
            client.flush();
            assertArrayEquals(content, readExactly(peer.getInputStream(), content.length));
            for (ChannelFuture write : writes) {
                assertTrue(write.await(30, TimeUnit.SECONDS), "a write did not complete");
                assertNull(write.cause());
            }
            // Closed region by region, not only when the channel closes.
            assertEquals(0, descriptorsOnFilesIn(dir));
            assertEquals(regions / 2, regionsBegun(client, FileRegionRoute.OWN_FILE));
            assertEquals(regions / 2, regionsBegun(client, Construction.FROM_FILE_CHANNEL.expectedRoute));
        } finally {
            client.close().sync();
        }
        assertEquals(baseline, openDescriptors(), "descriptors before and after");
    }

    @Test
    void aPeerResetMidTransferLeavesNoDescriptorBehind() throws Exception {
        Path file = writeFile("reset", REGION_SIZE);
        int baseline = descriptorsAfterWarmUp(file);
        Channel client = connect();
        Socket peer = accept();
        try {
            ChannelProgressivePromise promise =
                    writeUntilStalled(client, new DefaultFileRegion(file.toFile(), 0, REGION_SIZE)).promise;
            ChannelFuture queued = client.writeAndFlush(new DefaultFileRegion(file.toFile(), 0, REGION_SIZE));
            assertEquals(1, descriptorsOnFilesIn(dir), "our own descriptor of the region in progress, nothing else");

            peer.setSoLinger(true, 0);
            peer.close(); // RST, with unread data in its receive buffer

            assertTrue(promise.await(30, TimeUnit.SECONDS), "write neither failed nor succeeded");
            assertNotNull(promise.cause(), "a reset connection cannot complete the write");
            assertTrue(queued.await(30, TimeUnit.SECONDS));
            assertNotNull(queued.cause());
            assertTrue(client.closeFuture().await(10, TimeUnit.SECONDS), "the reset did not close the channel");
            assertEquals(0, descriptorsOnFilesIn(dir));
        } finally {
            peer.close();
            client.close().sync();
        }
        assertEquals(baseline, openDescriptors(), "descriptors before and after");
    }

    @Test
    void closingWithRegionsQueuedLeavesNoDescriptorBehind() throws Exception {
        Path file = writeFile("queued", REGION_SIZE);
        int baseline = descriptorsAfterWarmUp(file);
        Channel client = connect();
        try (Socket peer = accept()) {
            ChannelProgressivePromise promise =
                    writeUntilStalled(client, new DefaultFileRegion(file.toFile(), 0, REGION_SIZE)).promise;
            List<ChannelFuture> queued = new ArrayList<>();
            queued.add(client.write(new DefaultFileRegion(file.toFile(), 0, 1000)));
            queued.add(client.write(Construction.FROM_FILE_CHANNEL.region(file, 0, 1000)));
            queued.add(client.writeAndFlush(new DefaultFileRegion(file.toFile(), 1000, 1000)));
            assertEquals(2, descriptorsOnFilesIn(dir),
                    "ours for the region in progress and the queued FileChannel's; queued Files open nothing");

            client.close().sync();

            assertTrue(promise.await(30, TimeUnit.SECONDS));
            assertNotNull(promise.cause());
            for (ChannelFuture write : queued) {
                assertTrue(write.await(30, TimeUnit.SECONDS));
                assertNotNull(write.cause(), "a queued region was written after the close");
            }
            assertEquals(0, descriptorsOnFilesIn(dir));
        } finally {
            client.close().sync();
        }
        assertEquals(baseline, openDescriptors(), "descriptors before and after");
    }

    private Channel connect() throws InterruptedException {
        return new Bootstrap()
                .group(group)
                .channel(GoNetpollSocketChannel.class)
                .option(ChannelOption.SO_SNDBUF, SMALL_BUFFER)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(listener.getLocalSocketAddress())
                .sync()
                .channel();
    }

    /** The peer of the connected client; its reads give up rather than hang a failing test. */
    private Socket accept() throws IOException {
        Socket peer = listener.accept();
        peer.setSoTimeout(30_000);
        return peer;
    }

    @Test
    void shuttingDownOutputMidTransferClosesOurDescriptor() throws Exception {
        Path file = writeFile("shutdown", REGION_SIZE);
        Channel client = connect();
        try (Socket peer = accept()) {
            ChannelProgressivePromise promise = writeUntilStalled(client, new DefaultFileRegion(file.toFile(), 0, REGION_SIZE)).promise;
            assertEquals(1, descriptorsOnFilesIn(dir));

            assertNull(((GoNetpollSocketChannel) client).shutdownOutput().sync().cause());

            assertTrue(promise.await(30, TimeUnit.SECONDS));
            assertNotNull(promise.cause(), "the output was shut down before the region was complete");
            assertTrue(client.isOpen(), "only the output was shut down");
            assertEquals(0, descriptorsOnFilesIn(dir));
        } finally {
            client.close().sync();
        }
    }

    /**
     * Sends a slice of {@code file} both ways over a connection of its own and closes it, so that
     * what is made once per JVM or group (classes, the loop's goroutine) exists before a test counts
     * descriptors; then returns how many descriptors are open.
     */
    private int descriptorsAfterWarmUp(Path file) throws Exception {
        Channel client = connect();
        try (Socket peer = accept()) {
            for (Construction construction : Construction.values()) {
                assertNull(client.writeAndFlush(construction.region(file, 0, 100)).sync().cause());
            }
            readExactly(peer.getInputStream(), 200);
        } finally {
            client.close().sync();
        }
        return openDescriptors();
    }

    /**
     * Writes and flushes {@code region} and returns once part of it was sent and the rest waits
     * for the peer to read: the write is parked on a full send buffer.
     */
    private static Progress writeUntilStalled(Channel client, FileRegion region) throws InterruptedException {
        Progress progress = new Progress(client.newProgressivePromise());
        client.writeAndFlush(region, progress.promise);
        progress.awaitFirst();
        assertFalse(progress.promise.isDone(), "the whole region fit in the socket buffers: nothing was tested");
        return progress;
    }

    /** How many regions began on {@code route} in {@code channel}, read in its loop. */
    private static long regionsBegun(Channel channel, FileRegionRoute route) throws Exception {
        return channel.eventLoop().submit(() ->
                ((AbstractGoNetpollStreamChannel) channel).fileRegionWriter().regionsBegun(route)).get(10, TimeUnit.SECONDS);
    }

    private static void assertOnlyRoute(Channel channel, FileRegionRoute expected, long regions) throws Exception {
        for (FileRegionRoute route : FileRegionRoute.values()) {
            assertEquals(route == expected ? regions : 0, regionsBegun(channel, route), "regions begun on " + route);
        }
    }

    private static int openDescriptors() {
        return Objects.requireNonNull(new File("/proc/self/fd").list()).length;
    }

    /** How many of this process's descriptors are open on files in {@code dir} (deleted ones too). */
    private static int descriptorsOnFilesIn(Path dir) throws IOException {
        Path real = dir.toRealPath();
        int count = 0;
        for (String fd : Objects.requireNonNull(new File("/proc/self/fd").list())) {
            try {
                if (Files.readSymbolicLink(Path.of("/proc/self/fd", fd)).startsWith(real)) {
                    count++;
                }
            } catch (NoSuchFileException e) {
                // closed since it was listed, such as the listing's own descriptor
            }
        }
        return count;
    }

    private Path writeFile(String name, int size) throws IOException {
        return Files.write(dir.resolve(name), randomBytes(size));
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    private static byte[] readExactly(InputStream in, int length) throws IOException {
        byte[] bytes = in.readNBytes(length);
        assertEquals(length, bytes.length, "the stream ended early");
        return bytes;
    }

    private static byte[] readToEnd(Socket peer) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            peer.getInputStream().transferTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    /** Records every progress report of a write. */
    private static final class Progress implements ChannelProgressiveFutureListener {
        final ChannelProgressivePromise promise;
        private final List<long[]> reports = new CopyOnWriteArrayList<>();
        private final CountDownLatch first = new CountDownLatch(1);

        Progress(ChannelProgressivePromise promise) {
            this.promise = promise;
            promise.addListener(this);
        }

        @Override
        public void operationProgressed(ChannelProgressiveFuture future, long progress, long total) {
            reports.add(new long[] {progress, total});
            first.countDown();
        }

        @Override
        public void operationComplete(ChannelProgressiveFuture future) {
        }

        void awaitFirst() throws InterruptedException {
            assertTrue(first.await(30, TimeUnit.SECONDS), "no progress reported");
        }

        void assertCompleteAndMonotonic(long total) {
            assertTrue(reports.size() > 1, "expected several progress reports, got " + reports.size());
            long last = 0;
            for (long[] report : reports) {
                assertTrue(report[0] > last, "progress went from " + last + " to " + report[0]);
                assertEquals(total, report[1]);
                last = report[0];
            }
            assertEquals(total, last, "progress did not reach the total");
        }
    }

    /**
     * A region over bytes in memory that hands out pieces of 1 MiB, alternating heap and direct
     * buffers, and checks that it is always asked to go on where it stopped.
     */
    private static final class PatternRegion extends AbstractReferenceCounted implements FileRegion {
        private static final int PIECE = 1024 * 1024;
        private final byte[] content;
        private long transferred;
        private boolean direct;
        final List<String> positionErrors = new CopyOnWriteArrayList<>();

        PatternRegion(byte[] content) {
            this.content = content;
        }

        @Override
        public long transferTo(WritableByteChannel target, long position) throws IOException {
            if (position != transferred) {
                positionErrors.add(position + " != " + transferred);
            }
            int length = (int) Math.min(PIECE, content.length - position);
            ByteBuffer piece = direct ? ByteBuffer.allocateDirect(length) : ByteBuffer.allocate(length);
            direct = !direct;
            piece.put(content, (int) position, length).flip();
            int written = target.write(piece);
            transferred += written;
            return written;
        }

        @Override
        public long position() {
            return 0;
        }

        @Override
        public long count() {
            return content.length;
        }

        @Override
        public long transferred() {
            return transferred;
        }

        @Override
        @Deprecated
        public long transfered() {
            return transferred;
        }

        @Override
        protected void deallocate() {
        }

        @Override
        public FileRegion retain() {
            super.retain();
            return this;
        }

        @Override
        public FileRegion retain(int increment) {
            super.retain(increment);
            return this;
        }

        @Override
        public FileRegion touch() {
            return this;
        }

        @Override
        public FileRegion touch(Object hint) {
            return this;
        }
    }
}
