package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sockcheck addresses nothing but loopback, whatever a trace holds. Each
 * run is made in a fresh network namespace with loopback only ({@code
 * unshare -n}), under strace, which logs every connect, sendto, sendmsg and
 * sendmmsg of sockcheck and of its drivers; every IPv4 or IPv6 destination
 * in the log must be a loopback address, or 0.0.0.0, which as a destination
 * is this host and never leaves it. A name looked up through DNS would
 * show as a datagram to the resolver's address.
 *
 * <p>Needs root (for the namespace) and strace; .ci/run installs strace and
 * sets SOCKCHECK_REQUIRE_NETNS=1, which turns a machine where this cannot
 * run into a failure instead of a skipped test.
 */
class NothingLeavesTheMachineTest {
    @TempDir
    static Path dir;

    private static final Pattern SYSCALL = Pattern.compile("^\\d+\\s+(connect|sendto|sendmsg|sendmmsg)\\((.*)$");
    private static final Pattern INET = Pattern.compile("sin_addr=inet_addr\\(\"([0-9.]+)\"\\)");
    private static final Pattern INET6 = Pattern.compile("inet_pton\\(AF_INET6, \"([0-9a-fA-F:.]+)\"");

    @BeforeAll
    static void namespacesAndStraceAreThere() throws Exception {
        boolean can = run(List.of("unshare", "-n", "--", "sh", "-c", "ip link set lo up && strace --seccomp-bpf -f -qq -e trace=connect -o /dev/null true"),
                dir.resolve("probe.log")) == 0;
        if (System.getenv("SOCKCHECK_REQUIRE_NETNS") != null) {
            assertTrue(can, "unshare -n, ip and strace must work here (root, iproute2, strace): "
                    + Files.readString(dir.resolve("probe.log")));
        }
        Assumptions.assumeTrue(can, "needs root for unshare -n, iproute2 and strace (.ci/run installs them)");
    }

    /**
     * Bound on one traced run. Under strace every thread the JVM starts stops the tracer; with
     * --seccomp-bpf only the four traced calls do. Measured on a 2-core machine: the 68 runs of
     * realRunsOnLinuxAndADriverAddressOnlyLoopback took 17.5 s untraced, 272 s under plain strace -f,
     * 55 s with --seccomp-bpf.
     */
    private static final int LIMIT_SECONDS = 300;

