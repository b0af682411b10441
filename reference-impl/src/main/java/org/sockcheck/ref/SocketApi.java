package org.sockcheck.ref;

import java.util.List;
import java.util.Map;
import org.sockcheck.ref.Segment.Kind;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Errno;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.Profile;
import org.sockcheck.spec.Proto;
import org.sockcheck.spec.ShutdownHow;
import org.sockcheck.spec.SockOpt;
import org.sockcheck.spec.SockType;
import org.sockcheck.spec.TcpState;

/**
 * SocketApi.tla: the Berkeley sockets API (S21), the calls a process makes,
 * each with the errno it gets for every misuse, and the ...Returns steps of
 * the calls that wait (connect, accept, recv). Each action is a method of the
 * same name, in the order of SocketApi.tla; {@link RefStack} dispatches the
 * calls to them and holds the state they act on.
 */
final class SocketApi {
    private final RefStack stack;
    private final Network network;
    private final Profile profile;
    private final RefStack.Limits limits;
    private final List<Segment> net;

    SocketApi(RefStack stack, Network network) {
        this.stack = stack;
        this.network = network;
        this.profile = stack.profile;
        this.limits = stack.limits;
        this.net = stack.net;
    }

    /**
     * Socket: a new, unbound table entry and the lowest free descriptor (S1, S2), INET, INET6 or UNIX
     * (S20). An INET6 socket starts on IPv6's wildcard address.
     */
    Outcome socket(Process p, org.sockcheck.spec.Domain domain, SockType type, int protocol, boolean nonblock) {
        Errno refused = socketError(domain, type, protocol);
        if (refused != null) {
            return fail(refused);
        }
        if (p.descriptors.size() >= limits.descriptors() - Process.FIRST_FREE) {
            return fail(Errno.EMFILE);
        }
        if (p.host.sockets.size() >= limits.sockets()) {
            return fail(Errno.ENOBUFS);
        }
        Sock s = newSock(p.host, domain, type, protocol);
        s.nonblock = nonblock;
        p.host.sockets.add(s);
        return ok(p.allocate(s));
    }

    private Sock newSock(Host h, org.sockcheck.spec.Domain domain, SockType type, int protocol) {
        if (domain == org.sockcheck.spec.Domain.UNIX) {
            Sock s = new Sock(h, Proto.UNIX, 0, stack.nextInode++);
            s.fam = domain;
            s.type = Unix.unixType(type);
            return s;
        }
        Sock s = new Sock(h, type.proto(), type == SockType.RAW ? protocol : 0, stack.nextInode++);
        s.fam = domain;
        s.local = new Endpoint(Network.wild(s), 0);
        return s;
    }

    /**
     * SocketPair: two sockets connected to each other and the two lowest free
     * descriptors (Unix.tla's UnixPair); INET has none (EOPNOTSUPP).
     */
    Outcome socketPair(Process p, org.sockcheck.spec.Domain domain, SockType type, int protocol, boolean nonblock) {
        Errno refused = socketError(domain, type, protocol);
        if (refused != null) {
            return fail(refused);
        }
        if (domain != org.sockcheck.spec.Domain.UNIX) {
            return fail(Errno.EOPNOTSUPP);
        }
        if (p.descriptors.size() + 2 > limits.descriptors() - Process.FIRST_FREE) {
            return fail(Errno.EMFILE);
        }
        if (p.host.sockets.size() + 2 > limits.sockets()) {
            return fail(Errno.ENOBUFS);
        }
        Sock a = newSock(p.host, domain, type, protocol);
        Sock b = newSock(p.host, domain, type, protocol);
        a.nonblock = nonblock;
        b.nonblock = nonblock;
        p.host.sockets.add(a);
        p.host.sockets.add(b);
        Unix.unixPair(a, b);
        int fa = p.allocate(a);
        return new Outcome.Pair(fa, p.allocate(b));
    }

    /**
     * What socket() answers a type and protocol it makes no socket for (spec:
     * SocketErrors), or null: a stream socket is TCP (0 or 6), a datagram
     * socket UDP (0 or 17), a raw socket any protocol but 0. Linux: a number
     * outside 0..262 is EINVAL, any other EPROTONOSUPPORT; POSIX: EPROTOTYPE
     * for a protocol of the other type (the spec allows EPROTONOSUPPORT too),
     * else EPROTONOSUPPORT.
     */
    private Errno socketError(org.sockcheck.spec.Domain domain, SockType type, int protocol) {
        if (domain == org.sockcheck.spec.Domain.UNIX) {
            // unix_create: protocol 0 or PF_UNIX (1); a raw socket is made a datagram socket.
            return protocol == 0 || protocol == 1 ? null : Errno.EPROTONOSUPPORT;
        }
        // INET6 (inet6_create) answers as INET does.
        if (type == SockType.SEQPACKET) {
            return Errno.ESOCKTNOSUPPORT;
        }
        boolean inRange = protocol >= 0 && protocol <= PROTOCOL_MAX;
        if (type == SockType.RAW) {
            return protocol == 0 ? Errno.EPROTONOSUPPORT
                    : inRange ? null : profile == Profile.LINUX ? Errno.EINVAL : Errno.EPROTONOSUPPORT;
        }
        if (protocol == 0 || protocol == (type == SockType.STREAM ? 6 : 17)) {
            return null;
        }
        if (profile == Profile.POSIX) {
            return protocol == 6 || protocol == 17 ? Errno.EPROTOTYPE : Errno.EPROTONOSUPPORT;
        }
        return inRange ? Errno.EPROTONOSUPPORT : Errno.EINVAL;
    }

    /** The largest protocol number Linux takes (spec: ProtocolMax). */
    private static final int PROTOCOL_MAX = 262;

    // ------------------------------------------------------------ INET and INET6
    // Which addresses a socket of each family is given. An INET6 socket speaks IPv6 to IPv6
    // addresses and IPv4 to v4-mapped ones (RFC 4291 2.5.5.2; ipv6(7)), unless IPV6_V6ONLY.

    /** IsV6Arg: an address written in IPv6's form; only an INET6 socket takes it. */
    private static boolean isV6Arg(String ip) {
        return Network.v6(ip);
    }

    /** OtherFamily: an address of the other family than network socket x's. */
    private static boolean otherFamily(Sock x, String ip) {
        return x.fam == org.sockcheck.spec.Domain.INET6 ? !isV6Arg(ip) : isV6Arg(ip);
    }

    /** V6OnlyMapped: a v4-mapped address given to an IPV6_V6ONLY socket. */
    private static boolean v6OnlyMapped(Sock x, String ip) {
        return x.fam == org.sockcheck.spec.Domain.INET6 && x.v6only && Network.mapped(ip);
    }

    /**
     * FamilyErrno: what connect (op "connect") or a datagram's sendto answers
     * an address of the other family, or null (probed on Linux 6.18,
     * docs/ipv6-and-unix.md): an INET socket given an IPv6 address,
     * EAFNOSUPPORT (tcp_v4_connect, __ip4_datagram_connect, udp_sendmsg); an
     * INET6 TCP socket given an IPv4 address, EINVAL (a sockaddr_in is too
     * short for tcp_v6_connect); an INET6 UDP socket takes it as its
     * v4-mapped form, unless IPV6_V6ONLY: EAFNOSUPPORT from connect,
     * ENETUNREACH from sendto; an IPV6_V6ONLY socket given a v4-mapped
     * address, ENETUNREACH; an INET6 socket on a v4-mapped address given an
     * IPv6 one, EAFNOSUPPORT; a raw INET6 socket given an IPv4 address,
     * EAFNOSUPPORT from connect and EINVAL from sendto, and ENETUNREACH from
     * a sendto to a v4-mapped one.
     */
    private static Errno familyErrno(String op, Sock x, String ip) {
        if (x.fam == org.sockcheck.spec.Domain.INET) {
            return isV6Arg(ip) ? Errno.EAFNOSUPPORT : null;
        }
        if (!Network.v6(ip)) {
            if (x.tcp()) {
                return Errno.EINVAL;
            }
            if (x.proto == Proto.RAW) {
                // A raw INET6 socket takes IPv6 addresses only (ip6_datagram_connect_v6_only; rawv6_sendmsg:
                // a sockaddr_in is too short).
                return op.equals("connect") ? Errno.EAFNOSUPPORT : Errno.EINVAL;
            }
            if (x.v6only) {
                return op.equals("connect") ? Errno.EAFNOSUPPORT : Errno.ENETUNREACH;
            }
            return null;
        }
        if (v6OnlyMapped(x, ip)) {
            return Errno.ENETUNREACH;
        }
        if (x.proto == Proto.RAW && op.equals("sendto") && Network.mapped(ip)) {
            // A raw INET6 socket sends no IPv4 (rawv6_sendmsg), though it may connect to a v4-mapped address.
            return Errno.ENETUNREACH;
        }
        if (!Network.v6(x.local.ip()) && !Network.wildcard(x.local.ip()) && Network.host6(ip)) {
            return Errno.EAFNOSUPPORT;
        }
        return null;
    }

