package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sockcheck.harness.validate.Validator;

/**
 * Which ephemeral port an unbound socket gets is the stack's choice: the
 * spec lets it take any free one (FreeEphemeral in Network.tla), a port
 * given back or one never used, and never one that is taken. The validator
 * follows only the lowest of the ports nothing names yet; these traces
 * would be rejected if it followed none of them, or the spec took the
 * lowest free port.
 */
class EphemeralChoiceTest {
    private static final String[] FREED = {"A.p1: socket(INET, DGRAM) = 3", "A.p1: bind(3, *:*) = 0",
        "A.p1: getsockname(3) = *:$e1", "A.p1: close(3) = 0", "A.p1: socket(INET, DGRAM) = 3", "A.p1: bind(3, *:*) = 0"};

    @Test
    void aPortGivenBackMayBeTakenAgain() throws Exception {
        Validator.Result r = SpecTraces.judge("LINUX", SpecTraces.with(FREED, "A.p1: getsockname(3) = *:$e1"));
        assertTrue(r.accepted(), r.describe("the same port again"));
    }

    @Test
    void anotherPortLeavesTheOldOneFreeToBind() throws Exception {
        // The lowest free port would be $e1 again, so the bind of $e1 would fail: a stack that picks
        // another leaves it free.
        Validator.Result r = SpecTraces.judge("LINUX", SpecTraces.with(FREED, "A.p1: getsockname(3) = *:$e2",
                "A.p1: socket(INET, DGRAM) = 4", "A.p1: bind(4, *:$e1) = 0"));
        assertTrue(r.accepted(), r.describe("a new port, the old one bound by another socket"));
        assertTrue(SpecTraces.judge("POSIX", SpecTraces.with(FREED, "A.p1: getsockname(3) = *:$e2",
                "A.p1: socket(INET, DGRAM) = 4", "A.p1: bind(4, *:$e1) = 0")).accepted());
    }

    @Test
    void aPortInUseIsNeverTaken() throws Exception {
        Validator.Result r = SpecTraces.judge("LINUX", "A.p1: socket(INET, DGRAM) = 3", "A.p1: bind(3, *:*) = 0",
                "A.p1: getsockname(3) = *:$e1", "A.p1: socket(INET, DGRAM) = 4", "A.p1: bind(4, *:*) = 0",
                "A.p1: getsockname(4) = *:$e1");
        assertEquals(Validator.Kind.REJECTED, r.kind(), r.describe("two sockets on one port"));
        assertEquals(9, r.line());
    }

    @Test
    void portsNothingNamesAreFollowedOnce() throws Exception {
        // Five sockets, each bound to a port of its own: the model has six ephemeral ports, and
        // following each free one would explore 6 x 5 x 4 x 3 x 2 orders of the same ports.
        String[] lines = new String[15];
        for (int i = 0; i < 5; i++) {
            lines[3 * i] = "A.p1: socket(INET, DGRAM) = " + (3 + i);
            lines[3 * i + 1] = "A.p1: bind(" + (3 + i) + ", *:*) = 0";
            lines[3 * i + 2] = "A.p1: getsockname(" + (3 + i) + ") = *:$e" + (i + 1);
        }
        Validator.Result r = SpecTraces.judge("LINUX", lines);
        assertTrue(r.accepted(), r.describe("five sockets"));
        assertTrue(r.explored() < 200, "explored " + r.explored() + " states");
    }
}
