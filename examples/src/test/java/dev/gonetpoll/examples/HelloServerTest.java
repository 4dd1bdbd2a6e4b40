package dev.gonetpoll.examples;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The hello server, started in-process on an ephemeral port, spoken to over plain sockets; the same
 * on every transport ({@code --transport}).
 */
@Timeout(60)
@ParameterizedClass
@EnumSource(Transport.class)
class HelloServerTest {

    @Parameter
    Transport transport;

    static final String OK_RESPONSE = """
            HTTP/1.1 200 OK\r
            Content-Type: text/plain\r
            Content-Length: 13\r
            \r
            Hello, World!""";

    /** The answer to a request the decoder rejects; the server closes the connection after it. */
    static final String BAD_REQUEST_RESPONSE = """
            HTTP/1.1 400 Bad Request\r
            Content-Type: text/plain\r
            Content-Length: 0\r
            Connection: close\r
            \r
            """;

    private RunningServer server;

    @BeforeEach
    void start() throws Exception {
        Transports.assumeAvailable(transport);
        server = HttpExampleServer.hello(new ServerOptions("127.0.0.1", 0, 1).withTransport(transport));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void getIsAnsweredByteForByte() throws IOException {
        assertNotEquals(0, server.port());
        try (Socket s = connect()) {
            send(s, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertEquals(OK_RESPONSE, readExactly(s, OK_RESPONSE.length()));
            s.shutdownOutput(); // the server closes on EOF: nothing may follow the 13-byte body
            assertEndOfStream(s);
        }
    }

    @Test
    void keepAliveServesTwoRequestsOnOneConnection() throws IOException {
        try (Socket s = connect()) {
            send(s, "GET /first HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertEquals(OK_RESPONSE, readExactly(s, OK_RESPONSE.length()));
            send(s, "GET /second HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertEquals(OK_RESPONSE, readExactly(s, OK_RESPONSE.length()));
            s.shutdownOutput();
            assertEndOfStream(s);
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws IOException {
        try (Socket s = connect()) {
            // One write, two requests; the second one is a HEAD, so the order of the answers shows.
            send(s, "GET /one HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    + "HEAD /two HTTP/1.1\r\nHost: localhost\r\n\r\n");
            String headAnswer = OK_RESPONSE.substring(0, OK_RESPONSE.length() - 13);
            assertEquals(OK_RESPONSE + headAnswer, readExactly(s, OK_RESPONSE.length() + headAnswer.length()));
            s.shutdownOutput();
            assertEndOfStream(s);
        }
    }

    @Test
    void http10WithoutKeepAliveIsAnsweredAndClosed() throws IOException {
        try (Socket s = connect()) {
            send(s, "GET / HTTP/1.0\r\n\r\n");
            String expected = """
                    HTTP/1.0 200 OK\r
                    Content-Type: text/plain\r
                    Content-Length: 13\r
                    Connection: close\r
                    \r
                    Hello, World!""";
            assertEquals(expected, readExactly(s, expected.length()));
            assertEndOfStream(s); // closed by the server, our side still open
        }
    }

    @Test
    void connectionCloseIsHonoured() throws IOException {
        try (Socket s = connect()) {
            send(s, "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    + "GET /ignored HTTP/1.1\r\nHost: localhost\r\n\r\n");
            String expected = """
                    HTTP/1.1 200 OK\r
                    Content-Type: text/plain\r
                    Content-Length: 13\r
                    Connection: close\r
                    \r
                    Hello, World!""";
            assertEquals(expected, readExactly(s, expected.length()));
            assertEndOfStream(s);
        }
    }

    @Test
    void malformedRequestLineGets400AndTheConnectionCloses() throws IOException {
        try (Socket s = connect()) {
            send(s, "GET / HTTP/9.X\r\nHost: localhost\r\n\r\n");
            assertEquals(BAD_REQUEST_RESPONSE, readExactly(s, BAD_REQUEST_RESPONSE.length()));
            assertEndOfStream(s);
        }
    }

    @Test
    void goodRequestThenMalformedOneInOneWrite() throws IOException {
        try (Socket s = connect()) {
            send(s, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\nNOT AN HTTP REQUEST LINE\r\n\r\n");
            assertEquals(OK_RESPONSE + BAD_REQUEST_RESPONSE,
                    readExactly(s, OK_RESPONSE.length() + BAD_REQUEST_RESPONSE.length()));
            assertEndOfStream(s);
        }
    }

    @Test
    void aMalformedRequestClosesOnlyItsOwnConnection() throws IOException {
        assertABadClientLeavesAGoodOneServed(server.port(), OK_RESPONSE);
    }

    /**
     * Two clients of one server at the same time: the good one's keep-alive connection is served before,
     * while and after the bad one sends a malformed request, gets 400 and is closed.
     *
     * @param okResponse the server's complete answer to {@code GET /}
     */
    static void assertABadClientLeavesAGoodOneServed(int port, String okResponse) throws IOException {
        String get = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
        try (Socket good = new Socket(InetAddress.getLoopbackAddress(), port);
             Socket bad = new Socket(InetAddress.getLoopbackAddress(), port)) {
            good.setSoTimeout(10_000);
            bad.setSoTimeout(10_000);
            send(good, get);
            assertEquals(okResponse, readExactly(good, okResponse.length()));
            send(good, get); // in flight while the bad request arrives
            send(bad, "GET / HTTP/9.X\r\nHost: localhost\r\n\r\n");
            assertEquals(BAD_REQUEST_RESPONSE, readExactly(bad, BAD_REQUEST_RESPONSE.length()));
            assertEquals(okResponse, readExactly(good, okResponse.length()));
            assertEndOfStream(bad);
            send(good, get + get); // the same connection, after the bad one was closed
            assertEquals(okResponse + okResponse, readExactly(good, 2 * okResponse.length()));
            good.shutdownOutput();
            assertEndOfStream(good);
        }
    }

    @Test
    void oversizedHeadersGet431AndTheConnectionCloses() throws IOException {
        try (Socket s = connect()) {
            send(s, "GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "a".repeat(HttpRequestDecoding.MAX_HEADER_SIZE + 100)
                    + "\r\n\r\n");
            String expected = """
                    HTTP/1.1 431 Request Header Fields Too Large\r
                    Content-Type: text/plain\r
                    Content-Length: 0\r
                    Connection: close\r
                    \r
                    """;
            assertEquals(expected, readExactly(s, expected.length()));
            assertEndOfStream(s);
        }
    }

    @Test
    void expectContinueGets100ThenTheAnswer() throws IOException {
        try (Socket s = connect()) {
            send(s, "POST /upload HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            String cont = "HTTP/1.1 100 Continue\r\n\r\n";
            assertEquals(cont, readExactly(s, cont.length()));
            send(s, "hello");
            assertEquals(OK_RESPONSE, readExactly(s, OK_RESPONSE.length()));
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port());
        s.setSoTimeout(10_000);
        s.setTcpNoDelay(true);
        return s;
    }

    static void send(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    static String readExactly(Socket s, int n) throws IOException {
        InputStream in = s.getInputStream();
        byte[] buf = new byte[n];
        int got = 0;
        try {
            while (got < n) {
                int r = in.read(buf, got, n - got);
                if (r < 0) {
                    break;
                }
                got += r;
            }
        } catch (SocketTimeoutException e) {
            fail("timed out after " + got + " of " + n + " bytes: "
                    + new String(buf, 0, got, StandardCharsets.ISO_8859_1));
        }
        String text = new String(buf, 0, got, StandardCharsets.ISO_8859_1);
        if (got < n) {
            fail("connection closed after " + got + " of " + n + " bytes: " + text);
        }
        return text;
    }

    /** The server must close the connection and send nothing more. */
    static void assertEndOfStream(Socket s) throws IOException {
        assertEndOfStream(s.getInputStream());
    }

    /** The server must close the connection and send nothing more than what {@code in} has consumed. */
    static void assertEndOfStream(InputStream in) throws IOException {
        try {
            int r = in.read();
            if (r >= 0) {
                byte[] rest = in.readNBytes(Math.max(0, Math.min(in.available(), 200)));
                fail("expected the server to close the connection, got more data: "
                        + (char) r + new String(rest, StandardCharsets.ISO_8859_1));
            }
        } catch (SocketTimeoutException e) {
            fail("the server did not close the connection");
        } catch (SocketException e) {
            // A reset after the complete answer also means "closed" (our unread bytes or a racing close).
            if (!String.valueOf(e.getMessage()).contains("reset")) {
                throw e;
            }
        }
    }
}
