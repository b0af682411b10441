package org.sockcheck.harness.validate;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.sockcheck.harness.gen.Render;
import org.sockcheck.harness.trace.Arg;
import org.sockcheck.harness.trace.Event;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.spec.Calls;
import org.sockcheck.spec.tlc.SpecBridge;
import org.sockcheck.spec.tlc.SpecText;

/**
 * Trace validation: is a trace a behaviour of the spec? A trace is accepted
 * when some behaviour of Sockets.tla takes its calls with the results written
 * and shows its observations, with any number of hidden steps in between
 * (segments arriving, timers firing, blocked calls returning), found by a
 * bounded breadth-first search. Where the spec allows several outcomes, any
 * one of them passes: the search keeps every state that explains the trace
 * so far.
 *
 * <p>A rejection names the first event no behaviour explains, what the spec
 * allowed there, and how far the search went.
 *
 * <p>The trace is read in the spec's terms: hosts and processes by name, port
 * labels as the spec's Ports, variables ($e1) for the spec's ephemeral ports,
 * data strings as the spec's Data (one character a byte), recv sizes as its
 * RecvSizes.
 */
public final class Validator {
    /**
     * Hidden steps: what the stacks and the network do on their own. The
     * timers (TIME-WAIT and FIN-WAIT-2 60 s, the handshake 63 s and more)
     * are hidden steps only when asked for: a trace that lasts less than the
     * shortest of them, as every trace sockcheck runs does, never sees one
     * fire, and letting them fire anywhere multiplies the search.
     */
    private static final Set<String> WITHOUT_TIMERS = SpecText.kinds().settling();
    /** The steps of a blocked call returning (Returns in Sockets.tla). */
    private static final Set<String> RETURNS = SpecText.kinds().returns();
    /** The spec's timers (what Timers in Sockets.tla takes). */
    static final Set<String> TIMERS = SpecText.kinds().timers();
    private static final Set<String> WITH_TIMERS = java.util.stream.Stream.concat(WITHOUT_TIMERS.stream(), TIMERS.stream())
            .collect(java.util.stream.Collectors.toUnmodifiableSet());
    private Set<String> hidden = WITHOUT_TIMERS;
    /** What a blocked call "returns" in the search: it waits when nothing is left to happen. */
    private static final Object BLOCKS = new Object() {
        @Override
        public String toString() {
            return "blocks";
        }
    };

    /** The model this validator searches. */
    public SpecBridge spec() {
        return spec;
    }

    /** Lets timers fire between events, as the spec allows at any time. */
    public Validator withTimers() {
        hidden = WITH_TIMERS;
        return this;
    }
    private final SpecBridge spec;
    private final Set<Integer> fds;
    private final int spareFd;
    private final int maxHidden;
    private final int maxStates;

    /** What a validation found. */
    public enum Kind {
        /** A behaviour of the spec explains the trace. */
        ACCEPTED,
        /** No behaviour explains the event at the result's line. */
        REJECTED,
        /** The search ran out of time before it decided (neither accepted nor rejected). */
        UNDECIDED
    }

    /**
     * The outcome of a validation. witness: the steps of a behaviour that
     * explains the trace (when rejected: the part before the line no
     * behaviour explains); bindings: the trace variables as that behaviour
     * bound them ($e1 to a spec port).
     */
    public record Result(Kind kind, int line, String event, String allowed, int explored, boolean bounded,
                         List<SpecBridge.Step> witness, Map<String, Object> bindings) {
        Result(Kind kind, int line, String event, String allowed, int explored, boolean bounded) {
            this(kind, line, event, allowed, explored, bounded, List.of(), Map.of());
        }

        public boolean accepted() {
            return kind == Kind.ACCEPTED;
        }

        /** Whether the search gave up (time limit) before it decided. */
        public boolean gaveUp() {
            return kind == Kind.UNDECIDED;
        }

        public String describe(String source) {
            return Validator.describe(kind, line, event, allowed, explored, bounded, source);
        }
    }

    /** A verdict in words (a {@link Result}'s, or a {@link SpecVerdict}'s). */
    static String describe(Kind kind, int line, String event, String allowed, int explored, boolean bounded,
                           String source) {
        return switch (kind) {
            case ACCEPTED -> source + ": a behaviour of the spec (" + explored + " states explored)";
            case UNDECIDED -> source + ":" + line + ": undecided at " + event + ": " + allowed;
            case REJECTED -> source + ":" + line + ": no behaviour of the spec explains " + event + "\n  the spec allows: "
                    + allowed + "\n  searched " + explored + " states" + (bounded ? " (the search reached its bound)" : "");
        };
    }

