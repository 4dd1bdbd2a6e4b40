package dev.gonetpoll.channel;

import dev.gonetpoll.sys.ErrnoException;
import dev.gonetpoll.sys.LibC;
import dev.gonetpoll.sys.Linux;
import io.netty.channel.ChannelException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Test helper: asks the kernel directly (raw {@code getsockopt} through {@link LibC}, {@code /proc}),
 * bypassing the code under test, so a test can check that a value really reached the kernel and
 * what this host's kernel allows. It only reads; it changes no system setting.
 */
final class KernelProbe {

    /** {@code CAP_NET_ADMIN} and {@code CAP_NET_RAW}, bit numbers in {@code /proc/self/status} CapEff. */
    private static final int CAP_NET_ADMIN = 12;
    private static final int CAP_NET_RAW = 13;

    private KernelProbe() {
    }

    /** The option's value as {@code getsockopt} returns it for {@code fd}. */
    static int getInt(int fd, int level, int name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, Integer.BYTES);
            assertEquals(0, LibC.getsockopt(fd, level, name, value.address(), length.address()),
                    () -> "getsockopt(" + level + ", " + name + ") errno " + LibC.errno());
            return value.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /** Sets an int option with a raw {@code setsockopt}, for options the transport does not offer. */
    static void setInt(int fd, int level, int name, int value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocateFrom(ValueLayout.JAVA_INT, value);
            assertEquals(0, LibC.setsockopt(fd, level, name, v.address(), Integer.BYTES),
                    () -> "setsockopt(" + level + ", " + name + ") errno " + LibC.errno());
        }
    }

    /** The raw {@code struct tcp_info} of {@code fd}: as many bytes as the kernel copies (at most 256). */
    static byte[] tcpInfo(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(256, Long.BYTES);
            MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, (int) info.byteSize());
            assertEquals(0, LibC.getsockopt(fd, Linux.IPPROTO_TCP, Linux.TCP_INFO, info.address(), length.address()),
                    () -> "getsockopt(TCP_INFO) errno " + LibC.errno());
            return info.asSlice(0, length.get(ValueLayout.JAVA_INT, 0)).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** Whether this process may set IP_TRANSPARENT: it needs CAP_NET_RAW or CAP_NET_ADMIN. */
    static boolean hasNetRawOrNetAdmin() {
        long caps = effectiveCapabilities();
        return (caps & (1L << CAP_NET_RAW)) != 0 || (caps & (1L << CAP_NET_ADMIN)) != 0;
    }

    /** {@code net.ipv4.tcp_fastopen} of this network namespace. */
    static int tcpFastOpenSysctl() {
        return Integer.parseInt(read(Path.of("/proc/sys/net/ipv4/tcp_fastopen")).strip());
    }

    /** Asserts that {@code e} is the kernel's refusal with {@code errno} and that its message names {@code option}. */
    static void assertRefused(ChannelException e, int errno, String option) {
        ErrnoException cause = assertInstanceOf(ErrnoException.class, e.getCause());
        assertEquals(errno, cause.errno(), e::toString);
        assertTrue(e.getMessage().contains(option), e::getMessage);
    }

    private static long effectiveCapabilities() {
        for (String line : read(Path.of("/proc/self/status")).split("\n")) {
            if (line.startsWith("CapEff:")) {
                return Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16);
            }
        }
        throw new AssertionError("no CapEff line in /proc/self/status");
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