    /**
     * Mixed6, a call outside the spec (OutsideMixed): an INET6 socket that
     * addresses a wildcard (Linux sends to :: as to ::1, which no host has),
     * or that is on an IPv6 address without IPV6_V6ONLY (a datagram socket
     * whose connect picked it) and addresses IPv4.
     */
    private static boolean mixed6(Sock x, String ip) {
        return x.fam == org.sockcheck.spec.Domain.INET6
                && (Network.wildcard(ip) || (Network.host6(x.local.ip()) && (!Network.v6(ip) || Network.mapped(ip))));
    }

    /** OwnAddrs: the addresses a socket of host h may bind: the wildcard and the host's own, of its family. */
    private static java.util.Set<String> ownAddrs(Sock x, Host h) {
        java.util.Set<String> out = new java.util.HashSet<>();
        if (x.fam == org.sockcheck.spec.Domain.INET6) {
            out.add(Endpoint.ANY6_IP);
            if (h.ip6 != null) {
                out.add(h.ip6);
            }
        } else {
            out.add(Endpoint.ANY_IP);
        }
        out.add(h.ip);
        return out;
    }

    /**
     * Source: the address host h sends from to dst, of dst's family; null for
     * an IPv6 destination from a host of IPv4 alone (no host of the spec).
     */
    private static String source(Host h, String dst) {
        return Network.host6(dst) ? h.ip6 : h.ip;
    }

    /** An address as the table keeps it (spec: Unmapped): a v4-mapped one is the IPv4 address it maps. */
    private static Endpoint unmapped(Endpoint addr) {
        return new Endpoint(Network.unmapped(addr.ip()), addr.port());
    }

    /**
     * Bind: gives the socket its local address (S5). A socket binds once; the
     * address must be the host's own or the wildcard; an address another
     * socket of the protocol holds is in use (S14) unless reuse allows it;
     * port 0 asks for an ephemeral one. Raw sockets take an address, no port (S7).
     * An INET6 socket binds an IPv6 address, IPv6's wildcard, or the v4-mapped
     * form of its host's IPv4 address (then it is an IPv4 socket that shows
     * its addresses v4-mapped); an address of the other family is EAFNOSUPPORT
     * for an INET socket (__inet_bind) and EINVAL for an INET6 one (inet6_bind:
     * a sockaddr_in is too short).
     */
    Outcome bind(Sock s, Endpoint addr) {
        if (s.unix() || addr.unix()) {
            // An address of the other family is outside the spec; the stack refuses it as Linux's unix_bind does.
            return s.unix() && addr.unix() ? stack.unix.unixBind(s, addr.path()) : fail(Errno.EINVAL);
        }
        String ip = Network.unmapped(addr.ip());
        if (s.proto == Proto.RAW && s.fam == org.sockcheck.spec.Domain.INET6) {
            // rawv6_bind: the family and a v4-mapped address are refused before the socket's state is
            // looked at; the port is not read, and the socket does not become IPV6_V6ONLY.
            if (otherFamily(s, addr.ip())) {
                return fail(Errno.EINVAL);
            }
            if (Network.mapped(addr.ip())) {
                return fail(Errno.EADDRNOTAVAIL);
            }
            if (profile == Profile.LINUX && s.remote != null) {
                return fail(Errno.EINVAL);
            }
            if (!addr.ip().equals(Endpoint.ANY6_IP) && !addr.ip().equals(s.host.ip6)) {
                return fail(Errno.EADDRNOTAVAIL);
            }
            s.local = new Endpoint(addr.ip(), 0);
            return ok(0);
        }
        if (s.proto == Proto.RAW) {
            if (profile == Profile.LINUX && s.remote != null) {
                // Linux's raw_bind takes only a closed socket; connect made it established.
                return fail(Errno.EINVAL);
            }
            if (otherFamily(s, addr.ip()) && profile == Profile.LINUX) {
                // Linux's raw_bind reads no family: a sockaddr_in6's flow label (0) stands where the address would,
                // so an IPv6 address binds the wildcard.
                s.local = new Endpoint(Endpoint.ANY_IP, 0);
                return ok(0);
            }
            if (otherFamily(s, addr.ip())) {
                return fail(Errno.EAFNOSUPPORT);
            }
            if (!ip.equals(Endpoint.ANY_IP) && !ip.equals(s.host.ip)) {
                return fail(Errno.EADDRNOTAVAIL);
            }
            s.local = new Endpoint(ip, 0);
            return ok(0);
        }
        if (otherFamily(s, addr.ip())) {
            return fail(s.fam == org.sockcheck.spec.Domain.INET6 ? Errno.EINVAL : Errno.EAFNOSUPPORT);
        }
        if (s.bound()) {
            return fail(Errno.EINVAL);
        }
        if (v6OnlyMapped(s, addr.ip())) {
            // A v4-mapped address makes no sense to an IPV6_V6ONLY socket (__inet6_bind).
            return fail(Errno.EINVAL);
        }
        if (!ownAddrs(s, s.host).contains(ip)) {
            return fail(Errno.EADDRNOTAVAIL);
        }
        int port = addr.port() == 0 ? network.freeEphemeral(s, ip) : addr.port();
        if (port == 0 || (addr.port() != 0 && network.conflictsShared(s, ip, port))) {
            if (profile == Profile.LINUX) {
                // Linux has set the address when it finds the port taken, and clears it (__inet_bind): a
                // socket that kept its address after its port went back is on the wildcard now.
                s.local = new Endpoint(Network.wild(s), s.local.port());
            }
            return fail(Errno.EADDRINUSE);
        }
        s.local = new Endpoint(ip, port);
        s.bindReuse = s.reuse;
        s.boundAt = stack.nextInode++;
        s.picked = addr.port() == 0;
        s.bindIp = !Network.wildcard(ip);
        // An IPv6 address that is no wildcard makes the socket IPV6_V6ONLY (__inet6_bind).
        s.v6only |= Network.host6(ip);
        // Linux's bind forgets the peer of a failed connect (__inet_bind).
        s.remote = null;
        return ok(0);
    }

    /**
     * Listen: a server's socket waits for clients (S9). Only TCP listens, and
     * only one socket listens on an address, SO_REUSEADDR or not. Linux gives
     * an unbound socket an ephemeral port; POSIX lets listen fail instead.
     */
    Outcome listen(Sock s, int backlog) {
        // Linux takes a backlog above somaxconn (4096), or below 0, as somaxconn (spec: Backlog).
        backlog = backlog < 0 || backlog > 4096 ? 4096 : backlog;
        if (s.unix()) {
            return stack.unix.unixListen(s, backlog);
        }
        if (!s.tcp()) {
            return fail(Errno.EOPNOTSUPP);
        }
        if (s.state == TcpState.LISTEN) {
            s.backlog = backlog;
            return ok(0);
        }
        if (s.state != TcpState.CLOSED || (profile == Profile.LINUX && (s.conn || s.connecting || s.synSent || s.disconnecting))) {
            // Linux: a socket once connected never listens (its socket layer stays connected), nor one
            // whose non-blocking connect is not yet reported (SS_CONNECTING). One that sent a SYN fails
            // too on Linux 6.18.44 (outside the spec: earlier releases listened).
            return fail(Errno.EINVAL);
        }
        if (!s.bound() && profile == Profile.POSIX) {
            return fail(Errno.EDESTADDRREQ);
        }
        // The address is checked again; Linux checks it as bind does, so a connection made since the
        // bind holds the port too (one that a stopped listener had accepted, say), and SO_REUSEADDR
        // counts as the sockets have it now.
        // SO_REUSEPORT lets listeners share an address on Linux (spec: ConflictsShared).
        if (s.bound() && ((profile == Profile.POSIX && anotherListener(s))
                || (profile == Profile.LINUX && network.conflictsShared(s, s.local.ip(), s.local.port())))) {
            return fail(Errno.EADDRINUSE);
        }
        if (!s.bound() && !autobind(s)) {
            return fail(Errno.EADDRINUSE);
        }
        s.backlog = backlog;
        // Linux keeps the address of an earlier failed connect's peer (inet_daddr; tcp_disconnect
        // only zeroes the port), and /proc/net/tcp shows it as the listener's remote end.
        s.remote = profile == Profile.LINUX && s.remote != null ? new Endpoint(s.remote.ip(), 0) : null;
        stack.setState(s, TcpState.LISTEN, "listen");
        s.listened = true;
        return ok(0);
    }

