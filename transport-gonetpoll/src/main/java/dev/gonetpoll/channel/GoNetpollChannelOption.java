package dev.gonetpoll.channel;

import io.netty.channel.ChannelOption;

/**
 * Linux socket options of gonetpoll's TCP channels, beyond Netty's portable {@link ChannelOption}s.
 *
 * <p>The names are those of Netty's {@code EpollChannelOption}, so a bootstrap written for epoll
 * ports by changing the class name. TCP fast open uses Netty's own generic options:
 * {@link ChannelOption#TCP_FASTOPEN} on a server (the queue length of pending fast-open
 * connections) and {@link ChannelOption#TCP_FASTOPEN_CONNECT} on a client (set it before connecting;
 * data written before {@code connect()} then goes out with the SYN once the server has given this
 * host a fast-open cookie). {@link GoNetpollTcpFastOpen} tells whether the kernel has fast open on.
 *
 * <p>Every option is written to and read back from the kernel ({@code setsockopt} /
 * {@code getsockopt}); a value the kernel refuses (out of range, a missing capability, a feature
 * switched off by sysctl) fails with a {@link io.netty.channel.ChannelException} that names the
 * option and carries the errno. What {@code man 7 socket}, {@code man 7 ip} and {@code man 7 tcp}
 * say about each option holds.
 *
 * <table>
 *   <caption>Which channel takes which option</caption>
 *   <tr><th>Option</th><th>Type</th><th>{@link GoNetpollServerSocketChannel}</th><th>{@link GoNetpollSocketChannel}</th></tr>
 *   <tr><td>{@link #SO_REUSEPORT}</td><td>Boolean</td><td>yes</td><td>yes</td></tr>
 *   <tr><td>{@link #IP_FREEBIND}</td><td>Boolean</td><td>yes</td><td>yes</td></tr>
 *   <tr><td>{@link #IP_TRANSPARENT}</td><td>Boolean</td><td>yes</td><td>yes</td></tr>
 *   <tr><td>{@link #TCP_DEFER_ACCEPT}</td><td>Integer</td><td>yes</td><td>-</td></tr>
 *   <tr><td>{@link ChannelOption#TCP_FASTOPEN}</td><td>Integer</td><td>yes</td><td>-</td></tr>
 *   <tr><td>{@link ChannelOption#TCP_FASTOPEN_CONNECT}</td><td>Boolean</td><td>-</td><td>yes</td></tr>
 *   <tr><td>{@link #IP_BIND_ADDRESS_NO_PORT}</td><td>Boolean</td><td>-</td><td>yes</td></tr>
 *   <tr><td>{@link #TCP_CORK}, {@link #TCP_QUICKACK}</td><td>Boolean</td><td>-</td><td>yes</td></tr>
 *   <tr><td>{@link #TCP_NOTSENT_LOWAT}</td><td>Long</td><td>-</td><td>yes</td></tr>
 *   <tr><td>{@link #TCP_KEEPIDLE}, {@link #TCP_KEEPINTVL}, {@link #TCP_KEEPCNT},
 *       {@link #TCP_USER_TIMEOUT}, {@link #SO_BUSY_POLL}</td><td>Integer</td><td>-</td><td>yes</td></tr>
 * </table>
 *
 * @param <T> the type of the option's value
 */
public final class GoNetpollChannelOption<T> extends ChannelOption<T> {

    /** Several sockets may bind the same address and port; the kernel spreads connections over the listeners. */
    public static final ChannelOption<Boolean> SO_REUSEPORT = valueOf(GoNetpollChannelOption.class, "SO_REUSEPORT");
    /** Microseconds to busy-poll the device queue on a blocking read with no data (0: off). */
    public static final ChannelOption<Integer> SO_BUSY_POLL = valueOf(GoNetpollChannelOption.class, "SO_BUSY_POLL");
    /** Bind to an address that is not (yet) local. */
    public static final ChannelOption<Boolean> IP_FREEBIND = valueOf(GoNetpollChannelOption.class, "IP_FREEBIND");
    /** Transparent proxying: bind to and accept for foreign addresses; needs CAP_NET_RAW or CAP_NET_ADMIN. */
    public static final ChannelOption<Boolean> IP_TRANSPARENT =
            valueOf(GoNetpollChannelOption.class, "IP_TRANSPARENT");
    /** A bind to port 0 picks the port at connect time, so many clients can share one source address. */
    public static final ChannelOption<Boolean> IP_BIND_ADDRESS_NO_PORT =
            valueOf(GoNetpollChannelOption.class, "IP_BIND_ADDRESS_NO_PORT");
    /** Hold back partial frames until uncorked (or 200 ms passed). */
    public static final ChannelOption<Boolean> TCP_CORK = valueOf(GoNetpollChannelOption.class, "TCP_CORK");
    /** Send ACKs at once rather than delayed; the kernel may leave this mode by itself. */
    public static final ChannelOption<Boolean> TCP_QUICKACK = valueOf(GoNetpollChannelOption.class, "TCP_QUICKACK");
    /** Bytes of unsent data in the send buffer below which the socket reports writable (uint32). */
    public static final ChannelOption<Long> TCP_NOTSENT_LOWAT =
            valueOf(GoNetpollChannelOption.class, "TCP_NOTSENT_LOWAT");
    /** Seconds of idleness before the first keep-alive probe (with {@code SO_KEEPALIVE}). */
    public static final ChannelOption<Integer> TCP_KEEPIDLE = valueOf(GoNetpollChannelOption.class, "TCP_KEEPIDLE");
    /** Seconds between keep-alive probes. */
    public static final ChannelOption<Integer> TCP_KEEPINTVL = valueOf(GoNetpollChannelOption.class, "TCP_KEEPINTVL");
    /** Unanswered keep-alive probes before the connection is dropped. */
    public static final ChannelOption<Integer> TCP_KEEPCNT = valueOf(GoNetpollChannelOption.class, "TCP_KEEPCNT");
    /** Milliseconds sent data may stay unacknowledged before the connection is dropped (0: the system default). */
    public static final ChannelOption<Integer> TCP_USER_TIMEOUT =
            valueOf(GoNetpollChannelOption.class, "TCP_USER_TIMEOUT");
    /**
     * Seconds a server waits for the first data before it wakes the listener for a connection. The
     * kernel counts in SYN-ACK retransmissions, so it reads back rounded up to 1, 3, 7, 15, 31, ...
     */
    public static final ChannelOption<Integer> TCP_DEFER_ACCEPT =
            valueOf(GoNetpollChannelOption.class, "TCP_DEFER_ACCEPT");

    @SuppressWarnings("deprecation")
    private GoNetpollChannelOption() {
        super(null); // a holder of constants, never instantiated
    }
}
