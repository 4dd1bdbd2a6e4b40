package dev.gonetpoll.testsuite;

import dev.gonetpoll.channel.GoNetpollDomainSocketChannel;
import dev.gonetpoll.channel.GoNetpollEventLoopGroup;
import dev.gonetpoll.channel.GoNetpollServerDomainSocketChannel;
import dev.gonetpoll.channel.GoNetpollServerSocketChannel;
import dev.gonetpoll.channel.GoNetpollSocketChannel;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
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
 * </ul>
 * Every combination runs once per allocator of {@code TestsuitePermutation.allocator()} (pooled and
 * adaptive); the base test classes take care of that.
 *
 * <p>No TCP fast open yet: the fast-open lists are the plain ones (see the README).
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

    /** No TCP fast open yet, so the same combinations as {@link #socket()}. */
    @Override
    public List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> socketWithFastOpen() {
        return socket();
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

    /** No TCP fast open yet, so the same factories as {@link #clientSocket()}. */
    @Override
    public List<BootstrapFactory<Bootstrap>> clientSocketWithFastOpen() {
        return clientSocket();
    }

    // datagram(..) and datagramSocket() stay Netty's NIO-only lists: no UDP test is wired yet.

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
