package org.sockcheck.ref;

import java.util.List;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Errno;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.ShutdownHow;
import org.sockcheck.spec.SockType;
import org.sockcheck.spec.TcpState;

/**
 * Unix.tla: Unix domain sockets (S20), the same calls as TCP and UDP on one
 * host, with no segments: what one end sends is queued at the other at once.
 * {@link SocketApi} sends a Unix socket's calls here; each method is the
 * operator of the same name, in the order of Unix.tla. A name is a path of
 * the host's file system (its file stays after the socket closes, in
 * {@link Host#files}) or, with a leading NUL, a name of the abstract
 * namespace, which each socket type has apart. The state is Linux's
 * sk_state: CLOSED (the spec's UNCONNECTED), LISTEN, ESTABLISHED (CONNECTED).
 */
final class Unix {
    private final RefStack stack;

    Unix(RefStack stack) {
        this.stack = stack;
    }

    /** The type a Unix socket is made with (spec: UnixType): SOCK_RAW makes a datagram socket. */
    static SockType unixType(SockType t) {
        return t == SockType.RAW ? SockType.DGRAM : t;
    }

    /** A name of the abstract namespace (spec: Abstract): it has no file. */
    static boolean isAbstract(String path) {
        return !path.isEmpty() && path.charAt(0) == '\0';
    }

    private static boolean connective(Sock s) {
        return s.unix() && s.type != SockType.DGRAM;
    }

    /** The live socket that holds path for a socket of type t (spec: Holders), or null. */
    private static Sock holder(Host h, String path, SockType t) {
        for (Sock s : h.sockets) {
            if (s.unix() && s.named && s.path.equals(path) && (!isAbstract(path) || s.type == t)) {
                return s;
            }
        }
        return null;
    }

    private static boolean pathInUse(Host h, String path, SockType t) {
        return isAbstract(path) ? holder(h, path, t) != null : h.files.contains(path);
    }

    /** What a connect or sendto to path finds (spec: Lookup): the socket, or the errno in a Failed. */
    private static Object lookup(Host h, String path, SockType t) {
        if (path.isEmpty()) {
            return Errno.EINVAL;
        }
        if (!isAbstract(path) && !h.files.contains(path)) {
            return Errno.ENOENT;
        }
        Sock found = holder(h, path, t);
        if (found == null) {
            return Errno.ECONNREFUSED;
        }
        return found.type != t ? Errno.EPROTOTYPE : found;
    }

    /** spec: MaySend: o is connected to nobody, or to s. */
    private static boolean maySend(Sock s, Sock o) {
        return o.state != TcpState.ESTABLISHED || o.peer == s;
    }

    /** UnixBind: a name once; a path whose file exists is EADDRINUSE before EINVAL, an abstract name after. */
    Outcome unixBind(Sock s, String path) {
        if (path.isEmpty()) {
            // Autobind: a named socket keeps its name; an unnamed one gets an abstract name no socket of its type
            // holds, as Linux's are: a NUL and five hex digits (this stack takes the lowest free).
            return s.path.isEmpty() ? autobind(s) : new Outcome.Value(0);
        }
        if (!isAbstract(path) && pathInUse(s.host, path, s.type)) {
            return SocketApi.fail(Errno.EADDRINUSE);
        }
        if (!s.path.isEmpty()) {
            return SocketApi.fail(Errno.EINVAL);
        }
        if (pathInUse(s.host, path, s.type)) {
            return SocketApi.fail(Errno.EADDRINUSE);
        }
        return named(s, path);
    }

    /** Autobind: the lowest free abstract name of the form Linux's take, a NUL and five hex digits. */
    private Outcome autobind(Sock s) {
        for (int k = 1; ; k++) {
            String name = String.format("\0%05x", k);
            if (!pathInUse(s.host, name, s.type)) {
                return named(s, name);
            }
        }
    }

    /**
     * An unnamed socket with SO_PASSCRED that connects, or sends a datagram,
     * is named first, as Linux names it (unix_autobind). Outside the spec
     * (OutsideCreds in Unix.tla), which judges no such run; done here as
     * Linux does it.
     */
    private void autobindForCreds(Sock s) {
        if (s.passCred() && s.path.isEmpty()) {
            autobind(s);
        }
    }

