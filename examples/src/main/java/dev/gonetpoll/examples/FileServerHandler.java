package dev.gonetpoll.examples;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;

import java.util.Date;

/**
 * Serves one connection of the file server: asks the {@link StaticFileResponder} for each request's
 * {@link FileReply} and writes it, a file's bytes as a {@link DefaultFileRegion} made from the
 * {@code File}, so that a transport that can send it with {@code sendfile(2)} does, and nothing
 * of the file passes through the heap. Keep-alive, pipelining and bad requests are handled by
 * {@link HttpConnectionHandler}.
 *
 * <ul>
 *   <li>Back-pressure: a region's bytes do not count towards Netty's write buffer water marks, so a
 *       client that pipelines requests without reading the answers is held off by counting instead:
 *       with {@value #MAX_UNFINISHED_RESPONSES} answers not yet written, the connection stops reading
 *       until one completes.</li>
 *   <li>Request content is never read (see {@link HttpConnectionHandler}). A request that carries
 *       content and expects {@code 100-continue} gets its final answer with {@code Connection: close}
 *       (RFC 9110 section 10.1.1), since the content it would send next is not wanted.</li>
 *   <li>File handles: a region opens its file when the transport starts sending it and closes it
 *       when it is released: after the send, or when the write fails or the connection closes
 *       before that (Netty releases unwritten messages then). Nothing is opened for HEAD, 304 or
 *       an error.</li>
 * </ul>
 */
final class FileServerHandler extends HttpConnectionHandler {

    /** Answers written but not yet on the wire before the connection stops reading requests. */
    static final int MAX_UNFINISHED_RESPONSES = 16;

    private final StaticFileResponder responder;

    /** Answers written whose last part has not completed yet. */
    private int unfinishedResponses;

    FileServerHandler(StaticFileResponder responder) {
        this.responder = responder;
    }

    @Override
    protected boolean answer(ChannelHandlerContext ctx, HttpRequest request) {
        FileReply reply = responder.reply(request);
        boolean keepAlive = HttpUtil.isKeepAlive(request)
                && !(HttpUtil.is100ContinueExpected(request) && hasContent(request));
        HttpResponse response = new DefaultHttpResponse(request.protocolVersion(), reply.status(), reply.headers());
        response.headers().set(HeaderText.DATE, DateFormatter.format(new Date()));
        setConnection(request, response, keepAlive);
        ctx.write(response, ctx.voidPromise());
        ChannelFuture end = ctx.write(lastPart(ctx, reply.content()));
        if (keepAlive) {
            countUntilWritten(ctx, end);
        } else {
            end.addListener(ChannelFutureListener.CLOSE);
        }
        return keepAlive;
    }

    /**
     * Writes a file slice as a region and returns the end of the message; a text becomes the last
     * part itself.
     */
    private static LastHttpContent lastPart(ChannelHandlerContext ctx, FileReply.Content content) {
        return switch (content) {
            case FileReply.FileSlice slice -> {
                if (slice.length() > 0) {
                    ctx.write(new DefaultFileRegion(slice.file(), slice.position(), slice.length()),
                            ctx.voidPromise());
                }
                yield LastHttpContent.EMPTY_LAST_CONTENT;
            }
            case FileReply.Text text ->
                    new DefaultLastHttpContent(ByteBufUtil.writeUtf8(ctx.alloc(), text.text()));
            case FileReply.Empty _ -> LastHttpContent.EMPTY_LAST_CONTENT;
        };
    }

    private void countUntilWritten(ChannelHandlerContext ctx, ChannelFuture end) {
        if (++unfinishedResponses == MAX_UNFINISHED_RESPONSES) {
            ctx.channel().config().setAutoRead(false);
        }
        // Listeners run in the channel's event loop, like channelRead0: no synchronization needed.
        end.addListener(future -> {
            if (unfinishedResponses-- == MAX_UNFINISHED_RESPONSES) {
                ctx.channel().config().setAutoRead(true);
            }
        });
    }

    private static boolean hasContent(HttpRequest request) {
        return HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
    }
}
