package org.sockcheck.harness.gen;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.harness.trace.TraceSyntaxException;
import org.sockcheck.harness.trace.TraceText;
import org.sockcheck.spec.Calls;
import org.sockcheck.spec.tlc.SpecBridge;
import org.sockcheck.spec.tlc.SpecText;

/**
 * Traces generated from the spec: a random walk of Sockets.tla through
 * {@link SpecBridge}, written in the trace format. Every result in a
 * generated trace is what the spec's step recorded, so a generated trace is
 * a behaviour of the spec by construction.
 *
 * <p>A walk is a sequence of calls. After each call the spec's own network
 * and return steps run until none is enabled (what a loopback network does
 * between two calls); a call is chosen only if it then has returned, since a
 * trace cannot say "this call blocks". Calls whose result is an artefact of
 * the model's finite sets (EMFILE, ENOBUFS, EAGAIN) are not chosen, nor
 * recvfrom on a stream, nor raw sockets for an implementation without them.
 * Timers and loss never run: a trace cannot wait two minutes or drop a
 * segment on loopback.
 */
public final class Generator {
    /** The spec's calls: what a process does (User in Sockets.tla). */
    public static final Set<String> CALLS = SpecText.kinds().calls();
    /** What the stacks and the network do between two calls (Returns and Network in Sockets.tla). */
    static final Set<String> SETTLE = SpecText.kinds().settling();
    private static final Set<String> RARE = Set.of("Exit", "Fork");
    private static final Set<String> ARTEFACTS = Set.of("EMFILE", "ENOBUFS", "EAGAIN");
    private static final int SETTLE_LIMIT = 200;
    /** The thread a process starts with; walks make their calls on it, and only calls that wait on others. */
    private static final String MAIN = SpecBridge.Constants.MAIN_THREAD;

    /** A call taken and settled, not yet part of the walk. */
    private record Move(Choice choice, String line, SpecBridge.State state, List<String> actions, List<String> transitions,
                        Map<String, String> vars, int nextVar, String outcome, Object ret, Map<Object, Waiting> waiting) {
        String host() {
            return (String) ((List<?>) choice.params().get("p")).get(0);
        }
    }

    /**
     * A call of the spec: the action and its parameters, as the walk chose
     * it. early: the walk goes on as soon as the call has returned, leaving
     * what it sent in flight (segments the next call meets on its way), so a
     * later call may wait for them and return when they arrive (an accept
     * before the handshake's last ACK, a recv before the data), and segments
     * may cross (data meeting a reset). order: 0 lets the segments and
     * returns that follow the call happen in the spec's order; any other
     * value is the seed of an order picked at random among those the spec
     * allows (a reset overtaking data). Either way the call's trace line is
     * the same; only the spec's steps between the lines differ.
     */
    public record Choice(String action, Map<String, Object> params, boolean early, long order) {
        public Choice(String action, Map<String, Object> params) {
            this(action, params, false, 0);
        }

        Choice with(Map<String, Object> renamed) {
            return new Choice(action, renamed, early, order);
        }
    }

    /** A call a thread of its own waits in: the call, and whether its socket is a stream (for its result's line). */
    private record Waiting(Choice choice, boolean stream) {
    }

    /** A generated trace: its text, the calls it was made from, and the spec actions and TCP transitions it took. */
    public record Generated(String name, String text, List<Choice> calls, Set<String> actions, Set<String> transitions) {
        public Trace trace() {
            try {
                return TraceText.parse(name, text);
            } catch (TraceSyntaxException e) {
                throw new IllegalStateException("a generated trace does not parse: " + e.getMessage() + "\n" + text, e);
            }
        }
    }

    private final SpecBridge spec;
    private final Set<String> ephemeral;

    private final Set<Implementation.Limit> limits;
    /** Whether exploring picks a new outcome by its action first (see {@link #freshByAction()}). */
    private final boolean freshByAction;

    public Generator(SpecBridge spec) {
        this(spec, Set.of());
    }

    /** A generator whose walks leave out the calls an implementation with these limits cannot make. */
    public Generator(SpecBridge spec, Set<Implementation.Limit> limits) {
        this(spec, limits, false);
    }

    private Generator(SpecBridge spec, Set<Implementation.Limit> limits, boolean freshByAction) {
        this.spec = spec;
        this.limits = Set.copyOf(limits);
        this.freshByAction = freshByAction;
        this.ephemeral = new java.util.HashSet<>();
        spec.constants().ephemeralPorts().forEach(p -> ephemeral.add(String.valueOf(p)));
    }

