package dev.gonetpoll.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketRstTest;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Netty's {@link SocketRstTest} on gonetpoll: a server child with {@code SO_LINGER=0} resets the
 * connection on close and the client sees an {@link IOException}; without {@code SO_LINGER} the
 * client sees a clean close and no exception.
 *
 * <p>Hook {@link #assertRstOnCloseException(IOException, Channel)}: for a gonetpoll client the
 * exception must carry the text of {@code ECONNRESET}, "Connection reset by peer", whatever the
 * JVM's locale (our errno texts are a fixed English table). Netty's own check (the message contains
 * "reset" or "closed", and only under a US or UK locale) stays for NIO clients.
 *
 * <p>Server x client: gonetpoll x gonetpoll, gonetpoll x NIO, NIO x gonetpoll.
 */
public class GoNetpollSocketRstTest extends SocketRstTest {

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return GoNetpollSocketTestPermutation.INSTANCE.socket();
    }

    @Override
    protected void assertRstOnCloseException(IOException cause, Channel clientChannel) {
        if (!GoNetpollSocketTestPermutation.isGoNetpoll(clientChannel)) {
            super.assertRstOnCloseException(cause, clientChannel);
            return;
        }
        String message = cause.getMessage();
        assertNotNull(message, "reset exception without a message: " + cause.getClass());
        assertTrue(message.contains(GoNetpollSocketTestPermutation.CONNECTION_RESET_MESSAGE),
                "actual [type, message]: [" + cause.getClass() + ", " + message + "]");
    }
}
