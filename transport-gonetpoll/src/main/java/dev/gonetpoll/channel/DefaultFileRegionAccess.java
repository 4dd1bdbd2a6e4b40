package dev.gonetpoll.channel;

import io.netty.channel.DefaultFileRegion;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;

/**
 * Reaches the file descriptor behind a {@link DefaultFileRegion}, so that {@link FileRegionWriter}
 * can hand it to {@code sendfile(2)}; available only where the JVM lets us read private fields of
 * the JDK.
 *
 * <h2>Why this needs JVM flags that gonetpoll does not otherwise require</h2>
 * {@code sendfile} takes the file's descriptor number. Nothing public hands it out:
 * <ul>
 *   <li>{@code DefaultFileRegion} keeps its file as a private {@code FileChannel file} and counts
 *       progress in a private {@code long transferred}; the JDK keeps the number in
 *       {@code sun.nio.ch.FileChannelImpl.fd} (a {@code FileDescriptor}) and
 *       {@code java.io.FileDescriptor.fd}, both private. Netty's epoll transport reads exactly
 *       these four fields from JNI, which ignores module encapsulation. We have no JNI code.</li>
 *   <li>{@code FileChannel.transferTo(position, count, target)} uses {@code sendfile} only when the
 *       target is one of the JDK's own channels ({@code FileChannelImpl} or its internal
 *       {@code SelChImpl}). For any other {@code WritableByteChannel}, such as the one
 *       {@link FileRegionWriter} wraps around our socket, JDK 25 copies through a fresh 8 KiB heap
 *       buffer per call ({@code FileChannelImpl.transferToArbitraryChannel}).</li>
 *   <li>Opening the file again ourselves needs its path, which a {@code FileChannel} does not
 *       expose; {@code /proc/self/fd} lists descriptors but cannot say which one is this channel's.
 *       A socket cannot be reopened through {@code /proc/self/fd} as a {@code FileChannel} either
 *       (ENXIO), so the JDK cannot be made to see our socket as one of its own channels.</li>
 *   <li>With the {@code java.lang} access gonetpoll does require, code could open
 *       {@code sun.nio.ch} to itself through {@code Module}'s private methods. That would quietly
 *       undo the encapsulation the user chose, so we do not.</li>
 * </ul>
 * So {@code sendfile} is used only when the JVM runs with
 * {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/java.io=ALL-UNNAMED}
 * (name gonetpoll's module instead of ALL-UNNAMED on the module path) and Netty's
 * {@code io.netty.channel} package is open to us: always on the class path; on the module path
 * netty-transport's module exports that package without opening it, so it also needs
 * {@code --add-opens io.netty.transport/io.netty.channel=...}. Without them {@link #INSTANCE} is
 * null, {@link #UNAVAILABLE_REASON} says what is missing, and every region takes the copy path.
 * The check runs once, when this class is initialized, and is logged at debug level.
 *
 * <p>A descriptor number read here is used at once, in the loop goroutine that owns the region.
 * Like Netty's epoll transport, this trusts the user not to close the region's {@code FileChannel}
 * while the region is being written.
 */
final class DefaultFileRegionAccess {

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(DefaultFileRegionAccess.class);

    /** The accessor, or null when the JVM does not let us read the fields (see the class comment). */
    static final DefaultFileRegionAccess INSTANCE;
    /** Why {@link #INSTANCE} is null, or null when it is not. */
    static final String UNAVAILABLE_REASON;

    static {
        DefaultFileRegionAccess access = null;
        String reason = null;
        try {
            access = new DefaultFileRegionAccess();
        } catch (ReflectiveOperationException | RuntimeException e) {
            reason = "sendfile(2) for DefaultFileRegion needs --add-opens java.base/sun.nio.ch=ALL-UNNAMED"
                    + " --add-opens java.base/java.io=ALL-UNNAMED (and io.netty.channel open to gonetpoll);"
                    + " copying instead: " + e;
        }
        INSTANCE = access;
        UNAVAILABLE_REASON = reason;
        if (logger.isDebugEnabled()) {
            logger.debug(access != null ? "DefaultFileRegion is written with sendfile(2)" : reason);
        }
    }

    private final VarHandle regionFile;
    private final VarHandle regionTransferred;
    private final Class<?> jdkFileChannel;
    private final VarHandle channelDescriptor;
    private final VarHandle descriptorNumber;

    private DefaultFileRegionAccess() throws ReflectiveOperationException {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        MethodHandles.Lookup netty = MethodHandles.privateLookupIn(DefaultFileRegion.class, lookup);
        regionFile = netty.findVarHandle(DefaultFileRegion.class, "file", FileChannel.class);
        regionTransferred = netty.findVarHandle(DefaultFileRegion.class, "transferred", long.class);
        jdkFileChannel = Class.forName("sun.nio.ch.FileChannelImpl");
        channelDescriptor = MethodHandles.privateLookupIn(jdkFileChannel, lookup)
                .findVarHandle(jdkFileChannel, "fd", FileDescriptor.class);
        descriptorNumber = MethodHandles.privateLookupIn(FileDescriptor.class, lookup)
                .findVarHandle(FileDescriptor.class, "fd", int.class);
    }

    /**
     * The descriptor of the region's file, opening the file first if the region was made from a
     * {@code File} and has not opened it yet. Returns -1 when there is no descriptor to send from:
     * the region is released, its channel is closed, or its {@code FileChannel} is not the JDK's
     * own (a custom file system's, say). The copy path then reports the matching error or copies.
     */
    int fileDescriptor(DefaultFileRegion region) throws IOException {
        region.open(); // does nothing once open, or once released
        FileChannel channel = fileChannel(region);
        if (channel == null || channel.getClass() != jdkFileChannel || !channel.isOpen()) {
            return -1;
        }
        FileDescriptor descriptor = (FileDescriptor) channelDescriptor.get(channel);
        return descriptor == null ? -1 : (int) descriptorNumber.get(descriptor);
    }

    /** The region's open file, or null if it is not open. */
    FileChannel fileChannel(DefaultFileRegion region) {
        return (FileChannel) regionFile.get(region);
    }

    /** Counts bytes sent by {@code sendfile} in the region, as its own {@code transferTo} would have. */
    void addTransferred(DefaultFileRegion region, long bytes) {
        regionTransferred.set(region, (long) regionTransferred.get(region) + bytes);
    }
}
