package dev.gonetpoll.channel;

import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.util.NetUtil;

import java.util.Map;

import static io.netty.channel.ChannelOption.SO_BACKLOG;

/**
 * Options of a {@link GoNetpollServerDomainSocketChannel}: Netty's common ones and
 * {@code SO_BACKLOG}, the length of the queue of connections not accepted yet (used when it binds).
 * Buffer sizes are options of the accepted {@link GoNetpollDomainSocketChannel}s
 * ({@code childOption}): a Unix listener moves no data.
 */
public final class GoNetpollServerDomainSocketChannelConfig extends DefaultChannelConfig {

    private volatile int backlog = NetUtil.SOMAXCONN;

    GoNetpollServerDomainSocketChannelConfig(GoNetpollServerDomainSocketChannel channel) {
        super(channel, new ServerChannelRecvByteBufAllocator());
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), SO_BACKLOG);
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> T getOption(ChannelOption<T> option) {
        if (option == SO_BACKLOG) {
            return (T) Integer.valueOf(getBacklog());
        }
        return super.getOption(option);
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == SO_BACKLOG) {
            setBacklog((Integer) value);
            return true;
        }
        return super.setOption(option, value);
    }

    public int getBacklog() {
        return backlog;
    }

    public GoNetpollServerDomainSocketChannelConfig setBacklog(int backlog) {
        if (backlog < 0) {
            throw new IllegalArgumentException("backlog: " + backlog + " (expected: >= 0)");
        }
        this.backlog = backlog;
        return this;
    }

    /** Auto-read went off: the pending read stops, see {@link AbstractGoNetpollChannel#autoReadCleared}. */
    @Override
    protected void autoReadCleared() {
        ((AbstractGoNetpollChannel) channel).autoReadCleared();
    }
}
