package org.sockcheck.ref;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Proto;
import org.sockcheck.spec.TcpState;

/**
 * A host's socket table printed as Linux prints /proc/net/tcp, /proc/net/udp,
 * /proc/net/raw and /proc/net/unix (S16, S20), column for column: the same header, the same
 * field widths, addresses as the hexadecimal of the address in network order
 * read on a little-endian machine, ports in hexadecimal, the kernel's state
 * numbers. TCP lines are padded to 149 characters and UDP lines to 127, as
 * the kernel pads them; raw lines are not padded.
 *
 * <p>What the kernel prints but the reference stack does not have is printed
 * as a fixed, plausible value: uid 0, a zero kernel pointer, no retransmits;
 * a listener's RTO of one second and a connection's initial window of 10.
 * Connections still in the handshake print as the kernel's request sockets,
 * and TIME-WAIT as its time-wait sockets, each with its own shorter format.
 */
final class ProcNet {
    static final String TCP_HEADER =
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
    static final String UDP_HEADER =
            "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops";
    static final String RAW_HEADER =
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops";
    static final String UNIX_HEADER = "Num       RefCount Protocol Flags    Type St Inode Path";
    private static final int TCP_WIDTH = 149;
    private static final int UDP_WIDTH = 127;
    /** USER_HZ: the kernel prints timers in hundredths of a second. */
    private static final long TICKS_PER_SECOND = 100;
    private static final String NULL_POINTER = "0000000000000000";
    /** Linux's state number for a socket without a connection (TCP_CLOSE) and with one. */
    private static final int CLOSE = 0x07;
    private static final int ESTABLISHED = 0x01;

    private ProcNet() {
    }

    static String render(List<Sock> table, Proto proto, long now) {
        StringBuilder out = new StringBuilder();
        switch (proto) {
            case TCP -> {
                line(out, TCP_HEADER, TCP_WIDTH);
                // The kernel walks its listening hash before the established one.
                List<Sock> ordered = new ArrayList<>();
                table.stream().filter(s -> s.tcp() && s.state == TcpState.LISTEN).forEach(ordered::add);
                table.stream().filter(s -> s.tcp() && s.listed() && s.state != TcpState.LISTEN).forEach(ordered::add);
                int i = 0;
                for (Sock s : ordered) {
                    line(out, tcpLine(i++, s, now), TCP_WIDTH);
                }
            }
            case UDP -> {
                line(out, UDP_HEADER, UDP_WIDTH);
                for (Sock s : table) {
                    if (s.proto == Proto.UDP && s.listed()) {
                        line(out, udpLine(s), UDP_WIDTH);
                    }
                }
            }
            case UNIX -> {
                out.append(UNIX_HEADER).append('\n');
                for (Sock s : table) {
                    if (s.proto == Proto.UNIX) {
                        out.append(unixLine(s)).append('\n');
                    }
                }
            }
            case RAW -> {
                out.append(RAW_HEADER).append('\n');
                for (Sock s : table) {
                    if (s.proto == Proto.RAW) {
                        out.append(rawLine(s)).append('\n');
                    }
                }
            }
        }
        return out.toString();
    }

    /**
     * A line of /proc/net/unix (S20): a hidden kernel pointer, a reference
     * count of 2, protocol 0, Flags 00010000 for a listener, the type's
     * number, the state's St, the inode (0 for the server's end of a
     * connection nobody accepted yet, which has no file) and the name, as
     * the trace writes it ("@name" in the abstract namespace), when it has
     * one.
     */
    private static String unixLine(Sock s) {
        org.sockcheck.spec.UnixState st = s.unixState();
        boolean listening = st == org.sockcheck.spec.UnixState.LISTEN;
        boolean embryo = st == org.sockcheck.spec.UnixState.CONNECTING;
        return String.format(Locale.ROOT, "%s: %08X %08X %08X %04X %02X %5d", NULL_POINTER, 2, 0,
                listening ? org.sockcheck.spec.UnixState.ACCEPTCON : 0, s.type.linuxCode(), st.st(), embryo ? 0 : s.inode)
                + (s.path.isEmpty() ? "" : " " + s.path);
    }

    private static void line(StringBuilder out, String text, int width) {
        out.append(text);
        out.append(" ".repeat(Math.max(0, width - text.length())));
        out.append('\n');
    }

