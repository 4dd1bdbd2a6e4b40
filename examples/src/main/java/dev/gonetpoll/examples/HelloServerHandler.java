package dev.gonetpoll.examples;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;

import java.nio.charset.StandardCharsets;

/**
 * Answers every HTTP request with {@code 200 OK} and the 13-byte body {@code Hello, World!}.
 * Responses are written on {@code channelRead} and flushed on {@code channelReadComplete}, so the
 * answers to pipelined requests that arrive in one read leave in one flush. A request the decoder
 * rejects gets {@code 400 Bad Request} (431 for oversized headers, 414 for an oversized request line)
 * and the connection is closed.
 */
final class HelloServerHandler extends SimpleChannelInboundHandler<HttpObject> {

    static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.US_ASCII);

    static final AsciiString CONTENT_TYPE = AsciiString.cached("Content-Type");
    static final AsciiString CONTENT_LENGTH = AsciiString.cached("Content-Length");
    static final AsciiString CONNECTION = AsciiString.cached("Connection");
    static final AsciiString TEXT_PLAIN = AsciiString.cached("text/plain");
    static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    static final AsciiString CLOSE = AsciiString.cached("close");

    /** Set once the connection is going to close: later requests on it are not answered. */
    private boolean closing;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
        if (closing) {
            return;
        }
        DecoderResult result = msg.decoderResult();
        if (result.isFailure()) {
            closing = true;
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, statusOf(result.cause()),
                    Unpooled.EMPTY_BUFFER);
            response.headers()
                    .set(CONTENT_TYPE, TEXT_PLAIN)
                    .setInt(CONTENT_LENGTH, 0)
                    .set(CONNECTION, CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (!(msg instanceof HttpRequest request)) {
            return; // request body content: ignored (and released by SimpleChannelInboundHandler)
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(BODY));
        response.headers()
                .set(CONTENT_TYPE, TEXT_PLAIN)
                .setInt(CONTENT_LENGTH, BODY.length);
        if (keepAlive) {
            if (!request.protocolVersion().isKeepAliveDefault()) {
                response.headers().set(CONNECTION, KEEP_ALIVE);
            }
            ctx.write(response, ctx.voidPromise());
        } else {
            closing = true;
            response.headers().set(CONNECTION, CLOSE);
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

    private static HttpResponseStatus statusOf(Throwable cause) {
        if (cause instanceof TooLongHttpHeaderException) {
            return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        }
        if (cause instanceof TooLongHttpLineException) {
            return HttpResponseStatus.REQUEST_URI_TOO_LONG;
        }
        return HttpResponseStatus.BAD_REQUEST;
    }
}
