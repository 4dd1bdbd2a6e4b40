package dev.gonetpoll.sys;

import java.net.InetSocketAddress;

/**
 * Receives the remote address of the connection {@link Socket#accept} returned. Reusable: each
 * accept overwrites it, so an accept loop needs only one.
 */
public final class AcceptedPeer {

    InetSocketAddress address;

    /** The peer of the last accepted connection, or null if its sockaddr could not be decoded. */
    public InetSocketAddress address() {
        return address;
    }
}
