package org.sockcheck.ref;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sockcheck.ref.Segment.Flag;
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
 * The reference stack: hosts, processes, socket tables and a network between
 * them, deterministic and in process. Every call runs to completion, then the
 * network delivers what is in flight, in order, until nothing is left; so a
 * connect to a listener has finished its handshake when connect returns.
 *
 * NOTE: this first stack delivers every segment in order and loses none;
 * loss, duplication and reordering come with the full reference stack. Timers
 * do not run: TIME-WAIT lasts until the trace ends.
 */
public final class RefStack {
    private final Profile profile;
    private final Map<String, Host> hosts = new LinkedHashMap<>();
    private final Deque<Segment> inFlight = new ArrayDeque<>();
    private final List<Transition> transitions = new ArrayList<>();

    public RefStack(Profile profile) {
        this.profile = profile;
    }

    public void addHost(String name, String ip) {
        if (hosts.values().stream().anyMatch(h -> h.ip.equals(ip))) {
            throw new IllegalArgumentException("address " + ip + " already belongs to a host");
        }
        hosts.put(name, new Host(name, ip));
    }

    public List<Transition> transitions() {
        return List.copyOf(transitions);
    }

    /** The socket table of a host (S1, S16), in creation order. */
    public List<SocketRow> sockets(String hostName) {
        return host(hostName).sockets.stream().filter(Sock::listed).map(Sock::row).toList();
    }

    /** Runs one call of a process, then lets the network settle. */
    public Outcome call(String hostName, String processName, ApiCall call) {
        Process p = host(hostName).process(processName);
        Outcome outcome = switch (call) {
            case ApiCall.Socket c -> socket(p, c.type());
            case ApiCall.Close c -> close(p, c.fd());
            default -> {
                Sock s = p.descriptors.get(call.fd());
                yield s == null ? fail(Errno.EBADF) : onSocket(p, s, call);
            }
        };
        settle();
        return outcome;
    }

    private Host host(String name) {
        Host h = hosts.get(name);
        if (h == null) {
            throw new IllegalArgumentException("no host " + name);
        }
        return h;
    }

    private Outcome onSocket(Process p, Sock s, ApiCall call) {
        return switch (call) {
            case ApiCall.Bind c -> bind(s, c.addr());
            case ApiCall.Listen c -> listen(s, c.backlog());
            case ApiCall.Connect c -> connect(s, c.addr());
            case ApiCall.Accept c -> accept(p, s);
            case ApiCall.Send c -> send(s, c.data());
            case ApiCall.Recv c -> recv(s, c.max(), false);
            case ApiCall.SendTo c -> sendto(s, c.data(), c.addr());
            case ApiCall.RecvFrom c -> recv(s, c.max(), true);
            case ApiCall.Shutdown c -> shutdown(s, c.how());
            case ApiCall.GetSockName c -> new Outcome.Address(s.local);
            case ApiCall.GetPeerName c -> s.remote == null || !connectedForPeerName(s)
                    ? fail(Errno.ENOTCONN) : new Outcome.Address(s.remote);
            case ApiCall.SetSockOpt c -> {
                s.reuseAddr = c.value() != 0;
                yield ok(0);
            }
            case ApiCall.Socket c -> throw new IllegalStateException("socket has no descriptor");
            case ApiCall.Close c -> throw new IllegalStateException("close is handled by call");
        };
    }

    // ---------------------------------------------------------------- calls

    /** socket(): a new, unbound table entry and the lowest free descriptor (S1, S2). */
    private Outcome socket(Process p, SockType type) {
        if (type == SockType.RAW) {
            // NOTE: raw IP sockets arrive with the full reference stack.
            return fail(Errno.EPROTONOSUPPORT);
        }
        Sock s = new Sock(p.host, type.proto());
        p.host.sockets.add(s);
        return ok(p.allocate(s));
    }

    /**
     * bind(): associates the socket with a local address (S5). A socket binds
     * once (EINVAL); an address held by another socket of the same protocol is
     * in use (EADDRINUSE) unless both allow reuse and neither listens; TCP and
     * UDP ports are separate spaces (S7).
     */
    private Outcome bind(Sock s, Endpoint addr) {
        if (s.bound()) {
            return fail(Errno.EINVAL);
        }
        if (!addr.wildcardIp() && !addr.ip().equals(s.host.ip)) {
            return fail(Errno.EADDRNOTAVAIL);
        }
        if (addr.port() == 0) {
            return autobind(s, addr.ip()) ? ok(0) : fail(Errno.EADDRINUSE);
        }
        if (inUse(s, addr)) {
            return fail(Errno.EADDRINUSE);
        }
        s.local = addr;
        return ok(0);
    }