    /**
     * This generator, exploring so that a call with a new outcome is picked
     * by its action first and then among that action's new outcomes: the
     * options, poll and getsockopt have many outcomes each, and picked among
     * all new ones they crowd out connect, accept and close. `generate
     * --cover` explores so (with seed 1 and 1,500 walks it took 40 of 46
     * actions and 19 of 21 TCP transitions, against 35 and 10 picked among
     * all new outcomes). Hunting keeps the first way, whose seeds the tests
     * and the saved regressions name.
     */
    public Generator freshByAction() {
        return new Generator(spec, limits, true);
    }

    /** A random walk of up to length calls, reproducible from the seed. */
    public Generated walk(String name, long seed, int length) {
        SplittableRandom random = new SplittableRandom(seed);
        Run run = new Run(name, "seed " + seed);
        for (int i = 0; i < length; i++) {
            Move best = sample(run, random, null);
            if (best == null) {
                break;
            }
            run.commit(best);
            if (random.nextInt(6) == 0) {
                run.observe(best.host());
            }
        }
        return run.finish();
    }

    /**
     * A walk whose every choice is made by choose (given n options, an index
     * in [0, n)): how a fuzzer drives the spec. Options are the calls the
     * spec allows that a trace can show, in the spec's order.
     */
    public Generated walk(String name, java.util.function.IntUnaryOperator choose, int length) {
        Run run = new Run(name, "chosen");
        for (int i = 0; i < length; i++) {
            List<SpecBridge.Step> options = ordered(spec.successors(run.state, CALLS));
            boolean took = false;
            for (int tries = 0; tries < 8 && !options.isEmpty() && !took; tries++) {
                int k = Math.floorMod(choose.applyAsInt(options.size()), options.size());
                SpecBridge.Step pick = options.get(k);
                took = run.take(new Choice(pick.action(), pick.params()), pick);
            }
            if (!took) {
                break;
            }
        }
        return run.finish();
    }

    /**
     * Coverage-guided exploration, as a fuzzer explores: every walk starts
     * from a prefix of calls that once reached something new (a spec action,
     * a TCP transition, a kind of table entry) and goes on at random, so the
     * walks get deeper than one random walk gets (a connection needs a
     * socket, a bind, a listen, another socket and a connect before an
     * accept returns). Each walk makes up to length calls after its prefix.
     * Reproducible from the seed.
     */
    public List<Generated> explore(String prefix, long seed, int walks, int length) {
        List<Generated> out = new ArrayList<>();
        explore(prefix, seed, walks, length, out::add);
        return out;
    }

    /** {@link #explore(String, long, int, int)}, handing each walk to each as soon as it is made. */
    public void explore(String prefix, long seed, int walks, int length, java.util.function.Consumer<Generated> each) {
        SplittableRandom random = new SplittableRandom(seed);
        List<List<Choice>> corpus = new ArrayList<>();
        corpus.add(List.of());
        Set<String> seen = new java.util.HashSet<>();
        for (int w = 0; w < walks; w++) {
            List<Choice> base = corpus.get(random.nextInt(corpus.size()));
            Run run = new Run(String.format("%s-%d-%03d.trace", prefix, seed, w), "explore seed " + seed + ", walk " + w);
            for (Choice c : base) {
                SpecBridge.Step step = spec.successors(run.state, Set.of(c.action())).stream()
                        .filter(st -> st.params().equals(c.params())).findFirst().orElse(null);
                if (step == null || !run.take(c, step)) {
                    break;
                }
            }
            int stop = run.calls.size() + length;
            while (run.calls.size() < stop) {
                Move m = sample(run, random, seen);
                if (m == null) {
                    break;
                }
                run.commit(m);
                Set<String> items = new java.util.HashSet<>(features(m.state()));
                items.addAll(m.actions());
                items.add(m.outcome());
                m.transitions().forEach(tr -> items.add("tcp " + tr));
                if (!seen.containsAll(items)) {
                    seen.addAll(items);
                    corpus.add(List.copyOf(run.calls));
                }
                if (random.nextInt(6) == 0) {
                    run.observe(m.host());
                }
            }
            each.accept(run.finish());
        }
    }

