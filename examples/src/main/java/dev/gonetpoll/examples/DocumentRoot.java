package dev.gonetpoll.examples;

import io.netty.handler.codec.http.HttpResponseStatus;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The directory a file server serves, and the mapping of a request target to a file in it.
 *
 * <p>A target maps to a file only if that file is inside the directory after every symbolic link
 * is resolved. The path of the target (origin form {@code /a/b?q}, or absolute form
 * {@code http://host/a/b}) is split at {@code /} and each segment percent-decoded as UTF-8 on its
 * own, once; then:
 * <ul>
 *   <li>a broken escape, invalid UTF-8 or a target that is not a path: 400;</li>
 *   <li>a segment that decodes to {@code .} or {@code ..}, or contains {@code /} ({@code %2F}),
 *       {@code \} or NUL: 403, whatever the file system holds;</li>
 *   <li>a path whose real path (symbolic links resolved) is outside the directory: 403;</li>
 *   <li>nothing there: 404; a file requested with a trailing {@code /}: 404;</li>
 *   <li>a directory: 301 to the same path with a trailing {@code /}; with it, the directory's
 *       {@code index.html} (the same checks apply to it), else 403: there are no listings;</li>
 *   <li>a file the server may not read, or anything but a regular file (a FIFO, a device): 403.</li>
 * </ul>
 * Empty segments ({@code //}) are skipped. A double-encoded {@code %252e%252e} decodes once, to
 * the file name {@code %2e%2e}, and is looked up as such.
 *
 * <p>The checks hold for a tree that does not change under the server. Someone who can rename
 * files inside the directory while it is served can race a check against the open (the file is
 * opened when its bytes are sent); serving a directory that untrusted users write to is out of scope.
 */
final class DocumentRoot {

    /** Where a request target leads. */
    sealed interface Lookup permits Found, Redirect, Refused {
    }

    /**
     * A readable regular file inside the root.
     *
     * @param file       its real path (no symbolic links)
     * @param name       the name its type is derived from: the request's last segment, or {@code index.html}
     * @param attributes its attributes when it was looked up
     */
    record Found(Path file, String name, BasicFileAttributes attributes) implements Lookup {
    }

    /** A directory requested without its trailing slash: 301 to {@code location}. */
    record Redirect(String location) implements Lookup {
    }

    /** No file: answer {@code status}; {@code reason} is a short text for the body. */
    record Refused(HttpResponseStatus status, String reason) implements Lookup {
    }

    static final String INDEX = "index.html";

    private final Path root;

    private DocumentRoot(Path root) {
        this.root = root;
    }

    /**
     * The document root for {@code dir}, which must be an existing, readable and searchable directory.
     *
     * @throws StartupException with a one-line message naming {@code dir} and what is wrong with it
     */
    static DocumentRoot open(Path dir) throws StartupException {
        Path real;
        try {
            real = dir.toRealPath();
        } catch (NoSuchFileException e) {
            throw new StartupException("cannot serve '" + dir + "': no such directory", e);
        } catch (AccessDeniedException e) {
            throw new StartupException("cannot serve '" + dir + "': permission denied", e);
        } catch (IOException e) {
            throw new StartupException("cannot serve '" + dir + "': " + RunningServer.oneLine(e), e);
        }
        if (!Files.isDirectory(real)) {
            throw new StartupException("cannot serve '" + dir + "': not a directory", null);
        }
        if (!Files.isReadable(real) || !Files.isExecutable(real)) {
            throw new StartupException("cannot serve '" + dir + "': directory not readable", null);
        }
        return new DocumentRoot(real);
    }

    /** The directory's real path. */
    Path path() {
        return root;
    }

    /** Looks up the file a request target names; see the class comment. */
    Lookup lookup(String requestTarget) {
        String target = originForm(requestTarget);
        if (target == null) {
            return new Refused(HttpResponseStatus.BAD_REQUEST, "the request target is not a path");
        }
        int queryStart = target.indexOf('?');
        String path = queryStart < 0 ? target : target.substring(0, queryStart);
        List<String> rawSegments = new ArrayList<>();
        Path candidate = root;
        String name = "";
        for (String raw : path.split("/")) {
            if (raw.isEmpty()) {
                continue;
            }
            String segment = percentDecode(raw);
            if (segment == null) {
                return new Refused(HttpResponseStatus.BAD_REQUEST, "malformed percent-encoding in the path");
            }
            if (segment.equals(".") || segment.equals("..") || segment.indexOf('/') >= 0
                    || segment.indexOf('\\') >= 0 || segment.indexOf('\0') >= 0) {
                return forbidden("path segment not allowed");
            }
            try {
                candidate = candidate.resolve(segment);
            } catch (InvalidPathException e) {
                return new Refused(HttpResponseStatus.BAD_REQUEST, "not a valid file name");
            }
            rawSegments.add(raw);
            name = segment;
        }
        boolean trailingSlash = path.endsWith("/");
        Lookup lookup = inspect(candidate, name);
        if (!(lookup instanceof Found found)) {
            return lookup;
        }
        if (found.attributes().isRegularFile()) {
            return trailingSlash ? notFound() : found; // a file is not a directory
        }
        if (!trailingSlash) {
            // Rebuilt from the segments: a path starting with "//" must not become a
            // protocol-relative URL pointing at another host.
            String query = queryStart < 0 ? "" : target.substring(queryStart);
            return new Redirect("/" + String.join("/", rawSegments) + "/" + query);
        }
        Lookup index = inspect(found.file().resolve(INDEX), INDEX);
        return switch (index) {
            case Found file when file.attributes().isRegularFile() -> file;
            case Found _ -> forbidden("not a regular file");
            case Refused refused when refused.status() == HttpResponseStatus.NOT_FOUND ->
                    forbidden("directory listings are not served");
            default -> index;
        };
    }

    /**
     * The real path of {@code candidate} if it is inside the root and readable: a {@link Found} for a
     * regular file or a directory (the caller decides what a directory means), else a {@link Refused}.
     */
    private Lookup inspect(Path candidate, String name) {
        Path real;
        BasicFileAttributes attributes;
        try {
            real = candidate.toRealPath();
            if (!real.startsWith(root)) {
                return forbidden("outside the served directory");
            }
            attributes = Files.readAttributes(real, BasicFileAttributes.class);
        } catch (AccessDeniedException e) {
            return forbidden("permission denied");
        } catch (IOException e) {
            // No such file, a file used as a directory, a name too long, a symbolic link loop.
            return notFound();
        }
        if (!attributes.isRegularFile() && !attributes.isDirectory()) {
            return forbidden("not a regular file");
        }
        if (attributes.isRegularFile() && !Files.isReadable(real)) {
            return forbidden("permission denied");
        }
        return new Found(real, name, attributes);
    }

    /** The path-and-query of a request target in origin or absolute form, or null for other forms. */
    private static String originForm(String target) {
        int fragment = target.indexOf('#'); // never sent by conforming clients; never part of the path
        if (fragment >= 0) {
            target = target.substring(0, fragment);
        }
        if (target.startsWith("/")) {
            return target;
        }
        String lower = target.toLowerCase(Locale.ROOT);
        int authority;
        if (lower.startsWith("http://")) {
            authority = "http://".length();
        } else if (lower.startsWith("https://")) {
            authority = "https://".length();
        } else {
            return null; // "*", or a bare name
        }
        int pathStart = indexOfAny(target, "/?", authority);
        if (pathStart < 0) {
            return "/";
        }
        return target.charAt(pathStart) == '/' ? target.substring(pathStart) : "/" + target.substring(pathStart);
    }

    private static int indexOfAny(String s, String chars, int from) {
        for (int i = from; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    /**
     * One path segment percent-decoded as UTF-8, or null if an escape is broken or the bytes are not
     * UTF-8. The decoder hands the request line over one character per byte, so characters above
     * 0x7F are raw bytes of a client that did not escape them, and are taken as such.
     */
    private static String percentDecode(String segment) {
        ByteBuffer bytes = ByteBuffer.allocate(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%') {
                if (i + 2 >= segment.length()) {
                    return null;
                }
                int high = hexDigit(segment.charAt(i + 1));
                int low = hexDigit(segment.charAt(i + 2));
                if (high < 0 || low < 0) {
                    return null;
                }
                bytes.put((byte) (high << 4 | low));
                i += 2;
            } else if (c > 0xFF) {
                return null;
            } else {
                bytes.put((byte) c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes.flip())
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static Refused forbidden(String reason) {
        return new Refused(HttpResponseStatus.FORBIDDEN, reason);
    }

    private static Refused notFound() {
        return new Refused(HttpResponseStatus.NOT_FOUND, "not found");
    }
}
