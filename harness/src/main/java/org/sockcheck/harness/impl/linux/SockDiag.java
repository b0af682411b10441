package org.sockcheck.harness.impl.linux;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Proto;
import org.sockcheck.spec.SocketRow;
import org.sockcheck.spec.TcpState;

/**
 * The kernel's TCP sockets through sock_diag (NETLINK_SOCK_DIAG, inet_diag),
 * as the rows /proc/net/tcp shows for them (S16), without reading that file.
 *
 * <p>NOTE: /proc/net/tcp, like a full inet_diag dump, walks every bucket of
 * the kernel's established hash, whatever the number of sockets: 262,144
 * buckets on a machine with 24 GiB, some milliseconds per read. Two requests
 * do not walk it: a dump of the listeners alone (the listening hash is
 * small), and the lookup of one four-tuple (a hash lookup). The caller names
 * the four-tuples its sockets have had; each lookup gives the socket the
 * kernel holds for the tuple now, full, TIME-WAIT or a connection request,
 * as /proc/net/tcp would list it.
 */
final class SockDiag implements AutoCloseable {
    /** A TCP connection as one end sees it: its local and remote address. */
    record Tuple(Endpoint local, Endpoint remote) {
        /** The same connection seen from the other end. */
        Tuple mirror() {
            return new Tuple(remote, local);
        }
    }

    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int NETLINK_SOCK_DIAG = 4;
    private static final int SOCK_DIAG_BY_FAMILY = 20;
    private static final int NLMSG_ERROR = 2;
    private static final int NLMSG_DONE = 3;
    private static final short NLM_F_REQUEST = 0x1;
    private static final short NLM_F_DUMP = 0x300;
    private static final int TCPF_LISTEN = 1 << 10;
    private static final int ALL_STATES = 0xffffffff;
    private static final int ENOENT = 2;
    private static final int HEADER = 16;
    /** struct inet_diag_req_v2: family, protocol, ext, pad, states, then struct inet_diag_sockid (48 bytes). */
    private static final int REQUEST = 56;
    /** struct inet_diag_msg up to idiag_inode. */
    private static final int MESSAGE = 72;
    /** Lookups sent in one datagram: their replies fit the socket's receive buffer many times over. */
    private static final int BATCH = 64;
    /** The receive buffer: the kernel sizes a dump's datagrams to the largest buffer it has been given, at most 32 KiB. */
    private static final int BUFFER = 32 * 1024;
    /** How long one reply may take; the kernel answers in the sending call, so this only bounds a broken kernel. */
    private static final int REPLY_TIMEOUT_MS = 1000;
    private static final ValueLayout.OfShort BE_SHORT = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

    private final int fd;
    private int seq;
    /** The buffers of the requests and replies, made once: the caller makes one request at a time. */
    private final java.lang.foreign.Arena buffers = java.lang.foreign.Arena.ofShared();
    private final MemorySegment requests = buffers.allocate((long) (HEADER + REQUEST) * BATCH);
    private final MemorySegment replies = buffers.allocate(BUFFER);

    private SockDiag(int fd) {
        this.fd = fd;
    }

    /** A netlink socket for sock_diag, or an IOException saying why there is none. */
    static SockDiag open() throws IOException {
        try (Syscalls.Call sys = new Syscalls.Call()) {
            Syscalls.Result r = sys.socket(AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG);
            if (r.failed()) {
                throw new IOException("no NETLINK_SOCK_DIAG socket: errno " + r.errno());
            }
            int fd = (int) r.value();
            sys.setTimeout(fd, Syscalls.SO_RCVTIMEO, REPLY_TIMEOUT_MS);
            return new SockDiag(fd);
        }
    }

    @Override
    public void close() {
        try (Syscalls.Call sys = new Syscalls.Call()) {
            sys.closeFd(fd);
        }
        buffers.close();
    }

    /** Every TCP listener of the kernel (the network namespace's), in the order of its listening hash. */
    List<ProcNet.Entry> listeners() throws IOException {
        try (Syscalls.Call sys = new Syscalls.Call()) {
            MemorySegment req = requests;
            int s = ++seq;
            request(req, 0, (short) (NLM_F_REQUEST | NLM_F_DUMP), s, TCPF_LISTEN, null);
            send(sys, req, HEADER + REQUEST);
            List<ProcNet.Entry> out = new ArrayList<>();
            MemorySegment buf = replies;
            while (true) {
                long n = receive(sys, buf);
                for (long at = 0; at + HEADER <= n; ) {
                    int len = buf.get(JAVA_INT, at);
                    int type = Short.toUnsignedInt(buf.get(JAVA_SHORT, at + 4));
                    if (len < HEADER || at + len > n) {
                        throw new IOException("sock_diag: a malformed reply");
                    }
                    if (buf.get(JAVA_INT, at + 8) == s) {
                        if (type == NLMSG_DONE) {
                            return out;
                        }
                        if (type == NLMSG_ERROR) {
                            throw new IOException("sock_diag: the dump of listeners failed: errno " + -buf.get(JAVA_INT, at + HEADER));
                        }
                        if (type == SOCK_DIAG_BY_FAMILY && len >= HEADER + MESSAGE) {
                            out.add(entry(buf.asSlice(at + HEADER, MESSAGE)));
                        }
                    }
                    at += (len + 3) & ~3;
                }
            }
        }
    }

