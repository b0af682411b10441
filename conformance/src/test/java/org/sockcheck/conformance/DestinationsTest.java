package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.harness.trace.TraceText;
import org.sockcheck.harness.validate.Models;
import org.sockcheck.harness.validate.Validator;
import org.sockcheck.spec.tlc.SpecBridge;

/**
 * Destinations a program may pass that name no socket: port 0 and the
 * wildcard address, as the spec judges them under each profile, and the
 * one the model cannot follow (a wildcard destination from a socket with no
 * address of its own, which Linux sends to 127.0.0.1), which leaves the
 * trace not judged.
 */
class DestinationsTest {
    private static Validator.Result judge(String profile, String... lines) throws Exception {
        Trace t = TraceText.parse("destination.trace",
                "version 1\nprofile " + profile + "\n\n" + String.join("\n", lines) + "\n");
        return new Validator(SpecBridge.load(Models.forTraces(List.of(t)))).validate(t);
    }

    @Test
    void aConnectToPort0IsRefusedByTheSynOnLinuxAndMayBeRefusedAtOnceUnderPosix() throws Exception {
        String[] opened = {"B.p1: socket(INET, STREAM) = 3", "B.p1: bind(3, B:81) = 0"};
        assertTrue(judge("LINUX", opened[0], opened[1], "B.p1: connect(3, A:*) = ECONNREFUSED").accepted());
        assertEquals(6, judge("LINUX", opened[0], opened[1], "B.p1: connect(3, A:*) = EADDRNOTAVAIL").line());
        assertTrue(judge("POSIX", opened[0], opened[1], "B.p1: connect(3, A:*) = EADDRNOTAVAIL").accepted());
        assertTrue(judge("POSIX", opened[0], opened[1], "B.p1: connect(3, A:*) = ECONNREFUSED").accepted());
    }

    @Test
    void aDatagramToPort0IsEinvalOnLinuxAfterTheSocketIsBound() throws Exception {
        assertTrue(judge("LINUX", "A.p1: socket(INET, DGRAM) = 3", "A.p1: sendto(3, \"x\", B:*) = EINVAL",
                "A.p1: getsockname(3) = *:$e1").accepted());
        assertEquals(6, judge("LINUX", "A.p1: socket(INET, DGRAM) = 3", "A.p1: sendto(3, \"x\", B:*) = EINVAL",
                "A.p1: getsockname(3) = *:*").line());
        assertTrue(judge("POSIX", "A.p1: socket(INET, DGRAM) = 3", "A.p1: sendto(3, \"x\", B:*) = EADDRNOTAVAIL",
                "A.p1: getsockname(3) = *:*").accepted());
    }

    @Test
    void theWildcardDestinationIsTheHostOrOutsideTheModel() throws Exception {
        String[] listener = {"A.p1: socket(INET, STREAM) = 3", "A.p1: bind(3, A:80) = 0", "A.p1: listen(3, 8) = 0",
            "A.p1: socket(INET, STREAM) = 4"};
        Validator.Result linux = judge("LINUX", listener[0], listener[1], listener[2], listener[3],
                "A.p1: connect(4, *:80) = 0");
        assertEquals(Validator.Kind.UNDECIDED, linux.kind(), linux.describe("an unbound socket to *:80"));
        assertTrue(linux.allowed().contains("127.0.0.1"), linux.allowed());
        assertTrue(judge("LINUX", listener[0], listener[1], listener[2], listener[3], "A.p1: bind(4, A:81) = 0",
                "A.p1: connect(4, *:80) = 0", "A.p1: getpeername(4) = A:80").accepted());
        // BSD: the host's first address, here its one address, whatever the socket's.
        assertTrue(judge("POSIX", listener[0], listener[1], listener[2], listener[3],
                "A.p1: connect(4, *:80) = 0", "A.p1: getpeername(4) = A:80").accepted());
    }
}