    private boolean inUse(Sock s, Endpoint addr) {
        for (Sock other : s.host.sockets) {
            if (other == s || other.proto != s.proto || !other.bound() || other.local.port() != addr.port()) {
                continue;
            }
            boolean overlap = other.local.wildcardIp() || addr.wildcardIp() || other.local.ip().equals(addr.ip());
            if (!overlap) {
                continue;
            }
            boolean reusable = s.reuseAddr && (other.reuseAddr || other.state == TcpState.TIME_WAIT)
                    && other.state != TcpState.LISTEN;
            if (!reusable) {
                return true;
            }
        }
        return false;
    }

    private static boolean fourTupleTaken(Sock s, Endpoint remote) {
        return s.host.sockets.stream().anyMatch(o -> o != s && o.proto == Proto.TCP && o.state != TcpState.CLOSED
                && o.local.equals(s.local) && remote.equals(o.remote));
    }

    /** Gives an unbound socket the first free ephemeral port of its host. */
    private boolean autobind(Sock s, String ip) {
        Host h = s.host;
        for (int i = 0; i <= Host.EPHEMERAL_LAST - Host.EPHEMERAL_FIRST; i++) {
            int port = h.nextEphemeral;
            h.nextEphemeral = port == Host.EPHEMERAL_LAST ? Host.EPHEMERAL_FIRST : port + 1;
            Endpoint candidate = new Endpoint(ip, port);
            if (!inUse(s, candidate)) {
                s.local = candidate;
                return true;
            }
        }
        return false;
    }

    /**
     * listen(): a server's socket waits for clients (S9). UDP cannot listen.
     * An unbound socket is given an ephemeral port under LINUX; POSIX lets the
     * call fail with EDESTADDRREQ instead.
     */
    private Outcome listen(Sock s, int backlog) {
        if (s.proto != Proto.TCP) {
            return fail(Errno.EOPNOTSUPP);
        }
        if (s.state == TcpState.LISTEN) {
            s.backlog = backlog;
            return ok(0);
        }
        if (s.state != TcpState.CLOSED) {
            return fail(Errno.EINVAL);
        }
        if (!s.bound()) {
            if (profile == Profile.POSIX) {
                return fail(Errno.EDESTADDRREQ);
            }
            if (!autobind(s, Endpoint.ANY_IP)) {
                return fail(Errno.EADDRINUSE);
            }
        }
        s.backlog = backlog;
        setState(s, TcpState.LISTEN, "listen");
        return ok(0);
    }

    /** connect(): TCP opens a connection (RFC 9293 3.5); UDP only records the peer. */
    private Outcome connect(Sock s, Endpoint addr) {
        if (s.proto == Proto.UDP) {
            if (!s.bound() && !autobind(s, s.host.ip)) {
                return fail(Errno.EAGAIN);
            }
            if (s.local.wildcardIp()) {
                s.local = new Endpoint(s.host.ip, s.local.port());
            }
            s.remote = addr;
            return ok(0);
        }
        switch (s.state) {
            case CLOSED -> { }
            case SYN_SENT -> { return fail(Errno.EALREADY); }
            // Linux answers EISCONN for a listener too: the socket is not CLOSED.
            default -> { return fail(Errno.EISCONN); }
        }
        if (!s.bound() && !autobind(s, s.host.ip)) {
            return fail(Errno.EAGAIN);
        }
        if (s.local.wildcardIp()) {
            s.local = new Endpoint(s.host.ip, s.local.port());
        }
        if (fourTupleTaken(s, addr)) {
            // S14: one socket per 4-tuple; Linux refuses the second with EADDRNOTAVAIL.
            return fail(Errno.EADDRNOTAVAIL);
        }
        s.remote = addr;
        setState(s, TcpState.SYN_SENT, "connect");
        transmit(Segment.tcp(s.local, addr, Flag.SYN));
        settle();
        if (s.state.synchronizedState()) {
            return ok(0);
        }
        if (s.pendingError != null) {
            Errno e = s.pendingError;
            s.pendingError = null;
            s.remote = null;
            return fail(e);
        }
        return new Outcome.Blocked("connect: no answer to SYN");
    }

    /** accept(): hands out the oldest established connection as a new socket (S10). */
    private Outcome accept(Process p, Sock s) {
        if (s.proto != Proto.TCP) {
            return fail(Errno.EOPNOTSUPP);
        }
        if (s.state != TcpState.LISTEN) {
            return fail(Errno.EINVAL);
        }
        Sock conn = s.acceptQueue.poll();
        if (conn == null) {
            return new Outcome.Blocked("accept: no connection is waiting");
        }
        conn.listener = null;
        return new Outcome.Accepted(p.allocate(conn), conn.remote);
    }

