package org.sockcheck.ref;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Errno;
import org.sockcheck.spec.Proto;
import org.sockcheck.spec.SocketRow;
import org.sockcheck.spec.TcpState;

/**
 * One entry of a host's socket table (S1), with the fields of the spec's
 * {@code FreeSocket} record (Network.tla). It belongs to the host, not to a
 * process: processes hold descriptors that refer to it (S2), and it may
 * outlive them in the states that finish a TCP close.
 */
final class Sock {
    /**
     * A datagram waiting in a UDP or raw socket's queue, with its sender
     * (S13); a Unix datagram or record with the socket that sent it, whose
     * name a recv reads as it is then (spec: UnixDatagram), and the sockets
     * it carries (rights: those of the descriptors a sendmsg passed with
     * SCM_RIGHTS, in order, the same socket as often as it was passed) and
     * the credentials (cred: the sending process's name, or
     * Outcome.Message.NO_CREDS; spec: CredOf).
     */
    record Datagram(Endpoint from, byte[] data, Sock by, List<Sock> rights, String cred) {
        Datagram(Endpoint from, byte[] data) {
            this(from, data, null);
        }

        Datagram(Endpoint from, byte[] data, Sock by) {
            this(from, data, by, List.of(), org.sockcheck.spec.Outcome.Message.NO_CREDS);
        }

        /** The sender's name now. */
        Endpoint sender() {
            return by != null && by.unix() ? Endpoint.unix(by.path) : from;
        }
    }

    final Host host;
    final Proto proto;
    /** The IP protocol number a raw socket was opened for; 0 for TCP and UDP. */
    final int protocol;
    /** The inode number /proc/net prints for this socket. */
    final long inode;

    /**
     * The domain socket() was given (spec: fam): INET, INET6 or UNIX. An
     * INET6 socket's IPv4 traffic has IPv4 addresses here, as in the spec's
     * table; the API shows them v4-mapped (spec: Shown).
     */
    org.sockcheck.spec.Domain fam = org.sockcheck.spec.Domain.INET;
    /**
     * An INET6 socket's IPV6_V6ONLY (spec: v6only): it speaks IPv6 only. Bind
     * sets it too for an IPv6 address that is no wildcard (__inet6_bind).
     */
    boolean v6only;
    /** Local address (spec: lip, lport); port 0 while unbound; the ip may be a wildcard (an INET6 socket's is ::). */
    Endpoint local = Endpoint.ANY;
    /** Remote address once connected (spec: rip, rport; S6); null otherwise. */
    Endpoint remote;
    /**
     * The peer an INET6 UDP socket had before connect(AF_UNSPEC) took it,
     * port 0, which Linux still lists in /proc/net/udp6 (spec: lastrip);
     * null when there is none.
     */
    Endpoint lastRemote;
    /** TCP connection state; UDP and raw sockets have none (S12) and keep CLOSED here. */
    TcpState state = TcpState.CLOSED;
    /** SO_REUSEADDR now, and as it was when the socket took its port (spec: reuse, bindreuse). */
    boolean reuse;
    boolean bindReuse;
    /** O_NONBLOCK, shared by the socket's descriptors (spec: nonblock). */
    boolean nonblock;
    /** A non-blocking connect not yet reported to a connect (spec: connecting; Linux's SS_CONNECTING). */
    boolean connecting;
    /** Linux's SS_DISCONNECTING: a shutdown met a refused connect not yet reported; connect and listen say EINVAL (spec: disconnecting). */
    boolean disconnecting;
    /** The options that are on of SO_KEEPALIVE, SO_BROADCAST and TCP_NODELAY (spec: flags). */
    final java.util.EnumSet<org.sockcheck.spec.SockOpt> flags = java.util.EnumSet.noneOf(org.sockcheck.spec.SockOpt.class);
    /** When the socket took its port, in the stack's sequence of inodes: the later of two sockets sharing an address (SO_REUSEADDR) takes a UDP datagram, as on Linux. */
    long boundAt;
    /** SO_RCVBUF and SO_SNDBUF as getsockopt reads them (spec: rcvbuf, sndbuf, read through BufRange). */
    int rcvbuf = SocketApi.DEFAULT_RCVBUF;
    int sndbuf = SocketApi.DEFAULT_SNDBUF;
    /** SO_LINGER's l_onoff and l_linger (spec: linger). */
    boolean lingerOn;
    int lingerSeconds;

    int backlog;
    /** Listener only: connections that finished the handshake, oldest first (spec: acceptq). */
    final Deque<Sock> acceptQueue = new ArrayDeque<>();
    /** A listener's connection not yet accepted: the listener that will hand it out. */
    Sock listener;

    /**
     * A piece of a byte stream as one send or segment brought it, with the
     * sockets a sendmsg passed with these bytes and their sender's
     * credentials (a Unix stream's; TCP's chunks carry neither). A read that
     * takes bytes of the chunk takes its sockets too, once: the rest of the
     * chunk carries none, and keeps its credentials.
     */
    static final class Chunk {
        final byte[] bytes;
        List<Sock> rights;
        final String cred;