    /**
     * Connect: TCP sends SYN and waits in SYN-SENT (RFC 9293 3.5); the call
     * returns in {@link #connectReturns}. An unbound socket gets an ephemeral
     * port and the host's address. Each 4-tuple has one socket (S14). UDP and
     * raw sockets only record the peer (S6).
     */
    Outcome connect(Caller p, int fd, Sock s, Endpoint addr) {
        if (addr.unspec()) {
            return dissolve(s);
        }
        if (s.unix() || addr.unix()) {
            if (!(s.unix() && addr.unix())) {
                return fail(Errno.EINVAL); // an address of the other family: outside the spec
            }
            return s.type == SockType.DGRAM ? stack.unix.unixDgramConnect(s, addr.path()) : stack.unix.unixConnect(s, addr.path());
        }
        if (s.tcp() && s.disconnecting) {
            return fail(Errno.EINVAL); // Linux's SS_DISCONNECTING (spec: disconnecting)
        }
        if (s.tcp() && (s.state == TcpState.SYN_SENT || s.connecting && s.state == TcpState.SYN_RECEIVED)) {
            return fail(Errno.EALREADY);
        }
        if (s.tcp() && s.connecting) {
            return connectReported(s);
        }
        if (s.tcp() && (s.state != TcpState.CLOSED || (profile == Profile.LINUX && s.conn))) {
            // Linux answers EISCONN for a listener too: the socket is not CLOSED; and for a socket
            // once connected, after its connection ended.
            return fail(Errno.EISCONN);
        }
        Errno family = familyErrno("connect", s, addr.ip());
        if (s.tcp() && s.listened && profile == Profile.LINUX && family == null && !mixed6(s, addr.ip())) {
            // A socket that listened and stopped: Linux 6.18.44 refuses it (earlier releases connected it),
            // after tcp_v4_connect set the peer's address, which stays (a later listen shows it).
            Endpoint to = destination(s, unmapped(addr));
            if (to != null) {
                s.remote = new Endpoint(to.ip(), 0);
            }
            return fail(Errno.EINVAL);
        }
        if (family != null) {
            // An address of the other family (UDP has bound first: inet_dgram_connect's autobind).
            return fail(!bindsFirst(s) || autobind(s) ? family : Errno.EAGAIN);
        }
        if (mixed6(s, addr.ip())) {
            // Outside the spec (Mixed6): no host of the stack is where Linux would send.
            return fail(Errno.ENETUNREACH);
        }
        addr = destination(s, unmapped(addr));
        if (addr == null) {
            // Linux: to 127.0.0.1, no host here (the spec: outside the model).
            return fail(Errno.ENETUNREACH);
        }
        // The address it connects from, of the destination's family (spec: Source).
        String lip = source(s.host, addr.ip());
        if (lip == null) {
            // A host of IPv4 alone has no route to IPv6 (no host of the spec).
            return fail(Errno.ENETUNREACH);
        }
        int lport = s.bound() || s.proto == Proto.RAW ? s.local.port() : network.freeEphemeral(s, lip);
        if (lport == 0 && s.proto != Proto.RAW) {
            return fail(Errno.EAGAIN);
        }
        if (addr.port() == 0 && s.proto != Proto.RAW && profile == Profile.POSIX) {
            // Port 0 names no socket; BSD refuses it at once (Linux sends the SYN, or lets UDP connect).
            return fail(Errno.EADDRNOTAVAIL);
        }
        Endpoint local = new Endpoint(lip, lport);
        if (s.tcp() && fourTupleTaken(s, local, addr)) {
            // S14; Linux refuses the second socket with EADDRNOTAVAIL, keeping the peer's address
            // it has set by then (tcp_v4_connect zeroes only the port): a later listen shows it.
            if (profile == Profile.LINUX) {
                s.remote = new Endpoint(addr.ip(), 0);
            }
            return fail(Errno.EADDRNOTAVAIL);
        }
        if (s.tcp()) {
            for (Sock o : List.copyOf(s.host.sockets)) {
                if (sameFourTuple(o, s, local, addr) && takesOver(s, o)) {
                    stack.setState(o, TcpState.CLOSED, "connect");
                    s.host.sockets.remove(o);
                }
            }
        }
        if (!s.bound()) {
            s.bindReuse = s.reuse;
            s.boundAt = stack.nextInode++;
        }
        if (s.proto == Proto.RAW) {
            // Linux gives a raw socket without an address the source address it routes from; BSD sets
            // only the peer.
            if (profile == Profile.LINUX && Network.wildcard(s.local.ip())) {
                s.local = new Endpoint(lip, 0);
            }
            // Linux keeps the port it connected to, for getpeername only (ip4_datagram_connect).
            s.remote = new Endpoint(addr.ip(), profile == Profile.LINUX ? addr.port() : 0);
            return ok(0);
        }
        if (s.tcp()) {
            s.picked = !s.bound() || s.picked;
            s.pickedIp = Network.wildcard(s.local.ip());
        } else if (!s.bound()) {
            s.picked = true;
        }
        s.local = local;
        s.remote = addr;
        if (!s.tcp()) {
            return ok(0);
        }
        // A socket may connect afresh after an earlier attempt ended; Linux keeps the shutdown
        // flags a failed shutdown set (sends fail, reads give end of file).
        s.sndUna = 0;
        s.sndNxt = 1;
        s.rcvNxt = 0;
        s.finSeq = 0;
        s.err = null;
        s.fin = false;
        if (profile == Profile.POSIX) {
            s.wrShut = false;
            s.rdShut = false;
        }
        s.stream.clear();
        s.unread = 0;
        s.streamOffset = 0;
        stack.setState(s, TcpState.SYN_SENT, "connect");
        s.synSent = true;
        net.add(Segment.tcp(Kind.SYN, local, addr, 0, 0));
        if (s.nonblock) {
            // It does not wait: the next connect, or SO_ERROR, tells how the handshake ended.
            s.connecting = true;
            return fail(Errno.EINPROGRESS);
        }
        p.pending = new Process.Pending("connect", fd, 0);
        return new Outcome.Blocked("connect waits for the handshake");
    }

    /**
     * Dissolve: connect with an AF_UNSPEC address. A datagram socket forgets
     * its peer, and on Linux the address and port the stack gave it; a TCP
     * socket aborts (RFC 9293's ABORT): a connection resets its peer, a
     * listener its queue, and the socket is CLOSED with ECONNRESET pending.
     * POSIX has no such address for a stream socket.
     */
    private Outcome dissolve(Sock s) {
        if (s.unix()) {
            // A Unix stream or seqpacket socket takes no AF_UNSPEC address: outside the spec.
            return s.type == SockType.DGRAM ? stack.unix.unixDisconnect(s) : fail(Errno.EINVAL);
        }
        if (!s.tcp()) {
            if (profile == Profile.LINUX && s.proto == Proto.UDP && s.fam == org.sockcheck.spec.Domain.INET6 && s.remote != null) {
                // Listed still with that peer, port 0 (udp6 shows sk_v6_daddr, which __udp_disconnect leaves).
                s.lastRemote = new Endpoint(s.remote.ip(), 0);
            }
            s.remote = null;
            if (profile == Profile.LINUX) {
                // A raw socket is outside the spec here (Linux takes it out of its raw table); it goes as UDP.
                s.local = new Endpoint(!s.bindIp || s.proto == Proto.RAW ? Network.wild(s) : s.local.ip(),
                        s.picked ? 0 : s.local.port());
                s.picked = false;
            }
            return ok(0);
        }
        if (profile == Profile.POSIX) {
            return fail(Errno.EAFNOSUPPORT);
        }
        TcpState old = s.state;
        boolean reset = java.util.EnumSet.of(TcpState.ESTABLISHED, TcpState.CLOSE_WAIT, TcpState.FIN_WAIT_1,
                TcpState.FIN_WAIT_2, TcpState.SYN_RECEIVED).contains(old);
        if (old == TcpState.LISTEN) {
            resetUnaccepted(s, "connect");
        }
        if (reset) {
            net.add(Segment.tcp(Kind.RST, s.local, s.remote, s.sndNxt, s.rcvNxt));
        }
        Errno pending = s.err;
        String boundIp = s.local.ip();
        disconnected(s);
        s.conn = false;
        s.disconnecting = false;
        s.stream.clear();
        s.unread = 0;
        s.streamOffset = 0;
        // An error still pending (a refused connect not yet reported) stays (tcp_disconnect leaves sk_err).
        s.err = reset || old == TcpState.SYN_SENT ? Errno.ECONNRESET : pending;
        // The address bind named stays (SOCK_BINDADDR_LOCK), also where connect had picked one before it.
        s.local = new Endpoint(s.bindIp ? boundIp : Network.wild(s), s.local.port());
        if (old != TcpState.CLOSED) {
            // The port goes back on the way to CLOSED; a socket CLOSED already keeps it.
            stack.setState(s, TcpState.CLOSED, "connect");
            network.forget(s);
        }
        return ok(0);
    }