    /**
     * A state of the search: a spec state and the trace variables bound so
     * far; and how the search got there (the node before and the steps taken
     * from it), so an accepted trace has a witness behaviour. Two nodes are
     * the same when state and variables are.
     */
    private static final class Node {
        final SpecBridge.State state;
        final Map<String, Object> vars;
        final Node parent;
        final List<SpecBridge.Step> via;

        Node(SpecBridge.State state, Map<String, Object> vars, Node parent, List<SpecBridge.Step> via) {
            this.state = state;
            this.vars = vars;
            this.parent = parent;
            this.via = via;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Node n && n.state.equals(state) && n.vars.equals(vars);
        }

        @Override
        public int hashCode() {
            return state.hashCode() * 31 + vars.hashCode();
        }
    }

    public Validator(SpecBridge spec) {
        this(spec, 24, 5_000);
    }

    /**
     * @param maxHidden the most hidden steps between two events
     * @param maxStates the most states one search for hidden steps may visit
     */
    public Validator(SpecBridge spec, int maxHidden, int maxStates) {
        this.spec = spec;
        this.fds = Set.copyOf(spec.constants().fds());
        this.spareFd = spec.constants().fds().get(spec.constants().fds().size() - 1);
        this.maxHidden = maxHidden;
        this.maxStates = maxStates;
    }

    /** Gives up when the search for one event takes longer than this; 0: no limit. */
    private long maxNanos;
    private long deadline;
    private final Map<Long, List<Returned>> returnsCache = new HashMap<>();

    /**
     * A validator that gives up on a trace when the search for one of its
     * events takes longer than the given time (the result then says so).
     * The limit is per event so that a long trace, whose search takes time
     * in proportion to its length, is judged as surely as a short one.
     */
    public Validator withTimeLimit(java.time.Duration limit) {
        this.maxNanos = limit.toNanos();
        return this;
    }

    private boolean late() {
        return maxNanos > 0 && System.nanoTime() > deadline;
    }

    /**
     * Validates in two rounds. The first follows the way a stack on one
     * machine goes: before each event every hidden step is taken (the first
     * the spec offers each time) until none is left, and only the states so
     * settled are kept; where that explains no event, the states along the
     * way and then every interleaving are tried for that event. Most traces
     * are explained so, in one state per event. Because the first round
     * forgets the states it did not keep, a trace it cannot explain is
     * searched again by the second round, which keeps every state that
     * explains the trace so far. That round still settles each event the
     * first way when that way explains it, so a choice of the spec made in
     * hidden steps before an event (which of two SO_REUSEPORT listeners takes
     * a connection) is fixed there; a trace it rejects is searched a third
     * time with every interleaving at every event, and that answer is the
     * verdict.
     */
    public Result validate(Trace trace) {
        // Messages show each event as the trace writes it, not under the names the spec's model gives.
        written.clear();
        trace.events().forEach(e -> written.put(e.line(), e));
        trace = Models.forSpec(trace);
        Result eager = validate(trace, true);
        if (eager.accepted() || eager.gaveUp()) {
            return eager;
        }
        Result full = validate(trace, false, true);
        if (full.kind() == Kind.REJECTED && !full.gaveUp()) {
            Result every = validate(trace, false, false);
            if (every.accepted() || every.gaveUp()) {
                full = every;
            }
        }
        return new Result(full.kind(), full.line(), full.event(), full.allowed(), eager.explored() + full.explored(),
                full.bounded(), full.witness(), full.bindings());
    }

    private Result validate(Trace trace, boolean eager) {
        return validate(trace, eager, true);
    }

