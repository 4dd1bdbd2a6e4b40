package dev.gonetpoll.bench;

import static dev.gonetpoll.sys.Linux.SOCK_CLOEXEC;
import static dev.gonetpoll.sys.Linux.SOCK_NONBLOCK;
import static dev.gonetpoll.sys.Linux.SOL_SOCKET;
import static dev.gonetpoll.sys.Linux.SO_ERROR;

import dev.gonetpoll.sys.AcceptedPeer;
import dev.gonetpoll.sys.IovArray;
import dev.gonetpoll.sys.LibC;
import dev.gonetpoll.sys.Linux;
import dev.gonetpoll.sys.Socket;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The syscalls a stream channel makes per event or per request, each at three levels:
 * <ul>
 *   <li>{@code ...Socket}: gonetpoll's wrapper ({@link Socket}), as the channels call it;</li>
 *   <li>{@code ...Libc}: the bare JNA binding ({@link LibC}) with the same errno check;</li>
 *   <li>{@code ...Ffm}: the same libc function through the JDK's FFM API ({@link BareLibc}).</li>
 * </ul>
 * The socket calls use a connected pair of Unix stream sockets (cheap in the kernel, so the cost of
 * the crossing shows); accept uses a listening TCP socket on the loopback address with no pending
 * connection. Every call's result is checked, so a call that stops doing what is measured fails.
 */
public class StreamSocketBenchmark extends BenchmarkDefaults {

    /** Bytes per write: a small request. */
    static final int MESSAGE = 8;
    /** Room per read, more than one message: a read returns what is there. */
    static final int READ_CAPACITY = 64;

    @State(Scope.Thread)
    public static class Sockets {
        UnixStreamPair pair;
        Socket listener;
        final AcceptedPeer peer = new AcceptedPeer();
        final Arena arena = Arena.ofShared();
        final MemorySegment message = arena.allocate(MESSAGE, Long.BYTES);
        final MemorySegment readBuffer = arena.allocate(READ_CAPACITY, Long.BYTES);
        /** Room for a peer's sockaddr (sockaddr_in6 is the largest, 28 bytes) and its length. */
        final MemorySegment acceptAddr = arena.allocate(32, Long.BYTES);
        final MemorySegment acceptAddrLen = arena.allocate(ValueLayout.JAVA_INT);
        final MemorySegment optionValue = arena.allocate(ValueLayout.JAVA_INT);
        final MemorySegment optionLen = arena.allocate(ValueLayout.JAVA_INT);
        /** The message as two iovec entries of half each, for writev. */
        final IovArray iov = new IovArray();
        final BareLibc ffm = new BareLibc(arena);
        int clientFd;
        int serverFd;
        int listenerFd;

        @Setup(Level.Trial)
        public void open() throws IOException {
            pair = UnixStreamPair.open();
            clientFd = pair.client.fd();
            serverFd = pair.server.fd();
            listener = Socket.newStreamSocket(false);
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            listener.listen(16);
            listenerFd = listener.fd();
            iov.add(message.address(), MESSAGE / 2);
            iov.add(message.address() + MESSAGE / 2, MESSAGE - MESSAGE / 2);
        }

        @TearDown(Level.Trial)
        public void close() throws Exception {
            AutoCloseable closeListener = listener == null ? null : listener::close;
            try (arena; iov; UnixStreamPair p = pair; closeListener) {
                // an unread byte would mean a benchmark wrote more than it read back
                int left = p == null ? Socket.WOULD_BLOCK : p.server.read(readBuffer.address(), READ_CAPACITY);
                if (left != Socket.WOULD_BLOCK) {
                    throw new IllegalStateException(left + " unread bytes left in the socket");
                }
            }
        }
    }

    // recv on an empty socket: what every read loop ends with (edge-triggered: read until EAGAIN).
    // Socket.read uses recv(2) and Socket.write send(2, MSG_NOSIGNAL); the other levels call the same.

    @Benchmark
    public int readEagainSocket(Sockets s) throws IOException {
        return (int) Expect.value(s.pair.server.read(s.readBuffer.address(), READ_CAPACITY), Socket.WOULD_BLOCK, "Socket.read");
    }

    @Benchmark
    public long readEagainLibc(Sockets s) {
        return Expect.eagain(LibC.recv(s.serverFd, s.readBuffer.address(), READ_CAPACITY, 0), LibC.errno(), "LibC.recv");
    }

    @Benchmark
    public long readEagainFfm(Sockets s) {
        return Expect.eagain(s.ffm.recv(s.serverFd, s.readBuffer.address(), READ_CAPACITY, 0), s.ffm.errno(), "recv");
    }

    // send then recv of a small message: two syscalls per request

