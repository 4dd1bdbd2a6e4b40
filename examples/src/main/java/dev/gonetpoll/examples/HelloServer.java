package dev.gonetpoll.examples;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;

/** The HTTP/1.1 hello-world server: {@code HttpServerCodec}, keep-alive, 13-byte {@code Hello, World!}. */
public final class HelloServer {

    private HelloServer() {
    }

    /** Binds the hello server as the options say. */
    public static RunningServer start(ServerOptions options) throws StartupException {
        return RunningServer.bind(options, new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ChannelPipeline p = ch.pipeline();
                p.addLast("codec", HttpRequestDecoding.newServerCodec());
                p.addLast("expect-continue", new HttpServerExpectContinueHandler());
                p.addLast("hello", new HelloServerHandler());
            }
        });
    }
}
