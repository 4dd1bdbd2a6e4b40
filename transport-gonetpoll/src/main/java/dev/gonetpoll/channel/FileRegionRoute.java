package dev.gonetpoll.channel;

import io.netty.channel.DefaultFileRegion;
import io.netty.channel.FileRegion;

/**
 * How {@link FileRegionWriter} sends a {@link FileRegion}; chosen once per region, when its first
 * write begins.
 *
 * <h2>The choice</h2>
 * <ul>
 *   <li>{@link #OWN_FILE}, with no JVM flags beyond those gonetpoll always requires: a region of
 *       exactly the class {@link DefaultFileRegion}, made from a {@code File}, that nobody has opened
 *       yet. gonetpoll opens the path itself and sends from its own descriptor.</li>
 *   <li>{@link #REGION_FILE}, only when the JVM opens the JDK's fields
 *       ({@link FileChannelDescriptors}): a {@code DefaultFileRegion} that is open already, that is,
 *       made from a {@code FileChannel}, or made from a {@code File} and opened by the user's
 *       {@code open()}. It is sent from the region's own descriptor.</li>
 *   <li>{@link #COPY}: everything else, through the region's own {@code transferTo}. Without the
 *       flags that includes every region that is open already: it has no path (made from a
 *       {@code FileChannel}), or its file was opened before (see below). Also every other
 *       {@code FileRegion} class, subclasses of {@code DefaultFileRegion} included, so their own
 *       {@code transferTo} is honoured; a released region, whose {@code transferTo} reports the
 *       {@code IllegalReferenceCountException}; and every region where Netty's fields cannot be
 *       read at all ({@link DefaultFileRegionAccess}, on the module path without the flag).</li>
 * </ul>
 *
 * <h2>Which file {@link #OWN_FILE} sends</h2>
 * A {@code DefaultFileRegion} made from a {@code File} opens it lazily, by its path, in its first
 * {@code transferTo}; Netty's NIO and epoll transports send from that. gonetpoll opens the same
 * path (with the JDK's file name encoding) at the same moment, the first write of the region, so
 * it sends the same file Netty would: whatever the path names then. A file renamed over the path
 * after the region was made but before its write began is the one sent, by Netty and by us; one
 * replaced during the write is not, as our descriptor keeps the file it opened.
 *
 * <p>A region the user has {@code open()}ed already holds its file. Opening the path again would
 * give the same file unless it was replaced or renamed in between, and that cannot be checked:
 * comparing device and inode needs the region's descriptor, which only the flags reach. So such a
 * region is never reopened by path: it goes {@link #REGION_FILE} with the flags and {@link #COPY}
 * without, and always sends exactly the file it holds.
 *
 * <p>Our descriptor is ours alone: the region never opens its own {@code RandomAccessFile} on this
 * route ({@code isOpen()} stays false), its {@code transferred()} advances as its own
 * {@code transferTo} would advance it, and it is released by the channel as any message is;
 * {@link FileRegionWriter} closes the descriptor when the region is done, fails, or the channel
 * closes.
 */
enum FileRegionRoute {

    /** {@code sendfile(2)} from a descriptor gonetpoll opened by the region's path. */
    OWN_FILE,
    /** {@code sendfile(2)} from the region's own open {@code FileChannel}'s descriptor. */
    REGION_FILE,
    /** The region's own {@code transferTo}, into a channel over the socket. */
    COPY;

    /** The route for {@code region}, as the class comment explains. */
    static FileRegionRoute of(FileRegion region) {
        DefaultFileRegionAccess access = DefaultFileRegionAccess.INSTANCE;
        if (access == null || region.getClass() != DefaultFileRegion.class || region.refCnt() == 0) {
            return COPY;
        }
        DefaultFileRegion fileRegion = (DefaultFileRegion) region;
        if (!fileRegion.isOpen()) {
            return access.sourceFile(fileRegion) != null ? OWN_FILE : COPY;
        }
        FileChannelDescriptors descriptors = FileChannelDescriptors.INSTANCE;
        return descriptors != null && descriptors.descriptorOf(access.openChannel(fileRegion)) >= 0
                ? REGION_FILE : COPY;
    }
}
