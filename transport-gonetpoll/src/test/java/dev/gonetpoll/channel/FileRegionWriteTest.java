package dev.gonetpoll.channel;

import io.netty.bootstrap.Bootstrap;
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

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
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
 * <p>The build runs this class twice: in the default JVM, where {@code DefaultFileRegion} is copied,
 * and with {@code -Dgonetpoll.test.sendfile=true} and the two {@code --add-opens} flags that let
 * {@link DefaultFileRegionAccess} reach the file's descriptor, where it goes out with sendfile.
 */
@Timeout(120)
class FileRegionWriteTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int SMALL_BUFFER = 16 * 1024;
    /** Far more than both small socket buffers hold, so a region cannot complete before the peer reads. */
    private static final int REGION_SIZE = 4 * 1024 * 1024;
    private static final boolean SENDFILE_EXPECTED = Boolean.getBoolean("gonetpoll.test.sendfile");

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
    void sendfileIsUsedExactlyWhenTheJvmOpensTheFileDescriptorFields() {
        DefaultFileRegionAccess access = DefaultFileRegionAccess.INSTANCE;
        if (SENDFILE_EXPECTED) {
            assertNotNull(access, DefaultFileRegionAccess.UNAVAILABLE_REASON);
            assertNull(DefaultFileRegionAccess.UNAVAILABLE_REASON);
        } else {
            assertNull(access, "sendfile available without the --add-opens flags");
            String reason = DefaultFileRegionAccess.UNAVAILABLE_REASON;
            assertTrue(reason.contains("--add-opens java.base/sun.nio.ch=ALL-UNNAMED")
                    && reason.contains("--add-opens java.base/java.io=ALL-UNNAMED"), reason);
        }
    }

    @Test
    void accessFindsTheDescriptorOfTheRegionsOwnFile() throws Exception {
        DefaultFileRegionAccess access = DefaultFileRegionAccess.INSTANCE;
        if (!SENDFILE_EXPECTED) {
            assertNull(access);
            return; // nothing to reach in this JVM; the test above checks that
        }
        Path file = writeFile("lazy", 100);
        // Made from a File: the region opens it on first use, so the access must open it too.
        DefaultFileRegion region = new DefaultFileRegion(file.toFile(), 0, 100);
        try {
            assertFalse(region.isOpen());
            int fd = access.fileDescriptor(region);
            assertTrue(fd >= 0, "no descriptor for an openable region");
            assertEquals(file.toRealPath(), Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)));
            access.addTransferred(region, 40);
            assertEquals(40, region.transferred());
        } finally {
            region.release();
        }
        assertEquals(-1, access.fileDescriptor(region), "a released region has no descriptor");
    }

    @Test
    void defaultFileRegionResumesAfterEagainAndReportsProgress() throws Exception {
        byte[] content = randomBytes(REGION_SIZE + 3000);
        Path file = Files.write(dir.resolve("region"), content);
        int position = 1000;
        int count = REGION_SIZE;
        Channel client = connect();
        try (Socket peer = accept()) {
            DefaultFileRegion region = new DefaultFileRegion(
                    FileChannel.open(file, StandardOpenOption.READ), position, count);
            region.retain(); // keep it to look at after the channel released it
            try {
                Progress progress = new Progress();
                ChannelProgressivePromise promise = client.newProgressivePromise();
                promise.addListener(progress);
                client.writeAndFlush(region, promise);

                progress.awaitFirst();
                assertFalse(promise.isDone(), "the whole region fit in the socket buffers: nothing was tested");

                byte[] received = readExactly(peer.getInputStream(), count);
                assertTrue(promise.await(30, TimeUnit.SECONDS), "write did not complete");
                assertNull(promise.cause());
                assertArrayEquals(Arrays.copyOfRange(content, position, position + count), received);
                assertEquals(count, region.transferred());
                progress.assertCompleteAndMonotonic(count);
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
            Progress progress = new Progress();
            ChannelProgressivePromise promise = client.newProgressivePromise();
            promise.addListener(progress);
            client.writeAndFlush(region, promise);

            progress.awaitFirst();
            assertFalse(promise.isDone(), "the whole region fit in the socket buffers: nothing was tested");

            byte[] received = readExactly(peer.getInputStream(), content.length);
            assertTrue(promise.await(30, TimeUnit.SECONDS), "write did not complete");
            assertNull(promise.cause());
            assertArrayEquals(content, received);
            assertTrue(region.positionErrors.isEmpty(), "transferTo got wrong positions: " + region.positionErrors);
            progress.assertCompleteAndMonotonic(content.length);
            assertEquals(0, region.refCnt());
        } finally {
            client.close().sync();
        }
    }

    @Test
    void fileShorterThanTheRegionFailsTheWriteAfterSendingWhatItHas() throws Exception {
        int fileSize = 100_000;
        int count = 1_000_000;
        Path file = writeFile("short", fileSize);
        Channel client = connect();
        try (Socket peer = accept()) {
            ChannelFuture write = client.writeAndFlush(
                    new DefaultFileRegion(FileChannel.open(file, StandardOpenOption.READ), 0, count));
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> readToEnd(peer));

            assertTrue(write.await(30, TimeUnit.SECONDS), "write neither failed nor succeeded");
            IOException cause = assertInstanceOf(IOException.class, write.cause());
            assertTrue(String.valueOf(cause.getMessage()).contains(String.valueOf(fileSize)),
                    "the message should give the file's size " + fileSize + ": " + cause.getMessage());
            // The bytes the file has were sent, in order, before the channel closed on the error.
            assertArrayEquals(Files.readAllBytes(file), received.get(30, TimeUnit.SECONDS));
            assertTrue(client.closeFuture().await(10, TimeUnit.SECONDS), "channel stayed open after an I/O error");
        } finally {
            client.close().sync();
        }
    }

    @Test
    void regionThatShrinksWhileWaitingForWritabilityFailsWithBothSizes() throws Exception {
        byte[] content = randomBytes(REGION_SIZE);
        Path file = Files.write(dir.resolve("shrinks"), content);
        Channel client = connect();
        try (Socket peer = accept();
             FileChannel truncator = FileChannel.open(file, StandardOpenOption.WRITE)) {
            Progress progress = new Progress();
            ChannelProgressivePromise promise = client.newProgressivePromise();
            promise.addListener(progress);
            client.writeAndFlush(new DefaultFileRegion(FileChannel.open(file, StandardOpenOption.READ), 0,
                    content.length), promise);
            progress.awaitFirst();
            assertFalse(promise.isDone(), "the whole region fit in the socket buffers: nothing was tested");

            int shrunk = REGION_SIZE / 2;
            truncator.truncate(shrunk);
            byte[] received = readToEnd(peer);

            assertTrue(promise.await(30, TimeUnit.SECONDS), "write neither failed nor succeeded");
            IOException cause = assertInstanceOf(IOException.class, promise.cause());
            assertTrue(String.valueOf(cause.getMessage()).contains(String.valueOf(shrunk)), cause.getMessage());
            assertTrue(received.length <= shrunk, "sent " + received.length + " bytes of a " + shrunk + " byte file");
            assertArrayEquals(Arrays.copyOf(content, received.length), received, "the bytes sent are not the file's");
        } finally {
            client.close().sync();
        }
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
        private final List<long[]> reports = new CopyOnWriteArrayList<>();
        private final CountDownLatch first = new CountDownLatch(1);

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
