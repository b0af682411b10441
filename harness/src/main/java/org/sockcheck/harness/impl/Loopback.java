package org.sockcheck.harness.impl;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.sockcheck.spec.Endpoint;

/**
 * Places the hosts of a trace on loopback addresses for implementations that
 * share this machine's kernel. Each trace gets a fresh block 127.X.Y.0/24, so
 * leftovers of an earlier run (TIME-WAIT) cannot be mistaken for its sockets,
 * and each port label a port from a free range chosen at run time.
 */
public final class Loopback {
    /** Below Linux's ephemeral range (32768-60999), so labelled and ephemeral ports never meet. */
    static final int FIRST_PORT = 20000;
    static final int LAST_PORT = 32000;

    private static final RandomGenerator RANDOM = new SecureRandom();

    private Loopback() {
    }

    /** Whether a port is free for TCP and for UDP on an address: a bind of each would be granted. */
    @FunctionalInterface
    public interface PortCheck {
        boolean free(String ip, int port) throws ImplementationException;
    }

    public static Addressing plan(TraceSetup setup) throws ImplementationException {
        return plan(setup, Loopback::freeForJava);
    }

    /** The hosts' addresses and the port labels' ports, each port checked free by check on every host's address. */
    public static Addressing plan(TraceSetup setup, PortCheck check) throws ImplementationException {
        // A block of this JVM's own slice of loopback (LoopbackBlocks), which no other sockcheck process
        // uses; else, without a slice, one no socket of the kernel used when this JVM started (an earlier
        // run's TIME-WAIT would show up in this trace's tables) and that this run has not handed out before.
        LoopbackBlocks.Block block = LoopbackBlocks.next().orElse(null);
        int x = block == null ? 0 : block.x();
        int y = block == null ? 0 : block.y();
        for (int tries = 0; block == null && tries < 200; tries++) {
            x = 64 + RANDOM.nextInt(128);
            y = 1 + RANDOM.nextInt(254);
            if (!BusyAtStart.BLOCKS.contains(x + "." + y) && GIVEN.add(x + "." + y)) {
                break;
            }
        }
        if (setup.hosts().size() > MAX_HOSTS) {
            // TraceCheck refuses such a trace when it is read; this is the guard's own check.
            throw new ImplementationException(setup.hosts().size() + " hosts do not fit a /24 block (at most " + MAX_HOSTS + ")");
        }
        Map<String, String> ips = new LinkedHashMap<>();
        int i = 1;
        for (String h : setup.hosts()) {
            ips.put(h, "127." + x + "." + y + "." + i++);
        }
        return new Addressing(ips, ports(setup.portLabels(), List.copyOf(ips.values()), check));
    }

    private static final java.util.Set<String> GIVEN = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** The blocks in use when the first trace was placed: read once; later traces avoid this run's own through GIVEN. */
    private static final class BusyAtStart {
        static final java.util.Set<String> BLOCKS = blocksInUse();
    }

    /**
     * The 127.X.Y blocks of every address in /proc/net/tcp and /proc/net/udp,
     * as "X.Y", read when a slice of loopback is taken (ProcNet.loopbackBlocks).
     */
    static java.util.Set<String> blocksInUse() {
        java.util.BitSet blocks = new java.util.BitSet(1 << 16);
        try {
            org.sockcheck.harness.impl.linux.ProcNet.loopbackBlocks(blocks);
        } catch (IOException | RuntimeException e) {
            // Without /proc the random choice alone has to do.
        }
        java.util.Set<String> out = new java.util.HashSet<>();
        blocks.stream().forEach(b -> out.add((b >> 8) + "." + (b & 0xff)));
        return out;
    }

    /**
     * One kernel plays every host, so it owns every host's address and cannot
     * refuse a bind to another host's address, as the spec does
     * (EADDRNOTAVAIL). Such a call is SKIP, not a verdict.
     */
    public static void checkOwnAddress(Addressing addressing, String host, Endpoint addr)
            throws Implementation.Unsupported {
        String own = addressing.hostIps().get(host);
        if (!addr.wildcardIp() && !addr.ip().equals(own) && addressing.hostIps().containsValue(addr.ip())) {
            throw new Implementation.Unsupported("bind to another host's address: one kernel plays every host and"
                    + " owns all their addresses, so it cannot refuse it (the spec says EADDRNOTAVAIL)");
        }
    }

    /**
     * A loopback address that sockcheck may use: 127.0.0.0/8, or the
     * wildcard 0.0.0.0; of IPv6, ::1, the wildcard :: and the v4-mapped
     * ::ffff:127.0.0.0/104 (a run's own IPv6 hosts are allowed by the
     * implementation whose namespace they are in). The guard before every real syscall: the text is
     * parsed as an IPv4 literal (four decimal numbers 0-255), never resolved.
     */
    public static boolean allowed(String ip) {
        if (org.sockcheck.spec.Endpoint.UNSPEC_IP.equals(ip)) {
            // connect's AF_UNSPEC names no host: it dissolves an association, and nothing is sent to it.
            return true;
        }
        byte[] b = org.sockcheck.spec.Endpoint.octets(ip);
        if (b == null && ip != null && ip.indexOf(':') >= 0) {
            // IPv6: the wildcard ::, ::1, and the v4-mapped form of an address of 127.0.0.0/8.
            byte[] a = org.sockcheck.spec.Ip6.parse(ip);
            String text = a == null ? null : org.sockcheck.spec.Ip6.format(a);
            return text != null && (text.equals("::") || text.equals("::1") || text.startsWith("::ffff:127."));
        }
        return b != null && (b[0] == 127 || b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 0);
    }

