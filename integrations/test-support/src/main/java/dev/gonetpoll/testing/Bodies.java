package dev.gonetpoll.testing;

import java.util.Random;

/** The request bodies every integration test sends: empty, one byte, small, odd-sized, and 1 MiB. */
public final class Bodies {

    /** Sizes in bytes, from 0 to 1 MiB; 64 KiB + 7 is not a multiple of any buffer size. */
    public static final int[] SIZES = {0, 1, 8 * 1024, 64 * 1024 + 7, 1024 * 1024};

    private Bodies() {
    }

    /** {@code size} pseudo-random bytes, the same for the same size. */
    public static byte[] random(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }
}
