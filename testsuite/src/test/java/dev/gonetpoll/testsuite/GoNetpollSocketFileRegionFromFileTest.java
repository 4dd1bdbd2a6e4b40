package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.AbstractSocketTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code DefaultFileRegion}s made from a {@code File}, which Netty's {@code SocketFileRegionTest}
 * does not make (it always passes a {@code FileChannel}). On a gonetpoll client they go out with
 * {@code sendfile(2)} from a descriptor the transport opens by the path, without the
 * {@code --add-opens} flags that a region made from a {@code FileChannel} needs for that: slices
 * of one file between buffers, a region longer than its file, and a file deleted after its region
 * was made. The route does not depend on those flags, so only the default surefire execution runs
 * this class.
 *
 * <p>Server x client: gonetpoll x gonetpoll, gonetpoll x NIO, NIO x gonetpoll; the client writes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class GoNetpollSocketFileRegionFromFileTest extends AbstractSocketTest {

    private static final byte[] DATA = new byte[3 * 1024 * 1024 + 17];

    static {
        new Random(42).nextBytes(DATA);
    }

    @TempDir
    Path dir;

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.socket();
    }

    @Test
    public void testSlicesOfAFileBetweenBuffers(TestInfo testInfo) throws Throwable {
        run(testInfo, this::testSlicesOfAFileBetweenBuffers);
    }

    @Test
    public void testRegionLongerThanItsFileFails(TestInfo testInfo) throws Throwable {
        run(testInfo, this::testRegionLongerThanItsFileFails);
    }

    @Test
    public void testFileDeletedAfterTheRegionWasMadeFails(TestInfo testInfo) throws Throwable {
        run(testInfo, this::testFileDeletedAfterTheRegionWasMadeFails);
    }

    public void testSlicesOfAFileBetweenBuffers(ServerBootstrap sb, Bootstrap cb) throws Throwable {
        File file = writeData();
        int[][] slices = {{777, DATA.length - 777 - 1000}, {0, 0}, {DATA.length - 1, 1}, {0, 65_536}};
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        List<Object> messages = new ArrayList<>();
        for (int i = 0; i < slices.length; i++) {
            byte[] header = ("<" + i + ">").getBytes(StandardCharsets.US_ASCII);
            messages.add(Unpooled.wrappedBuffer(header));
            expected.write(header);
            messages.add(new DefaultFileRegion(file, slices[i][0], slices[i][1]));
            expected.write(DATA, slices[i][0], slices[i][1]);
        }
        Receiver receiver = new Receiver(expected.size());
        sb.childHandler(receiver);
        cb.handler(new ChannelInboundHandlerAdapter());
        Channel sc = sb.bind().sync().channel();
        Channel cc = cb.connect(sc.localAddress()).sync().channel();
        try {
            List<ChannelFuture> writes = new ArrayList<>();
            for (Object message : messages) {
                writes.add(cc.write(message));
            }
            cc.flush();
            for (ChannelFuture write : writes) {
                assertNull(write.await().cause());
            }
            assertArrayEquals(expected.toByteArray(), receiver.await());
        } finally {
            cc.close().sync();
            sc.close().sync();
        }
    }

    public void testRegionLongerThanItsFileFails(ServerBootstrap sb, Bootstrap cb) throws Throwable {
        File file = writeData();
        sb.childHandler(new Receiver(Integer.MAX_VALUE));
        cb.handler(new ChannelInboundHandlerAdapter());
        Channel sc = sb.bind().sync().channel();
        Channel cc = cb.connect(sc.localAddress()).sync().channel();
        try {
            Throwable cause = cc.writeAndFlush(new DefaultFileRegion(file, 0, DATA.length + 1024)).await().cause();
            assertInstanceOf(IOException.class, cause);
            if (GoNetpollSocketTestPermutation.isGoNetpoll(cc)) {
                assertTrue(cause.getMessage().contains("truncated")
                        && cause.getMessage().contains(String.valueOf(DATA.length)), cause.getMessage());
            }
        } finally {
            cc.close().sync();
            sc.close().sync();
        }
    }

    public void testFileDeletedAfterTheRegionWasMadeFails(ServerBootstrap sb, Bootstrap cb) throws Throwable {
        File file = writeData();
        DefaultFileRegion region = new DefaultFileRegion(file, 0, DATA.length);
        Files.delete(file.toPath());
        sb.childHandler(new Receiver(Integer.MAX_VALUE));
        cb.handler(new ChannelInboundHandlerAdapter());
        Channel sc = sb.bind().sync().channel();
        Channel cc = cb.connect(sc.localAddress()).sync().channel();
        try {
            Throwable cause = cc.writeAndFlush(region).await().cause();
            assertInstanceOf(IOException.class, cause);
            // NIO's FileNotFoundException and our ErrnoException both name the file.
            assertTrue(cause.getMessage().contains(file.getPath()), cause.getMessage());
        } finally {
            cc.close().sync();
            sc.close().sync();
        }
    }

    private File writeData() throws IOException {
        return Files.write(Files.createTempFile(dir, "region-", ".bin"), DATA).toFile();
    }

    /** Collects what a server child receives; {@link #await} returns it once {@code expected} bytes came. */
    private static final class Receiver extends SimpleChannelInboundHandler<ByteBuf> {
        private final int expected;
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        private final CountDownLatch complete = new CountDownLatch(1);
        private final AtomicReference<Throwable> error = new AtomicReference<>();

        Receiver(int expected) {
            this.expected = expected;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) throws IOException {
            synchronized (received) {
                msg.readBytes(received, msg.readableBytes());
                if (received.size() >= expected) {
                    complete.countDown();
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            error.compareAndSet(null, cause);
            complete.countDown();
        }

        byte[] await() throws Throwable {
            assertTrue(complete.await(30, TimeUnit.SECONDS), "not everything arrived");
            if (error.get() != null) {
                throw error.get();
            }
            synchronized (received) {
                return received.toByteArray();
            }
        }
    }
}