    @Benchmark
    public int writeReadSocket(Sockets s) throws IOException {
        Expect.value(s.pair.client.write(s.message.address(), MESSAGE), MESSAGE, "Socket.write");
        return (int) Expect.value(s.pair.server.read(s.readBuffer.address(), READ_CAPACITY), MESSAGE, "Socket.read");
    }

    @Benchmark
    public long writeReadLibc(Sockets s) {
        Expect.value(LibC.send(s.clientFd, s.message.address(), MESSAGE, Linux.MSG_NOSIGNAL), MESSAGE, "LibC.send");
        return Expect.value(LibC.recv(s.serverFd, s.readBuffer.address(), READ_CAPACITY, 0), MESSAGE, "LibC.recv");
    }

    @Benchmark
    public long writeReadFfm(Sockets s) {
        Expect.value(s.ffm.send(s.clientFd, s.message.address(), MESSAGE, Linux.MSG_NOSIGNAL), MESSAGE, "send");
        return Expect.value(s.ffm.recv(s.serverFd, s.readBuffer.address(), READ_CAPACITY, 0), MESSAGE, "recv");
    }

    // writev of the message in two pieces (a gathering write), then a recv

    @Benchmark
    public int writevReadSocket(Sockets s) throws IOException {
        Expect.value(s.pair.client.writev(s.iov.address(), s.iov.count()), MESSAGE, "Socket.writev");
        return (int) Expect.value(s.pair.server.read(s.readBuffer.address(), READ_CAPACITY), MESSAGE, "Socket.read");
    }

    @Benchmark
    public long writevReadLibc(Sockets s) {
        Expect.value(LibC.writev(s.clientFd, s.iov.address(), s.iov.count()), MESSAGE, "LibC.writev");
        return Expect.value(LibC.recv(s.serverFd, s.readBuffer.address(), READ_CAPACITY, 0), MESSAGE, "LibC.recv");
    }

    @Benchmark
    public long writevReadFfm(Sockets s) {
        Expect.value(s.ffm.writev(s.clientFd, s.iov.address(), s.iov.count()), MESSAGE, "writev");
        return Expect.value(s.ffm.recv(s.serverFd, s.readBuffer.address(), READ_CAPACITY, 0), MESSAGE, "recv");
    }

    // getsockopt(SO_ERROR): how a connect in progress learns its outcome

    @Benchmark
    public int getsockoptSocket(Sockets s) throws IOException {
        return (int) Expect.value(s.pair.client.getSoError(), 0, "Socket.getSoError");
    }

    @Benchmark
    public int getsockoptLibc(Sockets s) {
        s.optionLen.set(ValueLayout.JAVA_INT, 0, Integer.BYTES);
        Expect.value(LibC.getsockopt(s.clientFd, SOL_SOCKET, SO_ERROR, s.optionValue.address(), s.optionLen.address()),
                0, "LibC.getsockopt");
        return (int) Expect.value(s.optionValue.get(ValueLayout.JAVA_INT, 0), 0, "SO_ERROR");
    }

    @Benchmark
    public int getsockoptFfm(Sockets s) {
        s.optionLen.set(ValueLayout.JAVA_INT, 0, Integer.BYTES);
        Expect.value(s.ffm.getsockopt(s.clientFd, SOL_SOCKET, SO_ERROR, s.optionValue.address(), s.optionLen.address()),
                0, "getsockopt");
        return (int) Expect.value(s.optionValue.get(ValueLayout.JAVA_INT, 0), 0, "SO_ERROR");
    }

    // accept4 with no pending connection: what every accept loop ends with

    @Benchmark
    public int acceptEagainSocket(Sockets s) throws IOException {
        return (int) Expect.value(s.listener.accept(s.peer), Socket.WOULD_BLOCK, "Socket.accept");
    }

    @Benchmark
    public long acceptEagainLibc(Sockets s) {
        s.acceptAddrLen.set(ValueLayout.JAVA_INT, 0, (int) s.acceptAddr.byteSize());
        return Expect.eagain(LibC.accept4(s.listenerFd, s.acceptAddr.address(), s.acceptAddrLen.address(),
                SOCK_NONBLOCK | SOCK_CLOEXEC), LibC.errno(), "LibC.accept4");
    }

    @Benchmark
    public long acceptEagainFfm(Sockets s) {
        s.acceptAddrLen.set(ValueLayout.JAVA_INT, 0, (int) s.acceptAddr.byteSize());
        return Expect.eagain(s.ffm.accept4(s.listenerFd, s.acceptAddr.address(), s.acceptAddrLen.address(),
                SOCK_NONBLOCK | SOCK_CLOEXEC), s.ffm.errno(), "accept4");
    }
}
