package dev.gonetpoll.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link UnixSocketPath} rules and the {@code sockaddr_un} layout of {@link UnixSockAddr}. */
class UnixSocketPathTest {

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment buf = arena.allocate(UnixSockAddr.SIZE, Long.BYTES);

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void aPathnameHasTheKernelLayoutWithItsTerminatingNul() {
        UnixSocketPath path = UnixSocketPath.of("/tmp/s");
        assertTrue(path.isPathname());
        int len = UnixSockAddr.encode(buf, path);
        assertEquals(2 + 6 + 1, len);
        // family AF_UNIX (host order, little-endian here), then the path and its NUL
        assertArrayEquals(new byte[] {1, 0, '/', 't', 'm', 'p', '/', 's', 0},
                buf.asSlice(0, len).toArray(ValueLayout.JAVA_BYTE));
        assertEquals(path, UnixSockAddr.decode(buf, len));
    }

    @Test
    void anAbstractNameIsExactlyItsBytesNulsIncluded() {
        UnixSocketPath name = UnixSocketPath.of("\0a\0b");
        assertTrue(name.isAbstract());
        assertFalse(name.isPathname());
        int len = UnixSockAddr.encode(buf, name);
        assertEquals(2 + 4, len);
        assertArrayEquals(new byte[] {1, 0, 0, 'a', 0, 'b'}, buf.asSlice(0, len).toArray(ValueLayout.JAVA_BYTE));
        UnixSocketPath decoded = UnixSockAddr.decode(buf, len);
        assertEquals(name, decoded);
        assertEquals("\0a\0b", decoded.path());
        assertEquals("@a@b", decoded.toString());
    }

    @Test
    void theUnnamedAddressIsTheFamilyAlone() {
        UnixSocketPath unnamed = UnixSocketPath.of("");
        assertTrue(unnamed.isUnnamed());
        assertEquals(2, UnixSockAddr.encode(buf, unnamed));
        assertEquals(unnamed, UnixSockAddr.decode(buf, 2));
        assertEquals("", UnixSockAddr.decode(buf, 2).path());
        assertEquals("(unnamed)", unnamed.toString());
    }

    @Test
    void utf8PathsRoundTrip() {
        UnixSocketPath path = UnixSocketPath.of("/tmp/sök-€");
        int len = UnixSockAddr.encode(buf, path);
        assertEquals(2 + "/tmp/sök-€".getBytes(StandardCharsets.UTF_8).length + 1, len);
        assertEquals("/tmp/sök-€", UnixSockAddr.decode(buf, len).path());
    }

    @Test
    void theLongestPathFillsSunPathWithoutANul() {
        String longest = "/" + "x".repeat(UnixSocketPath.MAX_BYTES - 1);
        int len = UnixSockAddr.encode(buf, UnixSocketPath.of(longest));
        assertEquals(UnixSockAddr.SIZE, len);
        // The kernel reports one more byte for the NUL it keeps beyond sun_path.
        assertEquals(longest, UnixSockAddr.decode(buf, UnixSockAddr.SIZE + 1).path());
    }

    @Test
    void aTooLongPathIsRejectedNamingTheLimit() {
        String tooLong = "/" + "x".repeat(UnixSocketPath.MAX_BYTES);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UnixSocketPath.of(tooLong));
        assertTrue(e.getMessage().contains("109 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("limit is 108"), e.getMessage());
        // Counted in bytes, not characters: 54 two-byte characters are 108 bytes, 55 are too many.
        UnixSocketPath.of("\u00e9".repeat(54));
        assertThrows(IllegalArgumentException.class, () -> UnixSocketPath.of("\u00e9".repeat(55)));
        assertThrows(IllegalArgumentException.class, () -> UnixSocketPath.of("\0" + "x".repeat(UnixSocketPath.MAX_BYTES)));
    }

    @Test
    void aNulInsideAPathnameIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UnixSocketPath.of("/tmp/a\0b"));
        assertTrue(e.getMessage().contains("index 6"), e.getMessage());
    }

    @Test
    void aPathnameDecodesUpToItsNul() {
        buf.set(ValueLayout.JAVA_SHORT, 0, (short) Linux.AF_UNIX);
        MemorySegment.copy(new byte[] {'/', 'a', 0, 'z'}, 0, buf, ValueLayout.JAVA_BYTE, 2, 4);
        assertEquals("/a", UnixSockAddr.decode(buf, 6).path());
    }

    @Test
    void anotherFamilyOrATruncatedAddressDecodesToNull() {
        buf.set(ValueLayout.JAVA_SHORT, 0, (short) Linux.AF_INET);
        assertNull(UnixSockAddr.decode(buf, 16));
        assertNull(UnixSockAddr.decode(buf, 1));
    }

    @Test
    void equalityIsByBytes() {
        assertEquals(UnixSocketPath.of("/a"), UnixSocketPath.of("/a"));
        assertEquals(UnixSocketPath.of("/a").hashCode(), UnixSocketPath.of("/a").hashCode());
        assertNotEquals(UnixSocketPath.of("/a"), UnixSocketPath.of("\0/a"));
    }
}
