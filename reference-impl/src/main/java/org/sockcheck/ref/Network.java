package org.sockcheck.ref;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.sockcheck.spec.Domain;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Profile;
import org.sockcheck.spec.Proto;
import org.sockcheck.spec.TcpState;

/**
 * Network.tla: the helpers the other modules share (the addresses of the
 * two families, which addresses conflict, the free ephemeral ports, Forget,
 * Arrive) and the network's own action, LoseSegment. The segments in
 * flight, the hosts and their tables are {@link RefStack}'s.
 */
final class Network {
    private final RefStack stack;
    private final Profile profile;
    private final RefStack.Limits limits;
    private final List<Segment> net;

    Network(RefStack stack) {
        this.stack = stack;
        this.profile = stack.profile;
        this.limits = stack.limits;
        this.net = stack.net;
    }

    // ------------------------------------------------------------ addresses (Network.tla)

    // NOTE on addresses (as in the spec): a host has one IPv4 address and one
    // IPv6 address. Inside the table and on the wire an INET6 socket's IPv4
    // traffic has IPv4 addresses, as Linux keeps them (inet_rcv_saddr): a
    // v4-mapped argument is unmapped (Unmapped), and the API shows the
    // table's IPv4 addresses to an INET6 socket v4-mapped (Shown).

    /** What a v4-mapped address starts with (RFC 4291 2.5.5.2), in RFC 5952's form. */
    private static final String MAPPED = "::ffff:";

    /** An address written in IPv6's form (a host's IPv6 address, ::, a v4-mapped one). */
    static boolean v6(String ip) {
        return ip.indexOf(':') >= 0;
    }

    /** A v4-mapped address, ::ffff:a.b.c.d (spec: MappedHosts). */
    static boolean mapped(String ip) {
        return ip.startsWith(MAPPED) && Endpoint.octets(ip.substring(MAPPED.length())) != null;
    }

    /** A host's IPv6 address (spec: Hosts6): of IPv6's form, neither the wildcard nor v4-mapped. */
    static boolean host6(String ip) {
        return v6(ip) && !ip.equals(Endpoint.ANY6_IP) && !mapped(ip);
    }

    /** Unmapped: an INET6 socket's argument address as the table keeps it: a v4-mapped address is the IPv4 address it maps. */
    static String unmapped(String ip) {
        return mapped(ip) ? ip.substring(MAPPED.length()) : ip;
    }

    /** Wild(x): a socket's wildcard address, :: for an INET6 socket. */
    static String wild(Sock x) {
        return x.fam == Domain.INET6 ? Endpoint.ANY6_IP : Endpoint.ANY_IP;
    }

    /** Shown(x, ip): an address of the table as the API shows it to socket x: an INET6 socket sees IPv4 addresses v4-mapped. */
    static Endpoint shown(Sock x, Endpoint e) {
        if (x.fam != Domain.INET6 || e == null || e.unix() || e.wildcardIp() || Endpoint.octets(e.ip()) == null) {
            return e;
        }
        return new Endpoint(MAPPED + e.ip(), e.port());
    }

    /** Fams(ip, only): the families an address takes traffic of: ::'s takes IPv4's too, unless the socket is IPV6_V6ONLY (only). */
    static Set<Integer> fams(String ip, boolean only) {
        if (ip.equals(Endpoint.ANY6_IP)) {
            return only ? Set.of(6) : Set.of(4, 6);
        }
        return v6(ip) ? Set.of(6) : Set.of(4);
    }

    /** Wildcard(ip): 0.0.0.0 or ::. */
    static boolean wildcard(String ip) {
        return ip.equals(Endpoint.ANY_IP) || ip.equals(Endpoint.ANY6_IP);
    }

    /** Takes(lip, only, a): whether a socket on local address lip takes what comes to address a. */
    static boolean takes(String lip, boolean only, String a) {
        return wildcard(lip) ? fams(lip, only).contains(v6(a) ? 6 : 4) : lip.equals(a);
    }

    /**
     * Whether binding s to ip:port collides with another socket of the same
     * protocol on the host (S7: TCP and UDP ports are separate spaces). Both
     * sockets allowing reuse lift the conflict, unless the other one listens.
     * The other socket's SO_REUSEADDR counts as it is now, also when set or
     * cleared after its bind (Linux and BSD both read it at each bind).
     * A TIME-WAIT entry keeps the option its socket had (POSIX: the new
     * socket's option alone binds over it).
     */
    boolean conflicts(Sock s, String ip, int port) {
        return conflicts(s, ip, port, false);
    }