    /** send(): appends to the duplex byte stream (S10) or sends one datagram to the connected peer. */
    private Outcome send(Sock s, byte[] data) {
        if (s.proto == Proto.UDP) {
            return s.remote == null ? fail(Errno.EDESTADDRREQ) : sendDatagram(s, data, s.remote);
        }
        if (s.pendingError != null) {
            return fail(takeError(s));
        }
        boolean canSend = s.state == TcpState.ESTABLISHED || s.state == TcpState.CLOSE_WAIT;
        if (!canSend || s.writeShut) {
            // Linux says EPIPE for a stream that never connected; POSIX says ENOTCONN.
            boolean neverConnected = !s.state.synchronizedState() && !s.writeShut;
            return fail(neverConnected && profile == Profile.POSIX ? Errno.ENOTCONN : Errno.EPIPE);
        }
        if (data.length > 0) {
            transmit(Segment.tcpData(s.local, s.remote, data));
        }
        return ok(data.length);
    }

    /** sendto(): a datagram carries its destination (S13); an unbound sender gets a port (S19). */
    private Outcome sendto(Sock s, byte[] data, Endpoint addr) {
        if (s.proto == Proto.TCP) {
            return send(s, data);
        }
        if (s.pendingError != null) {
            return fail(takeError(s));
        }
        return sendDatagram(s, data, addr);
    }

    private Outcome sendDatagram(Sock s, byte[] data, Endpoint to) {
        if (!s.bound() && !autobind(s, Endpoint.ANY_IP)) {
            return fail(Errno.EAGAIN);
        }
        Endpoint from = new Endpoint(s.host.ip, s.local.port());
        transmit(Segment.udp(from, to, data));
        return ok(data.length);
    }

    /** recv() and recvfrom(): bytes of the stream, or one whole datagram with its sender (S13). */
    private Outcome recv(Sock s, int max, boolean withSender) {
        if (s.pendingError != null) {
            return fail(takeError(s));
        }
        if (s.proto == Proto.UDP) {
            Sock.Datagram d = s.datagrams.poll();
            if (d == null) {
                return new Outcome.Blocked("recv: no datagram is queued");
            }
            byte[] data = java.util.Arrays.copyOf(d.data(), Math.min(max, d.data().length));
            return new Outcome.Data(data, withSender ? d.from() : null);
        }
        if (s.unread() > 0 && !s.readShut) {
            return new Outcome.Data(s.take(max), null);
        }
        if (s.finReceived || s.readShut) {
            return new Outcome.Data(new byte[0], null);
        }
        if (!s.state.synchronizedState()) {
            return fail(Errno.ENOTCONN);
        }
        return new Outcome.Blocked("recv: no data has arrived");
    }

    /** shutdown(): SHUT_WR sends FIN (RFC 9293 3.6); SHUT_RD ends reading. */
    private Outcome shutdown(Sock s, ShutdownHow how) {
        boolean connected = s.proto == Proto.TCP ? s.state.synchronizedState() : s.remote != null;
        if (!connected) {
            return fail(Errno.ENOTCONN);
        }
        if (how.read()) {
            s.readShut = true;
        }
        if (how.write() && !s.writeShut && s.proto == Proto.TCP) {
            s.writeShut = true;
            sendFin(s, "shutdown");
        }
        return ok(0);
    }

    /** close(): drops the descriptor; the socket closes with its last descriptor. */
    private Outcome close(Process p, int fd) {
        Sock s = p.descriptors.remove(fd);
        if (s == null) {
            return fail(Errno.EBADF);
        }
        if (--s.descriptors == 0) {
            release(s);
        }
        return ok(0);
    }

    /** The last descriptor is gone: what happens to the socket depends on its state. */
    private void release(Sock s) {
        if (s.proto != Proto.TCP) {
            s.host.sockets.remove(s);
            return;
        }
        switch (s.state) {
            case LISTEN -> {
                // Linux resets the connections nobody accepted.
                for (Sock conn : s.acceptQueue) {
                    transmit(Segment.tcp(conn.local, conn.remote, Flag.RST));
                    setState(conn, TcpState.CLOSED, "close");
                    s.host.sockets.remove(conn);
                }
                s.acceptQueue.clear();
                setState(s, TcpState.CLOSED, "close");
            }
            case SYN_SENT, CLOSED -> setState(s, TcpState.CLOSED, "close");
            case SYN_RECEIVED, ESTABLISHED, CLOSE_WAIT -> {
                if (s.unread() > 0) {
                    // RFC 2525 2.17, as Linux does: unread data makes close abort the connection.
                    transmit(Segment.tcp(s.local, s.remote, Flag.RST, Flag.ACK));
                    setState(s, TcpState.CLOSED, "close");
                } else if (!s.writeShut) {
                    s.writeShut = true;
                    sendFin(s, "close");
                }
            }
            default -> { }
        }
        s.readShut = true;
        forgetIfClosed(s);
    }