        Chunk(byte[] bytes, List<Sock> rights, String cred) {
            this.bytes = bytes;
            this.rights = rights;
            this.cred = cred;
        }
    }

    /** The received byte stream (TCP, a Unix stream), as chunks with a read offset into the first. */
    final Deque<Chunk> stream = new ArrayDeque<>();
    int streamOffset;
    int unread;
    /** Received datagrams (UDP, raw), each whole (S13). */
    final Deque<Datagram> datagrams = new ArrayDeque<>();

    /** The peer's FIN arrived: reads past the queued data return end of file (spec: fin). */
    boolean fin;
    boolean rdShut;
    boolean wrShut;
    /** An error for the next call that can report one (spec: err): ECONNREFUSED, ECONNRESET, ETIMEDOUT. */
    Errno err;

    /** RFC 9293 3.3.1: SND.UNA, SND.NXT, RCV.NXT; finSeq is the number our FIN took (0: none). */
    int sndUna;
    int sndNxt;
    int rcvNxt;
    int finSeq;

    /** Descriptors referring to this socket, across all processes. */
    int descriptors;
    /**
     * How many times messages waiting in queues carry this socket (SCM_RIGHTS,
     * S20): it is in flight while this is above 0, and stays open then even
     * with no descriptor left, as Linux keeps the file open from the message.
     */
    int inFlight;
    /**
     * Once connected (a connect that returned 0, or accept); spec: conn. On
     * Linux such a socket cannot connect or listen again.
     */
    boolean conn;
    /**
     * The stack picked the port (bind to port 0, listen or connect unbound);
     * spec: picked. Linux gives such a port back when the connection ends.
     */
    boolean picked;
    /** Connect picked the address (the socket was on the wildcard); spec: pickedip. */
    boolean pickedIp;
    /** The port getsockname still shows after Linux gave a picked port back; spec: sport. */
    int shownPort;
    /** A TCP socket that sent a SYN (connect) or was accepted; spec: synsent. Linux never lets it listen. */
    boolean synSent;
    /** A TCP socket that listened; spec: listened. Linux 6.18.44 never lets it connect. */
    boolean listened;
    /** Bind named the local address, not the wildcard (an accepted connection takes its listener's); spec: bindip. */
    boolean bindIp;
    /**
     * A Unix domain socket's (Unix.tla): its type (null for INET sockets),
     * its name (spec: path; "" for none: an accepted socket carries its
     * listener's), whether it bound that name itself (named), the other end
     * of its connection or a datagram socket's peer (null once that socket
     * is gone, while the state stays ESTABLISHED: Linux's sk_state, which
     * the spec calls CONNECTED; CLOSED is UNCONNECTED), and the name
     * getpeername gives (rpath).
     */
    org.sockcheck.spec.SockType type;
    /**
     * A Unix datagram socket's connected state as Linux keeps it and
     * /proc/net/unix shows it (spec: est): it connected, or a socket
     * connected to it (Unix.reconnected says when it ends).
     */
    boolean est;
    String path = "";
    boolean named;
    Sock peer;
    String rpath = "";

    /** When the timer of the current state fires, on the stack's virtual clock; -1 when none runs. */
    long timerAt = -1;

    Sock(Host host, Proto proto, int protocol, long inode) {
        this.host = host;
        this.proto = proto;
        this.protocol = protocol;
        this.inode = inode;
    }

    /**
     * Whether nothing holds the socket any more: no descriptor refers to it
     * and no message carries it. Its last close has happened (an orphan, in
     * TCP's words: what is left finishes the close handshake).
     */
    boolean orphan() {
        return descriptors == 0 && inFlight == 0;
    }

    /** SO_LINGER on with a linger of 0: the last close aborts the connection. */
    boolean abortsOnClose() {
        return lingerOn && lingerSeconds == 0;
    }

    boolean tcp() {
        return proto == Proto.TCP;
    }

    boolean unix() {
        return proto == Proto.UNIX;
    }

    boolean bound() {
        return local.port() != 0;
    }

    boolean connected() {
        return remote != null;
    }

    /** Bytes (TCP, a Unix stream) or datagrams (UDP, raw, Unix records and datagrams) waiting to be read. */
    boolean hasData() {
        return tcp() || unix() && type == org.sockcheck.spec.SockType.STREAM ? unread > 0 : !datagrams.isEmpty();
    }

    void append(byte[] data) {
        append(data, List.of(), org.sockcheck.spec.Outcome.Message.NO_CREDS);
    }

    /** Bytes at the end of the stream, with the sockets and the credentials that came with them (none for no bytes). */
    void append(byte[] data, List<Sock> rights, String cred) {
        if (data.length > 0) {
            stream.add(new Chunk(data, rights, cred));
            unread += data.length;
        }
    }

    /** SO_PASSCRED: recvmsg shows the credentials, and a read of a Unix stream joins no bytes of others (spec: PassCred). */
    boolean passCred() {
        return flags.contains(org.sockcheck.spec.SockOpt.SO_PASSCRED);
    }

