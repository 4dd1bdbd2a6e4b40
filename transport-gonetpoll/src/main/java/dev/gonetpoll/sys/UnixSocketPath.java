package dev.gonetpoll.sys;

import java.io.Serial;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The address of a Unix domain socket, as the kernel sees it ({@code sun_path} of a
 * {@code sockaddr_un}), in one of three forms (unix(7)):
 * <ul>
 *   <li><em>pathname</em>: a file system path, the socket file's name; no NUL byte in it.</li>
 *   <li><em>abstract</em> (Linux): the first byte is NUL; the name is every byte after it, NULs
 *       included, and is not a file.</li>
 *   <li><em>unnamed</em>: empty. What an unbound socket reports; binding it makes the kernel pick
 *       a unique abstract name ("autobind").</li>
 * </ul>
 * The path is encoded in UTF-8, as Netty's epoll transport does, and must fit the
 * {@value #MAX_BYTES} bytes of {@code sun_path}.
 */
public final class UnixSocketPath extends SocketAddress {

    @Serial
    private static final long serialVersionUID = 1L;

    /** Size of {@code sun_path}: the longest path or abstract name (leading NUL included), in bytes. */
    public static final int MAX_BYTES = 108;

    private static final UnixSocketPath UNNAMED = new UnixSocketPath("", new byte[0]);

    private final String path;
    private final byte[] bytes;

    private UnixSocketPath(String path, byte[] bytes) {
        this.path = path;
        this.bytes = bytes;
    }

    /**
     * @param path a file system path, an abstract name starting with {@code '\0'}, or {@code ""}
     * @throws IllegalArgumentException if the path is longer than {@value #MAX_BYTES} bytes in UTF-8,
     *                                  or if a pathname contains a NUL character
     */
    public static UnixSocketPath of(String path) {
        if (path.isEmpty()) {
            return UNNAMED;
        }
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_BYTES) {
            throw new IllegalArgumentException("unix socket path too long: " + bytes.length
                    + " bytes in UTF-8, the limit is " + MAX_BYTES + ": " + printable(path));
        }
        int nul = path.indexOf('\0');
        if (nul > 0) {
            throw new IllegalArgumentException("unix socket path has a NUL character at index " + nul
                    + " (only an abstract name may, and it must start with one): " + printable(path));
        }
        return new UnixSocketPath(path, bytes);
    }

    /** The address of {@code sun_path} bytes the kernel returned (without the family field). */
    static UnixSocketPath fromKernel(byte[] sunPath) {
        if (sunPath.length == 0) {
            return UNNAMED;
        }
        if (sunPath[0] == 0) {
            // Abstract: the kernel reports the exact length; every byte is part of the name.
            return new UnixSocketPath(new String(sunPath, StandardCharsets.UTF_8), sunPath);
        }
        int end = 0;
        while (end < sunPath.length && sunPath[end] != 0) {
            end++;
        }
        byte[] name = Arrays.copyOf(sunPath, end);
        return new UnixSocketPath(new String(name, StandardCharsets.UTF_8), name);
    }

    /** The path as given: a file system path, {@code '\0'} and an abstract name, or {@code ""}. */
    public String path() {
        return path;
    }

    public boolean isAbstract() {
        return bytes.length > 0 && bytes[0] == 0;
    }

    public boolean isUnnamed() {
        return bytes.length == 0;
    }

    /** Whether the address names a socket file in the file system. */
    public boolean isPathname() {
        return bytes.length > 0 && bytes[0] != 0;
    }

    /** The {@code sun_path} bytes; not copied, callers must not modify them. */
    byte[] bytes() {
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UnixSocketPath other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** The path; an abstract name as {@code @name} (as ss(8) prints it), the unnamed address as {@code (unnamed)}. */
    @Override
    public String toString() {
        if (isUnnamed()) {
            return "(unnamed)";
        }
        return printable(path);
    }

    private static String printable(String path) {
        return path.startsWith("\0") ? "@" + path.substring(1).replace('\0', '@') : path;
    }
}