    /** One round: eager settles each event the first way only; quick tries that way before every interleaving. */
    private Result validate(Trace trace, boolean eager, boolean quickFirst) {
        returnsCache.clear();
        Set<Node> frontier = new LinkedHashSet<>(List.of(new Node(spec.init(), Map.of(), null, List.of())));
        int explored = 0;
        boolean bounded = false;
        for (Event e : trace.events()) {
            long started = System.nanoTime();
            int exploredBefore = explored;
            deadline = started + maxNanos;
            if (e instanceof Event.Call call && unmodelled(call) != null) {
                return new Result(Kind.UNDECIDED, e.line(), text(call), unmodelled(call), explored, bounded);
            }
            Step want = switch (e) {
                case Event.Call call -> step(call);
                case Event.Return r -> step(r.call());
                case Event.Observe o -> null;
            };
            if (!(e instanceof Event.Observe) && want == null) {
                // Models sizes the model from the traces, so this is a model that was made for other traces.
                return new Result(Kind.UNDECIDED, e.line(), text(e), "the call is outside the model the spec was"
                        + " loaded with " + spec.constants(), explored, bounded);
            }
            // First the way a loopback network goes: each hidden step the first the spec offers, to
            // quiescence. Only when that does not explain the event, every interleaving (bounded).
            Set<String> allowed = new TreeSet<>();
            Set<Node> next = Set.of();
            if (eager) {
                List<Node> ends = settled(frontier, true);
                explored += ends.size();
                next = match(e, want, ends, allowed, true);
            }
            if (next.isEmpty() && quickFirst) {
                List<Node> quick = settled(frontier, false);
                explored += quick.size();
                next = match(e, want, quick, allowed, true);
            }
            if (next.isEmpty()) {
                Closure c = closure(frontier);
                explored += c.nodes.size();
                bounded |= c.bounded;
                next = match(e, want, c.nodes, allowed, false);
            }
            if (late()) {
                return new Result(Kind.UNDECIDED, e.line(), text(e), String.format(java.util.Locale.ROOT,
                        "searched %d states in %.1f s for this event, the search's time limit", explored - exploredBefore,
                        (System.nanoTime() - started) / 1e9), explored, true);
            }
            if (next.isEmpty() && !allowed.isEmpty() && allowed.stream().allMatch(Validator::outside)) {
                // The spec says why it cannot follow the call: its words after OutsideModel.
                return new Result(Kind.UNDECIDED, e.line(), text(e), "the spec cannot follow this call: " + allowed.stream()
                        .map(a -> a.substring(OUTSIDE_MODEL.length()).replaceFirst("^: ", "")).collect(java.util.stream.Collectors.joining("; ")),
                        explored, bounded);
            }
            if (next.isEmpty()) {
                Node before = frontier.iterator().next();
                return new Result(Kind.REJECTED, e.line(), text(e), allowed.isEmpty() ? "no such step" : String.join(" | ", allowed),
                        explored, bounded, witness(before), before.vars);
            }
            frontier = next;
        }
        // Threads that still wait when the trace ends must be allowed to: nothing left to happen returns their call.
        Node last = null;
        Set<String> returnsThen = new TreeSet<>();
        Closure waitingOn = stillWaiting(frontier, returnsThen);
        for (Node n : waitingOn.nodes()) {
            last = n;
            break;
        }
        if (last == null && late()) {
            // The search for what is left to happen ran out of time: no verdict (and none to keep).
            Event.Call waits = lastWaiting(trace, frontier.iterator().next().state);
            return new Result(Kind.UNDECIDED, waits.line(), text(waits), "searched " + explored
                    + " states, and what happens after the last event was not searched to its end within the"
                    + " search's time limit", explored, true);
        }
        bounded |= waitingOn.bounded();
        if (last == null) {
            Event.Call waits = lastWaiting(trace, frontier.iterator().next().state);
            Node before = frontier.iterator().next();
            return new Result(Kind.REJECTED, waits.line(), text(waits), "the call returns before the trace ends: "
                    + String.join(" | ", returnsThen), explored, bounded, witness(before), before.vars);
        }
        return new Result(Kind.ACCEPTED, 0, "", "", explored, bounded, witness(last), last.vars);
    }

    /**
     * The nodes in which every thread that waits in a call may still wait:
     * once nothing is left to happen, no call of theirs returns. Nodes where
     * no thread waits are kept as they are. What a call returns instead goes
     * to returnsThen. The closure's bound says whether its search stopped at
     * a bound.
     */
    private Closure stillWaiting(Set<Node> frontier, Set<String> returnsThen) {
        List<Node> out = new ArrayList<>();
        for (Node n : frontier) {
            if (waiting(n.state).isEmpty()) {
                out.add(n);
            }
        }
        if (!out.isEmpty()) {
            return new Closure(out, false);
        }
        Closure all = closure(frontier);
        for (Node n : all.nodes) {
            if (!hiddenSteps(n.state, null).isEmpty()) {
                continue; // something is still to happen
            }
            List<SpecBridge.Step> returning = spec.successors(n.state, RETURNS);
            if (returning.isEmpty()) {
                out.add(n);
            }
            returning.forEach(st -> returnsThen.add(st.action() + " " + Render.shown(st.next().evt().get("ret"))));
        }
        return new Closure(out, all.bounded);
    }

