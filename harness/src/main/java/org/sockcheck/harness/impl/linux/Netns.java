package org.sockcheck.harness.impl.linux;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.impl.ImplementationException;

/**
 * A network namespace of one run's own, for the IPv6 traces: IPv6 has no
 * block of loopback addresses like 127.0.0.0/8, so the run's host gets an
 * address of a unique-local prefix (RFC 4193) on the loopback of a
 * namespace nobody else uses, where the IPv6 wildcard, dual stack and
 * v4-mapped addresses are the kernel's own (docs/ipv6-and-unix.md).
 *
 * <p>A thread of the namespace's own calls unshare(CLONE_NEWNET) and then
 * does everything that must happen in the namespace ({@link #inside}: the
 * run's socket() calls, the reads of its /proc/net tables); every other
 * call acts on a socket wherever it was made. No other thread ever joins
 * the namespace, so none can be left in it. The namespace lives while its
 * thread or the descriptor of it does: {@link #close} ends both, and the
 * end of the process (Ctrl-C, kill -9 too) frees it: nothing outlives the
 * run.
 */
public final class Netns implements AutoCloseable {
    /** The host's IPv6 address in every run's namespace (fd5c:50c::/64 is a unique-local prefix of sockcheck's). */
    public static final String HOST6 = NetnsRun.PREFIX6 + "a";
    /** The host's IPv4 address there: the loopback's own, the source the kernel gives traffic within 127.0.0.0/8. */
    public static final String HOST4 = "127.0.0.1";
    /** How long making and configuring the namespace, and each action in it, may take. */
    private static final long LIMIT_MS = 10_000;

    private final ExecutorService thread;
    private final int fd;

    /**
     * The namespace every run's namespace is made from, made once per
     * process: in it, net.ipv4.tcp_child_ehash_entries and
     * net.ipv4.udp_child_hash_entries say that a namespace made from it has
     * TCP and UDP hash tables of its own, of 128 buckets (Linux 6.1 and 6.2;
     * ip-sysctl.rst), where by default it shares the host's (262,144 TCP
     * buckets on this 24 GiB machine). Reading /proc/net/tcp or tcp6 walks
     * every bucket of the table: 1.3 ms a file in a namespace that shares
     * the host's, and an IPv6 run read its four tables some nine times (3.8
     * ms each, a run's median 65 ms in a warm JVM). Only the sizes of the
     * tables differ, no behaviour. Its descriptor is held for the life of
     * the process, and freed with it; nothing is ever in it. -1 when it
     * could not be made: the runs' namespaces then share the host's tables.
     */
    private static final class Parent {
        static final int FD = makeParent();
    }

