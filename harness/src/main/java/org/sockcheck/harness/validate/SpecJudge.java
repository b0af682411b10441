package org.sockcheck.harness.validate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * Sockets.tla (through {@link Validator}). The judge holds models sized for
 * the traces it was made for ({@link Models}): per profile, one for the
 * traces of ordinary size and one for each larger trace; a trace that needs
 * more (a run it was not made for) gets a model that covers it, loaded
 * beside the others. So any set of traces is judged by the spec,
 * whatever other traces share the run; the judge never falls back to the
 * results written in a trace. Runs that observed the same trace (every
 * implementation that behaved as written) are validated once.
 */
public final class SpecJudge implements Judge {
    private final Duration limit;
    /**
     * The models of this judge, each with its validator: per profile, one
     * shared by the traces of ordinary size, and one of its own for each
     * larger trace (the cost of every search step grows with the model, so
     * a trace of twelve processes does not slow the judging of the others).
     */
    private final List<Validator> models = new ArrayList<>();
    /**
     * At most this many models stay (each is tens of megabytes: TLC's tree
     * of the spec and the successors it remembers); the least recently used
     * larger one goes first, the ordinary ones stay. Unbounded, a hunt whose
     * walks need many model sizes ran out of memory.
     */
    private static final int MAX_MODELS = 6;
    /** Verdicts of runs judged already, the least recently used dropped past this many. */
    private static final int MAX_DECIDED = 1024;
    /** Shared with the judges made by {@link #another}: a run judged by one worker is known to all. */
    private final Map<String, Validator.Result> decided;

