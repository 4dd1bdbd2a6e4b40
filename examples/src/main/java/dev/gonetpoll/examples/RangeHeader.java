package dev.gonetpoll.examples;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code Range} header of a request (RFC 9110, section 14.2) applied to a file of known size.
 *
 * <p>Only a single byte range is honoured: {@code bytes=a-b}, {@code bytes=a-} or {@code bytes=-n}.
 * A header with several ranges is ignored, so the whole file goes out with 200, which RFC 9110
 * allows (a server MAY ignore {@code Range}); multipart/byteranges responses are not produced. A
 * header that does not parse, or names another unit, is ignored in the same way, as the RFC
 * recommends. The unit is matched case-insensitively; blanks around list elements are allowed and
 * empty list elements do not count.
 */
final class RangeHeader {

    /** What to send for a {@code Range} header. */
    sealed interface Outcome permits Ignored, Unsatisfiable, Slice {
    }

    /** Send the whole file with 200. */
    record Ignored() implements Outcome {
    }

    /** Send 416 with {@code Content-Range: bytes *}{@code /size}. */
    record Unsatisfiable() implements Outcome {
    }

    /** Send bytes {@code first..last} (both inclusive, {@code last < size}) with 206. */
    record Slice(long first, long last) implements Outcome {

        long length() {
            return last - first + 1;
        }

        /** The {@code Content-Range} value for a file of {@code size} bytes. */
        String contentRange(long size) {
            return "bytes " + first + "-" + last + "/" + size;
        }
    }

    static final Ignored IGNORED = new Ignored();
    static final Unsatisfiable UNSATISFIABLE = new Unsatisfiable();

    private RangeHeader() {
    }

    /**
     * Evaluates a {@code Range} header value against a file of {@code size > 0} bytes. (An empty file
     * has no byte to select; the caller sends it whole.)
     */
    static Outcome evaluate(String value, long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive: " + size);
        }
        int eq = value.indexOf('=');
        if (eq < 0 || !value.substring(0, eq).strip().equalsIgnoreCase("bytes")) {
            return IGNORED;
        }
        List<String> specs = new ArrayList<>();
        for (String element : value.substring(eq + 1).split(",", -1)) {
            String spec = element.strip();
            if (!spec.isEmpty()) {
                specs.add(spec);
            }
        }
        if (specs.size() != 1) {
            return IGNORED; // none (invalid) or several (not served as multipart)
        }
        return evaluateSpec(specs.getFirst(), size);
    }

    private static Outcome evaluateSpec(String spec, long size) {
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return IGNORED;
        }
        String firstText = spec.substring(0, dash);
        String lastText = spec.substring(dash + 1);
        if (firstText.isEmpty()) {
            // bytes=-n: the last n bytes, all of them if the file is shorter.
            long suffix = digits(lastText);
            if (suffix < 0) {
                return IGNORED;
            }
            if (suffix == 0) {
                return UNSATISFIABLE;
            }
            return new Slice(Math.max(0, size - suffix), size - 1);
        }
        long first = digits(firstText);
        long last = lastText.isEmpty() ? Long.MAX_VALUE : digits(lastText);
        if (first < 0 || last < 0 || last < first) {
            return IGNORED;
        }
        if (first >= size) {
            return UNSATISFIABLE;
        }
        return new Slice(first, Math.min(last, size - 1));
    }

    /** A non-empty run of ASCII digits as a number (saturating at Long.MAX_VALUE), or -1. */
    private static long digits(String text) {
        if (text.isEmpty()) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n > (Long.MAX_VALUE - 9) / 10 ? Long.MAX_VALUE : n * 10 + (c - '0');
        }
        return n;
    }
}