    /** The callers that wait in a call in state s. */
    @SuppressWarnings("unchecked")
    private static List<Object> waiting(SpecBridge.State s) {
        List<Object> out = new ArrayList<>();
        ((Map<Object, Map<String, Object>>) s.get("pending")).forEach((c, call) -> {
            if (!"none".equals(call.get("op"))) {
                out.add(c);
            }
        });
        return out;
    }

    /** The last call of the trace that blocks and has no return after it. */
    private static Event.Call lastWaiting(Trace trace, SpecBridge.State s) {
        Event.Call found = null;
        for (Event e : trace.events()) {
            if (e instanceof Event.Call c && c.expect() instanceof Event.Expect.Blocks) {
                found = c;
            } else if (e instanceof Event.Return r && r.call().equals(found)) {
                found = null;
            }
        }
        return found != null ? found : (Event.Call) trace.events().stream().filter(e -> e instanceof Event.Call)
                .reduce((a, b) -> b).orElseThrow();
    }

    /** The steps of the behaviour that explains the trace, first to last. */
    private static List<SpecBridge.Step> witness(Node last) {
        ArrayDeque<SpecBridge.Step> steps = new ArrayDeque<>();
        for (Node n = last; n != null; n = n.parent) {
            for (int i = n.via.size() - 1; i >= 0; i--) {
                steps.addFirst(n.via.get(i));
            }
        }
        return List.copyOf(steps);
    }

    /**
     * The nodes that explain event e (want: the call in the spec's terms),
     * from these nodes; what the spec allowed there goes to allowed.
     */
    /** The result the spec gives a call it cannot follow (OutsideModel in Network.tla). */
    public static final String OUTSIDE_MODEL = "outside the model";


    /** Whether a result is the spec's word for a call it cannot follow (OutsideModel, and its reasons, in Network.tla). */
    public static boolean outside(Object ret) {
        return ret instanceof String s && s.startsWith(OUTSIDE_MODEL);
    }

    private Set<Node> match(Event e, Step want, List<Node> nodes, Set<String> allowed, boolean quick) {
        Set<Node> next = new LinkedHashSet<>();
        switch (e) {
            case Event.Call call -> {
                for (Node n : nodes) {
                    Map<String, Object> params = resolve(want.params, n.vars);
                    if (params == null) {
                        continue;
                    }
                    for (SpecBridge.Step st : lowestFreshPort(n, spec.successors(n.state, want.action, params))) {
                        Object ret = st.next().evt().get("ret");
                        if ("pending".equals(ret)) {
                            for (Returned r : quick ? returnsSettled(st, params.get("p")) : returns(st, params.get("p"))) {
                                allowed.add(r.ret == BLOCKS ? "blocks" : Render.shown(r.ret));
                                Map<String, Object> b = r.ret == BLOCKS
                                        ? call.expect() instanceof Event.Expect.Blocks ? n.vars : null
                                        : Match.result(call, r.ret, n.vars);
                                if (b != null) {
                                    next.add(new Node(r.state, b, n, r.path));
                                }
                            }
                        } else {
                            allowed.add(Render.shown(ret));
                            Map<String, Object> b = Match.result(call, ret, n.vars);
                            if (b != null) {
                                next.add(new Node(st.next(), b, n, List.of(st)));
                            }
                        }
                    }
                }
            }
            case Event.Return r -> {
                // The return of the call this thread waits in: a step of Returns (Sockets.tla) for its caller.
                Event.Call answered = r.call().withExpect(r.expect());
                for (Node n : nodes) {
                    for (SpecBridge.Step st : spec.successors(n.state, RETURNS)) {
                        if (!returnOf(st, want.params.get("p"))) {
                            continue;
                        }
                        Object ret = st.next().evt().get("ret");
                        allowed.add(Render.shown(ret));
                        Map<String, Object> b = Match.result(answered, ret, n.vars);
                        if (b != null) {
                            next.add(new Node(st.next(), b, n, List.of(st)));
                        }
                    }
                    if (!waiting(n.state).contains(want.params.get("p"))) {
                        allowed.add("(no call of " + r.host() + "." + r.process() + " waits)");
                    }
                }
            }
            case Event.Observe obs -> {
                for (Node n : nodes) {
                    allowed.add(Match.renderRows(spec, obs.host(), n.state));
                    for (Map<String, Object> b : Match.rows(spec, obs, n.state, n.vars)) {
                        next.add(new Node(n.state, b, n, List.of()));
                    }
                }
            }
        }
        return next;
    }