    /**
     * ConnectReported: connect on a socket whose non-blocking connect is over
     * tells how it ended: LINUX 0 once, POSIX EISCONN; a failed handshake
     * its error, or ECONNABORTED when SO_ERROR took it already.
     */
    private Outcome connectReported(Sock s) {
        s.connecting = false;
        if (s.state == TcpState.CLOSED) {
            Outcome out = fail(s.err != null ? takeError(s) : Errno.ECONNABORTED);
            disconnected(s);
            return out;
        }
        s.conn = true;
        return profile == Profile.LINUX ? ok(0) : fail(Errno.EISCONN);
    }

    /** A socket whose connect failed (spec: Disconnected). */
    private void disconnected(Sock s) {
        s.err = null;
        s.connecting = false;
        if (s.pickedIp) {
            // tcp_disconnect gives back the address connect picked.
            s.local = new Endpoint(Network.wild(s), s.local.port());
            s.pickedIp = false;
        }
        // Linux's tcp_disconnect also clears the shutdown flags.
        s.rdShut = false;
        s.wrShut = false;
        s.fin = false;
        // Linux keeps the peer's address (tcp_disconnect zeroes only the port); a later listen shows it.
        s.remote = profile == Profile.LINUX && s.remote != null ? new Endpoint(s.remote.ip(), 0) : null;
    }

    /**
     * Where a call addressed to addr goes (spec: Dest): the wildcard address means this host, the
     * socket's own address; a socket with none goes, on Linux, to 127.0.0.1, no host here (null).
     * A v4-mapped address is unmapped before (spec: Unmapped).
     */
    private Endpoint destination(Sock s, Endpoint addr) {
        if (!addr.wildcardIp()) {
            return addr;
        }
        if (!Network.wildcard(s.local.ip())) {
            return new Endpoint(s.local.ip(), addr.port());
        }
        return profile == Profile.POSIX ? new Endpoint(s.host.ip, addr.port()) : null;
    }

    /** ConnectReturns: connect returns 0 once the connection is established, or the error that ended it. */
    Outcome connectReturns(Caller p) {
        Sock s = p.process.descriptors.get(p.pending.fd());
        Outcome out;
        if (s == null) {
            out = fail(Errno.EBADF);
        } else if (s.state.synchronizedState()) {
            s.conn = true;
            out = ok(0);
        } else if (s.state == TcpState.CLOSED) {
            // With no error the connection ended by itself (Linux: a connection to itself that a
            // shutdown flag closed at once).
            out = fail(s.err != null ? takeError(s) : Errno.ECONNABORTED);
            disconnected(s);
        } else {
            return null;
        }
        p.pending = null;
        return out;
    }

    /** Accept: hands out the oldest established connection as a new socket (S10, S11), or waits. */
    /** Accept: the oldest established connection as a new socket (non-blocking with accept4's SOCK_NONBLOCK), or wait. */
    Outcome accept(Caller p, int fd, Sock l, boolean nonblock) {
        if (!l.tcp() && !(l.unix() && l.type != SockType.DGRAM)) {
            return fail(Errno.EOPNOTSUPP);
        }
        if (l.state != TcpState.LISTEN) {
            return fail(Errno.EINVAL);
        }
        if (l.unix() && l.rdShut && l.acceptQueue.isEmpty()) {
            return fail(Errno.EINVAL); // a Unix listener shut for reading hands out what is queued, then EINVAL
        }
        if (!l.acceptQueue.isEmpty()) {
            return p.process.descriptors.size() >= limits.descriptors() - Process.FIRST_FREE
                    ? fail(Errno.EMFILE) : takeConnection(p.process, l, nonblock);
        }
        if (l.nonblock) {
            return fail(Errno.EAGAIN);
        }
        p.pending = new Process.Pending("accept", fd, 0, false, List.of(), nonblock);
        return new Outcome.Blocked("accept waits for a connection");
    }

    private static Outcome takeConnection(Process p, Sock l, boolean nonblock) {
        Sock c = l.acceptQueue.poll();
        c.listener = null;
        c.conn = true;
        c.nonblock = nonblock;
        return new Outcome.Accepted(p.allocate(c), c.unix() ? Endpoint.unix(c.rpath) : Network.shown(c, c.remote));
    }

    /** AcceptReturns: a waiting accept returns when a connection is queued. */
    Outcome acceptReturns(Caller p) {
        Sock l = p.process.descriptors.get(p.pending.fd());
        Outcome out;
        if (l == null || l.state != TcpState.LISTEN || l.unix() && l.rdShut && l.acceptQueue.isEmpty()) {
            out = fail(Errno.EINVAL);
        } else if (l.acceptQueue.isEmpty()) {
            return null;
        } else {
            out = takeConnection(p.process, l, p.pending.nonblock());
        }
        p.pending = null;
        return out;
    }

    /**
     * Send: appends to the byte stream (S10, S18) or sends one datagram to the
     * connected peer. A stream that cannot send says EPIPE; POSIX says
     * ENOTCONN for one that never connected.
     */
    Outcome send(Process p, Sock s, byte[] data) {
        if (s.unix()) {
            return stack.unix.unixSend(p, s, data);
        }
        if (s.err != null) {
            return fail(takeError(s));
        }
        if (!s.tcp()) {
            if (!s.connected() && bindsFirst(s)) {
                return fail(autobind(s) ? Errno.EDESTADDRREQ : Errno.EAGAIN);
            }
            if (!s.connected()) {
                return fail(Errno.EDESTADDRREQ);
            }
            if (s.wrShut && !rawIgnoresShutdown(s)) {
                // shutdown(SHUT_WR) ends sending on a datagram socket too (POSIX shutdown()).
                return fail(Errno.EPIPE);
            }
            if (s.proto == Proto.RAW && s.fam == org.sockcheck.spec.Domain.INET6 && !Network.v6(s.remote.ip())) {
                // A raw INET6 socket connected to a v4-mapped address sends nothing (rawv6_sendmsg).
                return fail(Errno.ENETUNREACH);
            }
            if (tooBig(s, data, s.remote.ip())) {
                return fail(Errno.EMSGSIZE);
            }
            net.add(outgoing(s, s.remote, data));
            return ok(data.length);
        }
        if (s.wrShut || (s.state != TcpState.ESTABLISHED && s.state != TcpState.CLOSE_WAIT)) {
            boolean neverConnected = !s.state.synchronizedState() && !s.wrShut;
            return fail(neverConnected && profile == Profile.POSIX ? Errno.ENOTCONN : Errno.EPIPE);
        }
        if (data.length > 0) {
            net.add(Segment.data(s.local, s.remote, s.sndNxt++, s.rcvNxt, data));
        }
        return ok(data.length);
    }

    /**
     * SendMsg: a send whose message carries the sockets that the descriptors
     * of rights stand for in process p (SCM_RIGHTS, S20), in their order, the
     * same socket as often as it is named; each is in flight until a recv
     * takes the message. With no descriptors it is a send. Otherwise a
     * seqpacket socket that is not connected says ENOTCONN first
     * (unix_seqpacket_sendmsg), then a descriptor of rights that is not open
     * says EBADF (scm_send, before anything else of unix_dgram_sendmsg), then
     * come the rules of a send (Unix.tla's UnixSendRights); a Unix stream
     * socket checks the descriptors first too, and its bytes carry the
     * sockets. Outside the spec: another socket sends the bytes alone, as
     * send (Linux's TCP and UDP skip an SCM_RIGHTS message in
     * __sock_cmsg_send, even one naming descriptors that are not open), and
     * an INET socket passed is carried like any other.
     */
    Outcome sendMsg(Process p, Sock s, byte[] data, List<Integer> rights, boolean creds) {
        if (rights.isEmpty() && !creds || !s.unix()) {
            return send(p, s, data); // an INET socket ignores SCM_CREDENTIALS (probed on Linux 6.18 with UDP)
        }
        if (s.type == SockType.SEQPACKET && s.state != TcpState.ESTABLISHED) {
            return fail(Errno.ENOTCONN);
        }
        List<Sock> carried = new java.util.ArrayList<>();
        for (int f : rights) {
            Sock x = p.descriptors.get(f);
            if (x == null) {
                return fail(Errno.EBADF);
            }
            carried.add(x);
        }
        return stack.unix.unixSendRights(p, s, data, List.copyOf(carried), creds, "sendMsg");
    }

