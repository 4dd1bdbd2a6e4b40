package dev.gonetpoll.examples;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One HTTP/1.1 connection over a plain socket, for tests that need what an HTTP client library
 * hides: raw request targets, pipelining, exact framing. Responses are framed by
 * {@code Content-Length} (the file server never sends chunked ones).
 */
final class RawHttpConnection implements Closeable {

    /** A parsed response. Header names are case-insensitive. */
    record Response(String statusLine, int status, Map<String, List<String>> headers, byte[] body) {

        /** The only value of a header, or null if absent. */
        String header(String name) {
            List<String> values = headers.get(name);
            if (values == null) {
                return null;
            }
            assertEquals(1, values.size(), "header " + name + " appears more than once: " + values);
            return values.getFirst();
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return statusLine + " " + headers + " (" + body.length + " bytes)";
        }
    }

    private final Socket socket;
    private final InputStream in;

    RawHttpConnection(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(30_000);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
    }

    Socket socket() {
        return socket;
    }

    /** Sends raw request text (ISO-8859-1, so that every char is one byte). */
    RawHttpConnection send(String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        return this;
    }

    /** Sends {@code METHOD target HTTP/1.1} with a Host header and the given extra header lines. */
    RawHttpConnection request(String method, String target, String... headerLines) throws IOException {
        StringBuilder sb = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: localhost\r\n");
        for (String line : headerLines) {
            sb.append(line).append("\r\n");
        }
        return send(sb.append("\r\n").toString());
    }

    /** Reads a response that has a body of {@code Content-Length} bytes (none if absent). */
    Response read() throws IOException {
        return read(false);
    }

    /** Reads a response to HEAD: headers only, whatever {@code Content-Length} says. */
    Response readHead() throws IOException {
        return read(true);
    }

    /** Reads the status line and headers only; the body is left in the stream. */
    Response readHeaders() throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            fail("the connection closed before a response");
        }
        String[] parts = statusLine.split(" ", 3);
        assertTrue(parts.length >= 2 && parts[0].startsWith("HTTP/1."), "status line: " + statusLine);
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        while (true) {
            String line = line();
            if (line == null) {
                fail("the connection closed inside the headers of " + statusLine);
            }
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            assertTrue(colon > 0, "header line: " + line);
            headers.computeIfAbsent(line.substring(0, colon), k -> new ArrayList<>())
                    .add(line.substring(colon + 1).strip());
        }
        return new Response(statusLine, Integer.parseInt(parts[1]), headers, new byte[0]);
    }

    private Response read(boolean head) throws IOException {
        Response r = readHeaders();
        String length = r.header("Content-Length");
        if (head || length == null) {
            return r;
        }
        return new Response(r.statusLine(), r.status(), r.headers(), readBody(Long.parseLong(length)));
    }

    /** Reads exactly {@code n} body bytes. */
    byte[] readBody(long n) throws IOException {
        byte[] body = new byte[Math.toIntExact(n)];
        int got = 0;
        while (got < n) {
            int r = in.read(body, got, body.length - got);
            if (r < 0) {
                fail("the connection closed after " + got + " of " + n + " body bytes");
            }
            got += r;
        }
        return body;
    }

    /** Reads and discards up to {@code n} bytes; returns how many there were before the end of the stream. */
    long skip(long n) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        while (total < n) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n - total));
            if (r < 0) {
                break;
            }
            total += r;
        }
        return total;
    }

    /** The server must close the connection with nothing more to read. */
    void assertClosedByServer() throws IOException {
        HelloServerTest.assertEndOfStream(in);
    }

    private String line() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                String s = bytes.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            bytes.write(b);
        }
        return bytes.size() == 0 ? null : bytes.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
