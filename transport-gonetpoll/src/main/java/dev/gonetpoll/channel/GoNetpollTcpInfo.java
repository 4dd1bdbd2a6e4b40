package dev.gonetpoll.channel;

import dev.gonetpoll.sys.Linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A snapshot of the kernel's {@code TCP_INFO} for one connection, from
 * {@link GoNetpollSocketChannel#tcpInfo()}: the fields of Netty's {@code EpollTcpInfo}, with the same
 * accessor names. Times are in microseconds ({@code rto}, {@code ato}, {@code rtt},
 * {@code rttvar}, {@code rcvRtt}) or milliseconds ago ({@code last*}); see {@code man 7 tcp} and
 * {@code linux/tcp.h}.
 *
 * <p>Decoded from the start of {@code struct tcp_info}, which has kept this layout since Linux 2.6:
 * <pre>
 *  offset  field
 *   0..5   u8 state, ca_state, retransmits, probes, backoff, options
 *   6      u8 snd_wscale : 4 (low bits), rcv_wscale : 4 (high bits)
 *   7      u8 (newer kernels: delivery_rate_app_limited : 1, fastopen_client_fail : 2)
 *   8..100 u32 rto, ato, snd_mss, rcv_mss, unacked, sacked, lost, retrans, fackets,
 *              last_data_sent, last_ack_sent, last_data_recv, last_ack_recv, pmtu, rcv_ssthresh,
 *              rtt, rttvar, snd_ssthresh, snd_cwnd, advmss, reordering, rcv_rtt, rcv_space,
 *              total_retrans
 * </pre>
 * Immutable.
 */
public final class GoNetpollTcpInfo {

    /** {@code tcpi_state} of an established connection ({@code TCP_ESTABLISHED} in the kernel). */
    public static final int STATE_ESTABLISHED = 1;

    private static final int FIRST_U32_OFFSET = 8;

    private final int state;
    private final int caState;
    private final int retransmits;
    private final int probes;
    private final int backoff;
    private final int options;
    private final int sndWscale;
    private final int rcvWscale;
    private final long rto;
    private final long ato;
    private final long sndMss;
    private final long rcvMss;
    private final long unacked;
    private final long sacked;
    private final long lost;
    private final long retrans;
    private final long fackets;
    private final long lastDataSent;
    private final long lastAckSent;
    private final long lastDataRecv;
    private final long lastAckRecv;
    private final long pmtu;
    private final long rcvSsthresh;
    private final long rtt;
    private final long rttvar;
    private final long sndSsthresh;
    private final long sndCwnd;
    private final long advmss;
    private final long reordering;
    private final long rcvRtt;
    private final long rcvSpace;
    private final long totalRetrans;

    private GoNetpollTcpInfo(MemorySegment info) {
        state = u8(info, 0);
        caState = u8(info, 1);
        retransmits = u8(info, 2);
        probes = u8(info, 3);
        backoff = u8(info, 4);
        options = u8(info, 5);
        int wscale = u8(info, 6);
        sndWscale = wscale & 0xF;
        rcvWscale = wscale >>> 4;
        int i = 0;
        rto = u32(info, i++);
        ato = u32(info, i++);
        sndMss = u32(info, i++);
        rcvMss = u32(info, i++);
        unacked = u32(info, i++);
        sacked = u32(info, i++);
        lost = u32(info, i++);
        retrans = u32(info, i++);
        fackets = u32(info, i++);
        lastDataSent = u32(info, i++);
        lastAckSent = u32(info, i++);
        lastDataRecv = u32(info, i++);
        lastAckRecv = u32(info, i++);
        pmtu = u32(info, i++);
        rcvSsthresh = u32(info, i++);
        rtt = u32(info, i++);
        rttvar = u32(info, i++);
        sndSsthresh = u32(info, i++);
        sndCwnd = u32(info, i++);
        advmss = u32(info, i++);
        reordering = u32(info, i++);
        rcvRtt = u32(info, i++);
        rcvSpace = u32(info, i++);
        totalRetrans = u32(info, i);
    }

    /**
     * Decodes the first {@link Linux#TCP_INFO_SIZE} bytes of a {@code struct tcp_info}.
     *
     * @throws IllegalArgumentException if {@code info} is shorter than that
     */
    static GoNetpollTcpInfo decode(MemorySegment info) {
        if (info.byteSize() < Linux.TCP_INFO_SIZE) {
            throw new IllegalArgumentException("struct tcp_info needs " + Linux.TCP_INFO_SIZE + " bytes, got "
                    + info.byteSize());
        }
        return new GoNetpollTcpInfo(info);
    }

    private static int u8(MemorySegment info, long offset) {
        return Byte.toUnsignedInt(info.get(ValueLayout.JAVA_BYTE, offset));
    }

    /** The {@code index}-th u32 field after the eight leading bytes. */
    private static long u32(MemorySegment info, int index) {
        return Integer.toUnsignedLong(info.get(ValueLayout.JAVA_INT_UNALIGNED, FIRST_U32_OFFSET + 4L * index));
    }

    /** The connection's TCP state, e.g. {@link #STATE_ESTABLISHED}. */
    public int state() {
        return state;
    }

    /** The congestion-avoidance state (open, disorder, CWR, recovery, loss). */
    public int caState() {
        return caState;
    }

    public int retransmits() {
        return retransmits;
    }

    public int probes() {
        return probes;
    }

    public int backoff() {
        return backoff;
    }

    /** {@code TCPI_OPT_*} flags: timestamps (1), SACK (2), window scaling (4), ECN (8), ... */
    public int options() {
        return options;
    }

    public int sndWscale() {
        return sndWscale;
    }

    public int rcvWscale() {
        return rcvWscale;
    }

    public long rto() {
        return rto;
    }

    public long ato() {
        return ato;
    }

    public long sndMss() {
        return sndMss;
    }

    public long rcvMss() {
        return rcvMss;
    }

    public long unacked() {
        return unacked;
    }

    public long sacked() {
        return sacked;
    }

    public long lost() {
        return lost;
    }

    public long retrans() {
        return retrans;
    }

    public long fackets() {
        return fackets;
    }

    public long lastDataSent() {
        return lastDataSent;
    }

    public long lastAckSent() {
        return lastAckSent;
    }

    public long lastDataRecv() {
        return lastDataRecv;
    }

    public long lastAckRecv() {
        return lastAckRecv;
    }

    public long pmtu() {
        return pmtu;
    }

    public long rcvSsthresh() {
        return rcvSsthresh;
    }

    public long rtt() {
        return rtt;
    }

    public long rttvar() {
        return rttvar;
    }

    public long sndSsthresh() {
        return sndSsthresh;
    }

    public long sndCwnd() {
        return sndCwnd;
    }

    public long advmss() {
        return advmss;
    }

    public long reordering() {
        return reordering;
    }

    public long rcvRtt() {
        return rcvRtt;
    }

    public long rcvSpace() {
        return rcvSpace;
    }

    public long totalRetrans() {
        return totalRetrans;
    }

    @Override
    public String toString() {
        return "GoNetpollTcpInfo(state=" + state + ", caState=" + caState + ", retransmits=" + retransmits
                + ", probes=" + probes + ", backoff=" + backoff + ", options=" + options
                + ", sndWscale=" + sndWscale + ", rcvWscale=" + rcvWscale + ", rto=" + rto + ", ato=" + ato
                + ", sndMss=" + sndMss + ", rcvMss=" + rcvMss + ", unacked=" + unacked + ", sacked=" + sacked
                + ", lost=" + lost + ", retrans=" + retrans + ", fackets=" + fackets
                + ", lastDataSent=" + lastDataSent + ", lastAckSent=" + lastAckSent
                + ", lastDataRecv=" + lastDataRecv + ", lastAckRecv=" + lastAckRecv + ", pmtu=" + pmtu
                + ", rcvSsthresh=" + rcvSsthresh + ", rtt=" + rtt + ", rttvar=" + rttvar
                + ", sndSsthresh=" + sndSsthresh + ", sndCwnd=" + sndCwnd + ", advmss=" + advmss
                + ", reordering=" + reordering + ", rcvRtt=" + rcvRtt + ", rcvSpace=" + rcvSpace
                + ", totalRetrans=" + totalRetrans + ")";
    }
}
