package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.gen.Generator;
import org.sockcheck.harness.validate.Models;
import org.sockcheck.harness.validate.Validator;
import org.sockcheck.spec.tlc.SpecBridge;
import org.sockcheck.spec.tlc.SpecText;

/**
 * Walks that leave segments in flight between two calls ({@link
 * Generator.Choice#early}) and let them arrive in another order ({@link
 * Generator.Choice#order}): the calls are the same, the spec's steps
 * between them differ, and the trace is still one the spec accepts.
 */
class InFlightWalksTest {
    private static final SpecBridge SPEC = load();

    private static SpecBridge load() {
        try {
            return SpecBridge.load(SpecBridge.Constants.GENERATED);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Calls built one by one: each the spec's step whose parameters include the given ones. */
    private static final class Calls {
        final List<Generator.Choice> list = new ArrayList<>();
        SpecBridge.State state = SPEC.init();

        Calls call(String action, Map<String, Object> params, boolean early, long order) {
            SpecBridge.Step step = SPEC.successors(state, Set.of(action)).stream()
                    .filter(st -> st.params().entrySet().containsAll(params.entrySet())).findFirst()
                    .orElseThrow(() -> new AssertionError("no step " + action + " " + params));
            list.add(new Generator.Choice(action, step.params(), early, order));
            state = step.next();
            for (int k = 0; k < 100; k++) {
                List<SpecBridge.Step> next = SPEC.successors(state, SpecText.kinds().settling());
                if (next.isEmpty()) {
                    break;
                }
                state = next.get(0).next();
            }
            return this;
        }

        Calls call(String action, Map<String, Object> params) {
            return call(action, params, false, 0);
        }
    }

    private static final List<String> A1 = List.of("A", "p1", "t1");
    private static final List<String> B1 = List.of("B", "p1", "t1");

    /** A listener on A:80, and B's socket 3; connect(B 3 -> A:80), early or not. */
    private static Calls connected(boolean early) {
        return new Calls()
                .call("Socket", Map.of("p", A1, "type", "STREAM", "protocol", 0, "nb", false))
                .call("Bind", Map.of("p", A1, "f", 3, "ip", "A", "port", 80))
                .call("Listen", Map.of("p", A1, "f", 3, "bl", 8))
                .call("Socket", Map.of("p", B1, "type", "STREAM", "protocol", 0, "nb", false))
                .call("Connect", Map.of("p", B1, "f", 3, "ip", "A", "port", 80), early, 0);
    }

    private static Generator.Generated replay(Generator gen, Calls c) {
        Generator.Generated g = gen.replayRenamed("inflight.trace", "test", c.list, gen.results(c.list));
        assertNotNull(g, "the calls are a walk of the spec");
        Validator.Result r = new Validator(load(g)).validate(g.trace());
        assertEquals(Validator.Kind.ACCEPTED, r.kind(), g.text() + r);
        return g;
    }

    private static SpecBridge load(Generator.Generated g) {
        try {
            return SpecBridge.load(Models.forTraces(List.of(g.trace())));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String calls(Generator.Generated g) {
        return g.text().lines().filter(l -> !l.startsWith("#")).reduce("", (a, b) -> a + b + "\n");
    }

    @Test
    void anAcceptBeforeTheLastAckOfTheHandshakeWaitsForIt() throws Exception {
        Generator gen = SpecTraces.generator();
        Generator.Generated early = replay(gen, connected(true).call("Accept", Map.of("p", A1, "f", 3, "nb", false)));
        Generator.Generated settled = replay(gen, connected(false).call("Accept", Map.of("p", A1, "f", 3, "nb", false)));
        assertTrue(early.actions().contains("AcceptReturns"), early.actions().toString());
        assertFalse(settled.actions().contains("AcceptReturns"), settled.actions().toString());
        assertEquals(calls(settled), calls(early), "the same calls and results, only the steps between differ");
    }

    @Test
    void aRecvBeforeTheDataArrivesWaitsForIt() throws Exception {
        Generator gen = SpecTraces.generator();
        Calls c = connected(false).call("Accept", Map.of("p", A1, "f", 3, "nb", false))
                .call("Send", Map.of("p", A1, "f", 4), true, 0)
                .call("Recv", Map.of("p", B1, "f", 3, "op", "recv", "peek", false, "dw", false, "wa", false));
        Generator.Generated g = replay(gen, c);
        assertTrue(g.actions().contains("RecvReturns"), g.actions().toString());
    }

    /**
     * A sends data and then closes with B's data unread, which resets: when
     * the reset overtakes the data, B finds it numbered past what it has
     * received and drops it (RcvStale); in the spec's order it does not.
     */
    @Test
    void aResetThatOvertakesDataIsStale() throws Exception {
        Generator gen = SpecTraces.generator();
        Set<Set<String>> seen = new java.util.HashSet<>();
        int orders = 0;
        int stale = 0;
        for (long order = 0; order < 24; order++) {
            Calls c = connected(false).call("Accept", Map.of("p", A1, "f", 3, "nb", false))
                    .call("Send", Map.of("p", B1, "f", 3))
                    .call("Send", Map.of("p", A1, "f", 4), true, 0)
                    .call("Close", Map.of("p", A1, "f", 4), false, order == 0 ? 0 : 2 * order + 1);
            Generator.Generated g = replay(gen, c);
            orders++;
            if (g.actions().contains("RcvStale")) {
                stale++;
            }
            seen.add(new TreeSet<>(g.actions()));
        }
        System.out.println("InFlightWalksTest: " + orders + " orders of the same calls, " + stale + " with a stale reset, "
                + seen.size() + " sets of actions");
        assertTrue(stale > 0 && stale < orders, stale + " of " + orders);
    }
}
