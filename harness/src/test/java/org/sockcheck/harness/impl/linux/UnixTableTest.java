package org.sockcheck.harness.impl.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.impl.Addressing;
import org.sockcheck.harness.impl.TraceSetup;
import org.sockcheck.ref.RefStack;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Domain;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Profile;
import org.sockcheck.spec.Proto;
import org.sockcheck.spec.SockType;
import org.sockcheck.spec.SocketRow;
import org.sockcheck.spec.UnixState;

/**
 * A host's Unix domain sockets as observe reads them from /proc/net/unix
 * (S16, S20): the run's own, by host, with the trace's names, the server's
 * end of an unaccepted connection among them; the reference stack prints
 * the file's lines in the shape the runner reads.
 */
class UnixTableTest {
    private static final List<String> HOSTS = List.of("A", "B");

    @Test
    void observeListsTheHostsUnixSocketsOnlyWithTheTracesNames() throws Exception {
        try (LinuxImplementation linux = new LinuxImplementation();
             java.nio.channels.ServerSocketChannel foreign = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            // A socket of this JVM that no trace made: never a row of a trace's host.
            Path outside = java.nio.file.Files.createTempDirectory("unix-table").resolve("x");
            foreign.bind(java.net.UnixDomainSocketAddress.of(outside));
            Addressing a = linux.start(new TraceSetup(Profile.LINUX, HOSTS, List.of("A.p1", "A.p2", "B.p1"), List.of(80),
                    Duration.ofSeconds(2)));
            Endpoint srv = Endpoint.unix(a.unixName("A", "srv"));
            linux.call("A", "p1", new ApiCall.Socket(Domain.UNIX, SockType.STREAM, 0, false));
            linux.call("A", "p1", new ApiCall.Bind(3, srv));
            linux.call("A", "p1", new ApiCall.Listen(3, 4));
            linux.call("A", "p2", new ApiCall.Socket(Domain.UNIX, SockType.STREAM, 0, false));
            linux.call("A", "p2", new ApiCall.Connect(3, srv));
            linux.call("B", "p1", new ApiCall.Socket(Domain.UNIX, SockType.DGRAM, 0, false));
            linux.call("B", "p1", new ApiCall.Bind(3, Endpoint.unix(a.unixName("B", "@d"))));
            assertEquals(new HashSet<>(List.of(
                    SocketRow.unix(SockType.STREAM, "srv", UnixState.LISTEN),
                    SocketRow.unix(SockType.STREAM, "srv", UnixState.CONNECTING),
                    SocketRow.unix(SockType.STREAM, "", UnixState.CONNECTED))), new HashSet<>(linux.observe("A")));
            assertEquals(List.of(SocketRow.unix(SockType.DGRAM, "@d", UnixState.UNCONNECTED)), linux.observe("B"));
            linux.call("A", "p1", new ApiCall.Accept(3, false));
            linux.call("A", "p2", new ApiCall.Close(3));
            assertEquals(new HashSet<>(List.of(
                    SocketRow.unix(SockType.STREAM, "srv", UnixState.LISTEN),
                    SocketRow.unix(SockType.STREAM, "srv", UnixState.CONNECTED))), new HashSet<>(linux.observe("A")));
            linux.stop();
            java.nio.file.Files.deleteIfExists(outside);
            java.nio.file.Files.deleteIfExists(outside.getParent());
        }
    }

    @Test
    void theReferenceStacksProcNetUnixReadsBackAsItsRows() {
        RefStack ref = new RefStack(Profile.LINUX);
        ref.addHost("A", "192.0.2.1");
        ref.call("A", "p1", new ApiCall.Socket(Domain.UNIX, SockType.STREAM, 0, false));
        ref.call("A", "p1", new ApiCall.Bind(3, Endpoint.unix("srv")));
        ref.call("A", "p1", new ApiCall.Listen(3, 4));
        ref.call("A", "p1", new ApiCall.Socket(Domain.UNIX, SockType.STREAM, 0, false));
        ref.call("A", "p1", new ApiCall.Connect(4, Endpoint.unix("srv")));
        ref.call("A", "p1", new ApiCall.SocketPair(Domain.UNIX, SockType.DGRAM, 0, false));
        ref.call("A", "p1", new ApiCall.Socket(Domain.UNIX, SockType.SEQPACKET, 0, false));
        ref.call("A", "p1", new ApiCall.Bind(7, Endpoint.unix("@q")));
        List<String> lines = ref.procNet("A", Proto.UNIX).lines().toList();
        assertEquals("Num       RefCount Protocol Flags    Type St Inode Path", lines.get(0));
        List<SocketRow> read = lines.subList(1, lines.size()).stream().map(ProcNet::parseUnix)
                .map(e -> SocketRow.unix(e.type(), Endpoint.unix(e.path()).shownPath(), e.state())).toList();
        assertEquals(ref.sockets("A"), read);
        assertEquals(6, read.size(), read.toString());
        // The server's end of the connection nobody accepted has no inode, as in the kernel's file.
        assertTrue(lines.stream().anyMatch(l -> l.matches(".* 0001 02 +0 srv")), lines.toString());
        assertNull(ProcNet.parseUnix("0000000000000000: 00000002 00000000 00000000 0009 01 12"), "an unknown type");
    }
}
