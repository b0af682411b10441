package org.sockcheck.harness.validate;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sockcheck.harness.run.Judge;
import org.sockcheck.harness.run.Witnessed;
import org.sockcheck.harness.trace.Event;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.harness.trace.TraceText;
import org.sockcheck.spec.tlc.SpecBridge;

/**
 * The spec as the judge of runs: an observed trace is validated against
 * Sockets.tla (through {@link Validator}). The spec is loaded once, with the
 * constants every trace of the run needs; runs that observed the same trace
 * (every implementation that behaved as written) are validated once.
 */
public final class SpecJudge implements Judge {
    private final Validator validator;
    private final SpecBridge spec;
    private final Map<String, Validator.Result> decided = new HashMap<>();

    private SpecJudge(SpecBridge spec, Duration limit) {
        this.spec = spec;
        this.validator = new Validator(spec).withTimeLimit(limit);
    }

    /**
     * A judge for these traces; empty when none fits the spec's model (then
     * the runner compares with the written results).
     */
    public static Optional<SpecJudge> forTraces(List<Trace> traces, Duration limit) throws IOException {
        List<Trace> fit = new ArrayList<>();
        for (Trace t : traces) {
            if (Models.unfit(t).isEmpty()) {
                fit.add(t);
            }
        }
        if (fit.isEmpty()) {
            return Optional.empty();
        }
        SpecBridge.Constants need = Models.forTraces(fit);
        Optional<SpecBridge> current = SpecBridge.current();
        if (current.isPresent() && covers(current.get().constants(), need)) {
            // One spec per JVM: one loaded already for more names serves as well.
            return Optional.of(new SpecJudge(current.get(), limit));
        }
        return Optional.of(new SpecJudge(SpecBridge.load(need), limit));
    }

    private static boolean covers(SpecBridge.Constants have, SpecBridge.Constants need) {
        return have.hosts().containsAll(need.hosts()) && have.procs().containsAll(need.procs())
                && have.ports().containsAll(need.ports()) && have.data().containsAll(need.data())
                // Models leaves one descriptor spare; the traces' own must be there.
                && have.fds().containsAll(need.fds().subList(0, need.fds().size() - 1))
                && have.profile().equals(need.profile());
    }

    /** A judge on the spec this JVM has loaded already. */
    public static SpecJudge on(SpecBridge spec, Duration limit) {
        return new SpecJudge(spec, limit);
    }

    public SpecBridge spec() {
        return spec;
    }

    @Override
    public Decision decide(Trace observed) {
        Optional<String> unfit = Models.unfit(observed);
        if (unfit.isPresent()) {
            return new Decision.Undecided(unfit.get());
        }
        Optional<String> outside = outsideModel(observed);
        if (outside.isPresent()) {
            return new Decision.Undecided(outside.get());
        }
        Validator.Result r = result(observed);
        if (r.accepted()) {
            return new Decision.Accepted(witnessed(observed, r));
        }
        if (r.gaveUp()) {
            return new Decision.Undecided("the spec's search gave up: " + r.allowed());
        }
        return new Decision.Rejected(r.line(), r.allowed(), r.explored(), r.bounded(), witnessed(observed, r));
    }

    /**
     * The witness of a validation in the run's terms: the k-th call step of
     * the spec is the observed run's k-th call; a step of the network is a
     * segment between two hosts, its ports under the trace's names ($e1);
     * timers are left out.
     */
    static List<Witnessed> witnessed(Trace observed, Validator.Result r) {
        List<Integer> calls = new ArrayList<>();
        for (int i = 0; i < observed.events().size(); i++) {
            if (observed.events().get(i) instanceof Event.Call) {
                calls.add(i);
            }
        }
        Map<Object, String> names = new HashMap<>();
        r.bindings().forEach((name, value) -> names.put(value, "$" + name));
        Map<Object, Integer> pending = new HashMap<>();
        List<Witnessed> out = new ArrayList<>();
        int k = 0;
        for (SpecBridge.Step st : r.witness()) {
            Map<String, Object> evt = st.next().evt();
            if (st.params().get("m") instanceof Map<?, ?> m && st.params().size() == 1) {
                // A step of the network, named by what it did with segment m (SpecBridge.step).
                out.add(new Witnessed.Segment(host(m.get("src")), host(m.get("dst")), segment(m, names),
                        "LoseSegment".equals(st.action())));
            } else if (Validator.isReturn(st)) {
                Integer at = pending.remove(evt.get("proc"));
                if (at != null) {
                    out.add(new Witnessed.Returned(at));
                }
            } else if (!Validator.TIMERS.contains(st.action()) && k < calls.size()) {
                int at = calls.get(k++);
                out.add(new Witnessed.Called(at));
                if ("pending".equals(evt.get("ret"))) {
                    pending.put(evt.get("proc"), at);
                }
            }
        }
        return out;
    }

    private static String host(Object endpoint) {
        return endpoint instanceof List<?> l && !l.isEmpty() ? String.valueOf(l.get(0)) : String.valueOf(endpoint);
    }

    private static String port(Object endpoint, Map<Object, String> names) {
        if (endpoint instanceof List<?> l && l.size() > 1) {
            return names.getOrDefault(l.get(1), String.valueOf(l.get(1)));
        }
        return "";
    }

    /** A segment for the diagram: its kind, the ports it goes between, and its data if any ("SYN $e1>80"). */
    private static String segment(Map<?, ?> m, Map<Object, String> names) {
        Object data = m.get("data");
        String ports = port(m.get("src"), names) + "\u2192" + port(m.get("dst"), names);
        return m.get("kind") + " " + ports + (data == null || "none".equals(data) ? "" : " \"" + data + "\"");
    }

    /** The validation of an observed trace (remembered by its profile and events, comments aside). */
    public Validator.Result result(Trace observed) {
        StringBuilder key = new StringBuilder(observed.profile().name());
        observed.events().forEach(e -> key.append('\n').append(TraceText.line(e)));
        return decided.computeIfAbsent(key.toString(), k -> validator.validate(observed));
    }

    /** Hosts, processes and ports the loaded model lacks (a trace run with a spec loaded for others). */
    private Optional<String> outsideModel(Trace t) {
        if (!covers(spec.constants(), Models.forTraces(List.of(t)))) {
            return Optional.of("the spec was loaded for other traces (" + spec.constants() + ")");
        }
        return Optional.empty();
    }
}