    /**
     * The steps from n that follow a behaviour up to the choice of fresh
     * ephemeral ports. The spec gives an unbound socket any free ephemeral
     * port (FreeEphemeral in Network.tla), and compares ports only for
     * equality: ports that neither n's state nor its variables name are
     * interchangeable, so of the steps that take such ports only those that
     * take the lowest are followed. Without this, each autobind multiplies
     * the search by the ports free (a covering trace explored 535,772 states
     * in 105 s, against 1,000 or so).
     */
    private List<SpecBridge.Step> lowestFreshPort(Node n, List<SpecBridge.Step> steps) {
        if (steps.size() < 2) {
            return steps;
        }
        Set<Integer> named = new java.util.HashSet<>(spec.ephemeralNamed(n.state));
        for (Object v : n.vars.values()) {
            if (v instanceof Integer i) {
                named.add(i);
            }
        }
        List<Integer> fresh = spec.constants().ephemeralPorts().stream().filter(e -> !named.contains(e)).sorted().toList();
        if (fresh.size() < 2) {
            return steps;
        }
        List<SpecBridge.Step> out = new ArrayList<>(steps.size());
        for (SpecBridge.Step st : steps) {
            List<Integer> taken = fresh.stream().filter(spec.ephemeralNamed(st.next())::contains).toList();
            if (taken.equals(fresh.subList(0, taken.size()))) {
                out.add(st);
            }
        }
        return out;
    }

    /**
     * Each node and the nodes after it when the first hidden step is taken
     * each time, to quiescence; endsOnly: only the last node of each path.
     */
    private List<Node> settled(Set<Node> start, boolean endsOnly) {
        Set<Node> out = new LinkedHashSet<>();
        for (Node n : start) {
            Node at = n;
            if (!endsOnly && !out.add(at)) {
                continue;
            }
            for (int k = 0; k < 200; k++) {
                List<SpecBridge.Step> next = hiddenSteps(at.state, null);
                if (next.isEmpty()) {
                    break;
                }
                at = new Node(next.get(0).next(), at.vars, at, List.of(next.get(0)));
                if (!endsOnly && !out.add(at)) {
                    break; // the rest of this path is there already, from a node before
                }
            }
            if (endsOnly) {
                out.add(at);
            }
        }
        return new ArrayList<>(out);
    }

    /**
     * The result a blocked call returns with when the first hidden step is
     * taken each time; BLOCKS when nothing is left to happen and it waits.
     */
    private List<Returned> returnsSettled(SpecBridge.Step call, Object p) {
        List<SpecBridge.Step> path = new ArrayList<>(List.of(call));
        SpecBridge.State s = call.next();
        for (int k = 0; k < 200; k++) {
            List<SpecBridge.Step> next = hiddenSteps(s, p);
            if (next.isEmpty()) {
                return List.of(new Returned(s, BLOCKS, path));
            }
            SpecBridge.Step st = next.stream().filter(x -> returnOf(x, p)).findFirst().orElse(next.get(0));
            path.add(st);
            if (returnOf(st, p)) {
                return List.of(new Returned(st.next(), st.next().evt().get("ret"), path));
            }
            s = st.next();
        }
        return List.of();
    }

    /**
     * The hidden steps from s: what the stacks and the network do on their
     * own, but no blocked call returning except the one of caller p (null:
     * none). A thread that waits in a call returns where its trace says
     * (a return line, or at once for a call written with its result), never
     * in between.
     */
    private List<SpecBridge.Step> hiddenSteps(SpecBridge.State s, Object p) {
        List<SpecBridge.Step> all = spec.successors(s, hidden);
        if (all.stream().noneMatch(Validator::isReturn)) {
            return all;
        }
        return all.stream().filter(st -> !isReturn(st) || p != null && returnOf(st, p)).toList();
    }

