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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The HTTP handler of the {@code hello} and {@code blocking} examples: answers every request with
 * {@code 200 OK} and the body its {@link ResponseBody} produces ({@code Hello, World!} for hello), or
 * {@code 404 Not Found} when it throws {@link NotFoundException}. A request the decoder rejects gets
 * {@code 400 Bad Request} (431 for oversized headers, 414 for an oversized request line) and the
 * connection is closed; later requests on it are not answered ({@link HttpConnectionHandler}, the
 * request loop it shares with the {@code files} example).
 *
 * <p>Without an executor the body is produced inside {@code channelRead}, in the channel's event loop:
 * if it blocks, it blocks the loop (on gonetpoll: only this connection's goroutine). Responses are
 * written on {@code channelRead} and flushed on {@code channelReadComplete}, so the answers to
 * pipelined requests that arrive in one read leave in one flush. With an executor (the
 * {@code --offload} peers of benchmark S2) each body is produced there, chained after the previous
 * request of the same connection so pipelined answers keep their order, and written from there.
 */
final class HttpExampleHandler extends HttpConnectionHandler {

    /** What a request costs before it is answered. May block; runs in the loop unless offloaded. */
    @FunctionalInterface
    interface ResponseBody {
        byte[] produce(HttpRequest request) throws Exception;
    }

    /**
     * Thrown by a {@link ResponseBody} for a request naming something that does not exist: answered
     * {@code 404 Not Found} with the message as the body; the connection stays open.
     */
    static final class NotFoundException extends Exception {
        private static final long serialVersionUID = 1L;

        NotFoundException(String message) {
            super(message);
        }
    }

    static final byte[] HELLO = "Hello, World!".getBytes(StandardCharsets.US_ASCII);

    private final ResponseBody body;
    private final Executor offload;
    /** Offloaded mode: the previous request's work; the next one runs after it. */
    private CompletableFuture<Void> previous = CompletableFuture.completedFuture(null);

    /** A handler that answers {@code Hello, World!} at once. */
    static HttpExampleHandler hello() {
        return new HttpExampleHandler(request -> HELLO, null);
    }

    /**
     * @param offload where bodies are produced, or {@code null} to produce them in the event loop
     */
    HttpExampleHandler(ResponseBody body, Executor offload) {
        this.body = body;
        this.offload = offload;
    }

    /** Answers in the loop, or chains the answer after the previous one on the offload executor. */
    @Override
    protected boolean answer(ChannelHandlerContext ctx, HttpRequest request) throws Exception {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (offload == null) {
            return respond(ctx, request, keepAlive, false);
        }
        previous = previous.thenRunAsync(() -> respond(ctx, request, keepAlive, true), offload);
        return keepAlive; // a 500 closes the connection once it is written
    }

    @Override
    protected void reject(ChannelHandlerContext ctx, Throwable cause) {
        if (offload == null) {
            super.reject(ctx, cause);
        } else { // after the answers to the requests before it
            previous = previous.whenComplete((v, e) -> super.reject(ctx, cause));
        }
    }

    /**
     * Produces the body (200), or the reason there is none (404), or, when producing it failed (a
     * query, an interrupted sleep), {@code 500} with {@code Connection: close}, and writes the response.
     * Answers before a 500 still go out first; nothing after it is answered.
     *
     * @return whether the connection stays open
     */
    private boolean respond(ChannelHandlerContext ctx, HttpRequest request, boolean keepAlive, boolean flush) {
        HttpResponseStatus status = HttpResponseStatus.OK;
        byte[] content;
        try {
            content = body.produce(request);
        } catch (NotFoundException e) {
            status = HttpResponseStatus.NOT_FOUND;
            content = e.getMessage().getBytes(StandardCharsets.UTF_8);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            status = HttpResponseStatus.INTERNAL_SERVER_ERROR;
            content = ("cannot answer: " + RunningServer.oneLine(e)).getBytes(StandardCharsets.UTF_8);
            keepAlive = false;
        }
        write(ctx, request, keepAlive, status, content, flush);
        return keepAlive;
    }

    private static void write(ChannelHandlerContext ctx, HttpRequest request, boolean keepAlive,
                              HttpResponseStatus status, byte[] content, boolean flush) {
        FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), status,
                Unpooled.wrappedBuffer(content));
        response.headers()
                .set(HeaderText.CONTENT_TYPE, HeaderText.TEXT_PLAIN)
                .setInt(HeaderText.CONTENT_LENGTH, content.length);
        setConnection(request, response, keepAlive);
        if (keepAlive) {
            if (flush) {
                ctx.writeAndFlush(response, ctx.voidPromise());
            } else {
                ctx.write(response, ctx.voidPromise());
            }
        } else {
            (flush ? ctx.writeAndFlush(response) : ctx.write(response)).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
