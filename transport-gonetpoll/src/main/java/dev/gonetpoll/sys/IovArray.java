package dev.gonetpoll.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A reusable {@code struct iovec[IOV_MAX]} in native memory for {@link Socket#writev} and
 * {@link Socket#readv}. Not thread-safe: one owner fills it, makes the call and clears it.
 */
public final class IovArray implements AutoCloseable {

    private static final int BASE_OFFSET = 0;
    private static final int LENGTH_OFFSET = 8;

    /** Shared so the owner may close it from whichever thread it runs on at the time. */
    private final Arena arena = Arena.ofShared();
    private final MemorySegment entries = arena.allocate((long) Linux.IOV_MAX * Linux.IOV_SIZE, Long.BYTES);
    private int count;
    private long size;
    private boolean closed;

    public void clear() {
        count = 0;
        size = 0;
    }

    /** Appends one buffer; returns false, adding nothing, when all IOV_MAX entries are used. */
    public boolean add(long address, int length) {
        if (count == Linux.IOV_MAX) {
            return false;
        }
        long entry = (long) count * Linux.IOV_SIZE;
        entries.set(ValueLayout.JAVA_LONG, entry + BASE_OFFSET, address);
        entries.set(ValueLayout.JAVA_LONG, entry + LENGTH_OFFSET, length);
        count++;
        size += length;
        return true;
    }

    /** Number of entries added since the last clear. */
    public int count() {
        return count;
    }

    /** Total bytes of the entries added since the last clear. */
    public long size() {
        return size;
    }

    /** Native address of entry 0, for writev/readv. */
    public long address() {
        return entries.address();
    }

    /** Frees the native memory; idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }
}
