package org.sockcheck.harness.validate;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.sockcheck.harness.gen.Coverage;
import org.sockcheck.harness.gen.Generator;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.harness.run.Verdict;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.spec.tlc.SpecBridge;
import org.sockcheck.spec.tlc.SpecText;

/**
 * Spec coverage of a run: for each implementation, the spec actions and TCP
 * transitions that its passing traces exercised. A trace that passed behaves
 * as written, so its coverage is that of the behaviour of the spec that
 * explains it (the validator's witness); each trace is validated once.
 */
public final class SpecCoverage {
    private SpecCoverage() {
    }

    /** Coverage per implementation name; traces the spec's model cannot take count for nothing. */
    public static Map<String, Coverage> perImplementation(List<Trace> traces, List<TraceResult> results, PrintWriter progress)
            throws IOException {
        Map<String, Trace> bySource = new LinkedHashMap<>();
        for (Trace t : traces) {
            boolean passedSomewhere = results.stream().anyMatch(r -> r.trace().equals(t.source()) && r.verdict() == Verdict.PASS);
            if (passedSomewhere && Models.unfit(t).isEmpty()) {
                bySource.put(t.source(), t);
            }
        }
        Map<String, Set<String>> actions = new HashMap<>();
        Map<String, Set<String>> transitions = new HashMap<>();
        if (!bySource.isEmpty()) {
            SpecBridge spec = SpecBridge.load(Models.forTraces(new ArrayList<>(bySource.values())));
            Validator v = new Validator(spec).withTimeLimit(java.time.Duration.ofSeconds(5));
            long last = System.nanoTime();
            int done = 0;
            for (Trace t : bySource.values()) {
                Validator.Result r = v.validate(t);
                done++;
                if (System.nanoTime() - last > 2_000_000_000L) {
                    progress.println("  spec coverage: " + done + "/" + bySource.size() + " traces validated");
                    progress.flush();
                    last = System.nanoTime();
                }
                if (!r.accepted()) {
                    continue;
                }
                Set<String> a = new TreeSet<>();
                List<String> moved = new ArrayList<>();
                SpecBridge.State prev = spec.init();
                for (SpecBridge.Step st : r.witness()) {
                    a.add(st.action());
                    Generator.noteTransitions(prev, st.next(), moved);
                    prev = st.next();
                }
                actions.put(t.source(), a);
                transitions.put(t.source(), new TreeSet<>(moved));
            }
        }
        Set<String> all = SpecText.actions();
        Map<String, Coverage> out = new LinkedHashMap<>();
        for (TraceResult r : results) {
            Coverage c = out.computeIfAbsent(r.implementation(),
                    k -> new Coverage(new TreeSet<>(), new TreeSet<>(), all, new TreeSet<>(Coverage.TCP_TRANSITIONS)));
            if (r.verdict() == Verdict.PASS && actions.containsKey(r.trace())) {
                actions.get(r.trace()).stream().filter(all::contains).forEach(c.actions()::add);
                transitions.get(r.trace()).stream().filter(Coverage.TCP_TRANSITIONS::contains).forEach(c.transitions()::add);
            }
        }
        return out;
    }
}
