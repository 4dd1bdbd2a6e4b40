package dev.gonetpoll.examples;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;

/** The HTTP/1.1 hello-world server: {@code HttpServerCodec}, keep-alive, 13-byte {@code Hello, World!}. */
public final class HelloServer {

    /** Longest request line accepted; longer ones get 414. */
    public static final int MAX_INITIAL_LINE_LENGTH = 4096;
    /** Largest header block accepted; larger ones get 431. */
    public static final int MAX_HEADER_SIZE = 8192;

    private HelloServer() {
    }

    /** Binds the hello server as the options say. */
    public static RunningServer start(ServerOptions options) throws StartupException {
        return RunningServer.bind(options, new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ChannelPipeline p = ch.pipeline();
                p.addLast("codec", new HttpServerCodec(new HttpDecoderConfig()
                        .setMaxInitialLineLength(MAX_INITIAL_LINE_LENGTH)
                        .setMaxHeaderSize(MAX_HEADER_SIZE)));
                p.addLast("expect-continue", new HttpServerExpectContinueHandler());
                p.addLast("hello", new HelloServerHandler());
            }
        });
    }
}
