package dev.gonetpoll.sys;

/**
 * Checks that this JVM lets gonetpoll (and JNA, which it calls through) use native code. JDK 25
 * only warns about JNI use without the flag today, but a missing flag is a configuration error we
 * report up front, naming the flag, instead of leaving it to a later JDK's hard failure.
 */
public final class NativeAccess {

    static final String FLAG = "--enable-native-access=ALL-UNNAMED";

    private NativeAccess() {
    }

    /** Throws {@link IllegalStateException} naming the missing flag. */
    public static void check() {
        Module ours = NativeAccess.class.getModule();
        if (!ours.isNativeAccessEnabled()) {
            String who = ours.isNamed() ? "--enable-native-access=" + ours.getName() : FLAG;
            throw new IllegalStateException("gonetpoll needs the JVM flag " + who
                    + " to call the kernel through JNA; add it to the java command line"
                    + " (or 'Enable-Native-Access: ALL-UNNAMED' to an executable jar's manifest)");
        }
    }
}
