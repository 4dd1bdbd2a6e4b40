package dev.gonetpoll.testsuite;

import dev.gonetpoll.channel.GoNetpollDatagramChannel;
import dev.gonetpoll.channel.GoNetpollDomainSocketChannel;
import dev.gonetpoll.channel.GoNetpollEventLoopGroup;
import dev.gonetpoll.channel.GoNetpollServerDomainSocketChannel;
import dev.gonetpoll.channel.GoNetpollServerSocketChannel;
import dev.gonetpoll.channel.GoNetpollSocketChannel;
import dev.gonetpoll.channel.GoNetpollTcpFastOpen;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapFactory;
import io.netty.testsuite.transport.socket.SocketTestPermutation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bootstraps Netty's transport testsuite runs with when it tests gonetpoll.
 *
 * <p>This is the only class of the module that knows how to build a gonetpoll bootstrap; the
 * {@code GoNetpoll*Test} classes only pick one of the lists below. Shapes:
 * <ul>
 *   <li>{@link #socket()}: server x client = gonetpoll x gonetpoll, gonetpoll x NIO, NIO x gonetpoll
 *       (NIO x NIO is Netty's own business and left out). The NIO sides prove we talk to an
 *       independent TCP stack user, not only to ourselves.</li>
 *   <li>{@link #serverSocket()}: a gonetpoll server only (tests that drive it with a plain
 *       {@code java.net.Socket}).</li>
 *   <li>{@link #clientSocket()}: a gonetpoll client only (tests that drive it against a plain
 *       {@code java.net.ServerSocket}, or against nothing).</li>
 *   <li>{@link #socketWithFastOpen()}: as {@link #socket()}, plus a gonetpoll server with
 *       {@code TCP_FASTOPEN} where the kernel has server-side fast open on and a gonetpoll client with
 *       {@code TCP_FASTOPEN_CONNECT} where it has client-side fast open on, as Netty's epoll
 *       permutation does ({@link #serverSocketWithFastOpen()}, {@link #clientSocketWithFastOpen()}).</li>
 * </ul>
 * Every combination runs once per allocator of {@code TestsuitePermutation.allocator()} (pooled and
 * adaptive); the base test classes take care of that.
 */
public class GoNetpollSocketTestPermutation extends SocketTestPermutation {

    /**
     * Listening channels. One processor is plenty for accepting, and a parent group separate from
     * the child group makes every accepted fd cross from one netpoller to another.
     */
    static final EventLoopGroup GONETPOLL_BOSS_GROUP = new GoNetpollEventLoopGroup(1);

    /** Accepted channels and client channels. */
    static final EventLoopGroup GONETPOLL_WORKER_GROUP = new GoNetpollEventLoopGroup(NUM_THREADS);

    /** Text our transport puts in the {@code IOException} for {@code ECONNRESET}. */
    static final String CONNECTION_RESET_MESSAGE = "Connection reset by peer";

    static final GoNetpollSocketTestPermutation INSTANCE = new GoNetpollSocketTestPermutation();

    /** Whether {@code channel} is one of ours (and not a NIO channel of a mixed combination). */
    static boolean isGoNetpoll(Channel channel) {
        return channel instanceof GoNetpollSocketChannel || channel instanceof GoNetpollServerSocketChannel;
    }

    @Override
    public List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> socket() {
        List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> combos = new ArrayList<>();
        combos.addAll(combo(List.of(goNetpollServer()), List.of(goNetpollClient(), nioClient())));
        combos.addAll(combo(List.of(nioServer()), List.of(goNetpollClient())));
        return combos;
    }

    /**
     * The servers of {@link #serverSocketWithFastOpen()} x the clients of
     * {@link #clientSocketWithFastOpen()}, and each of them against NIO (NIO x NIO left out).
     */
    @Override
    public List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> socketWithFastOpen() {
        List<BootstrapFactory<ServerBootstrap>> servers = serverSocketWithFastOpen();
        List<BootstrapFactory<Bootstrap>> clients = clientSocketWithFastOpen();
        List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> combos = new ArrayList<>(combo(servers, clients));
        combos.addAll(combo(servers, List.of(nioClient())));
        combos.addAll(combo(List.of(nioServer()), clients));
        return combos;
    }

    @Override
    public List<BootstrapFactory<ServerBootstrap>> serverSocket() {
        List<BootstrapFactory<ServerBootstrap>> factories = new ArrayList<>();
        factories.add(goNetpollServer());
        return factories;
    }

    @Override
    public List<BootstrapFactory<Bootstrap>> clientSocket() {
        List<BootstrapFactory<Bootstrap>> factories = new ArrayList<>();
        factories.add(goNetpollClient());
        return factories;
    }

    /**
     * {@link #clientSocket()} plus a gonetpoll client with {@code TCP_FASTOPEN_CONNECT}, if the kernel
     * does client-side fast open (else it would refuse the option).
     */
    @Override
    public List<BootstrapFactory<Bootstrap>> clientSocketWithFastOpen() {
        List<BootstrapFactory<Bootstrap>> factories = clientSocket();
        if (GoNetpollTcpFastOpen.isClientSideAvailable()) {
            factories.add(() -> goNetpollClient().newInstance().option(ChannelOption.TCP_FASTOPEN_CONNECT, true));
        }
        return factories;
    }

    private static BootstrapFactory<ServerBootstrap> goNetpollServer() {
        return () -> new ServerBootstrap()
                .group(GONETPOLL_BOSS_GROUP, GONETPOLL_WORKER_GROUP)
                .channel(GoNetpollServerSocketChannel.class);
    }

    private static BootstrapFactory<Bootstrap> goNetpollClient() {
        return () -> new Bootstrap()
                .group(GONETPOLL_WORKER_GROUP)
                .channel(GoNetpollSocketChannel.class);
    }

    private BootstrapFactory<ServerBootstrap> nioServer() {
        return () -> new ServerBootstrap().group(NIO_GROUP).channel(NioServerSocketChannel.class);
    }

    private BootstrapFactory<Bootstrap> nioClient() {
        return () -> new Bootstrap().group(NIO_GROUP).channel(NioSocketChannel.class);
    }

    /**
     * UDP, sender x receiver as Netty's datagram tests name them (bootstrap, bootstrap2) =
     * gonetpoll x gonetpoll, gonetpoll x NIO, NIO x gonetpoll, every channel of the given family (a
     * gonetpoll channel of family INET6 is dual-stack).
     */
    @Override
    public List<BootstrapComboFactory<Bootstrap, Bootstrap>> datagram(SocketProtocolFamily family) {
        BootstrapFactory<Bootstrap> goNetpoll = goNetpollDatagram(family);
        BootstrapFactory<Bootstrap> nio = nioDatagram(family);
        List<BootstrapComboFactory<Bootstrap, Bootstrap>> combos = new ArrayList<>();
        combos.addAll(combo(List.of(goNetpoll), List.of(goNetpoll, nio)));
        combos.addAll(combo(List.of(nio), List.of(goNetpoll)));
        return combos;
    }

    /** A gonetpoll UDP channel of the default family (dual-stack AF_INET6), for client-only datagram tests. */
    @Override
    public List<BootstrapFactory<Bootstrap>> datagramSocket() {
        List<BootstrapFactory<Bootstrap>> factories = new ArrayList<>();
        factories.add(() -> new Bootstrap().group(GONETPOLL_WORKER_GROUP).channel(GoNetpollDatagramChannel.class));
        return factories;
    }

    private static BootstrapFactory<Bootstrap> goNetpollDatagram(SocketProtocolFamily family) {
        return () -> new Bootstrap().group(GONETPOLL_WORKER_GROUP).channelFactory(new ChannelFactory<Channel>() {
            @Override
            public Channel newChannel() {
                return new GoNetpollDatagramChannel(family);
            }

            @Override
            public String toString() {
                return "GoNetpollDatagramChannel(" + family + ")";
            }
        });
    }

    private BootstrapFactory<Bootstrap> nioDatagram(SocketProtocolFamily family) {
        return () -> new Bootstrap().group(NIO_GROUP).channelFactory(new ChannelFactory<Channel>() {
            @Override
            public Channel newChannel() {
                return new NioDatagramChannel(family);
            }

            @Override
            public String toString() {
                return "NioDatagramChannel(" + family + ")";
            }
        });
    }

    /**
     * {@link #serverSocket()} plus a gonetpoll server with a {@code TCP_FASTOPEN} queue, if the kernel
     * does server-side fast open (elsewhere the option is taken but has no effect).
     */
    public List<BootstrapFactory<ServerBootstrap>> serverSocketWithFastOpen() {
        List<BootstrapFactory<ServerBootstrap>> factories = serverSocket();
        if (GoNetpollTcpFastOpen.isServerSideAvailable()) {
            factories.add(() -> goNetpollServer().newInstance().option(ChannelOption.TCP_FASTOPEN, 5));
        }
        return factories;
    }

    // ---------------------------------------------------------------------------------------------
    // Unix domain stream sockets. Like Netty's epoll domain socket tests: gonetpoll on both sides
    // (Netty's NIO domain channels take only the JDK's address type, which the tests do not use).

    /** A temporary directory for this JVM's socket files; every server removes its file on close. */
    private static final Path DOMAIN_SOCKET_DIR = newDomainSocketDir();
    private static final AtomicInteger DOMAIN_SOCKET_COUNT = new AtomicInteger();

    /** Server x client: gonetpoll x gonetpoll over Unix domain sockets. */
    public List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> domainSocket() {
        return combo(serverDomainSocket(), clientDomainSocket());
    }

    /** A gonetpoll Unix domain server only (tests that drive it with another peer). */
    public List<BootstrapFactory<ServerBootstrap>> serverDomainSocket() {
        return List.of(() -> new ServerBootstrap()
                .group(GONETPOLL_BOSS_GROUP, GONETPOLL_WORKER_GROUP)
                .channel(GoNetpollServerDomainSocketChannel.class));
    }

    /** A gonetpoll Unix domain client only. */
    public List<BootstrapFactory<Bootstrap>> clientDomainSocket() {
        return List.of(() -> new Bootstrap()
                .group(GONETPOLL_WORKER_GROUP)
                .channel(GoNetpollDomainSocketChannel.class));
    }

    /** A fresh file system path in this JVM's socket directory, as Netty's {@code newDomainSocketAddress()}. */
    static DomainSocketAddress newDomainSocketAddress() {
        return new DomainSocketAddress(DOMAIN_SOCKET_DIR.resolve(DOMAIN_SOCKET_COUNT.incrementAndGet() + ".sock").toString());
    }

    /** A fresh Linux abstract name: no file at all. */
    static DomainSocketAddress newAbstractDomainSocketAddress() {
        return new DomainSocketAddress("\0gonetpoll-testsuite-" + UUID.randomUUID());
    }

    private static Path newDomainSocketDir() {
        try {
            Path dir = Files.createTempDirectory("gonetpoll-uds");
            dir.toFile().deleteOnExit(); // removed at exit if every socket file was removed
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