    /**
     * As {@link #conflicts(Sock, String, int)}, for an explicit bind or a listen: LINUX lets two sockets
     * that both have SO_REUSEPORT share an address whatever their states (spec: ConflictsShared).
     */
    boolean conflictsShared(Sock s, String ip, int port) {
        return conflicts(s, ip, port, profile == Profile.LINUX);
    }

    private boolean conflicts(Sock s, String ip, int port, boolean reusePort) {
        // The sockets in the way by SO_REUSEADDR's rule (spec: Blockers).
        List<Sock> blockers = new java.util.ArrayList<>();
        for (Sock o : s.host.sockets) {
            if (o == s || o.proto != s.proto || o.local.port() != port || !overlap(o.local.ip(), o.v6only, ip, s.v6only)) {
                continue;
            }
            // A TIME-WAIT entry keeps its socket's option: on Linux the new socket's alone is not enough.
            boolean reusable = s.reuse && (o.reuse || (profile == Profile.POSIX && o.state == TcpState.TIME_WAIT))
                    && o.state != TcpState.LISTEN;
            if (!reusable) {
                blockers.add(o);
            }
        }
        if (!reusePort || !s.flags.contains(org.sockcheck.spec.SockOpt.SO_REUSEPORT)) {
            return !blockers.isEmpty();
        }
        if (s.proto == Proto.UDP && !blockers.isEmpty()) {
            // Linux's UDP looks at the newest socket in the way first, and it decides (spec: ConflictsShared).
            Sock newest = blockers.stream().max(java.util.Comparator.comparingLong(o -> o.boundAt)).orElseThrow();
            return !newest.flags.contains(org.sockcheck.spec.SockOpt.SO_REUSEPORT);
        }
        return blockers.stream().anyMatch(o -> !o.flags.contains(org.sockcheck.spec.SockOpt.SO_REUSEPORT));
    }

    /**
     * Overlap: two local addresses (of sockets with IPV6_V6ONLY only1, only2)
     * overlap when they take traffic of a family in common and one of them
     * is, or both are, a wildcard, or they are the same address: :: without
     * IPV6_V6ONLY overlaps 0.0.0.0 and every IPv4 address, with it neither.
     */
    static boolean overlap(String ip1, boolean only1, String ip2, boolean only2) {
        return !Collections.disjoint(fams(ip1, only1), fams(ip2, only2))
                && (wildcard(ip1) || wildcard(ip2) || ip1.equals(ip2));
    }

    /**
     * The lowest free ephemeral port of the host, or 0 when all are taken. The spec lets an
     * unbound socket take any port of FreeEphemeral (Linux starts from a moving, hashed offset);
     * this stack takes the lowest, one of the spec's choices, so that its runs repeat exactly.
     */
    int freeEphemeral(Sock s, String ip) {
        for (int port = limits.ephemeralFirst(); port <= limits.ephemeralLast(); port++) {
            if (!conflicts(s, ip, port)) {
                return port;
            }
        }
        return 0;
    }

    /**
     * Forget: a TCP entry in CLOSED that nothing holds (Sock.orphan) leaves the
     * table and its listener's queue. Linux: one a descriptor holds gives
     * back a port the stack picked (getsockname still shows it), and after
     * a failed handshake the address connect picked.
     */
    void forget(Sock s) {
        if (s.tcp() && s.state == TcpState.CLOSED && s.orphan()) {
            if (s.listener != null) {
                s.listener.acceptQueue.remove(s);
                s.listener = null;
            }
            s.host.sockets.remove(s);
        } else if (profile == Profile.LINUX && s.tcp() && s.state == TcpState.CLOSED) {
            if (s.picked) {
                s.shownPort = s.local.port();
            }
            // The address goes back when connect reports the failure; a non-blocking connect's, later.
            boolean addressBack = s.pickedIp && !s.connecting;
            s.local = new Endpoint(addressBack ? wild(s) : s.local.ip(), s.picked ? 0 : s.local.port());
            s.picked = false;
            s.pickedIp = s.pickedIp && s.connecting;
        }
    }

    /** Arrive(m, keep, replies): m leaves the network unless a copy stays; the replies join it. */
    void arrive(Segment m, boolean keep, Segment... replies) {
        if (!keep) {
            net.remove(m);
        }
        for (Segment r : replies) {
            net.add(r);
        }
    }

    /** LoseSegment: a segment in flight disappears. */
    void loseSegment(int index) {
        net.remove(index);
        stack.took("loseSegment");
    }
}
