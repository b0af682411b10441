package org.sockcheck.spec;

import java.util.Optional;

/**
 * The eleven connection states of RFC 9293 section 3.3.2, printed with the
 * RFC's spelling. The Linux numbers are those of include/net/tcp_states.h,
 * which /proc/net/tcp prints in its "st" column.
 */
public enum TcpState {
    CLOSED("CLOSED", 0x07),
    LISTEN("LISTEN", 0x0A),
    SYN_SENT("SYN-SENT", 0x02),
    SYN_RECEIVED("SYN-RECEIVED", 0x03),
    ESTABLISHED("ESTABLISHED", 0x01),
    FIN_WAIT_1("FIN-WAIT-1", 0x04),
    FIN_WAIT_2("FIN-WAIT-2", 0x05),
    CLOSE_WAIT("CLOSE-WAIT", 0x08),
    CLOSING("CLOSING", 0x0B),
    LAST_ACK("LAST-ACK", 0x09),
    TIME_WAIT("TIME-WAIT", 0x06);

    private final String rfcName;
    private final int linuxCode;

    TcpState(String rfcName, int linuxCode) {
        this.rfcName = rfcName;
        this.linuxCode = linuxCode;
    }

    public String rfcName() {
        return rfcName;
    }

    public int linuxCode() {
        return linuxCode;
    }

    /** True in the states where the connection is synchronized (RFC 9293 3.5.2). */
    public boolean synchronizedState() {
        return switch (this) {
            case CLOSED, LISTEN, SYN_SENT, SYN_RECEIVED -> false;
            default -> true;
        };
    }

    public static Optional<TcpState> fromRfcName(String name) {
        for (TcpState s : values()) {
            if (s.rfcName.equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    public static Optional<TcpState> fromLinuxCode(int code) {
        for (TcpState s : values()) {
            if (s.linuxCode == code) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return rfcName;
    }
}
