package dev.gonetpoll.examples;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

/**
 * How the example HTTP servers decode requests: the limits of their {@link HttpServerCodec}, and the
 * answer to a request the decoder rejected. Such a request cannot be framed any more, so the answer is
 * {@code 400 Bad Request} (431 for oversized headers, 414 for an oversized request line), with
 * {@code Connection: close}, and the connection closes once it is written.
 */
final class HttpRequestDecoding {

    /** Longest request line accepted; longer ones get 414. */
    static final int MAX_INITIAL_LINE_LENGTH = 4096;
    /** Largest header block accepted; larger ones get 431. */
    static final int MAX_HEADER_SIZE = 8192;

    private HttpRequestDecoding() {
    }

    /** A server codec with the limits above. */
    static HttpServerCodec newServerCodec() {
        return new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE_LENGTH)
                .setMaxHeaderSize(MAX_HEADER_SIZE));
    }

    /**
     * Answers a request whose decoding failed with {@code cause} and closes the connection after the
     * answer. The caller must ignore everything the connection delivers afterwards.
     */
    static void rejectAndClose(ChannelHandlerContext ctx, Throwable cause) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, statusOf(cause),
                Unpooled.EMPTY_BUFFER);
        response.headers()
                .set(HeaderText.CONTENT_TYPE, HeaderText.TEXT_PLAIN)
                .setInt(HeaderText.CONTENT_LENGTH, 0)
                .set(HeaderText.CONNECTION, HeaderText.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    /** The status for a decoding failure. */
    static HttpResponseStatus statusOf(Throwable cause) {
        if (cause instanceof TooLongHttpHeaderException) {
            return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        }
        if (cause instanceof TooLongHttpLineException) {
            return HttpResponseStatus.REQUEST_URI_TOO_LONG;
        }
        return HttpResponseStatus.BAD_REQUEST;
    }
}
