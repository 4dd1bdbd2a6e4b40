package dev.gonetpoll.it;

import dev.gonetpoll.channel.GoNetpollEventLoopGroup;
import dev.gonetpoll.channel.GoNetpollServerSocketChannel;
import dev.gonetpoll.channel.GoNetpollSocketChannel;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Netty's testsuite runs with pooled and adaptive direct allocators only. This echoes 1 MiB, written
 * as a mix of heap, direct and composite (heap + direct) buffers, through every allocator kind, so
 * the transport's paths for memory without an address (heap reads and writes, composite gathering
 * writes) are exercised too.
 */
class AllocatorEchoTest {

    private static final int TOTAL = 1 << 20;
    private static GoNetpollEventLoopGroup group;

    @BeforeAll
    static void startGroup() {
        group = new GoNetpollEventLoopGroup(2);
    }

    @AfterAll
    static void stopGroup() throws InterruptedException {
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }

    static Stream<Arguments> allocators() {
        return Stream.of(
                Arguments.of("unpooled heap", new UnpooledByteBufAllocator(false)),
                Arguments.of("unpooled direct", new UnpooledByteBufAllocator(true)),
                Arguments.of("pooled heap", new PooledByteBufAllocator(false)),
                Arguments.of("pooled direct", PooledByteBufAllocator.DEFAULT),
                Arguments.of("default", ByteBufAllocator.DEFAULT));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allocators")
    void echoesMixedBuffersIntact(String name, ByteBufAllocator allocator) throws Exception {
        byte[] payload = new byte[TOTAL];
        new Random(42).nextBytes(payload);
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(GoNetpollServerSocketChannel.class)
                .childOption(ChannelOption.ALLOCATOR, allocator)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ctx.write(msg);
                            }

                            @Override
                            public void channelReadComplete(ChannelHandlerContext ctx) {
                                ctx.flush();
                            }
                        });
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        CompletableFuture<byte[]> echoed = new CompletableFuture<>();
        Channel client = new Bootstrap()
                .group(group)
                .channel(GoNetpollSocketChannel.class)
                .option(ChannelOption.ALLOCATOR, allocator)
                .handler(new SimpleChannelInboundHandler<ByteBuf>() {
                    private final byte[] received = new byte[TOTAL];
                    private int count;

                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                        int n = Math.min(msg.readableBytes(), TOTAL - count);
                        msg.readBytes(received, count, n);
                        count += n;
                        if (count == TOTAL) {
                            echoed.complete(received);
                        }
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        echoed.completeExceptionally(cause);
                    }
                })
                .connect(server.localAddress()).sync().channel();
        try {
            ByteBufAllocator alloc = client.alloc();
            int offset = 0;
            int chunk = 0;
            while (offset < TOTAL) {
                int len = Math.min(TOTAL - offset, 1000 + 4093 * (chunk % 7));
                client.write(chunk(alloc, chunk++, payload, offset, len));
                offset += len;
                if (chunk % 16 == 0) {
                    client.flush();
                }
            }
            client.flush();
            assertArrayEquals(payload, echoed.get(30, TimeUnit.SECONDS));
        } finally {
            client.close().sync();
            server.close().sync();
        }
    }

    /** Heap, direct, or a composite of one heap and one direct part, in turn. */
    private static ByteBuf chunk(ByteBufAllocator alloc, int index, byte[] data, int offset, int len) {
        switch (index % 3) {
            case 0:
                return alloc.heapBuffer(len).writeBytes(data, offset, len);
            case 1:
                return alloc.directBuffer(len).writeBytes(data, offset, len);
            default:
                int half = len / 2;
                CompositeByteBuf composite = alloc.compositeBuffer(2);
                composite.addComponent(true, alloc.heapBuffer(half).writeBytes(data, offset, half));
                composite.addComponent(true, alloc.directBuffer(len - half).writeBytes(data, offset + half, len - half));
                return composite;
        }
    }
}
