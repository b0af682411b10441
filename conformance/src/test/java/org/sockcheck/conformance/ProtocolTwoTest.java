package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.impl.driver.DriverImplementation;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.harness.run.Verdict;
import org.sockcheck.harness.trace.TraceText;

/**
 * Driver protocol 2 as the runner speaks it, with a driver that declares a
 * network and descriptor numbers of its own (own_network_driver.py).
 */
class ProtocolTwoTest {
    private static TraceResult run(String text) throws Exception {
        try (DriverImplementation impl = driver()) {
            return Corpus.runner(Duration.ofSeconds(5)).run(TraceText.parse("t.trace", text), Path.of("."), impl);
        }
    }

    private static DriverImplementation driver() {
        return new DriverImplementation(List.of("python3", Corpus.testDriver("own_network_driver.py").toString()));
    }

    @Test
    void theDriversOwnNumbersAreMappedToTheModelsAndItsHostsHaveAddressesOfTheirOwn() throws Exception {
        // The driver answers 100 and 101; the trace's 3 and 4 are the model's. A bind to B's address is refused:
        // each host is a stack of its own, so the spec judges it (EADDRNOTAVAIL), which one kernel could not do.
        TraceResult r = run("""
                # protocol 2
                version 1
                profile LINUX

                A.p1: socket(INET, STREAM) = 3
                A.p1: socket(INET, STREAM) = 4
                A.p1: bind(4, B:80) = EADDRNOTAVAIL
                A.p1: bind(4, A:80) = 0
                A.p1: close(3) = 0
                A.p1: socket(INET, DGRAM) = 3
                B.p1: socket(INET, STREAM) = 3
                """);
        assertEquals(Verdict.PASS, r.verdict(), r.message());
    }

    @Test
    void ipv6HostsOfADriversOwnNetworkHaveAddressesOfTheDocumentationPrefix() throws Exception {
        // The driver lists ipv6: hello gives each host 2001:db8::N beside 192.0.2.N (else the driver exits with 9), and
        // a bind to B's IPv6 address is judged as the spec has it, with any number of hosts.
        TraceResult r = run("""
                # protocol 2
                version 2
                profile LINUX

                A.p1: socket(INET6, STREAM) = 3
                A.p1: bind(3, [B]:80) = EADDRNOTAVAIL
                A.p1: bind(3, [A]:80) = 0
                B.p1: socket(INET6, DGRAM) = 3
                B.p1: bind(3, [B]:53) = 0
                """);
        assertEquals(Verdict.PASS, r.verdict(), r.message());
    }

    /** The network namespace a process is in (the link /proc/PID/ns/net names it). */
    private static String netns(String pid) throws java.io.IOException {
        return java.nio.file.Files.readSymbolicLink(Path.of("/proc", pid, "ns", "net")).toString();
    }

    @Test
    void aDriverOfOneKernelRunsAnIpv6TraceInANetworkNamespaceOfTheRunsOwnThatEndsWithIt() throws Exception {
        // Each start of the driver writes its namespace first: the probe hello's is this JVM's, the run's another, in
        // which the host has fd5c:50c::a and the trace passes. When the run is over, no process is left in it.
        Path seen = java.nio.file.Files.createTempFile("sockcheck-netns-", ".txt");
        try (DriverImplementation impl = new DriverImplementation(List.of("sh", "-c",
                "readlink /proc/self/ns/net >> " + seen + "; exec python3 " + Corpus.PYTHON_DRIVER))) {
            TraceResult r = Corpus.runner(Duration.ofSeconds(5)).run(
                    org.sockcheck.harness.trace.TraceFiles.read(Corpus.SCENARIOS.resolve("ipv6/dual-stack-listener-takes-ipv4.trace")),
                    Corpus.SCENARIOS,
                    impl);
            assertEquals(Verdict.PASS, r.verdict(), r.message());
            List<String> namespaces = java.nio.file.Files.readAllLines(seen);
            assertEquals(2, namespaces.size(), "the probe's start and the run's: " + namespaces);
            String mine = netns("self");
            assertEquals(mine, namespaces.get(0), "the probe hello runs where sockcheck does");
            assertFalse(mine.equals(namespaces.get(1)), "the run's driver is in a namespace of its own");
            impl.stop();
            try (var procs = java.nio.file.Files.list(Path.of("/proc"))) {
                List<String> left = procs.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                        .filter(pid -> {
                            try {
                                return netns(pid).equals(namespaces.get(1));
                            } catch (java.io.IOException | RuntimeException e) {
                                return false; // a process that ended meanwhile
                            }
                        }).toList();
                assertEquals(List.of(), left, "processes left in the run's namespace");
            }
        } finally {
            java.nio.file.Files.deleteIfExists(seen);
        }
    }