    /**
     * The steps in an order of their own: by action, parameters and what
     * the step records, each written with its records' fields sorted by
     * name. TLC gives steps in the order it enumerates values, which for
     * strings is the order it first met them in the spec's text (and record
     * fields too), so a change of the spec that adds a string moved every
     * seed's walk; in this order a seed's walk moves only where the spec's
     * steps themselves change.
     */
    static List<SpecBridge.Step> ordered(List<SpecBridge.Step> steps) {
        List<SpecBridge.Step> out = new ArrayList<>(steps);
        Map<SpecBridge.Step, String> keys = new java.util.IdentityHashMap<>();
        for (SpecBridge.Step st : out) {
            keys.put(st, st.action() + " " + canonical(st.params()) + " " + canonical(st.next().evt()));
        }
        out.sort(java.util.Comparator.comparing(keys::get));
        return out;
    }

    /** A value written with every map's entries sorted by key, so that TLC's order of record fields does not show. */
    private static String canonical(Object v) {
        if (v instanceof Map<?, ?> m) {
            java.util.TreeMap<String, String> sorted = new java.util.TreeMap<>();
            m.forEach((k, x) -> sorted.put(String.valueOf(k), canonical(x)));
            return sorted.toString();
        }
        if (v instanceof List<?> l) {
            return l.stream().map(Generator::canonical).collect(java.util.stream.Collectors.joining(", ", "<", ">"));
        }
        return String.valueOf(v);
    }

    /**
     * The next call of a walk: half the time (when exploring, seen not null) a call whose
     * outcome no walk has had yet (an action with a result or errno not seen
     * before: the first accept that returns a connection, say), else calls
     * that succeed are chosen 6 times in 7, so that walks get somewhere;
     * within either kind, first an action, then its parameters, so no action
     * crowds out the rest. Null when no call can follow.
     */
    private Move sample(Run run, SplittableRandom random, Set<String> seen) {
        Map<String, List<SpecBridge.Step>> ok = new java.util.TreeMap<>();
        Map<String, List<SpecBridge.Step>> errno = new java.util.TreeMap<>();
        List<SpecBridge.Step> fresh = new ArrayList<>();
        for (SpecBridge.Step st : ordered(spec.successors(run.state, CALLS))) {
            if (!fits(st)) {
                continue;
            }
            Object ret = st.next().evt().get("ret");
            // A poll of descriptors none of which is open says as little as an errno.
            boolean failed = Render.isErrno(ret) || ret instanceof Map<?, ?> m && m.containsKey("revents")
                    && Render.seq(m.get("revents")).stream().allMatch(e -> List.of("POLLNVAL").equals(e));
            (failed ? errno : ok).computeIfAbsent(st.action(), k -> new ArrayList<>()).add(st);
            if (seen != null && !seen.contains(outcome(st))) {
                fresh.add(st);
            }
        }
        // First an action, then one of its new outcomes (freshByAction); or one among all new outcomes.
        Map<String, List<SpecBridge.Step>> freshBy = new java.util.TreeMap<>();
        fresh.forEach(st -> freshBy.computeIfAbsent(freshByAction ? st.action() : "", k -> new ArrayList<>()).add(st));
        while (!freshBy.isEmpty() && random.nextBoolean()) {
            List<String> names = new ArrayList<>(freshBy.keySet());
            List<SpecBridge.Step> steps = freshBy.get(freshByAction ? names.get(random.nextInt(names.size())) : "");
            SpecBridge.Step pick = steps.remove(random.nextInt(steps.size()));
            if (steps.isEmpty()) {
                freshBy.remove(freshByAction ? pick.action() : "");
            }
            Move m = run.evaluate(settled(pick, random), pick);
            if (m != null) {
                return m;
            }
        }
        while (!(ok.isEmpty() && errno.isEmpty())) {
            Map<String, List<SpecBridge.Step>> kind = ok.isEmpty() || (!errno.isEmpty() && random.nextInt(7) == 0)
                    ? errno : ok;
            List<String> names = new ArrayList<>(kind.keySet());
            String action = names.get(random.nextInt(names.size()));
            if (RARE.contains(action) && names.size() > 1) {
                // Exit and fork end or start a process: once in a while, or walks are mostly births and deaths.
                action = names.get(random.nextInt(names.size()));
            }
            List<SpecBridge.Step> steps = kind.get(action);
            SpecBridge.Step pick = steps.remove(weightedIndex(steps, run.state, random));
            if (steps.isEmpty()) {
                kind.remove(action);
            }
            Move m = run.evaluate(settled(pick, random), pick);
            if (m != null) {
                return m;
            }
        }
        return null;
    }


