package org.sockcheck.ref;

import org.sockcheck.ref.Segment.Kind;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Errno;
import org.sockcheck.spec.Profile;
import org.sockcheck.spec.Proto;

/**
 * Udp.tla: datagram delivery, UDP (S4, S12, S13), the ICMP port unreachable
 * it draws, and raw IP (S7, S8), each action a method of the same name in the
 * order of Udp.tla.
 */
final class Udp {
    private final RefStack stack;
    private final Network network;
    private final Profile profile;

    Udp(RefStack stack, Network network) {
        this.stack = stack;
        this.network = network;
        this.profile = stack.profile;
    }

    /** DatagramArrival: one of these actions takes a datagram, an ICMP error or a raw IP datagram. */
    boolean datagramArrival(Host h, Segment m, boolean keep) {
        return deliverDatagram(h, m, keep) || datagramToNoSocket(h, m, keep)
                || rcvPortUnreachable(h, m, keep) || deliverRaw(h, m, keep);
    }

    /** Of two sockets that match alike, the one bound last (Linux: the newest is first in its hash chain; the spec leaves it open). */
    private static Sock later(Sock best, Sock s) {
        return best == null || s.boundAt > best.boundAt ? s : best;
    }

    /**
     * S15 for UDP (spec: UdpTargets): a connected socket whose addresses
     * match, then one bound to the exact address, then one bound to a
     * wildcard that takes the datagram's family (:: takes IPv4 too, unless
     * IPV6_V6ONLY; spec: UdpCandidates).
     */
    private static Sock udpTarget(Host h, Segment m) {
        Sock from4 = null;
        Sock toAnyPort = null;
        Sock exact = null;
        Sock any = null;
        for (Sock s : h.sockets) {
            if (s.proto != Proto.UDP || s.local.port() != m.dst().port() || m.dst().port() == 0) {
                continue;
            }
            boolean ipMatches = s.local.ip().equals(m.dst().ip());
            boolean wild = Network.wildcard(s.local.ip()) && Network.takes(s.local.ip(), s.v6only, m.dst().ip());
            if (s.connected()) {
                // One connected to port 0 (Linux lets UDP connect so) takes any port of its peer's address,
                // after one connected to the sender's port.
                boolean from = m.src().ip().equals(s.remote.ip());
                if (from && (ipMatches || wild)) {
                    if (s.remote.port() == m.src().port()) {
                        from4 = later(from4, s);
                    } else if (s.remote.port() == 0) {
                        toAnyPort = later(toAnyPort, s);
                    }
                }
            } else if (ipMatches) {
                exact = later(exact, s);
            } else if (wild) {
                any = later(any, s);
            }
        }
        return from4 != null ? from4 : toAnyPort != null ? toAnyPort : exact != null ? exact : any;
    }

    /**
     * DeliverDatagram: a datagram for a bound socket joins its queue whole, with its sender (S13).
     * POSIX: a socket shut for reading drops it; Linux queues it still.
     */
    private boolean deliverDatagram(Host h, Segment m, boolean keep) {
        if (m.kind() != Kind.DGRAM) {
            return false;
        }
        Sock s = udpTarget(h, m);
        if (s == null) {
            return false;
        }
        if (!s.rdShut || profile == Profile.LINUX) {
            s.datagrams.add(new Sock.Datagram(m.src(), m.data()));
        }
        network.arrive(m, keep);
        return stack.took("deliverDatagram");
    }

    /** DatagramToNoSocket: a datagram nobody is bound to is answered with ICMP port unreachable (RFC 1122 4.1.3.1). */
    private boolean datagramToNoSocket(Host h, Segment m, boolean keep) {
        if (m.kind() != Kind.DGRAM || udpTarget(h, m) != null) {
            return false;
        }
        network.arrive(m, keep, Segment.unreachable(m));
        return stack.took("datagramToNoSocket");
    }

    /** RcvPortUnreachable: Linux reports the ICMP error to a connected socket as ECONNREFUSED (udp(7)). */
    private boolean rcvPortUnreachable(Host h, Segment m, boolean keep) {
        if (m.kind() != Kind.UNREACH) {
            return false;
        }
        if (profile == Profile.LINUX) {
            for (Sock s : h.sockets) {
                if (s.proto == Proto.UDP && s.local.port() == m.dst().port() && m.src().equals(s.remote)) {
                    s.err = Errno.ECONNREFUSED;
                    break;
                }
            }
        }
        network.arrive(m, keep);
        return stack.took("rcvPortUnreachable");
    }

    /**
     * DeliverRaw: an IP datagram goes, as a copy, to every raw socket of its
     * host for that protocol bound to its address or the wildcard (S8; no
     * ports, S7); a connected raw socket takes datagrams from its peer only,
     * and a raw socket those of its own family only (an INET6 one IPv6's).
     * NOTE: Linux hands a raw IPv4 socket the IP header too (a raw IPv6
     * socket gets none); the
     * reference stack gives the payload only.
     */
    private boolean deliverRaw(Host h, Segment m, boolean keep) {
        if (m.kind() != Kind.IP) {
            return false;
        }
        for (Sock s : h.sockets) {
            if (s.proto == Proto.RAW && s.protocol == m.protocol() && (!s.rdShut || profile == Profile.LINUX)
                    && (Network.wildcard(s.local.ip()) || s.local.ip().equals(m.dst().ip()))
                    // A raw socket takes its own family's datagrams only (raw_v6_match).
                    && (s.fam == org.sockcheck.spec.Domain.INET6) == Network.host6(m.dst().ip())
                    && (s.remote == null || s.remote.ip().equals(m.src().ip()))) {
                s.datagrams.add(new Sock.Datagram(new Endpoint(m.src().ip(), 0), m.data()));
            }
        }
        network.arrive(m, keep);
        return stack.took("deliverRaw");
    }
}