    /** SendTo: a datagram carries its destination (S13); an unbound UDP sender gets a port (S19). */
    Outcome sendTo(Process p, Sock s, byte[] data, Endpoint to) {
        if (s.unix() || to.unix()) {
            return s.unix() && to.unix() ? stack.unix.unixSendTo(p, s, data, to.path()) : fail(Errno.EINVAL);
        }
        if (s.tcp() && profile == Profile.LINUX) {
            // Linux ignores the address of a sendto on a stream socket: it is a send.
            return send(p, s, data);
        }
        if (s.tcp()) {
            return fail(s.state == TcpState.ESTABLISHED || s.state == TcpState.CLOSE_WAIT ? Errno.EISCONN : Errno.EPIPE);
        }
        if (s.proto == Proto.RAW && s.fam == org.sockcheck.spec.Domain.INET6 && to.port() != 0) {
            // rawv6_sendmsg reads the destination's port as the protocol: 0 or the socket's own. A port a trace
            // names is a label (the spec: never a protocol number), so every port but 0 is refused.
            return fail(Errno.EINVAL);
        }
        Errno family = familyErrno("sendto", s, to.ip());
        if (family != null) {
            // An address of the other family (having bound first: inet_send_prepare).
            return fail(!bindsFirst(s) || autobind(s) ? family : Errno.EAGAIN);
        }
        if (mixed6(s, to.ip())) {
            // Outside the spec (Mixed6): no host of the stack is where Linux would send.
            return fail(Errno.ENETUNREACH);
        }
        if (s.proto == Proto.UDP && to.port() == 0) {
            // udp_sendmsg refuses port 0 before anything else, the socket bound by then on Linux.
            return fail(!bindsFirst(s) || autobind(s) ? Errno.EINVAL : Errno.EAGAIN);
        }
        to = destination(s, unmapped(to));
        if (to == null || source(s.host, to.ip()) == null) {
            // Linux: to 127.0.0.1, or IPv6 from a host of IPv4 alone: no host here (the spec: outside the model).
            return fail(Errno.ENETUNREACH);
        }
        if (s.err != null) {
            return fail(takeError(s));
        }
        if (s.wrShut && !rawIgnoresShutdown(s)) {
            return fail(!bindsFirst(s) || autobind(s) ? Errno.EPIPE : Errno.EAGAIN);
        }
        if (tooBig(s, data, to.ip())) {
            return fail(bindsFirst(s) && !autobind(s) ? Errno.EAGAIN : Errno.EMSGSIZE);
        }
        if (s.proto == Proto.UDP && !s.bound() && !autobind(s)) {
            return fail(Errno.EAGAIN);
        }
        net.add(outgoing(s, to, data));
        return ok(data.length);
    }

    /**
     * Linux binds an unbound UDP socket to an ephemeral port before it sends (inet_sendmsg,
     * inet_send_prepare, inet_autobind, then udp_sendmsg): a send that then fails (no
     * destination, shut for writing) has still bound it; with no port free it fails with EAGAIN.
     */
    private boolean bindsFirst(Sock s) {
        return profile == Profile.LINUX && s.proto == Proto.UDP && !s.bound();
    }

    /**
     * A datagram one IP packet cannot carry (spec: TooBig): 65,535 bytes less UDP's header and, to an IPv4
     * address (a v4-mapped one too), the IP header.
     */
    private static boolean tooBig(Sock s, byte[] data, String to) {
        return data.length > 65535 - (Network.v6(to) ? 0 : 20) - (s.proto == Proto.UDP ? 8 : 0);
    }

    /** A Linux raw socket does not look at its shutdown flags when it sends (probed). */
    private boolean rawIgnoresShutdown(Sock s) {
        return profile == Profile.LINUX && s.proto == Proto.RAW;
    }

    /** A datagram to to, from the host's address of to's family (spec: Source). */
    private Segment outgoing(Sock s, Endpoint to, byte[] data) {
        String from = source(s.host, to.ip());
        if (s.proto == Proto.RAW) {
            return Segment.raw(new Endpoint(from, 0), new Endpoint(to.ip(), 0), data, s.protocol);
        }
        return Segment.datagram(new Endpoint(from, s.local.port()), to, data);
    }

    /**
     * Recv and RecvFrom: bytes of the stream, or one whole datagram with its
     * sender (S13); end of file after the peer's FIN; ENOTCONN on a stream
     * that is not connected; otherwise the call waits.
     */
    Outcome recv(Caller p, int fd, Sock s, String op, int max, boolean peek, boolean dontwait, boolean waitall, boolean trunc) {
        // MSG_WAITALL counts only for a call that may wait.
        Process.Pending call = new Process.Pending(op, fd, max, peek, List.of(), false, waitall && !(s.nonblock || dontwait), trunc);
        if (trunc && s.unix() && s.type == SockType.STREAM) {
            return fail(Errno.EOPNOTSUPP); // MSG_TRUNC on a Unix stream socket: outside the spec
        }
        boolean datagrams = !s.tcp() && !(s.unix() && s.type != SockType.DGRAM);
        if ((s.nonblock || dontwait) && (profile == Profile.LINUX || s.unix()) && datagrams && s.err == null && !s.hasData()) {
            // Linux: a datagram socket shut for reading gives end of file only to a call that may wait.
            return fail(Errno.EAGAIN);
        }
        Outcome now = allThere(s, call) ? received(p.process, s, call, "recv") : null;
        if (now == null && (s.nonblock || dontwait)) {
            return fail(Errno.EAGAIN);
        }
        if (now == null) {
            p.pending = call;
            return new Outcome.Blocked(op + " waits for data");
        }
        return now;
    }

    /** RecvReturns: a waiting recv returns once there is something to give. */
    Outcome recvReturns(Caller p) {
        Sock s = p.process.descriptors.get(p.pending.fd());
        Outcome out = s == null ? fail(Errno.EBADF) : allThere(s, p.pending) ? received(p.process, s, p.pending, "recvReturns") : null;
        if (out == null) {
            return null;
        }
        p.pending = null;
        return out;
    }

    /**
     * Whether a recv with MSG_WAITALL has all it asked for, or reading has
     * ended (spec: CanRecvAll); always for one without it, or of a datagram.
     */
    private static boolean allThere(Sock s, Process.Pending call) {
        if (s.unix()) {
            // MSG_PEEK with MSG_WAITALL returns what is queued at once (unix_stream_read_generic).
            return !call.waitall() || call.peek() || s.type != SockType.STREAM || s.unread >= call.max() || s.rdShut
                    || s.err != null || s.state != TcpState.ESTABLISHED;
        }
        return !call.waitall() || !s.tcp() || s.unread >= call.max() || s.fin || s.rdShut || s.err != null
                || !s.state.synchronizedState();
    }

    /**
     * What a recv of process p gives right now (recvResult), or null when it
     * must wait, with what becomes of the sockets the message it reads
     * carried (S20). A recvmsg makes each a descriptor of p, the lowest
     * free, in order (as dup does), and gives those numbers with the bytes; a
     * table with no room left drops the rest (Linux's scm_detach_fds, which
     * then sets MSG_CTRUNC). recv, recvfrom and read drop them all. Without
     * MSG_PEEK the message has left the queue and no longer carries them: a
     * socket dropped so that nothing holds any more closes (dropCarried).
     * With MSG_PEEK the message stays and still carries them.
     */
    private Outcome received(Process p, Sock s, Process.Pending call, String action) {
        List<Sock> carried = new java.util.ArrayList<>();
        String first = s.firstCred();
        Outcome out = recvResult(s, call, carried);
        if (!call.op().equals("recvmsg")) {
            if (!call.peek()) {
                carried.forEach(x -> dropCarried(x, action));
            }
            return out;
        }
        List<Integer> fds = new java.util.ArrayList<>();
        for (Sock x : carried) {
            if (p.descriptors.size() < limits.descriptors() - Process.FIRST_FREE) {
                fds.add(p.allocate(x));
            }
        }
        if (!call.peek()) {
            // After the new descriptors: a socket that has one stays open.
            carried.forEach(x -> dropCarried(x, action));
        }
        return out instanceof Outcome.Data d ? new Outcome.Message(d.data(), fds, s.unix() ? credsShown(s, first) : null) : out;
    }

    /**
     * UnixCreds: what a recvmsg shows a Unix socket with SO_PASSCRED of the
     * credentials of what it read first (first; null when it read nothing
     * queued): those, or a stream's end of file all zero; nothing without
     * SO_PASSCRED, or at a datagram or seqpacket socket's end of file.
     */
    private static String credsShown(Sock s, String first) {
        if (!s.passCred()) {
            return null;
        }
        return first != null ? first : s.type == SockType.STREAM ? Outcome.Message.ZERO_CREDS : null;
    }

