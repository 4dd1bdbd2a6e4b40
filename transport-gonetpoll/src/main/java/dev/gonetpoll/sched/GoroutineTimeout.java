package dev.gonetpoll.sched;

import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The future the JDK gets back when it asks {@link Scheduler#schedule} to wake a goroutine after a
 * timed park ({@code Thread.sleep}, {@code LockSupport.parkNanos}, timed waits): a {@link Timer} in a
 * processor's heap, so the wake-up is one more entry in the heap the poller already sleeps on (Go's
 * timers) rather than a task for the JDK's separate unparker thread. The JDK only ever cancels it.
 */
final class GoroutineTimeout implements ScheduledFuture<Object> {

    private final Timer timer;
    private volatile boolean cancelled;

    GoroutineTimeout(Timer timer) {
        this.timer = timer;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean stopped = timer.stop();
        if (stopped) {
            cancelled = true;
        }
        return stopped;
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public boolean isDone() {
        return cancelled || !timer.isArmed();
    }

    @Override
    public Object get() {
        throw new UnsupportedOperationException("a goroutine timeout is only ever cancelled");
    }

    @Override
    public Object get(long timeout, TimeUnit unit) {
        throw new UnsupportedOperationException("a goroutine timeout is only ever cancelled");
    }

    @Override
    public long getDelay(TimeUnit unit) {
        return unit.convert(timer.deadline() - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
        return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }
}
