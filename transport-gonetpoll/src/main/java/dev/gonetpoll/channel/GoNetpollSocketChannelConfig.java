package dev.gonetpoll.channel;

import dev.gonetpoll.sys.Socket;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannelConfig;

import java.util.Map;

import static io.netty.channel.ChannelOption.ALLOW_HALF_CLOSURE;
import static io.netty.channel.ChannelOption.IP_TOS;
import static io.netty.channel.ChannelOption.SO_KEEPALIVE;
import static io.netty.channel.ChannelOption.SO_LINGER;
import static io.netty.channel.ChannelOption.SO_RCVBUF;
import static io.netty.channel.ChannelOption.SO_REUSEADDR;
import static io.netty.channel.ChannelOption.SO_SNDBUF;
import static io.netty.channel.ChannelOption.TCP_FASTOPEN_CONNECT;
import static io.netty.channel.ChannelOption.TCP_NODELAY;

/**
 * Options of a {@link GoNetpollSocketChannel}; socket options are read from and written to the kernel.
 * Besides Netty's portable options it takes the Linux ones of {@link GoNetpollChannelOption} and
 * {@link ChannelOption#TCP_FASTOPEN_CONNECT}.
 */
public final class GoNetpollSocketChannelConfig extends DefaultChannelConfig implements SocketChannelConfig {

    private final Socket socket;
    private volatile boolean allowHalfClosure;

