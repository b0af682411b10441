package org.sockcheck.ref;

import java.util.List;
import org.sockcheck.ref.Segment.Kind;
import org.sockcheck.spec.Errno;
import org.sockcheck.spec.Profile;
import org.sockcheck.spec.Proto;
import org.sockcheck.spec.TcpState;

/**
 * Tcp.tla: TCP segment arrival and TCP timers (RFC 9293 section 3.10.7), one
 * action per state and kind of segment, each a method of the same name in
 * the order of Tcp.tla. The socket a segment reaches is found by
 * {@link #tcpTarget}, the demultiplexing of S15.
 */
final class Tcp {
    private final RefStack stack;
    private final Network network;
    private final Profile profile;
    private final RefStack.Limits limits;
    private final List<Segment> net;

    Tcp(RefStack stack, Network network) {
        this.stack = stack;
        this.network = network;
        this.profile = stack.profile;
        this.limits = stack.limits;
        this.net = stack.net;
    }

    /**
     * One action of TcpArrival, by name: it takes segment m for s, the socket
     * TcpTarget found (null when it found none), and says so, or its guard
     * does not hold and it changes nothing.
     */
    record Arrival(String action, Take take) {
    }

    /** The action proper: whether it took m for s (null: no socket). */
    @FunctionalInterface
    interface Take {
        boolean take(Sock s, Segment m, boolean keep);
    }

    /**
     * The actions TcpArrival walks, in Tcp.tla's order. Each guard starts with
     * the spec's s # NoSid (RcvForNoSocket: TcpTarget(m) = NoSid). The guards
     * exclude each other, so the order does not change which action takes a
     * segment: a test may set another order here (ArrivalOrderTest walks
     * them reversed and compares).
     */
    List<Arrival> arrival = List.of(
            new Arrival("rcvSynInListen", (s, m, keep) -> s != null && rcvSynInListen(s, m, keep)),
            new Arrival("rcvOtherInListen", (s, m, keep) -> s != null && rcvOtherInListen(s, m, keep)),
            new Arrival("rcvForNoSocket", (s, m, keep) -> s == null && rcvForNoSocket(m, keep)),
            new Arrival("rcvSynAckInSynSent", (s, m, keep) -> s != null && rcvSynAckInSynSent(s, m, keep)),
            new Arrival("rcvSynInSynSent", (s, m, keep) -> s != null && rcvSynInSynSent(s, m, keep)),
            new Arrival("rcvRstInSynSent", (s, m, keep) -> s != null && rcvRstInSynSent(s, m, keep)),
            new Arrival("rcvAckInSynReceived", (s, m, keep) -> s != null && rcvAckInSynReceived(s, m, keep)),
            new Arrival("rcvRstInSynReceived", (s, m, keep) -> s != null && rcvRstInSynReceived(s, m, keep)),
            new Arrival("rcvData", (s, m, keep) -> s != null && rcvData(s, m, keep)),
            new Arrival("rcvDataAfterClose", (s, m, keep) -> s != null && rcvDataAfterClose(s, m, keep)),
            new Arrival("rcvFin", (s, m, keep) -> s != null && rcvFin(s, m, keep)),
            new Arrival("rcvAck", (s, m, keep) -> s != null && rcvAck(s, m, keep)),
            new Arrival("rcvRst", (s, m, keep) -> s != null && rcvRst(s, m, keep)),
            new Arrival("rcvSynInTimeWait", (s, m, keep) -> s != null && rcvSynInTimeWait(s, m, keep)),
            new Arrival("rcvStale", (s, m, keep) -> s != null && rcvStale(s, m, keep)));