    /**
     * CredOf: the credentials a message from process from through s to o
     * carries: the sender's own when the sendmsg passed them (explicit), when
     * either socket has SO_PASSCRED, or when o is a socket nobody accepted yet.
     */
    private static String credOf(Process from, Sock s, Sock o, boolean explicit) {
        return explicit || s.passCred() || o.passCred() || o.listener != null ? from.name : Outcome.Message.NO_CREDS;
    }

    /** The socket takes the name: its peers see it, a path's file is made. */
    private Outcome named(Sock s, String path) {
        s.path = path;
        s.named = true;
        for (Sock o : s.host.sockets) {
            if (o.unix() && o.peer == s) {
                o.rpath = path;
            }
        }
        if (!isAbstract(path)) {
            s.host.files.add(path);
        }
        return new Outcome.Value(0);
    }

    /** UnixListen: a stream or seqpacket socket with a name; backlog as Linux caps it. */
    Outcome unixListen(Sock s, int backlog) {
        if (s.type == SockType.DGRAM) {
            return SocketApi.fail(Errno.EOPNOTSUPP);
        }
        if (s.path.isEmpty() || s.state == TcpState.ESTABLISHED) {
            return SocketApi.fail(Errno.EINVAL);
        }
        s.state = TcpState.LISTEN;
        s.backlog = backlog;
        return new Outcome.Value(0);
    }

    /** UnixConnect: the listener first, then its queue, then the socket; a new socket for the server's end. */
    Outcome unixConnect(Sock s, String path) {
        autobindForCreds(s);
        Object r = lookup(s.host, path, s.type);
        if (r instanceof Errno e) {
            return SocketApi.fail(e);
        }
        Sock l = (Sock) r;
        if (l.state != TcpState.LISTEN || l.rdShut) {
            return SocketApi.fail(Errno.ECONNREFUSED);
        }
        if (l.acceptQueue.size() > l.backlog) {
            // A blocking connect would wait for room: outside the spec; the stack does not wait.
            return SocketApi.fail(Errno.EAGAIN);
        }
        if (s.state == TcpState.ESTABLISHED) {
            return SocketApi.fail(Errno.EISCONN);
        }
        if (s.state == TcpState.LISTEN) {
            return SocketApi.fail(Errno.EINVAL);
        }
        if (s.host.sockets.size() >= stack.limits.sockets()) {
            return SocketApi.fail(Errno.ENOBUFS);
        }
        Sock e = new Sock(s.host, s.proto, 0, stack.nextInode++);
        e.fam = org.sockcheck.spec.Domain.UNIX;
        e.type = s.type;
        e.state = TcpState.ESTABLISHED;
        e.path = l.path;
        e.peer = s;
        e.rpath = s.path;
        e.listener = l;
        e.conn = true;
        if (l.passCred()) {
            e.flags.add(org.sockcheck.spec.SockOpt.SO_PASSCRED); // the listener's SO_PASSCRED as it is now
        }
        s.host.sockets.add(e);
        s.state = TcpState.ESTABLISHED;
        s.peer = e;
        s.rpath = l.path;
        s.conn = true;
        l.acceptQueue.add(e);
        return new Outcome.Value(0);
    }

    /** Reconnected: a datagram socket that leaves its peer empties its queue; the old peer, if it was connected back with datagrams waiting, is told ECONNRESET. */
    private void reconnected(Sock s, Sock to) {
        Sock old = s.peer;
        boolean leaves = s.state == TcpState.ESTABLISHED && old != to;
        if (leaves && old != null && old.peer == s && !s.datagrams.isEmpty()) {
            old.err = Errno.ECONNRESET;
        }
        s.peer = to;
        s.rpath = to == null ? "" : to.path;
        s.state = to == null ? TcpState.CLOSED : TcpState.ESTABLISHED;
        // Linux's connected state as /proc/net/unix shows it (spec: est): the old peer left loses it
        // unless it has a peer of its own; the socket connected to takes it.
        if (leaves && old != null && old != s) {
            old.est = old.peer != null;
        }
        if (to != null) {
            to.est = true;
        }
        s.est = to != null;
        if (leaves) {
            // Last, with s connected as it now is: a socket its queue carried may close in turn.
            purge(s, "connect");
        }
    }