    private void sendFin(Sock s, String action) {
        transmit(Segment.tcp(s.local, s.remote, Flag.FIN, Flag.ACK));
        switch (s.state) {
            case ESTABLISHED, SYN_RECEIVED -> setState(s, TcpState.FIN_WAIT_1, action);
            case CLOSE_WAIT -> setState(s, TcpState.LAST_ACK, action);
            default -> { }
        }
    }

    private boolean connectedForPeerName(Sock s) {
        return s.proto != Proto.TCP || s.state.synchronizedState();
    }

    // ---------------------------------------------------------------- network

    private void transmit(Segment seg) {
        inFlight.add(seg);
    }

    /** Delivers segments in order until none is in flight; bounded, since each answer shrinks the work. */
    private void settle() {
        int budget = 10_000;
        while (!inFlight.isEmpty()) {
            if (--budget == 0) {
                throw new IllegalStateException("network did not settle: " + inFlight.peek());
            }
            deliver(inFlight.poll());
        }
    }

    private void deliver(Segment seg) {
        Optional<Host> dst = hosts.values().stream().filter(h -> h.ip.equals(seg.dst().ip())).findFirst();
        if (dst.isEmpty()) {
            return;
        }
        if (seg.proto() == Proto.UDP) {
            deliverUdp(dst.get(), seg);
        } else {
            deliverTcp(dst.get(), seg);
        }
    }

    /**
     * Demultiplexing (S15), most specific first: a socket whose local and
     * remote addresses both match, then one bound to the exact local address,
     * then one bound to the wildcard.
     */
    private Optional<Sock> demux(Host h, Segment seg, boolean connectedOnly) {
        return h.sockets.stream()
                .filter(s -> s.proto == seg.proto() && s.bound() && s.local.port() == seg.dst().port())
                .filter(s -> s.local.wildcardIp() || s.local.ip().equals(seg.dst().ip()))
                .filter(s -> s.remote == null ? !connectedOnly : s.remote.equals(seg.src()))
                .filter(s -> s.proto != Proto.TCP || s.state != TcpState.CLOSED)
                .max(Comparator.comparingInt(s -> (s.remote != null ? 2 : 0) + (s.local.wildcardIp() ? 0 : 1)));
    }

    private void deliverUdp(Host h, Segment seg) {
        if (seg.has(Flag.PORT_UNREACHABLE)) {
            // Linux reports the ICMP error to a connected socket only.
            demux(h, new Segment(Proto.UDP, seg.src(), seg.dst(), seg.flags(), seg.payload()), true)
                    .filter(s -> s.remote != null)
                    .ifPresent(s -> s.pendingError = Errno.ECONNREFUSED);
            return;
        }
        Optional<Sock> target = demux(h, seg, false);
        if (target.isEmpty()) {
            transmit(Segment.portUnreachable(seg));
            return;
        }
        target.get().datagrams.add(new Sock.Datagram(seg.src(), seg.payload()));
    }

    private void deliverTcp(Host h, Segment seg) {
        Optional<Sock> target = demux(h, seg, false);
        if (target.isEmpty()) {
            // RFC 9293 3.10.7.1: a segment for no connection is answered with RST.
            if (!seg.has(Flag.RST)) {
                transmit(Segment.tcp(seg.dst(), seg.src(), Flag.RST, Flag.ACK));
            }
            return;
        }
        Sock s = target.get();
        switch (s.state) {
            case LISTEN -> rcvInListen(s, seg);
            case SYN_SENT -> rcvInSynSent(s, seg);
            default -> rcvSynchronized(s, seg);
        }
    }

