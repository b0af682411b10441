package org.sockcheck.spec.tlc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The invariants bite: each mutant drops or weakens one guard in a copy of
 * the real spec text, and TLC must reject it through the invariant that
 * protects against exactly that.
 */
class MutantTest {
    static final Path SPEC = Path.of("").toAbsolutePath();

    /** One change to the spec text: in file, this text (found exactly once) becomes that. */
    record Edit(String file, String from, String to) {
    }

    record Mutant(String name, String config, String invariant, List<Edit> edits) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Mutant> mutants() {
        return Stream.of(
                new Mutant("bind without the in-use check", "standard.cfg", "UdpIdentifiedByLocalAddress", List.of(
                        new Edit("SocketApi.tla", "(port # 0 /\\ ConflictsShared(s, ipu, port))", "(port # 0 /\\ FALSE)"))),
                new Mutant("two listeners on one address", "small.cfg", "OneListenerPerAddress", List.of(
                        new Edit("SocketApi.tla", "(port # 0 /\\ ConflictsShared(s, ipu, port))", "(port # 0 /\\ FALSE)"),
                        new Edit("SocketApi.tla", "ELSE IF sock[s].lport # 0 /\\ ((Profile = \"POSIX\" /\\ AnotherListener(s))",
                                "ELSE IF FALSE /\\ ((Profile = \"POSIX\" /\\ AnotherListener(s))"))),
                new Mutant("a UDP socket reaching ESTABLISHED", "standard.cfg", "UdpIsNeverEstablished", List.of(
                        new Edit("SocketApi.tla", "[] OTHER -> \"NONE\",", "[] OTHER -> \"ESTABLISHED\","))),
                new Mutant("exit leaves the descriptors behind", "small.cfg", "DescriptorsAreLocal", List.of(
                        new Edit("SocketApi.tla", "/\\ fdt' = [fdt EXCEPT ![ProcOf(p)] = NoFd]", "/\\ fdt' = fdt"))),
                new Mutant("exit keeps the process's sockets", "small.cfg", "NoSocketOutlivesItsProcess", List.of(
                        new Edit("SocketApi.tla", "last == {s \\in held : (\\A q \\in Proc \\ {ProcOf(p)} : \\A g \\in Fds : fdt[q][g] # s) /\\ ~InFlight(s)}",
                                "last == {}"))),
                new Mutant("a listener with a remote address", "small.cfg", "ListenerHasNoRemote", List.of(
                        new Edit("SocketApi.tla", "![s].rip = IF Profile = \"LINUX\" THEN @ ELSE NoHost, ![s].rport = 0]\n            /\\ Record(p, \"listen\", 0)",
                                "![s].rip = p[1], ![s].rport = sock[s].lport]\n            /\\ Record(p, \"listen\", 0)"))),
                new Mutant("connect without a local address", "small.cfg", "ConnectedHasRemote", List.of(
                        new Edit("SocketApi.tla", "lip == Source(p[1], dst)", "lip == ANY"))),
                new Mutant("a connection made on the wrong host", "small.cfg", "LocalAddressIsOwn", List.of(
                        new Edit("Tcp.tla", "!.host = HostOf(m.dst[1]),", "!.host = HostOf(m.src[1]),"))),
                new Mutant("datagrams delivered with other contents", "standard.cfg", "DatagramsKeepBoundaries", List.of(
                        new Edit("Udp.tla", "ELSE Append(@, Datagram(m.src, m.data))]", "ELSE Append(@, Datagram(m.src, \"garbled\"))]"))),
                new Mutant("stream data delivered out of its place", "small.cfg", "StreamIsInOrderPrefix", List.of(
                        new Edit("Tcp.tla", "![s].got = m.seq,", "![s].got = m.seq + 1,"))),
                new Mutant("a connect that skips the 4-tuple check", "fourtuple.cfg", "DemuxIsUnique", List.of(
                        new Edit("SocketApi.tla", "x.proto = \"tcp\" /\\ FourTupleTaken(s, lip, lport, dst, port)",
                                "x.proto = \"tcp\" /\\ FALSE"))),
                new Mutant("stream segments taken in any order", "closing.cfg", "StreamIsInOrderPrefix", List.of(
                        new Edit("Tcp.tla", "       /\\ m.seq = sock[s].rcvnxt\n       /\\ ~ReadsNoMore(s)\n",
                                "       /\\ ~ReadsNoMore(s)\n"))),
                new Mutant("a FIN in FIN-WAIT-2 that skips TIME-WAIT", "closing.cfg", "NoSocketOutlivesItsProcess", List.of(
                        new Edit("Tcp.tla", "[] e = \"FIN-WAIT-2\" -> \"TIME-WAIT\"]", "[] e = \"FIN-WAIT-2\" -> \"CLOSED\"]"))),
                new Mutant("recv takes bytes from the end of the stream", "closing.cfg", "StreamIsInOrderPrefix", List.of(
                        new Edit("SocketApi.tla", "![s].stream = IF peek THEN @ ELSE SubSeq(@, r.bytes + 1, Len(@)),",
                                "![s].stream = IF peek THEN @ ELSE SubSeq(@, 1, Len(@) - r.bytes),"))),
                new Mutant("datagrams joined in the queue", "raw.cfg", "DatagramsKeepBoundaries", List.of(
                        new Edit("Udp.tla", "THEN [sock[s] EXCEPT !.datagrams = Append(@, Datagram(m.src, m.data))]",
                                "THEN [sock[s] EXCEPT !.datagrams = IF sock[s].datagrams = <<>> THEN <<Datagram(m.src, m.data)>>"
                                        + " ELSE [sock[s].datagrams EXCEPT ![Len(sock[s].datagrams)].data = @ \\o m.data]]"))),
                new Mutant("an ACK of FIN that skips FIN-WAIT-2", "small.cfg", "StateChangesFollowTheDiagram", List.of(
                        new Edit("Tcp.tla", "CASE st = \"FIN-WAIT-1\" -> \"FIN-WAIT-2\"", "CASE st = \"FIN-WAIT-1\" -> \"TIME-WAIT\""))),
                // The protocol itself: demultiplexing order, the reset rules, the port spaces.
                new Mutant("a listener served before the connection a segment is for", "small.cfg", "DemuxIsUnique", List.of(
                        new Edit("Tcp.tla", "    IF Exact(m) # {} THEN Min(Exact(m))\n    ELSE IF Listening(m, FALSE) # {} THEN Min(Listening(m, FALSE))\n",
                                "    IF Listening(m, FALSE) # {} THEN Min(Listening(m, FALSE))\n    ELSE IF Exact(m) # {} THEN Min(Exact(m))\n"))),
                new Mutant("an RST for no socket answered with an RST", "small.cfg", "ResetsAreNeverAnswered", List.of(
                        new Edit("Tcp.tla", "/\\ TcpTarget(m) = NoSid\n    /\\ Arrive(m, keep, IF m.kind = \"RST\" THEN {}",
                                "/\\ TcpTarget(m) = NoSid\n    /\\ Arrive(m, keep, IF FALSE THEN {}"))),
                new Mutant("a Unix bind that forgets the path's file", "unix.cfg", "UnixNamesAreUnique", List.of(
                        new Edit("Unix.tla", "ELSE IF ~Abstract(path) /\\ PathInUse(p[1], path, sock[s].type) THEN", "ELSE IF FALSE THEN"),
                        new Edit("Unix.tla", "ELSE IF PathInUse(p[1], path, sock[s].type) THEN", "ELSE IF FALSE THEN"))),
                new Mutant("socketpair that joins a socket to itself", "unix.cfg", "UnixEndsArePeers", List.of(
                        new Edit("Unix.tla", "!.peer = IF c = a THEN b ELSE a", "!.peer = c"))),
                new Mutant("an IPV6_V6ONLY socket that binds a v4-mapped address", "ipv6.cfg", "FamiliesAgree", List.of(
                        new Edit("SocketApi.tla", "ELSE IF V6OnlyMapped(sock[s], ip) THEN Fail(p, \"bind\", \"EINVAL\")", ""))),
                new Mutant("connect(AF_UNSPEC) that leaves an INET socket's row its old peer", "ipv6.cfg", "OnlyUdp6ListsAForgottenPeer", List.of(
                        new Edit("SocketApi.tla", "IF x.fam = \"INET6\" /\\ Profile = \"LINUX\" /\\ x.rip # NoHost THEN x.rip ELSE @",
                                "IF Profile = \"LINUX\" /\\ x.rip # NoHost THEN x.rip ELSE @"))),
                new Mutant("a close that frees a socket a message carries (SCM_RIGHTS)", "unix.cfg", "InFlightSocketsLive", List.of(
                        new Edit("Network.tla", "<<q, g>> # <<ProcOf(p), f>>) \\/ InFlight(s)", "<<q, g>> # <<ProcOf(p), f>>)"))),
                new Mutant("a datagram socket's connect that leaves it listed unconnected (/proc/net/unix)", "unix.cfg",
                        "UnixRowsShowConnections", List.of(
                        new Edit("Unix.tla", "!.datagrams = IF leaves THEN <<>> ELSE @, !.est = to # NoSid]",
                                "!.datagrams = IF leaves THEN <<>> ELSE @]"))),
                new Mutant("a TCP segment handed to a UDP socket with its addresses", "standard.cfg", "PortSpacesAreSeparate", List.of(
                        new Edit("Tcp.tla", "{s \\in Sids : /\\ sock[s].proto = \"tcp\" /\\ sock[s].host = HostOf(m.dst[1])\n                  /\\ sock[s].st \\notin",
                                "{s \\in Sids : /\\ sock[s].host = HostOf(m.dst[1])\n                  /\\ sock[s].st \\notin"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mutants")
    void tlcRejectsTheMutantThroughItsInvariant(Mutant mutant) throws Exception {
        Path dir = ModelCheck.copySpec(SPEC, "sockcheck-mutant-");
        try {
            for (Edit e : mutant.edits()) {
                String text = Files.readString(dir.resolve(e.file()));
                int first = text.indexOf(e.from());
                assertEquals(true, first >= 0 && text.indexOf(e.from(), first + 1) < 0,
                        "the mutant's text must occur exactly once in " + e.file() + ": " + e.from());
                Files.writeString(dir.resolve(e.file()), text.replace(e.from(), e.to()));
            }
            ModelCheck.Result r = ModelCheck.run(ModelCheck.defaultTlaTools(), dir, dir.resolve(mutant.config()), 2, 600, p -> { });
            assertEquals(ModelCheck.Status.VIOLATION, r.status(), () -> ModelCheck.lastLines(r, 20).orElse(""));
            assertEquals(mutant.invariant(), r.violated(), () -> ModelCheck.lastLines(r, 40).orElse(""));
        } finally {
            ModelCheck.deleteTree(dir);
        }
    }
}
