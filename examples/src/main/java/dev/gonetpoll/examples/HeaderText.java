package dev.gonetpoll.examples;

import io.netty.util.AsciiString;

/**
 * Header names and values as the example servers write them. Netty's {@code HttpHeaderNames} are
 * lower case (right for HTTP/2); on HTTP/1.1 these keep the conventional spelling that people read
 * in {@code curl -i}. Cached {@link AsciiString}s are encoded without a per-response conversion.
 */
final class HeaderText {

    static final AsciiString ACCEPT_RANGES = AsciiString.cached("Accept-Ranges");
    static final AsciiString ALLOW = AsciiString.cached("Allow");
    static final AsciiString CONNECTION = AsciiString.cached("Connection");
    static final AsciiString CONTENT_LENGTH = AsciiString.cached("Content-Length");
    static final AsciiString CONTENT_RANGE = AsciiString.cached("Content-Range");
    static final AsciiString CONTENT_TYPE = AsciiString.cached("Content-Type");
    static final AsciiString DATE = AsciiString.cached("Date");
    static final AsciiString ETAG = AsciiString.cached("ETag");
    static final AsciiString LAST_MODIFIED = AsciiString.cached("Last-Modified");
    static final AsciiString LOCATION = AsciiString.cached("Location");

    static final AsciiString BYTES = AsciiString.cached("bytes");
    static final AsciiString CLOSE = AsciiString.cached("close");
    static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    static final AsciiString TEXT_PLAIN = AsciiString.cached("text/plain");

    private HeaderText() {
    }
}
