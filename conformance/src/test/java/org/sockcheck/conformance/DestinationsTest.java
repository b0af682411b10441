package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sockcheck.harness.validate.Validator;

/**
 * Destinations a program may pass that name no socket: port 0 and the
 * wildcard address, as the spec judges them under each profile, and the
 * one the model cannot follow (a wildcard destination from a socket with no
 * address of its own, which Linux sends to 127.0.0.1), which leaves the
 * trace not judged.
 */
class DestinationsTest {
    @Test
    void aConnectToPort0IsRefusedByTheSynOnLinuxAndMayBeRefusedAtOnceUnderPosix() throws Exception {
        String[] opened = {"B.p1: socket(INET, STREAM) = 3", "B.p1: bind(3, B:81) = 0"};
        assertTrue(SpecTraces.judge("LINUX", opened[0], opened[1], "B.p1: connect(3, A:*) = ECONNREFUSED").accepted());
        assertEquals(6, SpecTraces.judge("LINUX", opened[0], opened[1], "B.p1: connect(3, A:*) = EADDRNOTAVAIL").line());
        assertTrue(SpecTraces.judge("POSIX", opened[0], opened[1], "B.p1: connect(3, A:*) = EADDRNOTAVAIL").accepted());
        assertTrue(SpecTraces.judge("POSIX", opened[0], opened[1], "B.p1: connect(3, A:*) = ECONNREFUSED").accepted());
    }

    @Test
    void aDatagramToPort0IsEinvalOnLinuxAfterTheSocketIsBound() throws Exception {
        assertTrue(SpecTraces.judge("LINUX", "A.p1: socket(INET, DGRAM) = 3", "A.p1: sendto(3, \"x\", B:*) = EINVAL",
                "A.p1: getsockname(3) = *:$e1").accepted());
        assertEquals(6, SpecTraces.judge("LINUX", "A.p1: socket(INET, DGRAM) = 3", "A.p1: sendto(3, \"x\", B:*) = EINVAL",
                "A.p1: getsockname(3) = *:*").line());
        assertTrue(SpecTraces.judge("POSIX", "A.p1: socket(INET, DGRAM) = 3", "A.p1: sendto(3, \"x\", B:*) = EADDRNOTAVAIL",
                "A.p1: getsockname(3) = *:*").accepted());
    }

    @Test
    void theWildcardDestinationIsTheHostOrOutsideTheModel() throws Exception {
        String[] listener = {"A.p1: socket(INET, STREAM) = 3", "A.p1: bind(3, A:80) = 0", "A.p1: listen(3, 8) = 0",
            "A.p1: socket(INET, STREAM) = 4"};
        Validator.Result linux = SpecTraces.judge("LINUX", listener[0], listener[1], listener[2], listener[3],
                "A.p1: connect(4, *:80) = 0");
        assertEquals(Validator.Kind.UNDECIDED, linux.kind(), linux.describe("an unbound socket to *:80"));
        assertTrue(linux.allowed().contains("127.0.0.1"), linux.allowed());
        assertTrue(SpecTraces.judge("LINUX", listener[0], listener[1], listener[2], listener[3], "A.p1: bind(4, A:81) = 0",
                "A.p1: connect(4, *:80) = 0", "A.p1: getpeername(4) = A:80").accepted());
        // BSD: the host's first address, here its one address, whatever the socket's.
        assertTrue(SpecTraces.judge("POSIX", listener[0], listener[1], listener[2], listener[3],
                "A.p1: connect(4, *:80) = 0", "A.p1: getpeername(4) = A:80").accepted());
    }
}
