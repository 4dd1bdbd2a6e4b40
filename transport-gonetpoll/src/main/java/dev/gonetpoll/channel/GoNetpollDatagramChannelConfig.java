package dev.gonetpoll.channel;

import dev.gonetpoll.sys.UdpSocket;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DatagramChannelConfig;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.Map;

import static io.netty.channel.ChannelOption.DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION;
import static io.netty.channel.ChannelOption.IP_MULTICAST_ADDR;
import static io.netty.channel.ChannelOption.IP_MULTICAST_IF;
import static io.netty.channel.ChannelOption.IP_MULTICAST_LOOP_DISABLED;
import static io.netty.channel.ChannelOption.IP_MULTICAST_TTL;
import static io.netty.channel.ChannelOption.IP_TOS;
import static io.netty.channel.ChannelOption.SO_BROADCAST;
import static io.netty.channel.ChannelOption.SO_RCVBUF;
import static io.netty.channel.ChannelOption.SO_REUSEADDR;
import static io.netty.channel.ChannelOption.SO_SNDBUF;

/**
 * Options of a {@link GoNetpollDatagramChannel}. Socket options are read from and written to the
 * kernel; a refusal becomes a {@link io.netty.channel.ChannelException}.
 *
 * <p>Each datagram is read into one buffer of the receive allocator, by default a fixed 2048 bytes
 * as in Netty's epoll and NIO datagram channels: a longer datagram is truncated to the buffer. Use
 * a {@link FixedRecvByteBufAllocator} of the largest datagram expected (at most 65507 bytes of UDP
 * payload over IPv4) to receive every byte.
 */
public final class GoNetpollDatagramChannelConfig extends DefaultChannelConfig implements DatagramChannelConfig {

    /** Netty's default receive buffer for datagram channels. */
    static final int DEFAULT_RECEIVE_BUFFER = 2048;

    private final UdpSocket udp;
    private volatile boolean activeOnRegistration;

    GoNetpollDatagramChannelConfig(GoNetpollDatagramChannel channel, UdpSocket udp) {
        super(channel, new FixedRecvByteBufAllocator(DEFAULT_RECEIVE_BUFFER));
        this.udp = udp;
    }

