package dev.gonetpoll.examples.webflux;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The SQL function {@code SLOW_QUERY(millis)} (declared in {@code schema.sql}): H2 runs it inside the
 * query, in the calling thread, so a JDBC call that uses it blocks for that long, as a slow query on a
 * database server would.
 */
public final class SlowQueries {

    private static final AtomicInteger RUNNING = new AtomicInteger();

    private SlowQueries() {
    }

    /** Sleeps {@code millis} and returns true (so it can stand in a WHERE clause). */
    public static boolean slowQuery(int millis) throws InterruptedException {
        if (millis <= 0) {
            return true;
        }
        RUNNING.incrementAndGet();
        try {
            Thread.sleep(millis);
        } finally {
            RUNNING.decrementAndGet();
        }
        return true;
    }

    /** How many queries are in {@link #slowQuery} now. */
    public static int running() {
        return RUNNING.get();
    }
}
