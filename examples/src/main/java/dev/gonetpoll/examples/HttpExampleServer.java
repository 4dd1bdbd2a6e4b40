package dev.gonetpoll.examples;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;

import java.util.function.Supplier;

/**
 * The HTTP/1.1 servers of the examples: {@code HttpServerCodec} with bounded request lines and headers,
 * 100-continue, and an {@link HttpExampleHandler} per connection.
 */
public final class HttpExampleServer {

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
                p.addLast("codec", HttpRequestDecoding.newServerCodec());
                p.addLast("expect-continue", new HttpServerExpectContinueHandler());
                p.addLast("handler", handlers.get());
            }
        });
    }
}