    private static int run(List<String> command, Path output) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!p.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("did not end within " + LIMIT_SECONDS + " s: " + command);
        }
        return p.exitValue();
    }

    private record Traced(int code, String out, List<String> destinations) {
    }

    /** sockcheck with these arguments in a new network namespace under strace; the destinations it addressed. */
    private static Traced sockcheck(String name, String... args) throws Exception {
        Path log = dir.resolve(name + ".strace");
        Path out = dir.resolve(name + ".out");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> inner = new ArrayList<>(List.of("strace", "--seccomp-bpf", "-f", "-qq", "-e", "signal=none", "-e",
                "trace=connect,sendto,sendmsg,sendmmsg", "-o", log.toString(), java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "org.sockcheck.harness.cli.Main"));
        inner.addAll(List.of(args));
        List<String> command = new ArrayList<>(List.of("unshare", "-n", "--", "sh", "-c", "ip link set lo up && exec \"$@\"",
                "sh"));
        command.addAll(inner);
        int code = run(command, out);
        List<String> destinations = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            Matcher call = SYSCALL.matcher(line);
            if (!call.find()) {
                continue;
            }
            Matcher v4 = INET.matcher(call.group(2));
            while (v4.find()) {
                destinations.add(v4.group(1));
            }
            Matcher v6 = INET6.matcher(call.group(2));
            while (v6.find()) {
                destinations.add(v6.group(1));
            }
        }
        return new Traced(code, Files.readString(out), destinations);
    }

    private static boolean loopback(String address) {
        String a = address.toLowerCase(java.util.Locale.ROOT);
        if (a.startsWith("::ffff:")) {
            a = a.substring(7);
        }
        // 0.0.0.0 as a destination is this host (RFC 1122 3.2.1.3): Linux sends to the socket's own
        // address, or to 127.0.0.1 (the scenario connect/wildcard-destination-is-the-own-address).
        return a.equals("::1") || a.equals("0.0.0.0") || a.matches("127\\.\\d+\\.\\d+\\.\\d+");
    }

    @Test
    void aTraceWithMoreHostsThanTheAddressPlanIsRefusedBeforeAnythingIsAddressed() throws Exception {
        StringBuilder t = new StringBuilder("# 300 hosts: more than one 127.X.Y.0/24 block holds\nversion 1\n"
                + "A.p1: socket(INET, DGRAM) = 3\n");
        for (int i = 1; i <= 300; i++) {
            t.append("A.p1: sendto(3, \"x\", H").append(i).append(":53) = 1\n");
        }
        Path trace = Files.writeString(dir.resolve("three-hundred-hosts.trace"), t);
        long start = System.nanoTime();
        Traced r = sockcheck("hosts", "check", "--impl", "linux", "--traces", trace.toString(), "--no-html",
                "--report", dir.resolve("report-hosts").toString());
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        assertEquals(2, r.code(), r.out());
        assertTrue(r.out().contains("three-hundred-hosts.trace:"), r.out());
        assertTrue(r.out().contains("254"), "the message names the limit: " + r.out());
        assertTrue(seconds < 60, "refused at once, not after a search for ports: " + seconds + " s");
        assertEquals(List.of(), r.destinations(), "nothing may be addressed");
    }

    @Test
    void theUserSpaceStacksKeepTheirNetworkInsideTheDriver() throws Exception {
        // lwIP and gVisor's netstack play 192.0.2.0/24 between stacks inside the driver: no IP destination at all.
        List<String> impls = new ArrayList<>();
        for (String stack : Corpus.BUILT_DRIVERS) {
            if (Corpus.builtDriver(stack) != null) {
                impls.add("driver:" + Corpus.builtDriver(stack));
            }
        }
        Assumptions.assumeFalse(impls.isEmpty(), "the lwip and gvisor drivers are not built (scripts/build-drivers)");
        Traced r = sockcheck("stacks", "check", "--impl", String.join(",", impls), "--traces",
                Corpus.SCENARIOS.resolve("connect").toString(), Corpus.SCENARIOS.resolve("udp").toString(), "--no-html",
                "--report", dir.resolve("report-stacks").toString());
        // Their divergences fail (1) without the expectations of their short names; a broken run would be 3.
        assertTrue(r.code() == 0 || r.code() == 1, r.out());
        assertTrue(r.out().contains(" pass"), r.out());
        assertEquals(List.of(), r.destinations(), "IP destinations from a driver whose network is its own");
        System.out.println("NothingLeavesTheMachineTest: " + impls.size() + " user-space stacks, no IP destination");
    }

    @Test
    void realRunsOnLinuxAndADriverAddressOnlyLoopback() throws Exception {
        Traced r = sockcheck("runs", "check", "--impl", "linux,driver:python3", Corpus.PYTHON_DRIVER.toAbsolutePath()
                .toString(), "--traces", Corpus.SCENARIOS.resolve("connect").toString(), Corpus.SCENARIOS.resolve("udp")
                .toString(), "--no-html", "--report", dir.resolve("report-runs").toString());
        assertEquals(0, r.code(), r.out());
        assertTrue(r.destinations().size() >= 10, "strace saw the runs' connects and datagrams: " + r.destinations());
        List<String> elsewhere = r.destinations().stream().filter(a -> !loopback(a)).distinct().toList();
        assertEquals(List.of(), elsewhere, "addresses other than loopback");
        System.out.println("NothingLeavesTheMachineTest: " + r.destinations().size() + " destinations, all loopback: "
                + r.destinations().stream().distinct().limit(8).toList());
    }

    @Test
    void ipv6RunsOnLinuxAddressOnlyTheNamespacesTheyMade() throws Exception {
        // Each IPv6 run on linux makes namespaces of its own (inside this test's): one host's loopback holds
        // fd5c:50c::a; several hosts are joined by veth devices, host k holding 192.0.2.(k+1) and fd5c:50c::(a+k)
        // there. The runs' traffic goes to those, to ::1 or to v4-mapped loopback addresses, and nowhere else.
        Traced r = sockcheck("runs6", "check", "--impl", "linux", "--traces", Corpus.SCENARIOS.resolve("ipv6").toString(),
                "--no-html", "--report", dir.resolve("report-runs6").toString());
        assertEquals(0, r.code(), r.out());
        assertTrue(r.destinations().stream().anyMatch(a -> a.equalsIgnoreCase("fd5c:50c::a")),
                "strace saw the runs' IPv6 connects and datagrams: " + r.destinations());
        assertTrue(r.destinations().stream().anyMatch(a -> a.equalsIgnoreCase("fd5c:50c::b")),
                "strace saw the IPv6 traffic between two hosts' namespaces: " + r.destinations());
        List<String> elsewhere = r.destinations().stream().filter(a -> !loopback(a) && !runsOwn(a)).distinct().toList();
        assertEquals(List.of(), elsewhere, "addresses other than loopback and the runs' own namespaces'");
        System.out.println("NothingLeavesTheMachineTest: " + r.destinations().size() + " IPv6 runs' destinations: "
                + r.destinations().stream().distinct().limit(8).toList());
    }

    /** An address of the hosts of an IPv6 run's namespaces: fd5c:50c::/64, 192.0.2.0/24, or v4-mapped of that. */
    private static boolean runsOwn(String a) {
        String ip = a.toLowerCase(java.util.Locale.ROOT);
        if (ip.startsWith("::ffff:")) {
            ip = ip.substring("::ffff:".length());
        }
        String six = org.sockcheck.harness.impl.linux.NetnsRun.PREFIX6;
        String four = org.sockcheck.harness.impl.linux.NetnsRun.PREFIX4;
        return ip.startsWith(six) && ip.substring(six.length()).matches("[0-9a-f]{1,4}")
                || ip.startsWith(four) && ip.substring(four.length()).matches("\\d{1,3}");
    }
}
