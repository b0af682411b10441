package org.sockcheck.harness.impl.linux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.impl.ImplementationException;
import org.sockcheck.spec.SocketRow;

/**
 * The network namespaces of an IPv6 run (docs/ipv6-and-unix.md): one per
 * host of the trace, each made by {@link Netns}.
 *
 * <p>A trace of one host has its namespace alone, its loopback holding
 * 127.0.0.1 and {@link Netns#HOST6}. In a trace of several hosts each
 * namespace is a machine of its own, joined to the others by a link of
 * veth devices: two hosts by one veth pair, more by a pair each to a
 * bridge in a namespace of the run's that holds nothing else. Host k of the
 * trace (from 0) has 192.0.2.(k+1)/24 (TEST-NET-1, RFC 5737) and
 * fd5c:50c::(a+k)/64 on its end, the IPv6 address without duplicate
 * address detection, so both can be used at once; the MTU is 65535, near
 * loopback's 65536, so a datagram that fits a trace on loopback fits here
 * too. These addresses exist only in the run's namespaces, which hold
 * nothing but the run's sockets, and everything is freed with them.
 *
 * <p>The links are made by iproute2's ip (ip -batch, one process per
 * namespace, started by the namespace's own thread so that it acts there);
 * moving a device into another namespace names that namespace by the
 * thread id of the thread that made it.
 */
public final class NetnsRun implements AutoCloseable {
    /** The IPv4 prefix of a run's hosts when it has more than one (TEST-NET-1). */
    public static final String PREFIX4 = "192.0.2.";
    /** The IPv6 prefix of a run's hosts (sockcheck's unique-local prefix, as {@link Netns#HOST6}). */
    public static final String PREFIX6 = "fd5c:50c::";
    /** How long one ip process may take, and the addresses to become usable. */
    private static final long LIMIT_MS = 10_000;
    /** Where iproute2's ip is. */
    private static final Path IP = List.of(Path.of("/usr/sbin/ip"), Path.of("/sbin/ip"), Path.of("/usr/bin/ip"), Path.of("/bin/ip"))
            .stream().filter(Files::isExecutable).findFirst().orElse(null);

    private final Map<String, Netns> hosts;
    private final Map<String, String> ips4;
    private final Map<String, String> ips6;
    /** The namespace of the bridge (more than two hosts), or null. */
    private final Netns hub;

    private NetnsRun(Map<String, Netns> hosts, Map<String, String> ips4, Map<String, String> ips6, Netns hub) {
        this.hosts = hosts;
        this.ips4 = ips4;
        this.ips6 = ips6;
        this.hub = hub;
    }

    /** The namespaces of a run of these hosts; Unsupported where they cannot be made (no root, no ip, no veth). */
    static NetnsRun create(List<String> names) throws ImplementationException {
        Map<String, Netns> made = new LinkedHashMap<>();
        Netns hub = null;
        try {
            if (names.size() == 1) {
                made.put(names.get(0), Netns.create());
                return new NetnsRun(made, Map.of(names.get(0), Netns.HOST4), Map.of(names.get(0), Netns.HOST6), null);
            }
            if (IP == null) {
                throw new Implementation.Unsupported("IPv6 traces of more than one host: the hosts' namespaces are joined"
                        + " by iproute2's ip, which is not installed (Debian: iproute2)");
            }
            Map<String, String> ips4 = new LinkedHashMap<>();
            Map<String, String> ips6 = new LinkedHashMap<>();
            for (int k = 0; k < names.size(); k++) {
                made.put(names.get(k), Netns.createBare());
                ips4.put(names.get(k), PREFIX4 + (k + 1));
                ips6.put(names.get(k), PREFIX6 + Integer.toHexString(10 + k));
            }
            List<Netns> list = new ArrayList<>(made.values());
            if (names.size() > 2) {
                hub = Netns.createBare();
                ip(hub, List.of("link add br0 type bridge", "link set br0 up"));
            }
            for (int k = 0; k < list.size(); k++) {
                List<String> cmds = new ArrayList<>();
                if (hub != null) {
                    cmds.add("link add eth0 mtu 65535 type veth peer name h" + k + " mtu 65535 netns " + tid(hub));
                } else if (k == 0) {
                    cmds.add("link add eth0 mtu 65535 type veth peer name eth0 mtu 65535 netns " + tid(list.get(1)));
                }
                cmds.add("link set eth0 up");
                cmds.add("address add " + PREFIX4 + (k + 1) + "/24 dev eth0");
                cmds.add("address add " + PREFIX6 + Integer.toHexString(10 + k) + "/64 dev eth0 nodad");
                ip(list.get(k), cmds);
            }
            if (hub != null) {
                List<String> ports = new ArrayList<>();
                for (int k = 0; k < list.size(); k++) {
                    ports.add("link set h" + k + " master br0 up");
                }
                ip(hub, ports);
            }
            NetnsRun run = new NetnsRun(made, Map.copyOf(ips4), Map.copyOf(ips6), hub);
            run.awaitRoutes();
            return run;
        } catch (ImplementationException | RuntimeException e) {
            made.values().forEach(Netns::close);
            if (hub != null) {
                hub.close();
            }
            throw e;
        }
    }

