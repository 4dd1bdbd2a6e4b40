package dev.gonetpoll.it;

import dev.gonetpoll.channel.GoNetpollEventLoopGroup;
import dev.gonetpoll.channel.GoNetpollServerSocketChannel;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Real blocking JDBC (embedded H2, in memory) inside the handler: per request, take a connection from a small
 * blocking pool (fewer connections than clients, so handlers also block waiting for one), insert a row, select
 * it back by its generated key and answer with it. 50 concurrent clients on one processor must each get their
 * own rows.
 */
@Timeout(180)
class JdbcBlockingHandlerTest {

    private static final int CLIENTS = 50;
    private static final int REQUESTS_PER_CLIENT = 10;
    private static final int POOL_SIZE = 4;

    private final String url = "jdbc:h2:mem:gonetpoll-it-" + UUID.randomUUID();
    /** Keeps the in-memory database alive for the test; closing it (last) drops the database. */
    private Connection anchor;
    private final List<Connection> allConnections = new ArrayList<>();
    private final BlockingQueue<Connection> pool = new ArrayBlockingQueue<>(POOL_SIZE);

    private EventLoopGroup group;
    private Channel server;

    @BeforeEach
    void setUp() throws SQLException {
        anchor = DriverManager.getConnection(url);
        try (Statement st = anchor.createStatement()) {
            st.execute("CREATE TABLE items (id BIGINT AUTO_INCREMENT PRIMARY KEY, client INT NOT NULL, "
                    + "seq INT NOT NULL, payload VARCHAR(200) NOT NULL)");
        }
        for (int i = 0; i < POOL_SIZE; i++) {
            Connection c = DriverManager.getConnection(url);
            allConnections.add(c);
            pool.add(c);
        }

        group = new GoNetpollEventLoopGroup(1);
        server = new ServerBootstrap()
                .group(group)
                .channel(GoNetpollServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(
                                new LineBasedFrameDecoder(1024),
                                new StringDecoder(StandardCharsets.UTF_8),
                                new StringEncoder(StandardCharsets.UTF_8),
                                new JdbcHandler());
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .syncUninterruptibly()
                .channel();
    }

    @AfterEach
    void tearDown() throws SQLException {
        try {
            if (server != null) {
                server.close().syncUninterruptibly();
            }
            if (group != null) {
                assertTrue(group.shutdownGracefully(0, 10, TimeUnit.SECONDS)
                        .awaitUninterruptibly(30, TimeUnit.SECONDS), "group did not terminate");
            }
        } finally {
            for (Connection c : allConnections) {
                c.close();
            }
            if (anchor != null) {
                anchor.close();
            }
        }
        for (Connection c : allConnections) {
            assertTrue(c.isClosed(), "a pooled connection is still open");
        }
        assertTrue(anchor.isClosed(), "the anchor connection is still open");
    }

    /** "put CLIENT SEQ" -> "row ID CLIENT SEQ PAYLOAD", read back from the database. */
    private final class JdbcHandler extends SimpleChannelInboundHandler<String> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, String line) throws Exception {
            String[] parts = line.split(" ");
            if (parts.length != 3 || !parts[0].equals("put")) {
                ctx.writeAndFlush("error bad request: " + line + "\n");
                return;
            }
            int client = Integer.parseInt(parts[1]);
            int seq = Integer.parseInt(parts[2]);
            String payload = "value-" + client + "-" + seq;
            Connection c = pool.take(); // blocks while all connections are in use
            try {
                long id;
                try (PreparedStatement insert = c.prepareStatement(
                        "INSERT INTO items (client, seq, payload) VALUES (?, ?, ?)",
                        Statement.RETURN_GENERATED_KEYS)) {
                    insert.setInt(1, client);
                    insert.setInt(2, seq);
                    insert.setString(3, payload);
                    int inserted = insert.executeUpdate();
                    if (inserted != 1) {
                        throw new SQLException(inserted + " rows inserted");
                    }
                    try (ResultSet keys = insert.getGeneratedKeys()) {
                        if (!keys.next()) {
                            throw new SQLException("no generated key");
                        }
                        id = keys.getLong(1);
                    }
                }
                try (PreparedStatement select = c.prepareStatement(
                        "SELECT id, client, seq, payload FROM items WHERE id = ?")) {
                    select.setLong(1, id);
                    try (ResultSet rs = select.executeQuery()) {
                        if (!rs.next()) {
                            throw new SQLException("row " + id + " not found");
                        }
                        ctx.writeAndFlush("row " + rs.getLong(1) + " " + rs.getInt(2) + " " + rs.getInt(3) + " "
                                + rs.getString(4) + "\n");
                    }
                }
            } catch (SQLException e) {
                ctx.writeAndFlush("error " + e + "\n");
            } finally {
                pool.add(c);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.writeAndFlush("error " + cause + "\n");
            ctx.close();
        }
    }

    @Test
    void fiftyConcurrentClientsEachGetTheirOwnRows() throws Exception {
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        Set<Long> ids = ConcurrentHashMap.newKeySet();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < CLIENTS; i++) {
                int client = i;
                results.add(clients.submit(() -> {
                    go.await();
                    return runClient(port, client, ids);
                }));
            }
            go.countDown();
            List<String> failures = new ArrayList<>();
            for (Future<String> r : results) {
                String failure = r.get(150, TimeUnit.SECONDS);
                if (failure != null) {
                    failures.add(failure);
                }
            }
            if (!failures.isEmpty()) {
                fail(failures.size() + " of " + CLIENTS + " clients failed, e.g.:\n"
                        + String.join("\n", failures.subList(0, Math.min(10, failures.size()))));
            }
        }
        assertEquals(CLIENTS * REQUESTS_PER_CLIENT, ids.size(), "distinct row ids handed out");
        try (Statement st = anchor.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*), COUNT(DISTINCT client) FROM items")) {
            assertTrue(rs.next());
            assertEquals(CLIENTS * REQUESTS_PER_CLIENT, rs.getInt(1), "rows in the database");
            assertEquals(CLIENTS, rs.getInt(2), "clients in the database");
        }
        assertEquals(POOL_SIZE, pool.size(), "every pooled connection was given back");
    }

    private static String runClient(int port, int client, Set<Long> ids) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            for (int seq = 0; seq < REQUESTS_PER_CLIENT; seq++) {
                out.write(("put " + client + " " + seq + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                String answer = in.readLine();
                if (answer == null) {
                    return "client " + client + ": connection closed before answer " + seq;
                }
                String[] parts = answer.split(" ");
                String expectedTail = client + " " + seq + " value-" + client + "-" + seq;
                if (parts.length != 5 || !parts[0].equals("row") || !answer.endsWith(" " + expectedTail)) {
                    return "client " + client + ": expected 'row <id> " + expectedTail + "', got '" + answer + "'";
                }
                if (!ids.add(Long.parseLong(parts[1]))) {
                    return "client " + client + ": row id " + parts[1] + " was already handed to another request";
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return "client " + client + ": " + e;
        }
    }
}
