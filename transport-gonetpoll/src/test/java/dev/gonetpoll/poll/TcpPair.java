package dev.gonetpoll.poll;

import dev.gonetpoll.sys.Socket;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** Test helper: a connected, non-blocking loopback TCP pair (there is no socketpair binding). */
public final class TcpPair implements AutoCloseable {

    public final Socket client;
    public final Socket server;

    private TcpPair(Socket client, Socket server) {
        this.client = client;
        this.server = server;
    }

    public static TcpPair open() throws IOException, InterruptedException {
        Socket listener = Socket.newStreamSocket(false);
        Socket client = null;
        try {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            listener.listen(4);
            InetSocketAddress address = listener.localAddress();
            client = Socket.newStreamSocket(false);
            boolean connected = client.connect(address);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            int fd;
            while ((fd = listener.accept(null)) == Socket.WOULD_BLOCK) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("loopback accept timed out");
                }
                Thread.sleep(1);
            }
            while (!connected) {
                connected = client.finishConnect(address);
                if (!connected) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("loopback connect timed out");
                    }
                    Thread.sleep(1);
                }
            }
            return new TcpPair(client, new Socket(fd, false));
        } catch (IOException | RuntimeException | InterruptedException e) {
            if (client != null) {
                client.close();
            }
            throw e;
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
