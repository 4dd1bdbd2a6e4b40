package dev.gonetpoll.sched;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The WARN line for a goroutine whose processor the monitor retook. The processor is retaken after
 * the retake threshold (10 ms by default); the goroutine is reported only if it is still running
 * {@value #REPORT_AFTER_MS} ms into the run, so short pins are handed off silently while a handler
 * that spins or sits in a native call is named. A goroutine that is initialising a class (a cold JVM:
 * the JVM runs class initialisers with the carrier pinned, once) is handed off but not reported. The report says how long the goroutine has held its
 * carrier, what it serves (as the layer above describes it) and where it is: its stack trace, taken
 * while it is still stuck, names the call that pins. Once per goroutine, and at most one report every
 * {@value #MIN_INTERVAL_MS} ms overall. Used by the monitor thread only.
 */
final class StuckGoroutineReports {

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(StuckGoroutineReports.class);

    static final long REPORT_AFTER_MS = 250;
    static final long MIN_INTERVAL_MS = 1_000;
    /** More goroutines than this watched at once are not reported individually (the cap's WARN covers them). */
    private static final int MAX_WATCHED = 1024;

    /**
     * The JDK hands a virtual thread's scheduler a lambda bound to the thread ({@code this::runContinuation});
     * its one captured field is the thread. Read reflectively, only for a report.
     */
    private static final ClassValue<Field> CAPTURED_THREAD = new ClassValue<>() {
        @Override
        protected Field computeValue(Class<?> type) {
            for (Field f : type.getDeclaredFields()) {
                if (Thread.class.isAssignableFrom(f.getType())) {
                    try {
                        f.setAccessible(true);
                        return f;
                    } catch (RuntimeException e) {
                        return null;
                    }
                }
            }
            return null;
        }
    };

    /**
     * A carrier whose processor was retaken while it ran {@code continuation} (its run number
     * {@code run}, which started about {@code startedAt}).
     */
    private record Watch(Processor processor, Carrier carrier, Runnable continuation, long run, long startedAt,
                         long retakenAfterNanos) {
    }

    private final Scheduler scheduler;
    private final List<Watch> watched = new ArrayList<>();
    private final Map<Thread, Boolean> reported = new WeakHashMap<>();
    private long lastReportNanos = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(MIN_INTERVAL_MS);

    StuckGoroutineReports(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    /** The goroutine a continuation handed to {@link Scheduler#execute} belongs to, or null. */
    static Thread goroutineOf(Runnable continuation) {
        if (continuation == null) {
            return null;
        }
        try {
            Field f = CAPTURED_THREAD.get(continuation.getClass());
            return f == null ? null : (Thread) f.get(continuation);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Processor {@code p} was retaken at {@code now} from {@code carrier}, whose run {@code run} of
     * {@code continuation} had held it for {@code heldNanos} (as far as the monitor saw).
     */
    void retaken(Processor p, Carrier carrier, Runnable continuation, long run, long now, long heldNanos) {
        if (carrier != null && continuation != null && watched.size() < MAX_WATCHED) {
            watched.add(new Watch(p, carrier, continuation, run, now - heldNanos, heldNanos));
        }
    }

    /** Whether goroutines are being watched (the monitor keeps its short period meanwhile). */
    boolean watching() {
        return !watched.isEmpty();
    }

    /** Each monitor round: reports the watched goroutines that are still running after {@value #REPORT_AFTER_MS} ms. */
    void check(long now) {
        for (Iterator<Watch> it = watched.iterator(); it.hasNext(); ) {
            Watch w = it.next();
            Carrier c = w.carrier();
            if (c.runCount() != w.run() || c.runningGoroutine() != w.continuation()) {
                it.remove(); // it let go in time: the hand-off was enough
                if (logger.isDebugEnabled()) {
                    logger.debug("processor p{} was retaken from {} after {} ms; its goroutine has let go since",
                            w.processor().id, c.getName(), TimeUnit.NANOSECONDS.toMillis(w.retakenAfterNanos()));
                }
                continue;
            }
            long ran = now - w.startedAt();
            if (ran >= TimeUnit.MILLISECONDS.toNanos(REPORT_AFTER_MS) && report(w, ran, now)) {
                it.remove();
            }
        }
    }

    /** Reports the watched goroutine if it is time; true when done with it, false to look again next round. */
    private boolean report(Watch w, long ranNanos, long now) {
        Thread g = goroutineOf(w.continuation());
        if (!logger.isWarnEnabled() || g == null || reported.containsKey(g)) {
            return true; // once per goroutine
        }
        if (now - lastReportNanos < TimeUnit.MILLISECONDS.toNanos(MIN_INTERVAL_MS)) {
            return false; // another report just went out: this one waits its turn
        }
        StackTraceElement[] where = g.getStackTrace();
        if (initialisesAClass(where)) {
            // A cold JVM loading and initialising classes: a one-time cost nobody can change, which
            // pins the carrier (the JVM runs class initialisers with the carrier pinned). Not
            // reported; if the goroutine is still stuck later, elsewhere, it is then.
            return false;
        }
        reported.put(g, Boolean.TRUE);
        lastReportNanos = now;
        String who = "goroutine " + g.getName();
        String serves = scheduler.describe(g);
        Throwable stack = new Throwable("where " + who + " was " + TimeUnit.NANOSECONDS.toMillis(ranNanos)
                + " ms into its run");
        stack.setStackTrace(where);
        Failures.warn(logger, who + (serves != null ? " (" + serves + ")" : "") + " has run for "
                + TimeUnit.NANOSECONDS.toMillis(ranNanos) + " ms without parking, holding carrier thread "
                + w.carrier().getName() + ". Other work waited for its processor p" + w.processor().id + ", so after "
                + TimeUnit.NANOSECONDS.toMillis(w.retakenAfterNanos()) + " ms the processor was handed to another"
                + " carrier thread, and the goroutine runs on by itself. Something in it keeps the scheduler from"
                + " switching: CPU-bound work, or a call that pins its carrier thread (native code, blocking file"
                + " I/O, a DNS lookup). Wrap a call known to block in GoNetpoll.blocking(...) to hand the processor"
                + " off at once. Reported once per goroutine; the stack trace below shows where it was.", stack);
        return true;
    }

    private static boolean initialisesAClass(StackTraceElement[] stack) {
        for (StackTraceElement e : stack) {
            if ("<clinit>".equals(e.getMethodName())) {
                return true;
            }
        }
        return false;
    }
}
