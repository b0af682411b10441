package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.gen.Generator;
import org.sockcheck.harness.gen.Shrinker;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.impl.RefImplementation;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.harness.run.Verdict;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Outcome;

/**
 * A bug planted in a copy of the reference stack (accept reports the
 * listener's own address as the peer) is found by traces generated from the
 * spec, and the failing trace is shrunk to at most 10 events.
 */
class PlantedBugTest {
    /** The reference stack, except that accept() gives the listener's address as the peer's. */
    static Implementation acceptReportsOwnAddress() {
        return new RefWithBug("ref-with-planted-bug", (ref, host, process, call, o) ->
                call instanceof ApiCall.Accept a && o instanceof Outcome.Accepted acc
                        && ref.call(host, process, new ApiCall.GetSockName(a.fd())) instanceof Outcome.Address own
                        ? new Outcome.Accepted(acc.fd(), own.addr()) : o);
    }

    /** How many seeds of 600 walks each are tried at most. */
    private static final int SEEDS = 6;

    private static final java.util.regex.Pattern ACCEPTED = java.util.regex.Pattern.compile("accept\\(\\d+\\) = \\d+ peer");

    @Test
    void generatedTracesFindThePlantedBugAndShrinkIt() throws Exception {
        // Walks of the calls the bug needs (a listener, a connect and an accept): none of 600 walks of
        // every call of the spec accepted a connection, nor of the calls of trace format 1 (dup, fork
        // and raw sockets among them), which is a weakness of the walks, noted in issue 15.
        // Picked among all new outcomes, 600 such walks accepted one connection once the spec had
        // SO_REUSEPORT's rules and threads (the draws moved): walks that pick a new outcome by its action
        // first, as generate --cover does, get to an accept.
        Generator gen = SpecTraces.generator(java.util.Set.of(Implementation.Limit.NO_POLL, Implementation.Limit.NO_OPTIONS,
                Implementation.Limit.NO_GETSOCKOPT, Implementation.Limit.NO_RECV_FLAGS, Implementation.Limit.NO_NONBLOCK,
                Implementation.Limit.NO_DUP, Implementation.Limit.NO_FORK, Implementation.Limit.NO_RAW)).freshByAction();
        Implementation buggy = acceptReportsOwnAddress();
        // The first three failing walks are shrunk and the smallest result kept: a shrunk trace is
        // 1-minimal, not the smallest possible, and walks reach the bug by different ways.
        List<Generator.Generated> failing = new java.util.ArrayList<>();
        TraceResult first = null;
        int walks = 0;
        int accepting = 0;
        // Which seed's walks reach an accept moved with the order TLC gives a set's strings in until the
        // generator took steps in an order of its own (Generator.ordered); it still moves where the spec's
        // steps change. So the seeds are tried in turn, 600 walks each (measured: seed 1 finds it, 3 of
        // 283 walks accepting a connection).
        long seed = 0;
        for (long s = 1; s <= SEEDS && failing.isEmpty(); s++) {
            seed = s;
            for (Generator.Generated g : gen.explore("planted", s, 600, 12)) {
                walks++;
                accepting += ACCEPTED.matcher(g.text()).find() ? 1 : 0;
                TraceResult r = SpecTraces.run(g, buggy);
                if (r.verdict() == Verdict.FAIL) {
                    failing.add(g);
                    first = first == null ? r : first;
                    if (failing.size() == 3) {
                        break;
                    }
                }
            }
        }
        assertTrue(!failing.isEmpty(), "no generated trace found the planted bug in " + walks + " walks of seeds 1 to "
                + SEEDS + " (" + accepting + " of them accept a connection)");
        System.out.println("PlantedBugTest: seed " + seed + " found it; " + accepting + " of the " + walks
                + " walks accepted a connection");
        Shrinker.Result shrunk = null;
        for (Generator.Generated f : failing) {
            // The wrong peer shows at accept, or later where it is read again (getpeername, a table).
            TraceResult plain = SpecTraces.run(f, new RefImplementation());
            assertEquals(Verdict.PASS, plain.verdict(), () -> "the trace passes without the bug:\n" + f.text() + plain.message());
            Shrinker.Result s = Shrinker.shrink(gen, f, g -> SpecTraces.run(g, buggy).verdict() == Verdict.FAIL, 500);
            if (shrunk == null || SpecTraces.events(s.trace()) < SpecTraces.events(shrunk.trace())) {
                shrunk = s;
            }
        }
        long events = SpecTraces.events(shrunk.trace());
        System.out.println("PlantedBugTest: " + failing.size() + " failing traces in " + walks + " walks (the first: "
                + first.message() + "); the smallest shrinks to " + events + " events in " + shrunk.runs() + " runs:\n" + shrunk.trace().text()
                + SpecTraces.run(shrunk.trace(), buggy).message());
        assertTrue(events <= 10, "shrunk to " + events + " events:\n" + shrunk.trace().text());
        assertEquals(Verdict.PASS, SpecTraces.run(shrunk.trace(), new RefImplementation()).verdict(),
                "the shrunk trace passes on the reference stack without the bug");
        assertEquals(Verdict.FAIL, SpecTraces.run(shrunk.trace(), buggy).verdict());
    }
}