    /**
     * Replays calls taken from a walk, some of it left out, with the
     * descriptors renamed: where a call that was left out made a descriptor,
     * the later ones are other numbers now (the lowest free), and the calls
     * that name them name the new numbers. olds: the result each call had in
     * the walk it comes from ({@link #results}). Null when the calls are no
     * walk of the spec.
     */
    public Generated replayRenamed(String name, String origin, List<Choice> calls, List<Object> olds) {
        Run run = new Run(name, origin);
        Map<Object, Map<Object, Object>> renamed = new HashMap<>();
        for (int i = 0; i < calls.size(); i++) {
            Choice c = calls.get(i);
            // Descriptors are a process's: every thread of it names the same ones.
            List<?> caller = (List<?>) c.params().get("p");
            Object proc = List.of(caller.get(0), caller.get(1));
            Map<Object, Object> names = renamed.computeIfAbsent(proc, p -> new HashMap<>());
            Map<String, Object> params = new java.util.LinkedHashMap<>(c.params());
            params.computeIfPresent("f", (k, f) -> names.getOrDefault(f, f));
            // A poll names its descriptors in its request.
            params.computeIfPresent("rq", (k, rq) -> Render.seq(rq).stream().map(e -> {
                Map<Object, Object> entry = new java.util.LinkedHashMap<>((Map<?, ?>) e);
                entry.computeIfPresent("fd", (x, f) -> names.getOrDefault(f, f));
                return entry;
            }).toList());
            Choice now = c.with(params);
            SpecBridge.Step step = spec.successors(run.state, Set.of(now.action())).stream()
                    .filter(s -> s.params().equals(now.params())).findFirst().orElse(null);
            Move m = step == null ? null : run.evaluate(now, step);
            if (m == null) {
                return null;
            }
            run.commit(m);
            Object was = descriptor(olds.get(i));
            Object is = descriptor(m.ret());
            if (was != null && is != null) {
                names.put(was, is);
            }
            if (c.action().equals("Fork")) {
                renamed.put(c.params().get("q"), new HashMap<>(names));
            }
        }
        return run.finish();
    }

    /** What each call gave when the calls are replayed in order (null where they stop being a walk). */
    public List<Object> results(List<Choice> calls) {
        Run run = new Run("results", "results");
        List<Object> out = new ArrayList<>();
        for (Choice c : calls) {
            SpecBridge.Step step = spec.successors(run.state, Set.of(c.action())).stream()
                    .filter(s -> s.params().equals(c.params())).findFirst().orElse(null);
            Move m = step == null ? null : run.evaluate(c, step);
            if (m == null) {
                break;
            }
            run.commit(m);
            out.add(m.ret());
        }
        while (out.size() < calls.size()) {
            out.add(null);
        }
        return out;
    }

    /** The descriptor a call's result gives (socket, dup: the number; accept: its fd), or null. */
    private static Object descriptor(Object ret) {
        if (ret instanceof Integer) {
            return ret;
        }
        return ret instanceof Map<?, ?> m && m.get("fd") instanceof Integer fd ? fd : null;
    }

    /** One walk in progress: the state, the lines written, the names of ephemeral ports. */
    private final class Run implements Render.Ports {
        final String name;
        final String origin;
        SpecBridge.State state;
        final List<String> lines = new ArrayList<>();
        final List<Choice> calls = new ArrayList<>();
        final Set<String> actions = new TreeSet<>();
        final Set<String> transitions = new TreeSet<>();
        /** host:port of an ephemeral port in use -> the trace variable naming it. */
        final Map<String, String> vars = new HashMap<>();
        int nextVar = 1;
        /** The threads that wait in a call, by caller. */
        final Map<Object, Waiting> waiting = new HashMap<>();

        Run(String name, String origin) {
            this.name = name;
            this.origin = origin;
            this.state = spec.init();
        }

        /** Takes the call and settles; false (and nothing changed) when the call is one a trace cannot show. */
        boolean take(Choice choice, SpecBridge.Step call) {
            Move m = evaluate(choice, call);
            if (m == null) {
                return false;
            }
            commit(m);
            return true;
        }

        /** Whether every entry of the model's table is in use (FreeSids = {} in Network.tla). */
        private static boolean full(SpecBridge.State s) {
            return s.sockets().values().stream().noneMatch(e -> "none".equals(e.get("proto")));
        }

