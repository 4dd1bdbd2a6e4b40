package dev.gonetpoll.bench;

import dev.gonetpoll.sys.Linux;

/**
 * Checks of a benchmarked call's result, so that a call that stops doing what it is measured for
 * fails the benchmark instead of timing something else. A single compare on the fast path.
 */
final class Expect {

    private Expect() {
    }

    static long value(long actual, long expected, String call) {
        if (actual != expected) {
            throw new IllegalStateException(call + " returned " + actual + ", expected " + expected);
        }
        return actual;
    }

    /** A raw libc result that must be the failure -1 with errno EAGAIN. */
    static long eagain(long result, int errno, String call) {
        if (result != -1 || errno != Linux.EAGAIN) {
            throw new IllegalStateException(call + " returned " + result + " (errno " + errno + "), expected EAGAIN");
        }
        return result;
    }
}
