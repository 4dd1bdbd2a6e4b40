package dev.gonetpoll.channel;

import dev.gonetpoll.sched.Scheduler;

import java.util.concurrent.Callable;

/**
 * What a handler running on gonetpoll can tell the runtime.
 *
 * <h2>Blocking regions</h2>
 * A handler may block: sleeping, waiting for a lock, a JDBC call or a JDK socket park its goroutine,
 * and the processor runs other connections meanwhile. Some calls cannot park a goroutine and pin its
 * carrier thread instead: native code (JNI, JNA), blocking file I/O ({@code FileInputStream} on a
 * FIFO, a slow disk, NFS), a DNS lookup ({@code InetAddress.getByName}). gonetpoll notices those after
 * the retake threshold (10 ms by default) and hands the processor to another carrier thread; a call
 * wrapped in {@link #blocking(Callable)} hands it off at once, as Go does for a system call it knows
 * will block ({@code entersyscallblock}):
 * <pre>{@code
 * byte[] data = GoNetpoll.blocking(() -> Files.readAllBytes(pathOnNfs));
 * }</pre>
 * When the call returns, the goroutine takes an idle processor if there is one, or waits its turn for
 * one, as after any other wake-up. Outside a gonetpoll goroutine the call simply runs. Regions may
 * nest; only the outermost one gives the processor up.
 */
public final class GoNetpoll {

    private GoNetpoll() {
    }

    /**
     * Runs {@code call}, which may block its thread for long, without holding back the other
     * goroutines of its processor; returns what it returns and throws what it throws.
     */
    public static <T> T blocking(Callable<T> call) throws Exception {
        boolean released = Scheduler.enterBlocking();
        try {
            return call.call();
        } finally {
            if (released) {
                Scheduler.exitBlocking();
            }
        }
    }

    /** {@link #blocking(Callable)} for a call that returns nothing and throws no checked exception. */
    public static void blocking(Runnable call) {
        boolean released = Scheduler.enterBlocking();
        try {
            call.run();
        } finally {
            if (released) {
                Scheduler.exitBlocking();
            }
        }
    }
}
