package org.sockcheck.harness.validate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.sockcheck.harness.gen.Generator;
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
 * implementation that behaved as written) are validated once; with a
 * {@link VerdictCache}, a trace validated by an earlier run (the same spec,
 * the same sockcheck) is not validated again, and the spec is loaded only
 * when a trace the cache does not hold comes.
 */
public final class SpecJudge implements Judge {
    private final Duration limit;
    /**
     * The models of this judge, each with its validator: per profile, one
     * shared by the traces of ordinary size, and one of its own for each
     * larger trace (the cost of every search step grows with the model, so
     * a trace of twelve processes does not slow the judging of the others).
     * Empty until this judge meets a trace the verdict cache does not hold
     * ({@link #ready}).
     */
    private final List<Validator> models = new ArrayList<>();
    /** Whether this judge has its validators of the models loaded for the traces (see {@link Shared#models}). */
    private boolean ready;
    /**
     * At most this many models stay (each is tens of megabytes: TLC's tree
     * of the spec and the successors it remembers); the least recently used
     * larger one goes first, the ordinary ones stay. Unbounded, a hunt whose
     * walks need many model sizes ran out of memory.
     */
    private static final int MAX_MODELS = 6;
    /** Verdicts of runs judged already, the least recently used dropped past this many. */
    private static final int MAX_DECIDED = 1024;
    /** Shared with the judges made by {@link #another}: the models, and the verdicts known to all. */
    private final Shared shared;
    private boolean timers;

