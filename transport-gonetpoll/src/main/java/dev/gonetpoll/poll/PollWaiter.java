package dev.gonetpoll.poll;

import java.util.concurrent.locks.LockSupport;

/**
 * A waiter on a {@link PollDesc} direction that is not a parked goroutine but an object told when the
 * direction becomes ready (or the descriptor closes). An event loop uses it so that readiness can
 * reach it whether or not it has a goroutine at that moment: {@link #pollReady} unparks the loop's
 * goroutine, or starts one for a loop whose goroutine exited while it waited.
 *
 * <p>{@link #pollReady} runs on the netpoller's caller (a carrier thread, or a closer): it must be
 * short and must never block.
 */
public interface PollWaiter {

    /** A descriptor this waiter armed became ready or is closing. */
    void pollReady();

    /** Wakes a slot's waiter: a goroutine ({@link Thread}) is unparked, a {@link PollWaiter} told. */
    static void wake(Object waiter) {
        if (waiter instanceof PollWaiter w) {
            w.pollReady();
        } else {
            LockSupport.unpark((Thread) waiter);
        }
    }
}
