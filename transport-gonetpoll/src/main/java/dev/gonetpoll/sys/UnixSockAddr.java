package dev.gonetpoll.sys;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Encodes and decodes {@code sockaddr_un}.
 *
 * <pre>
 * sockaddr_un (110): family u16 (AF_UNIX, host order) | sun_path[108]
 * </pre>
 * The length passed to the kernel is the family field plus the path bytes: a pathname is
 * NUL-terminated by the zeroed rest of the buffer (Linux accepts a 108-byte one without its NUL),
 * an abstract name is exactly its bytes, an unnamed address is the family field alone.
 */
final class UnixSockAddr {

    static final int PATH_OFFSET = 2;
    /** The whole {@code sockaddr_un}: what callers allocate. */
    static final int SIZE = PATH_OFFSET + UnixSocketPath.MAX_BYTES;

    private UnixSockAddr() {
    }

    /** Writes {@code address} to {@code dst} (at least {@link #SIZE} bytes); returns the sockaddr length. */
    static int encode(MemorySegment dst, UnixSocketPath address) {
        byte[] path = address.bytes();
        dst.asSlice(0, SIZE).fill((byte) 0);
        dst.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) Linux.AF_UNIX);
        MemorySegment.copy(path, 0, dst, ValueLayout.JAVA_BYTE, PATH_OFFSET, path.length);
        if (address.isPathname() && path.length < UnixSocketPath.MAX_BYTES) {
            return PATH_OFFSET + path.length + 1; // with its terminating NUL, as unix(7) recommends
        }
        return PATH_OFFSET + path.length;
    }

    /**
     * Reads the sockaddr of {@code length} bytes at {@code src} (the kernel's length, which may
     * exceed {@link #SIZE} when it truncated a 108-byte path's NUL). Returns null for another family.
     */
    static UnixSocketPath decode(MemorySegment src, int length) {
        if (length < PATH_OFFSET || src.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0) != Linux.AF_UNIX) {
            return null;
        }
        int pathLength = Math.min(length, SIZE) - PATH_OFFSET;
        return UnixSocketPath.fromKernel(src.asSlice(PATH_OFFSET, pathLength).toArray(ValueLayout.JAVA_BYTE));
    }
}
