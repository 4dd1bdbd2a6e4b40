package dev.gonetpoll.sched;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Carriers that hold no processor and wait to be handed one (Go's {@code sched.midle}).
 *
 * <h2>Protocol</h2>
 * A carrier with nothing to do {@link #park parks itself} here, then waits for a hand-off. Whoever
 * needs a carrier {@link #take takes} one (LIFO: the most recently active thread is the warmest),
 * which removes it from the set, and then owes it exactly one hand-off
 * ({@link Carrier#handOff}). A waiting carrier may also leave on its own: at shutdown, or when it waited
 * a whole keep-alive while more than {@link #kept} spares wait ({@link #retire}); it leaves only if
 * it is still in the set, so a carrier taken by somebody always gets its hand-off.
 */
final class SpareCarriers {

    private final ConcurrentLinkedDeque<Carrier> waiting = new ConcurrentLinkedDeque<>();
    private final AtomicInteger size = new AtomicInteger();
    /** How many spares wait without a time limit; more than that exit after a keep-alive of waiting. */
    private final int kept;

    SpareCarriers(int kept) {
        this.kept = kept;
    }

    /** Adds {@code c}, which waits for a hand-off; also puts back a carrier taken but not handed anything. */
    void park(Carrier c) {
        size.incrementAndGet();
        waiting.offerFirst(c);
    }

    /** Takes a waiting carrier, which the caller must hand a processor; null if none waits. */
    Carrier take() {
        Carrier c = waiting.pollFirst();
        if (c != null) {
            size.decrementAndGet();
        }
        return c;
    }

    /** {@code c} leaves without a hand-off (shutdown); false if somebody took it first. */
    boolean leave(Carrier c) {
        if (waiting.removeFirstOccurrence(c)) {
            size.decrementAndGet();
            return true;
        }
        return false;
    }

    /**
     * {@code c} waited a whole keep-alive: it leaves if more than {@link #kept} spares wait and nobody
     * took it meanwhile.
     */
    boolean retire(Carrier c) {
        return size.get() > kept && leave(c);
    }

    /** Every waiting carrier, for waking them at shutdown. */
    Iterable<Carrier> all() {
        return waiting;
    }

    int size() {
        return size.get();
    }
}
