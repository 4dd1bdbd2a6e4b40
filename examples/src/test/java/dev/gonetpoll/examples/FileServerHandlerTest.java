package dev.gonetpoll.examples;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link FileServerHandler} in an {@link EmbeddedChannel}, where writes stay pending until a flush:
 * the back-pressure on pipelined requests, and regions released when the connection closes first.
 */
class FileServerHandlerTest {

    @TempDir
    static Path base;
    static StaticFileResponder responder;

    @BeforeAll
    static void tree() throws Exception {
        responder = new StaticFileResponder(DocumentRoot.open(FileServerTestTree.create(base)));
    }

    @Test
    void readingStopsWhileTooManyAnswersAreUnwrittenAndResumesWhenTheyAre() {
        EmbeddedChannel ch = new EmbeddedChannel(new FileServerHandler(responder));
        try {
            for (int i = 1; i < FileServerHandler.MAX_UNFINISHED_RESPONSES; i++) {
                request(ch, "/hello.txt");
                assertTrue(ch.config().isAutoRead(), "after " + i + " unwritten answers");
            }
            request(ch, "/hello.txt");
            assertFalse(ch.config().isAutoRead(), "stopped at " + FileServerHandler.MAX_UNFINISHED_RESPONSES);
            ch.flushOutbound(); // the embedded transport "writes" everything: all answers complete
            assertTrue(ch.config().isAutoRead());
            assertEquals(3 * FileServerHandler.MAX_UNFINISHED_RESPONSES, releaseOutbound(ch));
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void regionsNotYetSentAreReleasedWhenTheConnectionCloses() {
        List<FileRegion> regions = new ArrayList<>();
        EmbeddedChannel ch = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                if (msg instanceof FileRegion region) {
                    regions.add(region);
                }
                ctx.write(msg, promise);
            }
        }, new FileServerHandler(responder));
        request(ch, "/hello.txt");
        request(ch, "/index.html");
        assertEquals(2, regions.size());
        regions.forEach(r -> assertEquals(1, r.refCnt()));
        ch.close(); // before any flush: the pending writes fail
        regions.forEach(r -> assertEquals(0, r.refCnt(), "released, so its file (if opened) is closed"));
        ch.finishAndReleaseAll();
    }

    /** Fires one GET (request and its empty end) without a read-complete, so nothing is flushed. */
    private static void request(EmbeddedChannel ch, String target) {
        DefaultHttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, target);
        request.headers().set("Host", "localhost");
        ch.writeOneInbound(request);
        ch.writeOneInbound(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    private static int releaseOutbound(EmbeddedChannel ch) {
        int n = 0;
        for (Object msg; (msg = ch.readOutbound()) != null; n++) {
            ReferenceCountUtil.release(msg);
        }
        return n;
    }
}