    /**
     * The socket the kernel holds for each tuple, where it holds one: the
     * entries found, keyed by their tuple. A listener is never one of them
     * (the kernel falls back to the listener of the local address when no
     * connection has the tuple; {@link #listeners} gives those).
     */
    Map<Tuple, ProcNet.Entry> lookup(List<Tuple> tuples) throws IOException {
        Map<Tuple, ProcNet.Entry> out = new HashMap<>();
        for (int from = 0; from < tuples.size(); from += BATCH) {
            lookup(tuples.subList(from, Math.min(tuples.size(), from + BATCH)), out);
        }
        return out;
    }

    private void lookup(List<Tuple> batch, Map<Tuple, ProcNet.Entry> out) throws IOException {
        try (Syscalls.Call sys = new Syscalls.Call()) {
            int size = HEADER + REQUEST;
            MemorySegment req = requests;
            int first = seq + 1;
            for (int i = 0; i < batch.size(); i++) {
                request(req, (long) i * size, NLM_F_REQUEST, ++seq, ALL_STATES, batch.get(i));
            }
            send(sys, req, (long) size * batch.size());
            MemorySegment buf = replies;
            int answered = 0;
            while (answered < batch.size()) {
                long n = receive(sys, buf);
                for (long at = 0; at + HEADER <= n; ) {
                    int len = buf.get(JAVA_INT, at);
                    int type = Short.toUnsignedInt(buf.get(JAVA_SHORT, at + 4));
                    int s = buf.get(JAVA_INT, at + 8);
                    if (len < HEADER || at + len > n) {
                        throw new IOException("sock_diag: a malformed reply");
                    }
                    int i = s - first;
                    if (i >= 0 && i < batch.size()) {
                        answered++;
                        if (type == NLMSG_ERROR) {
                            int errno = -buf.get(JAVA_INT, at + HEADER);
                            if (errno != ENOENT) {
                                throw new IOException("sock_diag: a lookup failed: errno " + errno);
                            }
                        } else if (type == SOCK_DIAG_BY_FAMILY && len >= HEADER + MESSAGE) {
                            ProcNet.Entry e = entry(buf.asSlice(at + HEADER, MESSAGE));
                            Tuple t = batch.get(i);
                            if (e.row().state() != TcpState.LISTEN && t.local().equals(e.row().local())
                                    && t.remote().equals(e.row().remote())) {
                                out.put(t, e);
                            }
                        }
                    }
                    at += (len + 3) & ~3;
                }
            }
        }
    }

    /** Writes one request at offset at: a dump (tuple null) or the lookup of a tuple. */
    private static void request(MemorySegment m, long at, short flags, int seq, int states, Tuple t) {
        m.asSlice(at, HEADER + REQUEST).fill((byte) 0);
        m.set(JAVA_INT, at, HEADER + REQUEST);
        m.set(JAVA_SHORT, at + 4, (short) SOCK_DIAG_BY_FAMILY);
        m.set(JAVA_SHORT, at + 6, flags);
        m.set(JAVA_INT, at + 8, seq);
        long r = at + HEADER;
        m.set(JAVA_BYTE, r, (byte) Syscalls.AF_INET);
        m.set(JAVA_BYTE, r + 1, (byte) Syscalls.IPPROTO_TCP);
        m.set(JAVA_INT, r + 4, states);
        long id = r + 8;
        if (t != null) {
            m.set(BE_SHORT, id, (short) t.local().port());
            m.set(BE_SHORT, id + 2, (short) t.remote().port());
            address(m, id + 4, t.local());
            address(m, id + 20, t.remote());
        }
        // No cookie: INET_DIAG_NOCOOKIE in both words.
        m.set(JAVA_INT, id + 40, -1);
        m.set(JAVA_INT, id + 44, -1);
    }

    private static void address(MemorySegment m, long at, Endpoint ep) {
        byte[] b = Endpoint.octets(ep.ip());
        if (b == null) {
            throw new IllegalArgumentException("not an IPv4 address: " + ep.ip());
        }
        MemorySegment.copy(b, 0, m, JAVA_BYTE, at, 4);
    }

    /** A row from a struct inet_diag_msg, as ProcNet makes one from a line of /proc/net/tcp. */
    private static ProcNet.Entry entry(MemorySegment msg) {
        int state = Byte.toUnsignedInt(msg.get(JAVA_BYTE, 1));
        Endpoint local = endpoint(msg, 8, 4);
        Endpoint remote = endpoint(msg, 24, 6);
        boolean noRemote = remote.wildcardIp() && remote.port() == 0;
        long inode = Integer.toUnsignedLong(msg.get(JAVA_INT, 68));
        return new ProcNet.Entry(new SocketRow(Proto.TCP, local, noRemote ? null : remote,
                TcpState.fromLinuxCode(state).orElse(TcpState.CLOSED)), inode);
    }

    private static Endpoint endpoint(MemorySegment msg, long addr, long port) {
        StringBuilder ip = new StringBuilder(15);
        for (int i = 0; i < 4; i++) {
            ip.append(i > 0 ? "." : "").append(Byte.toUnsignedInt(msg.get(JAVA_BYTE, addr + i)));
        }
        return new Endpoint(ip.toString(), Short.toUnsignedInt(msg.get(BE_SHORT, port)));
    }

    private void send(Syscalls.Call sys, MemorySegment buf, long len) throws IOException {
        Syscalls.Result r = sys.send(fd, buf, len);
        if (r.failed() || r.value() != len) {
            throw new IOException("sock_diag: send failed: errno " + r.errno());
        }
    }

    private long receive(Syscalls.Call sys, MemorySegment buf) throws IOException {
        Syscalls.Result r = sys.recvfrom(fd, buf, 0, MemorySegment.NULL);
        if (r.failed()) {
            throw new IOException("sock_diag: no reply: errno " + r.errno());
        }
        return r.value();
    }
}
