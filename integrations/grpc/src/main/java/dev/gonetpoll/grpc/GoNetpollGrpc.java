package dev.gonetpoll.grpc;

import dev.gonetpoll.channel.GoNetpollDomainSocketChannel;
import dev.gonetpoll.channel.GoNetpollEventLoopGroup;
import dev.gonetpoll.channel.GoNetpollServerDomainSocketChannel;
import dev.gonetpoll.channel.GoNetpollServerSocketChannel;
import dev.gonetpoll.channel.GoNetpollSocketChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.ServerChannel;
import io.netty.channel.unix.DomainSocketAddress;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * gRPC-java's Netty builders ({@code io.grpc:grpc-netty}, not the shaded artifact, whose relocated Netty
 * gonetpoll cannot plug into) on a {@link GoNetpollEventLoopGroup}, over TCP or a Unix socket:
 * <pre>{@code
 * GoNetpollEventLoopGroup group = new GoNetpollEventLoopGroup();
 * Server server = GoNetpollGrpc.serverBuilder(new InetSocketAddress(50051), group)
 *         .directExecutor()                    // Go style: calls run in their connection's goroutine
 *         .addService(new MyService()).build().start();
 * ManagedChannel channel = GoNetpollGrpc.channelBuilder("localhost:50051", group).usePlaintext().build();
 * }</pre>
 * The builders get the group as boss and worker group (or event loop group) and gonetpoll's channel
 * type, which gRPC wants together. gRPC does not shut down groups it was given: shut the group down
 * after the servers and channels built on it.
 *
 * <h2>Go-style servers: {@code directExecutor()} and blocking service methods</h2>
 * Each connection has its own goroutine on gonetpoll. With {@code directExecutor()} gRPC runs service
 * methods in the transport's thread, that is in the connection's goroutine, so a method may block (JDBC,
 * a lock, a blocking stub call) and hold back only its connection: other connections are served
 * meanwhile, even on one processor. Unlike grpc-go, which gives every stream a goroutine, the streams
 * of one HTTP/2 connection share that goroutine here, and a ManagedChannel sends all of its calls over
 * one connection. Where calls on one connection must not wait for each other, give the server
 * {@link #goroutinePerTask(GoNetpollEventLoopGroup)} as its executor instead: each call's work then runs
 * in a goroutine of its own, still on the group's processors.
 */
public final class GoNetpollGrpc {

    private GoNetpollGrpc() {
    }

    /**
     * A server builder that listens on {@code address} with gonetpoll: an {@link InetSocketAddress} (TCP)
     * or a {@link DomainSocketAddress} (Unix socket).
     *
     * @throws IllegalArgumentException for another kind of address
     */
    public static NettyServerBuilder serverBuilder(SocketAddress address, GoNetpollEventLoopGroup group) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(group, "group");
        Class<? extends ServerChannel> channelType;
        if (address instanceof InetSocketAddress) {
            channelType = GoNetpollServerSocketChannel.class;
        } else if (address instanceof DomainSocketAddress) {
            channelType = GoNetpollServerDomainSocketChannel.class;
        } else {
            throw unsupported(address);
        }
        return NettyServerBuilder.forAddress(address)
                .channelType(channelType)
                .bossEventLoopGroup(group)
                .workerEventLoopGroup(group);
    }

    /**
     * A channel builder that connects to {@code address} with gonetpoll: an {@link InetSocketAddress}
     * (TCP) or a {@link DomainSocketAddress} (Unix socket).
     *
     * @throws IllegalArgumentException for another kind of address
     */
    public static NettyChannelBuilder channelBuilder(SocketAddress address, GoNetpollEventLoopGroup group) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(group, "group");
        if (address instanceof InetSocketAddress) {
            return NettyChannelBuilder.forAddress(address)
                    .channelType(GoNetpollSocketChannel.class, InetSocketAddress.class)
                    .eventLoopGroup(group);
        }
        if (address instanceof DomainSocketAddress) {
            return NettyChannelBuilder.forAddress(address)
                    .channelType(GoNetpollDomainSocketChannel.class, DomainSocketAddress.class)
                    .eventLoopGroup(group);
        }
        throw unsupported(address);
    }

    /**
     * A channel builder for a gRPC target: {@code "host:port"} or another target gRPC resolves to IP
     * addresses ({@code "dns:///host:port"}), or {@code "unix:/path"} / {@code "unix:///path"} for a Unix
     * socket (resolved by grpc-netty's {@code UdsNameResolverProvider}).
     */
    public static NettyChannelBuilder channelBuilder(String target, GoNetpollEventLoopGroup group) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(group, "group");
        NettyChannelBuilder builder = NettyChannelBuilder.forTarget(target);
        if (target.startsWith("unix:")) {
            builder.channelType(GoNetpollDomainSocketChannel.class, DomainSocketAddress.class);
        } else {
            builder.channelType(GoNetpollSocketChannel.class, InetSocketAddress.class);
        }
        return builder.eventLoopGroup(group);
    }

    /**
     * An executor that runs each task in a goroutine of its own on {@code group}'s processors (a fresh
     * loop of the group, which gives its goroutine up when the task is done), for
     * {@code NettyServerBuilder.executor(...)}: gRPC runs each call's callbacks in order through it, so a
     * service method that blocks holds back only its own call, as a goroutine per stream does in grpc-go.
     * Tasks submitted after the group began shutting down are rejected.
     */
    public static Executor goroutinePerTask(GoNetpollEventLoopGroup group) {
        Objects.requireNonNull(group, "group");
        return new GoroutinePerTaskExecutor(group);
    }

    private record GoroutinePerTaskExecutor(GoNetpollEventLoopGroup group) implements Executor {
        @Override
        public void execute(Runnable task) {
            if (group.isShuttingDown()) {
                throw new RejectedExecutionException(group + " is shutting down");
            }
            group.next().execute(task);
        }
    }

    private static IllegalArgumentException unsupported(SocketAddress address) {
        return new IllegalArgumentException("gonetpoll's gRPC builders take an InetSocketAddress or an"
                + " io.netty.channel.unix.DomainSocketAddress, not " + address.getClass().getName() + " (" + address + ")");
    }
}
