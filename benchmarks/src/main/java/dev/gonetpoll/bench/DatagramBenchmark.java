package dev.gonetpoll.bench;

import static dev.gonetpoll.sys.Linux.MSG_TRUNC;

import dev.gonetpoll.sys.Errors;
import dev.gonetpoll.sys.LibC;
import dev.gonetpoll.sys.ReceivedDatagram;
import dev.gonetpoll.sys.Socket;
import dev.gonetpoll.sys.UdpSocket;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A datagram channel's per-packet syscalls: {@code sendto} with the recipient's address and
 * {@code recvfrom} that learns the sender's, over IPv4 loopback. Through gonetpoll's
 * {@link UdpSocket} ({@code ...Socket}, which also encodes and decodes the addresses), the bare JNA
 * binding ({@code ...Libc}) and the JDK's FFM API ({@code ...Ffm}); the bare variants pass the
 * recipient's sockaddr as the kernel reported it.
 */
public class DatagramBenchmark extends BenchmarkDefaults {

    static final int MESSAGE = 8;
    static final int READ_CAPACITY = 64;
    /** Room for a sockaddr_in6 (28 bytes), the largest sender address. */
    static final int SOCKADDR_CAPACITY = 32;
    /** Loopback normally delivers inside sendto; when the kernel defers it, wait this long at most. */
    static final long DELIVERY_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(1);

    @State(Scope.Thread)
    public static class Datagrams {
        UdpSocket sender;
        UdpSocket receiver;
        InetSocketAddress receiverAddress;
        final ReceivedDatagram received = new ReceivedDatagram();
        final Arena arena = Arena.ofShared();
        final MemorySegment message = arena.allocate(MESSAGE, Long.BYTES);
        final MemorySegment readBuffer = arena.allocate(READ_CAPACITY, Long.BYTES);
        final MemorySegment recipient = arena.allocate(SOCKADDR_CAPACITY, Long.BYTES);
        int recipientLen;
        final MemorySegment senderAddr = arena.allocate(SOCKADDR_CAPACITY, Long.BYTES);
        final MemorySegment senderAddrLen = arena.allocate(ValueLayout.JAVA_INT);
        final BareLibc ffm = new BareLibc(arena);
        int senderFd;
        int receiverFd;

        @Setup(Level.Trial)
        public void open() throws IOException {
            InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            sender = new UdpSocket(false);
            sender.socket().bind(loopback);
            receiver = new UdpSocket(false);
            receiver.socket().bind(loopback);
            receiverAddress = receiver.socket().localAddress();
            senderFd = sender.socket().fd();
            receiverFd = receiver.socket().fd();
            MemorySegment len = arena.allocateFrom(ValueLayout.JAVA_INT, SOCKADDR_CAPACITY);
            if (LibC.getsockname(receiverFd, recipient.address(), len.address()) < 0) {
                throw Errors.newIOException("getsockname", LibC.errno());
            }
            recipientLen = len.get(ValueLayout.JAVA_INT, 0);
        }

        @TearDown(Level.Trial)
        public void close() throws Exception {
            AutoCloseable closeSender = sender == null ? null : sender.socket()::close;
            AutoCloseable closeReceiver = receiver == null ? null : receiver.socket()::close;
            try (arena; closeSender; closeReceiver) {
                int left = receiver == null ? Socket.WOULD_BLOCK : receiver.receive(readBuffer.address(), READ_CAPACITY, received);
                if (left != Socket.WOULD_BLOCK) {
                    throw new IllegalStateException("an unread datagram of " + left + " bytes was left");
                }
            }
        }
    }

    /**
     * Called while the datagram just sent has not arrived yet: returns the time the wait began
     * (pass it back in; 0 the first time) or throws once it has lasted too long.
     */
    static long awaitDelivery(long waitingSince) {
        long now = System.nanoTime();
        if (waitingSince == 0) {
            return now;
        }
        if (now - waitingSince > DELIVERY_TIMEOUT_NANOS) {
            throw new IllegalStateException("a loopback datagram was not delivered within "
                    + TimeUnit.NANOSECONDS.toMillis(DELIVERY_TIMEOUT_NANOS) + " ms");
        }
        Thread.onSpinWait();
        return waitingSince;
    }

    @Benchmark
    public int sendReceiveSocket(Datagrams d) throws IOException {
        Expect.value(d.sender.sendTo(d.message.address(), MESSAGE, d.receiverAddress), MESSAGE, "UdpSocket.sendTo");
        int n;
        long waitingSince = 0;
        while ((n = d.receiver.receive(d.readBuffer.address(), READ_CAPACITY, d.received)) == Socket.WOULD_BLOCK) {
            waitingSince = awaitDelivery(waitingSince);
        }
        return (int) Expect.value(n, MESSAGE, "UdpSocket.receive");
    }

    @Benchmark
    public long sendReceiveLibc(Datagrams d) {
        Expect.value(LibC.sendto(d.senderFd, d.message.address(), MESSAGE, 0, d.recipient.address(), d.recipientLen),
                MESSAGE, "LibC.sendto");
        long n;
        long waitingSince = 0;
        for (;;) {
            d.senderAddrLen.set(ValueLayout.JAVA_INT, 0, SOCKADDR_CAPACITY);
            n = LibC.recvfrom(d.receiverFd, d.readBuffer.address(), READ_CAPACITY, MSG_TRUNC,
                    d.senderAddr.address(), d.senderAddrLen.address());
            if (n >= 0) {
                return Expect.value(n, MESSAGE, "LibC.recvfrom");
            }
            Expect.eagain(n, LibC.errno(), "LibC.recvfrom");
            waitingSince = awaitDelivery(waitingSince);
        }
    }

    @Benchmark
    public long sendReceiveFfm(Datagrams d) {
        Expect.value(d.ffm.sendto(d.senderFd, d.message.address(), MESSAGE, 0, d.recipient.address(), d.recipientLen),
                MESSAGE, "sendto");
        long n;
        long waitingSince = 0;
        for (;;) {
            d.senderAddrLen.set(ValueLayout.JAVA_INT, 0, SOCKADDR_CAPACITY);
            n = d.ffm.recvfrom(d.receiverFd, d.readBuffer.address(), READ_CAPACITY, MSG_TRUNC,
                    d.senderAddr.address(), d.senderAddrLen.address());
            if (n >= 0) {
                return Expect.value(n, MESSAGE, "recvfrom");
            }
            Expect.eagain(n, d.ffm.errno(), "recvfrom");
            waitingSince = awaitDelivery(waitingSince);
        }
    }
}
