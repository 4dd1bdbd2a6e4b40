package dev.gonetpoll.channel;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.io.FileDescriptor;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;

/**
 * Reads the descriptor number of a JDK {@link FileChannel}, so that a {@code DefaultFileRegion}
 * made from a {@code FileChannel} can go out with {@code sendfile(2)}; available only where the JVM
 * lets us read private fields of the JDK.
 *
 * <h2>Why this needs JVM flags that gonetpoll does not otherwise require</h2>
 * A region made from a {@code File} is sent from a descriptor gonetpoll opens itself by the path
 * (see {@link FileRegionRoute}). A region made from a {@code FileChannel} has no path, and nothing
 * public hands out the channel's descriptor number:
 * <ul>
 *   <li>The JDK keeps it in {@code sun.nio.ch.FileChannelImpl.fd} (a {@code FileDescriptor}) and
 *       {@code java.io.FileDescriptor.fd}, both private. Netty's epoll transport reads them from
 *       JNI, which ignores module encapsulation. We have no JNI code.</li>
 *   <li>{@code FileChannel.transferTo(position, count, target)} uses {@code sendfile} only when the
 *       target is one of the JDK's own channels. For any other {@code WritableByteChannel}, such as
 *       the one {@link FileRegionWriter} wraps around our socket, JDK 25 copies through a fresh
 *       8 KiB heap buffer per call.</li>
 *   <li>{@code /proc/self/fd} lists descriptors but cannot say which one is this channel's.</li>
 *   <li>With the {@code java.lang} access gonetpoll does require, code could open
 *       {@code sun.nio.ch} to itself through {@code Module}'s private methods. That would quietly
 *       undo the encapsulation the user chose, so we do not.</li>
 * </ul>
 * So this works only when the JVM runs with
 * {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/java.io=ALL-UNNAMED}
 * (name gonetpoll's module instead of ALL-UNNAMED on the module path). Without them
 * {@link #INSTANCE} is null, {@link #UNAVAILABLE_REASON} says what is missing, and such regions are
 * copied. The check runs once, when this class is initialized, and is logged at debug level.
 *
 * <p>A descriptor number read here is used at once, in the loop goroutine that owns the region.
 * Like Netty's epoll transport, this trusts the user not to close the region's {@code FileChannel}
 * while the region is being written.
 */
final class FileChannelDescriptors {

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(FileChannelDescriptors.class);

    /** The accessor, or null when the JVM does not let us read the fields (see the class comment). */
    static final FileChannelDescriptors INSTANCE;
    /** Why {@link #INSTANCE} is null, or null when it is not. */
    static final String UNAVAILABLE_REASON;

    static {
        FileChannelDescriptors descriptors = null;
        String reason = null;
        try {
            descriptors = new FileChannelDescriptors();
        } catch (ReflectiveOperationException | RuntimeException e) {
            reason = "sendfile(2) for a DefaultFileRegion made from a FileChannel needs"
                    + " --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/java.io=ALL-UNNAMED;"
                    + " copying those instead: " + e;
        }
        INSTANCE = descriptors;
        UNAVAILABLE_REASON = reason;
        if (reason != null && logger.isDebugEnabled()) {
            logger.debug(reason);
        }
    }

    private final Class<?> jdkFileChannel;
    private final VarHandle channelDescriptor;
    private final VarHandle descriptorNumber;

    private FileChannelDescriptors() throws ReflectiveOperationException {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        jdkFileChannel = Class.forName("sun.nio.ch.FileChannelImpl");
        channelDescriptor = MethodHandles.privateLookupIn(jdkFileChannel, lookup)
                .findVarHandle(jdkFileChannel, "fd", FileDescriptor.class);
        descriptorNumber = MethodHandles.privateLookupIn(FileDescriptor.class, lookup)
                .findVarHandle(FileDescriptor.class, "fd", int.class);
    }

    /**
     * The descriptor of {@code channel}, or -1 when there is none to send from: the channel is null,
     * closed, or not the JDK's own (a custom file system's, say).
     */
    int descriptorOf(FileChannel channel) {
        if (channel == null || channel.getClass() != jdkFileChannel || !channel.isOpen()) {
            return -1;
        }
        FileDescriptor descriptor = (FileDescriptor) channelDescriptor.get(channel);
        return descriptor == null ? -1 : (int) descriptorNumber.get(descriptor);
    }
}