    GoNetpollSocketChannelConfig(GoNetpollSocketChannel channel, Socket socket) {
        super(channel);
        this.socket = socket;
        // Netty's default for TCP channels: small writes go out at once.
        setTcpNoDelay(true);
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), SO_RCVBUF, SO_SNDBUF, TCP_NODELAY, SO_KEEPALIVE, SO_REUSEADDR,
                SO_LINGER, IP_TOS, ALLOW_HALF_CLOSURE, TCP_FASTOPEN_CONNECT, GoNetpollChannelOption.SO_REUSEPORT,
                GoNetpollChannelOption.SO_BUSY_POLL, GoNetpollChannelOption.IP_FREEBIND,
                GoNetpollChannelOption.IP_TRANSPARENT, GoNetpollChannelOption.IP_BIND_ADDRESS_NO_PORT,
                GoNetpollChannelOption.TCP_CORK, GoNetpollChannelOption.TCP_QUICKACK,
                GoNetpollChannelOption.TCP_NOTSENT_LOWAT, GoNetpollChannelOption.TCP_KEEPIDLE,
                GoNetpollChannelOption.TCP_KEEPINTVL, GoNetpollChannelOption.TCP_KEEPCNT,
                GoNetpollChannelOption.TCP_USER_TIMEOUT);
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> T getOption(ChannelOption<T> option) {
        Object value;
        if (option == SO_RCVBUF) {
            value = getReceiveBufferSize();
        } else if (option == SO_SNDBUF) {
            value = getSendBufferSize();
        } else if (option == TCP_NODELAY) {
            value = isTcpNoDelay();
        } else if (option == SO_KEEPALIVE) {
            value = isKeepAlive();
        } else if (option == SO_REUSEADDR) {
            value = isReuseAddress();
        } else if (option == SO_LINGER) {
            value = getSoLinger();
        } else if (option == IP_TOS) {
            value = getTrafficClass();
        } else if (option == ALLOW_HALF_CLOSURE) {
            value = isAllowHalfClosure();
        } else if (option == TCP_FASTOPEN_CONNECT) {
            value = isTcpFastOpenConnect();
        } else if (option == GoNetpollChannelOption.SO_REUSEPORT) {
            value = isReusePort();
        } else if (option == GoNetpollChannelOption.SO_BUSY_POLL) {
            value = getSoBusyPoll();
        } else if (option == GoNetpollChannelOption.IP_FREEBIND) {
            value = isIpFreeBind();
        } else if (option == GoNetpollChannelOption.IP_TRANSPARENT) {
            value = isIpTransparent();
        } else if (option == GoNetpollChannelOption.IP_BIND_ADDRESS_NO_PORT) {
            value = isIpBindAddressNoPort();
        } else if (option == GoNetpollChannelOption.TCP_CORK) {
            value = isTcpCork();
        } else if (option == GoNetpollChannelOption.TCP_QUICKACK) {
            value = isTcpQuickAck();
        } else if (option == GoNetpollChannelOption.TCP_NOTSENT_LOWAT) {
            value = getTcpNotSentLowAt();
        } else if (option == GoNetpollChannelOption.TCP_KEEPIDLE) {
            value = getTcpKeepIdle();
        } else if (option == GoNetpollChannelOption.TCP_KEEPINTVL) {
            value = getTcpKeepIntvl();
        } else if (option == GoNetpollChannelOption.TCP_KEEPCNT) {
            value = getTcpKeepCnt();
        } else if (option == GoNetpollChannelOption.TCP_USER_TIMEOUT) {
            value = getTcpUserTimeout();
        } else {
            return super.getOption(option);
        }
        return (T) value;
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == SO_RCVBUF) {
            setReceiveBufferSize((Integer) value);
        } else if (option == SO_SNDBUF) {
            setSendBufferSize((Integer) value);
        } else if (option == TCP_NODELAY) {
            setTcpNoDelay((Boolean) value);
        } else if (option == SO_KEEPALIVE) {
            setKeepAlive((Boolean) value);
        } else if (option == SO_REUSEADDR) {
            setReuseAddress((Boolean) value);
        } else if (option == SO_LINGER) {
            setSoLinger((Integer) value);
        } else if (option == IP_TOS) {
            setTrafficClass((Integer) value);
        } else if (option == ALLOW_HALF_CLOSURE) {
            setAllowHalfClosure((Boolean) value);
        } else if (option == TCP_FASTOPEN_CONNECT) {
            setTcpFastOpenConnect((Boolean) value);
        } else if (option == GoNetpollChannelOption.SO_REUSEPORT) {
            setReusePort((Boolean) value);
        } else if (option == GoNetpollChannelOption.SO_BUSY_POLL) {
            setSoBusyPoll((Integer) value);
        } else if (option == GoNetpollChannelOption.IP_FREEBIND) {
            setIpFreeBind((Boolean) value);
        } else if (option == GoNetpollChannelOption.IP_TRANSPARENT) {
            setIpTransparent((Boolean) value);
        } else if (option == GoNetpollChannelOption.IP_BIND_ADDRESS_NO_PORT) {
            setIpBindAddressNoPort((Boolean) value);
        } else if (option == GoNetpollChannelOption.TCP_CORK) {
            setTcpCork((Boolean) value);
        } else if (option == GoNetpollChannelOption.TCP_QUICKACK) {
            setTcpQuickAck((Boolean) value);
        } else if (option == GoNetpollChannelOption.TCP_NOTSENT_LOWAT) {
            setTcpNotSentLowAt((Long) value);
        } else if (option == GoNetpollChannelOption.TCP_KEEPIDLE) {
            setTcpKeepIdle((Integer) value);
        } else if (option == GoNetpollChannelOption.TCP_KEEPINTVL) {
            setTcpKeepIntvl((Integer) value);
        } else if (option == GoNetpollChannelOption.TCP_KEEPCNT) {
            setTcpKeepCnt((Integer) value);
        } else if (option == GoNetpollChannelOption.TCP_USER_TIMEOUT) {
            setTcpUserTimeout((Integer) value);
        } else {
            return super.setOption(option, value);
        }
        return true;
    }

    @Override
    public boolean isTcpNoDelay() {
        return KernelOption.get(socket::isTcpNoDelay);
    }

    @Override
    public GoNetpollSocketChannelConfig setTcpNoDelay(boolean tcpNoDelay) {
        KernelOption.set(() -> socket.setTcpNoDelay(tcpNoDelay));
        return this;
    }

    @Override
    public int getSoLinger() {
        return KernelOption.get(socket::getLinger);
    }

    @Override
    public GoNetpollSocketChannelConfig setSoLinger(int soLinger) {
        KernelOption.set(() -> socket.setLinger(soLinger));
        return this;
    }

    @Override
    public int getSendBufferSize() {
        return KernelOption.get(socket::getSendBufferSize);
    }

    @Override
    public GoNetpollSocketChannelConfig setSendBufferSize(int sendBufferSize) {
        KernelOption.set(() -> socket.setSendBufferSize(sendBufferSize));
        return this;
    }

    @Override
    public int getReceiveBufferSize() {
        return KernelOption.get(socket::getReceiveBufferSize);
    }

    @Override
    public GoNetpollSocketChannelConfig setReceiveBufferSize(int receiveBufferSize) {
        KernelOption.set(() -> socket.setReceiveBufferSize(receiveBufferSize));
        return this;
    }

    @Override
    public boolean isKeepAlive() {
        return KernelOption.get(socket::isKeepAlive);
    }

    @Override
    public GoNetpollSocketChannelConfig setKeepAlive(boolean keepAlive) {
        KernelOption.set(() -> socket.setKeepAlive(keepAlive));
        return this;
    }

    @Override
    public int getTrafficClass() {
        return KernelOption.get(socket::getTrafficClass);
    }

    @Override
    public GoNetpollSocketChannelConfig setTrafficClass(int trafficClass) {
        KernelOption.set(() -> socket.setTrafficClass(trafficClass));
        return this;
    }

    @Override
    public boolean isReuseAddress() {
        return KernelOption.get(socket::isReuseAddress);
    }

    @Override
    public GoNetpollSocketChannelConfig setReuseAddress(boolean reuseAddress) {
        KernelOption.set(() -> socket.setReuseAddress(reuseAddress));
        return this;
    }

    @Override
    public GoNetpollSocketChannelConfig setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        return this; // no kernel equivalent, as in the JDK
    }

    @Override
    public boolean isAllowHalfClosure() {
        return allowHalfClosure;
    }

    @Override
    public GoNetpollSocketChannelConfig setAllowHalfClosure(boolean allowHalfClosure) {
        this.allowHalfClosure = allowHalfClosure;
        return this;
    }

    // ---------------------------------------------------------------------------------------------
    // Linux options (GoNetpollChannelOption, TCP_FASTOPEN_CONNECT)

    /** {@link ChannelOption#TCP_FASTOPEN_CONNECT}. */
    public boolean isTcpFastOpenConnect() {
        return LinuxSocketOption.TCP_FASTOPEN_CONNECT.isSet(socket);
    }

    /**
     * {@link ChannelOption#TCP_FASTOPEN_CONNECT}: set before connecting. Data written before
     * {@code connect()} then goes out with the SYN when the kernel holds a fast-open cookie for the
     * server; otherwise the connect asks the server for one and the data follows the handshake.
     * Refused with {@code EOPNOTSUPP} where {@link GoNetpollTcpFastOpen#isClientSideAvailable()} is false.
     */
    public GoNetpollSocketChannelConfig setTcpFastOpenConnect(boolean fastOpenConnect) {
        LinuxSocketOption.TCP_FASTOPEN_CONNECT.set(socket, fastOpenConnect);
        return this;
    }

    /** {@link GoNetpollChannelOption#SO_REUSEPORT}. */
    public boolean isReusePort() {
        return LinuxSocketOption.SO_REUSEPORT.isSet(socket);
    }

    /** {@link GoNetpollChannelOption#SO_REUSEPORT}: set before binding. */
    public GoNetpollSocketChannelConfig setReusePort(boolean reusePort) {
        LinuxSocketOption.SO_REUSEPORT.set(socket, reusePort);
        return this;
    }

    /** {@link GoNetpollChannelOption#SO_BUSY_POLL}, in microseconds. */
    public int getSoBusyPoll() {
        return LinuxSocketOption.SO_BUSY_POLL.get(socket);
    }

    /** {@link GoNetpollChannelOption#SO_BUSY_POLL}, in microseconds. */
    public GoNetpollSocketChannelConfig setSoBusyPoll(int loopMicros) {
        LinuxSocketOption.SO_BUSY_POLL.set(socket, loopMicros);
        return this;
    }

    /** {@link GoNetpollChannelOption#IP_FREEBIND}. */
    public boolean isIpFreeBind() {
        return LinuxSocketOption.IP_FREEBIND.isSet(socket);
    }

    /** {@link GoNetpollChannelOption#IP_FREEBIND}: set before binding. */
    public GoNetpollSocketChannelConfig setIpFreeBind(boolean freeBind) {
        LinuxSocketOption.IP_FREEBIND.set(socket, freeBind);
        return this;
    }

    /** {@link GoNetpollChannelOption#IP_TRANSPARENT}. */
    public boolean isIpTransparent() {
        return LinuxSocketOption.IP_TRANSPARENT.isSet(socket);
    }

    /** {@link GoNetpollChannelOption#IP_TRANSPARENT}: refused with {@code EPERM} without CAP_NET_RAW or CAP_NET_ADMIN. */
    public GoNetpollSocketChannelConfig setIpTransparent(boolean transparent) {
        LinuxSocketOption.IP_TRANSPARENT.set(socket, transparent);
        return this;
    }

    /** {@link GoNetpollChannelOption#IP_BIND_ADDRESS_NO_PORT}. */
    public boolean isIpBindAddressNoPort() {
        return LinuxSocketOption.IP_BIND_ADDRESS_NO_PORT.isSet(socket);
    }

    /** {@link GoNetpollChannelOption#IP_BIND_ADDRESS_NO_PORT}: set before binding. */
    public GoNetpollSocketChannelConfig setIpBindAddressNoPort(boolean noPort) {
        LinuxSocketOption.IP_BIND_ADDRESS_NO_PORT.set(socket, noPort);
        return this;
    }

    /** {@link GoNetpollChannelOption#TCP_CORK}. */
    public boolean isTcpCork() {
        return LinuxSocketOption.TCP_CORK.isSet(socket);
    }

    /** {@link GoNetpollChannelOption#TCP_CORK}. */
    public GoNetpollSocketChannelConfig setTcpCork(boolean cork) {
        LinuxSocketOption.TCP_CORK.set(socket, cork);
        return this;
    }

    /** {@link GoNetpollChannelOption#TCP_QUICKACK}: the kernel's current mode, which it may change by itself. */
    public boolean isTcpQuickAck() {
        return LinuxSocketOption.TCP_QUICKACK.isSet(socket);
    }

    /** {@link GoNetpollChannelOption#TCP_QUICKACK}. */
    public GoNetpollSocketChannelConfig setTcpQuickAck(boolean quickAck) {
        LinuxSocketOption.TCP_QUICKACK.set(socket, quickAck);
        return this;
    }

    /** {@link GoNetpollChannelOption#TCP_NOTSENT_LOWAT}, a uint32. */
    public long getTcpNotSentLowAt() {
        return Integer.toUnsignedLong(LinuxSocketOption.TCP_NOTSENT_LOWAT.get(socket));
    }

    /**
     * {@link GoNetpollChannelOption#TCP_NOTSENT_LOWAT}.
     *
     * @throws IllegalArgumentException if {@code lowAt} does not fit the kernel's uint32
     */
    public GoNetpollSocketChannelConfig setTcpNotSentLowAt(long lowAt) {
        if (lowAt < 0 || lowAt > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("TCP_NOTSENT_LOWAT: " + lowAt + " (expected: 0-4294967295)");
        }
        LinuxSocketOption.TCP_NOTSENT_LOWAT.set(socket, (int) lowAt);
        return this;
    }

    /** {@link GoNetpollChannelOption#TCP_KEEPIDLE}, in seconds. */
    public int getTcpKeepIdle() {
        return LinuxSocketOption.TCP_KEEPIDLE.get(socket);
    }

    /** {@link GoNetpollChannelOption#TCP_KEEPIDLE}, in seconds (the kernel takes 1-32767). */
    public GoNetpollSocketChannelConfig setTcpKeepIdle(int seconds) {
        LinuxSocketOption.TCP_KEEPIDLE.set(socket, seconds);
        return this;
    }

    /** {@link GoNetpollChannelOption#TCP_KEEPINTVL}, in seconds. */
    public int getTcpKeepIntvl() {
        return LinuxSocketOption.TCP_KEEPINTVL.get(socket);
    }

    /** {@link GoNetpollChannelOption#TCP_KEEPINTVL}, in seconds (the kernel takes 1-32767). */
    public GoNetpollSocketChannelConfig setTcpKeepIntvl(int seconds) {
        LinuxSocketOption.TCP_KEEPINTVL.set(socket, seconds);
        return this;
    }

    /** {@link GoNetpollChannelOption#TCP_KEEPCNT}. */
    public int getTcpKeepCnt() {
        return LinuxSocketOption.TCP_KEEPCNT.get(socket);
    }

    /** {@link GoNetpollChannelOption#TCP_KEEPCNT} (the kernel takes 1-127). */
    public GoNetpollSocketChannelConfig setTcpKeepCnt(int probes) {
        LinuxSocketOption.TCP_KEEPCNT.set(socket, probes);
        return this;
    }

    /** {@link GoNetpollChannelOption#TCP_USER_TIMEOUT}, in milliseconds. */
    public int getTcpUserTimeout() {
        return LinuxSocketOption.TCP_USER_TIMEOUT.get(socket);
    }

    /** {@link GoNetpollChannelOption#TCP_USER_TIMEOUT}, in milliseconds (0: the system default). */
    public GoNetpollSocketChannelConfig setTcpUserTimeout(int milliseconds) {
        LinuxSocketOption.TCP_USER_TIMEOUT.set(socket, milliseconds);
        return this;
    }

    // ---------------------------------------------------------------------------------------------

    @Override
    public GoNetpollSocketChannelConfig setConnectTimeoutMillis(int connectTimeoutMillis) {
        super.setConnectTimeoutMillis(connectTimeoutMillis);
        return this;
    }

    @Override
    @Deprecated
    public GoNetpollSocketChannelConfig setMaxMessagesPerRead(int maxMessagesPerRead) {
        super.setMaxMessagesPerRead(maxMessagesPerRead);
        return this;
    }

    @Override
    public GoNetpollSocketChannelConfig setWriteSpinCount(int writeSpinCount) {
        super.setWriteSpinCount(writeSpinCount);
        return this;
    }

    @Override
    public GoNetpollSocketChannelConfig setAllocator(ByteBufAllocator allocator) {
        super.setAllocator(allocator);
        return this;
    }

    @Override
    public GoNetpollSocketChannelConfig setRecvByteBufAllocator(RecvByteBufAllocator allocator) {
        super.setRecvByteBufAllocator(allocator);
        return this;
    }

    @Override
    public GoNetpollSocketChannelConfig setAutoRead(boolean autoRead) {
        super.setAutoRead(autoRead);
        return this;
    }

    @Override
    public GoNetpollSocketChannelConfig setAutoClose(boolean autoClose) {
        super.setAutoClose(autoClose);
        return this;
    }

    @Override
    public GoNetpollSocketChannelConfig setMessageSizeEstimator(MessageSizeEstimator estimator) {
        super.setMessageSizeEstimator(estimator);
        return this;
    }

    @Override
    public GoNetpollSocketChannelConfig setWriteBufferWaterMark(WriteBufferWaterMark writeBufferWaterMark) {
        super.setWriteBufferWaterMark(writeBufferWaterMark);
        return this;
    }

    /** Auto-read went off: the pending read stops, see {@link AbstractGoNetpollChannel#autoReadCleared}. */
    @Override
    protected void autoReadCleared() {
        ((AbstractGoNetpollChannel) channel).autoReadCleared();
    }
}