    /** The id of the namespace's own thread, by which ip names the namespace (a task's id, as a pid). */
    private static String tid(Netns ns) throws ImplementationException {
        try {
            String self = ns.call(() -> Files.readSymbolicLink(Path.of("/proc/thread-self")).toString());
            return self.substring(self.lastIndexOf('/') + 1);
        } catch (IOException e) {
            throw new ImplementationException("cannot read the namespace's thread id: " + e.getMessage(), e);
        }
    }

    /** Runs ip -batch with these commands in the namespace, within LIMIT_MS; Unsupported when it fails. */
    private static void ip(Netns ns, List<String> commands) throws ImplementationException {
        String out;
        int exit;
        try {
            Process p = ns.call(() -> org.sockcheck.harness.impl.Spawns.start(
                    new ProcessBuilder(IP.toString(), "-batch", "-").redirectErrorStream(true)));
            try {
                p.getOutputStream().write((String.join("\n", commands) + "\n").getBytes(StandardCharsets.US_ASCII));
                p.getOutputStream().close();
                if (!p.waitFor(LIMIT_MS, TimeUnit.MILLISECONDS)) {
                    throw new ImplementationException("ip took more than " + LIMIT_MS + " ms to set up the run's namespaces");
                }
                out = new String(p.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).strip();
                exit = p.exitValue();
            } finally {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            throw new Implementation.Unsupported("IPv6 traces of more than one host: the hosts' namespaces could not be"
                    + " joined (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImplementationException("interrupted while setting up the run's namespaces", e);
        }
        if (exit != 0) {
            throw new Implementation.Unsupported("IPv6 traces of more than one host: the hosts' namespaces could not be"
                    + " joined by veth devices (ip exited with " + exit + ": " + out + ")");
        }
    }

    /** Waits until each host's addresses can be bound and every other host's reached (a route), within LIMIT_MS. */
    private void awaitRoutes() throws ImplementationException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LIMIT_MS);
        List<String> every = new ArrayList<>(ips4.values());
        every.addAll(ips6.values());
        for (Map.Entry<String, Netns> e : hosts.entrySet()) {
            e.getValue().awaitReachable(List.of(ips4.get(e.getKey()), ips6.get(e.getKey())), every, deadline);
        }
    }

    /** The namespace of a host of the run. */
    public Netns of(String host) throws ImplementationException {
        Netns ns = hosts.get(host);
        if (ns == null) {
            throw new ImplementationException("host " + host + " has no namespace in this run");
        }
        return ns;
    }

    /** The hosts' IPv4 addresses in their namespaces. */
    public Map<String, String> ips4() {
        return ips4;
    }

    /** The hosts' IPv6 addresses in their namespaces. */
    public Map<String, String> ips6() {
        return ips6;
    }

    /**
     * The runner's address guard where a run may have namespaces: loopback's
     * addresses ({@link org.sockcheck.harness.impl.Loopback#allowed}), and
     * in a run's namespaces (run not null) its hosts' addresses too.
     */
    public static boolean allowed(NetnsRun run, String ip) {
        return org.sockcheck.harness.impl.Loopback.allowed(ip) || run != null && ip != null && run.owns(ip);
    }

    /** Whether an IP (canonical) is one of the run's hosts' addresses, or the v4-mapped form of one. */
    public boolean owns(String ip) {
        return ips4.containsValue(ip) || ips6.containsValue(ip)
                || ip.startsWith("::ffff:") && ips4.containsValue(ip.substring("::ffff:".length()));
    }

    /** A host's TCP and UDP tables, IPv4's and IPv6's, as its namespace lists them. */
    public List<SocketRow> tables(String host) throws ImplementationException {
        return of(host).tables();
    }

    /** Every host's tables (whether something is still in flight between them). */
    public List<SocketRow> allTables() throws ImplementationException {
        List<SocketRow> all = new ArrayList<>();
        for (Netns ns : hosts.values()) {
            all.addAll(ns.tables());
        }
        return all;
    }

    @Override
    public void close() {
        hosts.values().forEach(Netns::close);
        if (hub != null) {
            hub.close();
        }
    }
}
