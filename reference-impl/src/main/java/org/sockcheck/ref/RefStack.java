package org.sockcheck.ref;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sockcheck.ref.Segment.Kind;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Errno;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.Profile;
import org.sockcheck.spec.Proto;
import org.sockcheck.spec.ShutdownHow;
import org.sockcheck.spec.SockType;
import org.sockcheck.spec.SocketRow;
import org.sockcheck.spec.TcpState;

/**
 * The reference stack: the specification (spec/*.tla) in Java, to be read
 * next to it. Each action of the spec is one method of the same name, in the
 * same order as the modules: the calls of SocketApi.tla, the segment arrivals
 * and timers of Tcp.tla, the datagram arrivals of Udp.tla, the network of
 * Network.tla. Every TCP state change goes through {@link #setState}, which
 * records {@code from => to} with the action that made it.
 *
 * <p>The stack is deterministic. By default each call runs to completion and
 * the network then delivers what is in flight, oldest first, until no segment
 * can be taken; a blocking call that still cannot return gives up with
 * {@link Outcome.Blocked}, as a real implementation's call times out. A caller
 * that wants to choose delivery, loss, duplication and reordering itself
 * turns that off ({@link #setAutoDeliver}) and drives the network with
 * {@link #deliver}, {@link #loseSegment}, {@link #advance} and
 * {@link #tryReturn}.
 *
 * <p>Where the spec abstracts, the stack is concrete in the way Linux is:
 * byte streams rather than segments for recv, a backlog, ephemeral ports from
 * 32768, timers on a virtual clock. Those places say so.
 */
public final class RefStack {
    /** RFC 9293 3.4.2: 2*MSL; Linux's TCP_TIMEWAIT_LEN is 60 s. */
    static final long TIME_WAIT_MS = 60_000;
    /** Linux's default net.ipv4.tcp_fin_timeout. */
    static final long FIN_WAIT_2_MS = 60_000;
    /** Linux gives up a SYN after tcp_syn_retries = 6 retransmissions: 1+2+...+64 s. */
    static final long SYN_SENT_MS = 127_000;
    /** ... and a SYN-ACK after tcp_synack_retries = 5: 1+2+...+32 s. */
    static final long SYN_RECEIVED_MS = 63_000;

    /**
     * The stack's finite resources, which the spec has as the finite sets Fds,
     * Sids and EphemeralPorts: descriptors per process (EMFILE), entries per
     * socket table (ENOBUFS) and the ephemeral port range (EAGAIN).
     */
    public record Limits(int descriptors, int sockets, int ephemeralFirst, int ephemeralLast) {
        /** Linux's defaults: RLIMIT_NOFILE 1024, ip_local_port_range 32768-60999. */
        public static final Limits LINUX = new Limits(1024, 65_536, 32768, 60999);
    }

    private final Profile profile;
    private final Limits limits;
    private final Map<String, Host> hosts = new LinkedHashMap<>();
    private final Map<String, Host> byIp = new HashMap<>();
    private final List<Segment> net = new ArrayList<>();
    private final List<Transition> transitions = new ArrayList<>();
    private boolean autoDeliver = true;
    private long now;
    private long nextInode = 10_000;

    public RefStack(Profile profile) {
        this(profile, Limits.LINUX);
    }

    public RefStack(Profile profile, Limits limits) {
        this.profile = profile;
        this.limits = limits;
    }

    public void addHost(String name, String ip) {
        if (byIp.containsKey(ip)) {
            throw new IllegalArgumentException("address " + ip + " already belongs to a host");
        }
        Host h = new Host(name, ip);
        hosts.put(name, h);
        byIp.put(ip, h);
    }

    // ------------------------------------------------------------ observing

    /** Every TCP state change so far, oldest first. */
    public List<Transition> transitions() {
        return List.copyOf(transitions);
    }

    /** The socket table of a host as /proc/net lists it (S1, S16), in creation order. */
    public List<SocketRow> sockets(String hostName) {
        List<SocketRow> rows = new ArrayList<>();
        for (Sock s : host(hostName).sockets) {
            // The trace format observes TCP and UDP; raw sockets show in procNet.
            if (s.listed() && s.proto != Proto.RAW) {
                rows.add(s.row());
            }
        }
        return rows;
    }

    /** The host's table in the kernel's text format: /proc/net/tcp, /proc/net/udp or /proc/net/raw (S16). */
    public String procNet(String hostName, Proto proto) {
        return ProcNet.render(host(hostName).sockets, proto, now);
    }

    /** The segments in flight, in the order they were sent. */
    public List<Segment> inFlight() {
        return List.copyOf(net);
    }

    /** The virtual clock, in milliseconds since the stack started. */
    public long now() {
        return now;
    }

    // ------------------------------------------------------------ driving

    /** Whether each call is followed by in-order delivery of everything in flight (the default). */
    public void setAutoDeliver(boolean on) {
        autoDeliver = on;
    }

    /**
     * Runs one call of a process. With automatic delivery the network then
     * settles and a call that had to wait returns if it can, or gives up.
     */
    public Outcome call(String hostName, String processName, ApiCall call) {
        Host h = host(hostName);
        Process p = h.processes.get(processName);
        if (p == null || !p.alive) {
            // A name not seen before, or of a process that exited, starts a new process.
            p = new Process(h, processName);
            h.processes.put(processName, p);
        }
        if (p.pending != null && !(call instanceof ApiCall.Exit)) {
            // Only exit ends a process that waits in a call (spec: Exit needs alive, not Ready).
            throw new IllegalStateException(hostName + "." + processName + " still waits in " + p.pending.op());
        }
        Outcome outcome = dispatch(p, call);
        if (!autoDeliver) {
            return outcome;
        }
        settle();
        if (p.pending == null) {
            return outcome;
        }
        Outcome late = tryReturn(p);
        if (late != null) {
            return late;
        }
        String op = p.pending.op();
        p.pending = null;
        return new Outcome.Blocked(op + " would wait: nothing in flight can complete it");
    }

    /** The ...Returns step of a process waiting in a blocking call, if it can return now; else null. */
    public Outcome tryReturn(String hostName, String processName) {
        Process p = host(hostName).processes.get(processName);
        return p == null || p.pending == null ? null : tryReturn(p);
    }

    private Outcome tryReturn(Process p) {
        return switch (p.pending.op()) {
            case "connect" -> connectReturns(p);
            case "accept" -> acceptReturns(p);
            default -> recvReturns(p);
        };
    }

    /** The spec action each call of the trace format is: mostly the same word. */
    static String action(ApiCall call) {
        return switch (call) {
            case ApiCall.SendTo c -> "sendTo";
            case ApiCall.Recv c -> "recv";
            case ApiCall.RecvFrom c -> "recv";
            case ApiCall.SetSockOpt c -> "setReuseAddr";
            case ApiCall.GetSockName c -> "getSockName";
            case ApiCall.GetPeerName c -> "getPeerName";
            default -> call.op();
        };
    }

