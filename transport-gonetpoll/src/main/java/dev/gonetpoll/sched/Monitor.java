package dev.gonetpoll.sched;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import dev.gonetpoll.poll.EventBuffer;
import dev.gonetpoll.poll.ReadyList;

import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The monitor thread (Go's sysmon). It has no processor and runs no goroutine. Every 20 µs to
 * 10 ms (backing off while there is nothing to do) it:
 * <ul>
 *   <li>polls the network if nobody did for {@value #NETPOLL_STARVATION_MS} ms, so I/O is not starved
 *       while every processor is busy, and injects what it readied into the global queue;</li>
 *   <li>starts an idle processor when timers are overdue and nobody polls (their deadline would
 *       otherwise pass unnoticed while the processors that are awake run long goroutines);</li>
 *   <li>notices a processor whose carrier has run the same goroutine for more than
 *       {@value #STUCK_MS} ms (a CPU hog, or a call that pins the carrier: file I/O, a native call),
 *       reports it once, fires that processor's due timers and wakes another processor so its queued
 *       goroutines are stolen instead of waiting.</li>
 * </ul>
 */
final class Monitor {

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(Monitor.class);

    static final long NETPOLL_STARVATION_MS = 10;
    static final long STUCK_MS = 10;
    private static final long MIN_SLEEP_NANOS = TimeUnit.MICROSECONDS.toNanos(20);
    private static final long MAX_SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final int IDLE_ROUNDS_BEFORE_BACKOFF = 50;

    private final Scheduler scheduler;
    private final Carrier thread;
    private final long[] seenTick;
    private final long[] seenSince;
    private final boolean[] reported;
    private final EventBuffer events = new EventBuffer();
    private final ReadyList ready = new ReadyList();
    private final ArrayList<Runnable> batch = new ArrayList<>();
    private final Timer[] dueTimers = new Timer[64];

    Monitor(Scheduler scheduler, String name) {
        this.scheduler = scheduler;
        int n = scheduler.processors.length;
        this.seenTick = new long[n];
        this.seenSince = new long[n];
        this.reported = new boolean[n];
        this.thread = new Carrier(scheduler, null, name, this::run);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void interrupt() {
        thread.interrupt();
    }

    private void run() {
        try {
            long sleep = MIN_SLEEP_NANOS;
            int idleRounds = 0;
            while (!scheduler.isStopping()) {
                LockSupport.parkNanos(sleep);
                boolean acted;
                try {
                    long now = System.nanoTime();
                    pollIfStarved(now);
                    wakeForOverdueTimers(now);
                    // As in Go's sysmon, only retaking a processor counts as activity that keeps the
                    // monitor at its shortest period: a starvation poll every 10 ms while the processors
                    // are busy must not keep it waking every 20 us, stealing their CPU.
                    acted = retakeStuck(now);
                } catch (Throwable failure) {
                    // The monitor must outlive a failed round (an Error, a bug): without it, I/O starves
                    // while every processor is busy.
                    Failures.error(logger, "gonetpoll monitor round failed", failure);
                    acted = false;
                }
                if (acted) {
                    idleRounds = 0;
                    sleep = MIN_SLEEP_NANOS;
                } else if (++idleRounds > IDLE_ROUNDS_BEFORE_BACKOFF) {
                    sleep = Math.min(sleep * 2, MAX_SLEEP_NANOS);
                }
            }
        } finally {
            events.close();
        }
    }

    private boolean pollIfStarved(long now) {
        long last = scheduler.lastPollTime();
        if (!scheduler.netpoller.hasWaiters()
                || now - last < TimeUnit.MILLISECONDS.toNanos(NETPOLL_STARVATION_MS)
                || !scheduler.claimMonitorPoll(last, now)) {
            return false;
        }
        int taken = scheduler.netpoller.poll(0, events, ready);
        if (ready.size() > 0) {
            thread.collecting = batch;
            try {
                for (int i = 0; i < ready.size(); i++) {
                    ready.wake(i);
                }
            } finally {
                thread.collecting = null;
                ready.clear();
            }
            scheduler.inject(batch, 0, null);
            batch.clear();
        }
        scheduler.netpoller.waitersReadied(taken);
        return taken > 0;
    }

    /**
     * Timers that should have run while nobody polls (the poller left epoll_wait to run a goroutine
     * that does not yield, say): start an idle processor to run them, as Go's sysmon does.
     */
    private boolean wakeForOverdueTimers(long now) {
        if (scheduler.earliestTimer() > now || scheduler.someoneIsPolling() || scheduler.idle.size() == 0) {
            return false;
        }
        scheduler.wakep();
        return true;
    }

    private boolean retakeStuck(long now) {
        boolean acted = false;
        Processor[] all = scheduler.processors;
        for (int i = 0; i < all.length; i++) {
            Processor p = all[i];
            long tick = p.schedTick;
            if (!p.inGoroutine || tick != seenTick[i]) {
                seenTick[i] = tick;
                seenSince[i] = now;
                reported[i] = false;
                continue;
            }
            long stuckMillis = TimeUnit.NANOSECONDS.toMillis(now - seenSince[i]);
            if (stuckMillis < STUCK_MS) {
                continue;
            }
            if (!reported[i]) {
                reported[i] = true;
                logger.debug("processor {} has run one goroutine for {} ms without yielding (a CPU hog, or a "
                        + "blocking call that pins its carrier); other processors take its queued goroutines",
                        i, stuckMillis);
            }
            if (p.timers.runDue(now, false, dueTimers) > 0) {
                acted = true;
            }
            if (!p.runq.isEmpty()) {
                scheduler.wakep();
                acted = true;
            }
        }
        return acted;
    }
}