        /** The call, settled, as the walk would write it; null when a trace cannot show it. Changes nothing. */
        Move evaluate(Choice choice, SpecBridge.Step call) {
            Map<String, Object> evt = call.next().evt();
            Object ret = evt.get("ret");
            List<String> taken = new ArrayList<>(List.of(choice.action()));
            List<String> moved = new ArrayList<>();
            noteTransitions(state, call.next(), moved);
            SpecBridge.State s = call.next();
            Object caller = evt.get("proc");
            // A call on another thread than a process's first is made only to wait: its line says it blocks,
            // and the line of the call during which it returns says so (trace format 2).
            boolean own = caller instanceof List<?> c3 && c3.size() > 2 && !MAIN.equals(c3.get(2));
            if (choice.action().equals("Exit") && limits.contains(Implementation.Limit.NO_EXIT_WHILE_WAITING)
                    && waiting.keySet().stream().anyMatch(w -> ((List<?>) w).subList(0, 2).equals(((List<?>) caller).subList(0, 2)))) {
                return null;
            }
            Map<Object, Waiting> waitingAfter = new HashMap<>(waiting);
            List<String> returnLines = new ArrayList<>();
            // A walk stays where the model's table has room: with no free entry the spec's steps depend
            // on the model's size (no TIME-WAIT entry of its own, ENOBUFS), which a trace cannot show.
            boolean full = full(s);
            SplittableRandom order = choice.order() == 0 ? null : new SplittableRandom(choice.order());
            for (int k = 0; k < SETTLE_LIMIT; k++) {
                if (choice.early() && !"pending".equals(ret) && !pending(s, caller)) {
                    break;
                }
                List<SpecBridge.Step> next = ordered(spec.successors(s, SETTLE));
                if (next.isEmpty()) {
                    break;
                }
                SpecBridge.Step st = next.get(order == null ? 0 : order.nextInt(next.size()));
                noteTransitions(s, st.next(), moved);
                taken.add(st.action());
                Map<String, Object> e = st.next().evt();
                if (SpecText.kinds().returns().contains(st.action()) && Objects.equals(e.get("proc"), caller)) {
                    ret = e.get("ret");
                } else if (SpecText.kinds().returns().contains(st.action()) && waitingAfter.containsKey(e.get("proc"))) {
                    Waiting w = waitingAfter.remove(e.get("proc"));
                    returnLines.add(Render.returned(w.choice(), e.get("ret"), w.stream(), this));
                }
                s = st.next();
                full |= full(s);
            }
            boolean waits = "pending".equals(ret) && pending(s, caller);
            if (full || (own ? !waits : "pending".equals(ret) || pending(s, caller)) || ARTEFACTS.contains(String.valueOf(ret))
                    || org.sockcheck.harness.validate.Validator.outside(ret) || returnLines.contains(null)) {
                return null;
            }
            boolean stream = isStream(state, choice);
            if (choice.action().equals("Recv") && "recvfrom".equals(choice.params().get("op")) && stream) {
                return null;
            }
            Map<String, String> before = new HashMap<>(vars);
            int beforeNext = nextVar;
            namePorts(state, s);
            String line = Render.call(choice, ret, stream, this);
            if (line != null && waits) {
                waitingAfter.put(caller, new Waiting(choice, stream));
            }
            if (line != null && !returnLines.isEmpty()) {
                line = line + "\n" + String.join("\n", returnLines);
            }
            Map<String, String> after = new HashMap<>(vars);
            int afterNext = nextVar;
            vars.clear();
            vars.putAll(before);
            nextVar = beforeNext;
            if (line == null) {
                return null;
            }
            return new Move(choice, line, s, taken, moved, after, afterNext, outcome(call), ret, waitingAfter);
        }

        void commit(Move m) {
            lines.add(m.line());
            calls.add(m.choice());
            actions.addAll(m.actions());
            transitions.addAll(m.transitions());
            vars.clear();
            vars.putAll(m.vars());
            nextVar = m.nextVar();
            state = m.state();
            waiting.clear();
            waiting.putAll(m.waiting());
        }

        void observe(String host) {
            lines.add(Render.observe(spec, host, state, this));
        }

