package org.sockcheck.harness.impl.linux;

import java.util.List;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.impl.ImplementationException;

/**
 * A network namespace of one run's own, for the IPv6 traces: IPv6 has no
 * block of loopback addresses like 127.0.0.0/8, so the run's host gets an
 * address of a unique-local prefix (RFC 4193) on the loopback of a
 * namespace nobody else uses, where the IPv6 wildcard, dual stack and
 * v4-mapped addresses are the kernel's own (docs/ipv6-and-unix.md).
 *
 * <p>The namespace is made by unshare(CLONE_NEWNET) on a thread of its
 * own, which then ends; the descriptor of the namespace keeps it alive.
 * Closing the descriptor (close, or the process's end, Ctrl-C and kill -9
 * too) frees it: nothing outlives the run. Sockets are made in it by a
 * thread that joins it for the socket() call alone ({@link #inside});
 * every other call acts on the socket wherever it was made.
 */
final class Netns implements AutoCloseable {
    /** The host's IPv6 address in every run's namespace (fd5c:50c::/64 is a unique-local prefix of sockcheck's). */
    static final String HOST6 = "fd5c:50c::a";
    /** The host's IPv4 address there: the loopback's own, the source the kernel gives traffic within 127.0.0.0/8. */
    static final String HOST4 = "127.0.0.1";
    /** How long configuring the namespace (ip, two commands) may take. */
    private static final long CONFIGURE_MS = 10_000;

    /** The namespace the JVM started in, which a thread goes back to after {@link #inside}. */
    private static final int HOME = home();

    private final int fd;

    private Netns(int fd) {
        this.fd = fd;
    }

    private static int home() {
        try (Syscalls.Call sys = new Syscalls.Call()) {
            Syscalls.Result r = sys.openReadOnly("/proc/self/ns/net");
            return r.failed() ? -1 : (int) r.value();
        }
    }

    /**
     * A new namespace with its loopback up and HOST6 on it (nodad: usable at
     * once). Unsupported without the rights to make one (root).
     */
    static Netns create() throws ImplementationException {
        if (HOME < 0) {
            throw new Implementation.Unsupported("IPv6 traces run in a network namespace of sockcheck's own, and"
                    + " /proc/self/ns/net cannot be opened here");
        }
        int[] made = {-1, 0};
        Thread t = Thread.ofPlatform().name("sockcheck-netns").unstarted(() -> {
            try (Syscalls.Call sys = new Syscalls.Call()) {
                Syscalls.Result r = sys.unshare(Syscalls.CLONE_NEWNET);
                if (r.failed()) {
                    made[1] = r.errno();
                    return;
                }
                Syscalls.Result o = sys.openReadOnly("/proc/thread-self/ns/net");
                made[0] = o.failed() ? -1 : (int) o.value();
                made[1] = o.failed() ? o.errno() : 0;
            }
        });
        t.start();
        try {
            t.join(CONFIGURE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImplementationException("interrupted while making a network namespace", e);
        }
        if (made[0] < 0) {
            throw new Implementation.Unsupported("IPv6 traces run in a network namespace of sockcheck's own, which"
                    + " needs root (CAP_SYS_ADMIN): unshare(CLONE_NEWNET) failed, errno " + made[1]);
        }
        Netns ns = new Netns(made[0]);
        try {
            String at = "--net=/proc/" + ProcessHandle.current().pid() + "/fd/" + ns.fd;
            ns.run(List.of("nsenter", at, "ip", "link", "set", "lo", "up"));
            ns.run(List.of("nsenter", at, "ip", "-6", "addr", "add", HOST6 + "/128", "dev", "lo", "nodad"));
            ns.awaitRoute();
            return ns;
        } catch (ImplementationException | RuntimeException e) {
            ns.close();
            throw e;
        }
    }

    /**
     * Waits until the host's addresses can be reached: the kernel adds
     * its local route a moment after `ip addr add` returns, and under load
     * a first connect could still find none (ENETUNREACH). A datagram
     * socket's connect looks the route up and sends nothing; tried every
     * millisecond, within CONFIGURE_MS.
     */
    private void awaitRoute() throws ImplementationException {
        long deadline = System.nanoTime() + CONFIGURE_MS * 1_000_000L;
        try (Syscalls.Call sys = new Syscalls.Call()) {
            while (true) {
                boolean reached = true;
                for (String ip : List.of(HOST6, HOST4)) {
                    int family = ip.indexOf(':') >= 0 ? Syscalls.AF_INET6 : Syscalls.AF_INET;
                    Syscalls.Result s = inside(sys, () -> sys.socket(family, Syscalls.SOCK_DGRAM, 0));
                    if (s.failed()) {
                        throw new ImplementationException("cannot make a socket in the run's network namespace, errno " + s.errno());
                    }
                    reached &= !sys.connect((int) s.value(), new org.sockcheck.spec.Endpoint(ip, 9)).failed();
                    sys.closeFd((int) s.value());
                }
                if (reached) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new ImplementationException("the run's IPv6 address " + HOST6 + " has no route after " + CONFIGURE_MS + " ms");
                }
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
        }
    }

    /** Runs a command to its end within CONFIGURE_MS; its output goes nowhere, its failure says so. */
    private void run(List<String> command) throws ImplementationException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (java.io.IOException e) {
            throw new Implementation.Unsupported("IPv6 traces need nsenter (util-linux) and ip (iproute2): " + e.getMessage());
        }
        try {
            if (!p.waitFor(CONFIGURE_MS, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new ImplementationException(String.join(" ", command) + " did not end in " + CONFIGURE_MS + " ms");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ImplementationException("interrupted while configuring a network namespace", e);
        }
        if (p.exitValue() != 0) {
            throw new ImplementationException(String.join(" ", command) + " failed (exit " + p.exitValue() + ")");
        }
    }

    /** What an action gives when the calling thread does it inside the namespace (a socket()-making call, a read of /proc/thread-self/net). */
    <T> T inside(Syscalls.Call sys, java.util.function.Supplier<T> call) throws ImplementationException {
        Syscalls.Result in = sys.setns(fd, Syscalls.CLONE_NEWNET);
        if (in.failed()) {
            throw new ImplementationException("setns into the run's network namespace failed, errno " + in.errno());
        }
        try {
            return call.get();
        } finally {
            Syscalls.Result back = sys.setns(HOME, Syscalls.CLONE_NEWNET);
            if (back.failed()) {
                // A thread that cannot go home must not make another socket: nothing can be trusted after this.
                throw new IllegalStateException("setns back to sockcheck's network namespace failed, errno " + back.errno());
            }
        }
    }

    @Override
    public void close() {
        try (Syscalls.Call sys = new Syscalls.Call()) {
            sys.closeFd(fd);
        }
    }
}
