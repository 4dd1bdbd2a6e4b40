package dev.gonetpoll.examples;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;

import java.nio.charset.StandardCharsets;

/**
 * Answers every HTTP request with {@code 200 OK} and the 13-byte body {@code Hello, World!}.
 * Keep-alive, pipelining and bad requests are handled by {@link HttpConnectionHandler}.
 */
final class HelloServerHandler extends HttpConnectionHandler {

    static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.US_ASCII);

    @Override
    protected boolean answer(ChannelHandlerContext ctx, HttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(BODY));
        response.headers()
                .set(HeaderText.CONTENT_TYPE, HeaderText.TEXT_PLAIN)
                .setInt(HeaderText.CONTENT_LENGTH, BODY.length);
        setConnection(request, response, keepAlive);
        if (keepAlive) {
            ctx.write(response, ctx.voidPromise());
        } else {
            ctx.write(response).addListener(ChannelFutureListener.CLOSE);
        }
        return keepAlive;
    }
}
