package dev.gonetpoll.examples;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;

import java.util.function.Supplier;

/**
 * The HTTP/1.1 servers of the examples: {@code HttpServerCodec} with bounded request lines and headers,
 * 100-continue, and an {@link HttpExampleHandler} per connection.
 */
public final class HttpExampleServer {

    /** Longest request line accepted; longer ones get 414. */
    public static final int MAX_INITIAL_LINE_LENGTH = 4096;
    /** Largest header block accepted; larger ones get 431. */
    public static final int MAX_HEADER_SIZE = 8192;

    private HttpExampleServer() {
    }

    /** Binds the hello-world server (13-byte {@code Hello, World!}, keep-alive, pipelining). */
    public static RunningServer hello(ServerOptions options) throws StartupException {
        return start(options, HttpExampleHandler::hello);
    }

    /** Binds an HTTP server whose connections each get a handler from {@code handlers}. */
    static RunningServer start(ServerOptions options, Supplier<HttpExampleHandler> handlers) throws StartupException {
        return RunningServer.bind(options, new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ChannelPipeline p = ch.pipeline();
                p.addLast("codec", new HttpServerCodec(new HttpDecoderConfig()
                        .setMaxInitialLineLength(MAX_INITIAL_LINE_LENGTH)
                        .setMaxHeaderSize(MAX_HEADER_SIZE)));
                p.addLast("expect-continue", new HttpServerExpectContinueHandler());
                p.addLast("handler", handlers.get());
            }
        });
    }
}
