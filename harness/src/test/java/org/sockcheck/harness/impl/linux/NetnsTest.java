package org.sockcheck.harness.impl.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.impl.Implementation;

/**
 * A run's network namespace (IPv6 traces on linux): made from sockcheck's
 * parent namespace, it has TCP and UDP hash tables of its own, small, so
 * that reading its /proc/net tables does not walk the host's; and it is
 * another namespace than the process's.
 */
class NetnsTest {
    /** A sysctl's value: read whole in one read (a sysctl read in small pieces, as Files.readString reads, gives its start). */
    private static String read(Path p) {
        try (java.io.InputStream in = Files.newInputStream(p)) {
            return new String(in.readNBytes(64), java.nio.charset.StandardCharsets.US_ASCII).trim();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aRunsNamespaceHasSmallTablesOfItsOwn() throws Exception {
        Path ehash = Path.of("/proc/sys/net/ipv4/tcp_ehash_entries");
        assumeTrue(Files.isReadable(ehash), "this kernel does not say how large a namespace's TCP table is (Linux 6.1 on)");
        Netns ns;
        try {
            ns = Netns.create();
        } catch (Implementation.Unsupported e) {
            assumeTrue(false, e.getMessage());
            return;
        }
        try {
            // Made without the parent's setting, a namespace shares the host's table (a negative count there).
            String own = ns.inside(sys -> read(ehash));
            assertEquals("128", own, "the TCP table of a run's namespace (the host's: " + read(ehash) + ")");
            Path udp = Path.of("/proc/sys/net/ipv4/udp_hash_entries");
            if (Files.isReadable(udp)) {
                assertEquals("128", ns.inside(sys -> read(udp)), "the UDP table of a run's namespace");
            }
            String inside = ns.inside(sys -> {
                try {
                    return Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString(), inside,
                    "the run's namespace is not the process's");
        } finally {
            ns.close();
        }
    }

    /** The network namespace the namespace's own thread is in. */
    private static String where(Netns ns) throws Exception {
        return ns.call(() -> Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString());
    }

    @Test
    void threeHostsOfAnIpv6RunAreNamespacesOfTheirOwnJoinedByOneLink() throws Exception {
        NetnsRun run;
        try {
            run = NetnsRun.create(java.util.List.of("A", "B", "C"));
        } catch (Implementation.Unsupported e) {
            assumeTrue(false, e.getMessage());
            return;
        }
        try {
            assertEquals(java.util.Map.of("A", "192.0.2.1", "B", "192.0.2.2", "C", "192.0.2.3"), run.ips4());
            assertEquals(java.util.Map.of("A", "fd5c:50c::a", "B", "fd5c:50c::b", "C", "fd5c:50c::c"), run.ips6());
            java.util.Set<String> spaces = new java.util.HashSet<>();
            for (String h : java.util.List.of("A", "B", "C")) {
                spaces.add(where(run.of(h)));
            }
            assertEquals(3, spaces.size(), "a namespace per host: " + spaces);
            assertFalse(spaces.contains(Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString()));
            // C's datagram to B's IPv6 address crosses the link (B's channel is made in B's namespace, C's in C's).
            java.nio.channels.DatagramChannel atB = run.of("B").call(() -> java.nio.channels.DatagramChannel
                    .open(java.net.StandardProtocolFamily.INET6)
                    .bind(new java.net.InetSocketAddress(java.net.InetAddress.getByAddress(org.sockcheck.spec.Ip6.parse("fd5c:50c::b")), 0)));
            java.nio.channels.DatagramChannel atC = run.of("C").call(() -> java.nio.channels.DatagramChannel
                    .open(java.net.StandardProtocolFamily.INET6));
            try (atB; atC) {
                atC.send(java.nio.ByteBuffer.wrap(new byte[] {'h', 'i'}), atB.getLocalAddress());
                atB.configureBlocking(false);
                java.nio.ByteBuffer got = java.nio.ByteBuffer.allocate(8);
                java.net.SocketAddress from = null;
                for (int i = 0; i < 2000 && from == null; i++) {
                    from = atB.receive(got);
                    if (from == null) {
                        Thread.sleep(1);
                    }
                }
                assertEquals("/fd5c:50c:0:0:0:0:0:c", String.valueOf(from).replaceAll("%.*|:\\d+$|\\]", "").replace("[", ""),
                        "C's datagram comes from C's address");
                assertEquals(2, got.position());
                // B's address is not C's: C cannot bind it.
                java.nio.channels.DatagramChannel other = run.of("C").call(() -> java.nio.channels.DatagramChannel
                        .open(java.net.StandardProtocolFamily.INET6));
                try (other) {
                    assertThrows(java.net.BindException.class, () -> other.bind(atB.getLocalAddress()));
                }
            }
        } finally {
            run.close();
        }
    }
}