    private SpecJudge(Duration limit) {
        this.limit = limit;
        this.decided = java.util.Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Validator.Result> eldest) {
                return size() > MAX_DECIDED;
            }
        });
    }

    private SpecJudge(SpecJudge of) {
        this.limit = of.limit;
        this.decided = of.decided;
        this.timers = of.timers;
        for (Validator v : of.models) {
            Validator mine = new Validator(v.spec()).withTimeLimit(limit);
            models.add(timers ? mine.withTimers() : mine);
        }
    }

    /**
     * A judge for another thread: the same models (the spec's, shared, each
     * safe for several threads), validators of its own, and the verdicts
     * known shared. A judge is for one thread at a time; check -j gives each
     * worker one.
     */
    public SpecJudge another() {
        return new SpecJudge(this);
    }

    /**
     * This judge and n-1 others ({@link #another}), one per worker. All are
     * made here, before any worker starts: a judge reorders its models as it
     * judges, and another() reads them.
     */
    public List<SpecJudge> forWorkers(int n) {
        List<SpecJudge> out = new ArrayList<>(List.of(this));
        while (out.size() < n) {
            out.add(another());
        }
        return out;
    }

    /**
     * A judge for these traces: the models they need are loaded now, so the
     * first verdict does not wait for TLC.
     *
     * @throws IOException when the spec cannot be loaded
     */
    public static SpecJudge forTraces(List<Trace> traces, Duration limit) throws IOException {
        SpecJudge judge = new SpecJudge(limit);
        Map<String, List<Trace>> ordinary = new LinkedHashMap<>();
        for (Trace t : traces) {
            if (Models.unfit(t).isPresent()) {
                continue;
            }
            SpecBridge.Constants need = Models.forTraces(List.of(t));
            if (Models.ordinary(need)) {
                ordinary.computeIfAbsent(t.profile().name(), k -> new ArrayList<>()).add(t);
            } else if (judge.covering(need) == null) {
                judge.models.add(judge.validator(need));
            }
        }
        for (List<Trace> group : ordinary.values()) {
            judge.models.add(judge.validator(Models.forTraces(group)));
        }
        return judge;
    }

    /** A judge that starts from a model loaded already (and adds models as traces need). */
    public static SpecJudge on(SpecBridge spec, Duration limit) {
        SpecJudge judge = new SpecJudge(limit);
        judge.models.add(new Validator(spec).withTimeLimit(limit));
        return judge;
    }

    private boolean timers;

    /** Lets the spec's timers fire between events (sockcheck validate --timers). */
    public SpecJudge withTimers() {
        timers = true;
        models.forEach(Validator::withTimers);
        decided.clear();
        return this;
    }

    /** The models this judge holds. */
    public List<SpecBridge.Constants> models() {
        return models.stream().map(v -> v.spec().constants()).toList();
    }

    private Validator validator(SpecBridge.Constants need) throws IOException {
        Optional<SpecBridge> loaded = SpecBridge.covering(need);
        Validator v = new Validator(loaded.isPresent() && Models.size(loaded.get().constants()) <= 2 * Models.size(need)
                ? loaded.get() : SpecBridge.load(need)).withTimeLimit(limit);
        return timers ? v.withTimers() : v;
    }

    /** The smallest model of this judge that covers the need, or null. */
    private Validator covering(SpecBridge.Constants need) {
        Validator best = null;
        for (Validator v : models) {
            if (v.spec().constants().covers(need)
                    && (best == null || Models.size(v.spec().constants()) < Models.size(best.spec().constants()))) {
                best = v;
            }
        }
        return best;
    }

    /**
     * The model that judges this trace: the smallest that covers it; else an
     * ordinary model of its profile grown to cover it, or one of its own.
     */
    private Validator validatorFor(Trace t) {
        SpecBridge.Constants need = Models.forTraces(List.of(t));
        Validator have = covering(need);
        if (have != null) {
            models.remove(have);
            models.add(have);
            return have;
        }
        try {
            Validator ordinary = Models.ordinary(need) ? models.stream()
                    .filter(v -> v.spec().constants().profile().equals(need.profile()) && Models.ordinary(v.spec().constants()))
                    .findFirst().orElse(null) : null;
            Validator grown = validator(ordinary == null ? need : Models.union(ordinary.spec().constants(), need));
            if (ordinary != null) {
                models.remove(ordinary);
            }
            models.add(grown);
            for (int k = 0; models.size() > MAX_MODELS && k < models.size(); ) {
                if (Models.ordinary(models.get(k).spec().constants()) || models.get(k) == grown) {
                    k++;
                } else {
                    models.remove(k);
                }
            }
            return grown;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The model that judges traces of this profile (for coverage and diagrams). */
    public SpecBridge spec(Trace t) {
        return validatorFor(t).spec();
    }

    @Override
    public Decision decide(Trace observed) {
        // A run like one judged before (every implementation that behaved alike) is not looked at again.
        Validator.Result r = decided.get(key(observed));
        if (r == null) {
            Optional<String> unfit = Models.unfit(observed);
            if (unfit.isPresent()) {
                return new Decision.Undecided(unfit.get());
            }
        }
        try {
            r = r != null ? r : result(observed);
        } catch (UncheckedIOException e) {
            return new Decision.Undecided("the spec could not be loaded: " + e.getCause().getMessage());
        }
        return switch (r.kind()) {
            case ACCEPTED -> new Decision.Accepted(witnessed(observed, r));
            case UNDECIDED -> new Decision.Undecided("undecided at line " + r.line() + ": " + r.allowed());
            case REJECTED -> new Decision.Rejected(r.line(), r.allowed(), r.explored(), r.bounded(), witnessed(observed, r));
        };
    }

    /**
     * The witness of a validation in the run's terms: the k-th call step of
     * the spec is the observed run's k-th call; a step of the network is a
     * segment between two hosts, its ports under the trace's names ($e1);
     * timers are left out.
     */
    static List<Witnessed> witnessed(Trace observed, Validator.Result r) {
        List<Integer> calls = new ArrayList<>();
        List<Event> events = observed.events();
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i) instanceof Event.Call) {
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

    /**
     * Why a trace as written is not one to run (file:line, what is wrong and
     * a hint): its results are not a behaviour of the spec, or it is no trace
     * at all (a fork to a name a running process has); empty when it is
     * fine. A run of such a trace would be judged against a claim the spec
     * does not make, so check refuses it before anything runs.
     */
    public Optional<String> contradiction(Trace t) {
        Optional<Models.NotATrace> impossible = Models.impossible(t);
        if (impossible.isPresent()) {
            return Optional.of(t.source() + ":" + impossible.get().line + ": " + impossible.get().why
                    + "\n  hint: fork makes a new process; give it a name no running process has");
        }
        if (decide(t) instanceof Decision.Rejected r) {
            Event e = t.events().stream().filter(x -> x.line() == r.line()).findFirst().orElseThrow();
            return Optional.of(t.source() + ":" + r.line() + ": the result written is not one the spec allows: "
                    + TraceText.line(e) + "\n  the spec allows: " + r.allowed()
                    + "\n  hint: write what the spec allows there (sockcheck validate shows it), or leave the"
                    + " trace out");
        }
        return Optional.empty();
    }

    /** The validation of an observed trace (remembered by its profile and its events with their lines). */
    public Validator.Result result(Trace observed) {
        String key = key(observed);
        Validator.Result known = decided.get(key);
        if (known != null) {
            return known;
        }
        Validator.Result r = validatorFor(observed).validate(observed);
        decided.put(key, r);
        return r;
    }

    /** What a validation is remembered by: the profile and each event with its line (a rejection names a line). */
    private static String key(Trace observed) {
        StringBuilder key = new StringBuilder(observed.profile().name());
        observed.events().forEach(e -> key.append('\n').append(e.line()).append(' ').append(TraceText.line(e)));
        return key.toString();
    }
}