    /**
     * A message that carried x no longer does: it was read, or its queue went
     * unread (Unix.purge). When that was the last thing holding x (no
     * descriptor refers to it, no other message carries it), x closes, as
     * with the close of its last descriptor (LastClose), for action.
     */
    void dropCarried(Sock x, String action) {
        if (--x.inFlight == 0 && x.descriptors == 0) {
            lastClose(x, action);
        }
    }

    /**
     * What recv can give right now (spec: RecvResults), or null when it must
     * wait; the sockets the message it reads carried go into carried (a Unix
     * socket's message; with MSG_PEEK the message keeps them too).
     */
    private Outcome recvResult(Sock s, Process.Pending call, List<Sock> carried) {
        if (s.unix()) {
            return unixRecvResult(s, call, carried);
        }
        if (s.tcp() && profile == Profile.LINUX) {
            // Linux (tcp_recvmsg): the data first, end of file once the peer's FIN came (an error
            // stays for send), then the error, then end of file after a shutdown or a reset; a
            // listener is not connected, whatever else.
            if (s.state == TcpState.LISTEN) {
                return fail(Errno.ENOTCONN);
            } else if (s.hasData()) {
                return streamData(s, call);
            } else if (s.fin) {
                return endOfFile(call);
            } else if (s.err != null) {
                return fail(takeError(s));
            } else if (s.rdShut) {
                return endOfFile(call);
            } else if (!s.state.synchronizedState()) {
                return fail(Errno.ENOTCONN);
            }
            return null;
        }
        boolean withSender = call.op().equals("recvfrom") && !s.tcp();
        if (profile == Profile.LINUX) {
            return linuxDatagram(s, call, withSender, carried);
        }
        Outcome out;
        if (s.err != null) {
            out = fail(takeError(s));
        } else if (s.hasData() && !s.rdShut) {
            if (s.tcp()) {
                out = streamData(s, call);
            } else {
                out = takeDatagram(s, call, withSender, carried);
            }
        } else if (s.tcp() && (s.fin || s.rdShut)) {
            out = endOfFile(call);
        } else if (s.tcp() && !s.state.synchronizedState()) {
            out = fail(Errno.ENOTCONN);
        } else {
            return null;
        }
        return out;
    }

    /**
     * What recv gives on a Unix socket (spec: RecvResults' Unix cases): a
     * stream that is not connected says EINVAL, else its bytes, its error,
     * end of file; a seqpacket socket not connected says ENOTCONN, else its
     * error, its records, end of file; a datagram socket its error, its
     * datagrams, end of file once shut for reading (to a call that may wait:
     * recv's own check). A stream's recvfrom names the peer. The sockets the
     * bytes or the record read carried go into carried.
     */
    private static Outcome unixRecvResult(Sock s, Process.Pending call, List<Sock> carried) {
        boolean withSender = call.op().equals("recvfrom");
        if (s.type == SockType.STREAM) {
            if (s.state != TcpState.ESTABLISHED) {
                return fail(Errno.EINVAL);
            } else if (s.hasData()) {
                byte[] got = call.peek() ? s.peekBytes(call.max(), carried) : s.take(call.max(), carried);
                if (call.waitall() && !call.peek() && got.length < call.max()) {
                    s.err = null; // MSG_WAITALL met the error before all it asked for, and took it (spec: RecvNow)
                }
                return new Outcome.Data(got, withSender ? Endpoint.unix(s.rpath) : null);
            } else if (s.err != null) {
                return fail(takeError(s));
            } else if (s.rdShut) {
                return new Outcome.Data(new byte[0], null);
            }
            return null;
        }
        if (s.type == SockType.SEQPACKET && s.state != TcpState.ESTABLISHED) {
            return fail(Errno.ENOTCONN);
        }
        return linuxDatagram(s, call, withSender, carried);
    }

    /**
     * Linux's datagram recv (__skb_recv_datagram), UDP's, raw's and a Unix
     * datagram or seqpacket socket's: the error, the datagrams, then, once
     * shut for reading, zero bytes at once (MSG_TRUNC or not); null: wait.
     */
    private static Outcome linuxDatagram(Sock s, Process.Pending call, boolean withSender, List<Sock> carried) {
        if (s.err != null) {
            return fail(takeError(s));
        } else if (s.hasData()) {
            return takeDatagram(s, call, withSender, carried);
        } else if (s.rdShut) {
            return new Outcome.Data(new byte[0], null);
        }
        return null;
    }

    /**
     * The first datagram of the queue, whole or cut to max bytes (the rest is
     * lost), with its sender when asked for (an IPv4 one v4-mapped to an INET6
     * socket: Shown); taken or (MSG_PEEK) left in the queue. With MSG_TRUNC
     * the call returns the datagram's whole length. The sockets a Unix
     * datagram or record carried go into carried, also when it is cut.
     */
    private static Outcome takeDatagram(Sock s, Process.Pending call, boolean withSender, List<Sock> carried) {
        Sock.Datagram d = call.peek() ? s.datagrams.peek() : s.datagrams.poll();
        carried.addAll(d.rights());
        return new Outcome.Data(Sock.truncate(d.data(), call.max()), withSender ? Network.shown(s, d.sender()) : null,
                call.trunc() ? d.data().length : -1);
    }

    /** Bytes of the stream, taken or (MSG_PEEK) left; with MSG_TRUNC none are copied: how many it took. */
    private static Outcome streamData(Sock s, Process.Pending call) {
        byte[] got = call.peek() ? s.peekBytes(call.max()) : s.take(call.max());
        return call.trunc() ? new Outcome.Value(got.length) : new Outcome.Data(got, null);
    }

    /** A stream's end of file: zero bytes, or with MSG_TRUNC the count 0. */
    private static Outcome endOfFile(Process.Pending call) {
        return call.trunc() ? new Outcome.Value(0) : new Outcome.Data(new byte[0], null);
    }

    /** Shutdown: SHUT_WR sends FIN and ends sending (RFC 9293 3.6); SHUT_RD ends reading. */
    Outcome shutdown(Sock s, ShutdownHow how) {
        if (s.unix()) {
            return stack.unix.unixShutdown(s, how);
        }
        if (profile == Profile.LINUX && s.tcp() && s.state == TcpState.LISTEN) {
            // Linux: a listener answers 0; SHUT_RD stops it as its close would, but the socket stays.
            if (how.read()) {
                resetUnaccepted(s, "shutdown");
                // tcp_disconnect clears the shutdown flags.
                s.rdShut = false;
                s.wrShut = false;
                stack.setState(s, TcpState.CLOSED, "shutdown");
                network.forget(s);
            }
            return ok(0);
        }
        if (profile == Profile.LINUX && s.tcp() && s.state == TcpState.SYN_SENT) {
            // Linux aborts a connect in SYN-SENT (tcp_disconnect): CLOSED, ECONNRESET pending, no flags.
            s.err = Errno.ECONNRESET;
            s.rdShut = false;
            s.wrShut = false;
            s.connecting = false;
            stack.setState(s, TcpState.CLOSED, "shutdown");
            network.forget(s);
            return ok(0);
        }
        boolean connected = s.tcp() ? s.state.synchronizedState() : s.connected();
        if (!connected && (profile == Profile.POSIX || (s.tcp() && s.state != TcpState.CLOSED))) {
            return fail(Errno.ENOTCONN);
        }
        if (!connected) {
            // Linux: a datagram socket that is not connected, or a stream socket in CLOSED, says ENOTCONN,
            // yet is shut down; a refused connect not yet reported leaves it SS_DISCONNECTING.
            s.rdShut |= how.read();
            s.wrShut |= how.write();
            if (profile == Profile.LINUX && s.tcp() && s.connecting) {
                s.connecting = false;
                s.disconnecting = true;
            }
            return fail(Errno.ENOTCONN);
        }
        // ESTABLISHED and CLOSE-WAIT have sent no FIN (a flag Linux kept through connect sends none).
        boolean fin = how.write() && s.tcp()
                && (s.state == TcpState.ESTABLISHED || s.state == TcpState.CLOSE_WAIT);
        s.rdShut |= how.read();
        s.wrShut |= how.write();
        if (fin) {
            sendFin(s, "shutdown");
        }
        return ok(0);
    }

    /**
     * Close: drops the descriptor; the socket closes with its last one, unless
     * a message in flight carries it (S20): then it closes when that message
     * is read or goes (dropCarried).
     */
    Outcome close(Process p, int fd, Sock s) {
        p.descriptors.remove(fd);
        if (--s.descriptors == 0 && s.inFlight == 0) {
            lastClose(s, "close");
        }
        return ok(0);
    }

    /** Dup: a second descriptor, the lowest free, for the same socket. */
    Outcome dup(Process p, Sock s) {
        if (p.descriptors.size() >= limits.descriptors() - Process.FIRST_FREE) {
            return fail(Errno.EMFILE);
        }
        return ok(p.allocate(s));
    }

