package dev.gonetpoll.examples;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Validators}: the ETag of a file, and If-None-Match / If-Modified-Since / If-Range. */
class ValidatorsTest {

    /** 2001-09-09T01:46:40Z. */
    private static final long SECONDS = 1_000_000_000L;
    private static final String DATE = "Sun, 09 Sep 2001 01:46:40 GMT";
    private static final Validators V = new Validators("\"abc\"", SECONDS);

    @Test
    void lastModifiedIsAnHttpDate() {
        assertEquals(DATE, V.lastModified());
    }

    @Test
    void etagIsStrongAndChangesWithSizeTimeAndInode(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("f.txt"), "one");
        Validators first = of(file);
        assertTrue(first.etag().matches("\"[0-9a-f]+-3-[0-9a-f]+\""), first.etag());
        assertTrue(first.etag().startsWith("\"" + Long.toHexString((Long) Files.getAttribute(file, "unix:ino")) + "-"),
                "the inode comes first: " + first.etag());
        assertEquals(first, of(file), "stable while the file is unchanged");

        Files.setLastModifiedTime(file, FileTime.fromMillis(SECONDS * 1000));
        Validators retimed = of(file);
        assertNotEquals(first.etag(), retimed.etag());
        assertEquals(SECONDS, retimed.lastModifiedSeconds());

        Files.writeString(file, "three");
        Files.setLastModifiedTime(file, FileTime.fromMillis(SECONDS * 1000));
        assertNotEquals(retimed.etag(), of(file).etag(), "same time, other size");

        Path copy = Files.copy(file, dir.resolve("copy.txt"));
        Files.setLastModifiedTime(copy, FileTime.fromMillis(SECONDS * 1000));
        assertNotEquals(of(file).etag(), of(copy).etag(), "same size and time, other inode");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"abc\"", "W/\"abc\"", "\"x\", \"abc\"", "\"x\",W/\"abc\"", "\"a,b\" ,\"abc\"", "*",
            "\"x\",,\"abc\""})
    void ifNoneMatchMatchesWeakly(String value) {
        assertTrue(V.notModified(headers("If-None-Match", value)), value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"x\"", "\"ab\"", "\"abcd\"", "\"x\", \"y\"", "abc", "\"abc", "W/abc", "", "W/"})
    void ifNoneMatchWithoutThisTagOrMalformedDoesNotMatch(String value) {
        assertFalse(V.notModified(headers("If-None-Match", value)), value);
    }

    @Test
    void anyIfNoneMatchLineMayMatch() {
        HttpHeaders h = headers("If-None-Match", "\"x\"").add("If-None-Match", "\"abc\"");
        assertTrue(V.notModified(h));
    }

    @Test
    void ifModifiedSinceComparesSeconds() {
        assertTrue(V.notModified(headers("If-Modified-Since", DATE)));
        assertTrue(V.notModified(headers("If-Modified-Since", "Sun, 09 Sep 2001 01:46:41 GMT")));
        assertFalse(V.notModified(headers("If-Modified-Since", "Sun, 09 Sep 2001 01:46:39 GMT")));
        assertFalse(V.notModified(headers("If-Modified-Since", "yesterday")));
        assertFalse(V.notModified(new DefaultHttpHeaders()));
        HttpHeaders twice = headers("If-Modified-Since", DATE).add("If-Modified-Since", DATE);
        assertFalse(V.notModified(twice), "several values are ignored");
    }

    @Test
    void ifNoneMatchTakesPrecedenceOverIfModifiedSince() {
        HttpHeaders h = headers("If-None-Match", "\"other\"").add("If-Modified-Since", DATE);
        assertFalse(V.notModified(h));
    }

    @Test
    void ifRangeNeedsAStrongTagOrTheExactDate() {
        assertTrue(V.ifRangeMatches("\"abc\""));
        assertTrue(V.ifRangeMatches(" \"abc\" "));
        assertTrue(V.ifRangeMatches(DATE));
        assertFalse(V.ifRangeMatches("W/\"abc\""), "weak tags never match");
        assertFalse(V.ifRangeMatches("\"abd\""));
        assertFalse(V.ifRangeMatches("Sun, 09 Sep 2001 01:46:41 GMT"));
        assertFalse(V.ifRangeMatches("tomorrow"));
    }

    private static Validators of(Path file) throws IOException {
        return Validators.of(file, Files.readAttributes(file, BasicFileAttributes.class));
    }

    private static HttpHeaders headers(String name, String value) {
        return new DefaultHttpHeaders().add(name, value);
    }
}
