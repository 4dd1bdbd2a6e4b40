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
import static io.netty.channel.ChannelOption.TCP_NODELAY;

/** Options of a {@link GoNetpollSocketChannel}; socket options are read from and written to the kernel. */
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
                SO_LINGER, IP_TOS, ALLOW_HALF_CLOSURE);
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
}