    /** Fork: a new process on the same host with a copy of the descriptor table (S10: a child per client). */
    Outcome fork(Process p, String child) {
        Process q = p.host.processes.get(child);
        if (q != null && q.alive) {
            throw new IllegalArgumentException("fork: process " + p.host.name + "." + child + " already exists");
        }
        q = new Process(p.host, child);
        p.host.processes.put(child, q);
        for (Map.Entry<Integer, Sock> e : p.descriptors.entrySet()) {
            q.descriptors.put(e.getKey(), e.getValue());
            e.getValue().descriptors++;
        }
        return ok(0);
    }

    /** Exit: the process ends; its descriptors close, and each socket it held alone (and no message carries) closes (S17). */
    Outcome exit(Process p) {
        for (Sock s : List.copyOf(p.descriptors.values())) {
            if (--s.descriptors == 0 && s.inFlight == 0) {
                lastClose(s, "exit");
            }
        }
        p.descriptors.clear();
        // Every thread of the process ends with it, and the calls they waited in.
        p.threads.values().forEach(t -> t.pending = null);
        p.alive = false;
        return ok(0);
    }

    /**
     * SetSockOpt: SO_REUSEADDR and SO_REUSEPORT count for a port taken after them
     * (Network.conflictsShared); SO_KEEPALIVE, SO_BROADCAST and TCP_NODELAY are read
     * back; SO_RCVBUF and SO_SNDBUF are sizes as Linux makes them; SO_LINGER on with 0 makes
     * the last close abort; off, it keeps its linger. TCP_NODELAY is TCP's
     * (ENOPROTOOPT elsewhere). IPV6_V6ONLY (IPPROTO_IPV6) is an INET6 socket's
     * (ENOPROTOOPT for an INET one; a Unix socket has none of that level
     * either: EOPNOTSUPP), set before the socket has a port (do_ipv6_setsockopt).
     */
    Outcome setSockOpt(Sock s, SockOpt option, int value, int linger) {
        if (s.unix() && (option == SockOpt.TCP_NODELAY || option == SockOpt.SO_REUSEPORT && value != 0)) {
            return fail(Errno.EOPNOTSUPP); // a Unix socket has no TCP options and no SO_REUSEPORT (sk_is_inet)
        }
        if (option == SockOpt.SO_PASSCRED && !s.unix()) {
            return fail(Errno.EOPNOTSUPP); // only a Unix socket has credentials to show (Linux 6.18)
        }
        switch (option) {
            case SO_REUSEADDR -> s.reuse = value != 0;
            case SO_RCVBUF -> s.rcvbuf = bufferSize(value, LEAST_RCVBUF);
            case SO_SNDBUF -> s.sndbuf = bufferSize(value, LEAST_SNDBUF);
            case SO_LINGER -> {
                s.lingerOn = value != 0;
                if (value != 0) {
                    s.lingerSeconds = linger;
                }
            }
            case TCP_NODELAY -> {
                if (!s.tcp()) {
                    return fail(Errno.ENOPROTOOPT);
                }
                flag(s, option, value != 0);
            }
            case IPV6_V6ONLY -> {
                if (s.fam != org.sockcheck.spec.Domain.INET6) {
                    return fail(s.unix() ? Errno.EOPNOTSUPP : Errno.ENOPROTOOPT);
                }
                if (s.bound() || s.proto == Proto.RAW) {
                    // A raw socket has its protocol where the port goes from the start (inet_num).
                    return fail(Errno.EINVAL);
                }
                s.v6only = value != 0;
            }
            default -> flag(s, option, value != 0);
        }
        return ok(0);
    }

    /** The reference stack's buffer sysctl (net.core.rmem_max and wmem_max), the least buffers, and the sizes before setsockopt. */
    static final int BUF_MAX = 212992;
    static final int LEAST_RCVBUF = 2304;
    static final int LEAST_SNDBUF = 4608;
    static final int DEFAULT_RCVBUF = 131072;
    static final int DEFAULT_SNDBUF = 16384;

    /**
     * A buffer size as Linux makes it (spec: BufRange): the size asked for,
     * an unsigned int, cut to the sysctl, doubled, raised to the least.
     */
    private static int bufferSize(int asked, int least) {
        long cut = asked < 0 ? BUF_MAX : Math.min(asked, BUF_MAX);
        return (int) Math.max(2 * cut, least);
    }

    private static void flag(Sock s, SockOpt option, boolean on) {
        if (on) {
            s.flags.add(option);
        } else {
            s.flags.remove(option);
        }
    }

    /** GetSockName reads the local address (S5), an IPv4 one v4-mapped to an INET6 socket (spec: Shown). */
    Outcome getSockName(Sock s) {
        if (s.unix()) {
            return new Outcome.Address(Endpoint.unix(s.path));
        }
        return new Outcome.Address(Network.shown(s, s.bound() ? s.local : new Endpoint(s.local.ip(), s.shownPort)));
    }

    /** GetPeerName reads the remote address (S6) of a connected socket, as GetSockName shows it. */
    Outcome getPeerName(Sock s) {
        if (s.unix()) {
            // A Unix socket has a peer once connected, also after the peer is gone.
            return s.state == TcpState.ESTABLISHED ? new Outcome.Address(Endpoint.unix(s.rpath)) : fail(Errno.ENOTCONN);
        }
        // Linux has no peer without a port (inet_getname): a raw socket's, a UDP socket's connected to port 0.
        boolean unconnected = s.remote == null || (s.tcp()
                && (s.state == TcpState.CLOSED || s.state == TcpState.SYN_SENT || s.state == TcpState.LISTEN))
                || (profile == Profile.LINUX && s.remote.port() == 0);
        return unconnected ? fail(Errno.ENOTCONN) : new Outcome.Address(Network.shown(s, s.remote));
    }

    /** SetNonBlock: fcntl(F_SETFL) with or without O_NONBLOCK; every descriptor of the socket sees it. */
    Outcome setNonBlock(Sock s, boolean on) {
        s.nonblock = on;
        return ok(0);
    }

    /**
     * GetSockOpt: SO_ERROR gives the pending error, or 0, and clears it; the
     * others read what socket(), listen and setsockopt made (spec: OptionValue).
     */
    Outcome getSockOpt(Sock s, String option) {
        if (option.equals("TCP_NODELAY") && !s.tcp()) {
            // Linux reads IPPROTO_TCP's options of TCP sockets only; an INET6 socket says ENOPROTOOPT (ipv6_getsockopt).
            return fail(s.fam == org.sockcheck.spec.Domain.INET6 ? Errno.ENOPROTOOPT : Errno.EOPNOTSUPP);
        }
        if (option.equals("IPV6_V6ONLY") && s.fam != org.sockcheck.spec.Domain.INET6) {
            return fail(Errno.EOPNOTSUPP); // and IPPROTO_IPV6's of INET6 sockets only
        }
        if (option.equals("SO_PASSCRED") && !s.unix()) {
            return fail(Errno.EOPNOTSUPP);
        }
        return new Outcome.Option(switch (option) {
            case "SO_ERROR" -> {
                Errno e = s.err;
                s.err = null;
                yield e == null ? "0" : e.name();
            }
            case "SO_TYPE" -> s.unix() ? s.type.name() : s.tcp() ? "STREAM" : s.proto == Proto.UDP ? "DGRAM" : "RAW";
            case "SO_DOMAIN" -> s.fam.name();
            case "SO_PROTOCOL" -> Integer.toString(s.unix() ? 0 : s.tcp() ? 6 : s.proto == Proto.UDP ? 17 : s.protocol);
            case "SO_ACCEPTCONN" -> (s.tcp() || s.unix()) && s.state == TcpState.LISTEN ? "1" : "0";
            case "SO_KEEPALIVE", "SO_BROADCAST", "TCP_NODELAY", "SO_REUSEPORT", "SO_PASSCRED" ->
                    s.flags.contains(SockOpt.valueOf(option)) ? "1" : "0";
            case "SO_LINGER" -> "{" + (s.lingerOn ? 1 : 0) + ", " + s.lingerSeconds + "}";
            case "IPV6_V6ONLY" -> s.v6only ? "1" : "0";
            case "SO_RCVBUF" -> Integer.toString(s.rcvbuf);
            case "SO_SNDBUF" -> Integer.toString(s.sndbuf);
            // Linux sets SO_REUSEADDR on a raw socket when it makes it (spec: OptionValue, with its NOTE).
            default -> s.reuse || profile == Profile.LINUX && s.proto == Proto.RAW ? "1" : "0";
        });
    }

