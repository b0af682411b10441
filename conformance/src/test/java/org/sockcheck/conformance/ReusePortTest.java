package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sockcheck.harness.validate.Validator;

/**
 * SO_REUSEPORT as the spec has it (SharesPort, ConflictsShared and
 * ReusePortUnclear in spec/Network.tla): sockets that both have it share an
 * address, listeners too; UDP's newest socket decides a mixed case; TCP's
 * per-port cache leaves some binds unjudged, and the verdict says why.
 */
class ReusePortTest {
    private static final String[] UDP_FIRST = {"A.p1: socket(INET, DGRAM) = 3", "A.p1: setsockopt(3, SO_REUSEPORT, 1) = 0",
        "A.p1: bind(3, A:80) = 0", "A.p1: socket(INET, DGRAM) = 4"};

    private static final String[] TCP_FIRST = {"A.p1: socket(INET, STREAM) = 3", "A.p1: setsockopt(3, SO_REUSEPORT, 1) = 0",
        "A.p1: bind(3, A:80) = 0", "A.p1: listen(3, 5) = 0", "A.p1: socket(INET, STREAM) = 4"};

    @Test
    void twoSocketsWithItShareAndOneWithoutCannot() throws Exception {
        Validator.Result shared = SpecTraces.judge(2, "LINUX", SpecTraces.with(UDP_FIRST, "A.p1: setsockopt(4, SO_REUSEPORT, 1) = 0",
                "A.p1: bind(4, A:80) = 0"));
        assertEquals(Validator.Kind.ACCEPTED, shared.kind(), shared.describe("shared"));
        Validator.Result refused = SpecTraces.judge(2, "LINUX", SpecTraces.with(UDP_FIRST, "A.p1: setsockopt(4, SO_REUSEPORT, 1) = 0",
                "A.p1: bind(4, A:80) = EADDRINUSE"));
        assertEquals(Validator.Kind.REJECTED, refused.kind(), refused.describe("refused"));
        Validator.Result without = SpecTraces.judge(2, "LINUX", SpecTraces.with(UDP_FIRST, "A.p1: bind(4, A:80) = 0"));
        assertEquals(Validator.Kind.REJECTED, without.kind(), without.describe("shared without the option"));
    }

    @Test
    void listenersWithItShareAnAddressAndEitherTakesAConnection() throws Exception {
        String[] two = SpecTraces.with(TCP_FIRST, "A.p1: setsockopt(4, SO_REUSEPORT, 1) = 0", "A.p1: bind(4, A:80) = 0",
                "A.p1: listen(4, 5) = 0", "B.p1: socket(INET, STREAM) = 3", "B.p1: connect(3, A:80) = 0");
        for (int listener : new int[] {3, 4}) {
            Validator.Result r = SpecTraces.judge(2, "LINUX", SpecTraces.with(two, "A.p1: accept(" + listener + ") = 5 peer B:$e1"));
            assertEquals(Validator.Kind.ACCEPTED, r.kind(), r.describe("accept on " + listener));
        }
        Validator.Result noShare = SpecTraces.judge(2, "LINUX", SpecTraces.with(TCP_FIRST, "A.p1: bind(4, A:80) = 0"));
        assertEquals(Validator.Kind.REJECTED, noShare.kind(), noShare.describe("a listener's address without the option"));
    }

    @Test
    void udpsNewestSocketInTheWayDecides() throws Exception {
        // Both options, then SO_REUSEADDR alone, then SO_REUSEPORT alone: the newest in its way does not share.
        String[] both = {"A.p1: socket(INET, DGRAM) = 3", "A.p1: setsockopt(3, SO_REUSEADDR, 1) = 0",
            "A.p1: setsockopt(3, SO_REUSEPORT, 1) = 0", "A.p1: bind(3, A:80) = 0"};
        String[] addrOnly = {"A.p1: socket(INET, DGRAM) = 4", "A.p1: setsockopt(4, SO_REUSEADDR, 1) = 0", "A.p1: bind(4, A:80) = 0"};
        String[] portOnly = {"A.p1: socket(INET, DGRAM) = 5", "A.p1: setsockopt(5, SO_REUSEPORT, 1) = 0"};
        Validator.Result fails = SpecTraces.judge(2, "LINUX", SpecTraces.with(SpecTraces.with(SpecTraces.with(both, addrOnly),
                portOnly), "A.p1: bind(5, A:80) = EADDRINUSE"));
        assertEquals(Validator.Kind.ACCEPTED, fails.kind(), fails.describe("newest shares nothing"));
        // SO_REUSEADDR alone first, then both: the newest in the way shares by SO_REUSEPORT (probed on Linux 6.18).
        String[] addrFirst = {"A.p1: socket(INET, DGRAM) = 3", "A.p1: setsockopt(3, SO_REUSEADDR, 1) = 0", "A.p1: bind(3, A:80) = 0",
            "A.p1: socket(INET, DGRAM) = 4", "A.p1: setsockopt(4, SO_REUSEADDR, 1) = 0", "A.p1: setsockopt(4, SO_REUSEPORT, 1) = 0",
            "A.p1: bind(4, A:80) = 0"};
        Validator.Result binds = SpecTraces.judge(2, "LINUX", SpecTraces.with(SpecTraces.with(addrFirst, portOnly),
                "A.p1: bind(5, A:80) = 0"));
        assertEquals(Validator.Kind.ACCEPTED, binds.kind(), binds.describe("newest shares by SO_REUSEPORT"));
    }

    @Test
    void aTcpBindLinuxsCacheDecidesIsNotJudgedAndSaysWhy() throws Exception {
        // SO_REUSEADDR alone, then both (sharing by SO_REUSEADDR), then SO_REUSEPORT alone: Linux's cache lets it bind.
        String[] seq = {"A.p1: socket(INET, STREAM) = 3", "A.p1: setsockopt(3, SO_REUSEADDR, 1) = 0", "A.p1: bind(3, A:80) = 0",
            "A.p1: socket(INET, STREAM) = 4", "A.p1: setsockopt(4, SO_REUSEADDR, 1) = 0", "A.p1: setsockopt(4, SO_REUSEPORT, 1) = 0",
            "A.p1: bind(4, A:80) = 0", "A.p1: socket(INET, STREAM) = 5", "A.p1: setsockopt(5, SO_REUSEPORT, 1) = 0",
            "A.p1: bind(5, A:80) = 0"};
        Validator.Result r = SpecTraces.judge(2, "LINUX", seq);
        assertEquals(Validator.Kind.UNDECIDED, r.kind(), r.describe("cache"));
        assertTrue(r.describe("t").contains("SO_REUSEPORT") && r.describe("t").contains("ReusePortUnclear"), r.describe("t"));
    }
}
