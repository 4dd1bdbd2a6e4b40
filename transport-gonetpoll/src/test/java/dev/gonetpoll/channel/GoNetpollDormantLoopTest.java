package dev.gonetpoll.channel;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.util.concurrent.ScheduledFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.gonetpoll.channel.LoopTests.WAIT_SECONDS;
import static dev.gonetpoll.channel.LoopTests.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Dormant loops: a loop whose channels wait for I/O and that has nothing else to do gives its goroutine
 * up after the group's dormancy delay, and readiness, a task, a due timer or shutdown start a new one.
 * The stress test runs with a delay of zero, so every wait of every loop goes through the dormant
 * hand-over and its races with the wakers.
 */
@Timeout(120)
class GoNetpollDormantLoopTest {

    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final List<GoNetpollEventLoopGroup> groups = new ArrayList<>();
    private final List<Socket> clients = new ArrayList<>();

    @AfterEach
    void cleanUp() throws IOException {
        for (Socket s : clients) {
            s.close();
        }
        for (GoNetpollEventLoopGroup g : groups) {
            LoopTests.shutdown(g);
        }
    }

    /** An echo server on a group whose loops go dormant after {@code dormantAfterMillis}. */
    private final class EchoServer {
        final GoNetpollEventLoopGroup group;
        final Channel listener;
        final Queue<Channel> accepted = new ConcurrentLinkedQueue<>();

        EchoServer(int processors, long dormantAfterMillis) {
            group = new GoNetpollEventLoopGroup(processors, TimeUnit.MILLISECONDS.toNanos(dormantAfterMillis));
            groups.add(group);
            listener = new ServerBootstrap()
                    .group(group)
                    .channel(GoNetpollServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            accepted.add(ch);
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
                    .bind(LOOPBACK).syncUninterruptibly().channel();
        }

        Socket connect() throws IOException {
            Socket s = new Socket();
            clients.add(s);
            s.connect(listener.localAddress());
            s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            s.setTcpNoDelay(true);
            return s;
        }
    }

    private static void roundTrip(Socket s, byte[] message) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(message);
        out.flush();
        byte[] back = s.getInputStream().readNBytes(message.length);
        assertArrayEquals(message, back, "echo of " + message.length + " bytes");
    }

    private static GoNetpollEventLoop loopOf(Channel ch) {
        return (GoNetpollEventLoop) ch.eventLoop();
    }

    @Test
    void anIdleConnectionsLoopGivesItsGoroutineUpAndDataBringsItBack() throws Exception {
        EchoServer server = new EchoServer(1, 20);
        Socket client = server.connect();
        roundTrip(client, new byte[] {1, 2, 3});
        GoNetpollEventLoop loop = loopOf(server.accepted.peek());

        for (int i = 0; i < 5; i++) {
            await(() -> !loop.hasGoroutine(), "the idle connection's loop to go dormant");
            assertTrue(server.accepted.peek().isActive(), "going dormant kept the channel");
            assertTrue(server.group.liveLoopCount() >= 1, "a dormant loop still counts as live");
            roundTrip(client, new byte[] {(byte) i, 42});
        }
        assertEquals(2, server.group.registeredFdCount(), "the listener and the one accepted descriptor");
    }

    @Test
    void aLoopWithTrafficKeepsItsGoroutineAndGoesDormantOnlyAfterAWholeDelayOfQuiet() throws Exception {
        long delayMillis = 300;
        EchoServer server = new EchoServer(1, delayMillis);
        Socket client = server.connect();
        roundTrip(client, new byte[] {1});
        GoNetpollEventLoop loop = loopOf(server.accepted.peek());

        // Traffic every ~10 ms for four delays: the loop checks for quiet once per delay and must
        // find work every time. Only checks made well within a delay of quiet count (a test thread
        // that stalled for longer may rightly find the loop dormant).
        int checked = 0;
        long lastEcho = System.nanoTime();
        long end = lastEcho + TimeUnit.MILLISECONDS.toNanos(4 * delayMillis);
        while (System.nanoTime() - end < 0) {
            Thread.sleep(10);
            boolean hasGoroutine = loop.hasGoroutine();
            long quietMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastEcho);
            if (quietMillis < delayMillis / 2) {
                assertTrue(hasGoroutine, "the loop went dormant after " + quietMillis + " ms of quiet");
                checked++;
            }
            roundTrip(client, new byte[] {2});
            lastEcho = System.nanoTime();
        }
        assertTrue(checked > 0, "no check ran within half a delay of the last echo");