    @Override
    @SuppressWarnings("deprecation")
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), SO_BROADCAST, SO_RCVBUF, SO_SNDBUF, SO_REUSEADDR,
                IP_MULTICAST_LOOP_DISABLED, IP_MULTICAST_ADDR, IP_MULTICAST_IF, IP_MULTICAST_TTL, IP_TOS,
                DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION);
    }

    @SuppressWarnings({"unchecked", "deprecation"})
    @Override
    public <T> T getOption(ChannelOption<T> option) {
        Object value;
        if (option == SO_BROADCAST) {
            value = isBroadcast();
        } else if (option == SO_RCVBUF) {
            value = getReceiveBufferSize();
        } else if (option == SO_SNDBUF) {
            value = getSendBufferSize();
        } else if (option == SO_REUSEADDR) {
            value = isReuseAddress();
        } else if (option == IP_MULTICAST_LOOP_DISABLED) {
            value = isLoopbackModeDisabled();
        } else if (option == IP_MULTICAST_ADDR) {
            value = getInterface();
        } else if (option == IP_MULTICAST_IF) {
            value = getNetworkInterface();
        } else if (option == IP_MULTICAST_TTL) {
            value = getTimeToLive();
        } else if (option == IP_TOS) {
            value = getTrafficClass();
        } else if (option == DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION) {
            value = activeOnRegistration;
        } else {
            return super.getOption(option);
        }
        return (T) value;
    }

    @SuppressWarnings("deprecation")
    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == SO_BROADCAST) {
            setBroadcast((Boolean) value);
        } else if (option == SO_RCVBUF) {
            setReceiveBufferSize((Integer) value);
        } else if (option == SO_SNDBUF) {
            setSendBufferSize((Integer) value);
        } else if (option == SO_REUSEADDR) {
            setReuseAddress((Boolean) value);
        } else if (option == IP_MULTICAST_LOOP_DISABLED) {
            setLoopbackModeDisabled((Boolean) value);
        } else if (option == IP_MULTICAST_ADDR) {
            setInterface((InetAddress) value);
        } else if (option == IP_MULTICAST_IF) {
            setNetworkInterface((NetworkInterface) value);
        } else if (option == IP_MULTICAST_TTL) {
            setTimeToLive((Integer) value);
        } else if (option == IP_TOS) {
            setTrafficClass((Integer) value);
        } else if (option == DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION) {
            setActiveOnRegistration((Boolean) value);
        } else {
            return super.setOption(option, value);
        }
        return true;
    }

    /**
     * DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION: the channel is active (and reads) as soon as it is
     * registered, without bind or connect; its first send binds it to an ephemeral port.
     */
    boolean isActiveOnRegistration() {
        return activeOnRegistration;
    }

    private void setActiveOnRegistration(boolean activeOnRegistration) {
        if (channel.isRegistered()) {
            throw new IllegalStateException("DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION can only be set before the"
                    + " channel is registered");
        }
        this.activeOnRegistration = activeOnRegistration;
    }

    @Override
    public boolean isBroadcast() {
        return KernelOption.get(udp::isBroadcast);
    }

    @Override
    public GoNetpollDatagramChannelConfig setBroadcast(boolean broadcast) {
        KernelOption.set(() -> udp.setBroadcast(broadcast));
        return this;
    }

    @Override
    public int getSendBufferSize() {
        return KernelOption.get(udp.socket()::getSendBufferSize);
    }

    @Override
    public GoNetpollDatagramChannelConfig setSendBufferSize(int sendBufferSize) {
        KernelOption.set(() -> udp.socket().setSendBufferSize(sendBufferSize));
        return this;
    }

    @Override
    public int getReceiveBufferSize() {
        return KernelOption.get(udp.socket()::getReceiveBufferSize);
    }

    @Override
    public GoNetpollDatagramChannelConfig setReceiveBufferSize(int receiveBufferSize) {
        KernelOption.set(() -> udp.socket().setReceiveBufferSize(receiveBufferSize));
        return this;
    }

    @Override
    public boolean isReuseAddress() {
        return KernelOption.get(udp.socket()::isReuseAddress);
    }

    @Override
    public GoNetpollDatagramChannelConfig setReuseAddress(boolean reuseAddress) {
        KernelOption.set(() -> udp.socket().setReuseAddress(reuseAddress));
        return this;
    }

    @Override
    public int getTrafficClass() {
        return KernelOption.get(udp.socket()::getTrafficClass);
    }

    @Override
    public GoNetpollDatagramChannelConfig setTrafficClass(int trafficClass) {
        KernelOption.set(() -> udp.socket().setTrafficClass(trafficClass));
        return this;
    }

    @Override
    public boolean isLoopbackModeDisabled() {
        return !KernelOption.get(udp::isMulticastLoop);
    }

    @Override
    public GoNetpollDatagramChannelConfig setLoopbackModeDisabled(boolean loopbackModeDisabled) {
        KernelOption.set(() -> udp.setMulticastLoop(!loopbackModeDisabled));
        return this;
    }

    @Override
    public int getTimeToLive() {
        return KernelOption.get(udp::getMulticastTtl);
    }

    @Override
    public GoNetpollDatagramChannelConfig setTimeToLive(int ttl) {
        KernelOption.set(() -> udp.setMulticastTtl(ttl));
        return this;
    }

    /** An address of the interface multicast datagrams leave by, or null for the kernel's choice. */
    @Override
    public InetAddress getInterface() {
        return KernelOption.get(udp::getMulticastInterfaceAddress);
    }

    /** Multicast datagrams leave by the interface that has this address of this host. */
    @Override
    public GoNetpollDatagramChannelConfig setInterface(InetAddress interfaceAddress) {
        KernelOption.set(() -> udp.setMulticastInterface(interfaceAddress));
        return this;
    }

    /** The interface multicast datagrams leave by, or null for the kernel's choice by route. */
    @Override
    public NetworkInterface getNetworkInterface() {
        return KernelOption.get(udp::getMulticastInterface);
    }

    @Override
    public GoNetpollDatagramChannelConfig setNetworkInterface(NetworkInterface networkInterface) {
        KernelOption.set(() -> udp.setMulticastInterface(networkInterface));
        return this;
    }

    @Override
    @Deprecated
    public GoNetpollDatagramChannelConfig setMaxMessagesPerRead(int maxMessagesPerRead) {
        super.setMaxMessagesPerRead(maxMessagesPerRead);
        return this;
    }

    @Override
    public GoNetpollDatagramChannelConfig setWriteSpinCount(int writeSpinCount) {
        super.setWriteSpinCount(writeSpinCount);
        return this;
    }

    @Override
    public GoNetpollDatagramChannelConfig setConnectTimeoutMillis(int connectTimeoutMillis) {
        super.setConnectTimeoutMillis(connectTimeoutMillis);
        return this;
    }

    @Override
    public GoNetpollDatagramChannelConfig setAllocator(ByteBufAllocator allocator) {
        super.setAllocator(allocator);
        return this;
    }

    @Override
    public GoNetpollDatagramChannelConfig setRecvByteBufAllocator(RecvByteBufAllocator allocator) {
        super.setRecvByteBufAllocator(allocator);
        return this;
    }

    @Override
    public GoNetpollDatagramChannelConfig setAutoRead(boolean autoRead) {
        super.setAutoRead(autoRead);
        return this;
    }

    @Override
    public GoNetpollDatagramChannelConfig setAutoClose(boolean autoClose) {
        super.setAutoClose(autoClose);
        return this;
    }

    @Override
    public GoNetpollDatagramChannelConfig setMessageSizeEstimator(MessageSizeEstimator estimator) {
        super.setMessageSizeEstimator(estimator);
        return this;
    }

    @Override
    public GoNetpollDatagramChannelConfig setWriteBufferWaterMark(WriteBufferWaterMark writeBufferWaterMark) {
        super.setWriteBufferWaterMark(writeBufferWaterMark);
        return this;
    }

    @Override
    public GoNetpollDatagramChannelConfig setMaxMessagesPerWrite(int maxMessagesPerWrite) {
        super.setMaxMessagesPerWrite(maxMessagesPerWrite);
        return this;
    }

    /** Auto-read went off: the pending read stops, see {@link AbstractGoNetpollChannel#autoReadCleared}. */
    @Override
    protected void autoReadCleared() {
        ((AbstractGoNetpollChannel) channel).autoReadCleared();
    }
}