    /** Whether the step is the return of caller p's blocked call. */
    private static boolean returnOf(SpecBridge.Step st, Object p) {
        return isReturn(st) && Objects.equals(st.next().evt().get("proc"), p);
    }

    /** Whether the step is a blocked call returning (what Returns in Sockets.tla takes). */
    static boolean isReturn(SpecBridge.Step st) {
        return SpecText.kinds().returns().contains(st.action());
    }

    private record Closure(List<Node> nodes, boolean bounded) {
    }

    /** Every node reachable by hidden steps, within the bounds. */
    private Closure closure(Set<Node> start) {
        Map<Long, List<Node>> seen = new HashMap<>();
        List<Node> out = new ArrayList<>();
        ArrayDeque<Node> queue = new ArrayDeque<>();
        ArrayDeque<Integer> depth = new ArrayDeque<>();
        for (Node n : start) {
            if (add(seen, n)) {
                out.add(n);
                queue.add(n);
                depth.add(0);
            }
        }
        boolean bounded = false;
        while (!queue.isEmpty()) {
            Node n = queue.poll();
            int d = depth.poll();
            if (d >= maxHidden || out.size() >= maxStates || late()) {
                bounded |= !hiddenSteps(n.state, null).isEmpty();
                continue;
            }
            for (SpecBridge.Step st : hiddenSteps(n.state, null)) {
                Node m = new Node(st.next(), n.vars, n, List.of(st));
                if (add(seen, m)) {
                    out.add(m);
                    queue.add(m);
                    depth.add(d + 1);
                }
            }
        }
        return new Closure(out, bounded);
    }

    private static boolean add(Map<Long, List<Node>> seen, Node n) {
        List<Node> same = seen.computeIfAbsent(n.state.fingerprint(), k -> new ArrayList<>());
        for (Node o : same) {
            if (o.vars.equals(n.vars)) {
                return false;
            }
        }
        same.add(n);
        return true;
    }

    private record Returned(SpecBridge.State state, Object ret, List<SpecBridge.Step> path) {
    }

    /**
     * The results a blocked call can return with after hidden steps, each
     * with the steps that led there; BLOCKS for each state where nothing is
     * left to happen and the call still waits.
     */
    private List<Returned> returns(SpecBridge.Step call, Object p) {
        long key = call.next().fingerprint() * 31 + Objects.hashCode(p);
        List<Returned> cached = returnsCache.get(key);
        if (cached != null) {
            return cached;
        }
        List<Returned> out = new ArrayList<>();
        returnsCache.put(key, out);
        Map<Long, List<SpecBridge.Step>> paths = new HashMap<>();
        ArrayDeque<SpecBridge.State> queue = new ArrayDeque<>(List.of(call.next()));
        paths.put(call.next().fingerprint(), List.of(call));
        while (!queue.isEmpty() && paths.size() < maxStates / 10 && !late()) {
            SpecBridge.State s = queue.poll();
            List<SpecBridge.Step> path = paths.get(s.fingerprint());
            List<SpecBridge.Step> after = hiddenSteps(s, p);
            if (after.isEmpty()) {
                out.add(new Returned(s, BLOCKS, path));
            }
            for (SpecBridge.Step st : after) {
                List<SpecBridge.Step> longer = new ArrayList<>(path);
                longer.add(st);
                if (returnOf(st, p)) {
                    out.add(new Returned(st.next(), st.next().evt().get("ret"), longer));
                } else if (!paths.containsKey(st.next().fingerprint())) {
                    paths.put(st.next().fingerprint(), longer);
                    queue.add(st.next());
                }
            }
        }
        return out;
    }

    /** A call in the spec's terms: the action and the parameters written in the trace (variables unresolved). */
    private record Step(String action, Map<String, Object> params) {
    }

