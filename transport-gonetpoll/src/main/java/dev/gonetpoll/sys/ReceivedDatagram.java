package dev.gonetpoll.sys;

import java.net.InetSocketAddress;

/**
 * What {@link UdpSocket#receive} learned about the datagram it read besides its bytes. Reusable:
 * each receive overwrites it, so a read loop needs only one.
 */
public final class ReceivedDatagram {

    InetSocketAddress sender;
    int length;

    /** The sender of the last datagram, or null if its sockaddr could not be decoded. */
    public InetSocketAddress sender() {
        return sender;
    }

    /**
     * The full length of the last datagram. More than {@code receive} returned when the datagram did
     * not fit the buffer: the kernel dropped the rest.
     */
    public int length() {
        return length;
    }
}