    /** An IPv6 trace of two hosts: each in a namespace of its own, which a bind of the other's address finds out. */
    private static final String TWO_HOSTS6 = """
            # protocol 2
            version 2
            profile LINUX

            A.p1: socket(INET6, STREAM) = 3
            A.p1: bind(3, [A]:80) = 0
            A.p1: listen(3, 5) = 0
            B.p1: socket(INET6, STREAM) = 3
            B.p1: bind(3, [A]:81) = EADDRNOTAVAIL
            B.p1: connect(3, [A]:80) = 0
            B.p1: getsockname(3) = [B]:$e1
            A.p1: accept(3) = 4 peer [B]:$e1
            B.p1: send(3, "six") = 3
            A.p1: recv(4, 10) = "six"
            observe A: tcp [A]:80 *:* LISTEN; tcp [A]:80 [B]:$e1 ESTABLISHED
            observe B: tcp [B]:$e1 [A]:80 ESTABLISHED
            """;

    @Test
    void anIpv6TraceOfTwoHostsRunsOnThePythonDriverEachHostInItsNamespace() throws Exception {
        try (DriverImplementation impl = new DriverImplementation(List.of("python3", Corpus.PYTHON_DRIVER.toString()))) {
            TraceResult r = Corpus.runner(Duration.ofSeconds(5)).run(TraceText.parse("t.trace", TWO_HOSTS6), Path.of("."), impl);
            assertEquals(Verdict.PASS, r.verdict(), r.message());
        }
    }

    @Test
    void anIpv6TraceOfTwoHostsIsSkipWithTheReasonOnADriverThatCannotJoinTheHostsNamespaces() throws Exception {
        // The Python driver with its setns taken away: it does not list ipv6-hosts, and stays in one namespace.
        String withoutSetns = "import sys; sys.path.insert(0, sys.argv[1]); import sockcheck_driver as d;"
                + " d.can_join_netns = lambda: False; d.main([])";
        try (DriverImplementation impl = new DriverImplementation(List.of("python3", "-c", withoutSetns,
                Corpus.PYTHON_DRIVER.getParent().toString()))) {
            TraceResult r = Corpus.runner(Duration.ofSeconds(5)).run(TraceText.parse("t.trace", TWO_HOSTS6), Path.of("."), impl);
            assertEquals(Verdict.SKIP, r.verdict(), r.message());
            assertTrue(r.message().contains("more than one host") && r.message().contains("ipv6-hosts"), r.message());
        }
    }

    @Test
    void aDescriptorTheProcessDoesNotHoldReachesTheDriverAsMinusOne() throws Exception {
        // The driver answers EBADF for any number it did not give this process: -1 is such a number.
        TraceResult r = run("""
                # protocol 2
                version 1
                profile LINUX

                A.p1: socket(INET, STREAM) = 3
                A.p1: close(3) = 0
                A.p1: close(3) = EBADF
                """);
        assertEquals(Verdict.PASS, r.verdict(), r.message());
    }

    @Test
    void anUnsupportedReplyIsSkipWithTheDriversReason() throws Exception {
        TraceResult r = run("""
                # protocol 2
                version 1
                profile LINUX

                A.p1: socket(INET, STREAM) = 3
                A.p1: setsockopt(3, SO_REUSEADDR, 1) = 0
                """);
        assertEquals(Verdict.SKIP, r.verdict(), r.message());
        assertTrue(r.message().contains("this test driver has no options"), r.message());
    }

    @Test
    void thePythonDriverOfProtocolTwoGetsWalksWithForkAndThreadsOnOneKernel() throws Exception {
        try (DriverImplementation impl = new DriverImplementation(List.of("python3", Corpus.PYTHON_DRIVER.toString()))) {
            assertEquals(2, impl.declare().protocol());
            assertFalse(impl.declare().ownNetwork(), impl.declare().summary());
            assertTrue(impl.concurrent());
            assertTrue(impl.limits().contains(Implementation.Limit.ONE_KERNEL), impl.limits().toString());
            assertFalse(impl.limits().contains(Implementation.Limit.NO_FORK), impl.limits().toString());
            assertFalse(impl.limits().contains(Implementation.Limit.NO_THREADS), impl.limits().toString());
            assertFalse(impl.limits().contains(Implementation.Limit.NO_DUP), impl.limits().toString());
        }
    }

    @Test
    void whatTheHelloDeclaresShapesTheWalks() throws Exception {
        try (DriverImplementation impl = driver()) {
            DriverImplementation.Declared d = impl.declare();
            assertEquals(2, d.protocol());
            assertTrue(d.ownNetwork() && d.ownFds(), d.summary());
            // A network of its own: binds to another host's address are judged, so walks keep them.
            assertFalse(impl.limits().contains(Implementation.Limit.ONE_KERNEL), impl.limits().toString());
            assertTrue(impl.limits().containsAll(List.of(Implementation.Limit.NO_DUP, Implementation.Limit.NO_FORK,
                    Implementation.Limit.NO_THREADS, Implementation.Limit.NO_RAW)), impl.limits().toString());
            assertFalse(impl.concurrent());
        }
    }
}