        Generated finish() {
            // What the last calls left in flight arrives before the tables are read.
            for (int k = 0; k < SETTLE_LIMIT; k++) {
                List<SpecBridge.Step> next = ordered(spec.successors(state, SETTLE));
                if (next.isEmpty()) {
                    break;
                }
                SpecBridge.Step st = next.get(0);
                actions.add(st.action());
                List<String> moved = new ArrayList<>();
                noteTransitions(state, st.next(), moved);
                transitions.addAll(moved);
                Map<String, Object> e = st.next().evt();
                if (SpecText.kinds().returns().contains(st.action()) && waiting.containsKey(e.get("proc"))) {
                    // A call that waited returns once what the last calls sent arrives.
                    Waiting w = waiting.remove(e.get("proc"));
                    String line = Render.returned(w.choice(), e.get("ret"), w.stream(), this);
                    lines.add(line != null ? line : "# " + w.choice().action() + " returns " + e.get("ret")
                            + ", which the trace format cannot write");
                }
                state = st.next();
            }
            List<String> out = new ArrayList<>();
            out.add("# generated from the spec (" + origin + "): " + calls.size() + " calls, "
                    + actions.size() + " actions");
            // Format 2 where a line needs it (as the trace reader decides), else format 1.
            out.add("version 2");
            out.add("profile " + spec.constants().profile());
            out.add("");
            out.addAll(lines);
            // The table of every host the calls touched: a host with no call left is no part of the trace.
            for (String host : spec.constants().hosts()) {
                if (calls.stream().anyMatch(c -> host.equals(((List<?>) c.params().get("p")).get(0)))) {
                    out.add(Render.observe(spec, host, state, this));
                }
            }
            String text = String.join("\n", out) + "\n";
            if (!TraceText.needsFormatTwo(new Generated(name, text, List.of(), Set.of(), Set.of()).trace())) {
                text = text.replaceFirst("\nversion 2\n", "\nversion 1\n");
            }
            return new Generated(name, text, List.copyOf(calls), actions, transitions);
        }

        /**
         * A trace address for host:port of a protocol; an ephemeral port is a
         * variable (TCP and UDP ports are separate spaces, S7).
         */
        @Override
        public String argument(String proto, String host, Object port) {
            String p = String.valueOf(port);
            if (!ephemeral.contains(p)) {
                return label(p);
            }
            String var = vars.get(proto + " " + org.sockcheck.spec.TraceHost.hostOr(host) + ":" + p);
            if (var == null) {
                return null;
            }
            java.util.regex.Pattern used = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(var) + "\\b");
            return lines.stream().anyMatch(l -> used.matcher(l).find()) ? var : null;
        }

        @Override
        public String name(String proto, String host, Object port) {
            String p = String.valueOf(port);
            return ephemeral.contains(p) ? vars.computeIfAbsent(proto + " " + org.sockcheck.spec.TraceHost.hostOr(host) + ":" + p, k -> "$e" + nextVar++) : label(p);
        }


        /** A port label as the trace writes it; port 0 is "*". */
        private static String label(String p) {
            return p.equals("0") ? "*" : p;
        }

