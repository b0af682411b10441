package org.sockcheck.ref;

import java.util.EnumSet;
import java.util.Set;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Proto;

/**
 * A packet in flight between hosts: a TCP segment, a UDP datagram, or an ICMP
 * port-unreachable sent back for a UDP datagram nobody was bound to.
 *
 * NOTE: sequence and acknowledgement numbers are not modelled yet. The network
 * delivers in order and without loss, so an ACK can only acknowledge the one
 * thing outstanding (a SYN or a FIN); data is not acknowledged at all.
 */
record Segment(Proto proto, Endpoint src, Endpoint dst, Set<Flag> flags, byte[] payload) {

    enum Flag { SYN, ACK, FIN, RST, PORT_UNREACHABLE }

    static Segment tcp(Endpoint src, Endpoint dst, Flag first, Flag... rest) {
        return new Segment(Proto.TCP, src, dst, EnumSet.of(first, rest), new byte[0]);
    }

    static Segment tcpData(Endpoint src, Endpoint dst, byte[] payload) {
        return new Segment(Proto.TCP, src, dst, EnumSet.of(Flag.ACK), payload);
    }

    static Segment udp(Endpoint src, Endpoint dst, byte[] payload) {
        return new Segment(Proto.UDP, src, dst, EnumSet.noneOf(Flag.class), payload);
    }

    /** The ICMP port-unreachable a host sends back for an undeliverable datagram. */
    static Segment portUnreachable(Segment datagram) {
        return new Segment(Proto.UDP, datagram.dst, datagram.src, EnumSet.of(Flag.PORT_UNREACHABLE), new byte[0]);
    }

    boolean has(Flag f) {
        return flags.contains(f);
    }

    /** A pure ACK carries no SYN, FIN, RST and no data. */
    boolean pureAck() {
        return flags.equals(EnumSet.of(Flag.ACK)) && payload.length == 0;
    }

    @Override
    public String toString() {
        return proto.word() + " " + src + " > " + dst + " " + flags + (payload.length > 0 ? " len=" + payload.length : "");
    }
}