    /** UnixDgramConnect: a datagram socket takes a peer; EPERM when that socket is connected to another. */
    Outcome unixDgramConnect(Sock s, String path) {
        autobindForCreds(s);
        Object r = lookup(s.host, path, SockType.DGRAM);
        if (r instanceof Errno e) {
            return SocketApi.fail(e);
        }
        if (!maySend(s, (Sock) r)) {
            return SocketApi.fail(Errno.EPERM);
        }
        reconnected(s, (Sock) r);
        return new Outcome.Value(0);
    }

    /** UnixDisconnect: connect(AF_UNSPEC) of a datagram socket forgets its peer. */
    Outcome unixDisconnect(Sock s) {
        reconnected(s, null);
        return new Outcome.Value(0);
    }

    private static Outcome reportError(Sock s) {
        Errno e = s.err;
        s.err = null;
        return SocketApi.fail(e);
    }

    /** UnixSend: a stream's bytes join the peer's stream; a record or datagram joins the peer's queue whole. */
    Outcome unixSend(Process from, Sock s, byte[] data) {
        return unixSendRights(from, s, data, List.of(), false, "send");
    }

    /**
     * UnixSendRights: UnixSend with the sockets a sendmsg passes (rights,
     * their descriptors checked by SocketApi.sendMsg), which travel with the
     * record or the datagram when it goes, or with the bytes on a stream
     * (marks in the spec), with their sender's credentials (explicit: the
     * sendmsg passed them; credOf); action is the spec action that sends,
     * for the closes an emptied queue may cause.
     */
    Outcome unixSendRights(Process from, Sock s, byte[] data, List<Sock> rights, boolean explicit, String action) {
        Sock o = s.peer;
        boolean connected = s.state == TcpState.ESTABLISHED;
        if (s.type == SockType.STREAM) {
            if (!connected) {
                return SocketApi.fail(Errno.ENOTCONN);
            }
            if (s.wrShut || o == null || o.rdShut) {
                return SocketApi.fail(Errno.EPIPE);
            }
            deliver(s, o, data, rights, credOf(from, s, o, explicit));
            return new Outcome.Value(data.length);
        }
        // A seqpacket socket must be connected first; a datagram socket reports its error and shutdown first.
        if (s.type == SockType.SEQPACKET && !connected) {
            return SocketApi.fail(Errno.ENOTCONN);
        }
        autobindForCreds(s);
        if (s.err != null) {
            return reportError(s);
        }
        if (s.wrShut) {
            return SocketApi.fail(Errno.EPIPE);
        }
        if (!connected) {
            return SocketApi.fail(Errno.ENOTCONN);
        }
        if (s.type == SockType.SEQPACKET && o == null) {
            return SocketApi.fail(Errno.EPIPE);
        }
        if (o == null) {
            // A datagram socket whose peer is gone learns it now, and is no longer connected.
            s.state = TcpState.CLOSED;
            s.est = false;
            s.rpath = "";
            purge(s, action);
            return SocketApi.fail(Errno.ECONNREFUSED);
        }
        return deliverTo(from, s, o, data, rights, explicit);
    }

    /** The last checks of a datagram or record for o (EPERM: o is connected to another; EPIPE: o stopped reading), then o's queue. */
    private static Outcome deliverTo(Process from, Sock s, Sock o, byte[] data, List<Sock> rights, boolean explicit) {
        if (!maySend(s, o)) {
            return SocketApi.fail(Errno.EPERM);
        }
        if (o.rdShut) {
            return SocketApi.fail(Errno.EPIPE);
        }
        deliver(s, o, data, rights, credOf(from, s, o, explicit));
        return new Outcome.Value(data.length);
    }

    /**
     * The bytes, record or datagram joins to's queue, carrying the sockets
     * of rights, which are in flight from now on, and the credentials cred.
     * A stream's send of no bytes queues nothing, and its sockets do not go
     * (unix_stream_sendmsg makes no buffer for them).
     */
    private static void deliver(Sock from, Sock to, byte[] data, List<Sock> rights, String cred) {
        if (from.type == SockType.STREAM) {
            if (data.length == 0) {
                return;
            }
            to.append(data, rights, cred);
        } else {
            to.datagrams.add(new Sock.Datagram(Endpoint.unix(from.path), data, from, rights, cred));
        }
        rights.forEach(x -> x.inFlight++);
    }

