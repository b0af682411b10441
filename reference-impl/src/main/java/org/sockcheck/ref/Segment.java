package org.sockcheck.ref;

import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Proto;

/**
 * What travels between hosts, as the spec's {@code Seg} record (Network.tla):
 * a TCP segment, a UDP datagram, the ICMP port-unreachable sent back for a
 * datagram nobody was bound to, or a raw IP datagram.
 *
 * NOTE (as in the spec): sequence numbers count segments, not bytes. A SYN, a
 * FIN and each data segment take one number; connections start at 0. That is
 * enough to keep the stream in order and to tell a duplicate from a new
 * segment. Windows, MSS and retransmission are not modelled.
 *
 * @param protocol the IP protocol number of a raw datagram (RFC 791), else 0
 */
public record Segment(Kind kind, Endpoint src, Endpoint dst, int seq, int ack, byte[] data, int protocol) {

    /** The kinds of the spec: TCP SYN, SYNACK, ACK, DATA, FIN, RST; DGRAM; UNREACH; IP. */
    public enum Kind {
        SYN, SYNACK, ACK, DATA, FIN, RST, DGRAM, UNREACH, IP;

        public boolean tcp() {
            return ordinal() <= RST.ordinal();
        }
    }

    private static final byte[] NONE = new byte[0];

    static Segment tcp(Kind kind, Endpoint src, Endpoint dst, int seq, int ack) {
        return new Segment(kind, src, dst, seq, ack, NONE, 0);
    }

    static Segment data(Endpoint src, Endpoint dst, int seq, int ack, byte[] data) {
        return new Segment(Kind.DATA, src, dst, seq, ack, data, 0);
    }

    static Segment datagram(Endpoint src, Endpoint dst, byte[] data) {
        return new Segment(Kind.DGRAM, src, dst, 0, 0, data, 0);
    }

    static Segment raw(Endpoint src, Endpoint dst, byte[] data, int protocol) {
        return new Segment(Kind.IP, src, dst, 0, 0, data, protocol);
    }

    /** The ICMP port-unreachable a host sends back for datagram m (RFC 792). */
    static Segment unreachable(Segment m) {
        return new Segment(Kind.UNREACH, m.dst, m.src, 0, 0, NONE, 0);
    }

    /** The transport a socket of this protocol would take the segment with; ICMP is none of them. */
    public Proto proto() {
        return switch (kind) {
            case DGRAM -> Proto.UDP;
            case IP -> Proto.RAW;
            case UNREACH -> null;
            default -> Proto.TCP;
        };
    }

    @Override
    public String toString() {
        String body = kind.tcp() ? " seq=" + seq + " ack=" + ack : "";
        return kind + " " + src + " > " + dst + body + (data.length > 0 ? " len=" + data.length : "");
    }
}
