package dev.gonetpoll.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadOnlyFileTest {

    private static final int RLIMIT_NOFILE = 7;

    @TempDir
    Path dir;

    /** setrlimit(2) for one test only: the transport itself never changes limits. */
    static final class Rlimit {
        static {
            Native.register(Rlimit.class, Platform.C_LIBRARY_NAME);
        }

        static native int getrlimit(int resource, long rlimAddress);

        static native int setrlimit(int resource, long rlimAddress);
    }

    @Test
    void opensTheNamedFileReadOnlyAndCloseOnExecAndClosesItOnce() throws IOException {
        // A non-ASCII name where the JVM's file-name encoding can hold it (not under LANG=C / env -i).
        String name = java.nio.charset.Charset.forName(System.getProperty("sun.jnu.encoding"))
                .newEncoder().canEncode("näme") ? "näme with spaces" : "name with spaces";
        Path path = Files.write(dir.resolve(name), new byte[12345]);
        ReadOnlyFile file = ReadOnlyFile.open(path.toString());
        Path link = Path.of("/proc/self/fd/" + file.fd());
        try {
            assertEquals(path.toRealPath(), Files.readSymbolicLink(link));
            assertEquals(12345, file.size());
            assertEquals(path.toString(), file.path());
            // fdinfo "flags" is octal: access mode 0 (read-only), O_CLOEXEC and O_NONBLOCK set.
            int flags = fdinfoFlags(file.fd());
            assertEquals(0, flags & 3, "not read-only: " + Integer.toOctalString(flags));
            assertEquals(Linux.O_CLOEXEC, flags & Linux.O_CLOEXEC, Integer.toOctalString(flags));
            assertEquals(Linux.O_NONBLOCK, flags & Linux.O_NONBLOCK, Integer.toOctalString(flags));
        } finally {
            file.close();
        }
        assertFalse(file.isOpen());
        assertThrows(NoSuchFileException.class, () -> Files.readSymbolicLink(link), "descriptor still open");
        assertThrows(IOException.class, file::size);

        // A second close must not close whatever the kernel gave the number to since.
        ReadOnlyFile other = ReadOnlyFile.open(path.toString());
        try {
            assertEquals(file.fd(), other.fd(), "the kernel reuses the lowest free number");
            file.close();
            assertEquals(path.toRealPath(), Files.readSymbolicLink(link), "the second close closed another file");
        } finally {
            other.close();
        }
    }

    @Test
    void sizeFollowsTheFileNotThePathAndIgnoresTheOffset() throws IOException {
        Path path = Files.write(dir.resolve("grows"), new byte[100]);
        try (ReadOnlyFile file = ReadOnlyFile.open(path.toString())) {
            assertEquals(100, file.size());
            assertEquals(100, file.size(), "a second measure after the seek");
            Files.write(path, new byte[40]); // truncates and rewrites the same inode
            assertEquals(40, file.size());
            Files.move(path, dir.resolve("moved"));
            Files.write(path, new byte[7]); // a new file at the old path
            assertEquals(40, file.size(), "the descriptor keeps the file it opened");
        }
    }

    @Test
    void aMissingFileIsAnErrnoExceptionNamingPathAndErrno() {
        String path = dir.resolve("missing").toString();
        ErrnoException e = assertThrows(ErrnoException.class, () -> ReadOnlyFile.open(path));
        assertEquals(Linux.ENOENT, e.errno());
        assertEquals("open", e.syscall());
        assertEquals("open(..) failed: No such file or directory (errno 2): " + path, e.getMessage());
    }

    @Test
    void aSymlinkLoopIsAnErrnoExceptionToo() throws IOException {
        Path loop = dir.resolve("loop");
        Files.createSymbolicLink(loop, loop.getFileName());
        ErrnoException e = assertThrows(ErrnoException.class, () -> ReadOnlyFile.open(loop.toString()));
        assertEquals(Linux.ELOOP, e.errno());
        assertTrue(e.getMessage().contains("Too many levels of symbolic links (errno 40): " + loop), e.getMessage());
    }

    @Test
    void aPathWithANulCharacterIsRefusedBeforeTheKernelSeesIt() throws IOException {
        // Cut at the NUL, the path would name this existing file: it must not be opened.
        Path existing = Files.write(dir.resolve("a"), new byte[1]);
        IOException e = assertThrows(IOException.class, () -> ReadOnlyFile.open(existing + "\0b"));
        assertTrue(e.getMessage().contains("NUL character at index " + existing.toString().length()), e.getMessage());
    }

    @Test
    void runningOutOfDescriptorsIsEmfileWithTheLimitHint() throws IOException {
        Path path = Files.write(dir.resolve("limited"), new byte[1]);
        assertThrows(ErrnoException.class, () -> ReadOnlyFile.open(dir.resolve("warm-up").toString()),
                "loads the classes of the failure path while descriptors are still free");
        ErrnoException e;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment original = arena.allocate(16, 8);
            assertEquals(0, Rlimit.getrlimit(RLIMIT_NOFILE, original.address()));
            MemorySegment none = arena.allocate(16, 8);
            none.set(ValueLayout.JAVA_LONG, 8, original.get(ValueLayout.JAVA_LONG, 8));
            // Soft limit 0: no new descriptor at all, for as short a time as possible.
            assertEquals(0, Rlimit.setrlimit(RLIMIT_NOFILE, none.address()));
            try {
                e = assertThrows(ErrnoException.class, () -> ReadOnlyFile.open(path.toString()));
            } finally {
                assertEquals(0, Rlimit.setrlimit(RLIMIT_NOFILE, original.address()));
            }
        }
        assertEquals(Linux.EMFILE, e.errno());
        assertTrue(e.getMessage().startsWith("open(..) failed: Too many open files (errno 24): " + path), e.getMessage());
        assertTrue(e.getMessage().contains("ulimit -n"), e.getMessage());
    }

    @Test
    void permissionDeniedNamesPathAndErrno() {
        // Tests may run as root, whom open(2) never denies a read: the message is checked on its own.
        ErrnoException e = Errors.newOpenException(Linux.EACCES, "/srv/secret");
        assertEquals(Linux.EACCES, e.errno());
        assertEquals("open(..) failed: Permission denied (errno 13): /srv/secret", e.getMessage());
    }

    private static int fdinfoFlags(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring("flags:".length()).trim(), 8);
            }
        }
        throw new AssertionError("no flags line in /proc/self/fdinfo/" + fd);
    }
}