    /** TcpArrival: exactly one of these actions takes a TCP segment, if any can. */
    boolean tcpArrival(Host h, Segment m, boolean keep) {
        Sock s = tcpTarget(h, m);
        for (Arrival a : arrival) {
            if (a.take().take(s, m, keep)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Demultiplexing (S15), most specific first: the connection whose four
     * addresses match, then a listener on the exact address, then one on a
     * wildcard that takes the segment's family (spec: ListeningIn; :: takes
     * IPv4 too, unless IPV6_V6ONLY).
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
                } else if (Network.wildcard(s.local.ip()) && Network.takes(s.local.ip(), s.v6only, m.dst().ip())
                        && anyListener == null) {
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
        if (l.state != TcpState.LISTEN || m.kind() != Kind.SYN || queueFull(l)) {
            // A full accept queue takes no SYN: it stays in flight until there is room (spec: QueueFull).
            return false;
        }
        accepting(l, m, keep, "rcvSynInListen");
        return stack.took("rcvSynInListen");
    }

    /** More connections wait to be accepted than the backlog (Linux's sk_acceptq_is_full; spec: QueueFull). */
    static boolean queueFull(Sock l) {
        return l.acceptQueue.size() > l.backlog;
    }

    /** Accepting: listener l takes the SYN m: a new entry in SYN-RECEIVED, or none when there is no room. */
    private void accepting(Sock l, Segment m, boolean keep, String action) {
        if (l.host.sockets.size() >= limits.sockets()) {
            // The spec's "no free entry": the SYN is dropped.
            network.arrive(m, keep);
            return;
        }
        Sock c = new Sock(l.host, Proto.TCP, 0, stack.nextInode++);
        // The listener's family: an INET6 listener's connection from IPv4 is shown v4-mapped.
        c.fam = l.fam;
        c.v6only = l.v6only;
        c.local = m.dst();
        c.remote = m.src();
        c.listener = l;
        // It takes the listener's port with the listener's SO_REUSEADDR.
        c.reuse = l.reuse;
        c.bindReuse = l.reuse;
        // The listener's options (spec: Accepting).
        c.flags.addAll(l.flags);
        c.lingerOn = l.lingerOn;
        c.lingerSeconds = l.lingerSeconds;
        c.rcvbuf = l.rcvbuf;
        c.sndbuf = l.sndbuf;
        // Linux: the port of a connection is not the user's (sk_clone_lock clears
        // SOCK_BINDPORT_LOCK), so it is given back when the connection ends.
        c.picked = profile == Profile.LINUX || l.picked;
        c.bindIp = l.bindIp;
        c.synSent = true;
        // Linux: the flags a failed shutdown left on the listener (sk_clone_lock).
        c.rdShut = profile == Profile.LINUX && l.rdShut;
        c.wrShut = profile == Profile.LINUX && l.wrShut;
        c.sndNxt = 1;
        c.rcvNxt = m.seq() + 1;
        l.host.sockets.add(c);
        stack.setState(c, TcpState.SYN_RECEIVED, action);
        network.arrive(m, keep, Segment.tcp(Kind.SYNACK, m.dst(), m.src(), 0, m.seq() + 1));
    }

    /** RcvOtherInListen: anything but a SYN for a listener is answered by RST; an RST is ignored (3.10.7.2). */
    private boolean rcvOtherInListen(Sock l, Segment m, boolean keep) {
        if (l.state != TcpState.LISTEN || m.kind() == Kind.SYN) {
            return false;
        }
        if (m.kind() == Kind.RST) {
            network.arrive(m, keep);
        } else {
            network.arrive(m, keep, resetFor(m));
        }
        return stack.took("rcvOtherInListen");
    }

    /** RcvForNoSocket: a segment no socket takes is answered by RST unless it is one (3.10.7.1). */
    private boolean rcvForNoSocket(Segment m, boolean keep) {
        if (m.kind() == Kind.RST) {
            network.arrive(m, keep);
        } else {
            network.arrive(m, keep, resetFor(m));
        }
        return stack.took("rcvForNoSocket");
    }

    /** RcvSynAckInSynSent: the SYN-ACK that acknowledges our SYN establishes the connection (3.10.7.3). */
    private boolean rcvSynAckInSynSent(Sock s, Segment m, boolean keep) {
        if (s.state != TcpState.SYN_SENT || m.kind() != Kind.SYNACK || m.ack() != s.sndNxt) {
            return false;
        }
        s.sndUna = m.ack();
        s.rcvNxt = m.seq() + 1;
        s.pickedIp = false;
        stack.setState(s, TcpState.ESTABLISHED, "rcvSynAckInSynSent");
        network.arrive(m, keep, Segment.tcp(Kind.ACK, m.dst(), m.src(), s.sndNxt, m.seq() + 1));
        return stack.took("rcvSynAckInSynSent");
    }

    /** RcvSynInSynSent: a SYN while our own is out is a simultaneous open (3.10.7.3, figure 8). */
    private boolean rcvSynInSynSent(Sock s, Segment m, boolean keep) {
        if (s.state != TcpState.SYN_SENT || m.kind() != Kind.SYN) {
            return false;
        }
        s.rcvNxt = m.seq() + 1;
        stack.setState(s, TcpState.SYN_RECEIVED, "rcvSynInSynSent");
        network.arrive(m, keep, Segment.tcp(Kind.SYNACK, m.dst(), m.src(), 0, m.seq() + 1));
        return stack.took("rcvSynInSynSent");
    }

    /**
     * A handshake that failed (spec: HandshakeFailed): Linux shuts the socket
     * both ways (tcp_done) until connect reports the failure and
     * tcp_disconnect clears the flags.
     */
    private void handshakeFailed(Sock s) {
        if (profile == Profile.LINUX) {
            s.rdShut = true;
            s.wrShut = true;
        }
    }

    /** RcvRstInSynSent: an RST that acknowledges our SYN refuses the connection: ECONNREFUSED. */
    private boolean rcvRstInSynSent(Sock s, Segment m, boolean keep) {
        if (s.state != TcpState.SYN_SENT || m.kind() != Kind.RST || m.ack() != s.sndNxt) {
            return false;
        }
        s.err = Errno.ECONNREFUSED;
        stack.setState(s, TcpState.CLOSED, "rcvRstInSynSent");
        handshakeFailed(s);
        network.forget(s);
        network.arrive(m, keep);
        return stack.took("rcvRstInSynSent");
    }

    /**
     * RcvAckInSynReceived: the ACK of our SYN-ACK (or the peer's SYN-ACK in a
     * simultaneous open) establishes the connection; a listener's connection
     * joins its accept queue (S9, S10).
     */
    private boolean rcvAckInSynReceived(Sock s, Segment m, boolean keep) {
        if (s.state != TcpState.SYN_RECEIVED || (m.kind() != Kind.ACK && m.kind() != Kind.SYNACK)
                || m.ack() != s.sndNxt || (s.listener != null && queueFull(s.listener))) {
            // The last ACK to a listener whose queue is full waits too.
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
            stack.setState(s, TcpState.FIN_WAIT_1, "rcvAckInSynReceived");
            network.arrive(m, keep, fin);
        } else {
            stack.setState(s, TcpState.ESTABLISHED, "rcvAckInSynReceived");
            network.arrive(m, keep);
        }
        return stack.took("rcvAckInSynReceived");
    }

    /** RcvRstInSynReceived: a reset handshake ends; an active open reports ECONNREFUSED. */
    private boolean rcvRstInSynReceived(Sock s, Segment m, boolean keep) {
        if (s.state != TcpState.SYN_RECEIVED || m.kind() != Kind.RST || m.seq() != s.rcvNxt) {
            return false;
        }
        if (s.listener == null) {
            s.err = Errno.ECONNREFUSED;
        }
        stack.setState(s, TcpState.CLOSED, "rcvRstInSynReceived");
        handshakeFailed(s);
        network.forget(s);
        network.arrive(m, keep);
        return stack.took("rcvRstInSynReceived");
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
        // After SHUT_RD, POSIX discards what arrives; Linux queues it while a descriptor (or a message carrying it) holds the socket.
        if (!s.rdShut || (profile == Profile.LINUX && !s.orphan())) {
            s.append(m.data());
        }
        s.rcvNxt++;
        network.arrive(m, keep, Segment.tcp(Kind.ACK, s.local, s.remote, s.sndNxt, s.rcvNxt));
        return stack.took("rcvData");
    }

    /**
     * Whether new data for s, which has sent its FIN, can no longer be read
     * (RFC 1122 4.2.2.13): POSIX, when nothing holds it (Sock.orphan); Linux,
     * when its reading side is shut (close or shutdown(SHUT_RD)).
     */
    private boolean readsNoMore(Sock s) {
        return (s.state == TcpState.FIN_WAIT_1 || s.state == TcpState.FIN_WAIT_2)
                && (profile == Profile.LINUX ? s.rdShut : s.orphan());
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
        stack.setState(s, TcpState.CLOSED, "rcvDataAfterClose");
        network.forget(s);
        network.arrive(m, keep, Segment.tcp(Kind.RST, m.dst(), m.src(), m.ack(), m.seq() + 1));
        return stack.took("rcvDataAfterClose");
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
            stack.setState(s, to, "rcvFin");
        }
        network.arrive(m, keep, ack);
        return stack.took("rcvFin");
    }

