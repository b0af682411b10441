package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.validate.Validator;

/**
 * Raw INET6 sockets as the spec judges them (probed on Linux 6.18,
 * docs/ipv6-and-unix.md): a raw socket takes its own family's datagrams
 * only; sendto reads a port as the protocol, so a trace's port is EINVAL;
 * IPv4 and v4-mapped destinations have their own errors; and raw sockets
 * of ICMPv6 are outside the model (Unmodelled6).
 */
class Raw6Test {
    private static final String[] SENT = {
        "A.p1: socket(INET6, RAW, 253) = 3",
        "A.p1: socket(INET, RAW, 253) = 4",
        "B.p1: socket(INET6, RAW, 253) = 3",
        "B.p1: sendto(3, \"x\", [A]:*) = 1",
    };

    @Test
    void anIpv6DatagramReachesTheRawInet6SocketsOnly() throws Exception {
        Validator.Result six = SpecTraces.judge(2, "LINUX", concat(SENT, "A.p1: recvfrom(3, 10) = \"x\" from [B]:*",
                "A.p1: recvfrom(4, 10, MSG_DONTWAIT) = EAGAIN"));
        assertTrue(six.accepted(), six.describe("the INET6 socket takes it, the INET one does not"));
        Validator.Result four = SpecTraces.judge(2, "LINUX", concat(SENT, "A.p1: recvfrom(4, 10) = \"x\" from B:*"));
        assertEquals(8, four.line(), four.describe("an INET raw socket that takes an IPv6 datagram"));
    }

    @Test
    void sendtoReadsThePortAsTheProtocol() throws Exception {
        Validator.Result r = SpecTraces.judge(2, "LINUX", "A.p1: socket(INET6, RAW, 253) = 3",
                "A.p1: sendto(3, \"x\", [B]:80) = EINVAL");
        assertTrue(r.accepted(), r.describe("a port that is no protocol number"));
        Validator.Result sent = SpecTraces.judge(2, "LINUX", "A.p1: socket(INET6, RAW, 253) = 3",
                "A.p1: sendto(3, \"x\", [B]:80) = 1");
        assertEquals(5, sent.line(), sent.describe("a raw INET6 sendto that ignores the port, as an INET one does"));
    }

    @Test
    void ipv4AndV4MappedDestinationsHaveTheirOwnErrors() throws Exception {
        Validator.Result r = SpecTraces.judge(2, "LINUX", "A.p1: socket(INET6, RAW, 253) = 3",
                "A.p1: bind(3, A:*) = EINVAL", "A.p1: bind(3, [::ffff:A]:*) = EADDRNOTAVAIL",
                "A.p1: sendto(3, \"x\", B:*) = EINVAL", "A.p1: sendto(3, \"x\", [::ffff:B]:*) = ENETUNREACH",
                "A.p1: connect(3, B:*) = EAFNOSUPPORT", "A.p1: setsockopt(3, IPV6_V6ONLY, 0) = EINVAL",
                "A.p1: connect(3, [::ffff:B]:9) = 0", "A.p1: getsockname(3) = [::ffff:A]:*",
                "A.p1: send(3, \"x\") = ENETUNREACH");
        assertTrue(r.accepted(), r.describe("the errors Linux gives"));
        Validator.Result sent = SpecTraces.judge(2, "LINUX", "A.p1: socket(INET6, RAW, 253) = 3",
                "A.p1: connect(3, [::ffff:B]:9) = 0", "A.p1: send(3, \"x\") = 1");
        assertEquals(6, sent.line(), sent.describe("a raw INET6 socket that sends IPv4"));
    }

    @Test
    void rawSocketsOfIpv6sOwnProtocolsLeaveTheTraceNotJudged() throws Exception {
        for (String call : List.of("socket(INET6, RAW, 58) = 3", "socket(INET6, RAW, 44) = 3", "socket(INET6, RAW, 17) = 3")) {
            Validator.Result r = SpecTraces.judge(2, "LINUX", "A.p1: " + call, "A.p1: close(3) = 0");
            assertEquals(Validator.Kind.UNDECIDED, r.kind(), call);
            assertTrue(r.allowed().contains("Unmodelled"), r.allowed());
        }
        assertTrue(SpecTraces.judge(2, "LINUX", "A.p1: socket(INET6, RAW, 254) = 3", "A.p1: close(3) = 0").accepted());
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
