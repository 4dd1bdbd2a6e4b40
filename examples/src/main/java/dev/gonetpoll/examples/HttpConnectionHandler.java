package dev.gonetpoll.examples;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;

/**
 * The request loop of one connection of an example HTTP/1.1 server, behind {@code HttpServerCodec};
 * subclasses only {@link #answer} requests.
 *
 * <ul>
 *   <li>Each request is answered as it is read, completely (or, by a subclass that answers elsewhere,
 *       after the answers before it), so that answers to pipelined requests leave in request order;
 *       answers written during a read are flushed once per read ({@code channelReadComplete}), so
 *       those to requests that arrived together leave together.</li>
 *   <li>A request the decoder rejects is answered as {@link HttpRequestDecoding} says ({@link #reject})
 *       and the connection is closed; so is it after an answer that is not kept alive. Nothing read
 *       after that is answered.</li>
 *   <li>Request content is dropped as it arrives (released by {@link SimpleChannelInboundHandler}),
 *       never buffered.</li>
 *   <li>An exception (typically "connection reset by peer") closes the connection.</li>
 * </ul>
 */
abstract class HttpConnectionHandler extends SimpleChannelInboundHandler<HttpObject> {

    /** Set once the connection is going to close: later requests on it are not answered. */
    private boolean closing;

    @Override
    protected final void channelRead0(ChannelHandlerContext ctx, HttpObject msg) throws Exception {
        if (closing) {
            return;
        }
        if (msg.decoderResult().isFailure()) {
            closing = true;
            reject(ctx, msg.decoderResult().cause());
            return;
        }
        if (msg instanceof HttpRequest request) {
            closing = true; // stays so if answer throws: the connection is closing then too
            closing = !answer(ctx, request);
        }
    }

    /**
     * Writes the complete answer to {@code request}; one written here need not be flushed.
     *
     * @return true to keep the connection open; false if the answer closes it once written (its last
     *         write has {@code ChannelFutureListener.CLOSE} and {@link #setConnection} said so)
     * @throws Exception to close the connection ({@link #exceptionCaught}) instead of answering
     */
    protected abstract boolean answer(ChannelHandlerContext ctx, HttpRequest request) throws Exception;

    /**
     * Answers a request the decoder rejected with {@code cause} and closes the connection after it.
     * A subclass whose answers are written later overrides this to keep the rejection behind them.
     */
    protected void reject(ChannelHandlerContext ctx, Throwable cause) {
        HttpRequestDecoding.rejectAndClose(ctx, cause);
    }

    /** Sets {@code Connection} as an answer to {@code request} needs it: close, or keep-alive for HTTP/1.0. */
    static void setConnection(HttpRequest request, HttpResponse response, boolean keepAlive) {
        if (!keepAlive) {
            response.headers().set(HeaderText.CONNECTION, HeaderText.CLOSE);
        } else if (!request.protocolVersion().isKeepAliveDefault()) {
            response.headers().set(HeaderText.CONNECTION, HeaderText.KEEP_ALIVE);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Typically a reset by the client, or a failed send: the answer is lost, drop the connection.
        ctx.close();
    }
}
