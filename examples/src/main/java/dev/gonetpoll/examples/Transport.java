package dev.gonetpoll.examples;

import dev.gonetpoll.channel.GoNetpollEventLoopGroup;
import dev.gonetpoll.channel.GoNetpollServerSocketChannel;
import dev.gonetpoll.channel.GoNetpollSocketChannel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The one place where the examples choose a Netty transport: the event loop group and the channel
 * classes. Everything else (bootstraps, pipelines, handlers) is transport-neutral, so gonetpoll and
 * Netty's epoll, io_uring and NIO transports run the very same handlers ({@code --transport}).
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
    },

    /** Netty's native epoll transport (JNI). */
    EPOLL("epoll") {
        @Override
        public EventLoopGroup newGroup(int processors) {
            requireAvailable(id(), Epoll.isAvailable(), Epoll.unavailabilityCause());
            return netty(processors, EpollIoHandler.newFactory());
        }

        @Override
        public Class<? extends ServerChannel> serverChannelClass() {
            return EpollServerSocketChannel.class;
        }

        @Override
        public Class<? extends SocketChannel> socketChannelClass() {
            return EpollSocketChannel.class;
        }
    },

    /** Netty's io_uring transport (JNI; needs a kernel that allows io_uring). */
    IO_URING("io_uring") {
        @Override
        public EventLoopGroup newGroup(int processors) {
            requireAvailable(id(), IoUring.isAvailable(), IoUring.unavailabilityCause());
            return netty(processors, IoUringIoHandler.newFactory());
        }

        @Override
        public Class<? extends ServerChannel> serverChannelClass() {
            return IoUringServerSocketChannel.class;
        }

        @Override
        public Class<? extends SocketChannel> socketChannelClass() {
            return IoUringSocketChannel.class;
        }
    },

    /** Netty's portable NIO transport. */
    NIO("nio") {
        @Override
        public EventLoopGroup newGroup(int processors) {
            return netty(processors, NioIoHandler.newFactory());
        }

        @Override
        public Class<? extends ServerChannel> serverChannelClass() {
            return NioServerSocketChannel.class;
        }

        @Override
        public Class<? extends SocketChannel> socketChannelClass() {
            return NioSocketChannel.class;
        }
    };

    /**
     * Fails with the reason a native transport cannot load. (Netty's {@code ensureAvailability()}
     * says only "failed to load the required native library" and keeps the reason as the cause,
     * which a one-line error message would lose.)
     */
    private static void requireAvailable(String id, boolean available, Throwable cause) {
        if (!available) {
            throw new IllegalStateException(id + " is not available here: " + RunningServer.oneLine(cause), cause);
        }
    }

    private static EventLoopGroup netty(int threads, IoHandlerFactory io) {
        return new MultiThreadIoEventLoopGroup(threads, io);
    }

    private final String id;

    Transport(String id) {
        this.id = id;
    }

    /** The name used on the command line and in messages. */
    public String id() {
        return id;
    }

    /**
     * A new event loop group with the given number of processors (or event loop threads).
     *
     * @throws RuntimeException or {@link LinkageError} naming the cause if the transport cannot run here
     *                          (for epoll and io_uring: an {@link IllegalStateException})
     */
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
