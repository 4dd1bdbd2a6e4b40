package dev.gonetpoll.examples;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A file's validators (RFC 9110, section 8.8) and the conditional checks a GET or HEAD makes
 * against them (section 13).
 *
 * <p>The {@code ETag} is strong and changes whenever the file is replaced or rewritten:
 * {@code "<inode>-<size>-<mtime in ns>"} in hex (without the inode where the file system does not
 * expose {@code unix:ino}). {@code Last-Modified} is the modification time in whole seconds, as an
 * HTTP-date can carry no more.
 *
 * @param etag                the entity tag, quotes included
 * @param lastModifiedSeconds the modification time in seconds since the epoch
 */
record Validators(String etag, long lastModifiedSeconds) {

    /** The validators of a file from its attributes (and its inode, read with one more stat). */
    static Validators of(Path file, BasicFileAttributes attributes) {
        StringBuilder tag = new StringBuilder("\"");
        Long inode = inode(file);
        if (inode != null) {
            tag.append(Long.toHexString(inode)).append('-');
        }
        tag.append(Long.toHexString(attributes.size())).append('-')
                .append(Long.toHexString(attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS))).append('"');
        return new Validators(tag.toString(), attributes.lastModifiedTime().to(TimeUnit.SECONDS));
    }

    private static Long inode(Path file) {
        try {
            return Files.getAttribute(file, "unix:ino") instanceof Long ino ? ino : null;
        } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
            return null; // no "unix" attribute view here: size and time alone still tell versions apart
        }
    }

    /** The {@code Last-Modified} value. */
    String lastModified() {
        return DateFormatter.format(new Date(TimeUnit.SECONDS.toMillis(lastModifiedSeconds)));
    }

    /**
     * Whether a GET or HEAD with these headers gets 304 Not Modified: {@code If-None-Match} names this
     * file's tag (weak comparison, so {@code W/"x"} matches {@code "x"}) or is {@code *}; only when
     * there is no {@code If-None-Match}, {@code If-Modified-Since} is a valid date not earlier than
     * {@code Last-Modified}. A malformed {@code If-None-Match} matches nothing (the file is sent).
     */
    boolean notModified(HttpHeaders headers) {
        List<String> noneMatch = headers.getAll(HttpHeaderNames.IF_NONE_MATCH);
        if (!noneMatch.isEmpty()) {
            for (String value : noneMatch) {
                if (listMatches(value)) {
                    return true;
                }
            }
            return false;
        }
        List<String> modifiedSince = headers.getAll(HttpHeaderNames.IF_MODIFIED_SINCE);
        if (modifiedSince.size() != 1) {
            return false; // absent, or several values: RFC 9110 says to ignore it
        }
        Date since = DateFormatter.parseHttpDate(modifiedSince.getFirst());
        return since != null && TimeUnit.SECONDS.toMillis(lastModifiedSeconds) <= since.getTime();
    }

    /**
     * Whether an {@code If-Range} value lets the {@code Range} header apply: a strong, equal entity tag,
     * or an HTTP-date equal to {@code Last-Modified}. A weak tag or a malformed value never matches,
     * and then the whole file is sent.
     */
    boolean ifRangeMatches(String value) {
        String v = value.strip();
        if (v.startsWith("\"")) {
            return v.equals(etag);
        }
        if (v.startsWith("W/")) {
            return false;
        }
        Date date = DateFormatter.parseHttpDate(v);
        return date != null && date.getTime() == TimeUnit.SECONDS.toMillis(lastModifiedSeconds);
    }

    /** Whether an {@code If-None-Match} value ({@code *} or a list of entity tags) matches, weakly. */
    private boolean listMatches(String value) {
        int i = 0;
        int n = value.length();
        while (true) {
            while (i < n && (value.charAt(i) == ',' || value.charAt(i) == ' ' || value.charAt(i) == '\t')) {
                i++;
            }
            if (i == n) {
                return false;
            }
            if (value.charAt(i) == '*') {
                return true;
            }
            if (value.startsWith("W/", i)) {
                i += 2;
            }
            if (i == n || value.charAt(i) != '"') {
                return false; // malformed
            }
            int close = value.indexOf('"', i + 1);
            if (close < 0) {
                return false; // malformed
            }
            if (value.regionMatches(i, etag, 0, etag.length()) && close + 1 - i == etag.length()) {
                return true;
            }
            i = close + 1;
        }
    }
}
