package dev.gonetpoll.sched;

/**
 * Checks that the JVM can run goroutines on our own scheduler, and says exactly which flag is
 * missing when it cannot: the JDK offers custom virtual-thread schedulers only through the
 * non-public {@code ThreadBuilders.VirtualThreadBuilder(Executor)} constructor.
 */
public final class RuntimeRequirements {

    static final String ADD_OPENS_FLAG = "--add-opens java.base/java.lang=ALL-UNNAMED";
    static final String ADD_OPENS_MESSAGE = "gonetpoll needs the JVM flag " + ADD_OPENS_FLAG
            + " to run goroutines (virtual threads) on its own scheduler; add it to the java command line"
            + " (or 'Add-Opens: java.base/java.lang' to an executable jar's manifest)";

    private RuntimeRequirements() {
    }

    /** Throws {@link IllegalStateException} naming the missing flag or the too-old JDK. */
    public static void checkGoroutineSupport() {
        if (Runtime.version().feature() < 25) {
            throw new IllegalStateException("gonetpoll needs JDK 25 or newer; this JVM is " + Runtime.version());
        }
        Module ours = RuntimeRequirements.class.getModule();
        if (!Thread.class.getModule().isOpen("java.lang", ours)) {
            throw new IllegalStateException(ADD_OPENS_MESSAGE);
        }
    }
}
