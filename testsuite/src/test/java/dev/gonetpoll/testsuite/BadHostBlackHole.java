package dev.gonetpoll.testsuite;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * Gives Netty's "bad host" tests an address where a TCP connect hangs, before any test runs.
 *
 * <p>{@code SocketConnectionAttemptTest} connects to {@code io.netty.testsuite.badHost}:{@code badPort}
 * (default 198.51.100.254:65535, a documentation address) and expects the attempt to hang: that is
 * what lets {@code testConnectTimeout} check {@code CONNECT_TIMEOUT_MILLIS} and
 * {@code testConnectCancellation} cancel a pending connect. On machines whose network answers every
 * outbound connect (sandboxes with a transparent proxy do, and so does the machine this project
 * is developed on) the connect succeeds at once: the timeout test then passes without testing
 * anything and the cancellation test fails for every transport, NIO included.
 *
 * <p>So, unless the user set either property, this listener builds a black hole on the loopback
 * interface: a listener with a backlog of 1 that never accepts, whose accept queue it fills with
 * connections of its own. Linux drops the SYN of any further connect to a listener with a full
 * accept queue, so those connects hang until their timeout, exactly like a connect to an
 * unanswering host. The properties are set only once a connect has been seen to hang; otherwise
 * Netty's defaults stay. The sockets stay open for the life of the test JVM.
 *
 * <p>It must run before Netty's {@code SocketTestPermutation} is initialized (it reads both
 * properties into static finals), hence a JUnit launcher session listener, registered in
 * {@code META-INF/services/org.junit.platform.launcher.LauncherSessionListener}. Set
 * {@code -Dio.netty.testsuite.badHost=...} (and {@code badPort}) to use an address of your own instead.
 */
public final class BadHostBlackHole implements LauncherSessionListener {

    static final String BAD_HOST_PROPERTY = "io.netty.testsuite.badHost";
    static final String BAD_PORT_PROPERTY = "io.netty.testsuite.badPort";

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(BadHostBlackHole.class);

    /** How long a filler connect may take before we call the accept queue full. */
    private static final int FULL_QUEUE_TIMEOUT_MILLIS = 300;
    private static final int MAX_FILLERS = 16;

    private static final Object lock = new Object();
    private static boolean installed;
    // Held for the life of the JVM: closing them would open the black hole.
    private static ServerSocket listener;
    private static final List<Socket> fillers = new ArrayList<>();

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        install();
    }

    static void install() {
        synchronized (lock) {
            if (installed) {
                return;
            }
            installed = true;
            if (System.getProperty(BAD_HOST_PROPERTY) != null || System.getProperty(BAD_PORT_PROPERTY) != null) {
                logger.info("Using the bad host given by the user: {}:{}",
                        System.getProperty(BAD_HOST_PROPERTY), System.getProperty(BAD_PORT_PROPERTY));
                return;
            }
            try {
                InetSocketAddress address = openBlackHole();
                if (address == null) {
                    logger.warn("Could not fill a loopback accept queue; keeping Netty's default bad host");
                    return;
                }
                System.setProperty(BAD_HOST_PROPERTY, address.getAddress().getHostAddress());
                System.setProperty(BAD_PORT_PROPERTY, String.valueOf(address.getPort()));
                logger.info("Bad host for connect-timeout tests: black hole at {} ({} queued connections)",
                        address, fillers.size());
            } catch (IOException e) {
                logger.warn("Could not build a loopback black hole; keeping Netty's default bad host", e);
                closeAll();
            }
        }
    }

    /** Returns the black hole's address once a connect to it has hung, or null. */
    private static InetSocketAddress openBlackHole() throws IOException {
        listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 1);
        InetSocketAddress address = (InetSocketAddress) listener.getLocalSocketAddress();
        for (int i = 0; i < MAX_FILLERS; i++) {
            Socket filler = new Socket();
            try {
                filler.connect(address, FULL_QUEUE_TIMEOUT_MILLIS);
            } catch (SocketTimeoutException queueFull) {
                filler.close();
                return address;
            }
            fillers.add(filler);
        }
        closeAll();
        return null;
    }

    private static void closeAll() {
        for (Socket filler : fillers) {
            closeQuietly(filler);
        }
        fillers.clear();
        if (listener != null) {
            closeQuietly(listener);
            listener = null;
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // best effort
        }
    }
}
