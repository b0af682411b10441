package org.sockcheck.harness.impl.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
}