    /**
     * What a judge and the judges made by {@link #another} share: the models
     * planned for the traces, loaded once, by the first judge that needs
     * them; the verdicts of runs judged already (a run judged by one worker
     * is known to all); the cache of earlier runs' verdicts.
     */
    private static final class Shared {
        /** The traces the models are for (planned when they are loaded: a run the cache answers does not plan). */
        final List<Trace> traces;
        final VerdictCache cache;
        /** Told the models just before they are loaded. */
        final Consumer<List<SpecBridge.Constants>> loading;
        final Map<String, SpecVerdict> decided = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, SpecVerdict> eldest) {
                return size() > MAX_DECIDED;
            }
        });
        /** Traces the spec validated in this run, and verdicts read from the cache (each counted once). */
        final java.util.concurrent.atomic.AtomicInteger validated = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger fromCache = new java.util.concurrent.atomic.AtomicInteger();
        private List<SpecBridge> loaded;
        private IOException failed;
        private long loadingNanos;

        Shared(List<Trace> traces, VerdictCache cache, Consumer<List<SpecBridge.Constants>> loading) {
            this.traces = List.copyOf(traces);
            this.cache = cache;
            this.loading = loading;
        }

        /** The models planned for the traces, loaded at the first call (the others wait for it); a failure to load stays. */
        synchronized List<SpecBridge> models() {
            if (loaded == null && failed == null) {
                long started = System.nanoTime();
                try {
                    List<SpecBridge.Constants> plan = plan(traces);
                    loading.accept(plan);
                    List<SpecBridge> out = new ArrayList<>();
                    for (SpecBridge.Constants c : plan) {
                        out.add(bridge(c));
                    }
                    loaded = List.copyOf(out);
                } catch (IOException e) {
                    failed = e;
                } finally {
                    loadingNanos = System.nanoTime() - started;
                }
            }
            if (failed != null) {
                throw new UncheckedIOException(failed);
            }
            return loaded;
        }
    }

    private SpecJudge(Duration limit, Shared shared) {
        this.limit = limit;
        this.shared = shared;
    }

    private SpecJudge(SpecJudge of) {
        this.limit = of.limit;
        this.shared = of.shared;
        this.timers = of.timers;
        this.ready = of.ready;
        for (Validator v : of.models) {
            models.add(validator(v.spec()));
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
        return forTraces(traces, limit, VerdictCache.off(), models -> { });
    }

    /**
     * A judge for these traces that reads and keeps verdicts in a cache of
     * earlier runs' verdicts. The models the traces need are loaded at the
     * first trace the cache does not hold (never, when it holds them all);
     * with the cache off, now. Either way loading is told the models just
     * before.
     *
     * @throws IOException when the cache is off and the spec cannot be loaded (else: {@link #loadFailure})
     */
    public static SpecJudge forTraces(List<Trace> traces, Duration limit, VerdictCache cache,
                                      Consumer<List<SpecBridge.Constants>> loading) throws IOException {
        SpecJudge judge = new SpecJudge(limit, new Shared(traces, cache, loading));
        if (!cache.enabled()) {
            try {
                judge.ready();
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
        return judge;
    }

    /**
     * The models for these traces: per profile one for the traces of
     * ordinary size, and one for each larger trace no other larger one
     * covers.
     */
    private static List<SpecBridge.Constants> plan(List<Trace> traces) {
        List<SpecBridge.Constants> out = new ArrayList<>();
        Map<String, List<Trace>> ordinary = new LinkedHashMap<>();
        for (Trace t : traces) {
            if (Models.unfit(t).isPresent()) {
                continue;
            }
            SpecBridge.Constants need = Models.forTraces(List.of(t));
            if (Models.ordinary(need)) {
                ordinary.computeIfAbsent(t.profile().name(), k -> new ArrayList<>()).add(t);
            } else if (out.stream().noneMatch(c -> c.covers(need))) {
                out.add(need);
            }
        }
        for (List<Trace> group : ordinary.values()) {
            out.add(Models.forTraces(group));
        }
        return out;
    }

    /** A judge that starts from a model loaded already (and adds models as traces need). */
    public static SpecJudge on(SpecBridge spec, Duration limit) {
        Shared shared = new Shared(List.of(), VerdictCache.off(), models -> { });
        shared.loaded = List.of(spec);
        SpecJudge judge = new SpecJudge(limit, shared);
        judge.ready();
        return judge;
    }

    /** Lets the spec's timers fire between events (sockcheck validate --timers). */
    public SpecJudge withTimers() {
        timers = true;
        models.forEach(Validator::withTimers);
        shared.decided.clear();
        return this;
    }

    /** The models this judge holds (none before it needed one: a verdict cache held every trace so far). */
    public List<SpecBridge.Constants> models() {
        return models.stream().map(v -> v.spec().constants()).toList();
    }

    /** Whether the spec was loaded (for this judge or one made with it). */
    public boolean loaded() {
        synchronized (shared) {
            return shared.loaded != null;
        }
    }

    /** How long loading the spec's models took, whenever a judge made with this one loaded them (0: not loaded). */
    public Duration loading() {
        synchronized (shared) {
            return Duration.ofNanos(shared.loadingNanos);
        }
    }

    /** Why the spec could not be loaded, when a trace needed it and it could not. */
    public Optional<IOException> loadFailure() {
        synchronized (shared) {
            return Optional.ofNullable(shared.failed);
        }
    }

    /**
     * What this judge and the judges made with it did so far: how many
     * traces the spec validated, and how many verdicts were read from the
     * cache of earlier runs instead (a verdict reused within the run counts
     * once).
     */
    public String verdictsTold() {
        int cached = shared.fromCache.get();
        int live = shared.validated.get();
        return live + (live == 1 ? " trace" : " traces") + " validated by the spec, " + cached
                + (cached == 1 ? " verdict" : " verdicts") + " from the cache of earlier runs"
                + (loaded() ? "" : " (the spec not loaded)");
    }

    /** How many verdicts were read from the cache of earlier runs (each once). */
    public int fromCache() {
        return shared.fromCache.get();
    }

    /** Makes this judge's validators of the models planned for its traces, loading them if no judge did yet. */
    private void ready() {
        if (!ready) {
            for (SpecBridge spec : shared.models()) {
                models.add(validator(spec));
            }
            ready = true;
        }
    }

    private Validator validator(SpecBridge spec) {
        Validator v = new Validator(spec).withTimeLimit(limit);
        return timers ? v.withTimers() : v;
    }

    private Validator validator(SpecBridge.Constants need) throws IOException {
        return validator(bridge(need));
    }

    /** A model for this need: one this JVM has loaded already if it covers it and is not much larger, else a new one. */
    private static SpecBridge bridge(SpecBridge.Constants need) throws IOException {
        Optional<SpecBridge> loaded = SpecBridge.covering(need);
        return loaded.isPresent() && Models.size(loaded.get().constants()) <= 2 * Models.size(need)
                ? loaded.get() : SpecBridge.load(need);
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
     * The model this judge grows for a need no model of it covers: for a
     * trace of ordinary size the ordinary model of its profile; for a larger
     * one, the larger model of its profile that grows least, if grown it is
     * at most twice the need. Null: the need gets a model of its own. (A
     * larger trace given a model of exactly its own size made every walk of
     * a search that was a little larger than the one before load a model of
     * its own: 30 models in 300 walks of FormatTwoBugsTest's.)
     */
    private Validator toGrow(SpecBridge.Constants need) {
        Validator best = null;
        int least = Integer.MAX_VALUE;
        for (Validator v : models) {
            SpecBridge.Constants c = v.spec().constants();
            if (!c.profile().equals(need.profile()) || Models.ordinary(c) != Models.ordinary(need)) {
                continue;
            }
            if (Models.ordinary(need)) {
                return v;
            }
            int grown = Models.size(Models.union(c, need));
            if (grown <= 2 * Models.size(need) && grown < least) {
                best = v;
                least = grown;
            }
        }
        return best;
    }

    /**
     * The model that judges this trace: the smallest that covers it; else a
     * model of its profile grown to cover it ({@link #toGrow}), or one of its
     * own.
     */
    private Validator validatorFor(Trace t) {
        ready();
        SpecBridge.Constants need = Models.forTraces(List.of(t));
        Validator have = covering(need);
        if (have != null) {
            models.remove(have);
            models.add(have);
            return have;
        }
        try {
            Validator base = toGrow(need);
            Validator grown = validator(base == null ? need : Models.union(base.spec().constants(), need));
            if (base != null) {
                models.remove(base);
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

    /** The model that judges traces of this profile (loads the spec if it was not). */
    public SpecBridge spec(Trace t) {
        return validatorFor(t).spec();
    }

    @Override
    public Decision decide(Trace observed) {
        // A run like one judged before (every implementation that behaved alike) is not looked at again.
        SpecVerdict r = shared.decided.get(key(observed));
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
            case ACCEPTED -> new Decision.Accepted(r.witnessed(), new Judge.Covered(r.actions(), r.transitions()));
            case UNDECIDED -> new Decision.Undecided("undecided at line " + r.line() + ": " + r.allowed());
            case REJECTED -> new Decision.Rejected(r.line(), r.allowed(), r.explored(), r.bounded(), r.witnessed());
        };
    }

    /**
     * The verdict as plain data: the validation's, with what its witness
     * shows (in the run's terms, the actions it took, the TCP state changes
     * from the model's initial state on).
     */
    static SpecVerdict verdict(Trace observed, Validator.Result r, SpecBridge.State init) {
        SortedSet<String> actions = new TreeSet<>();
        List<String> moved = new ArrayList<>();
        SpecBridge.State prev = init;
        for (SpecBridge.Step st : r.witness()) {
            actions.add(st.action());
            Generator.noteTransitions(prev, st.next(), moved);
            prev = st.next();
        }
        return new SpecVerdict(r.kind(), r.line(), r.event(), r.allowed(), r.explored(), r.bounded(), r.bindings(),
                witnessed(observed, r), actions, new TreeSet<>(moved), false);
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

    /**
     * The verdict on an observed trace: one known to this run, or kept by an
     * earlier run in the verdict cache, or else the spec's validation now
     * (kept in the cache when it is one to keep: {@link SpecVerdict#lasting}).
     * Remembered by its profile and its events with their lines.
     *
     * @throws UncheckedIOException when the spec was needed and could not be loaded
     */
    public SpecVerdict result(Trace observed) {
        String key = key(observed);
        SpecVerdict known = shared.decided.get(key);
        if (known != null) {
            return known;
        }
        Optional<SpecVerdict> kept = shared.cache.read(key, timers);
        if (kept.isPresent()) {
            shared.fromCache.incrementAndGet();
            shared.decided.put(key, kept.get());
            return kept.get();
        }
        Validator v = validatorFor(observed);
        SpecVerdict r = verdict(observed, v.validate(observed), v.spec().init());
        shared.validated.incrementAndGet();
        shared.decided.put(key, r);
        shared.cache.write(key, timers, r);
        return r;
    }

    /** What a validation is remembered by: the profile and each event with its line (a rejection names a line). */
    private static String key(Trace observed) {
        StringBuilder key = new StringBuilder(observed.profile().name());
        observed.events().forEach(e -> key.append('\n').append(e.line()).append(' ').append(TraceText.line(e)));
        return key.toString();
    }
}
