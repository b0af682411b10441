package org.sockcheck.harness.impl.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.impl.Addressing;
import org.sockcheck.harness.impl.TraceSetup;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Profile;
import org.sockcheck.spec.Proto;
import org.sockcheck.spec.SocketRow;
import org.sockcheck.spec.SockOpt;
import org.sockcheck.spec.SockType;

/**
 * S16 on Linux: the TCP rows observe gives through sock_diag are the rows of
 * /proc/net/tcp with the host's address, in every state a trace leaves
 * behind; and the netlink socket goes with the implementation.
 */
class SockDiagTest {
    private record Call(String host, ApiCall call) {
    }

    private static final Endpoint A80 = new Endpoint("A", 80);
    private static final Endpoint A81 = new Endpoint("A", 81);
    private static final Endpoint A82 = new Endpoint("A", 82);

    /**
     * A listener, two listeners sharing a port (SO_REUSEPORT), accepted
     * connections, one never accepted, a TIME-WAIT, an orphan FIN-WAIT-2 with
     * its CLOSE-WAIT, a connection within host A, and a refused connect.
     */
    private static final List<Call> SCRIPT = List.of(
            new Call("A", new ApiCall.Socket(SockType.STREAM, 0)),
            new Call("A", new ApiCall.Bind(3, A80)),
            new Call("A", new ApiCall.Listen(3, 8)),
            new Call("A", new ApiCall.Socket(SockType.STREAM, 0)),
            new Call("A", new ApiCall.SetSockOpt(4, SockOpt.SO_REUSEPORT, 1)),
            new Call("A", new ApiCall.Bind(4, A81)),
            new Call("A", new ApiCall.Listen(4, 8)),
            new Call("A", new ApiCall.Socket(SockType.STREAM, 0)),
            new Call("A", new ApiCall.SetSockOpt(5, SockOpt.SO_REUSEPORT, 1)),
            new Call("A", new ApiCall.Bind(5, A81)),
            new Call("A", new ApiCall.Listen(5, 8)),
            new Call("B", new ApiCall.Socket(SockType.STREAM, 0)),
            new Call("B", new ApiCall.Connect(3, A80)),
            new Call("B", new ApiCall.Socket(SockType.STREAM, 0)),
            new Call("B", new ApiCall.Connect(4, A80)),
            new Call("B", new ApiCall.Socket(SockType.STREAM, 0)),
            new Call("B", new ApiCall.Connect(5, A80)),
            new Call("B", new ApiCall.Socket(SockType.STREAM, 0)),
            new Call("B", new ApiCall.Connect(6, A80)),
            new Call("A", new ApiCall.Accept(3)),
            new Call("A", new ApiCall.Accept(3)),
            new Call("A", new ApiCall.Accept(3)),
            // B's 4 passes FIN-WAIT-2 into TIME-WAIT; B's 5 is an orphan in FIN-WAIT-2, A's 8 its CLOSE-WAIT.
            new Call("B", new ApiCall.Close(4)),
            new Call("A", new ApiCall.Recv(7, 10)),
            new Call("A", new ApiCall.Close(7)),
            new Call("B", new ApiCall.Close(5)),
            new Call("A", new ApiCall.Socket(SockType.STREAM, 0)),
            new Call("A", new ApiCall.Connect(7, A80)),
            new Call("A", new ApiCall.Socket(SockType.STREAM, 0)),
            new Call("A", new ApiCall.Connect(9, A82)));

    @Test
    void observeGivesTheRowsOfProcNetTcp() throws Exception {
        try (LinuxImplementation linux = new LinuxImplementation()) {
            Addressing addressing = linux.start(new TraceSetup(Profile.LINUX, List.of("A", "B"), List.of("A.p1", "B.p1"),
                    List.of(80, 81, 82), Duration.ofSeconds(2)));
            Map<String, String> ips = addressing.hostIps();
            for (Call c : SCRIPT) {
                linux.call(c.host(), "p1", withAddresses(c.call(), addressing));
            }
            for (String host : List.of("A", "B")) {
                List<String> observed = keys(linux.observe(host).stream().filter(r -> r.proto() == Proto.TCP));
                List<String> file = keys(ProcNet.read(Proto.TCP).stream().map(ProcNet.Entry::row)
                        .filter(r -> r.local().ip().equals(ips.get(host))));
                assertEquals(file, observed, "TCP rows of " + host);
                assertEquals(host.equals("A") ? 8 : 4, observed.size(), "rows compared: " + observed);
            }
            List<String> states = keys(Stream.concat(linux.observe("A").stream(), linux.observe("B").stream()));
            for (String state : List.of("LISTEN", "ESTABLISHED", "TIME-WAIT", "FIN-WAIT-2", "CLOSE-WAIT")) {
                assertTrue(states.stream().anyMatch(k -> k.endsWith(" " + state)), state + " among " + states);
            }
            linux.stop();
        }
    }

    @Test
    void theNetlinkSocketClosesWithTheImplementation() throws Exception {
        // The first round opens what the JVM keeps (class files, the random source); the second must leave nothing.
        oneObservingRun();
        List<String> before = openDescriptors();
        oneObservingRun();
        assertEquals(before, openDescriptors(), "descriptors of this process before and after");
    }

    private static void oneObservingRun() throws Exception {
        try (LinuxImplementation linux = new LinuxImplementation()) {
            Addressing addressing = linux.start(new TraceSetup(Profile.LINUX, List.of("A"), List.of("A.p1"), List.of(80),
                    Duration.ofSeconds(2)));
            linux.call("A", "p1", new ApiCall.Socket(SockType.STREAM, 0));
            linux.call("A", "p1", withAddresses(new ApiCall.Bind(3, A80), addressing));
            linux.call("A", "p1", new ApiCall.Listen(3, 8));
            assertEquals(1, linux.observe("A").size());
        }
    }

    /** What each descriptor of this process refers to, sorted. */
    private static List<String> openDescriptors() throws Exception {
        List<String> out = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    out.add(Files.readSymbolicLink(fd).toString());
                } catch (java.io.IOException e) {
                    // the descriptor of the listing itself, closed by now
                }
            }
        }
        out.sort(null);
        return out;
    }

    /** Each row as "local-port remote state", sorted: the wildcard shown for a local address is set aside. */
    private static List<String> keys(Stream<SocketRow> rows) {
        List<String> out = new ArrayList<>(rows.map(r -> r.local().port() + " " + r.remote() + " " + r.state()).toList());
        out.sort(null);
        return out;
    }

    private static ApiCall withAddresses(ApiCall call, Addressing a) {
        return switch (call) {
            case ApiCall.Bind c -> new ApiCall.Bind(c.fd(), real(c.addr(), a));
            case ApiCall.Connect c -> new ApiCall.Connect(c.fd(), real(c.addr(), a));
            default -> call;
        };
    }

    private static Endpoint real(Endpoint symbolic, Addressing a) {
        return new Endpoint(a.hostIps().get(symbolic.ip()), a.ports().get(symbolic.port()));
    }
}
