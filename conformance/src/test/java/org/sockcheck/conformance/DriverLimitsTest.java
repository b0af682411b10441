package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.gen.Generator;
import org.sockcheck.harness.impl.Implementation.Limit;
import org.sockcheck.harness.impl.driver.DriverImplementation;
import org.sockcheck.spec.tlc.SpecBridge;

/**
 * Walks for a driver leave out what its hello does not offer: a driver
 * without dup gets walks without dup, one without poll none with poll (a
 * driver that offered less than the walks used had every walk SKIP).
 */
class DriverLimitsTest {
    private static Set<Limit> limitsOf(String driver) {
        try (DriverImplementation d = new DriverImplementation(List.of("python3", driver))) {
            return d.limits();
        }
    }

    @Test
    void theLimitsFollowTheOperationsHelloOffers() {
        Set<Limit> python = limitsOf(Corpus.PYTHON_DRIVER.toString());
        for (Limit offered : List.of(Limit.NO_DUP, Limit.NO_POLL, Limit.NO_NONBLOCK, Limit.NO_GETSOCKOPT, Limit.NO_OPTIONS,
                Limit.NO_SETSOCKOPT, Limit.NO_RECV_FLAGS, Limit.NO_RECV_TRUNC)) {
            assertFalse(python.contains(offered), "the Python driver offers what " + offered + " leaves out: " + python);
        }
        Set<Limit> socketless = limitsOf(Corpus.testDriver("socketless_driver.py").toString());
        assertTrue(socketless.containsAll(List.of(Limit.NO_DUP, Limit.NO_POLL, Limit.NO_NONBLOCK, Limit.NO_GETSOCKOPT,
                Limit.NO_OPTIONS, Limit.NO_SETSOCKOPT, Limit.NO_RECV_FLAGS, Limit.NO_RECV_TRUNC, Limit.NO_THREADS)),
                socketless.toString());
    }

    @Test
    void walksForADriverWithoutDupOrPollHaveNeither() throws Exception {
        Set<Limit> limits = limitsOf(Corpus.testDriver("socketless_driver.py").toString());
        Generator gen = new Generator(SpecBridge.load(SpecBridge.Constants.GENERATED), limits);
        int walks = 40;
        for (int i = 0; i < walks; i++) {
            Generator.Generated g = gen.walk("limits-" + i + ".trace", 100 + i, 14);
            assertFalse(g.text().contains(": dup(") || g.text().contains(": poll(") || g.text().contains("NONBLOCK")
                    || g.text().contains(": setsockopt(") || g.text().contains(": getsockopt("), g.text());
        }
        // The same walks for the Python driver do use them: the limits are what left them out.
        Generator all = new Generator(SpecBridge.load(SpecBridge.Constants.GENERATED), limitsOf(Corpus.PYTHON_DRIVER.toString()));
        boolean used = false;
        for (int i = 0; i < walks && !used; i++) {
            String text = all.walk("all-" + i + ".trace", 100 + i, 14).text();
            used = text.contains(": dup(") || text.contains(": poll(") || text.contains(": getsockopt(");
        }
        assertTrue(used, "walks of " + walks + " seeds for the Python driver used none of dup, poll, getsockopt");
        System.out.println("DriverLimitsTest: " + walks + " walks for a driver without dup, poll and options had none");
    }

    @Test
    void walksForADriverWithRecvFlagsButNotRecvTruncHaveNoMsgTrunc() throws Exception {
        // The lwIP driver lists recv-flags but not recv-trunc.
        Generator without = new Generator(SpecBridge.load(SpecBridge.Constants.GENERATED), Set.of(Limit.NO_RECV_TRUNC));
        Generator with = new Generator(SpecBridge.load(SpecBridge.Constants.GENERATED), Set.of());
        int walks = 60;
        int truncWith = 0;
        for (int i = 0; i < walks; i++) {
            String text = without.walk("trunc-" + i + ".trace", 300 + i, 16).text();
            assertFalse(text.contains("MSG_TRUNC"), text);
            truncWith += with.walk("trunc-" + i + ".trace", 300 + i, 16).text().contains("MSG_TRUNC") ? 1 : 0;
        }
        assertTrue(truncWith > 0, "none of " + walks + " walks without the limit used MSG_TRUNC");
        System.out.println("DriverLimitsTest: " + walks + " walks without recv-trunc had no MSG_TRUNC (" + truncWith
                + " of the same seeds had it without the limit)");
    }
}