        /** An ephemeral port that a socket takes anew gets a fresh variable. */
        void namePorts(SpecBridge.State from, SpecBridge.State to) {
            Map<Object, Map<String, Object>> a = from.sockets();
            Map<Object, Map<String, Object>> b = to.sockets();
            for (Map.Entry<Object, Map<String, Object>> e : b.entrySet()) {
                Map<String, Object> old = a.get(e.getKey());
                Object lport = e.getValue().get("lport");
                boolean fresh = old == null || !Objects.equals(old.get("lport"), lport)
                        || !Objects.equals(old.get("proto"), e.getValue().get("proto"));
                if (fresh && ephemeral.contains(String.valueOf(lport))) {
                    vars.put(e.getValue().get("proto") + " " + e.getValue().get("host") + ":" + lport, "$e" + nextVar++);
                }
            }
        }
    }

    /** Whether a poll asks about descriptors its process has open (a poll of closed ones says POLLNVAL and no more). */
    private static boolean pollsOpen(SpecBridge.State state, Map<String, Object> p) {
        List<?> caller = (List<?>) p.get("p");
        Map<?, ?> fds = (Map<?, ?>) ((Map<?, ?>) state.get("fdt")).get(List.of(caller.get(0), caller.get(1)));
        return fds != null && Render.seq(p.get("rq")).stream()
                .allMatch(e -> !Integer.valueOf(0).equals(fds.get(((Map<?, ?>) e).get("fd"))));
    }

    /**
     * Picks one of the steps, those whose address (ip, port) exists counting
     * more: a connect or sendto to an address where a socket listens or is
     * bound eight times (to one some socket only holds twice), a bind to an
     * address some socket holds eight times, so connections and datagrams
     * reach their listeners and binds meet conflicts; a poll of open
     * descriptors eight times; getsockopt of SO_ERROR, the one option
     * whose reading changes the socket, eight times.
     */
    private static int weightedIndex(List<SpecBridge.Step> steps, SpecBridge.State state, SplittableRandom random) {
        Set<String> held = new java.util.HashSet<>();
        Set<String> serving = new java.util.HashSet<>();
        for (Map<String, Object> e : state.sockets().values()) {
            if (!"none".equals(e.get("proto")) && !Integer.valueOf(0).equals(e.get("lport"))) {
                held.add(e.get("host") + ":" + e.get("lport"));
                if ("LISTEN".equals(e.get("st")) || "udp".equals(e.get("proto"))) {
                    serving.add(e.get("host") + ":" + e.get("lport"));
                }
            }
        }
        int[] weight = new int[steps.size()];
        int total = 0;
        for (int i = 0; i < steps.size(); i++) {
            SpecBridge.Step st = steps.get(i);
            Map<String, Object> p = st.params();
            // A port of a host in any form of its address ([A], [::ffff:A]).
            String at = (p.get("ip") instanceof String ip ? org.sockcheck.spec.TraceHost.hostOr(ip) : p.get("ip")) + ":" + p.get("port");
            boolean toPeer = st.action().equals("Connect") || st.action().equals("SendTo");
            // A connect or a datagram goes mostly where something listens or is bound; a bind mostly
            // where another socket is, so that conflicts happen.
            weight[i] = st.action().equals("Poll") ? (pollsOpen(state, p) ? 8 : 1)
                    : st.action().equals("GetSockOpt") ? ("SO_ERROR".equals(p.get("opt")) ? 8 : 1)
                    : !(p.containsKey("ip") && p.containsKey("port")) ? 1
                    : toPeer ? (serving.contains(at) ? 8 : held.contains(at) ? 2 : 1)
                    : held.contains(at) ? 8 : 1;
            total += weight[i];
        }
        int r = random.nextInt(total);
        for (int i = 0; i < weight.length; i++) {
            r -= weight[i];
            if (r < 0) {
                return i;
            }
        }
        return weight.length - 1;
    }

    /**
     * Whether the implementation can make this call: what each limit of
     * {@link Implementation.Limit} leaves out, in the spec's words.
     */
    private boolean fits(SpecBridge.Step call) {
        Map<String, Object> p = call.params();
        // A call on a thread of its own, for an implementation that makes one call at a time.
        if (p.get("p") instanceof List<?> caller && caller.size() > 2 && !MAIN.equals(caller.get(2))
                && limits.contains(Implementation.Limit.NO_THREADS)) {
            return false;
        }
        return switch (call.action()) {
            // One kernel plays every host: a bind to another host's address (in any form) it cannot refuse.
            case "Bind" -> !limits.contains(Implementation.Limit.ONE_KERNEL) || !(p.get("ip") instanceof String ip)
                    || org.sockcheck.spec.TraceHost.host(ip) == null
                    || Objects.equals(org.sockcheck.spec.TraceHost.host(ip), ((List<?>) p.get("p")).get(0))
                    || Render.unixName(ip);
            case "Dup" -> !limits.contains(Implementation.Limit.NO_DUP);
            case "Fork" -> !limits.contains(Implementation.Limit.NO_FORK);
            case "Socket" -> (!"RAW".equals(p.get("type")) || !limits.contains(Implementation.Limit.NO_RAW))
                    && (!Boolean.TRUE.equals(p.get(Calls.NB)) || !limits.contains(Implementation.Limit.NO_NONBLOCK));
            case "SetNonBlock" -> !limits.contains(Implementation.Limit.NO_NONBLOCK);
            case "Accept" -> !Boolean.TRUE.equals(p.get(Calls.NB)) || !limits.contains(Implementation.Limit.NO_NONBLOCK);
            // A buffer size reads back as a range, which a generated trace cannot write as one number;
            // written traces name it with a variable ([$b]).
            case "GetSockOpt" -> !limits.contains(Implementation.Limit.NO_GETSOCKOPT)
                    && !org.sockcheck.spec.SockOpt.buffer(p.get("opt"));
            case "Poll" -> !limits.contains(Implementation.Limit.NO_POLL);
            // Buffer sizes are left to written traces: a walk that set one could not read it back as one number.
            case "SetSockOpt" -> !limits.contains(Implementation.Limit.NO_SETSOCKOPT)
                    && (!limits.contains(Implementation.Limit.NO_OPTIONS) || "SO_REUSEADDR".equals(p.get("opt")))
                    && !org.sockcheck.spec.SockOpt.buffer(p.get("opt"));
            case "SendMsg" -> !limits.contains(Implementation.Limit.NO_RIGHTS);
            case "Recv" -> (!"recvmsg".equals(p.get("op")) || !limits.contains(Implementation.Limit.NO_RIGHTS))
                    && (!limits.contains(Implementation.Limit.NO_RECV_FLAGS)
                    || !Boolean.TRUE.equals(p.get(Calls.PK)) && !Boolean.TRUE.equals(p.get(Calls.DW))
                    && !Boolean.TRUE.equals(p.get(Calls.WA)) && !Boolean.TRUE.equals(p.get(Calls.TR)))
                    && (!limits.contains(Implementation.Limit.NO_RECV_TRUNC) || !Boolean.TRUE.equals(p.get(Calls.TR)));
            default -> true;
        };
    }

    /**
     * A step chosen as a call of the walk: one call in four leaves what it
     * sent in flight ({@link Choice#early}), one in four lets what follows
     * it happen in an order picked at random.
     */
    private static Choice settled(SpecBridge.Step pick, SplittableRandom random) {
        boolean early = random.nextInt(4) == 0;
        long order = random.nextInt(4) == 0 ? random.nextLong() | 1 : 0;
        return new Choice(pick.action(), pick.params(), early, order);
    }

    /** What a call step gives, as coverage counts it: the action and its errno, or ok. */
    private static String outcome(SpecBridge.Step call) {
        Object ret = call.next().evt().get("ret");
        return call.action() + " " + (Render.isErrno(ret) ? ret : "ok");
    }

    /** The kinds of entry in the tables of a state, read off the spec's socket records. */
    Set<String> features(SpecBridge.State s) {
        Set<String> out = new java.util.HashSet<>();
        for (Map<String, Object> e : s.sockets().values()) {
            if ("none".equals(e.get("proto"))) {
                continue;
            }
            out.add("entry " + e.get("proto") + " " + e.get("st")
                    + (Integer.valueOf(0).equals(e.get("lport")) ? ""
                        : spec.constants().ports().contains(e.get("lport")) ? " bound to a port of the trace" : " bound")
                    + ("-".equals(e.get("rip")) ? "" : " peer")
                    + (isEmpty(e.get("acceptq")) ? "" : " queued")
                    + (isEmpty(e.get("datagrams")) && "".equals(e.get("stream")) ? "" : " data")
                    + (Boolean.TRUE.equals(e.get("fin")) ? " fin" : ""));
        }
        return out;
    }

    private static boolean isEmpty(Object seq) {
        return seq == null || (seq instanceof java.util.Collection<?> c && c.isEmpty())
                || (seq instanceof Map<?, ?> m && m.isEmpty());
    }

    @SuppressWarnings("unchecked")
    private static boolean pending(SpecBridge.State s, Object proc) {
        Map<Object, Map<String, Object>> pending = (Map<Object, Map<String, Object>>) s.get("pending");
        Map<String, Object> call = pending.get(proc);
        return call != null && !"none".equals(call.get("op"));
    }

    @SuppressWarnings("unchecked")
    private static boolean isStream(SpecBridge.State s, Choice c) {
        Object f = c.params().get("f");
        Object p = c.params().get("p");
        if (f == null || p == null) {
            return false;
        }
        Map<Object, Map<Object, Object>> fdt = (Map<Object, Map<Object, Object>>) s.get("fdt");
        // The caller is a thread, <<host, process, thread>>; descriptors are the process's.
        List<?> caller = (List<?>) p;
        Object sid = fdt.get(List.of(caller.get(0), caller.get(1))).get(f);
        Map<String, Object> entry = s.sockets().get(sid);
        return entry != null && "tcp".equals(entry.get("proto"));
    }

    /** TCP state changes between two states, as "FROM => TO"; entries made or freed count from or to CLOSED. */
    public static void noteTransitions(SpecBridge.State from, SpecBridge.State to, List<String> out) {
        Map<Object, Map<String, Object>> a = from.sockets();
        Map<Object, Map<String, Object>> b = to.sockets();
        for (Object sid : b.keySet()) {
            String st1 = tcpState(a.get(sid));
            String st2 = tcpState(b.get(sid));
            if (!st1.equals(st2)) {
                out.add(st1 + " => " + st2);
            }
        }
    }

    private static String tcpState(Map<String, Object> entry) {
        return entry != null && "tcp".equals(entry.get("proto")) ? (String) entry.get("st") : "CLOSED";
    }
}