    /**
     * What poll reports of a socket, from its state alone (spec: Readiness):
     * POLLIN when a recv would not wait, POLLRDHUP when reading is over,
     * POLLOUT for all but a listener and a handshake, POLLHUP when shut both
     * ways or a TCP socket in CLOSED, POLLERR with an error pending.
     */
    static java.util.Set<String> readiness(Sock s) {
        if (s.unix()) {
            return Unix.unixReadiness(s);
        }
        java.util.Set<String> out = new java.util.TreeSet<>();
        if (s.tcp() && s.state == TcpState.LISTEN) {
            if (!s.acceptQueue.isEmpty()) {
                out.add("POLLIN");
            }
            return out;
        }
        boolean over = s.rdShut || s.tcp() && s.fin;
        if (s.err != null) {
            out.add("POLLERR");
        }
        if (s.rdShut && s.wrShut || s.tcp() && s.state == TcpState.CLOSED) {
            out.add("POLLHUP");
        }
        if (over || s.hasData()) {
            out.add("POLLIN");
        }
        if (over) {
            out.add("POLLRDHUP");
        }
        if (!(s.tcp() && (s.state == TcpState.SYN_SENT || s.state == TcpState.SYN_RECEIVED))) {
            out.add("POLLOUT");
        }
        return out;
    }

    /** Each entry's events (spec: PollResult): POLLNVAL for a descriptor not open; POLLERR and POLLHUP unasked. */
    private static List<java.util.Set<String>> pollResult(Process p, List<ApiCall.PollFd> request) {
        List<java.util.Set<String>> out = new java.util.ArrayList<>();
        for (ApiCall.PollFd e : request) {
            Sock s = p.descriptors.get(e.fd());
            java.util.Set<String> r = new java.util.TreeSet<>();
            if (s == null) {
                r.add("POLLNVAL");
            } else {
                for (String ev : readiness(s)) {
                    if (e.events().contains(ev) || ev.equals("POLLERR") || ev.equals("POLLHUP")) {
                        r.add(ev);
                    }
                }
            }
            out.add(r);
        }
        return out;
    }

    private static boolean anyReady(List<java.util.Set<String>> r) {
        return r.stream().anyMatch(e -> !e.isEmpty());
    }

    /** Poll: each entry's events; timeout 0 returns at once, -1 waits until an entry has one. */
    Outcome poll(Caller t, List<ApiCall.PollFd> request, int timeout) {
        List<java.util.Set<String>> r = pollResult(t.process, request);
        if (timeout == -1 && !anyReady(r)) {
            t.pending = new Process.Pending("poll", 0, 0, false, List.copyOf(request));
            return new Outcome.Blocked("poll waits for a descriptor to be ready");
        }
        return new Outcome.Polled(r);
    }

    /** PollReturns: a waiting poll returns once an entry has an event. */
    Outcome pollReturns(Caller t) {
        List<java.util.Set<String>> r = pollResult(t.process, t.pending.request());
        if (!anyReady(r)) {
            return null;
        }
        t.pending = null;
        return new Outcome.Polled(r);
    }

    /** A listener that stops resets the connections nobody accepted and empties its queue. */
    private void resetUnaccepted(Sock s, String action) {
        for (Sock c : List.copyOf(s.host.sockets)) {
            if (c.listener == s) {
                net.add(Segment.tcp(Kind.RST, c.local, c.remote, c.sndNxt, c.rcvNxt));
                stack.setState(c, TcpState.CLOSED, action);
                c.host.sockets.remove(c);
            }
        }
        s.acceptQueue.clear();
    }

    /**
     * What happens when the last descriptor of a socket goes (spec: LastClose).
     * A listener resets the connections nobody accepted; a connection with
     * unread data is reset (RFC 2525 2.17, as Linux does); otherwise it sends
     * FIN and lives on without a descriptor until the close handshake ends.
     */
    private void lastClose(Sock s, String action) {
        if (s.unix()) {
            stack.unix.unixLastClose(s, action);
            return;
        }
        if (!s.tcp()) {
            s.host.sockets.remove(s);
            return;
        }
        if (s.abortsOnClose()) {
            // SO_LINGER on with 0 aborts: RST, except in CLOSING and LAST-ACK, where the entry just goes.
            switch (s.state) {
                case ESTABLISHED, CLOSE_WAIT, FIN_WAIT_1, FIN_WAIT_2 -> {
                    abort(s, action);
                    return;
                }
                case CLOSING, LAST_ACK -> {
                    stack.setState(s, TcpState.CLOSED, action);
                    s.host.sockets.remove(s);
                    return;
                }
                default -> { }
            }
        }
        switch (s.state) {
            case LISTEN -> {
                resetUnaccepted(s, action);
                stack.setState(s, TcpState.CLOSED, action);
                s.host.sockets.remove(s);
            }
            case CLOSED, SYN_SENT -> {
                stack.setState(s, TcpState.CLOSED, action);
                s.host.sockets.remove(s);
            }
            case SYN_RECEIVED -> abort(s, action);
            // Unread data resets the connection in every state but TIME-WAIT, FIN-WAIT-2 after
            // shutdown(SHUT_WR) too (Linux, probed).
            case FIN_WAIT_1, FIN_WAIT_2, CLOSING, LAST_ACK -> {
                if (s.unread > 0) {
                    abort(s, action);
                } else {
                    s.rdShut = true;
                }
            }
            case ESTABLISHED, CLOSE_WAIT -> {
                if (s.unread > 0) {
                    abort(s, action);
                } else {
                    // No FIN went out in these states, even with a shutdown flag Linux kept.
                    s.wrShut = true;
                    s.rdShut = true;
                    sendFin(s, action);
                }
            }
            default -> s.rdShut = true;
        }
    }

    private void abort(Sock s, String action) {
        net.add(Segment.tcp(Kind.RST, s.local, s.remote, s.sndNxt, s.rcvNxt));
        stack.setState(s, TcpState.CLOSED, action);
        s.host.sockets.remove(s);
    }

    /** Our FIN takes the next sequence number: ESTABLISHED goes to FIN-WAIT-1, CLOSE-WAIT to LAST-ACK. */
    private void sendFin(Sock s, String action) {
        s.finSeq = s.sndNxt;
        net.add(Segment.tcp(Kind.FIN, s.local, s.remote, s.sndNxt++, s.rcvNxt));
        stack.setState(s, s.state == TcpState.CLOSE_WAIT ? TcpState.LAST_ACK : TcpState.FIN_WAIT_1, action);
    }

    /**
     * Autobind (listen, send, sendto of an unbound socket): the next free
     * ephemeral port, checked against every address of the socket's family
     * (spec: FreeEphemeral(s, Wild(x))); the socket keeps its address (the
     * wildcard, or the one a bind gave before Linux took back its port).
     * False when every ephemeral port is taken.
     */
    private boolean autobind(Sock s) {
        int port = network.freeEphemeral(s, Network.wild(s));
        if (port == 0) {
            return false;
        }
        s.local = new Endpoint(s.local.ip(), port);
        s.bindReuse = s.reuse;
        s.boundAt = stack.nextInode++;
        s.picked = true;
        return true;
    }

    private boolean anotherListener(Sock s) {
        for (Sock o : s.host.sockets) {
            if (o != s && o.tcp() && o.state == TcpState.LISTEN && o.local.port() == s.local.port()
                    && Network.overlap(o.local.ip(), o.v6only, s.local.ip(), s.v6only)) {
                return true;
            }
        }
        return false;
    }

    private boolean fourTupleTaken(Sock s, Endpoint local, Endpoint remote) {
        for (Sock o : s.host.sockets) {
            if (sameFourTuple(o, s, local, remote) && !takesOver(s, o)) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameFourTuple(Sock o, Sock s, Endpoint local, Endpoint remote) {
        return o != s && o.tcp() && o.state != TcpState.CLOSED && o.state != TcpState.LISTEN
                && local.equals(o.local) && remote.equals(o.remote);
    }

    /**
     * Linux: a connect from the port a socket already has takes over a
     * connection in TIME-WAIT with the same four addresses that no
     * descriptor, no message in flight and no listener's queue holds, or an
     * orphaned FIN-WAIT-2 one (Linux keeps it as a time-wait socket); TCP
     * timestamps tell the new connection's segments from the old one's, RFC 6191.
     */
    private boolean takesOver(Sock s, Sock o) {
        return profile == Profile.LINUX && s.bound()
                && (o.state == TcpState.TIME_WAIT || o.state == TcpState.FIN_WAIT_2) && o.orphan()
                && o.listener == null;
    }

    private static Errno takeError(Sock s) {
        Errno e = s.err;
        s.err = null;
        return e;
    }

    private static Outcome ok(long value) {
        return new Outcome.Value(value);
    }

    static Outcome fail(Errno e) {
        return new Outcome.Failed(e);
    }
}
