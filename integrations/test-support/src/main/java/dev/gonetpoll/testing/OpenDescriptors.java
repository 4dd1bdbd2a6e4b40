package dev.gonetpoll.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The descriptors this process has open (Linux {@code /proc/self/fd}), to check that a framework's
 * shutdown closed every socket, epoll instance and eventfd it made. Run the scenario once before
 * counting: the first run also opens jar files and the like, which stay open.
 */
public final class OpenDescriptors {

    private OpenDescriptors() {
    }

    public static long count() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list /proc/self/fd", e);
        }
    }
}
