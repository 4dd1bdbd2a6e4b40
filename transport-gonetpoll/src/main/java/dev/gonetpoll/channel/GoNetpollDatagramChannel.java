package dev.gonetpoll.channel;

import dev.gonetpoll.sys.IovArray;
import dev.gonetpoll.sys.Linux;
import dev.gonetpoll.sys.ReceivedDatagram;
import dev.gonetpoll.sys.Socket;
import dev.gonetpoll.sys.UdpSocket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultAddressedEnvelope;
import io.netty.channel.EventLoop;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.UncheckedBooleanSupplier;
import io.netty.util.internal.ObjectUtil;
import io.netty.util.internal.StringUtil;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.UnresolvedAddressException;

/**
 * A UDP channel: unicast and multicast, IPv4 and IPv6 (a dual-stack AF_INET6 socket by default).
 *
 * <h2>Messages</h2>
 * Writes take a {@link DatagramPacket}, any {@code AddressedEnvelope<ByteBuf, InetSocketAddress>},
 * or, once connected, a plain {@link ByteBuf}; each is one datagram ({@code sendto}, or
 * {@code sendmsg} for a buffer of several parts), an empty one included. A message that cannot be
 * sent (no route, a peer that refused an earlier datagram: {@link java.net.PortUnreachableException},
 * too long) fails its own write promise only; the channel stays open and sends the next one, since
 * a datagram channel talks to many peers. An unresolved recipient fails the write with
 * {@link UnresolvedAddressException} before it is queued.
 *
 * <p>Reads deliver one {@link DatagramPacket} per datagram, its recipient being the channel's local
 * address. A datagram longer than the receive buffer (see
 * {@link GoNetpollDatagramChannelConfig}) is truncated to it, as in Netty's epoll and NIO datagram
 * channels. Errors the kernel reports for earlier sends (ICMP port unreachable on a connected
 * channel) reach {@code exceptionCaught} and leave the channel open.
 *
 * <h2>States</h2>
 * Active from bind, from connect (which binds implicitly), or from registration with
 * {@code DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION}; active until closed. {@code connect} fixes the peer
 * and completes at once (UDP has no handshake); {@code disconnect} forgets it and keeps the local
 * address, so the channel stays active and goes on receiving.
 *
 * <p>Like the other channels, all I/O runs in the loop's goroutine: reads until EAGAIN on each
 * readiness edge, and, when the kernel's send buffer is full, the flush waits for write readiness.
 */
public final class GoNetpollDatagramChannel extends AbstractGoNetpollChannel implements DatagramChannel {

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(GoNetpollDatagramChannel.class);
    private static final ChannelMetadata METADATA = new ChannelMetadata(true, 16);
    private static final String EXPECTED_TYPES = " (expected: " + StringUtil.simpleClassName(DatagramPacket.class)
            + ", AddressedEnvelope<ByteBuf, InetSocketAddress>, " + StringUtil.simpleClassName(ByteBuf.class) + ")";

    private final UdpSocket udp;
    private final GoNetpollDatagramChannelConfig config;
    private final ReceivedDatagram received = new ReceivedDatagram();
    private volatile InetSocketAddress remote;
    private volatile boolean connected;
    /** A send hit EAGAIN: flushing waits for write readiness. */
    private boolean waitingForWritable;
    private final Runnable flushTask = () -> ((DatagramUnsafe) unsafe()).flushNow();

    /** A dual-stack AF_INET6 socket if this host supports IPv6, else AF_INET. */
    public GoNetpollDatagramChannel() {
        this(new UdpSocket(Socket.isIPv6Supported()));
    }

    /**
     * A socket of the given family: {@code INET} or {@code INET6} (dual-stack); null means the
     * default of the no-argument constructor.
     *
     * @throws IllegalArgumentException for a family that is not IP ({@code UNIX})
     */
    public GoNetpollDatagramChannel(SocketProtocolFamily family) {
        this(new UdpSocket(isIPv6(family)));
    }

    /** For tests that must simulate kernel states loopback cannot produce. */
    GoNetpollDatagramChannel(UdpSocket udp) {
        super(null, udp.socket(), false);
        this.udp = udp;
        this.config = new GoNetpollDatagramChannelConfig(this, udp);
    }

