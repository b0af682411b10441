package org.sockcheck.ref;

import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Errno;
import org.sockcheck.spec.Proto;
import org.sockcheck.spec.SocketRow;
import org.sockcheck.spec.TcpState;

/**
 * A socket: one entry in its host's socket table (S1). It belongs to the host,
 * not to a process; processes hold descriptors that refer to it (S2), and it
 * may outlive them in the states that finish a TCP close.
 */
final class Sock {
    /** A datagram waiting in a UDP socket's receive queue, with its sender (S13). */
    record Datagram(Endpoint from, byte[] data) {
    }

    final Host host;
    final Proto proto;
    /** Local address; port 0 while unbound. The ip may be the wildcard. */
    Endpoint local = Endpoint.ANY;
    /** Remote address once connected (S6); null otherwise. */
    Endpoint remote;
    /** TCP connection state; UDP sockets have none (S12) and keep CLOSED here. */
    TcpState state = TcpState.CLOSED;
    boolean reuseAddr;
    /** Descriptors referring to this socket, across all processes. */
    int descriptors;

    int backlog;
    /** Listener only: connections that finished the handshake, oldest first. */
    final Deque<Sock> acceptQueue = new ArrayDeque<>();
    /** Connection only: the listener that will hand it out through accept(). */
    Sock listener;

    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    int receivedRead;
    final Deque<Datagram> datagrams = new ArrayDeque<>();
    /** The peer sent FIN: reads past the buffered data return end of file. */
    boolean finReceived;
    boolean readShut;
    boolean writeShut;
    /** An error reported to the next call that can report one (ECONNREFUSED, ECONNRESET). */
    Errno pendingError;

    Sock(Host host, Proto proto) {
        this.host = host;
        this.proto = proto;
    }

    boolean bound() {
        return local.port() != 0;
    }

    int unread() {
        return received.size() - receivedRead;
    }

    byte[] take(int max) {
        byte[] all = received.toByteArray();
        int n = Math.min(max, all.length - receivedRead);
        byte[] out = Arrays.copyOfRange(all, receivedRead, receivedRead + n);
        receivedRead += n;
        return out;
    }

    /**
     * Whether this socket is an entry of the kernel's socket table as
     * /proc/net prints it (S16): TCP sockets that are listening or part of a
     * connection, and UDP sockets with a local port. A TCP socket that is
     * only bound is not listed, as on Linux.
     */
    boolean listed() {
        return proto == Proto.TCP ? state != TcpState.CLOSED : bound();
    }

    SocketRow row() {
        return new SocketRow(proto, local, remote, proto == Proto.TCP ? state : null);
    }

    @Override
    public String toString() {
        return proto.word() + " " + local + " " + remote + " " + (proto == Proto.TCP ? state : "");
    }
}