    /**
     * EnterTimeWait: a connection whose close is done on our side goes to
     * TIME-WAIT. On Linux a socket a descriptor still holds hands the
     * connection to a time-wait entry of its own and is itself CLOSED, shut
     * both ways, giving back a port the stack picked; with no room there is
     * no TIME-WAIT at all.
     */
    private void enterTimeWait(Sock s, String action) {
        if (profile == Profile.POSIX || s.orphan()) {
            stack.setState(s, TcpState.TIME_WAIT, action);
            return;
        }
        if (s.host.sockets.size() < limits.sockets()) {
            Sock tw = new Sock(s.host, Proto.TCP, 0, stack.nextInode++);
            tw.fam = s.fam;
            tw.v6only = s.v6only;
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
            stack.setState(tw, TcpState.TIME_WAIT, action);
        }
        s.rdShut = true;
        s.wrShut = true;
        stack.setState(s, TcpState.CLOSED, action);
        network.forget(s);
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
                case FIN_WAIT_1 -> stack.setState(s, TcpState.FIN_WAIT_2, "rcvAck");
                case CLOSING -> enterTimeWait(s, "rcvAck");
                case LAST_ACK -> stack.setState(s, TcpState.CLOSED, "rcvAck");
                default -> { }
            }
        }
        network.forget(s);
        network.arrive(m, keep);
        return stack.took("rcvAck");
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
        stack.setState(s, TcpState.CLOSED, "rcvRst");
        network.forget(s);
        network.arrive(m, keep);
        return stack.took("rcvRst");
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
        stack.setState(s, TcpState.CLOSED, "rcvSynInTimeWait");
        network.forget(s);
        Sock l = tcpTarget(s.host, m);
        if (l != null && l.state == TcpState.LISTEN) {
            accepting(l, m, keep, "rcvSynInTimeWait");
        } else {
            network.arrive(m, keep, resetFor(m));
        }
        return stack.took("rcvSynInTimeWait");
    }

    /**
     * RcvStale: a segment its connection cannot use is dropped: an old or
     * duplicate one, an RST with another number, a SYN after the handshake.
     * NOTE (as in the spec): RFC 5961's challenge ACK is not sent.
     */
    private boolean rcvStale(Sock s, Segment m, boolean keep) {
        if (s.state == TcpState.LISTEN || s.state == TcpState.CLOSED) {
            // As in Tcp.tla: what reaches a listener is RcvSynInListen's or RcvOtherInListen's.
            return false;
        }
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
        network.arrive(m, keep);
        return stack.took("rcvStale");
    }

    // ------------------------------------------------------------ timers

    boolean timerEnabled(Sock s) {
        return switch (s.state) {
            case TIME_WAIT -> true;
            case FIN_WAIT_2 -> profile == Profile.LINUX && s.orphan();
            case SYN_SENT, SYN_RECEIVED -> !inFlightFor(s);
            default -> false;
        };
    }

    /** TimeWaitExpires: after 2*MSL a TIME-WAIT entry leaves the table; its address is free (RFC 9293 3.4.2). */
    boolean timeWaitExpires(Sock s) {
        if (s.state != TcpState.TIME_WAIT) {
            return false;
        }
        stack.setState(s, TcpState.CLOSED, "timeWaitExpires");
        network.forget(s);
        return stack.took("timeWaitExpires");
    }

    /** FinWait2Timeout: Linux frees an orphaned FIN-WAIT-2 entry after tcp_fin_timeout. */
    boolean finWait2Timeout(Sock s) {
        if (s.state != TcpState.FIN_WAIT_2 || profile != Profile.LINUX || !s.orphan()) {
            return false;
        }
        stack.setState(s, TcpState.CLOSED, "finWait2Timeout");
        network.forget(s);
        return stack.took("finWait2Timeout");
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
        stack.setState(s, TcpState.CLOSED, "handshakeTimeout");
        handshakeFailed(s);
        network.forget(s);
        return stack.took("handshakeTimeout");
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
}
