package dev.gonetpoll.channel;

import dev.gonetpoll.sys.Socket;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DuplexChannelConfig;
import io.netty.channel.unix.DomainSocketChannelConfig;
import io.netty.channel.unix.DomainSocketReadMode;

import java.util.Map;
import java.util.Objects;

import static io.netty.channel.ChannelOption.ALLOW_HALF_CLOSURE;
import static io.netty.channel.ChannelOption.SO_RCVBUF;
import static io.netty.channel.ChannelOption.SO_SNDBUF;
import static io.netty.channel.unix.UnixChannelOption.DOMAIN_SOCKET_READ_MODE;

/**
 * Options of a {@link GoNetpollDomainSocketChannel}: those of Netty's epoll domain channel,
 * {@code SO_SNDBUF} and {@code SO_RCVBUF} (read from and written to the kernel),
 * {@code ALLOW_HALF_CLOSURE} and {@code DOMAIN_SOCKET_READ_MODE}.
 *
 * <p>The read mode is {@link DomainSocketReadMode#BYTES}, the only one gonetpoll supports:
 * {@link DomainSocketReadMode#FILE_DESCRIPTORS} (receiving file descriptors with SCM_RIGHTS) is
 * refused with an {@link UnsupportedOperationException}.
 */
public final class GoNetpollDomainSocketChannelConfig extends DefaultChannelConfig
        implements DomainSocketChannelConfig, DuplexChannelConfig {

    private final Socket socket;
    private volatile boolean allowHalfClosure;

    GoNetpollDomainSocketChannelConfig(GoNetpollDomainSocketChannel channel, Socket socket) {
        super(channel);
        this.socket = socket;
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), DOMAIN_SOCKET_READ_MODE, ALLOW_HALF_CLOSURE, SO_SNDBUF, SO_RCVBUF);
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> T getOption(ChannelOption<T> option) {
        Object value;
        if (option == DOMAIN_SOCKET_READ_MODE) {
            value = getReadMode();
        } else if (option == ALLOW_HALF_CLOSURE) {
            value = isAllowHalfClosure();
        } else if (option == SO_SNDBUF) {
            value = getSendBufferSize();
        } else if (option == SO_RCVBUF) {
            value = getReceiveBufferSize();
        } else {
            return super.getOption(option);
        }
        return (T) value;
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == DOMAIN_SOCKET_READ_MODE) {
            setReadMode((DomainSocketReadMode) value);
        } else if (option == ALLOW_HALF_CLOSURE) {
            setAllowHalfClosure((Boolean) value);
        } else if (option == SO_SNDBUF) {
            setSendBufferSize((Integer) value);
        } else if (option == SO_RCVBUF) {
            setReceiveBufferSize((Integer) value);
        } else {
            return super.setOption(option, value);
        }
        return true;
    }

    /** Always {@link DomainSocketReadMode#BYTES}. */
    @Override
    public DomainSocketReadMode getReadMode() {
        return DomainSocketReadMode.BYTES;
    }

    /**
     * @throws UnsupportedOperationException for {@link DomainSocketReadMode#FILE_DESCRIPTORS}: gonetpoll
     *                                       does not pass file descriptors (SCM_RIGHTS)
     */
    @Override
    public GoNetpollDomainSocketChannelConfig setReadMode(DomainSocketReadMode mode) {
        Objects.requireNonNull(mode, "mode");
        if (mode != DomainSocketReadMode.BYTES) {
            throw new UnsupportedOperationException("read mode " + mode + " is not supported: gonetpoll does not "
                    + "pass file descriptors over Unix sockets (SCM_RIGHTS); only " + DomainSocketReadMode.BYTES);
        }
        return this;
    }

    /** The kernel doubles the requested size (for its bookkeeping), so reading it back gives more. */
    public int getSendBufferSize() {
        return KernelOption.get(socket::getSendBufferSize);
    }

    public GoNetpollDomainSocketChannelConfig setSendBufferSize(int sendBufferSize) {
        KernelOption.set(() -> socket.setSendBufferSize(sendBufferSize));
        return this;
    }

    /** The kernel doubles the requested size (for its bookkeeping), so reading it back gives more. */
    public int getReceiveBufferSize() {
        return KernelOption.get(socket::getReceiveBufferSize);
    }

    public GoNetpollDomainSocketChannelConfig setReceiveBufferSize(int receiveBufferSize) {
        KernelOption.set(() -> socket.setReceiveBufferSize(receiveBufferSize));
        return this;
    }

    @Override
    public boolean isAllowHalfClosure() {
        return allowHalfClosure;
    }

    @Override
    public GoNetpollDomainSocketChannelConfig setAllowHalfClosure(boolean allowHalfClosure) {
        this.allowHalfClosure = allowHalfClosure;
        return this;
    }

    @Override
    public GoNetpollDomainSocketChannelConfig setConnectTimeoutMillis(int connectTimeoutMillis) {
        super.setConnectTimeoutMillis(connectTimeoutMillis);
        return this;
    }

    @Override
    @Deprecated
    public GoNetpollDomainSocketChannelConfig setMaxMessagesPerRead(int maxMessagesPerRead) {
        super.setMaxMessagesPerRead(maxMessagesPerRead);
        return this;
    }

    @Override
    public GoNetpollDomainSocketChannelConfig setWriteSpinCount(int writeSpinCount) {
        super.setWriteSpinCount(writeSpinCount);
        return this;
    }

    @Override
    public GoNetpollDomainSocketChannelConfig setAllocator(ByteBufAllocator allocator) {
        super.setAllocator(allocator);
        return this;
    }

    @Override
    public GoNetpollDomainSocketChannelConfig setRecvByteBufAllocator(RecvByteBufAllocator allocator) {
        super.setRecvByteBufAllocator(allocator);
        return this;
    }

    @Override
    public GoNetpollDomainSocketChannelConfig setAutoRead(boolean autoRead) {
        super.setAutoRead(autoRead);
        return this;
    }

    @Override
    public GoNetpollDomainSocketChannelConfig setAutoClose(boolean autoClose) {
        super.setAutoClose(autoClose);
        return this;
    }

    @Override
    @Deprecated
    public GoNetpollDomainSocketChannelConfig setWriteBufferHighWaterMark(int writeBufferHighWaterMark) {
        super.setWriteBufferHighWaterMark(writeBufferHighWaterMark);
        return this;
    }

    @Override
    @Deprecated
    public GoNetpollDomainSocketChannelConfig setWriteBufferLowWaterMark(int writeBufferLowWaterMark) {
        super.setWriteBufferLowWaterMark(writeBufferLowWaterMark);
        return this;
    }

    @Override
    public GoNetpollDomainSocketChannelConfig setWriteBufferWaterMark(WriteBufferWaterMark writeBufferWaterMark) {
        super.setWriteBufferWaterMark(writeBufferWaterMark);
        return this;
    }

    @Override
    public GoNetpollDomainSocketChannelConfig setMessageSizeEstimator(MessageSizeEstimator estimator) {
        super.setMessageSizeEstimator(estimator);
        return this;
    }

    /** Auto-read went off: the pending read stops, see {@link AbstractGoNetpollChannel#autoReadCleared}. */
    @Override
    protected void autoReadCleared() {
        ((AbstractGoNetpollChannel) channel).autoReadCleared();
    }
}