    /** The credentials of what a read takes first: the first chunk's or datagram's; null when there is none. */
    String firstCred() {
        if (tcp() || unix() && type == org.sockcheck.spec.SockType.STREAM) {
            return stream.isEmpty() ? null : stream.peek().cred;
        }
        return datagrams.isEmpty() ? null : datagrams.peek().cred();
    }

    /** Takes up to max bytes of the stream: a byte stream has no boundaries (S10). */
    byte[] take(int max) {
        return take(max, new ArrayList<>());
    }

    /**
     * Takes up to max bytes of the stream, and adds to rights the sockets
     * that came with the chunks it reads; those chunks carry them no more.
     * A read stops after a chunk that carried sockets (Linux's
     * unix_stream_read_generic breaks there), so that one read gives the
     * sockets of one sendmsg.
     */
    byte[] take(int max, List<Sock> rights) {
        int n = readable(max);
        byte[] out = new byte[n];
        int at = 0;
        while (at < n) {
            Chunk head = stream.peek();
            int k = Math.min(n - at, head.bytes.length - streamOffset);
            System.arraycopy(head.bytes, streamOffset, out, at, k);
            at += k;
            streamOffset += k;
            rights.addAll(head.rights);
            head.rights = List.of();
            if (streamOffset == head.bytes.length) {
                stream.poll();
                streamOffset = 0;
            }
        }
        unread -= n;
        return out;
    }

    /** Up to max bytes from the front of the stream, left there (MSG_PEEK). */
    byte[] peekBytes(int max) {
        return peekBytes(max, new ArrayList<>());
    }

    /**
     * Up to max bytes from the front of the stream, left there (MSG_PEEK),
     * stopping as {@link #take(int, List)} does; adds to rights the
     * sockets of the chunks it reads, which keep them.
     */
    byte[] peekBytes(int max, List<Sock> rights) {
        int n = readable(max);
        byte[] out = new byte[n];
        int at = 0;
        int offset = streamOffset;
        for (Chunk chunk : stream) {
            if (at == n) {
                break;
            }
            int k = Math.min(n - at, chunk.bytes.length - offset);
            System.arraycopy(chunk.bytes, offset, out, at, k);
            rights.addAll(chunk.rights);
            at += k;
            offset = 0;
        }
        return out;
    }

    /**
     * How many bytes a read of at most max takes: all there are, up to the
     * end of the first chunk that carries sockets, and with SO_PASSCRED not
     * into a chunk of other credentials than the first's (spec: UnixTake).
     */
    private int readable(int max) {
        int n = 0;
        int offset = streamOffset;
        String first = stream.isEmpty() ? null : stream.peek().cred;
        for (Chunk chunk : stream) {
            if (n >= max || passCred() && !chunk.cred.equals(first)) {
                break;
            }
            n += Math.min(max - n, chunk.bytes.length - offset);
            offset = 0;
            if (!chunk.rights.isEmpty()) {
                break;
            }
        }
        return n;
    }

    /** A datagram read with a buffer of max bytes loses the rest (S13). */
    static byte[] truncate(byte[] data, int max) {
        return data.length <= max ? data : Arrays.copyOf(data, max);
    }

    /**
     * Whether /proc/net lists this socket (S16): TCP sockets that listen or
     * belong to a connection, UDP sockets with a local port, and every raw
     * socket. A TCP socket that is only bound is not listed, as on Linux.
     */
    boolean listed() {
        return switch (proto) {
            case TCP -> state != TcpState.CLOSED;
            case UDP -> bound();
            case RAW -> true;
            // Every Unix socket, as /proc/net/unix lists it (S20).
            case UNIX -> true;
        };
    }

    SocketRow row() {
        if (proto == Proto.UNIX) {
            return SocketRow.unix(type, path, unixState());
        }
        // An INET6 socket's row (Linux: /proc/net/tcp6, udp6) shows its addresses as the API does (spec: ListedRows).
        return new SocketRow(proto, Network.shown(this, local), Network.shown(this, listedRemote()), tcp() ? state : null);
    }

    /**
     * A Unix socket's state in its row (spec: UnixRowState): LISTEN; the
     * server's end of a connection not accepted yet CONNECTING; a datagram
     * socket by est; else CONNECTED or UNCONNECTED by its state.
     */
    org.sockcheck.spec.UnixState unixState() {
        if (state == TcpState.LISTEN) {
            return org.sockcheck.spec.UnixState.LISTEN;
        }
        if (listener != null) {
            return org.sockcheck.spec.UnixState.CONNECTING;
        }
        boolean connected = type == org.sockcheck.spec.SockType.DGRAM ? est : state == TcpState.ESTABLISHED;
        return connected ? org.sockcheck.spec.UnixState.CONNECTED : org.sockcheck.spec.UnixState.UNCONNECTED;
    }

    /** The peer the socket's row lists: its peer, or the one it had before connect(AF_UNSPEC) (spec: ListedRows). */
    Endpoint listedRemote() {
        return remote != null ? remote : lastRemote;
    }

    @Override
    public String toString() {
        return proto.word() + " " + local + " " + (remote == null ? "*:*" : remote) + (tcp() ? " " + state : "");
    }
}