    /**
     * The socket address of an allowed IP and a port, made from its octets
     * (no name service is asked); an address that is not allowed is refused.
     */
    public static InetSocketAddress address(String ip, int port) throws ImplementationException {
        if (!allowed(ip)) {
            throw new ImplementationException("refused the address " + ip + ": only loopback addresses are allowed");
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(org.sockcheck.spec.Endpoint.octets(ip)), port);
        } catch (java.net.UnknownHostException e) {
            throw new ImplementationException("not an IPv4 address: " + ip, e);
        }
    }

    /**
     * The addresses of a driver whose hosts are a network of its own
     * (driver protocol 2, "network":"own"): 192.0.2.1 for the first host,
     * .2 for the second, ... from TEST-NET-1 (RFC 5737), which is never
     * routed and never leaves the driver; port labels are used as written,
     * since no other program shares that network.
     */
    public static Addressing ownNetwork(TraceSetup setup) throws ImplementationException {
        if (setup.hosts().size() > MAX_HOSTS) {
            throw new ImplementationException(setup.hosts().size() + " hosts do not fit a /24 block (at most " + MAX_HOSTS + ")");
        }
        Map<String, String> ips = new LinkedHashMap<>();
        Map<String, String> ips6 = new LinkedHashMap<>();
        int i = 1;
        for (String h : setup.hosts()) {
            ips6.put(h, OWN_NETWORK6 + Integer.toHexString(i));
            ips.put(h, OWN_NETWORK + i++);
        }
        Map<Integer, Integer> ports = new LinkedHashMap<>();
        setup.portLabels().forEach(l -> ports.put(l, l));
        return new Addressing(ips, ips6, ports, null, null);
    }

    /** The /24 of a driver's own network (TEST-NET-1), as the prefix of its addresses. */
    public static final String OWN_NETWORK = "192.0.2.";
    /**
     * The IPv6 prefix of a driver's own network: 2001:db8::/32 is for
     * documentation (RFC 3849), never routed; host N of a trace is
     * 2001:db8::N (N in hexadecimal), beside 192.0.2.N.
     */
    public static final String OWN_NETWORK6 = "2001:db8::";

    /**
     * An address a driver with a network of its own may be sent: one of
     * 192.0.2.0/24 or 2001:db8::/32, a v4-mapped one of 192.0.2.0/24, a
     * wildcard, or connect's AF_UNSPEC. Parsed, never resolved.
     */
    public static boolean allowedOwnNetwork(String ip) {
        if (org.sockcheck.spec.Endpoint.UNSPEC_IP.equals(ip)) {
            return true;
        }
        if (ip != null && ip.indexOf(':') >= 0) {
            // IPv6: the wildcard ::, 2001:db8::/32, and the v4-mapped form of an address allowed here.
            byte[] a = org.sockcheck.spec.Ip6.parse(ip);
            if (a == null) {
                return false;
            }
            boolean mapped = java.util.Arrays.equals(a, 0, 12, MAPPED_PREFIX, 0, 12);
            return java.util.Arrays.equals(a, new byte[16])
                    || (a[0] & 0xff) == 0x20 && (a[1] & 0xff) == 0x01 && (a[2] & 0xff) == 0x0d && (a[3] & 0xff) == 0xb8
                    || mapped && allowedOwnNetwork((a[12] & 0xff) + "." + (a[13] & 0xff) + "." + (a[14] & 0xff) + "." + (a[15] & 0xff));
        }
        byte[] b = org.sockcheck.spec.Endpoint.octets(ip);
        return b != null && ((b[0] & 0xff) == 192 && b[1] == 0 && b[2] == 2 || b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 0);
    }

    /** The first 12 bytes of a v4-mapped IPv6 address (::ffff:0:0/96). */
    private static final byte[] MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};

    /** At most this many hosts in a trace: each gets one address of a /24 block (.1 to .254). */
    public static final int MAX_HOSTS = 254;

    private static Map<Integer, Integer> ports(List<Integer> labels, List<String> ips, PortCheck check)
            throws ImplementationException {
        Map<Integer, Integer> out = new LinkedHashMap<>();
        int span = LAST_PORT - FIRST_PORT;
        int next = FIRST_PORT + RANDOM.nextInt(span);
        int tries = 0;
        for (int label : labels) {
            while (true) {
                if (++tries > 1000) {
                    throw new ImplementationException("found no free port in " + FIRST_PORT + "-" + LAST_PORT);
                }
                int candidate = next;
                next = next + 1 > LAST_PORT ? FIRST_PORT : next + 1;
                if (free(candidate, ips, check)) {
                    out.put(label, candidate);
                    break;
                }
            }
        }
        return out;
    }

    /** Free for TCP and UDP on every host address (a wildcard bind elsewhere would take it). */
    private static boolean free(int port, List<String> ips, PortCheck check) throws ImplementationException {
        for (String ip : ips) {
            if (!check.free(ip, port)) {
                return false;
            }
        }
        return true;
    }

    /** The check through java.net: a listening TCP socket and a UDP socket bound to the address and port. */
    private static boolean freeForJava(String ip, int port) throws ImplementationException {
        InetSocketAddress at = address(ip, port);
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(at);
        } catch (IOException e) {
            return false;
        }
        try (DatagramSocket d = new DatagramSocket(null)) {
            d.bind(at);
        } catch (IOException e) {
            return false;
        }
        return true;
    }
}