        await(() -> !loop.hasGoroutine(), "the quiet loop to go dormant");
        long quietMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastEcho);
        // The server's last pass ends a little before the client sees the echo: allow for that.
        assertTrue(quietMillis >= delayMillis - 50, "went dormant after only " + quietMillis + " ms of quiet");
        roundTrip(client, new byte[] {3});
    }

    @Test
    void aBurstOfWakeUpsOfSporadicConnectionsReusesGoroutinesInsteadOfCreatingOnePerConnection() throws Exception {
        // Issue 14: one message on each of many dormant connections at once. Each woken loop goes
        // dormant again as soon as it is quiet, so its goroutine serves the next wake-up: the burst
        // creates about as many goroutines as run at one moment, not one per connection.
        int connections = 400;
        long delayMillis = 50;
        EchoServer server = new EchoServer(1, delayMillis);
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Socket s = server.connect();
            roundTrip(s, new byte[] {(byte) i});
            sockets.add(s);
        }
        await(() -> server.accepted.size() == connections
                && server.accepted.stream().noneMatch(ch -> loopOf(ch).hasGoroutine()), "every loop to go dormant");
        Thread.sleep(3 * delayMillis); // dormant for more than a whole delay: sporadic connections
        long createdBefore = server.group.createdGoroutineCount();
        for (Socket s : sockets) {
            s.getOutputStream().write(7);
        }
        for (Socket s : sockets) {
            assertEquals(7, s.getInputStream().read());
        }
        long created = server.group.createdGoroutineCount() - createdBefore;
        assertTrue(created <= connections / 10, "a burst of " + connections + " wake-ups created " + created
                + " goroutines");
        await(() -> server.accepted.stream().noneMatch(ch -> loopOf(ch).hasGoroutine()),
                "every loop to be dormant again");
    }

    @Test
    void aTaskStartsAGoroutineForADormantLoop() throws Exception {
        EchoServer server = new EchoServer(1, 10);
        Socket client = server.connect();
        roundTrip(client, new byte[] {7});
        GoNetpollEventLoop loop = loopOf(server.accepted.peek());
        await(() -> !loop.hasGoroutine(), "the loop to go dormant");

        assertTrue(LoopTests.holdsOnLoop(loop, loop::inEventLoop), "the task ran inside the loop");
        assertEquals(1, (int) LoopTests.onLoop(loop, loop::channelCount));
        roundTrip(client, new byte[] {8});
    }

    @Test
    void aScheduledTaskOfADormantLoopRunsWhenDue() throws Exception {
        EchoServer server = new EchoServer(1, 10);
        Socket client = server.connect();
        roundTrip(client, new byte[] {7});
        GoNetpollEventLoop loop = loopOf(server.accepted.peek());
        CountDownLatch ran = new CountDownLatch(1);
        AtomicBoolean inLoop = new AtomicBoolean();
        ScheduledFuture<?> f = loop.schedule(() -> {
            inLoop.set(loop.inEventLoop());
            ran.countDown();
        }, 300, TimeUnit.MILLISECONDS);

        await(() -> !loop.hasGoroutine() || ran.getCount() == 0, "the loop to go dormant before its task is due");
        assertTrue(ran.await(WAIT_SECONDS, TimeUnit.SECONDS), "the scheduled task of a dormant loop never ran");
        assertTrue(inLoop.get());
        assertTrue(f.await(WAIT_SECONDS, TimeUnit.SECONDS) && f.isSuccess()); // completes just after the task body
        roundTrip(client, new byte[] {9});
    }

    @Test
    void shuttingTheGroupDownClosesTheChannelsOfDormantLoops() throws Exception {
        EchoServer server = new EchoServer(2, 10);
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Socket s = server.connect();
            roundTrip(s, new byte[] {(byte) i});
            sockets.add(s);
        }
        await(() -> server.accepted.size() == 20
                && server.accepted.stream().noneMatch(ch -> loopOf(ch).hasGoroutine()),
                "every connection's loop to go dormant");

        assertTrue(server.group.shutdownGracefully(0, 5, TimeUnit.SECONDS)
                .awaitUninterruptibly(WAIT_SECONDS, TimeUnit.SECONDS), "group with dormant loops did not terminate");
        for (Socket s : sockets) {
            InputStream in = s.getInputStream();
            assertEquals(-1, in.read(), "a dormant loop's connection was not closed at shutdown");
        }
        assertFalse(server.accepted.stream().anyMatch(Channel::isOpen));
        assertEquals(0, server.group.liveLoopCount());
    }

    /**
     * With a dormancy delay of zero every wait gives the goroutine up: readiness that lands while a
     * goroutine is on its way out must start or keep one. Clients do request/response round trips with
     * random pauses from several threads for a bounded time; every answer must come back intact (a lost
     * wake-up shows as a read timeout).
     */
    @Test
    void noWakeUpIsLostWhileLoopsGoDormantAllTheTime() throws Exception {
        EchoServer server = new EchoServer(2, 0);
        int clientsCount = 16;
        long endNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
        ExecutorService pool = Executors.newFixedThreadPool(clientsCount);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < clientsCount; c++) {
                Socket s = server.connect();
                s.setSoTimeout(10_000);
                results.add(pool.submit(() -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    int trips = 0;
                    while (System.nanoTime() - endNanos < 0) {
                        byte[] message = new byte[1 + random.nextInt(2048)];
                        random.nextBytes(message);
                        roundTrip(s, message);
                        trips++;
                        int pause = random.nextInt(4);
                        if (pause > 0) {
                            Thread.sleep(0, pause * 250_000); // 0-0.75 ms: around the hand-over
                        }
                    }
                    return trips;
                }));
            }
            int total = 0;
            for (Future<Integer> r : results) {
                total += r.get(WAIT_SECONDS, TimeUnit.SECONDS);
            }
            assertTrue(total >= clientsCount, "every client completed round trips: " + total);
        } finally {
            pool.shutdownNow();
        }
    }
}
