package dev.gonetpoll.bench;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The libc functions the syscall benchmarks call, through the JDK's FFM API instead of JNA: the
 * near-minimal cost of crossing into the kernel from Java, against which gonetpoll's JNA bindings
 * ({@code dev.gonetpoll.sys.LibC}) are measured.
 *
 * <p>To compare like with like: pointers are passed as {@code long} addresses, as {@code LibC}
 * does (on LP64 a pointer and a long travel in the same register), and every call captures errno,
 * as JNA saves errno after every call. One instance per thread: it owns the errno capture buffer.
 */
final class BareLibc {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle READ = downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle WRITE = downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle RECV = downcall("recv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle SEND = downcall("send",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle WRITEV = downcall("writev",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle ACCEPT4 = downcall("accept4",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle GETSOCKOPT = downcall("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle EPOLL_WAIT = downcall("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle SENDTO = downcall("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle RECVFROM = downcall("recvfrom",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), CAPTURE_ERRNO);

    /** {@code labs} does no syscall: with and without errno capture, the bare cost of the crossing itself. */
    private static final MethodHandle LABS = downcall("labs", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle LABS_NO_ERRNO = downcall("labs", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG));

    private final MemorySegment callState;

    /** @param arena owns the errno capture buffer; it must outlive this object's use */
    BareLibc(Arena arena) {
        callState = arena.allocate(CALL_STATE);
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new IllegalStateException("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /** The errno of this instance's last failed call. */
    int errno() {
        return (int) ERRNO.get(callState, 0L);
    }

    long labs(long value) {
        try {
            return (long) LABS.invokeExact(callState, value);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static long labsWithoutErrno(long value) {
        try {
            return (long) LABS_NO_ERRNO.invokeExact(value);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    long read(int fd, long buf, long count) {
        try {
            return (long) READ.invokeExact(callState, fd, buf, count);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    long write(int fd, long buf, long count) {
        try {
            return (long) WRITE.invokeExact(callState, fd, buf, count);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    long recv(int fd, long buf, long count, int flags) {
        try {
            return (long) RECV.invokeExact(callState, fd, buf, count, flags);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    long send(int fd, long buf, long count, int flags) {
        try {
            return (long) SEND.invokeExact(callState, fd, buf, count, flags);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    long writev(int fd, long iov, int iovcnt) {
        try {
            return (long) WRITEV.invokeExact(callState, fd, iov, iovcnt);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    int accept4(int fd, long addr, long addrLenPtr, int flags) {
        try {
            return (int) ACCEPT4.invokeExact(callState, fd, addr, addrLenPtr, flags);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    int getsockopt(int fd, int level, int name, long val, long lenPtr) {
        try {
            return (int) GETSOCKOPT.invokeExact(callState, fd, level, name, val, lenPtr);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    int epollWait(int epfd, long events, int maxEvents, int timeoutMillis) {
        try {
            return (int) EPOLL_WAIT.invokeExact(callState, epfd, events, maxEvents, timeoutMillis);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    long sendto(int fd, long buf, long len, int flags, long addr, int addrLen) {
        try {
            return (long) SENDTO.invokeExact(callState, fd, buf, len, flags, addr, addrLen);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    long recvfrom(int fd, long buf, long len, int flags, long addr, long addrLenPtr) {
        try {
            return (long) RECVFROM.invokeExact(callState, fd, buf, len, flags, addr, addrLenPtr);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