    /** UnixSendTo: a datagram to a name; a stream takes no address, a seqpacket socket ignores it. */
    Outcome unixSendTo(Process from, Sock s, byte[] data, String path) {
        if (s.type == SockType.STREAM) {
            return SocketApi.fail(s.state == TcpState.ESTABLISHED ? Errno.EISCONN : Errno.EOPNOTSUPP);
        }
        if (s.type == SockType.SEQPACKET) {
            return unixSend(from, s, data);
        }
        if (path.isEmpty()) {
            return SocketApi.fail(Errno.EINVAL); // the name is checked as it is read
        }
        autobindForCreds(s);
        if (s.err != null) {
            return reportError(s);
        }
        if (s.wrShut) {
            return SocketApi.fail(Errno.EPIPE);
        }
        Object r = lookup(s.host, path, SockType.DGRAM);
        if (r instanceof Errno e) {
            return SocketApi.fail(e);
        }
        return deliverTo(from, s, (Sock) r, data, List.of(), false);
    }

    /** UnixShutdown: always 0; a stream or seqpacket socket's peer is shut the other way round. */
    Outcome unixShutdown(Sock s, ShutdownHow how) {
        s.rdShut |= how.read();
        s.wrShut |= how.write();
        if (s.peer != null && connective(s)) {
            s.peer.rdShut |= how.write();
            s.peer.wrShut |= how.read();
        }
        return new Outcome.Value(0);
    }

    /**
     * UnixLastClose: the socket goes (its file stays); its peer and its
     * queue's clients are told. The messages left in its queue, and in the
     * queues of the connections nobody accepted, go unread: the sockets they
     * carried lose that reference (Linux's behaviour; outside the spec).
     */
    void unixLastClose(Sock s, String action) {
        List<Sock> gone = new java.util.ArrayList<>(s.acceptQueue);
        gone.add(s);
        for (Sock c : gone) {
            Sock end = c.peer;
            if (end != null && connective(c) && !gone.contains(end)) {
                end.rdShut = true;
                end.wrShut = true;
                end.peer = null;
                if (s.acceptQueue.contains(c) || c.hasData()) {
                    end.err = Errno.ECONNRESET;
                }
            }
        }
        for (Sock o : s.host.sockets) {
            if (o.unix() && gone.contains(o.peer)) {
                o.peer = null;
            }
        }
        s.acceptQueue.clear();
        s.host.sockets.removeAll(gone);
        // Only now, with the table as the close leaves it: a socket that closes in turn may be s's peer.
        for (Sock c : gone) {
            purge(c, action);
        }
    }

    /**
     * The messages of s's queue go unread (a datagram socket leaves its peer,
     * or s closes): each socket they carried is in flight through them no
     * more, and closes when nothing else holds it (SocketApi.dropCarried).
     * A stream keeps its bytes; they carry no sockets any more.
     */
    private void purge(Sock s, String action) {
        List<Sock> carried = new java.util.ArrayList<>();
        for (Sock.Datagram d : s.datagrams) {
            carried.addAll(d.rights());
        }
        s.datagrams.clear();
        for (Sock.Chunk c : s.stream) {
            carried.addAll(c.rights);
            c.rights = List.of();
        }
        for (Sock x : carried) {
            stack.socketApi.dropCarried(x, action);
        }
    }

    /** UnixPair: two sockets of one type, unnamed, connected to each other. */
    static void unixPair(Sock a, Sock b) {
        for (Sock s : List.of(a, b)) {
            s.state = TcpState.ESTABLISHED;
            s.est = true;
            s.conn = true;
        }
        a.peer = b;
        b.peer = a;
    }

    /** UnixReadiness: the events poll reports of a Unix socket. */
    static java.util.Set<String> unixReadiness(Sock s) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        if (s.err != null) {
            out.add("POLLERR");
        }
        if (s.rdShut && s.wrShut || connective(s) && s.state == TcpState.CLOSED) {
            out.add("POLLHUP");
        }
        if (s.rdShut || s.hasData() || !s.acceptQueue.isEmpty()) {
            out.add("POLLIN");
        }
        if (s.rdShut) {
            out.add("POLLRDHUP");
        }
        if (s.state != TcpState.LISTEN) {
            out.add("POLLOUT");
        }
        return out;
    }
}
