package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.gen.Generator;
import org.sockcheck.harness.gen.Shrinker;
import org.sockcheck.harness.impl.Addressing;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.impl.ImplementationException;
import org.sockcheck.harness.impl.RefImplementation;
import org.sockcheck.harness.impl.TraceSetup;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.harness.run.Verdict;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.SocketRow;

/**
 * A bug planted in a copy of the reference stack (accept reports the
 * listener's own address as the peer) is found by traces generated from the
 * spec, and the failing trace is shrunk to at most 10 events.
 */
class PlantedBugTest {
    /** The reference stack, except that accept() gives the listener's address as the peer's. */
    static final class AcceptReportsOwnAddress implements Implementation {
        private final RefImplementation ref = new RefImplementation();

        @Override
        public String name() {
            return "ref-with-planted-bug";
        }

        @Override
        public Addressing start(TraceSetup setup) throws ImplementationException {
            return ref.start(setup);
        }

        @Override
        public Outcome call(String host, String process, ApiCall call) throws ImplementationException {
            Outcome o = ref.call(host, process, call);
            if (call instanceof ApiCall.Accept a && o instanceof Outcome.Accepted acc
                    && ref.call(host, process, new ApiCall.GetSockName(a.fd())) instanceof Outcome.Address own) {
                return new Outcome.Accepted(acc.fd(), own.addr());
            }
            return o;
        }

        @Override
        public List<SocketRow> observe(String host) throws ImplementationException {
            return ref.observe(host);
        }

        @Override
        public void stop() {
            ref.stop();
        }
    }

    @Test
    void generatedTracesFindThePlantedBugAndShrinkIt() throws Exception {
        Generator gen = SpecTraces.generator();
        Implementation buggy = new AcceptReportsOwnAddress();
        Generator.Generated failing = null;
        TraceResult first = null;
        int walks = 0;
        for (Generator.Generated g : gen.explore("planted", 1, 400, 12)) {
            walks++;
            TraceResult r = SpecTraces.run(g, buggy);
            if (r.verdict() == Verdict.FAIL) {
                failing = g;
                first = r;
                break;
            }
        }
        assertNotNull(failing, "no generated trace found the planted bug in " + walks + " walks");
        String event = SpecTraces.failedEvent(first);
        assertTrue(event.contains("accept"), "the failure is at an accept: " + first.message());
        Shrinker.Result shrunk = Shrinker.shrink(gen, failing,
                g -> {
                    TraceResult r = SpecTraces.run(g, buggy);
                    return r.verdict() == Verdict.FAIL && SpecTraces.failedEvent(r).contains("accept");
                }, 500);
        long events = SpecTraces.events(shrunk.trace());
        System.out.println("PlantedBugTest: found after " + walks + " walks (" + SpecTraces.events(failing) + " events), shrunk to "
                + events + " events in " + shrunk.runs() + " runs:\n" + shrunk.trace().text());
        assertTrue(events <= 10, "shrunk to " + events + " events:\n" + shrunk.trace().text());
        assertEquals(Verdict.PASS, SpecTraces.run(shrunk.trace(), new RefImplementation()).verdict(),
                "the shrunk trace passes on the reference stack without the bug");
        assertEquals(Verdict.FAIL, SpecTraces.run(shrunk.trace(), buggy).verdict());
    }
}