    private Outcome dispatch(Process p, ApiCall call) {
        switch (call) {
            case ApiCall.Socket c -> {
                return socket(p, c.type(), c.protocol());
            }
            case ApiCall.Fork c -> {
                return fork(p, c.child());
            }
            case ApiCall.Exit c -> {
                return exit(p);
            }
            default -> { }
        }
        int fd = call.fd();
        Sock s = p.descriptors.get(fd);
        if (s == null) {
            return fail(Errno.EBADF);
        }
        return switch (call) {
            case ApiCall.Bind c -> bind(s, c.addr());
            case ApiCall.Listen c -> listen(s, c.backlog());
            case ApiCall.Connect c -> connect(p, fd, s, c.addr());
            case ApiCall.Accept c -> accept(p, fd, s);
            case ApiCall.Send c -> send(s, c.data());
            case ApiCall.SendTo c -> sendTo(s, c.data(), c.addr());
            case ApiCall.Recv c -> recv(p, fd, s, "recv", c.max());
            case ApiCall.RecvFrom c -> recv(p, fd, s, "recvfrom", c.max());
            case ApiCall.Shutdown c -> shutdown(s, c.how());
            case ApiCall.Close c -> close(p, fd, s);
            case ApiCall.Dup c -> dup(p, s);
            case ApiCall.SetSockOpt c -> setReuseAddr(s, c.value() != 0);
            case ApiCall.GetSockName c -> getSockName(s);
            case ApiCall.GetPeerName c -> getPeerName(s);
            case ApiCall.Socket c -> throw new IllegalStateException("handled above");
            case ApiCall.Fork c -> throw new IllegalStateException("handled above");
            case ApiCall.Exit c -> throw new IllegalStateException("handled above");
        };
    }

    // ================================================================ SocketApi.tla

    /** Socket: a new, unbound table entry and the lowest free descriptor (S1, S2). */
    Outcome socket(Process p, SockType type, int protocol) {
        Errno refused = socketError(type, protocol);
        if (refused != null) {
            return fail(refused);
        }
        if (p.descriptors.size() >= limits.descriptors() - Process.FIRST_FREE) {
            return fail(Errno.EMFILE);
        }
        if (p.host.sockets.size() >= limits.sockets()) {
            return fail(Errno.ENOBUFS);
        }
        Sock s = new Sock(p.host, type.proto(), type == SockType.RAW ? protocol : 0, nextInode++);
        p.host.sockets.add(s);
        return ok(p.allocate(s));
    }

