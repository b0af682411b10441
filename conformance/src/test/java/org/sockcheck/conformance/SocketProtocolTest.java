package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.validate.Validator;

/**
 * socket()'s protocol argument as the spec judges it: the errno for a
 * protocol that does not fit the type, per profile; raw datagrams reach the
 * raw sockets of their protocol only; and a socket the model has not
 * (Unmodelled) leaves the trace not judged rather than judged wrongly.
 */
class SocketProtocolTest {
    @Test
    void aProtocolOfTheOtherTypeIsRefusedAsEachProfileSays() throws Exception {
        assertTrue(SpecTraces.judge("LINUX", "A.p1: socket(INET, STREAM, 17) = EPROTONOSUPPORT").accepted());
        assertEquals(4, SpecTraces.judge("LINUX", "A.p1: socket(INET, STREAM, 17) = EPROTOTYPE").line());
        assertTrue(SpecTraces.judge("POSIX", "A.p1: socket(INET, STREAM, 17) = EPROTOTYPE").accepted());
        assertTrue(SpecTraces.judge("LINUX", "A.p1: socket(INET, DGRAM, 300) = EINVAL").accepted());
        assertEquals(4, SpecTraces.judge("POSIX", "A.p1: socket(INET, DGRAM, 300) = EINVAL").line());
        assertTrue(SpecTraces.judge("LINUX", "A.p1: socket(INET, RAW, -1) = EINVAL").accepted());
        assertEquals(4, SpecTraces.judge("LINUX", "A.p1: socket(INET, RAW, 0) = 3").line());
        assertTrue(SpecTraces.judge("LINUX", "A.p1: socket(INET, STREAM) = 3", "A.p1: socket(INET, STREAM, 6) = 4").accepted());
    }

    @Test
    void aRawDatagramReachesTheRawSocketsOfItsProtocolOnly() throws Exception {
        String[] sent = {
            "A.p1: socket(INET, RAW, 253) = 3",
            "A.p1: socket(INET, RAW, 254) = 4",
            "B.p1: socket(INET, RAW, 254) = 3",
            "B.p1: sendto(3, \"x\", A:80) = 1",
        };
        Validator.Result same = SpecTraces.judge("LINUX", concat(sent, "A.p1: recvfrom(4, 10) = \"x\" from B:*",
                "A.p1: recv(3, 10) blocks"));
        assertTrue(same.accepted(), same.describe("the 254 socket takes it, the 253 socket waits"));
        Validator.Result other = SpecTraces.judge("LINUX", concat(sent, "A.p1: recvfrom(3, 10) = \"x\" from B:*"));
        assertEquals(8, other.line(), other.describe("a 253 socket that takes a 254 datagram"));
    }

    @Test
    void aSocketTheModelHasNotLeavesTheTraceNotJudged() throws Exception {
        for (String call : List.of("socket(INET, STREAM, 262) = 3", "socket(INET, DGRAM, 136) = 3",
                "socket(INET, RAW, 6) = 3", "socket(INET, RAW, 255) = 3")) {
            Validator.Result r = SpecTraces.judge("LINUX", "A.p1: " + call, "A.p1: close(3) = 0");
            assertEquals(Validator.Kind.UNDECIDED, r.kind(), call);
            assertTrue(r.allowed().contains("Unmodelled"), r.allowed());
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
