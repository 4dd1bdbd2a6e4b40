package dev.gonetpoll.channel;

import dev.gonetpoll.sys.Socket;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.ServerSocketChannelConfig;
import io.netty.util.NetUtil;

import java.util.Map;

import static io.netty.channel.ChannelOption.SO_BACKLOG;
import static io.netty.channel.ChannelOption.SO_RCVBUF;
import static io.netty.channel.ChannelOption.SO_REUSEADDR;
import static io.netty.channel.ChannelOption.TCP_FASTOPEN;

/**
 * Options of a {@link GoNetpollServerSocketChannel}; socket options go straight to the kernel.
 * Besides Netty's portable options it takes {@link ChannelOption#TCP_FASTOPEN} and the server-side
 * Linux options of {@link GoNetpollChannelOption}: {@code SO_REUSEPORT}, {@code IP_FREEBIND},
 * {@code IP_TRANSPARENT}, {@code TCP_DEFER_ACCEPT}.
 */
public final class GoNetpollServerSocketChannelConfig extends DefaultChannelConfig implements ServerSocketChannelConfig {

    private final Socket socket;
    private volatile int backlog = NetUtil.SOMAXCONN;

    GoNetpollServerSocketChannelConfig(GoNetpollServerSocketChannel channel, Socket socket) {
        super(channel, new ServerChannelRecvByteBufAllocator());
        this.socket = socket;
        // Like the JDK's and Netty's server sockets: rebinding a port in TIME_WAIT must work.
        setReuseAddress(true);
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), SO_RCVBUF, SO_REUSEADDR, SO_BACKLOG, TCP_FASTOPEN,
                GoNetpollChannelOption.SO_REUSEPORT, GoNetpollChannelOption.IP_FREEBIND,
                GoNetpollChannelOption.IP_TRANSPARENT, GoNetpollChannelOption.TCP_DEFER_ACCEPT);
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> T getOption(ChannelOption<T> option) {
        if (option == SO_RCVBUF) {
            return (T) Integer.valueOf(getReceiveBufferSize());
        }
        if (option == SO_REUSEADDR) {
            return (T) Boolean.valueOf(isReuseAddress());
        }
        if (option == SO_BACKLOG) {
            return (T) Integer.valueOf(getBacklog());
        }
        if (option == TCP_FASTOPEN) {
            return (T) Integer.valueOf(getTcpFastopen());
        }
        if (option == GoNetpollChannelOption.SO_REUSEPORT) {
            return (T) Boolean.valueOf(isReusePort());
        }
        if (option == GoNetpollChannelOption.IP_FREEBIND) {
            return (T) Boolean.valueOf(isIpFreeBind());
        }
        if (option == GoNetpollChannelOption.IP_TRANSPARENT) {
            return (T) Boolean.valueOf(isIpTransparent());
        }
        if (option == GoNetpollChannelOption.TCP_DEFER_ACCEPT) {
            return (T) Integer.valueOf(getTcpDeferAccept());
        }
        return super.getOption(option);
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == SO_RCVBUF) {
            setReceiveBufferSize((Integer) value);
        } else if (option == SO_REUSEADDR) {
            setReuseAddress((Boolean) value);
        } else if (option == SO_BACKLOG) {
            setBacklog((Integer) value);
        } else if (option == TCP_FASTOPEN) {
            setTcpFastopen((Integer) value);
        } else if (option == GoNetpollChannelOption.SO_REUSEPORT) {
            setReusePort((Boolean) value);
        } else if (option == GoNetpollChannelOption.IP_FREEBIND) {
            setIpFreeBind((Boolean) value);
        } else if (option == GoNetpollChannelOption.IP_TRANSPARENT) {
            setIpTransparent((Boolean) value);
        } else if (option == GoNetpollChannelOption.TCP_DEFER_ACCEPT) {
            setTcpDeferAccept((Integer) value);
        } else {
            return super.setOption(option, value);
        }
        return true;
    }

    @Override
    public int getBacklog() {
        return backlog;
    }

    @Override
    public GoNetpollServerSocketChannelConfig setBacklog(int backlog) {
        if (backlog < 0) {
            throw new IllegalArgumentException("backlog: " + backlog + " (expected: >= 0)");
        }
        this.backlog = backlog;
        return this;
    }

    @Override
    public boolean isReuseAddress() {
        return KernelOption.get(socket::isReuseAddress);
    }

    @Override
    public GoNetpollServerSocketChannelConfig setReuseAddress(boolean reuseAddress) {
        KernelOption.set(() -> socket.setReuseAddress(reuseAddress));
        return this;
    }

    @Override
    public int getReceiveBufferSize() {
        return KernelOption.get(socket::getReceiveBufferSize);
    }

    @Override
    public GoNetpollServerSocketChannelConfig setReceiveBufferSize(int receiveBufferSize) {
        KernelOption.set(() -> socket.setReceiveBufferSize(receiveBufferSize));
        return this;
    }

    /** {@link ChannelOption#TCP_FASTOPEN}: the queue length of pending fast-open connections (0: off). */
    public int getTcpFastopen() {
        return LinuxSocketOption.TCP_FASTOPEN.get(socket);
    }

    /**
     * {@link ChannelOption#TCP_FASTOPEN}: how many fast-open connections (data accepted with the SYN,
     * handshake not finished) may be pending; 0 turns fast open off for this listener. The kernel
     * uses it only where {@link GoNetpollTcpFastOpen#isServerSideAvailable()}.
     */
    public GoNetpollServerSocketChannelConfig setTcpFastopen(int queueLength) {
        LinuxSocketOption.TCP_FASTOPEN.set(socket, queueLength);
        return this;
    }

    /** {@link GoNetpollChannelOption#SO_REUSEPORT}. */
    public boolean isReusePort() {
        return LinuxSocketOption.SO_REUSEPORT.isSet(socket);
    }

    /**
     * {@link GoNetpollChannelOption#SO_REUSEPORT}: set before binding, on every server channel that is
     * to share the port; the kernel then spreads incoming connections over them.
     */
    public GoNetpollServerSocketChannelConfig setReusePort(boolean reusePort) {
        LinuxSocketOption.SO_REUSEPORT.set(socket, reusePort);
        return this;
    }

    /** {@link GoNetpollChannelOption#IP_FREEBIND}. */
    public boolean isIpFreeBind() {
        return LinuxSocketOption.IP_FREEBIND.isSet(socket);
    }

    /** {@link GoNetpollChannelOption#IP_FREEBIND}: set before binding. */
    public GoNetpollServerSocketChannelConfig setIpFreeBind(boolean freeBind) {
        LinuxSocketOption.IP_FREEBIND.set(socket, freeBind);
        return this;
    }

    /** {@link GoNetpollChannelOption#IP_TRANSPARENT}. */
    public boolean isIpTransparent() {
        return LinuxSocketOption.IP_TRANSPARENT.isSet(socket);
    }

    /** {@link GoNetpollChannelOption#IP_TRANSPARENT}: refused with {@code EPERM} without CAP_NET_RAW or CAP_NET_ADMIN. */
    public GoNetpollServerSocketChannelConfig setIpTransparent(boolean transparent) {
        LinuxSocketOption.IP_TRANSPARENT.set(socket, transparent);
        return this;
    }

    /** {@link GoNetpollChannelOption#TCP_DEFER_ACCEPT}, in seconds, as the kernel rounded it. */
    public int getTcpDeferAccept() {
        return LinuxSocketOption.TCP_DEFER_ACCEPT.get(socket);
    }

    /**
     * {@link GoNetpollChannelOption#TCP_DEFER_ACCEPT}, in seconds (0: off).
     *
     * @throws IllegalArgumentException if {@code seconds} is negative (the kernel would silently take 0)
     */
    public GoNetpollServerSocketChannelConfig setTcpDeferAccept(int seconds) {
        if (seconds < 0) {
            throw new IllegalArgumentException("TCP_DEFER_ACCEPT: " + seconds + " (expected: >= 0)");
        }
        LinuxSocketOption.TCP_DEFER_ACCEPT.set(socket, seconds);
        return this;
    }

    @Override
    public GoNetpollServerSocketChannelConfig setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        return this; // no kernel equivalent, as in the JDK
    }

    @Override
    public GoNetpollServerSocketChannelConfig setConnectTimeoutMillis(int connectTimeoutMillis) {
        super.setConnectTimeoutMillis(connectTimeoutMillis);
        return this;
    }

    @Override
    @Deprecated
    public GoNetpollServerSocketChannelConfig setMaxMessagesPerRead(int maxMessagesPerRead) {
        super.setMaxMessagesPerRead(maxMessagesPerRead);
        return this;
    }

    @Override
    public GoNetpollServerSocketChannelConfig setWriteSpinCount(int writeSpinCount) {
        super.setWriteSpinCount(writeSpinCount);
        return this;
    }

    @Override
    public GoNetpollServerSocketChannelConfig setAllocator(ByteBufAllocator allocator) {
        super.setAllocator(allocator);
        return this;
    }

    @Override
    public GoNetpollServerSocketChannelConfig setRecvByteBufAllocator(RecvByteBufAllocator allocator) {
        super.setRecvByteBufAllocator(allocator);
        return this;
    }

    @Override
    public GoNetpollServerSocketChannelConfig setAutoRead(boolean autoRead) {
        super.setAutoRead(autoRead);
        return this;
    }

    @Override
    public GoNetpollServerSocketChannelConfig setMessageSizeEstimator(MessageSizeEstimator estimator) {
        super.setMessageSizeEstimator(estimator);
        return this;
    }

    @Override
    @Deprecated
    public GoNetpollServerSocketChannelConfig setWriteBufferHighWaterMark(int writeBufferHighWaterMark) {
        super.setWriteBufferHighWaterMark(writeBufferHighWaterMark);
        return this;
    }

    @Override
    @Deprecated
    public GoNetpollServerSocketChannelConfig setWriteBufferLowWaterMark(int writeBufferLowWaterMark) {
        super.setWriteBufferLowWaterMark(writeBufferLowWaterMark);
        return this;
    }

    @Override
    public GoNetpollServerSocketChannelConfig setWriteBufferWaterMark(WriteBufferWaterMark writeBufferWaterMark) {
        super.setWriteBufferWaterMark(writeBufferWaterMark);
        return this;
    }

    /** Auto-read went off: the pending read stops, see {@link AbstractGoNetpollChannel#autoReadCleared}. */
    @Override
    protected void autoReadCleared() {
        ((AbstractGoNetpollChannel) channel).autoReadCleared();
    }
}