    /**
     * The call in the spec's terms, read from the call vocabulary
     * ({@link Calls}): its action, the parameters the word fixes, and each
     * argument the spec models as its parameter. Null when the model lacks
     * a name the call uses.
     */
    private Step step(Event.Call c) {
        Calls.Call call = Calls.ALL.get(c.op());
        if (call == null || !spec.constants().hosts().contains(c.host()) || !spec.constants().procs().contains(c.process())) {
            return null;
        }
        Map<String, Object> p = new LinkedHashMap<>();
        String thread = c.thread().equals(Event.MAIN) ? SpecBridge.Constants.MAIN_THREAD : c.thread();
        if (!spec.constants().threads().contains(thread)) {
            return null;
        }
        p.put("p", List.of(c.host(), c.process(), thread));
        p.putAll(call.fixed());
        for (int i = 0; i < c.args().size(); i++) {
            Calls.Param param = call.params().get(i);
            if (param.spec() == null) {
                continue;
            }
            Arg a = c.args().get(i);
            switch (param.kind()) {
                case FD -> p.put(param.spec(), a);
                case ADDR -> {
                    if (!address(p, (Arg.Addr) a)) {
                        return null;
                    }
                }
                case DATA -> {
                    // Any data: the spec evaluates a send with the trace's own (SpecBridge's direct parameters).
                    p.put(param.spec(), SpecBridge.data(((Arg.Data) a).bytes()));
                }
                // An option's value: on or off, or SO_LINGER's pair.
                case OPTVALUE -> p.put(param.spec(), a instanceof Arg.Linger l ? Calls.lingerValue(l.onoff(), l.seconds())
                        : Calls.optionValue(((Arg.Name) c.args().get(1)).name(), ((Arg.Int) a).value()));
                case BACKLOG -> p.put(param.spec(), (int) ((Arg.Int) a).value());
                case SIZE -> {
                    // A C int, as the trace readers guarantee; 0 and below are outside the model (RecvSizes
                    // holds sizes from 1); any other size is evaluated as the trace gives it (SpecBridge).
                    long n = ((Arg.Int) a).value();
                    if (n < 1) {
                        return null;
                    }
                    p.put(param.spec(), (int) n);
                }
                case PROTOCOL -> {
                    int n = (int) ((Arg.Int) a).value();
                    if (!spec.constants().protocols().contains(n)) {
                        return null;
                    }
                    p.put(param.spec(), n);
                }
                // A word, or flags joined by '|' (STREAM|NONBLOCK, MSG_PEEK|MSG_DONTWAIT): the vocabulary's values.
                case DOMAIN, TYPE, HOW, GETOPT, FLAGS, MSGFLAGS, OPTION, ACCEPTFLAGS, CONTROL -> p.putAll(param.specValues(((Arg.Name) a).name()));
                case PROCESS -> {
                    String child = ((Arg.Name) a).name();
                    if (!spec.constants().procs().contains(child)) {
                        return null;
                    }
                    p.put(param.spec(), List.of(c.host(), child));
                }
                case FCNTL, SENDFLAGS -> { }
                // The request, its descriptors resolved with the others (see resolve).
                case POLLFDS -> p.put(param.spec(), a);
                // sendmsg's descriptors, resolved with the others (see resolve).
                case RIGHTS -> p.put(param.spec(), a);
                case TIMEOUT -> p.put(param.spec(), (int) ((Arg.Int) a).value());
            }
        }
        // An argument left out has its own value (socket's protocol: 0).
        for (int i = c.args().size(); i < call.params().size(); i++) {
            Calls.Param param = call.params().get(i);
            if (param.kind() == Calls.Arg.PROTOCOL) {
                p.put(param.spec(), Integer.valueOf(param.written()));
            }
            if (param.kind() == Calls.Arg.MSGFLAGS || param.kind() == Calls.Arg.CONTROL) {
                p.putAll(param.specValues(param.written()));
            }
        }
        return new Step(call.action(), p);
    }

    /**
     * Why the spec cannot judge this call whatever its model: a socket()
     * that asks for a socket the spec does not have (Unmodelled in
     * Sockets.tla: MPTCP, UDP-Lite, ICMP echo, raw sockets of ICMP, TCP,
     * UDP or IPPROTO_RAW; Unmodelled6 for INET6: ICMPv6 and IPv6's
     * extension headers besides); null when it can.
     */
    private String unmodelled(Event.Call c) {
        if (!c.op().equals("socket") || c.args().size() < 3 || !(c.args().get(0) instanceof Arg.Name domain)
                || !(domain.name().equals("INET") || domain.name().equals("INET6"))
                || !(c.args().get(1) instanceof Arg.Name type)
                || !(c.args().get(2) instanceof Arg.Int protocol)
                || !spec.unmodelled(domain.name(), type.name(), protocol.value())) {
            return null;
        }
        return "socket(" + domain.name() + ", " + type.name() + ", " + protocol.value() + ") opens a socket the spec does not model"
                + " (Unmodelled in spec/Sockets.tla: MPTCP, UDP-Lite and ICMP echo sockets, raw sockets of ICMP, TCP,"
                + " UDP and IPPROTO_RAW and above; for INET6 also Unmodelled6: raw sockets of ICMPv6 and of IPv6's"
                + " routing, fragment and destination options headers)";
    }

