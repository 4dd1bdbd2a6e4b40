package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapFactory;
import io.netty.testsuite.transport.socket.SocketConnectionAttemptTest;

import java.util.List;

/**
 * Netty's {@link SocketConnectionAttemptTest} on gonetpoll: {@code CONNECT_TIMEOUT_MILLIS} fails a
 * connect to an unanswering host in time, a refused connect fails with
 * {@link java.net.ConnectException} and never fires {@code channelActive}, and a pending connect can
 * be cancelled (the channel then closes).
 *
 * <p>Hook {@code isConnectCancellationSupported(channel)} is kept as Netty's (true for every channel
 * but OIO): gonetpoll must support cancelling a pending connect.
 *
 * <p>The timeout and cancellation tests need {@code io.netty.testsuite.badHost}:{@code badPort} to be
 * an address where a connect hangs; {@link BadHostBlackHole} provides one on loopback unless the
 * user set the properties. ({@code testConnectCancellation} checks that with a plain socket first and
 * is skipped by assumption if the connect is refused at once.)
 *
 * <p>Client: gonetpoll only.
 */
public class GoNetpollSocketConnectionAttemptTest extends SocketConnectionAttemptTest {

    @Override
    protected List<BootstrapFactory<Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.clientSocket();
    }
}
