package dev.gonetpoll.examples;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code blocking} example server: {@link HttpExampleServer} whose handler blocks per request, either
 * sleeping or querying an embedded H2 database, in the event loop (or on a virtual thread per request
 * with {@code --offload}). Owns what it opened besides the server: the database and the executor.
 */
final class BlockingServer implements AutoCloseable {

    /** Rows in the example table; {@code GET /row/N} reads row N, any other request one chosen at random. */
    static final int ROWS = 100;
    /** The path prefix of a request for one row. */
    static final String ROW_PATH = "/row/";

    /** Numbers the in-memory databases: each server (several may run in one JVM, e.g. tests) gets its own. */
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final RunningServer running;
    private final Connection keepDatabaseOpen;
    private final ExecutorService offload;

    private BlockingServer(RunningServer running, Connection keepDatabaseOpen, ExecutorService offload) {
        this.running = running;
        this.keepDatabaseOpen = keepDatabaseOpen;
        this.offload = offload;
    }

    static BlockingServer start(ServerOptions options) throws UsageException, StartupException {
        boolean db = options.flag(BlockingCommand.DB);
        String sleep = options.option(BlockingCommand.SLEEP_MS);
        if (db == (sleep != null)) {
            throw new UsageException("give exactly one of --sleep-ms N or --db");
        }
        HttpExampleHandler.ResponseBody body;
        Connection anchor = null;
        if (db) {
            String url = "jdbc:h2:mem:blocking-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1";
            anchor = createDatabase(url);
            body = request -> query(url, rowOf(request));
        } else {
            int millis = options.intOption(BlockingCommand.SLEEP_MS, 0, 0, 60_000);
            body = request -> {
                Thread.sleep(millis);
                return HttpExampleHandler.HELLO;
            };
        }
        ExecutorService offload = options.flag(BlockingCommand.OFFLOAD) ? Executors.newVirtualThreadPerTaskExecutor() : null;
        try {
            HttpExampleHandler.ResponseBody b = body;
            RunningServer running = HttpExampleServer.start(options, () -> new HttpExampleHandler(b, offload));
            return new BlockingServer(running, anchor, offload);
        } catch (StartupException | RuntimeException e) {
            closeQuietly(anchor, offload);
            throw e;
        }
    }

    RunningServer running() {
        return running;
    }

    /**
     * An in-memory database with one table of {@link #ROWS} greetings. The anchor connection keeps it
     * alive (with {@code DB_CLOSE_DELAY=-1}, until the server closes it with {@code SHUTDOWN}).
     */
    private static Connection createDatabase(String url) throws StartupException {
        try {
            Connection c = DriverManager.getConnection(url);
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE greeting (id INT PRIMARY KEY, text VARCHAR(64) NOT NULL)");
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO greeting VALUES (?, ?)")) {
                    for (int i = 0; i < ROWS; i++) {
                        insert.setInt(1, i);
                        insert.setString(2, "Hello from row " + i + "!");
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
            }
            return c;
        } catch (SQLException e) {
            throw new StartupException("cannot create the H2 database: " + RunningServer.oneLine(e), e);
        }
    }

    /**
     * The row a request asks for: N for {@code /row/N}, a random one for any other path.
     *
     * @throws HttpExampleHandler.NotFoundException if N is not the number of a row
     */
    static int rowOf(HttpRequest request) throws HttpExampleHandler.NotFoundException {
        String path = new QueryStringDecoder(request.uri()).path();
        if (!path.startsWith(ROW_PATH)) {
            return ThreadLocalRandom.current().nextInt(ROWS);
        }
        String n = path.substring(ROW_PATH.length());
        if (n.matches("[0-9]{1,9}") && Integer.parseInt(n) < ROWS) {
            return Integer.parseInt(n);
        }
        throw new HttpExampleHandler.NotFoundException("no row '" + n + "': rows are 0 to " + (ROWS - 1));
    }

    /**
     * One request's query: a connection of its own for each request (H2 in memory opens one in
     * microseconds; a pool would hide the blocking this example is about), a prepared SELECT of row
     * {@code id}, the row's text as the body.
     */
    private static byte[] query(String url, int id) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
             PreparedStatement select = c.prepareStatement("SELECT text FROM greeting WHERE id = ?")) {
            select.setInt(1, id);
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("row " + id + " is missing");
                }
                return rs.getString(1).getBytes(StandardCharsets.UTF_8);
            }
        }
    }

    @Override
    public void close() {
        running.close();
        closeQuietly(keepDatabaseOpen, offload);
    }

    private static void closeQuietly(Connection anchor, ExecutorService offload) {
        if (offload != null) {
            offload.close();
        }
        if (anchor != null) {
            try (Statement s = anchor.createStatement()) {
                s.execute("SHUTDOWN");
            } catch (SQLException ignored) {
                // the database goes away with the process anyway
            } finally {
                try {
                    anchor.close();
                } catch (SQLException ignored) {
                    // already closed by SHUTDOWN
                }
            }
        }
    }
}