    private static String tcpLine(int i, Sock s, long now) {
        String addresses = addresses(s.local, s.remote);
        long remaining = s.timerAt < 0 ? 0 : Math.max(0, (s.timerAt - now) * TICKS_PER_SECOND / 1000);
        if (s.state == TcpState.TIME_WAIT || (s.state == TcpState.FIN_WAIT_2 && s.orphan())) {
            // An orphan in FIN-WAIT-2 or TIME-WAIT is a time-wait socket in Linux, printing its sub-state.
            return String.format(Locale.ROOT, "%4d: %s %02X %08X:%08X %02X:%08X %08X %5d %8d %d %d %s",
                    i, addresses, s.state.linuxCode(), 0, 0, 3, remaining, 0, 0, 0, 0, 3, NULL_POINTER);
        }
        if (s.state == TcpState.SYN_RECEIVED && s.listener != null) {
            // A listener's connection in the handshake is a request socket: no inode, the expiry timer.
            return String.format(Locale.ROOT, "%4d: %s %02X %08X:%08X %02X:%08X %08X %5d %8d %d %d %s",
                    i, addresses, s.state.linuxCode(), 0, 0, 1, remaining, 0, 0, 0, 0, 0, NULL_POINTER);
        }
        boolean listen = s.state == TcpState.LISTEN;
        long txQueue = listen ? s.backlog : Math.max(0, s.sndNxt - s.sndUna - 1L);
        long rxQueue = listen ? s.acceptQueue.size() : s.unread;
        return String.format(Locale.ROOT, "%4d: %s %02X %08X:%08X %02X:%08X %08X %5d %8d %d %d %s %d %d %d %d %d",
                i, addresses, s.state.linuxCode(), txQueue, rxQueue, 0, 0, 0, 0, 0, s.inode, 1, NULL_POINTER,
                listen ? 100 : 20, listen ? 0 : 4, 0, 10, listen ? 0 : -1);
    }

    private static String udpLine(Sock s) {
        int bucket = s.local.port() & 0x7f;
        return String.format(Locale.ROOT, "%5d: %s %02X %08X:%08X %02X:%08X %08X %5d %8d %d %d %s %d",
                bucket, addresses(s.local, s.listedRemote()), s.connected() ? ESTABLISHED : CLOSE,
                0, s.datagrams.size(), 0, 0, 0, 0, 0, s.inode, 2, NULL_POINTER, 0);
    }

    private static String rawLine(Sock s) {
        // A raw socket's "port" is its protocol number; the kernel's bucket is the protocol too. A raw INET6
        // socket's row (in /proc/net/raw6) shows IPv4 addresses v4-mapped, as its API does.
        Endpoint local = Network.shown(s, new Endpoint(s.local.ip(), s.protocol));
        Endpoint remote = s.remote == null ? null : Network.shown(s, new Endpoint(s.remote.ip(), 0));
        return String.format(Locale.ROOT, "%4d: %s %02X %08X:%08X %02X:%08X %08X %5d %8d %d %d %s %d",
                s.protocol, addresses(local, remote), s.connected() ? ESTABLISHED : CLOSE,
                0, s.datagrams.size(), 0, 0, 0, 0, 0, s.inode, 2, NULL_POINTER, 0);
    }

    private static String addresses(Endpoint local, Endpoint remote) {
        Endpoint r = remote != null ? remote : local.v6() ? new Endpoint(Endpoint.ANY6_IP, 0) : Endpoint.ANY;
        return hex(local) + " " + hex(r);
    }

    /**
     * ip:port as the kernel prints them: the address's four bytes in reverse order, then the port. An
     * IPv6 address (of an INET6 socket, which these tables list as the spec's Listed does) prints as
     * /proc/net/tcp6 prints it: each of its four 32-bit words so.
     */
    static String hex(Endpoint e) {
        if (e.ip().indexOf(':') >= 0) {
            byte[] a = org.sockcheck.spec.Ip6.parse(e.ip());
            StringBuilder words = new StringBuilder();
            for (int w = 0; w < 16; w += 4) {
                words.append(String.format(Locale.ROOT, "%02X%02X%02X%02X", a[w + 3], a[w + 2], a[w + 1], a[w]));
            }
            return words + String.format(Locale.ROOT, ":%04X", e.port());
        }
        String[] parts = e.ip().split("\\.");
        long value = 0;
        for (int b = 3; b >= 0; b--) {
            value = (value << 8) | Integer.parseInt(parts[b]);
        }
        return String.format(Locale.ROOT, "%08X:%04X", value, e.port());
    }
}