    /**
     * Puts ip and port of an argument address; false when the model has no
     * such host or port label (a model made for other traces). Which
     * addresses a call takes is the spec's: a connect to the wildcard
     * address has no step of the spec, and is rejected as such.
     */
    private boolean address(Map<String, Object> p, Arg.Addr a) {
        if (a.unix()) {
            // A Unix name: the path (a string of the spec, as the model's Paths hold it), and no port.
            if (!spec.constants().paths().contains(a.path())) {
                return false;
            }
            p.put(Calls.Call.IP, a.path());
            p.put(Calls.Call.PORT, 0);
            return true;
        }
        String ip = a.host() == null ? "*" : a.host();
        if (a.unspec()) {
            p.put(Calls.Call.IP, ip);
            p.put(Calls.Call.PORT, 0);
            return true;
        }
        String host = org.sockcheck.spec.TraceHost.host(ip);
        if (host != null && !spec.constants().hosts().contains(host)
                || org.sockcheck.spec.TraceHost.ipv6(ip) && !spec.constants().domains().contains("INET6")) {
            return false;
        }
        p.put(Calls.Call.IP, ip);
        switch (a.port()) {
            case Arg.Port.Label l -> {
                if (!spec.constants().ports().contains(l.label())) {
                    return false;
                }
                p.put(Calls.Call.PORT, l.label());
            }
            case Arg.Port.Any any -> p.put(Calls.Call.PORT, 0);
            // Resolved against the variables of each search state (an ephemeral port learnt earlier).
            case Arg.Port.Var v -> p.put(Calls.Call.PORT, v);
        }
        return true;
    }

    /** The parameters with descriptor variables replaced by their values; null when one is unbound. */
    private Map<String, Object> resolve(Map<String, Object> params, Map<String, Object> vars) {
        Map<String, Object> out = new LinkedHashMap<>(params);
        if (out.get("port") instanceof Arg.Port.Var v) {
            Object bound = vars.get(v.name());
            if (!(bound instanceof Integer)) {
                return null;
            }
            out.put("port", bound);
        }
        if (out.containsKey("f")) {
            Integer f = descriptor(out.get("f"), vars);
            if (f == null) {
                return null;
            }
            out.put("f", f);
        }
        if (out.get("fs") instanceof Arg.Fds passed) {
            // sendmsg's descriptors as the spec's sequence of numbers.
            List<Integer> fs = new ArrayList<>();
            for (Arg fd : passed.fds()) {
                Integer f = descriptor(fd, vars);
                if (f == null) {
                    return null;
                }
                fs.add(f);
            }
            out.put("fs", List.copyOf(fs));
        }
        if (out.get("rq") instanceof Arg.Polls polls) {
            // poll's request as the spec's sequence of [fd |-> f, ev |-> events].
            List<Map<String, Object>> rq = new ArrayList<>();
            for (Arg.PollFd e : polls.entries()) {
                Integer f = descriptor(e.fd(), vars);
                if (f == null) {
                    return null;
                }
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("fd", f);
                entry.put("ev", java.util.Set.copyOf(e.events()));
                rq.add(entry);
            }
            out.put("rq", List.copyOf(rq));
        }
        return out;
    }

    /** A descriptor of the trace in the model: a number, or a variable's value; null when it is unbound. */
    private Integer descriptor(Object f, Map<String, Object> vars) {
        if (f instanceof Arg.Int i) {
            // A descriptor beyond the model's is one no process opened: the model's spare (the last) stands for it.
            return fds.contains((int) Math.min(i.value(), Integer.MAX_VALUE)) && i.value() >= 0 ? (int) i.value() : spareFd;
        }
        if (f instanceof Arg.Var v) {
            return vars.get(v.name()) instanceof Integer bound ? bound : null;
        }
        return (Integer) f;
    }


    /** The trace's events as written, by line (the search reads them renamed for the spec's model). */
    private final Map<Integer, Event> written = new HashMap<>();

    private String text(Event e) {
        Event w = e.line() > 0 ? written.get(e.line()) : null;
        if (w != null && w.getClass() == e.getClass()) {
            e = w;
        }
        return org.sockcheck.harness.trace.TraceText.line(e);
    }
}
