package dev.gonetpoll.examples;

import io.netty.handler.codec.http.HttpRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.gonetpoll.examples.HelloServerTest.BAD_REQUEST_RESPONSE;
import static dev.gonetpoll.examples.HelloServerTest.OK_RESPONSE;
import static dev.gonetpoll.examples.HelloServerTest.readExactly;
import static dev.gonetpoll.examples.HelloServerTest.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code blocking} example: sleep and JDBC bodies, in the loop and offloaded, on every transport. */
@Timeout(60)
class BlockingServerTest {

    private static final String GET = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";

    private static Socket connect(RunningServer server) throws Exception {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port());
        s.setSoTimeout(20_000);
        return s;
    }

    private static ServerOptions options(Transport transport) {
        return new ServerOptions("127.0.0.1", 0, 1).withTransport(transport);
    }

    /** The options as given (the body runs in the loop), then with {@code --offload}. */
    private static List<ServerOptions> inLoopAndOffloaded(ServerOptions o) {
        return List.of(o, o.with(BlockingCommand.OFFLOAD, "true"));
    }

    /**
     * One processor: a handler that blocks (here until the test releases it) parks only its own
     * connection's goroutine; another connection is answered meanwhile.
     */
    @Test
    void onGonetpollABlockedHandlerHoldsBackOnlyItsOwnConnection() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        HttpExampleHandler.ResponseBody body = (HttpRequest request) -> {
            if (request.uri().equals("/block")) {
                blocked.countDown();
                release.await();
            }
            return HttpExampleHandler.HELLO;
        };
        RunningServer server = HttpExampleServer.start(options(Transport.GONETPOLL), () -> new HttpExampleHandler(body, null));
        try (Socket a = connect(server); Socket b = connect(server)) {
            send(a, "GET /block HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertTrue(blocked.await(20, TimeUnit.SECONDS), "the first request never reached the handler");
            send(b, GET);
            assertEquals(OK_RESPONSE, readExactly(b, OK_RESPONSE.length()), "the second connection was held back");
            assertEquals(0, a.getInputStream().available(), "the blocked request was answered early");
            release.countDown();
            assertEquals(OK_RESPONSE, readExactly(a, OK_RESPONSE.length()));
        } finally {
            release.countDown();
            server.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void sleepInTheHandlerThenHello(Transport transport) throws Exception {
        Transports.assumeAvailable(transport);
        try (BlockingServer server = BlockingServer.start(options(transport).with(BlockingCommand.SLEEP_MS, "5"));
             Socket s = connect(server.running())) {
            send(s, GET + GET);
            assertEquals(OK_RESPONSE + OK_RESPONSE, readExactly(s, 2 * OK_RESPONSE.length()));
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void offloadedSleepKeepsPipelinedAnswersInOrder(Transport transport) throws Exception {
        Transports.assumeAvailable(transport);
        ServerOptions o = options(transport).with(BlockingCommand.SLEEP_MS, "2").with(BlockingCommand.OFFLOAD, "true");
        try (BlockingServer server = BlockingServer.start(o); Socket s = connect(server.running())) {
            send(s, GET.repeat(5));
            assertEquals(OK_RESPONSE.repeat(5), readExactly(s, 5 * OK_RESPONSE.length()));
            send(s, "BAD\r\n\r\n");
            assertEquals(BAD_REQUEST_RESPONSE, readExactly(s, BAD_REQUEST_RESPONSE.length()));
            HelloServerTest.assertEndOfStream(s);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aMalformedRequestClosesOnlyItsOwnConnection(Transport transport) throws Exception {
        Transports.assumeAvailable(transport);
        for (ServerOptions o : inLoopAndOffloaded(options(transport).with(BlockingCommand.SLEEP_MS, "1"))) {
            try (BlockingServer server = BlockingServer.start(o)) {
                HelloServerTest.assertABadClientLeavesAGoodOneServed(server.running().port(), OK_RESPONSE);
            }
        }
    }

    /** {@code GET /row/N} answers row N of the table, with the text the database was filled with. */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void eachRequestRunsAQueryOnH2(Transport transport) throws Exception {
        Transports.assumeAvailable(transport);
        for (ServerOptions o : inLoopAndOffloaded(options(transport).with(BlockingCommand.DB, "true"))) {
            try (BlockingServer server = BlockingServer.start(o);
                 Socket s = connect(server.running())) {
                for (int row : new int[] {42, 0, BlockingServer.ROWS - 1}) {
                    send(s, "GET /row/" + row + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
                    String expected = response("200 OK", "Hello from row " + row + "!");
                    assertEquals(expected, readExactly(s, expected.length()));
                }
                for (int i = 0; i < 3; i++) {
                    send(s, GET); // a random row
                    String head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ";
                    assertEquals(head, readExactly(s, head.length()));
                    StringBuilder rest = new StringBuilder();
                    while (rest.indexOf("\r\n\r\n") < 0) {
                        rest.append((char) s.getInputStream().read());
                    }
                    int length = Integer.parseInt(rest.substring(0, rest.indexOf("\r\n")).trim());
                    String body = readExactly(s, length);
                    Matcher m = Pattern.compile("Hello from row (\\d+)!").matcher(body);
                    assertTrue(m.matches(), "not a row of the table: " + body);
                    assertTrue(Integer.parseInt(m.group(1)) < BlockingServer.ROWS);
                }
            }
        }
    }

    /** A row that does not exist is a 404 naming the valid rows; the connection keeps being served. */
    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"GONETPOLL", "NIO"})
    void aMissingRowIs404AndTheConnectionStaysOpen(Transport transport) throws Exception {
        try (BlockingServer server = BlockingServer.start(options(transport).with(BlockingCommand.DB, "true"));
             Socket s = connect(server.running())) {
            for (String bad : new String[] {String.valueOf(BlockingServer.ROWS), "-1", "x", "", "1e3", "99999999999"}) {
                send(s, "GET /row/" + bad + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
                String expected = response("404 Not Found", "no row '" + bad + "': rows are 0 to " + (BlockingServer.ROWS - 1));
                assertEquals(expected, readExactly(s, expected.length()));
            }
            send(s, "GET /row/7?fresh=1 HTTP/1.1\r\nHost: localhost\r\n\r\n");
            String expected = response("200 OK", "Hello from row 7!");
            assertEquals(expected, readExactly(s, expected.length()));
        }
    }

    /** Two --db servers in one JVM: each its own database, so closing one leaves the other working. */
    @Test
    void eachDbServerHasItsOwnDatabase() throws Exception {
        ServerOptions o = options(Transport.GONETPOLL).with(BlockingCommand.DB, "true");
        try (BlockingServer second = BlockingServer.start(o)) {
            BlockingServer.start(o).close(); // a SHUTDOWN of its database
            try (Socket s = connect(second.running())) {
                send(s, "GET /row/3 HTTP/1.1\r\nHost: localhost\r\n\r\n");
                String expected = response("200 OK", "Hello from row 3!");
                assertEquals(expected, readExactly(s, expected.length()));
            }
        }
    }

    /** A complete HTTP/1.1 keep-alive answer with a text body (ASCII). */
    private static String response(String status, String body) {
        return "HTTP/1.1 " + status + "\r\nContent-Type: text/plain\r\nContent-Length: " + body.length() + "\r\n\r\n"
                + body;
    }

    @Test
    void exactlyOneOfSleepOrDbIsRequired() {
        assertThrows(UsageException.class, () -> BlockingServer.start(options(Transport.GONETPOLL)));
        assertThrows(UsageException.class, () -> BlockingServer.start(options(Transport.GONETPOLL)
                .with(BlockingCommand.SLEEP_MS, "1").with(BlockingCommand.DB, "true")));
        assertThrows(UsageException.class, () -> BlockingServer.start(options(Transport.GONETPOLL)
                .with(BlockingCommand.SLEEP_MS, "-1")));
    }

    /**
     * A body that fails (here a "query" that throws) gets 500 with Connection: close after the answers
     * to the requests before it, in the loop and offloaded: the client is never left waiting.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void aFailingBodyGets500AndTheConnectionCloses(boolean offloaded) throws Exception {
        java.util.concurrent.ExecutorService offload =
                offloaded ? java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor() : null;
        HttpExampleHandler.ResponseBody body = request -> {
            if (request.uri().equals("/fail")) {
                throw new java.sql.SQLException("the database is gone");
            }
            return HttpExampleHandler.HELLO;
        };
        RunningServer server = HttpExampleServer.start(options(Transport.GONETPOLL),
                () -> new HttpExampleHandler(body, offload));
        try (Socket s = connect(server)) {
            send(s, GET + "GET /fail HTTP/1.1\r\nHost: localhost\r\n\r\n" + GET);
            assertEquals(OK_RESPONSE, readExactly(s, OK_RESPONSE.length()));
            String status = "HTTP/1.1 500 Internal Server Error\r\n";
            assertEquals(status, readExactly(s, status.length()));
            String rest = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertTrue(rest.contains("Connection: close\r\n"), rest);
            assertTrue(rest.endsWith("cannot answer: the database is gone"), "body, then the close: " + rest);
        } finally {
            server.close();
            if (offload != null) {
                offload.close();
            }
        }
    }
}
