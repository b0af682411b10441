package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.gen.Coverage;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.impl.RefImplementation;
import org.sockcheck.harness.run.ExpectedResults;
import org.sockcheck.harness.run.Runner;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.harness.validate.SpecCoverage;
import org.sockcheck.harness.validate.SpecJudge;

/**
 * The spec coverage check prints is taken from each run's own verdict (the
 * actions and TCP transitions of the behaviour that explains it), and is the
 * coverage the judge gives when asked again about each observed run.
 */
class SpecCoverageTest {
    @Test
    void eachRunCarriesTheCoverageOfItsVerdict() throws Exception {
        List<Trace> traces = Corpus.traces().stream()
                .filter(t -> t.source().contains("/connect/") || t.source().contains("/unix/")).toList();
        SpecJudge judge = SpecJudge.forTraces(traces, Duration.ofSeconds(10));
        Runner runner = new Runner(new ExpectedResults(), Duration.ofSeconds(5), judge);
        List<TraceResult> carried = new ArrayList<>();
        List<TraceResult> bare = new ArrayList<>();
        try (Implementation ref = new RefImplementation()) {
            for (Trace t : traces) {
                TraceResult r = runner.run(t, Corpus.SCENARIOS, ref);
                assertNotNull(r.covered(), r.trace() + ": a run the spec accepted says what it covered");
                carried.add(r);
                bare.add(new TraceResult(r.trace(), r.feature(), r.title(), r.implementation(), r.verdict(), r.message(), r.line(),
                        r.steps(), r.millis(), r.tables(), r.observed(), r.drawing(), r.judgedBy(), r.startedAt()));
            }
        }
        Coverage fromRuns = SpecCoverage.perImplementation(carried, judge).get("ref");
        Coverage askedAgain = SpecCoverage.perImplementation(bare, judge).get("ref");
        assertFalse(fromRuns.actions().isEmpty());
        assertFalse(fromRuns.transitions().isEmpty(), "the connect scenarios change TCP states");
        assertEquals(askedAgain.actions(), fromRuns.actions());
        assertEquals(askedAgain.transitions(), fromRuns.transitions());
        System.out.println("SpecCoverageTest: " + traces.size() + " runs, " + fromRuns.actions().size() + " actions, "
                + fromRuns.transitions().size() + " transitions");
    }
}