    /**
     * What socket() answers a type and protocol it makes no socket for (spec:
     * SocketErrors), or null: a stream socket is TCP (0 or 6), a datagram
     * socket UDP (0 or 17), a raw socket any protocol but 0. Linux: a number
     * outside 0..262 is EINVAL, any other EPROTONOSUPPORT; POSIX: EPROTOTYPE
     * for a protocol of the other type (the spec allows EPROTONOSUPPORT too),
     * else EPROTONOSUPPORT.
     */
    private Errno socketError(SockType type, int protocol) {
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

    /**
     * Bind: gives the socket its local address (S5). A socket binds once; the
     * address must be the host's own or the wildcard; an address another
     * socket of the protocol holds is in use (S14) unless reuse allows it;
     * port 0 asks for an ephemeral one. Raw sockets take an address, no port (S7).
     */
    Outcome bind(Sock s, Endpoint addr) {
        boolean ownAddress = addr.wildcardIp() || addr.ip().equals(s.host.ip);
        if (s.proto == Proto.RAW) {
            if (!ownAddress) {
                return fail(Errno.EADDRNOTAVAIL);
            }
            s.local = new Endpoint(addr.ip(), 0);
            return ok(0);
        }
        if (s.bound()) {
            return fail(Errno.EINVAL);
        }
        if (!ownAddress) {
            return fail(Errno.EADDRNOTAVAIL);
        }
        int port = addr.port() == 0 ? freeEphemeral(s, addr.ip()) : addr.port();
        if (port == 0 || conflicts(s, addr.ip(), port)) {
            if (profile == Profile.LINUX) {
                // Linux has set the address when it finds the port taken, and clears it (__inet_bind): a
                // socket that kept its address after its port went back is on the wildcard now.
                s.local = new Endpoint(Endpoint.ANY_IP, s.local.port());
            }
            return fail(Errno.EADDRINUSE);
        }
        s.local = new Endpoint(addr.ip(), port);
        s.bindReuse = s.reuse;
        s.picked = s.tcp() && addr.port() == 0;
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
        if (!s.tcp()) {
            return fail(Errno.EOPNOTSUPP);
        }
        if (s.state == TcpState.LISTEN) {
            s.backlog = backlog;
            return ok(0);
        }
        if (s.state != TcpState.CLOSED || (profile == Profile.LINUX && s.conn)) {
            // Linux: a socket once connected never listens (its socket layer stays connected).
            return fail(Errno.EINVAL);
        }
        if (!s.bound() && profile == Profile.POSIX) {
            return fail(Errno.EDESTADDRREQ);
        }
        // The address is checked again; Linux checks it as bind does, so a connection made since the
        // bind holds the port too (one that a stopped listener had accepted, say), and SO_REUSEADDR
        // counts as the sockets have it now.
        if (s.bound() && (anotherListener(s)
                || (profile == Profile.LINUX && conflicts(s, s.local.ip(), s.local.port(), true)))) {
            return fail(Errno.EADDRINUSE);
        }
        if (!s.bound() && !autobind(s)) {
            return fail(Errno.EADDRINUSE);
        }
        s.backlog = backlog;
        // Linux keeps the address of an earlier failed connect's peer (inet_daddr; tcp_disconnect
        // only zeroes the port), and /proc/net/tcp shows it as the listener's remote end.
        s.remote = profile == Profile.LINUX && s.remote != null ? new Endpoint(s.remote.ip(), 0) : null;
        setState(s, TcpState.LISTEN, "listen");
        return ok(0);
    }

    /**
     * Connect: TCP sends SYN and waits in SYN-SENT (RFC 9293 3.5); the call
     * returns in {@link #connectReturns}. An unbound socket gets an ephemeral
     * port and the host's address. Each 4-tuple has one socket (S14). UDP and
     * raw sockets only record the peer (S6).
     */
    Outcome connect(Process p, int fd, Sock s, Endpoint addr) {
        if (s.tcp() && s.state == TcpState.SYN_SENT) {
            return fail(Errno.EALREADY);
        }
        if (s.tcp() && (s.state != TcpState.CLOSED || (profile == Profile.LINUX && s.conn))) {
            // Linux answers EISCONN for a listener too: the socket is not CLOSED; and for a socket
            // once connected, after its connection ended.
            return fail(Errno.EISCONN);
        }
        addr = destination(s, addr);
        if (addr == null) {
            // Linux: to 127.0.0.1, no host here (the spec: outside the model).
            return fail(Errno.ENETUNREACH);
        }
        int lport = s.bound() || s.proto == Proto.RAW ? s.local.port() : freeEphemeral(s, s.host.ip);
        if (lport == 0 && s.proto != Proto.RAW) {
            return fail(Errno.EAGAIN);
        }
        if (addr.port() == 0 && s.proto != Proto.RAW && profile == Profile.POSIX) {
            // Port 0 names no socket; BSD refuses it at once (Linux sends the SYN, or lets UDP connect).
            return fail(Errno.EADDRNOTAVAIL);
        }
        Endpoint local = new Endpoint(s.host.ip, lport);
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
                    setState(o, TcpState.CLOSED, "connect");
                    s.host.sockets.remove(o);
                }
            }
        }
        if (!s.bound()) {
            s.bindReuse = s.reuse;
        }
        if (s.proto == Proto.RAW) {
            s.remote = new Endpoint(addr.ip(), 0);
            return ok(0);
        }
        if (s.tcp()) {
            s.picked = !s.bound() || s.picked;
            s.pickedIp = s.local.wildcardIp();
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
        setState(s, TcpState.SYN_SENT, "connect");
        net.add(Segment.tcp(Kind.SYN, local, addr, 0, 0));
        p.pending = new Process.Pending("connect", fd, 0);
        return new Outcome.Blocked("connect waits for the handshake");
    }

    /**
     * Where a call addressed to addr goes (spec: Dest): the wildcard address means this host, the
     * socket's own address; a socket with none goes, on Linux, to 127.0.0.1, no host here (null).
     */
    private Endpoint destination(Sock s, Endpoint addr) {
        if (!addr.wildcardIp()) {
            return addr;
        }
        if (!s.local.wildcardIp()) {
            return new Endpoint(s.local.ip(), addr.port());
        }
        return profile == Profile.POSIX ? new Endpoint(s.host.ip, addr.port()) : null;
    }

    /** ConnectReturns: connect returns 0 once the connection is established, or the error that ended it. */
    Outcome connectReturns(Process p) {
        Sock s = p.descriptors.get(p.pending.fd());
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
            // Linux's tcp_disconnect also clears the shutdown flags.
            s.rdShut = false;
            s.wrShut = false;
            s.fin = false;
            // Linux keeps the peer's address (tcp_disconnect zeroes only the port); a later listen shows it.
            s.remote = profile == Profile.LINUX && s.remote != null ? new Endpoint(s.remote.ip(), 0) : null;
        } else {
            return null;
        }
        p.pending = null;
        return out;
    }

    /** Accept: hands out the oldest established connection as a new socket (S10, S11), or waits. */
    Outcome accept(Process p, int fd, Sock l) {
        if (!l.tcp()) {
            return fail(Errno.EOPNOTSUPP);
        }
        if (l.state != TcpState.LISTEN) {
            return fail(Errno.EINVAL);
        }
        if (!l.acceptQueue.isEmpty()) {
            return p.descriptors.size() >= limits.descriptors() - Process.FIRST_FREE
                    ? fail(Errno.EMFILE) : takeConnection(p, l);
        }
        p.pending = new Process.Pending("accept", fd, 0);
        return new Outcome.Blocked("accept waits for a connection");
    }

    private static Outcome takeConnection(Process p, Sock l) {
        Sock c = l.acceptQueue.poll();
        c.listener = null;
        c.conn = true;
        return new Outcome.Accepted(p.allocate(c), c.remote);
    }

    /** AcceptReturns: a waiting accept returns when a connection is queued. */
    Outcome acceptReturns(Process p) {
        Sock l = p.descriptors.get(p.pending.fd());
        Outcome out;
        if (l == null || l.state != TcpState.LISTEN) {
            out = fail(Errno.EINVAL);
        } else if (l.acceptQueue.isEmpty()) {
            return null;
        } else {
            out = takeConnection(p, l);
        }
        p.pending = null;
        return out;
    }

    /**
     * Send: appends to the byte stream (S10, S18) or sends one datagram to the
     * connected peer. A stream that cannot send says EPIPE; POSIX says
     * ENOTCONN for one that never connected.
     */
    Outcome send(Sock s, byte[] data) {
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

    /** SendTo: a datagram carries its destination (S13); an unbound UDP sender gets a port (S19). */
    Outcome sendTo(Sock s, byte[] data, Endpoint to) {
        if (s.tcp() && profile == Profile.LINUX) {
            // Linux ignores the address of a sendto on a stream socket: it is a send.
            return send(s, data);
        }
        if (s.tcp()) {
            return fail(s.state == TcpState.ESTABLISHED || s.state == TcpState.CLOSE_WAIT ? Errno.EISCONN : Errno.EPIPE);
        }
        if (s.proto == Proto.UDP && to.port() == 0) {
            // udp_sendmsg refuses port 0 before anything else, the socket bound by then on Linux.
            return fail(!bindsFirst(s) || autobind(s) ? Errno.EINVAL : Errno.EAGAIN);
        }
        to = destination(s, to);
        if (to == null) {
            return fail(Errno.ENETUNREACH);
        }
        if (s.err != null) {
            return fail(takeError(s));
        }
        if (s.wrShut && !rawIgnoresShutdown(s)) {
            return fail(!bindsFirst(s) || autobind(s) ? Errno.EPIPE : Errno.EAGAIN);
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

    /** A Linux raw socket does not look at its shutdown flags when it sends (probed). */
    private boolean rawIgnoresShutdown(Sock s) {
        return profile == Profile.LINUX && s.proto == Proto.RAW;
    }

    private Segment outgoing(Sock s, Endpoint to, byte[] data) {
        if (s.proto == Proto.RAW) {
            return Segment.raw(new Endpoint(s.host.ip, 0), new Endpoint(to.ip(), 0), data, s.protocol);
        }
        return Segment.datagram(new Endpoint(s.host.ip, s.local.port()), to, data);
    }

    /**
     * Recv and RecvFrom: bytes of the stream, or one whole datagram with its
     * sender (S13); end of file after the peer's FIN; ENOTCONN on a stream
     * that is not connected; otherwise the call waits.
     */
    Outcome recv(Process p, int fd, Sock s, String op, int max) {
        Process.Pending call = new Process.Pending(op, fd, max);
        Outcome now = recvResult(s, call);
        if (now == null) {
            p.pending = call;
            return new Outcome.Blocked(op + " waits for data");
        }
        return now;
    }

    /** RecvReturns: a waiting recv returns once there is something to give. */
    Outcome recvReturns(Process p) {
        Sock s = p.descriptors.get(p.pending.fd());
        Outcome out = s == null ? fail(Errno.EBADF) : recvResult(s, p.pending);
        if (out == null) {
            return null;
        }
        p.pending = null;
        return out;
    }

    /** What recv can give right now (spec: RecvResults), or null when it must wait. */
    private Outcome recvResult(Sock s, Process.Pending call) {
        if (s.tcp() && profile == Profile.LINUX) {
            // Linux (tcp_recvmsg): the data first, end of file once the peer's FIN came (an error
            // stays for send), then the error, then end of file after a shutdown or a reset; a
            // listener is not connected, whatever else.
            if (s.state == TcpState.LISTEN) {
                return fail(Errno.ENOTCONN);
            } else if (s.hasData()) {
                return new Outcome.Data(s.take(call.max()), null);
            } else if (s.fin) {
                return new Outcome.Data(new byte[0], null);
            } else if (s.err != null) {
                return fail(takeError(s));
            } else if (s.rdShut) {
                return new Outcome.Data(new byte[0], null);
            } else if (!s.state.synchronizedState()) {
                return fail(Errno.ENOTCONN);
            }
            return null;
        }
        boolean withSender = call.op().equals("recvfrom") && !s.tcp();
        if (profile == Profile.LINUX) {
            // Linux (__skb_recv_datagram): the error, the datagrams, then, once shut for reading, zero bytes at once.
            if (s.err != null) {
                return fail(takeError(s));
            } else if (s.hasData()) {
                return takeDatagram(s, call.max(), withSender);
            } else if (s.rdShut) {
                return new Outcome.Data(new byte[0], null);
            }
            return null;
        }
        Outcome out;
        if (s.err != null) {
            out = fail(takeError(s));
        } else if (s.hasData() && !s.rdShut) {
            if (s.tcp()) {
                out = new Outcome.Data(s.take(call.max()), null);
            } else {
                out = takeDatagram(s, call.max(), withSender);
            }
        } else if (s.tcp() && (s.fin || s.rdShut)) {
            out = new Outcome.Data(new byte[0], null);
        } else if (s.tcp() && !s.state.synchronizedState()) {
            out = fail(Errno.ENOTCONN);
        } else {
            return null;
        }
        return out;
    }

    /** The first datagram of the queue, whole or cut to max bytes (the rest is lost), with its sender when asked for. */
    private static Outcome takeDatagram(Sock s, int max, boolean withSender) {
        Sock.Datagram d = s.datagrams.poll();
        return new Outcome.Data(Sock.truncate(d.data(), max), withSender ? d.from() : null);
    }

    /** Shutdown: SHUT_WR sends FIN and ends sending (RFC 9293 3.6); SHUT_RD ends reading. */
    Outcome shutdown(Sock s, ShutdownHow how) {
        if (profile == Profile.LINUX && s.tcp() && s.state == TcpState.LISTEN) {
            // Linux: a listener answers 0; SHUT_RD stops it as its close would, but the socket stays.
            if (how.read()) {
                resetUnaccepted(s, "shutdown");
                // tcp_disconnect clears the shutdown flags.
                s.rdShut = false;
                s.wrShut = false;
                setState(s, TcpState.CLOSED, "shutdown");
                forget(s);
            }
            return ok(0);
        }
        boolean connected = s.tcp() ? s.state.synchronizedState() : s.connected();
        if (!connected && (profile == Profile.POSIX || (s.tcp() && s.state != TcpState.CLOSED))) {
            return fail(Errno.ENOTCONN);
        }
        if (!connected) {
            // Linux: a datagram socket that is not connected, or a stream socket in CLOSED, says ENOTCONN,
            // yet is shut down.
            s.rdShut |= how.read();
            s.wrShut |= how.write();
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

    /** Close: drops the descriptor; the socket closes with its last one. */
    Outcome close(Process p, int fd, Sock s) {
        p.descriptors.remove(fd);
        if (--s.descriptors == 0) {
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

    /** Exit: the process ends; its descriptors close, and each socket it held alone closes (S17). */
    Outcome exit(Process p) {
        for (Sock s : List.copyOf(p.descriptors.values())) {
            if (--s.descriptors == 0) {
                lastClose(s, "exit");
            }
        }
        p.descriptors.clear();
        p.pending = null;
        p.alive = false;
        return ok(0);
    }

    /** SetReuseAddr: setsockopt(SO_REUSEADDR); it counts for a port taken after it. */
    Outcome setReuseAddr(Sock s, boolean on) {
        s.reuse = on;
        return ok(0);
    }

    /** GetSockName reads the local address (S5). */
    Outcome getSockName(Sock s) {
        return new Outcome.Address(s.bound() ? s.local : new Endpoint(s.local.ip(), s.shownPort));
    }

    /** GetPeerName reads the remote address (S6) of a connected socket. */
    Outcome getPeerName(Sock s) {
        // Linux has no peer without a port (inet_getname): a raw socket's, a UDP socket's connected to port 0.
        boolean unconnected = s.remote == null || (s.tcp()
                && (s.state == TcpState.CLOSED || s.state == TcpState.SYN_SENT || s.state == TcpState.LISTEN))
                || (profile == Profile.LINUX && s.remote.port() == 0);
        return unconnected ? fail(Errno.ENOTCONN) : new Outcome.Address(s.remote);
    }

    /** A listener that stops resets the connections nobody accepted and empties its queue. */
    private void resetUnaccepted(Sock s, String action) {
        for (Sock c : List.copyOf(s.host.sockets)) {
            if (c.listener == s) {
                net.add(Segment.tcp(Kind.RST, c.local, c.remote, c.sndNxt, c.rcvNxt));
                setState(c, TcpState.CLOSED, action);
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
        if (!s.tcp()) {
            s.host.sockets.remove(s);
            return;
        }
        switch (s.state) {
            case LISTEN -> {
                resetUnaccepted(s, action);
                setState(s, TcpState.CLOSED, action);
                s.host.sockets.remove(s);
            }
            case CLOSED, SYN_SENT -> {
                setState(s, TcpState.CLOSED, action);
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
        setState(s, TcpState.CLOSED, action);
        s.host.sockets.remove(s);
    }

    /** Our FIN takes the next sequence number: ESTABLISHED goes to FIN-WAIT-1, CLOSE-WAIT to LAST-ACK. */
    private void sendFin(Sock s, String action) {
        s.finSeq = s.sndNxt;
        net.add(Segment.tcp(Kind.FIN, s.local, s.remote, s.sndNxt++, s.rcvNxt));
        setState(s, s.state == TcpState.CLOSE_WAIT ? TcpState.LAST_ACK : TcpState.FIN_WAIT_1, action);
    }

    // ------------------------------------------------------------ addresses (Network.tla)

    /**
     * Whether binding s to ip:port collides with another socket of the same
     * protocol on the host (S7: TCP and UDP ports are separate spaces). Both
     * sockets allowing reuse lift the conflict, unless the other one listens.
     * A TIME-WAIT entry keeps the option its socket had (POSIX: the new
     * socket's option alone binds over it).
     */
    private boolean conflicts(Sock s, String ip, int port) {
        return conflicts(s, ip, port, false);
    }

    /**
     * now: each other socket's SO_REUSEADDR as it is now (Linux's listen), not as it was at its
     * bind (spec: ConflictsNow and Conflicts).
     */
    private boolean conflicts(Sock s, String ip, int port, boolean now) {
        for (Sock o : s.host.sockets) {
            if (o == s || o.proto != s.proto || o.local.port() != port || !overlap(o.local.ip(), ip)) {
                continue;
            }
            // A TIME-WAIT entry keeps its socket's option: on Linux the new socket's alone is not enough.
            boolean reusable = s.reuse && ((now ? o.reuse : o.bindReuse) || (profile == Profile.POSIX && o.state == TcpState.TIME_WAIT))
                    && o.state != TcpState.LISTEN;
            if (!reusable) {
                return true;
            }
        }
        return false;
    }

    private static boolean overlap(String a, String b) {
        return a.equals(Endpoint.ANY_IP) || b.equals(Endpoint.ANY_IP) || a.equals(b);
    }

    /**
     * Autobind (listen, send, sendto of an unbound socket): the next free
     * ephemeral port, checked against every address; the socket keeps its
     * address (the wildcard, or the one a bind gave before Linux took back
     * its port). False when every ephemeral port is taken.
     */
    private boolean autobind(Sock s) {
        int port = freeEphemeral(s, Endpoint.ANY_IP);
        if (port == 0) {
            return false;
        }
        s.local = new Endpoint(s.local.ip(), port);
        s.bindReuse = s.reuse;
        s.picked = s.tcp();
        return true;
    }

    /**
     * The lowest free ephemeral port of the host, or 0 when all are taken. The spec lets an
     * unbound socket take any port of FreeEphemeral (Linux starts from a moving, hashed offset);
     * this stack takes the lowest, one of the spec's choices, so that its runs repeat exactly.
     */
    private int freeEphemeral(Sock s, String ip) {
        for (int port = limits.ephemeralFirst(); port <= limits.ephemeralLast(); port++) {
            if (!conflicts(s, ip, port)) {
                return port;
            }
        }
        return 0;
    }

    private boolean anotherListener(Sock s) {
        for (Sock o : s.host.sockets) {
            if (o != s && o.tcp() && o.state == TcpState.LISTEN && o.local.port() == s.local.port()
                    && overlap(o.local.ip(), s.local.ip())) {
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
     * descriptor and no listener's queue holds, or an orphaned FIN-WAIT-2
     * one (Linux keeps it as a time-wait socket); TCP timestamps tell the
     * new connection's segments from the old one's, RFC 6191.
     */
    private boolean takesOver(Sock s, Sock o) {
        return profile == Profile.LINUX && s.bound()
                && (o.state == TcpState.TIME_WAIT || o.state == TcpState.FIN_WAIT_2) && o.descriptors == 0
                && o.listener == null;
    }

    // ================================================================ the network

    /** Delivers the oldest segment that some action can take, until none can; bounded. */
    private void settle() {
        for (int budget = 100_000; budget > 0; budget--) {
            boolean moved = false;
            for (int i = 0; i < net.size(); i++) {
                if (deliver(i, false) != null) {
                    moved = true;
                    break;
                }
            }
            if (!moved) {
                return;
            }
        }
        throw new IllegalStateException("the network did not settle: " + net);
    }

    /**
     * The segment at index in {@link #inFlight()} arrives (a copy stays in
     * flight when keep: duplication). Returns the spec action that took it,
     * or null when no action can take it yet (it stays in flight, as a
     * segment numbered above RCV.NXT waits for the ones before it).
     */
    public String deliver(int index, boolean keep) {
        Segment m = net.get(index);
        Host h = byIp.get(m.dst().ip());
        if (h == null) {
            // A host nobody created: the datagram is lost on the way.
            net.remove(index);
            took("loseSegment");
        return "loseSegment";
        }
        lastAction = null;
        boolean done = m.kind().tcp() ? tcpArrival(h, m, keep) : datagramArrival(h, m, keep);
        return done ? lastAction : null;
    }

    /** LoseSegment: a segment in flight disappears. */
    public void loseSegment(int index) {
        net.remove(index);
        took("loseSegment");
    }

    private String lastAction;

    /** Arrive(m, keep, replies): m leaves the network unless a copy stays; the replies join it. */
    private void arrive(Segment m, boolean keep, Segment... replies) {
        if (!keep) {
            net.remove(m);
        }
        for (Segment r : replies) {
            net.add(r);
        }
    }

    // ================================================================ Tcp.tla

    /** TcpArrival: exactly one of these actions takes a TCP segment, if any can. */
    private boolean tcpArrival(Host h, Segment m, boolean keep) {
        Sock s = tcpTarget(h, m);
        if (s == null) {
            return rcvForNoSocket(m, keep);
        }
        return rcvSynInListen(s, m, keep) || rcvOtherInListen(s, m, keep)
                || rcvSynAckInSynSent(s, m, keep) || rcvSynInSynSent(s, m, keep) || rcvRstInSynSent(s, m, keep)
                || rcvAckInSynReceived(s, m, keep) || rcvRstInSynReceived(s, m, keep)
                || rcvData(s, m, keep) || rcvDataAfterClose(s, m, keep) || rcvFin(s, m, keep) || rcvAck(s, m, keep) || rcvRst(s, m, keep)
                || rcvSynInTimeWait(s, m, keep) || rcvStale(s, m, keep);
    }

    /**
     * Demultiplexing (S15), most specific first: the connection whose four
     * addresses match, then a listener on the exact address, then one on the
     * wildcard.
     */
    private static Sock tcpTarget(Host h, Segment m) {
        Sock exactListener = null;
        Sock anyListener = null;
        for (Sock s : h.sockets) {
            if (!s.tcp() || s.local.port() != m.dst().port() || s.state == TcpState.CLOSED) {
                continue;
            }
            if (s.state == TcpState.LISTEN) {
                if (s.local.ip().equals(m.dst().ip()) && exactListener == null) {
                    exactListener = s;
                } else if (s.local.wildcardIp() && anyListener == null) {
                    anyListener = s;
                }
            } else if (s.local.equals(m.dst()) && m.src().equals(s.remote)) {
                return s;
            }
        }
        return exactListener != null ? exactListener : anyListener;
    }

    /** An RST answering segment m (RFC 9293 3.10.7.1): its number is m's ACK. */
    private static Segment resetFor(Segment m) {
        return Segment.tcp(Kind.RST, m.dst(), m.src(), m.ack(), m.seq() + 1);
    }

    /** RcvSynInListen: a SYN for a listener makes a connection in SYN-RECEIVED and answers SYN-ACK (3.10.7.2). */
    private boolean rcvSynInListen(Sock l, Segment m, boolean keep) {
        if (l.state != TcpState.LISTEN || m.kind() != Kind.SYN) {
            return false;
        }
        accepting(l, m, keep, "rcvSynInListen");
        return took("rcvSynInListen");
    }

    /** Accepting: listener l takes the SYN m: a new entry in SYN-RECEIVED, or none when there is no room. */
    private void accepting(Sock l, Segment m, boolean keep, String action) {
        if (l.acceptQueue.size() > l.backlog || l.host.sockets.size() >= limits.sockets()) {
            // Linux drops a SYN when the accept queue is full; the spec's "no free entry".
            arrive(m, keep);
            return;
        }
        Sock c = new Sock(l.host, Proto.TCP, 0, nextInode++);
        c.local = m.dst();
        c.remote = m.src();
        c.listener = l;
        // It takes the listener's port with the listener's SO_REUSEADDR.
        c.reuse = l.reuse;
        c.bindReuse = l.reuse;
        // Linux: the port of a connection is not the user's (sk_clone_lock clears
        // SOCK_BINDPORT_LOCK), so it is given back when the connection ends.
        c.picked = profile == Profile.LINUX || l.picked;
        // Linux: the flags a failed shutdown left on the listener (sk_clone_lock).
        c.rdShut = profile == Profile.LINUX && l.rdShut;
        c.wrShut = profile == Profile.LINUX && l.wrShut;
        c.sndNxt = 1;
        c.rcvNxt = m.seq() + 1;
        l.host.sockets.add(c);
        setState(c, TcpState.SYN_RECEIVED, action);
        arrive(m, keep, Segment.tcp(Kind.SYNACK, m.dst(), m.src(), 0, m.seq() + 1));
    }

    /** RcvOtherInListen: anything but a SYN for a listener is answered by RST; an RST is ignored (3.10.7.2). */
    private boolean rcvOtherInListen(Sock l, Segment m, boolean keep) {
        if (l.state != TcpState.LISTEN) {
            return false;
        }
        if (m.kind() == Kind.RST) {
            arrive(m, keep);
        } else {
            arrive(m, keep, resetFor(m));
        }
        return took("rcvOtherInListen");
    }

    /** RcvForNoSocket: a segment no socket takes is answered by RST unless it is one (3.10.7.1). */
    private boolean rcvForNoSocket(Segment m, boolean keep) {
        if (m.kind() == Kind.RST) {
            arrive(m, keep);
        } else {
            arrive(m, keep, resetFor(m));
        }
        return took("rcvForNoSocket");
    }

    /** RcvSynAckInSynSent: the SYN-ACK that acknowledges our SYN establishes the connection (3.10.7.3). */
    private boolean rcvSynAckInSynSent(Sock s, Segment m, boolean keep) {
        if (s.state != TcpState.SYN_SENT || m.kind() != Kind.SYNACK || m.ack() != s.sndNxt) {
            return false;
        }
        s.sndUna = m.ack();
        s.rcvNxt = m.seq() + 1;
        s.pickedIp = false;
        setState(s, TcpState.ESTABLISHED, "rcvSynAckInSynSent");
        arrive(m, keep, Segment.tcp(Kind.ACK, m.dst(), m.src(), s.sndNxt, m.seq() + 1));
        return took("rcvSynAckInSynSent");
    }

    /** RcvSynInSynSent: a SYN while our own is out is a simultaneous open (3.10.7.3, figure 8). */
    private boolean rcvSynInSynSent(Sock s, Segment m, boolean keep) {
        if (s.state != TcpState.SYN_SENT || m.kind() != Kind.SYN) {
            return false;
        }
        s.rcvNxt = m.seq() + 1;
        setState(s, TcpState.SYN_RECEIVED, "rcvSynInSynSent");
        arrive(m, keep, Segment.tcp(Kind.SYNACK, m.dst(), m.src(), 0, m.seq() + 1));
        return took("rcvSynInSynSent");
    }

    /** RcvRstInSynSent: an RST that acknowledges our SYN refuses the connection: ECONNREFUSED. */
    private boolean rcvRstInSynSent(Sock s, Segment m, boolean keep) {
        if (s.state != TcpState.SYN_SENT || m.kind() != Kind.RST || m.ack() != s.sndNxt) {
            return false;
        }
        s.err = Errno.ECONNREFUSED;
        setState(s, TcpState.CLOSED, "rcvRstInSynSent");
        forget(s);
        arrive(m, keep);
        return took("rcvRstInSynSent");
    }

    /**
     * RcvAckInSynReceived: the ACK of our SYN-ACK (or the peer's SYN-ACK in a
     * simultaneous open) establishes the connection; a listener's connection
     * joins its accept queue (S9, S10).
     */
    private boolean rcvAckInSynReceived(Sock s, Segment m, boolean keep) {
        if (s.state != TcpState.SYN_RECEIVED || (m.kind() != Kind.ACK && m.kind() != Kind.SYNACK)
                || m.ack() != s.sndNxt) {
            return false;
        }
        s.sndUna = m.ack();
        s.pickedIp = false;
        if (s.listener != null) {
            s.listener.acceptQueue.add(s);
        }
        if (s.wrShut) {
            // Linux: a connection whose socket carries a shutdown flag for writing (inherited from its
            // listener, or kept through connect) sends its FIN as soon as it is established.
            s.finSeq = s.sndNxt;
            Segment fin = Segment.tcp(Kind.FIN, s.local, s.remote, s.sndNxt++, s.rcvNxt);
            setState(s, TcpState.FIN_WAIT_1, "rcvAckInSynReceived");
            arrive(m, keep, fin);
        } else {
            setState(s, TcpState.ESTABLISHED, "rcvAckInSynReceived");
            arrive(m, keep);
        }
        return took("rcvAckInSynReceived");
    }

    /** RcvRstInSynReceived: a reset handshake ends; an active open reports ECONNREFUSED. */
    private boolean rcvRstInSynReceived(Sock s, Segment m, boolean keep) {
        if (s.state != TcpState.SYN_RECEIVED || m.kind() != Kind.RST || m.seq() != s.rcvNxt) {
            return false;
        }
        if (s.listener == null) {
            s.err = Errno.ECONNREFUSED;
        }
        setState(s, TcpState.CLOSED, "rcvRstInSynReceived");
        forget(s);
        arrive(m, keep);
        return took("rcvRstInSynReceived");
    }

    /**
     * RcvData: the next data segment of the stream is queued and acknowledged
     * (S10, S18). Only the segment numbered RCV.NXT is taken, so the stream
     * stays in order whatever the network does.
     */
    private boolean rcvData(Sock s, Segment m, boolean keep) {
        if (m.kind() != Kind.DATA || m.seq() != s.rcvNxt || !receiving(s.state) || readsNoMore(s)) {
            return false;
        }
        // After SHUT_RD, POSIX discards what arrives; Linux queues it while a descriptor holds the socket.
        if (!s.rdShut || (profile == Profile.LINUX && s.descriptors > 0)) {
            s.append(m.data());
        }
        s.rcvNxt++;
        arrive(m, keep, Segment.tcp(Kind.ACK, s.local, s.remote, s.sndNxt, s.rcvNxt));
        return took("rcvData");
    }

    /**
     * Whether new data for s, which has sent its FIN, can no longer be read
     * (RFC 1122 4.2.2.13): POSIX, when no descriptor refers to it; Linux,
     * when its reading side is shut (close or shutdown(SHUT_RD)).
     */
    private boolean readsNoMore(Sock s) {
        return (s.state == TcpState.FIN_WAIT_1 || s.state == TcpState.FIN_WAIT_2)
                && (profile == Profile.LINUX ? s.rdShut : s.descriptors == 0);
    }

    /**
     * RcvDataAfterClose: such data aborts the connection and is answered by
     * RST, numbered by the segment's acknowledgement so the peer takes it; a
     * descriptor still on the socket sees ECONNRESET.
     */
    private boolean rcvDataAfterClose(Sock s, Segment m, boolean keep) {
        if (m.kind() != Kind.DATA || m.seq() != s.rcvNxt || !readsNoMore(s)) {
            return false;
        }
        s.err = Errno.ECONNRESET;
        setState(s, TcpState.CLOSED, "rcvDataAfterClose");
        forget(s);
        arrive(m, keep, Segment.tcp(Kind.RST, m.dst(), m.src(), m.ack(), m.seq() + 1));
        return took("rcvDataAfterClose");
    }

    private static boolean receiving(TcpState st) {
        return st == TcpState.ESTABLISHED || st == TcpState.FIN_WAIT_1 || st == TcpState.FIN_WAIT_2;
    }

    /**
     * RcvFin: the peer's FIN ends its half of the stream (3.10.7.4, eighth
     * step): ESTABLISHED goes to CLOSE-WAIT, FIN-WAIT-1 to CLOSING
     * (simultaneous close), FIN-WAIT-2 to TIME-WAIT.
     */
    private boolean rcvFin(Sock s, Segment m, boolean keep) {
        if (m.kind() != Kind.FIN || m.seq() != s.rcvNxt || !receiving(s.state)) {
            return false;
        }
        s.fin = true;
        s.rcvNxt++;
        TcpState to = switch (s.state) {
            case ESTABLISHED -> TcpState.CLOSE_WAIT;
            case FIN_WAIT_1 -> TcpState.CLOSING;
            default -> TcpState.TIME_WAIT;
        };
        Segment ack = Segment.tcp(Kind.ACK, s.local, s.remote, s.sndNxt, s.rcvNxt);
        if (to == TcpState.TIME_WAIT) {
            enterTimeWait(s, "rcvFin");
        } else {
            setState(s, to, "rcvFin");
        }
        arrive(m, keep, ack);
        return took("rcvFin");
    }

    /**
     * EnterTimeWait: a connection whose close is done on our side goes to
     * TIME-WAIT. On Linux a socket a descriptor still holds hands the
     * connection to a time-wait entry of its own and is itself CLOSED, shut
     * both ways, giving back a port the stack picked; with no room there is
     * no TIME-WAIT at all.
     */
    private void enterTimeWait(Sock s, String action) {
        if (profile == Profile.POSIX || s.descriptors == 0) {
            setState(s, TcpState.TIME_WAIT, action);
            return;
        }
        if (s.host.sockets.size() < limits.sockets()) {
            Sock tw = new Sock(s.host, Proto.TCP, 0, nextInode++);
            tw.local = s.local;
            tw.remote = s.remote;
            tw.state = s.state;
            tw.reuse = s.reuse;
            tw.bindReuse = s.bindReuse;
            tw.fin = s.fin;
            tw.rdShut = s.rdShut;
            tw.wrShut = s.wrShut;
            tw.sndUna = s.sndUna;
            tw.sndNxt = s.sndNxt;
            tw.rcvNxt = s.rcvNxt;
            tw.finSeq = s.finSeq;
            tw.conn = s.conn;
            tw.picked = s.picked;
            tw.pickedIp = s.pickedIp;
            tw.shownPort = s.shownPort;
            s.host.sockets.add(tw);
            setState(tw, TcpState.TIME_WAIT, action);
        }
        s.rdShut = true;
        s.wrShut = true;
        setState(s, TcpState.CLOSED, action);
        forget(s);
    }

    /**
     * RcvAck: an acknowledgement moves SND.UNA. When it covers our FIN,
     * FIN-WAIT-1 goes to FIN-WAIT-2, CLOSING to TIME-WAIT, LAST-ACK to CLOSED.
     * An old or duplicate ACK changes nothing.
     */
    private boolean rcvAck(Sock s, Segment m, boolean keep) {
        if (m.kind() != Kind.ACK || !s.state.synchronizedState()) {
            return false;
        }
        if (m.ack() > s.sndUna && m.ack() <= s.sndNxt) {
            s.sndUna = m.ack();
        }
        if (s.finSeq > 0 && s.sndUna > s.finSeq) {
            switch (s.state) {
                case FIN_WAIT_1 -> setState(s, TcpState.FIN_WAIT_2, "rcvAck");
                case CLOSING -> enterTimeWait(s, "rcvAck");
                case LAST_ACK -> setState(s, TcpState.CLOSED, "rcvAck");
                default -> { }
            }
        }
        forget(s);
        arrive(m, keep);
        return took("rcvAck");
    }

    /**
     * RcvRst: an acceptable RST (numbered RCV.NXT, RFC 5961 3.2) aborts the
     * connection: ECONNRESET (Linux: EPIPE in CLOSE-WAIT, and both halves shut).
     */
    private boolean rcvRst(Sock s, Segment m, boolean keep) {
        if (m.kind() != Kind.RST || !s.state.synchronizedState() || m.seq() != s.rcvNxt) {
            return false;
        }
        s.err = profile == Profile.LINUX && s.state == TcpState.CLOSE_WAIT ? Errno.EPIPE : Errno.ECONNRESET;
        if (profile == Profile.LINUX) {
            // Linux shuts both halves (tcp_done): recv gives end of file once the error is out.
            s.rdShut = s.wrShut = true;
        }
        setState(s, TcpState.CLOSED, "rcvRst");
        forget(s);
        arrive(m, keep);
        return took("rcvRst");
    }

    /**
     * RcvSynInTimeWait (Linux): a SYN for the 4-tuple of a TIME-WAIT entry
     * ends the TIME-WAIT at once (RFC 6191); a listener on the address takes
     * the SYN, or it is refused by RST.
     */
    private boolean rcvSynInTimeWait(Sock s, Segment m, boolean keep) {
        if (profile != Profile.LINUX || s.state != TcpState.TIME_WAIT || m.kind() != Kind.SYN) {
            return false;
        }
        setState(s, TcpState.CLOSED, "rcvSynInTimeWait");
        forget(s);
        Sock l = tcpTarget(s.host, m);
        if (l != null && l.state == TcpState.LISTEN) {
            accepting(l, m, keep, "rcvSynInTimeWait");
        } else {
            arrive(m, keep, resetFor(m));
        }
        return took("rcvSynInTimeWait");
    }

    /**
     * RcvStale: a segment its connection cannot use is dropped: an old or
     * duplicate one, an RST with another number, a SYN after the handshake.
     * NOTE (as in the spec): RFC 5961's challenge ACK is not sent.
     */
    private boolean rcvStale(Sock s, Segment m, boolean keep) {
        Kind k = m.kind();
        boolean sync = s.state.synchronizedState();
        boolean stale = ((k == Kind.DATA || k == Kind.FIN) && m.seq() < s.rcvNxt)
                || (k == Kind.RST && sync && m.seq() != s.rcvNxt)
                || ((k == Kind.SYN || k == Kind.SYNACK) && sync
                        && !(profile == Profile.LINUX && k == Kind.SYN && s.state == TcpState.TIME_WAIT))
                || ((k == Kind.RST || k == Kind.SYNACK) && s.state == TcpState.SYN_SENT && m.ack() != s.sndNxt)
                || ((k == Kind.DATA || k == Kind.FIN) && sync && !receiving(s.state));
        if (!stale) {
            return false;
        }
        arrive(m, keep);
        return took("rcvStale");
    }

    // ------------------------------------------------------------ timers

    /**
     * Moves the virtual clock on by millis, firing each timer whose time
     * comes, in time order. With automatic delivery the network then settles.
     */
    public void advance(long millis) {
        long until = now + millis;
        for (int budget = 10_000; budget > 0; budget--) {
            Sock next = null;
            for (Host h : hosts.values()) {
                for (Sock s : h.sockets) {
                    if (s.timerAt >= 0 && s.timerAt <= until && timerEnabled(s)
                            && (next == null || s.timerAt < next.timerAt)) {
                        next = s;
                    }
                }
            }
            if (next == null) {
                break;
            }
            now = Math.max(now, next.timerAt);
            boolean fired = timeWaitExpires(next) || finWait2Timeout(next) || handshakeTimeout(next);
            if (!fired) {
                throw new IllegalStateException("timer of " + next + " enabled but did not fire");
            }
        }
        now = until;
        if (autoDeliver) {
            settle();
        }
    }

    private boolean timerEnabled(Sock s) {
        return switch (s.state) {
            case TIME_WAIT -> true;
            case FIN_WAIT_2 -> profile == Profile.LINUX && s.descriptors == 0;
            case SYN_SENT, SYN_RECEIVED -> !inFlightFor(s);
            default -> false;
        };
    }

    /** TimeWaitExpires: after 2*MSL a TIME-WAIT entry leaves the table; its address is free (RFC 9293 3.4.2). */
    boolean timeWaitExpires(Sock s) {
        if (s.state != TcpState.TIME_WAIT) {
            return false;
        }
        setState(s, TcpState.CLOSED, "timeWaitExpires");
        forget(s);
        return took("timeWaitExpires");
    }

    /** FinWait2Timeout: Linux frees an orphaned FIN-WAIT-2 entry after tcp_fin_timeout. */
    boolean finWait2Timeout(Sock s) {
        if (s.state != TcpState.FIN_WAIT_2 || profile != Profile.LINUX || s.descriptors > 0) {
            return false;
        }
        setState(s, TcpState.CLOSED, "finWait2Timeout");
        forget(s);
        return took("finWait2Timeout");
    }

    /**
     * HandshakeTimeout: a handshake that cannot progress gives up; an active
     * open reports ETIMEDOUT, a listener's half-open connection disappears.
     * NOTE (as in the spec): retransmission is not modelled, so the timer
     * stands for "retransmission gave up" and needs nothing in flight.
     */
    boolean handshakeTimeout(Sock s) {
        if ((s.state != TcpState.SYN_SENT && s.state != TcpState.SYN_RECEIVED) || inFlightFor(s)) {
            return false;
        }
        if (s.listener == null) {
            s.err = Errno.ETIMEDOUT;
        }
        setState(s, TcpState.CLOSED, "handshakeTimeout");
        forget(s);
        return took("handshakeTimeout");
    }

    private boolean inFlightFor(Sock s) {
        for (Segment m : net) {
            if (m.kind().tcp() && ((m.dst().equals(s.local) && m.src().equals(s.remote))
                    || (m.src().equals(s.local) && m.dst().equals(s.remote)))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Forget: a TCP entry in CLOSED that no descriptor refers to leaves the
     * table and its listener's queue. Linux: one a descriptor holds gives
     * back a port the stack picked (getsockname still shows it), and after
     * a failed handshake the address connect picked.
     */
    private void forget(Sock s) {
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
            s.local = new Endpoint(s.pickedIp ? Endpoint.ANY_IP : s.local.ip(), s.picked ? 0 : s.local.port());
            s.picked = false;
            s.pickedIp = false;
        }
    }

    // ================================================================ Udp.tla

    /** DatagramArrival: one of these actions takes a datagram, an ICMP error or a raw IP datagram. */
    private boolean datagramArrival(Host h, Segment m, boolean keep) {
        return deliverDatagram(h, m, keep) || datagramToNoSocket(h, m, keep)
                || rcvPortUnreachable(h, m, keep) || deliverRaw(h, m, keep);
    }

    /**
     * S15 for UDP: a connected socket whose addresses match, then one bound
     * to the exact address, then one bound to the wildcard.
     */
    private static Sock udpTarget(Host h, Segment m) {
        Sock toAnyPort = null;
        Sock exact = null;
        Sock any = null;
        for (Sock s : h.sockets) {
            if (s.proto != Proto.UDP || s.local.port() != m.dst().port() || m.dst().port() == 0) {
                continue;
            }
            boolean ipMatches = s.local.ip().equals(m.dst().ip());
            if (s.connected()) {
                // One connected to port 0 (Linux lets UDP connect so) takes any port of its peer's address,
                // after one connected to the sender's port.
                boolean from = m.src().ip().equals(s.remote.ip());
                if (from && (ipMatches || s.local.wildcardIp())) {
                    if (s.remote.port() == m.src().port()) {
                        return s;
                    }
                    if (s.remote.port() == 0 && toAnyPort == null) {
                        toAnyPort = s;
                    }
                }
            } else if (ipMatches && exact == null) {
                exact = s;
            } else if (s.local.wildcardIp() && any == null) {
                any = s;
            }
        }
        return toAnyPort != null ? toAnyPort : exact != null ? exact : any;
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
        arrive(m, keep);
        return took("deliverDatagram");
    }

    /** DatagramToNoSocket: a datagram nobody is bound to is answered with ICMP port unreachable (RFC 1122 4.1.3.1). */
    private boolean datagramToNoSocket(Host h, Segment m, boolean keep) {
        if (m.kind() != Kind.DGRAM || udpTarget(h, m) != null) {
            return false;
        }
        arrive(m, keep, Segment.unreachable(m));
        return took("datagramToNoSocket");
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
        arrive(m, keep);
        return took("rcvPortUnreachable");
    }

    /**
     * DeliverRaw: an IP datagram goes, as a copy, to every raw socket of its
     * host for that protocol bound to its address or the wildcard (S8; no
     * ports, S7). NOTE: Linux hands a raw IPv4 socket the IP header too; the
     * reference stack gives the payload only.
     */
    private boolean deliverRaw(Host h, Segment m, boolean keep) {
        if (m.kind() != Kind.IP) {
            return false;
        }
        for (Sock s : h.sockets) {
            if (s.proto == Proto.RAW && s.protocol == m.protocol() && !s.rdShut
                    && (s.local.wildcardIp() || s.local.ip().equals(m.dst().ip()))) {
                s.datagrams.add(new Sock.Datagram(new Endpoint(m.src().ip(), 0), m.data()));
            }
        }
        arrive(m, keep);
        return took("deliverRaw");
    }

    // ================================================================ bookkeeping

    /**
     * Every TCP state change goes through here, so the log shows each
     * {@code from => to}; it also starts the timer of the new state.
     */
    private void setState(Sock s, TcpState to, String action) {
        if (s.state == to) {
            return;
        }
        transitions.add(new Transition(s.host.name, s.local, s.remote, s.state, to, action));
        s.state = to;
        s.timerAt = switch (to) {
            case TIME_WAIT -> now + TIME_WAIT_MS;
            case FIN_WAIT_2 -> now + FIN_WAIT_2_MS;
            case SYN_SENT -> now + SYN_SENT_MS;
            case SYN_RECEIVED -> now + SYN_RECEIVED_MS;
            default -> -1;
        };
    }

    /** Notes the action that took a step (deliver() reports it); true, so actions read as their guards. */
    private boolean took(String action) {
        lastAction = action;
        return true;
    }

    private Host host(String name) {
        Host h = hosts.get(name);
        if (h == null) {
            throw new IllegalArgumentException("no host " + name);
        }
        return h;
    }

    private static Errno takeError(Sock s) {
        Errno e = s.err;
        s.err = null;
        return e;
    }

    private static Outcome ok(long value) {
        return new Outcome.Value(value);
    }

    private static Outcome fail(Errno e) {
        return new Outcome.Failed(e);
    }
}
