package dev.gonetpoll.channel;

import dev.gonetpoll.sys.UnixCredentials;
import io.netty.channel.unix.PeerCredentials;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;

/**
 * Makes Netty's {@link PeerCredentials} from the kernel's answer, so that code written for epoll's
 * {@code peerCredentials()} works unchanged. Netty fills that class in from its native code and
 * gives it no public constructor, so its package-private one is called reflectively; if a future
 * Netty changes it, {@link #of} fails with a message that says so.
 */
final class PeerCredentialsAdapter {

    /** (pid, uid, gids...) as Netty declares it; null if it is not there or not accessible. */
    private static final Constructor<PeerCredentials> CONSTRUCTOR = findConstructor();

    private PeerCredentialsAdapter() {
    }

    private static Constructor<PeerCredentials> findConstructor() {
        try {
            Constructor<PeerCredentials> c = PeerCredentials.class.getDeclaredConstructor(int.class, int.class, int[].class);
            c.setAccessible(true);
            return c;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Netty's credentials for the kernel's: the one group id SO_PEERCRED reports, as epoll does on Linux. */
    static PeerCredentials of(UnixCredentials credentials) {
        if (CONSTRUCTOR == null) {
            throw new UnsupportedOperationException("this Netty version's io.netty.channel.unix.PeerCredentials "
                    + "has no accessible (int, int, int...) constructor: peer credentials cannot be reported");
        }
        try {
            return CONSTRUCTOR.newInstance(credentials.pid(), credentials.uid(), new int[] {credentials.gid()});
        } catch (InstantiationException | IllegalAccessException | InvocationTargetException e) {
            throw new UnsupportedOperationException("cannot make io.netty.channel.unix.PeerCredentials", e);
        }
    }
}
