package dev.gonetpoll.sched;

import java.util.ArrayList;

/**
 * A platform thread of a {@link Scheduler}: a {@link Carrier} (Go's M) or the {@link Monitor}'s thread
 * (Go's sysmon).
 *
 * <p>While {@link #collecting} is set, goroutines this thread makes runnable (by unparking them) are
 * gathered into that list instead of being queued one by one, so that a poller can inject all the
 * goroutines one netpoll call readied together, as Go's injectglist does.
 */
class SchedulerThread extends Thread {

    final Scheduler scheduler;
    /** Owner-only: where execute() puts goroutines during a batch injection, else null. */
    ArrayList<Runnable> collecting;

    SchedulerThread(Scheduler scheduler, String name, Runnable body) {
        super(null, body, name, 0, false);
        this.scheduler = scheduler;
    }
}
