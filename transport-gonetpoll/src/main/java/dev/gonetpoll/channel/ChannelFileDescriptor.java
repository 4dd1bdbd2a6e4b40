package dev.gonetpoll.channel;

import dev.gonetpoll.sys.Socket;
import io.netty.channel.unix.FileDescriptor;

/**
 * A gonetpoll channel's socket as Netty's {@link io.netty.channel.unix.UnixChannel#fd()} hands it
 * out: for its number ({@link #intValue()}) and whether it is open. The socket belongs to the
 * channel, so {@link #close()} refuses (close the channel instead). The read and write methods that
 * {@link FileDescriptor} makes final call Netty's native library, which gonetpoll never loads:
 * do not use them on this object.
 */
final class ChannelFileDescriptor extends FileDescriptor {

    private final Socket socket;

    ChannelFileDescriptor(Socket socket) {
        super(socket.fd());
        this.socket = socket;
    }

    @Override
    public boolean isOpen() {
        return socket.isOpen();
    }

    @Override
    public void close() {
        throw new UnsupportedOperationException("the file descriptor " + intValue()
                + " belongs to its gonetpoll channel: close the channel instead");
    }
}