    /** RFC 9293 3.10.7.2: a SYN to a listener makes a new connection in SYN-RECEIVED. */
    private void rcvInListen(Sock listener, Segment seg) {
        if (seg.has(Flag.RST)) {
            return;
        }
        if (!seg.has(Flag.SYN) || seg.has(Flag.ACK)) {
            transmit(Segment.tcp(seg.dst(), seg.src(), Flag.RST));
            return;
        }
        Sock conn = new Sock(listener.host, Proto.TCP);
        conn.local = seg.dst();
        conn.remote = seg.src();
        conn.listener = listener;
        conn.reuseAddr = listener.reuseAddr;
        listener.host.sockets.add(conn);
        setState(conn, TcpState.SYN_RECEIVED, "rcvSynInListen");
        transmit(Segment.tcp(conn.local, conn.remote, Flag.SYN, Flag.ACK));
    }

    /** RFC 9293 3.10.7.3: SYN-SENT awaits the SYN-ACK, or a SYN (simultaneous open), or RST. */
    private void rcvInSynSent(Sock s, Segment seg) {
        if (seg.has(Flag.RST)) {
            s.pendingError = Errno.ECONNREFUSED;
            setState(s, TcpState.CLOSED, "rcvRstInSynSent");
            return;
        }
        if (seg.has(Flag.SYN) && seg.has(Flag.ACK)) {
            setState(s, TcpState.ESTABLISHED, "rcvSynAckInSynSent");
            transmit(Segment.tcp(s.local, s.remote, Flag.ACK));
        } else if (seg.has(Flag.SYN)) {
            setState(s, TcpState.SYN_RECEIVED, "rcvSynInSynSent");
            transmit(Segment.tcp(s.local, s.remote, Flag.SYN, Flag.ACK));
        }
    }

    /** RFC 9293 3.10.7.4: the states after the first SYN, segment by segment. */
    private void rcvSynchronized(Sock s, Segment seg) {
        if (seg.has(Flag.RST)) {
            s.pendingError = s.state == TcpState.SYN_RECEIVED ? Errno.ECONNREFUSED : Errno.ECONNRESET;
            setState(s, TcpState.CLOSED, "rcvRst");
            if (s.listener != null) {
                s.listener.acceptQueue.remove(s);
                s.listener = null;
            }
            forgetIfClosed(s);
            return;
        }
        if (s.state == TcpState.SYN_RECEIVED && seg.has(Flag.ACK)) {
            setState(s, TcpState.ESTABLISHED, "rcvAckInSynReceived");
            if (s.listener != null) {
                s.listener.acceptQueue.add(s);
            }
        }
        if (seg.payload().length > 0 && !s.readShut) {
            s.received.writeBytes(seg.payload());
        }
        if (seg.pureAck() || (seg.has(Flag.ACK) && seg.has(Flag.SYN))) {
            rcvAckOfFin(s);
        }
        if (seg.has(Flag.FIN)) {
            rcvFin(s);
        }
        forgetIfClosed(s);
    }

    /** An ACK in the closing states can only acknowledge our FIN (see the NOTE on Segment). */
    private void rcvAckOfFin(Sock s) {
        switch (s.state) {
            case FIN_WAIT_1 -> setState(s, TcpState.FIN_WAIT_2, "rcvAckOfFin");
            case CLOSING -> setState(s, TcpState.TIME_WAIT, "rcvAckOfFin");
            case LAST_ACK -> setState(s, TcpState.CLOSED, "rcvAckOfFin");
            default -> { }
        }
    }

    /** RFC 9293 3.10.7.4, eighth step: a FIN ends the peer's half of the stream. */
    private void rcvFin(Sock s) {
        s.finReceived = true;
        transmit(Segment.tcp(s.local, s.remote, Flag.ACK));
        switch (s.state) {
            case SYN_RECEIVED, ESTABLISHED -> setState(s, TcpState.CLOSE_WAIT, "rcvFin");
            case FIN_WAIT_1 -> setState(s, TcpState.CLOSING, "rcvFin");
            case FIN_WAIT_2 -> setState(s, TcpState.TIME_WAIT, "rcvFin");
            default -> { }
        }
    }

    /** A CLOSED socket that no descriptor refers to leaves the table. */
    private void forgetIfClosed(Sock s) {
        if (s.state == TcpState.CLOSED && s.descriptors == 0 && s.listener == null) {
            s.host.sockets.remove(s);
        }
    }

    /** Every TCP state change goes through here, so the log shows each {@code from => to}. */
    private void setState(Sock s, TcpState to, String action) {
        if (s.state != to) {
            transitions.add(new Transition(s.host.name, s.local, s.remote, s.state, to, action));
            s.state = to;
        }
    }

    private static Errno takeError(Sock s) {
        Errno e = s.pendingError;
        s.pendingError = null;
        return e;
    }

    private static Outcome ok(long value) {
        return new Outcome.Value(value);
    }

    private static Outcome fail(Errno e) {
        return new Outcome.Failed(e);
    }
}
