package dev.gonetpoll.examples;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;

import java.nio.file.Path;

/**
 * The static file server: one directory over HTTP/1.1 with {@code HttpServerCodec}, keep-alive and
 * pipelining; GET and HEAD, ranges, conditional requests, files sent as {@code FileRegion}s. See
 * {@link StaticFileResponder} for what is answered, {@link DocumentRoot} for which files can be
 * reached, and {@link FileServerHandler} for how answers are written.
 */
public final class FileServer {

    private FileServer() {
    }

    /**
     * Binds a file server for {@code directory} as the options say.
     *
     * @throws StartupException with one line when the directory cannot be served or the address not bound
     */
    public static RunningServer start(ServerOptions options, Path directory) throws StartupException {
        return RunningServer.bind(options, initializer(DocumentRoot.open(directory)));
    }

    /** The pipeline of one connection. */
    static ChannelInitializer<SocketChannel> initializer(DocumentRoot root) {
        StaticFileResponder responder = new StaticFileResponder(root);
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline()
                        .addLast("codec", HttpRequestDecoding.newServerCodec())
                        .addLast("files", new FileServerHandler(responder));
            }
        };
    }
}
