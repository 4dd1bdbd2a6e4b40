package dev.gonetpoll.examples;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;

import java.nio.charset.StandardCharsets;

/**
 * Answers every HTTP request with {@code 200 OK} and the 13-byte body {@code Hello, World!}.
 * Responses are written on {@code channelRead} and flushed on {@code channelReadComplete}, so the
 * answers to pipelined requests that arrive in one read leave in one flush. A request the decoder
 * rejects is answered as {@link HttpRequestDecoding} says and the connection is closed.
 */
final class HelloServerHandler extends SimpleChannelInboundHandler<HttpObject> {

    static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.US_ASCII);

    /** Set once the connection is going to close: later requests on it are not answered. */
    private boolean closing;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
        if (closing) {
            return;
        }
        if (msg.decoderResult().isFailure()) {
            closing = true;
            HttpRequestDecoding.rejectAndClose(ctx, msg.decoderResult().cause());
            return;
        }
        if (!(msg instanceof HttpRequest request)) {
            return; // request body content: ignored (and released by SimpleChannelInboundHandler)
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(BODY));
        response.headers()
                .set(HeaderText.CONTENT_TYPE, HeaderText.TEXT_PLAIN)
                .setInt(HeaderText.CONTENT_LENGTH, BODY.length);
        if (keepAlive) {
            if (!request.protocolVersion().isKeepAliveDefault()) {
                response.headers().set(HeaderText.CONNECTION, HeaderText.KEEP_ALIVE);
            }
            ctx.write(response, ctx.voidPromise());
        } else {
            closing = true;
            response.headers().set(HeaderText.CONNECTION, HeaderText.CLOSE);
            ctx.write(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Typically "connection reset by peer": nothing to answer, just drop the connection.
        ctx.close();
    }
}
