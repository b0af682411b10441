package org.sockcheck.harness.validate;

import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.sockcheck.harness.gen.Coverage;
import org.sockcheck.harness.run.Judge;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.harness.run.Verdict;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.harness.trace.TraceSyntaxException;
import org.sockcheck.harness.trace.TraceText;
import org.sockcheck.spec.tlc.SpecText;

/**
 * Spec coverage of a run: for each implementation, the spec actions and TCP
 * transitions that its passing runs exercised: those of the behaviour of the
 * spec that explains each observed run (read from the validator's witness
 * when the judge made the verdict, or kept with a verdict of an earlier run:
 * the spec is not loaded for them). A run's result carries them from its
 * verdict; only a result without them has its observed run judged again.
 */
public final class SpecCoverage {
    private SpecCoverage() {
    }

    /** Coverage per implementation name; runs the judge could not take count for nothing. */
    public static Map<String, Coverage> perImplementation(List<TraceResult> results, SpecJudge judge) throws IOException {
        Set<String> all = SpecText.actions();
        Map<String, Coverage> out = new LinkedHashMap<>();
        Map<String, List<Set<String>>> byObserved = new HashMap<>();
        for (TraceResult r : results) {
            Coverage c = out.computeIfAbsent(r.implementation(),
                    k -> new Coverage(new TreeSet<>(), new TreeSet<>(), all, new TreeSet<>(Coverage.TCP_TRANSITIONS)));
            if (r.verdict() != Verdict.PASS || r.observed().isEmpty()) {
                continue;
            }
            // The run's own verdict said what it covered; asking the judge again parsed the observed run anew and
            // read its verdict from the cache (its events numbered by the observed run's lines, not the trace's, a
            // verdict of its own), one at a time after the runs.
            List<Set<String>> covered = r.covered() != null ? List.of(r.covered().actions(), r.covered().transitions())
                    : byObserved.computeIfAbsent(r.observed(), text -> covered(text, judge));
            if (covered.isEmpty()) {
                continue;
            }
            covered.get(0).stream().filter(all::contains).forEach(c.actions()::add);
            covered.get(1).stream().filter(Coverage.TCP_TRANSITIONS::contains).forEach(c.transitions()::add);
        }
        return out;
    }

    /** The actions and the transitions of the witness of an observed run; empty when it has none. */
    private static List<Set<String>> covered(String observed, SpecJudge judge) {
        Trace t;
        try {
            t = TraceText.parse("observed.trace", observed);
        } catch (TraceSyntaxException e) {
            return List.of();
        }
        if (!(judge.decide(t) instanceof Judge.Decision.Accepted)) {
            return List.of();
        }
        SpecVerdict v = judge.result(t);
        return List.of(v.actions(), v.transitions());
    }
}
