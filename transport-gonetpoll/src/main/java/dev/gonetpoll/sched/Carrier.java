package dev.gonetpoll.sched;

import java.util.ArrayList;

/**
 * A platform thread of a {@link Scheduler}: the carrier of one {@link Processor} (Go's M bound to a
 * P), or the monitor thread, which has no processor (Go's sysmon runs without a P).
 *
 * <p>While {@link #collecting} is set, goroutines this thread makes runnable (by unparking them)
 * are gathered into that list instead of being queued one by one, so that a poller can inject all
 * the goroutines one netpoll call readied together, as Go's injectglist does.
 */
final class Carrier extends Thread {

    final Scheduler scheduler;
    /** The processor this carrier runs, null for the monitor. */
    final Processor processor;
    /** Owner-only: where execute() puts goroutines during a batch injection, else null. */
    ArrayList<Runnable> collecting;

    Carrier(Scheduler scheduler, Processor processor, String name, Runnable body) {
        super(null, body, name, 0, false);
        this.scheduler = scheduler;
        this.processor = processor;
    }
}