    /** The parent namespace's descriptor, -1 when it could not be made (a method of Netns: a thread of Parent's initializer would wait for it). */
    private static int makeParent() {
        java.util.concurrent.atomic.AtomicInteger out = new java.util.concurrent.atomic.AtomicInteger(-1);
        Thread t = Thread.ofPlatform().daemon().name("sockcheck-netns-parent").start(() -> {
            try (Syscalls.Call sys = new Syscalls.Call()) {
                if (sys.unshare(Syscalls.CLONE_NEWNET).failed()) {
                    return;
                }
                // The sysctls of the namespace this thread is in now (a kernel without one keeps the default).
                for (String table : List.of("tcp_child_ehash_entries", "udp_child_hash_entries")) {
                    try {
                        java.nio.file.Files.writeString(java.nio.file.Path.of("/proc/sys/net/ipv4", table), "128");
                    } catch (java.io.IOException | RuntimeException e) {
                        // this table shared with the host, as before
                    }
                }
                Syscalls.Result o = sys.openReadOnly("/proc/thread-self/ns/net");
                if (!o.failed()) {
                    out.set((int) o.value());
                }
            }
        });
        try {
            t.join(LIMIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out.get();
    }

    private Netns(ExecutorService thread, int fd) {
        this.thread = thread;
        this.fd = fd;
    }

    /**
     * A new namespace with its loopback up and HOST6 on it, its addresses
     * reachable. Unsupported without the rights to make one (root).
     */
    static Netns create() throws ImplementationException {
        Netns ns = createBare();
        try {
            String failed = ns.inside(Netns::addHost6);
            if (failed != null) {
                throw new Implementation.Unsupported("IPv6 traces run in a network namespace of sockcheck's own, whose"
                        + " loopback could not be set up: " + failed + " (is IPv6 switched off?)");
            }
            ns.awaitReachable(List.of(HOST6, HOST4), List.of(HOST6, HOST4),
                    System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LIMIT_MS));
            return ns;
        } catch (ImplementationException | RuntimeException e) {
            ns.close();
            throw e;
        }
    }

    /**
     * A new namespace with its loopback up and nothing else (NetnsRun joins
     * several by links). Unsupported without the rights to make one (root).
     */
    static Netns createBare() throws ImplementationException {
        ExecutorService thread = Executors.newSingleThreadExecutor(
                r -> Thread.ofPlatform().daemon().name("sockcheck-netns").unstarted(r));
        Future<int[]> made = thread.submit(() -> {
            try (Syscalls.Call sys = new Syscalls.Call()) {
                // Made from the parent, the namespace gets hash tables of its own, small (see Parent); where the
                // parent could not be made or joined, from the process's own namespace, with the host's tables.
                if (Parent.FD >= 0) {
                    sys.setns(Parent.FD, Syscalls.CLONE_NEWNET);
                }
                Syscalls.Result r = sys.unshare(Syscalls.CLONE_NEWNET);
                if (r.failed()) {
                    return new int[] {-1, r.errno()};
                }
                Syscalls.Result o = sys.openReadOnly("/proc/thread-self/ns/net");
                return o.failed() ? new int[] {-1, o.errno()} : new int[] {(int) o.value(), 0};
            }
        });
        int[] r;
        try {
            r = made.get(LIMIT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            thread.shutdownNow();
            throw new Implementation.Unsupported("IPv6 traces run in a network namespace of sockcheck's own, which could"
                    + " not be made: " + (e instanceof TimeoutException ? "no answer in " + LIMIT_MS + " ms" : e.getCause()));
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
            throw new ImplementationException("interrupted while making a network namespace", e);
        }
        if (r[0] < 0) {
            thread.shutdownNow();
            throw new Implementation.Unsupported("IPv6 traces run in a network namespace of sockcheck's own, which"
                    + " needs root (CAP_SYS_ADMIN): unshare(CLONE_NEWNET) failed, errno " + r[1]);
        }
        Netns ns = new Netns(thread, r[0]);
        try {
            String failed = ns.inside(Netns::loopbackUp);
            if (failed != null) {
                throw new Implementation.Unsupported("IPv6 traces run in a network namespace of sockcheck's own, whose"
                        + " loopback could not be set up: " + failed);
            }
            return ns;
        } catch (ImplementationException | RuntimeException e) {
            ns.close();
            throw e;
        }
    }

    /**
     * Sets the namespace's loopback up, as `ip link set lo up` does, by
     * ioctl (SIOCSIFFLAGS; netdevice(7)); {@link #addHost6} gives it HOST6,
     * as `ip -6 addr add HOST6/128 dev lo` does (SIOCSIFADDR; ipv6(7)): no
     * program to start for each run of one host (two took some 90 ms of a
     * run's 110). The address is usable once its duplicate address
     * detection, short on a loopback device, is over
     * ({@link #awaitReachable}). Null when done, else what failed.
     */
    private static String loopbackUp(Syscalls.Call sys) {
        Syscalls.Result s4 = sys.socket(Syscalls.AF_INET, Syscalls.SOCK_DGRAM, 0);
        if (s4.failed()) {
            return "socket: errno " + s4.errno();
        }
        try {
            // struct ifreq: the name (16 bytes), then the flags (a short).
            java.lang.foreign.MemorySegment ifr = sys.arena.allocate(40).fill((byte) 0);
            ifr.setString(0, "lo");
            Syscalls.Result g = sys.ioctl((int) s4.value(), Syscalls.SIOCGIFFLAGS, ifr);
            if (g.failed()) {
                return "SIOCGIFFLAGS: errno " + g.errno();
            }
            ifr.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 16,
                    (short) (ifr.get(java.lang.foreign.ValueLayout.JAVA_SHORT, 16) | Syscalls.IFF_UP));
            Syscalls.Result up = sys.ioctl((int) s4.value(), Syscalls.SIOCSIFFLAGS, ifr);
            if (up.failed()) {
                return "SIOCSIFFLAGS: errno " + up.errno();
            }
        } finally {
            sys.closeFd((int) s4.value());
        }
        return null;
    }

    /** Gives the loopback HOST6 (see {@link #loopbackUp}); null when done, else what failed. */
    private static String addHost6(Syscalls.Call sys) {
        Syscalls.Result s6 = sys.socket(Syscalls.AF_INET6, Syscalls.SOCK_DGRAM, 0);
        if (s6.failed()) {
            return "socket(AF_INET6): errno " + s6.errno();
        }
        try {
            // struct in6_ifreq: the address (16 bytes), the prefix length, the interface index (lo is 1 in every namespace).
            java.lang.foreign.MemorySegment req = sys.arena.allocate(24).fill((byte) 0);
            java.lang.foreign.MemorySegment.copy(org.sockcheck.spec.Ip6.parse(HOST6), 0, req,
                    java.lang.foreign.ValueLayout.JAVA_BYTE, 0, 16);
            req.set(java.lang.foreign.ValueLayout.JAVA_INT, 16, 128);
            req.set(java.lang.foreign.ValueLayout.JAVA_INT, 20, 1);
            Syscalls.Result a = sys.ioctl((int) s6.value(), Syscalls.SIOCSIFADDR, req);
            return a.failed() ? "SIOCSIFADDR " + HOST6 + ": errno " + a.errno() : null;
        } finally {
            sys.closeFd((int) s6.value());
        }
    }

    /**
     * Waits until the host's own addresses can be bound and each target of
     * the same family reached: an IPv6 address is tentative for a moment
     * after it is added (bind says EADDRNOTAVAIL) and its route comes a
     * moment later too (under load a first connect found none:
     * ENETUNREACH). A datagram socket's bind and connect look both up and
     * send nothing; tried every millisecond, until the deadline (nanoTime).
     */
    void awaitReachable(List<String> own, List<String> targets, long deadline) throws ImplementationException {
        while (true) {
            String unreached = inside(sys -> {
                for (String ip : own) {
                    boolean v6 = ip.indexOf(':') >= 0;
                    for (String to : targets) {
                        if ((to.indexOf(':') >= 0) != v6) {
                            continue;
                        }
                        Syscalls.Result s = sys.socket(v6 ? Syscalls.AF_INET6 : Syscalls.AF_INET, Syscalls.SOCK_DGRAM, 0);
                        if (s.failed()) {
                            return ip + " (socket: errno " + s.errno() + ")";
                        }
                        // Bound (the address is no longer tentative: EADDRNOTAVAIL till then) and routed (ENETUNREACH).
                        boolean reached = !sys.bind((int) s.value(), new org.sockcheck.spec.Endpoint(ip, 0)).failed()
                                && !sys.connect((int) s.value(), new org.sockcheck.spec.Endpoint(to, 9)).failed();
                        sys.closeFd((int) s.value());
                        if (!reached) {
                            return ip + " to " + to;
                        }
                    }
                }
                return null;
            });
            if (unreached == null) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new Implementation.Unsupported("IPv6 traces run in network namespaces of sockcheck's own, where "
                        + unreached + " had no route after " + LIMIT_MS + " ms (is IPv6 switched off?)");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    /**
     * What an action gives when the namespace's own thread does it (a
     * socket()-making call, a read of /proc/thread-self/net), with a
     * Syscalls.Call of that thread's; within LIMIT_MS.
     */
    <T> T inside(Function<Syscalls.Call, T> action) throws ImplementationException {
        Future<T> f = thread.submit(() -> {
            try (Syscalls.Call sys = new Syscalls.Call()) {
                return action.apply(sys);
            }
        });
        try {
            return f.get(LIMIT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new ImplementationException("in the run's network namespace: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new ImplementationException("an action in the run's network namespace took more than " + LIMIT_MS + " ms");
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new ImplementationException("interrupted while acting in the run's network namespace", e);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new ImplementationException("the run's network namespace is closed", e);
        }
    }

    /**
     * What the namespace's own thread gives for a Java action (a channel
     * made there belongs to the namespace wherever it is used later), within
     * LIMIT_MS; the action's I/O error as it is.
     */
    public <T> T call(java.util.concurrent.Callable<T> action) throws ImplementationException, java.io.IOException {
        try {
            return inside(sys -> {
                try {
                    return action.call();
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof java.io.IOException io) {
                throw io;
            }
            throw new ImplementationException("in the run's network namespace: " + e.getCause(), e.getCause());
        }
    }

    /** The namespace's TCP and UDP tables, IPv4's and IPv6's, as a thread in it reads /proc/thread-self/net. */
    public java.util.List<org.sockcheck.spec.SocketRow> tables() throws ImplementationException {
        java.util.List<org.sockcheck.spec.SocketRow> now = new java.util.ArrayList<>();
        try {
            inside(sys -> {
                java.nio.file.Path net = java.nio.file.Path.of("/proc/thread-self/net");
                try {
                    for (String table : List.of("tcp", "udp", "tcp6", "udp6")) {
                        org.sockcheck.spec.Proto proto = table.startsWith("tcp") ? org.sockcheck.spec.Proto.TCP : org.sockcheck.spec.Proto.UDP;
                        ProcNet.read(net.resolve(table), proto).forEach(e -> now.add(e.row()));
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return null;
            });
        } catch (java.io.UncheckedIOException e) {
            throw new ImplementationException("cannot read the run's /proc/net: " + e.getCause().getMessage(), e);
        }
        return now;
    }

    /** An IPv6 trace's namespaces (null for a trace of IPv4 only, or when there are none) and why there are none. */
    public record ForRun(NetnsRun netns, String noInet6) {
    }

    /**
     * The namespaces of an IPv6 trace, one per host (NetnsRun); where none
     * can be made, the reason its IPv6 calls are SKIP.
     */
    public static ForRun forRun(org.sockcheck.harness.impl.TraceSetup setup) throws ImplementationException {
        return forRun(setup, false);
    }

    /**
     * As {@link #forRun(org.sockcheck.harness.impl.TraceSetup)}; oneHost:
     * the implementation keeps every host in one process (a driver) that
     * cannot join each host's namespace ({@link #path}), so an IPv6 trace of
     * more hosts is SKIP.
     */
    public static ForRun forRun(org.sockcheck.harness.impl.TraceSetup setup, boolean oneHost) throws ImplementationException {
        if (!setup.inet6()) {
            return new ForRun(null, null);
        }
        if (oneHost && setup.hosts().size() > 1) {
            return new ForRun(null, "IPv6 traces of more than one host: each host is a network namespace of its own, and"
                    + " the driver process, which holds every host, does not list ipv6-hosts (it stays in one namespace)");
        }
        try {
            return new ForRun(NetnsRun.create(setup.hosts()), null);
        } catch (Implementation.Unsupported e) {
            return new ForRun(null, e.getMessage());
        }
    }

    /**
     * A run's addresses: in its namespaces the hosts' (NetnsRun: 127.0.0.1
     * and HOST6 for one host, the address the kernel picks as the source of
     * IPv4 traffic to any of 127.0.0.0/8, an INET6 socket's too; those of
     * the links between them for more); else the planned ones.
     */
    public static org.sockcheck.harness.impl.Addressing addressing(org.sockcheck.harness.impl.Addressing planned,
            org.sockcheck.harness.impl.TraceSetup setup, NetnsRun netns, org.sockcheck.harness.impl.UnixFolder unix) {
        return new org.sockcheck.harness.impl.Addressing(
                netns == null ? planned.hostIps() : netns.ips4(),
                netns == null ? java.util.Map.of() : netns.ips6(),
                planned.ports(), unix.dir().toString(), unix.abstractPrefix());
    }

    /**
     * A path another process (a driver of the run) opens to join the
     * namespace with setns(2): this process's descriptor of it, under
     * /proc (root, as making the namespace was).
     */
    public String path() {
        return "/proc/" + ProcessHandle.current().pid() + "/fd/" + fd;
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try (Syscalls.Call sys = new Syscalls.Call()) {
            sys.closeFd(fd);
        }
    }
}
