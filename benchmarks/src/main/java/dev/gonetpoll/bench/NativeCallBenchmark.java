package dev.gonetpoll.bench;

import com.sun.jna.Native;
import com.sun.jna.Platform;

import java.lang.foreign.Arena;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of the Java-to-C crossing alone, with no kernel work behind it: libc's {@code labs}
 * through JNA direct mapping (bound the way {@code dev.gonetpoll.sys.LibC} binds its functions, so
 * JNA saves errno after it too), through FFM with errno capture and through FFM without. The syscall
 * benchmarks' differences between JNA and FFM should come to about the difference here.
 */
public class NativeCallBenchmark extends BenchmarkDefaults {

    /** A JNA direct mapping of one libc function that does not enter the kernel. */
    static final class JnaLibc {
        static {
            Native.register(JnaLibc.class, Platform.C_LIBRARY_NAME);
        }

        private JnaLibc() {
        }

        static native long labs(long value);
    }

    @State(Scope.Thread)
    public static class Caller {
        final Arena arena = Arena.ofShared();
        final BareLibc libc = new BareLibc(arena);
        /** Varies nothing, but is read from a field so the JIT cannot fold the call's argument. */
        long value = -42;

        @TearDown(Level.Trial)
        public void close() {
            arena.close();
        }
    }

    @Benchmark
    public long jna(Caller s) {
        return Expect.value(JnaLibc.labs(s.value), 42, "labs");
    }

    @Benchmark
    public long ffm(Caller s) {
        return Expect.value(s.libc.labs(s.value), 42, "labs");
    }

    @Benchmark
    public long ffmWithoutErrno(Caller s) {
        return Expect.value(BareLibc.labsWithoutErrno(s.value), 42, "labs");
    }
}
