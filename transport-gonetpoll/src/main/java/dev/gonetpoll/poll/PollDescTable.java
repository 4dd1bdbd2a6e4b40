package dev.gonetpoll.poll;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The stable home of every {@link PollDesc} of one netpoller (Go's pollCache).
 *
 * <p>Descriptors are never freed, only recycled through a free list, so the netpoller can look one
 * up by slot index without a lock and without fearing that it vanished; the generation in the epoll
 * user data tells it whether the descriptor still belongs to the fd the event was for.
 *
 * <p>Invariants: {@link #get} is lock-free and safe from carrier threads at any time (chunks are
 * published once and never replaced). {@link #allocate} and {@link #free} take this object's monitor;
 * carrier threads never call them, so a goroutine holding the monitor cannot stall a carrier.
 */
final class PollDescTable {

    private static final int CHUNK_BITS = 10;
    private static final int CHUNK_SIZE = 1 << CHUNK_BITS;
    private static final int MAX_CHUNKS = 1 << 16; // 64M descriptors: far beyond any fd limit

    private final AtomicReferenceArray<PollDesc[]> chunks = new AtomicReferenceArray<>(MAX_CHUNKS);
    private final AtomicInteger waiters;
    /** Free slots as a stack; guarded by this. */
    private int[] freeSlots = new int[CHUNK_SIZE];
    private int freeCount;
    /** Slots ever created; guarded by this. */
    private int created;
    /** Slots handed out and not yet freed; guarded by this. */
    private int inUse;

    PollDescTable(AtomicInteger waiters) {
        this.waiters = waiters;
    }

    /** The descriptor at {@code slot}, or null if that slot was never created. */
    PollDesc get(int slot) {
        if (slot < 0) {
            return null;
        }
        int chunkIndex = slot >>> CHUNK_BITS;
        if (chunkIndex >= MAX_CHUNKS) {
            return null;
        }
        PollDesc[] chunk = chunks.get(chunkIndex);
        return chunk == null ? null : chunk[slot & (CHUNK_SIZE - 1)];
    }

    synchronized PollDesc allocate(int fd) {
        PollDesc pd;
        if (freeCount > 0) {
            pd = get(freeSlots[--freeCount]);
        } else {
            int slot = created;
            int chunkIndex = slot >>> CHUNK_BITS;
            if (chunkIndex >= MAX_CHUNKS) {
                throw new IllegalStateException("poll descriptor table is full (" + slot + " descriptors)");
            }
            PollDesc[] chunk = chunks.get(chunkIndex);
            if (chunk == null) {
                chunk = new PollDesc[CHUNK_SIZE];
                for (int i = 0; i < CHUNK_SIZE; i++) {
                    chunk[i] = new PollDesc((chunkIndex << CHUNK_BITS) | i, waiters);
                }
                chunks.set(chunkIndex, chunk); // publishes the filled chunk
            }
            pd = chunk[slot & (CHUNK_SIZE - 1)];
            created++;
        }
        pd.reset(fd);
        inUse++;
        return pd;
    }

    /** Returns {@code pd} to the free list; events still carrying its old generation are dropped. */
    synchronized void free(PollDesc pd) {
        pd.generation++;
        pd.fd = -1;
        if (freeCount == freeSlots.length) {
            int[] grown = new int[freeSlots.length * 2];
            System.arraycopy(freeSlots, 0, grown, 0, freeCount);
            freeSlots = grown;
        }
        freeSlots[freeCount++] = pd.slot;
        inUse--;
    }

    synchronized int inUse() {
        return inUse;
    }
}
