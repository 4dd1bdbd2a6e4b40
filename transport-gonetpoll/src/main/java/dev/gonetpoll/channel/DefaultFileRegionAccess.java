package dev.gonetpoll.channel;

import io.netty.channel.DefaultFileRegion;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.io.File;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;

/**
 * Reads and advances the private state of Netty's {@link DefaultFileRegion} that
 * {@link FileRegionWriter} needs to send one with {@code sendfile(2)}: the {@code File f} it was
 * made from (null if it was made from a {@code FileChannel}), its {@code FileChannel file} (null
 * until opened, and again once released) and its {@code long transferred} (field names as in
 * Netty 4.2.18).
 *
 * <h2>When this is available</h2>
 * These are fields of Netty's class, not of the JDK, so the JDK's module encapsulation does not
 * guard them: on the class path Netty is in the unnamed module, which is open to everyone, and
 * nothing beyond the flags gonetpoll always requires is needed. On the module path Netty 4.2 is a
 * named module ({@code io.netty.transport}) that exports {@code io.netty.channel} without opening
 * it; there it takes {@code --add-opens io.netty.transport/io.netty.channel=<gonetpoll's module>}.
 * Without it {@link #INSTANCE} is null, {@link #UNAVAILABLE_REASON} says why, and every region is
 * copied through its own {@code transferTo}. The check runs once, when this class is initialized,
 * and is logged at debug level.
 */
final class DefaultFileRegionAccess {

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(DefaultFileRegionAccess.class);

    /** The accessor, or null when Netty's package is not open to us (see the class comment). */
    static final DefaultFileRegionAccess INSTANCE;
    /** Why {@link #INSTANCE} is null, or null when it is not. */
    static final String UNAVAILABLE_REASON;

    static {
        DefaultFileRegionAccess access = null;
        String reason = null;
        try {
            access = new DefaultFileRegionAccess();
        } catch (ReflectiveOperationException | RuntimeException e) {
            reason = "sendfile(2) for DefaultFileRegion needs its fields, and io.netty.channel is not open to"
                    + " gonetpoll (on the module path: --add-opens io.netty.transport/io.netty.channel=<gonetpoll's"
                    + " module>); copying every region instead: " + e;
        }
        INSTANCE = access;
        UNAVAILABLE_REASON = reason;
        if (reason != null && logger.isDebugEnabled()) {
            logger.debug(reason);
        }
    }

    private final VarHandle sourceFile;
    private final VarHandle openChannel;
    private final VarHandle transferred;

    private DefaultFileRegionAccess() throws ReflectiveOperationException {
        MethodHandles.Lookup netty = MethodHandles.privateLookupIn(DefaultFileRegion.class, MethodHandles.lookup());
        sourceFile = netty.findVarHandle(DefaultFileRegion.class, "f", File.class);
        openChannel = netty.findVarHandle(DefaultFileRegion.class, "file", FileChannel.class);
        transferred = netty.findVarHandle(DefaultFileRegion.class, "transferred", long.class);
    }

    /** The file the region was made from, or null if it was made from a {@code FileChannel}. */
    File sourceFile(DefaultFileRegion region) {
        return (File) sourceFile.get(region);
    }

    /** The region's open file, or null if it is not open (not yet, or no longer). */
    FileChannel openChannel(DefaultFileRegion region) {
        return (FileChannel) openChannel.get(region);
    }

    /** Counts bytes sent by {@code sendfile} in the region, as its own {@code transferTo} would have. */
    void addTransferred(DefaultFileRegion region, long bytes) {
        transferred.set(region, (long) transferred.get(region) + bytes);
    }
}
