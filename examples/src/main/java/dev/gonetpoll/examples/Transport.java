package dev.gonetpoll.examples;

import dev.gonetpoll.channel.GoNetpollEventLoopGroup;
import dev.gonetpoll.channel.GoNetpollServerSocketChannel;
import dev.gonetpoll.channel.GoNetpollSocketChannel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.SocketChannel;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The one place where the examples choose a Netty transport: the event loop group and the channel
 * classes. Everything else (bootstraps, pipelines, handlers) is transport-neutral, so comparing
 * gonetpoll with Netty's epoll, io_uring or NIO transports is a matter of adding a constant here
 * (and a {@code --transport} option in {@link ServerOptions}).
 */
public enum Transport {

    /** gonetpoll: a goroutine-like loop per channel on a Go-style scheduler and netpoller. */
    GONETPOLL("gonetpoll") {
        @Override
        public EventLoopGroup newGroup(int processors) {
            return new GoNetpollEventLoopGroup(processors);
        }

        @Override
        public Class<? extends ServerChannel> serverChannelClass() {
            return GoNetpollServerSocketChannel.class;
        }

        @Override
        public Class<? extends SocketChannel> socketChannelClass() {
            return GoNetpollSocketChannel.class;
        }
    };

    private final String id;

    Transport(String id) {
        this.id = id;
    }

    /** The name used on the command line and in messages. */
    public String id() {
        return id;
    }

    /** A new event loop group with the given number of processors (or event loop threads). */
    public abstract EventLoopGroup newGroup(int processors);

    /** The TCP server channel class of this transport. */
    public abstract Class<? extends ServerChannel> serverChannelClass();

    /** The TCP client channel class of this transport. */
    public abstract Class<? extends SocketChannel> socketChannelClass();

    /** Looks a transport up by its {@link #id()}. */
    public static Transport of(String id) throws UsageException {
        for (Transport t : values()) {
            if (t.id.equals(id.toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new UsageException("unknown transport '" + id + "' (available: " + ids() + ")");
    }

    /** The available transports, comma separated. */
    public static String ids() {
        return Arrays.stream(values()).map(Transport::id).collect(Collectors.joining(", "));
    }
}
