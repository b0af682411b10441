package org.sockcheck.harness.impl.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Proto;
import org.sockcheck.spec.SocketRow;
import org.sockcheck.spec.TcpState;

/**
 * Reads the kernel's socket tables, /proc/net/tcp and /proc/net/udp (S16),
 * and /proc/net/unix (S20, {@link #readUnix}).
 * Each line gives "sl local_address rem_address st tx_queue:rx_queue tr:tm
 * retrnsmt uid timeout inode ..."; addresses are hex in host byte order
 * (little-endian here) with the port in hex after a colon.
 */
public final class ProcNet {
    /** One line of a table, with the inode that ties it to a descriptor (0 when none holds it). */
    public record Entry(SocketRow row, long inode) {
    }

    private ProcNet() {
    }

    public static List<Entry> read(Proto proto) throws IOException {
        return read(Path.of("/proc/net/" + proto.word()), proto);
    }

    /**
     * The rows of one table, IPv4's (tcp, udp) or IPv6's (tcp6, udp6), of
     * the protocol's, each socket once. The kernel writes the file a page
     * at a time and goes on from the place in its hash table where the last
     * page ended: a socket added to or removed from the same bucket between
     * two pages (another run binding the same port on its own address)
     * shifts that place, and a socket is listed twice. A socket with a
     * descriptor has an inode of its own, so a second line with its inode is
     * that repeat (seen: two rows of one UDP socket in
     * scenarios/bind/bind-gives-local-address on linux, four workers
     * binding the port at once). Lines without an inode (a connection in
     * TIME-WAIT, one nobody accepted) are kept as they are. The same shift
     * can skip a socket instead: an observation is taken only when two
     * reads in a row agree (LinuxImplementation's settling).
     */
    static List<Entry> read(Path file, Proto proto) throws IOException {
        List<Entry> out = new ArrayList<>();
        java.util.Set<Long> seen = new java.util.HashSet<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 1; i < lines.size(); i++) {
            Entry e = parse(proto, lines.get(i));
            if (e.inode() == 0 || seen.add(e.inode())) {
                out.add(e);
            }
        }
        return out;
    }

    static Entry parse(Proto proto, String line) {
        String[] f = line.trim().split("\\s+");
        Endpoint local = endpoint(f[1]);
        Endpoint remote = endpoint(f[2]);
        int st = Integer.parseInt(f[3], 16);
        TcpState state = proto == Proto.TCP ? TcpState.fromLinuxCode(st).orElse(TcpState.CLOSED) : null;
        long inode = Long.parseLong(f[9]);
        // No peer: 0.0.0.0:0, or in tcp6 and udp6 [::]:0.
        boolean noRemote = (remote.wildcardIp() || remote.ip().equals(Endpoint.ANY6_IP)) && remote.port() == 0;
        return new Entry(new SocketRow(proto, local, noRemote ? null : remote, state), inode);
    }

    /** One line of /proc/net/unix: the socket's row, its real name ("" for none; abstract with its NUL) and inode (0: a connection nobody accepted yet). */
    public record UnixEntry(org.sockcheck.spec.SockType type, org.sockcheck.spec.UnixState state, String path, long inode) {
    }

    /** The rows of /proc/net/unix (S20) as table (the file of a namespace) lists them. */
    static List<UnixEntry> readUnix(Path table) throws IOException {
        List<UnixEntry> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(table, java.nio.charset.StandardCharsets.ISO_8859_1);
        for (int i = 1; i < lines.size(); i++) {
            UnixEntry e = parseUnix(lines.get(i));
            if (e != null) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * "Num RefCount Protocol Flags Type St Inode [Path]": Flags 00010000 for
     * a listener, Type 1, 2 or 5, St 01 to 04, the path of a file or "@" and
     * an abstract name; null for a line of another shape.
     */
    static UnixEntry parseUnix(String line) {
        String[] f = line.trim().split(" +", 8);
        if (f.length < 7) {
            return null;
        }
        try {
            int flags = Integer.parseInt(f[3], 16);
            var type = org.sockcheck.spec.SockType.fromLinuxCode(Integer.parseInt(f[4], 16)).orElse(null);
            var state = org.sockcheck.spec.UnixState.fromProc(flags, Integer.parseInt(f[5], 16)).orElse(null);
            if (type == null || state == null) {
                return null;
            }
            String path = f.length == 8 ? f[7] : "";
            return new UnixEntry(type, state, org.sockcheck.spec.Endpoint.unixShown(path).path(), Long.parseLong(f[6]));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * Marks X * 256 + Y for the 127.X.Y blocks of every address in
     * /proc/net/tcp and /proc/net/udp. Read when a slice of loopback is
     * taken, when the tables may hold thousands of TIME-WAIT rows of earlier
     * runs: only the two address columns of each row are read, without
     * {@link #parse} of the whole row (the parse took most of a run's time in
     * LinuxReplayBenchmark, whose runs take a slice every 254 traces).
     */
    public static void loopbackBlocks(java.util.BitSet blocks) throws IOException {
        for (Proto proto : List.of(Proto.TCP, Proto.UDP)) {
            loopbackBlocks(Files.readAllBytes(Path.of("/proc/net/" + proto.word())), blocks);
        }
    }

    /**
     * Marks X * 256 + Y for each address 127.X.Y.Z in the local and remote
     * columns (the second and third fields) of the rows after the header line
     * of a /proc/net table; an address is read as {@link #endpoint} reads it.
     */
    public static void loopbackBlocks(byte[] text, java.util.BitSet blocks) {
        int i = 0;
        while (i < text.length && text[i] != '\n') {
            i++; // the header line
        }
        while (i < text.length) {
            int lineEnd = i + 1;
            while (lineEnd < text.length && text[lineEnd] != '\n') {
                lineEnd++;
            }
            int field = 0;
            int k = i + 1;
            while (k < lineEnd && field < 3) {
                while (k < lineEnd && text[k] == ' ') {
                    k++;
                }
                int start = k;
                while (k < lineEnd && text[k] != ' ') {
                    k++;
                }
                if (start < k && field >= 1 && k - start >= 9 && text[start + 8] == ':') {
                    long addr = hex(text, start, start + 8);
                    if (addr >= 0 && (addr & 0xff) == 127) {
                        blocks.set((int) ((addr >> 8) & 0xff) << 8 | (int) ((addr >> 16) & 0xff));
                    }
                }
                field++;
            }
            i = lineEnd;
        }
    }

    private static long hex(byte[] text, int from, int to) {
        long v = 0;
        for (int k = from; k < to; k++) {
            int d = Character.digit(text[k], 16);
            if (d < 0) {
                return -1;
            }
            v = v << 4 | d;
        }
        return v;
    }

    static Endpoint endpoint(String hex) {
        String[] parts = hex.split(":");
        if (parts[0].length() == 32) {
            // tcp6, udp6: the 16 bytes as four 32-bit words, each in the host's (little-endian) order.
            byte[] a = new byte[16];
            for (int w = 0; w < 4; w++) {
                long word = Long.parseLong(parts[0].substring(8 * w, 8 * w + 8), 16);
                for (int b = 0; b < 4; b++) {
                    a[4 * w + b] = (byte) (word >> (8 * b));
                }
            }
            return new Endpoint(org.sockcheck.spec.Ip6.format(a), Integer.parseInt(parts[1], 16));
        }
        long addr = Long.parseLong(parts[0], 16);
        String ip = (addr & 0xff) + "." + ((addr >> 8) & 0xff) + "." + ((addr >> 16) & 0xff) + "." + ((addr >> 24) & 0xff);
        return new Endpoint(ip, Integer.parseInt(parts[1], 16));
    }

    /**
     * Whether no packet waits in the kernel's receive backlogs, on any CPU:
     * the twelfth column of /proc/net/softnet_stat (the backlog's length,
     * Linux 5.10 on). Loopback hands every packet to such a backlog. True
     * when the kernel does not say.
     */
    public static boolean backlogEmpty() {
        byte[] text;
        try {
            text = Files.readAllBytes(SOFTNET);
        } catch (IOException e) {
            return true;
        }
        // Each line: hexadecimal columns separated by spaces.
        int column = 0;
        long value = 0;
        boolean inWord = false;
        for (byte b : text) {
            if (b == ' ' || b == '\n') {
                if (inWord && column == BACKLOG_COLUMN && value != 0) {
                    return false;
                }
                if (inWord) {
                    column++;
                }
                inWord = false;
                value = 0;
                if (b == '\n') {
                    column = 0;
                }
            } else {
                inWord = true;
                value = value << 4 | Character.digit(b, 16) & 0xf;
            }
        }
        return true;
    }

    /**
     * Whether /proc/net/softnet_stat has the backlog's column (Linux 5.10
     * on): where it has not, an empty backlog cannot be told, and a call is
     * not called blocked on the kernel's word (it is given its whole wait).
     */
    public static final boolean BACKLOG_SHOWN = backlogShown();

    private static boolean backlogShown() {
        try {
            String first = Files.readString(Path.of("/proc/net/softnet_stat")).lines().findFirst().orElse("");
            return first.strip().split("\\s+").length > BACKLOG_COLUMN;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The column of /proc/net/softnet_stat that gives the backlog's length (counted from 0). */
    private static final int BACKLOG_COLUMN = 11;

    private static final Path SOFTNET = Path.of("/proc/net/softnet_stat");

    /** The inode of a socket descriptor of this process: /proc/self/fd/N links to "socket:[inode]". */
    public static long inodeOf(int fd) {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            if (link.startsWith("socket:[")) {
                return Long.parseLong(link.substring(8, link.length() - 1));
            }
        } catch (IOException | NumberFormatException e) {
            // not an open socket
        }
        return -1;
    }
}
