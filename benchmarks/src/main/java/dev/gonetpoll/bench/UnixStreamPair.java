package dev.gonetpoll.bench;

import dev.gonetpoll.sys.Socket;
import dev.gonetpoll.sys.UnixSocketPath;

import java.io.IOException;

/**
 * A connected pair of non-blocking Unix domain stream sockets, made with gonetpoll's own
 * {@link Socket}. Local and cheap in the kernel, so the cost of the call itself stands out.
 */
final class UnixStreamPair implements AutoCloseable {

    final Socket client;
    final Socket server;

    private UnixStreamPair(Socket client, Socket server) {
        this.client = client;
        this.server = server;
    }

    static UnixStreamPair open() throws IOException {
        Socket listener = Socket.newUnixStreamSocket();
        try {
            listener.bind(UnixSocketPath.of("")); // autobind: a unique abstract name, no socket file
            listener.listen(1);
            Socket client = Socket.newUnixStreamSocket();
            try {
                client.connect(listener.localUnixAddress()); // completes at once for Unix sockets
                int fd = listener.accept(null);
                if (fd == Socket.WOULD_BLOCK) {
                    throw new IOException("the connected Unix socket was not accepted at once");
                }
                return new UnixStreamPair(client, listener.wrapAccepted(fd));
            } catch (IOException | RuntimeException e) {
                client.close();
                throw e;
            }
        } finally {
            listener.close();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            client.close();
        } finally {
            server.close();
        }
    }
}