    private static boolean isIPv6(SocketProtocolFamily family) {
        if (family == null) {
            return Socket.isIPv6Supported();
        }
        return switch (family) {
            case INET -> false;
            case INET6 -> true;
            default -> throw new IllegalArgumentException("not an IP protocol family for UDP: " + family);
        };
    }

    private static InetSocketAddress checkInet(SocketAddress address) {
        if (!(address instanceof InetSocketAddress inet)) {
            throw new IllegalArgumentException("unsupported address type: " + address
                    + " (expected: InetSocketAddress)");
        }
        if (inet.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        return inet;
    }

    @Override
    public GoNetpollDatagramChannelConfig config() {
        return config;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    public boolean isConnected() {
        return connected;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) super.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) super.remoteAddress();
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return remote;
    }

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new DatagramUnsafe();
    }

    // ---------------------------------------------------------------------------------------------
    // Life cycle

    @Override
    protected void doRegister(ChannelPromise promise) {
        if (config.isActiveOnRegistration()) {
            active = true; // before registration completes, so that it fires channelActive
        }
        super.doRegister(promise);
    }

    @Override
    protected void doBind(SocketAddress local) throws Exception {
        socket.bind(checkInet(local));
        active = true;
    }

    @Override
    protected void doDisconnect() throws Exception {
        try {
            udp.disconnect();
        } finally {
            connected = false;
            remote = null;
        }
    }

    @Override
    protected void doClose() throws Exception {
        connected = false;
        super.doClose();
    }

    // ---------------------------------------------------------------------------------------------
    // Reading

    @Override
    boolean wantsRead() {
        return readPending && active;
    }

    @Override
    boolean wantsWrite() {
        return waitingForWritable;
    }

    @Override
    void writeReady() {
        waitingForWritable = false;
        ((DatagramUnsafe) unsafe()).flushNow();
    }

    @Override
    void readReady() {
        RecvByteBufAllocator.Handle handle = unsafe().recvBufAllocHandle();
        handle.reset(config);
        ChannelPipeline pipeline = pipeline();
        ByteBufAllocator allocator = config.getAllocator();
        Throwable failure = null;
        boolean drained = false;
        int delivered = 0;
        try {
            do {
                ByteBuf buf = handle.allocate(allocator);
                int stored;
                try {
                    handle.attemptedBytesRead(buf.writableBytes());
                    stored = receiveInto(buf);
                } catch (Throwable t) {
                    buf.release();
                    throw t;
                }
                if (stored == Socket.WOULD_BLOCK) {
                    buf.release();
                    drained = true;
                    break;
                }
                if (received.length() > stored) {
                    logger.debug("{}: a datagram of {} bytes from {} was truncated to the {}-byte receive buffer",
                            this, received.length(), received.sender(), stored);
                }
                // An empty datagram is a message too, not the end of the data.
                handle.lastBytesRead(Math.max(1, stored));
                handle.incMessagesRead(1);
                readPending = false;
                delivered++;
                pipeline.fireChannelRead(new DatagramPacket(buf, localAddress(), received.sender()));
            } while (isOpen() && continueReading(handle));
        } catch (Throwable t) {
            failure = t;
        }
        if (delivered > 0 || failure != null) {
            handle.readComplete();
            pipeline.fireChannelReadComplete();
        }
        if (failure != null) {
            pipeline.fireExceptionCaught(failure);
            if (!(failure instanceof IOException)) {
                unsafe().close(unsafe().voidPromise());
            }
            // An IOException is the kernel's report of one earlier datagram's fate (ICMP): it is
            // cleared by being reported, so reading goes on and datagrams queued behind it are read.
        }
        // Edge-triggered: unless the kernel said EAGAIN, more datagrams may be queued.
        readReady = !drained && isOpen();
    }

    /**
     * Whether the read pass goes on. A datagram that did not fill the buffer says nothing about what
     * else is queued, so the handle is asked not to judge by that (as Netty's epoll does), when its
     * type lets us ask.
     */
    private static boolean continueReading(RecvByteBufAllocator.Handle handle) {
        return handle instanceof RecvByteBufAllocator.ExtendedHandle extended
                ? extended.continueReading(UncheckedBooleanSupplier.TRUE_SUPPLIER)
                : handle.continueReading();
    }

    /** Receives one datagram into {@code buf}'s writable bytes; returns the bytes stored or WOULD_BLOCK. */
    private int receiveInto(ByteBuf buf) throws IOException {
        int writable = buf.writableBytes();
        int writerIndex = buf.writerIndex();
        int stored;
        if (buf.hasMemoryAddress()) {
            stored = udp.receive(buf.memoryAddress() + writerIndex, writable, received);
        } else if (buf.nioBufferCount() == 1 && buf.isDirect()) {
            ByteBuffer nio = buf.internalNioBuffer(writerIndex, writable);
            stored = udp.receive(MemorySegment.ofBuffer(nio).address(), writable, received);
        } else {
            // Heap memory has no stable address: receive into pooled direct memory and copy.
            ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(writable);
            try {
                long address = MemorySegment.ofBuffer(direct.internalNioBuffer(0, writable)).address();
                stored = udp.receive(address, writable, received);
                if (stored > 0) {
                    buf.setBytes(writerIndex, direct, 0, stored);
                }
            } finally {
                direct.release();
            }
        }
        if (stored > 0) {
            buf.writerIndex(writerIndex + stored);
        }
        return stored;
    }

    // ---------------------------------------------------------------------------------------------
    // Writing

    @Override
    protected Object filterOutboundMessage(Object msg) {
        if (msg instanceof DatagramPacket packet) {
            checkRecipient(packet.recipient());
            ByteBuf content = packet.content();
            return isNativeReadable(content) ? packet
                    : new DatagramPacket(directCopy(packet, content), packet.recipient(), packet.sender());
        }
        if (msg instanceof ByteBuf buf) {
            return isNativeReadable(buf) ? buf : directCopy(buf, buf);
        }
        if (msg instanceof AddressedEnvelope<?, ?> envelope && envelope.content() instanceof ByteBuf content
                && (envelope.recipient() == null || envelope.recipient() instanceof InetSocketAddress)) {
            checkRecipient((InetSocketAddress) envelope.recipient());
            return isNativeReadable(content) ? envelope
                    : new DefaultAddressedEnvelope<ByteBuf, SocketAddress>(directCopy(envelope, content),
                            envelope.recipient(), envelope.sender());
        }
        throw new UnsupportedOperationException("unsupported message type: " + StringUtil.simpleClassName(msg)
                + EXPECTED_TYPES);
    }

    private static void checkRecipient(InetSocketAddress recipient) {
        if (recipient != null && recipient.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
    }

    /** Whether the kernel can read the buffer's memory directly. */
    private static boolean isNativeReadable(ByteBuf buf) {
        return buf.hasMemoryAddress() || buf.isDirect() && buf.nioBufferCount() <= Linux.IOV_MAX;
    }

    /** A copy of {@code content} in direct memory; releases {@code holder} (the message that owns it). */
    private ByteBuf directCopy(Object holder, ByteBuf content) {
        int readable = content.readableBytes();
        ByteBufAllocator allocator = alloc();
        ByteBuf direct = allocator.isDirectBufferPooled()
                ? allocator.directBuffer(readable)
                : PooledByteBufAllocator.DEFAULT.directBuffer(readable);
        direct.writeBytes(content, content.readerIndex(), readable);
        ReferenceCountUtil.safeRelease(holder);
        return direct;
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) throws Exception {
        int budget = config.getMaxMessagesPerWrite();
        while (budget > 0) {
            Object msg = in.current();
            if (msg == null) {
                return;
            }
            try {
                if (!send(msg)) {
                    waitingForWritable = true;
                    return;
                }
                in.remove();
            } catch (Exception e) {
                // This datagram's own failure: the next one may go to another peer, so go on.
                in.remove(e);
            }
            budget--;
        }
        if (!in.isEmpty()) {
            // Spent MAX_MESSAGES_PER_WRITE: let the loop's other work run, then go on.
            eventLoop().execute(flushTask);
        }
    }

    /** Sends one message as one datagram; false if the kernel's send buffer is full. */
    private boolean send(Object msg) throws IOException {
        ByteBuf data;
        InetSocketAddress recipient;
        if (msg instanceof AddressedEnvelope<?, ?> envelope) {
            data = (ByteBuf) envelope.content();
            recipient = (InetSocketAddress) envelope.recipient();
        } else {
            data = (ByteBuf) msg;
            recipient = null;
        }
        if (recipient == null && !connected) {
            throw new NotYetConnectedException();
        }
        int length = data.readableBytes();
        long sent;
        if (data.hasMemoryAddress()) {
            sent = udp.sendTo(data.memoryAddress() + data.readerIndex(), length, recipient);
        } else if (data.nioBufferCount() == 1) {
            ByteBuffer nio = data.internalNioBuffer(data.readerIndex(), length);
            sent = udp.sendTo(MemorySegment.ofBuffer(nio).address(), length, recipient);
        } else {
            IovArray iov = IovArrayPool.acquire();
            try {
                for (ByteBuffer nio : data.nioBuffers(data.readerIndex(), length)) {
                    if (nio.hasRemaining()) {
                        iov.add(MemorySegment.ofBuffer(nio).address(), nio.remaining());
                    }
                }
                sent = udp.sendToGathering(iov.address(), iov.count(), recipient);
            } finally {
                IovArrayPool.release(iov);
            }
        }
        return sent != Socket.WOULD_BLOCK;
    }

    // ---------------------------------------------------------------------------------------------
    // Multicast

    @Override
    public ChannelFuture joinGroup(InetAddress multicastAddress) {
        return joinGroup(multicastAddress, newPromise());
    }

    /** Joins on the interface set with IP_MULTICAST_IF, else that of the local address, else the kernel's choice. */
    @Override
    public ChannelFuture joinGroup(InetAddress multicastAddress, ChannelPromise promise) {
        ObjectUtil.checkNotNull(multicastAddress, "multicastAddress");
        return membership(promise, () -> udp.joinGroup(multicastAddress, defaultInterfaceIndex(), null));
    }

    @Override
    public ChannelFuture joinGroup(InetSocketAddress multicastAddress, NetworkInterface networkInterface) {
        return joinGroup(multicastAddress, networkInterface, newPromise());
    }

    @Override
    public ChannelFuture joinGroup(InetSocketAddress multicastAddress, NetworkInterface networkInterface,
                                   ChannelPromise promise) {
        ObjectUtil.checkNotNull(multicastAddress, "multicastAddress");
        return joinGroup(multicastAddress.getAddress(), networkInterface, null, promise);
    }

    @Override
    public ChannelFuture joinGroup(InetAddress multicastAddress, NetworkInterface networkInterface,
                                   InetAddress source) {
        return joinGroup(multicastAddress, networkInterface, source, newPromise());
    }

    /** With a {@code source}, a source-specific join (SSM): only datagrams from that source arrive. */
    @Override
    public ChannelFuture joinGroup(InetAddress multicastAddress, NetworkInterface networkInterface, InetAddress source,
                                   ChannelPromise promise) {
        ObjectUtil.checkNotNull(multicastAddress, "multicastAddress");
        ObjectUtil.checkNotNull(networkInterface, "networkInterface");
        return membership(promise, () -> udp.joinGroup(multicastAddress, networkInterface.getIndex(), source));
    }

    @Override
    public ChannelFuture leaveGroup(InetAddress multicastAddress) {
        return leaveGroup(multicastAddress, newPromise());
    }

    /** Leaves what {@link #joinGroup(InetAddress, ChannelPromise)} joined. */
    @Override
    public ChannelFuture leaveGroup(InetAddress multicastAddress, ChannelPromise promise) {
        ObjectUtil.checkNotNull(multicastAddress, "multicastAddress");
        return membership(promise, () -> udp.leaveGroup(multicastAddress, defaultInterfaceIndex(), null));
    }

    @Override
    public ChannelFuture leaveGroup(InetSocketAddress multicastAddress, NetworkInterface networkInterface) {
        return leaveGroup(multicastAddress, networkInterface, newPromise());
    }

    @Override
    public ChannelFuture leaveGroup(InetSocketAddress multicastAddress, NetworkInterface networkInterface,
                                    ChannelPromise promise) {
        ObjectUtil.checkNotNull(multicastAddress, "multicastAddress");
        return leaveGroup(multicastAddress.getAddress(), networkInterface, null, promise);
    }

    @Override
    public ChannelFuture leaveGroup(InetAddress multicastAddress, NetworkInterface networkInterface,
                                    InetAddress source) {
        return leaveGroup(multicastAddress, networkInterface, source, newPromise());
    }

    @Override
    public ChannelFuture leaveGroup(InetAddress multicastAddress, NetworkInterface networkInterface, InetAddress source,
                                    ChannelPromise promise) {
        ObjectUtil.checkNotNull(multicastAddress, "multicastAddress");
        ObjectUtil.checkNotNull(networkInterface, "networkInterface");
        return membership(promise, () -> udp.leaveGroup(multicastAddress, networkInterface.getIndex(), source));
    }

    @Override
    public ChannelFuture block(InetAddress multicastAddress, NetworkInterface networkInterface,
                               InetAddress sourceToBlock) {
        return block(multicastAddress, networkInterface, sourceToBlock, newPromise());
    }

    /** Stops datagrams from {@code sourceToBlock} to a group joined for any source on that interface. */
    @Override
    public ChannelFuture block(InetAddress multicastAddress, NetworkInterface networkInterface,
                               InetAddress sourceToBlock, ChannelPromise promise) {
        ObjectUtil.checkNotNull(multicastAddress, "multicastAddress");
        ObjectUtil.checkNotNull(networkInterface, "networkInterface");
        ObjectUtil.checkNotNull(sourceToBlock, "sourceToBlock");
        return membership(promise, () -> udp.blockSource(multicastAddress, networkInterface.getIndex(), sourceToBlock));
    }

    @Override
    public ChannelFuture block(InetAddress multicastAddress, InetAddress sourceToBlock) {
        return block(multicastAddress, sourceToBlock, newPromise());
    }

    /** Blocks on the interface {@link #joinGroup(InetAddress, ChannelPromise)} would use. */
    @Override
    public ChannelFuture block(InetAddress multicastAddress, InetAddress sourceToBlock, ChannelPromise promise) {
        ObjectUtil.checkNotNull(multicastAddress, "multicastAddress");
        ObjectUtil.checkNotNull(sourceToBlock, "sourceToBlock");
        return membership(promise, () -> udp.blockSource(multicastAddress, defaultInterfaceIndex(), sourceToBlock));
    }

    private interface MembershipChange {
        void apply() throws IOException;
    }

    /**
     * Applies a membership change in the loop's goroutine once registered (so it cannot race with
     * close and touch a reused fd number), else at once; completes {@code promise} with the outcome.
     */
    private ChannelFuture membership(ChannelPromise promise, MembershipChange change) {
        Runnable task = () -> {
            try {
                change.apply();
                promise.setSuccess();
            } catch (Throwable t) {
                promise.setFailure(t);
            }
        };
        if (!isRegistered()) {
            task.run();
            return promise;
        }
        EventLoop loop = eventLoop();
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
        return promise;
    }

    /** IP_MULTICAST_IF if set, else the interface of the bound address, else 0: the kernel's choice by route. */
    private int defaultInterfaceIndex() throws SocketException {
        NetworkInterface iface = config.getNetworkInterface();
        if (iface == null) {
            InetSocketAddress local = localAddress();
            if (local != null && !local.getAddress().isAnyLocalAddress()) {
                iface = NetworkInterface.getByInetAddress(local.getAddress());
            }
        }
        return iface == null ? 0 : iface.getIndex();
    }

    // ---------------------------------------------------------------------------------------------

    /** Connect completes at once (no handshake); flushing waits while the send buffer is full. */
    private final class DatagramUnsafe extends AbstractUnsafe {

        @Override
        public void connect(SocketAddress remoteAddress, SocketAddress localAddress, ChannelPromise promise) {
            if (!promise.setUncancellable() || !ensureOpen(promise)) {
                return;
            }
            try {
                boolean wasActive = isActive();
                InetSocketAddress target = checkInet(remoteAddress);
                if (localAddress != null) {
                    socket.bind(checkInet(localAddress));
                }
                socket.connect(target); // UDP: returns at once, binding an ephemeral port if needed
                remote = target;
                connected = true;
                active = true;
                promise.trySuccess();
                if (!wasActive) {
                    pipeline().fireChannelActive();
                }
            } catch (Throwable t) {
                promise.tryFailure(t);
                closeIfClosed();
            }
        }

        @Override
        protected void flush0() {
            // While the send buffer is full, the write-readiness handler flushes.
            if (!waitingForWritable) {
                super.flush0();
            }
        }

        void flushNow() {
            super.flush0();
        }
    }
}
