package org.sockcheck.ref;

import java.util.List;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Profile;
import org.sockcheck.spec.Proto;
import org.sockcheck.spec.TcpState;

/**
 * Network.tla: the helpers the other modules share (which addresses
 * conflict, the free ephemeral ports, Forget, Arrive) and the network's own
 * action, LoseSegment. The segments in flight, the hosts and their tables
 * are {@link RefStack}'s.
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
            if (o == s || o.proto != s.proto || o.local.port() != port || !overlap(o.local.ip(), ip)) {
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

    static boolean overlap(String a, String b) {
        return a.equals(Endpoint.ANY_IP) || b.equals(Endpoint.ANY_IP) || a.equals(b);
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
     * Forget: a TCP entry in CLOSED that no descriptor refers to leaves the
     * table and its listener's queue. Linux: one a descriptor holds gives
     * back a port the stack picked (getsockname still shows it), and after
     * a failed handshake the address connect picked.
     */
    void forget(Sock s) {
        if (s.tcp() && s.state == TcpState.CLOSED && s.descriptors == 0) {
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
            s.local = new Endpoint(addressBack ? Endpoint.ANY_IP : s.local.ip(), s.picked ? 0 : s.local.port());
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
