package dev.gonetpoll.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.nio.channels.ClosedChannelException;
import org.junit.jupiter.api.Test;

class ErrorsTest {

    private static final InetSocketAddress ADDRESS = new InetSocketAddress("127.0.0.1", 8080);

    @Test
    void refusedIsAConnectExceptionNamingTheAddress() {
        IOException e = Errors.newIOException("connect", Linux.ECONNREFUSED, ADDRESS);
        assertInstanceOf(ConnectException.class, e);
        assertEquals("connect(..) failed: Connection refused: /127.0.0.1:8080", e.getMessage());
        assertEquals("connect(..) failed: Connection refused", Errors.newIOException("connect", Linux.ECONNREFUSED).getMessage());
    }

    @Test
    void timeoutIsAConnectExceptionOnlyForConnect() {
        IOException connect = Errors.newIOException("finishConnect", Linux.ETIMEDOUT, ADDRESS);
        assertInstanceOf(ConnectException.class, connect);
        assertEquals("connection timed out: /127.0.0.1:8080", connect.getMessage());

        IOException read = Errors.newIOException("read", Linux.ETIMEDOUT);
        assertEquals(ErrnoException.class, read.getClass());
        assertEquals("read(..) failed: Connection timed out", read.getMessage());
    }

    @Test
    void unreachableIsNoRouteToHost() {
        assertInstanceOf(NoRouteToHostException.class, Errors.newIOException("connect", Linux.ENETUNREACH, ADDRESS));
        IOException e = Errors.newIOException("connect", Linux.EHOSTUNREACH, ADDRESS);
        assertInstanceOf(NoRouteToHostException.class, e);
        assertTrue(e.getMessage().contains("/127.0.0.1:8080"), e.getMessage());
    }

    @Test
    void bindFailuresAreBindExceptionsNamingTheAddress() {
        for (int errno : new int[] {Linux.EADDRINUSE, Linux.EADDRNOTAVAIL, Linux.EACCES}) {
            IOException e = Errors.newIOException("bind", errno, ADDRESS);
            assertInstanceOf(BindException.class, e);
            assertEquals("bind(..) failed: " + Errors.strerror(errno) + ": /127.0.0.1:8080", e.getMessage());
        }
        assertEquals(ErrnoException.class, Errors.newIOException("connect", Linux.EADDRNOTAVAIL, ADDRESS).getClass());
    }

    @Test
    void resetAndBrokenPipeKeepTheErrno() {
        ErrnoException reset = (ErrnoException) Errors.newIOException("read", Linux.ECONNRESET);
        assertEquals("read(..) failed: Connection reset by peer", reset.getMessage());
        assertEquals(Linux.ECONNRESET, reset.errno());
        assertEquals("read", reset.syscall());
        ErrnoException pipe = (ErrnoException) Errors.newIOException("writev", Linux.EPIPE);
        assertEquals("writev(..) failed: Broken pipe", pipe.getMessage());
    }

    @Test
    void badFdIsAClosedChannel() {
        assertInstanceOf(ClosedChannelException.class, Errors.newIOException("write", Linux.EBADF));
    }

    @Test
    void fdExhaustionSaysSo() {
        for (int errno : new int[] {Linux.EMFILE, Linux.ENFILE}) {
            ErrnoException e = (ErrnoException) Errors.newIOException("accept", errno);
            assertTrue(e.getMessage().startsWith("accept(..) failed: Too many open files"), e.getMessage());
            assertTrue(e.getMessage().contains("limit"), e.getMessage());
            assertEquals(errno, e.errno());
        }
    }

    @Test
    void anythingElseIsAnErrnoException() {
        IOException e = Errors.newIOException("epoll_ctl", Linux.ENOMEM);
        assertEquals(ErrnoException.class, e.getClass());
        assertEquals("epoll_ctl(..) failed: Cannot allocate memory", e.getMessage());
        assertEquals("setsockopt(..) failed: errno 9999", Errors.newIOException("setsockopt", 9999).getMessage());
    }

    @Test
    void strerrorMatchesGlibcText() {
        assertEquals("Resource temporarily unavailable", Errors.strerror(Linux.EAGAIN));
        assertEquals("Transport endpoint is not connected", Errors.strerror(Linux.ENOTCONN));
        assertEquals("Operation now in progress", Errors.strerror(Linux.EINPROGRESS));
        assertEquals("errno 0", Errors.strerror(0));
    }

    @Test
    void errnoExceptionFormatsItsOwnMessage() {
        ErrnoException e = new ErrnoException("listen", Linux.EINVAL);
        assertEquals("listen(..) failed: Invalid argument", e.getMessage());
        assertEquals(Linux.EINVAL, e.errno());
    }
}
