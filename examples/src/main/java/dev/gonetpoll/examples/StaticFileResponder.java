package dev.gonetpoll.examples;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.util.List;

/**
 * Decides the {@link FileReply} to one request for a file of a {@link DocumentRoot}; HTTP semantics
 * only, nothing about connections. Stateless, so one instance serves every connection.
 *
 * <ul>
 *   <li>GET and HEAD only; any other method gets 405 with {@code Allow: GET, HEAD}. An HTTP/1.1
 *       request without exactly one {@code Host} gets 400.</li>
 *   <li>Which file, or which refusal (400, 403, 404, 301 for a directory without its slash): the
 *       {@link DocumentRoot}.</li>
 *   <li>A file's headers: {@code Content-Length}, {@code Content-Type} ({@link ContentTypes}),
 *       {@code Last-Modified}, {@code ETag} ({@link Validators}), {@code Accept-Ranges: bytes}.</li>
 *   <li>304 when {@link Validators#notModified} says so (GET and HEAD).</li>
 *   <li>For GET only (RFC 9110 defines ranges for no other method), a single {@code Range}
 *       ({@link RangeHeader}) gets 206 with {@code Content-Range}, or 416 with
 *       {@code Content-Range: bytes *}{@code /size} when it selects nothing; an {@code If-Range} that
 *       does not match, several {@code Range} headers, or an empty file get the whole file with 200.</li>
 * </ul>
 */
final class StaticFileResponder {

    static final String ALLOWED_METHODS = "GET, HEAD";

    private final DocumentRoot root;

    StaticFileResponder(DocumentRoot root) {
        this.root = root;
    }

    /** The reply to {@code request}; looks at the file system, never opens a file. */
    FileReply reply(HttpRequest request) {
        HttpMethod method = request.method();
        boolean head = method.equals(HttpMethod.HEAD);
        if (!head && !method.equals(HttpMethod.GET)) {
            FileReply reply = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET and HEAD are served");
            reply.headers().set(HeaderText.ALLOW, ALLOWED_METHODS);
            return reply;
        }
        FileReply reply = replyToGet(request);
        return head ? reply.withoutContent() : reply;
    }

    private FileReply replyToGet(HttpRequest request) {
        if (request.protocolVersion().equals(HttpVersion.HTTP_1_1)
                && request.headers().getAll(HttpHeaderNames.HOST).size() != 1) {
            return text(HttpResponseStatus.BAD_REQUEST, "an HTTP/1.1 request needs exactly one Host header");
        }
        return switch (root.lookup(request.uri())) {
            case DocumentRoot.Found found -> fileReply(request, found);
            case DocumentRoot.Redirect redirect -> {
                FileReply reply = text(HttpResponseStatus.MOVED_PERMANENTLY, "moved to " + redirect.location());
                reply.headers().set(HeaderText.LOCATION, redirect.location());
                yield reply;
            }
            case DocumentRoot.Refused refused -> text(refused.status(), refused.reason());
        };
    }

    private static FileReply fileReply(HttpRequest request, DocumentRoot.Found found) {
        long size = found.attributes().size();
        Validators validators = Validators.of(found.file(), found.attributes());
        HttpHeaders headers = new DefaultHttpHeaders()
                .set(HeaderText.ETAG, validators.etag())
                .set(HeaderText.LAST_MODIFIED, validators.lastModified());
        if (validators.notModified(request.headers())) {
            return new FileReply(HttpResponseStatus.NOT_MODIFIED, headers, FileReply.EMPTY);
        }
        headers.set(HeaderText.ACCEPT_RANGES, HeaderText.BYTES);
        RangeHeader.Outcome range = requestedRange(request, validators, size);
        if (range instanceof RangeHeader.Unsatisfiable) {
            FileReply reply = text(HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
                    "the range selects no byte of this " + size + "-byte file");
            reply.headers().add(headers).set(HeaderText.CONTENT_RANGE, "bytes */" + size);
            return reply;
        }
        headers.set(HeaderText.CONTENT_TYPE, ContentTypes.of(found.name()));
        if (range instanceof RangeHeader.Slice slice) {
            headers.set(HeaderText.CONTENT_RANGE, slice.contentRange(size))
                    .set(HeaderText.CONTENT_LENGTH, slice.length());
            return new FileReply(HttpResponseStatus.PARTIAL_CONTENT, headers,
                    new FileReply.FileSlice(found.file().toFile(), slice.first(), slice.length()));
        }
        headers.set(HeaderText.CONTENT_LENGTH, size);
        return new FileReply(HttpResponseStatus.OK, headers, new FileReply.FileSlice(found.file().toFile(), 0, size));
    }

    /** How the request's {@code Range} applies to the file; see the class comment. */
    private static RangeHeader.Outcome requestedRange(HttpRequest request, Validators validators, long size) {
        List<String> ranges = request.headers().getAll(HttpHeaderNames.RANGE);
        if (!request.method().equals(HttpMethod.GET) || ranges.size() != 1 || size == 0) {
            return RangeHeader.IGNORED;
        }
        String ifRange = request.headers().get(HttpHeaderNames.IF_RANGE);
        if (ifRange != null && !validators.ifRangeMatches(ifRange)) {
            return RangeHeader.IGNORED;
        }
        return RangeHeader.evaluate(ranges.getFirst(), size);
    }

    /** A reply with a one-line text body: the status and a short reason. */
    static FileReply text(HttpResponseStatus status, String reason) {
        String body = status.code() + " " + status.reasonPhrase() + ": " + reason + "\n";
        HttpHeaders headers = new DefaultHttpHeaders()
                .set(HeaderText.CONTENT_TYPE, ContentTypes.TEXT_PLAIN)
                .set(HeaderText.CONTENT_LENGTH, ByteBufUtil.utf8Bytes(body));
        return new FileReply(status, headers, new FileReply.Text(body));
    }
}
