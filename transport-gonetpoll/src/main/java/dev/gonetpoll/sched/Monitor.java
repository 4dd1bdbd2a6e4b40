package dev.gonetpoll.sched;

import dev.gonetpoll.poll.EventBuffer;
import dev.gonetpoll.poll.ReadyList;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The monitor thread (Go's sysmon). It owns no processor and runs no goroutine. Every 20 µs to 10 ms
 * (backing off while there is nothing to do) it:
 * <ul>
 *   <li>polls the network if nobody did for {@value #NETPOLL_STARVATION_MS} ms, so I/O is not starved
 *       while every processor is busy, and injects what it readied into the global queue;</li>
 *   <li>starts an idle processor when timers are overdue and nobody polls;</li>
 *   <li>watches each processor's time slice (its schedule tick and owner): a slice that lasted longer
 *       than the retake threshold is marked expired, so the owner's next pick serves the ring before
 *       runnext (two goroutines that keep waking each other cannot starve the others, Go's
 *       inheritTime rule); and if the slice's goroutine still holds the processor (IN_GOROUTINE) while
 *       work waits for it (or if a goroutine has sat in a blocking call, IN_SYSCALL, since the previous
 *       round), the monitor retakes the processor and hands it to another carrier (Go's
 *       retake), and reports the goroutine if it goes on for long ({@link StuckGoroutineReports}).</li>
 * </ul>
 * "Work waits for it" means: goroutines on its ring or runnext, a due timer of its own, or goroutines
 * on the global queue that no idle processor can take. With idle processors about, the global queue
 * only needs one of them woken, which is cheaper than a hand-off.
 */
final class Monitor {

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(Monitor.class);

    static final long NETPOLL_STARVATION_MS = 10;
    private static final long MIN_SLEEP_NANOS = TimeUnit.MICROSECONDS.toNanos(20);
    private static final long MAX_SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final int IDLE_ROUNDS_BEFORE_BACKOFF = 50;

    private final Scheduler scheduler;
    private final SchedulerThread thread;
    /** Per processor: the schedule tick and generation last seen, and since when (monitor-only). */
    private final long[] seenTick;
    private final long[] seenGeneration;
    private final long[] seenSince;
    private final long[] seenSyscallTick;
    private final long[] seenSyscallSince;
    private final StuckGoroutineReports reports;
    private final EventBuffer events = new EventBuffer();
    private final ReadyList ready = new ReadyList();
    private final ArrayList<Runnable> batch = new ArrayList<>();
    private final Timer[] dueTimers = new Timer[64];

    Monitor(Scheduler scheduler, String name) {
        this.scheduler = scheduler;
        int n = scheduler.processors.length;
        this.seenTick = new long[n];
        this.seenGeneration = new long[n];
        this.seenSince = new long[n];
        this.seenSyscallTick = new long[n];
        this.seenSyscallSince = new long[n];
        this.reports = new StuckGoroutineReports(scheduler);
        this.thread = new SchedulerThread(scheduler, name, this::run);
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
                    // As in Go's sysmon, only acting on a long time slice counts as activity that keeps
                    // the monitor at its shortest period: a starvation poll every 10 ms while the
                    // processors are busy must not keep it waking every 20 us, stealing their CPU.
                    acted = watchTimeSlices(now);
                    if (reports.watching()) {
                        reports.check(now);
                        acted = true;
                    }
                } catch (Throwable failure) {
                    // The monitor must outlive a failed round (an Error, a bug): without it, I/O starves
                    // while every processor is busy, and pinned processors are never handed off.
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
                scheduler.wakeAll(ready);
            } finally {
                thread.collecting = null;
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

    /**
     * Whether processor {@code i} has been in the same blocking call since the previous round at least
     * (Go retakes from _Psyscall after one sysmon tick, 20 µs or more, when work waits).
     */
    private boolean inSameSyscall(int i, Processor p, long now) {
        long tick = p.syscallTick;
        if (tick != seenSyscallTick[i]) {
            seenSyscallTick[i] = tick;
            seenSyscallSince[i] = now;
            return false;
        }
        return now - seenSyscallSince[i] >= MIN_SLEEP_NANOS;
    }

    /** Go's retake, for every processor; true if it acted on one. */
    private boolean watchTimeSlices(long now) {
        boolean acted = false;
        Processor[] all = scheduler.processors;
        for (int i = 0; i < all.length; i++) {
            Processor p = all[i];
            long word = p.status();
            long tick = p.schedTick;
            long generation = word >>> 2;
            if (Processor.stateOf(word) == Processor.IDLE || tick != seenTick[i] || generation != seenGeneration[i]) {
                seenSyscallTick[i] = -1;
                seenTick[i] = tick;
                seenGeneration[i] = generation;
                seenSince[i] = now;
                continue;
            }
            long held = now - seenSince[i];
            boolean inLongSyscall = Processor.stateOf(word) == Processor.IN_SYSCALL && inSameSyscall(i, p, now);
            if (held < scheduler.retakeAfterNanos && !inLongSyscall) {
                continue;
            }
            if (held >= scheduler.retakeAfterNanos) {
                p.sliceExpired = true; // the owner's next pick starts a new slice
            }
            if (Processor.stateOf(word) < Processor.IN_GOROUTINE) {
                continue; // between goroutines: the owner is about to pick, and will honour the expiry
            }
            boolean globalWaits = !scheduler.global.isEmpty();
            if (p.hasWork(now) || globalWaits && scheduler.idle.size() == 0) {
                Carrier stuck = p.owner;
                Runnable goroutine = stuck == null ? null : stuck.runningGoroutine();
                long run = stuck == null ? 0 : stuck.runCount();
                if (scheduler.retake(p, word)) {
                    reports.retaken(p, stuck, goroutine, run, now, held);
                    acted = true;
                } else if (p.timers.runDue(now, false, dueTimers) > 0) {
                    // No carrier to hand it to (the cap): at least its timers fire, readying their
                    // goroutines on the global queue, where other processors find them.
                    acted = true;
                }
            } else if (globalWaits) {
                scheduler.wakep();
                acted = true;
            }
        }
        return acted;
    }
}
