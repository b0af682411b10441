package org.sockcheck.harness.run;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.sockcheck.harness.impl.Addressing;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.impl.ImplementationException;
import org.sockcheck.harness.impl.TraceSetup;
import org.sockcheck.harness.trace.Arg;
import org.sockcheck.harness.trace.Event;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.harness.trace.TraceText;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Calls;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.SocketRow;

/**
 * Replays a trace on an implementation, event by event, and has the spec
 * judge what it did. The run goes on past a result that differs from the one
 * written; the observed run (the trace's calls with the results the
 * implementation gave, as a trace) passes when some behaviour of the spec
 * explains it and fails at the first event none explains. A call that does
 * not return within the call timeout is observed as "blocks", which the spec
 * judges like any other result. The results written in the trace only name
 * what was seen (for the report's steps); they never give a verdict.
 * Whatever happens, the implementation is stopped at the end, so the next
 * trace starts clean.
 */
public final class Runner {
    private final Oracle oracle;
    private final Duration callTimeout;
    private final Judge judge;

    /**
     * @param oracle compares each event with the trace as written, for the steps of the report
     * @param judge gives the verdict (the spec)
     */
    public Runner(Oracle oracle, Duration callTimeout, Judge judge) {
        this.oracle = oracle;
        this.callTimeout = callTimeout;
        this.judge = java.util.Objects.requireNonNull(judge, "a run is judged by the spec");
    }

    /** The first event whose result differs from the one written, and how. */
    private record Differs(Event event, Oracle.Judgement.Divergence how) {
    }

    /** What a replay did: the steps, the observed run's events, and why it stopped early if it did. */
    private static final class Replay {
        final List<Step> steps = new ArrayList<>();
        final List<Event> observed = new ArrayList<>();
        Differs first;
        String notRun = "";
        Event current;
        String tables = "";
        /**
         * The rows each host showed at its last observe, while no call has
         * been made or has returned since: the tables at the end are those.
         */
        final java.util.Map<String, List<SocketRow>> lastSeen = new java.util.HashMap<>();
    }

    public TraceResult run(Trace trace, Path base, Implementation impl) {
        long startedAt = System.currentTimeMillis();
        long start = System.nanoTime();
        Replay replay = new Replay();
        Verdict broken = null;
        String why = "";
        try {
            replay(trace, impl, replay);
        } catch (Implementation.Unsupported u) {
            broken = Verdict.SKIP;
            why = u.getMessage();
        } catch (ImplementationException ex) {
            broken = Verdict.ERROR;
            why = ex.getMessage();
        } catch (RuntimeException ex) {
            broken = Verdict.ERROR;
            why = "the implementation failed: " + ex.getMessage();
        } finally {
            impl.stop();
        }
        if (broken != null) {
            return ended(trace, base, impl, replay, broken, why, startedAt, Duration.ofNanos(System.nanoTime() - start).toMillis());
        }
        // An implementation that promises POSIX, not Linux, is judged by the spec's POSIX profile (a driver's hello says so).
        org.sockcheck.spec.Profile profile = impl.judgedProfile() != null ? impl.judgedProfile() : trace.profile();
        List<Trace.Line> lines = new ArrayList<>(List.of(new Trace.Line.Header("version", Integer.toString(trace.version())),
                new Trace.Line.Header("profile", profile.name())));
        lines.addAll(replay.observed);
        Trace observedRun = new Trace(trace.source(), trace.version(), profile, List.copyOf(lines));
        Judge.Decision decision = judge.decide(observedRun);
        // The run's time is the replay and its judging: what the reports show as its duration.
        long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        return verdict(trace, base, impl, replay, observedRun, decision, startedAt, millis);
    }

    /**
     * Whether the trace has calls that wait while others run (trace format
     * 2: a call on a thread other than the main one, or a return written
     * after other events): the run then makes each thread's calls on a
     * thread of its own.
     */
    public static boolean concurrent(Trace trace) {
        return trace.events().stream().anyMatch(e -> e instanceof Event.Return
                || e instanceof Event.Call c && !c.thread().equals(Event.MAIN));
    }

    /** Runs the trace's events on the implementation, recording each. */
    private void replay(Trace trace, Implementation impl, Replay replay) throws ImplementationException {
        boolean threads = concurrent(trace);
        if (threads && !impl.concurrent()) {
            throw new Implementation.Unsupported(impl.name() + " makes one call at a time, and this trace has calls that"
                    + " wait while others run (threads, trace format 2)");
        }
        TraceSetup setup = new TraceSetup(trace.profile(), trace.hosts(), trace.processes(), TraceCheck.portLabels(trace),
                callTimeout, trace.events().stream().anyMatch(e -> e instanceof Event.Call c && TraceCheck.inet6(c)));
        Addressing addressing = impl.start(setup);
        Oracle.Session session = oracle.begin(trace, addressing);
        Symbols symbols = session.symbols();
        events(trace, impl, replay, session, symbols, threads ? new java.util.LinkedHashMap<>() : null);
        replay.current = null;
        replay.tables = tables(trace, impl, symbols, replay.lastSeen);
    }

    private static String key(String host, String process, String thread) {
        return host + "." + process + "." + thread;
    }

    /**
     * waiting: the calls that blocked and have not returned, by caller, when
     * the trace runs its threads concurrently (else null: one call at a time).
     */
    private void events(Trace trace, Implementation impl, Replay replay, Oracle.Session session, Symbols symbols,
                        java.util.Map<String, Event.Call> waiting) throws ImplementationException {
        // Returns recorded where they happened, before the line the trace writes them on.
        java.util.Set<String> returnedEarly = new java.util.HashSet<>();
        List<Event> events = trace.events();
        // Each blocked call's return line, found once (the readers give a return the call's own object).
        java.util.Map<Event.Call, Event.Return> returnLines = new java.util.IdentityHashMap<>();
        events.stream().filter(x -> x instanceof Event.Return).map(x -> (Event.Return) x)
                .forEach(r -> returnLines.put(r.call(), r));
        for (int at = 0; at < events.size(); at++) {
            Event e = events.get(at);
            replay.current = e;
            Oracle.Judgement j;
            Event seen;
            boolean blocked = false;
            if (e instanceof Event.Call c) {
                ApiCall call;
                try {
                    call = resolve(c, symbols);
                } catch (IllegalArgumentException unbound) {
                    if (replay.first == null) {
                        // Every result so far was as written, so every variable is bound: the implementation has no
                        // way to say what the call names (a Unix name where it has no place for one). Never a pass.
                        throw new Implementation.Unsupported(impl.name() + " cannot make this call: " + unbound.getMessage());
                    }
                    // A result other than the one written left a variable of the trace unbound: the rest cannot run.
                    replay.notRun = "\n  lines " + e.line() + " on were not run: " + unbound.getMessage();
                    break;
                }
                replay.lastSeen.clear();
                Outcome o = waiting == null ? impl.call(c.host(), c.process(), call)
                        : impl.call(c.host(), c.process(), c.thread(), call, blockWait());
                j = session.call(c, o);
                blocked = o instanceof Outcome.Blocked;
                if (blocked && waiting != null) {
                    waiting.put(key(c.host(), c.process(), c.thread()), c);
                }
                if (waiting != null && c.op().equals("exit")) {
                    // The threads of a process that exits wait no more.
                    waiting.keySet().removeIf(k -> k.startsWith(c.host() + "." + c.process() + "."));
                }
                seen = c.withExpect(symbols.expect(o, c));
            } else if (e instanceof Event.Return r) {
                String k = key(r.host(), r.process(), r.thread());
                if (returnedEarly.remove(k) || !waiting.containsKey(k)) {
                    continue; // recorded where it returned, before this line (or it never waited)
                }
                replay.lastSeen.clear();
                Outcome o = impl.awaitReturn(r.host(), r.process(), r.thread(), callTimeout);
                if (o instanceof Outcome.Blocked) {
                    // The thread still waits: the run ends here, and the spec judges whether it may.
                    replay.notRun = "\n  lines " + e.line() + " on were not run: " + TraceText.caller(r.host(), r.process(),
                            r.thread()) + " did not return from " + r.op() + " within " + callTimeout.toMillis() + " ms";
                    break;
                }
                waiting.remove(k);
                j = session.call(r.call().withExpect(r.expect()), o);
                seen = new Event.Return(r.line(), r.host(), r.process(), r.thread(), r.call(), symbols.expect(o, r.call()));
            } else {
                Event.Observe ob = (Event.Observe) e;
                List<SocketRow> rows = impl.observe(ob.host());
                if (waiting == null || waiting.isEmpty()) {
                    replay.lastSeen.put(ob.host(), rows);
                }
                j = session.observe(ob, rows);
                seen = new Event.Observe(ob.line(), ob.host(), rows.stream().map(symbols::row).toList());
            }
            record(replay, e, j, seen);
            if (waiting != null && !waiting.isEmpty()) {
                earlyReturns(at + 1 < events.size() ? events.get(at + 1) : null, returnLines, impl, replay, session,
                        symbols, waiting, returnedEarly);
            }
            if (blocked && waiting == null) {
                // The process waits in the call: in trace format 1 nothing after it can run.
                Event last = trace.events().get(trace.events().size() - 1);
                if (last != e) {
                    replay.notRun = "\n  lines after " + e.line() + " were not run: the call did not return within "
                            + callTimeout.toMillis() + " ms";
                }
                break;
            }
        }
    }

    /**
     * The calls that returned while event e ran, recorded right after it:
     * the observed run says where each call returned. Each is shown at the
     * line its trace writes its return on (or its call's, when the trace
     * has it wait to the end).
     */
    private static void earlyReturns(Event next, java.util.Map<Event.Call, Event.Return> returnLines, Implementation impl,
                                     Replay replay, Oracle.Session session, Symbols symbols,
                                     java.util.Map<String, Event.Call> waiting, java.util.Set<String> returnedEarly)
            throws ImplementationException {
        for (var w : List.copyOf(waiting.entrySet())) {
            Event.Call c = w.getValue();
            if (next instanceof Event.Return r && r.call() == c) {
                continue; // its return is the next line: recorded there
            }
            Outcome o = impl.awaitReturn(c.host(), c.process(), c.thread(), Duration.ZERO);
            if (o instanceof Outcome.Blocked) {
                continue;
            }
            waiting.remove(w.getKey());
            replay.lastSeen.clear();
            Event.Return written = returnLines.getOrDefault(c,
                    new Event.Return(c.line(), c.host(), c.process(), c.thread(), c, new Event.Expect.Blocks()));
            if (written.line() != c.line()) {
                returnedEarly.add(w.getKey());
            }
            Oracle.Judgement j = session.call(c.withExpect(written.expect()), o);
            record(replay, written, j, new Event.Return(written.line(), c.host(), c.process(), c.thread(), c, symbols.expect(o, c)));
        }
    }

    /** How long a call on a thread is given before it is observed to block: a tenth of the call timeout, 200 ms to 1 s. */
    private java.time.Duration blockWait() {
        return java.time.Duration.ofMillis(Math.max(200, Math.min(1000, callTimeout.toMillis() / 10)));
    }

    private static void record(Replay replay, Event e, Oracle.Judgement j, Event seen) {
        switch (j) {
            case Oracle.Judgement.Explained x -> {
                replay.steps.add(new Step(e.line(), TraceText.line(e), expectedOf(e), x.observed(), true));
                seen = e; // as written: the same values under the trace's own names
            }
            case Oracle.Judgement.Divergence d -> {
                replay.steps.add(new Step(e.line(), TraceText.line(e), d.expected(), d.observed(), false));
                if (replay.first == null) {
                    replay.first = new Differs(e, d);
                }
            }
        }
        replay.observed.add(seen);
    }

    /** The verdict of a replay that ran, from the spec's decision on the observed run. */
    private static TraceResult verdict(Trace trace, Path base, Implementation impl, Replay replay, Trace observedRun,
                                       Judge.Decision decision, long startedAt, long millis) {
        String file = trace.source();
        List<Step> steps = replay.steps;
        List<Integer> observedLines = replay.observed.stream().map(Event::line).toList();
        Verdict verdict = Verdict.PASS;
        String message = "";
        int failLine = 0;
        List<Witnessed> witness = List.of();
        Judge.Covered covered = null;
        JudgedBy by = JudgedBy.SPEC;
        switch (decision) {
            case Judge.Decision.Accepted a -> {
                witness = a.witness();
                covered = a.covered();
                if (replay.first != null) {
                    // A result other than the one written, which the spec allows: it passes.
                    steps.replaceAll(st -> st.ok() ? st : new Step(st.line(), st.event(), st.expected(), st.observed(), true));
                    message = differs(file, replay.first) + "\n  the spec allows this: the observed run is a behaviour of"
                            + " the spec" + replay.notRun;
                }
            }
            case Judge.Decision.Rejected r -> {
                witness = r.witness();
                int at = r.line();
                Event e = trace.events().stream().filter(x -> x.line() == at).findFirst().orElseThrow();
                Step st = steps.stream().filter(x -> x.line() == at).findFirst().orElseThrow();
                // The step the spec rejects is the failing one; differences before it were allowed.
                steps.replaceAll(x -> x.line() == at ? new Step(x.line(), x.event(), x.expected(), x.observed(), false)
                        : !x.ok() && x.line() < at ? new Step(x.line(), x.event(), x.expected(), x.observed(), true) : x);
                verdict = Verdict.FAIL;
                failLine = at;
                message = file + ":" + at + ": " + eventOnly(e) + "\n  expected: " + brief(st.expected()) + "\n  observed: "
                        + brief(st.observed()) + "\n  no behaviour of the spec explains this; it allows: " + brief(r.allowed())
                        + "\n  (searched " + r.searched() + " states" + (r.bounded() ? ", up to the search's bound)" : ")");
                if (replay.first != null && replay.first.event().line() < at) {
                    // What led there: the spec allowed the first difference, in a behaviour that cannot go on.
                    message += "\n  after an earlier difference from the trace, which the spec allowed there:\n  "
                            + differs(file, replay.first);
                }
            }
            case Judge.Decision.Undecided u -> {
                verdict = Verdict.SKIP;
                by = JudgedBy.UNJUDGED;
                failLine = replay.first == null ? 0 : replay.first.event().line();
                message = file + ": not judged: the spec could not judge this run: " + u.why()
                        + (replay.first == null ? "" : "\n  (it differs from the trace as written at "
                        + differs(file, replay.first).replace("\n", "\n  ") + ")");
            }
        }
        String observedText = "# observed: " + file + " on " + impl.name() + "\n" + TraceText.print(observedRun);
        return new TraceResult(file, feature(base, file), trace.title(), impl.name(), verdict, message, failLine, steps,
                millis, replay.tables, observedText, new TraceResult.Drawing(trace, witness, observedLines), by, startedAt,
                covered);
    }

    /** The result of a run the implementation could not finish: SKIP (it lacks something) or ERROR (it broke). */
    private static TraceResult ended(Trace trace, Path base, Implementation impl, Replay replay, Verdict v, String why,
                                     long startedAt, long millis) {
        String file = trace.source();
        Event at = replay.current;
        return new TraceResult(file, feature(base, file), trace.title(), impl.name(), v, where(file, at) + why,
                at == null ? 0 : at.line(), replay.steps, millis, replay.tables, "",
                new TraceResult.Drawing(trace, List.of(), replay.observed.stream().map(Event::line).toList()), JudgedBy.NO_RUN,
                startedAt);
    }

    private static String differs(String file, Differs d) {
        return file + ":" + d.event().line() + ": " + eventOnly(d.event()) + "\n  expected: " + brief(d.how().expected())
                + "\n  observed: " + brief(d.how().observed())
                + (d.how().detail() == null || d.how().detail().isEmpty() ? "" : "\n  " + brief(d.how().detail()).replace("\n", "\n  "));
    }

    /** The longest value a message shows whole; a longer one shows its start and its length (a 10 MB datum is not echoed). */
    static final int SHOWN = 300;

    static String brief(String value) {
        return TraceText.shorten(value, SHOWN);
    }

    private static String where(String file, Event e) {
        return e == null ? file + ": at start: " : file + ":" + e.line() + ": " + eventOnly(e) + ": ";
    }

    /** An event as a message names it: the caller and the call, without the result ("A.p1: bind(3, A:80)"). */
    public static String eventOnly(Event e) {
        return brief(switch (e) {
            case Event.Call c -> TraceText.caller(c.host(), c.process(), c.thread()) + ": " + TraceText.callOnly(c);
            case Event.Return r -> TraceText.caller(r.host(), r.process(), r.thread()) + ": " + r.op() + " returns";
            case Event.Observe o -> "observe " + o.host();
        });
    }

    private static String expectedOf(Event e) {
        return switch (e) {
            case Event.Call c -> TraceText.expect(c.expect());
            case Event.Return r -> TraceText.expect(r.expect());
            case Event.Observe o -> TraceText.observe(o).replaceFirst("^observe [^:]+: ", "");
        };
    }

    /**
     * The socket tables of every host at the end of the trace, for the
     * report: a host observed after the last call (with no call waiting) is
     * shown as it was seen then, the others are observed now.
     */
    private static String tables(Trace trace, Implementation impl, Symbols symbols,
                                 java.util.Map<String, List<SocketRow>> lastSeen) {
        StringBuilder sb = new StringBuilder();
        for (String h : trace.hosts()) {
            try {
                List<SocketRow> rows = lastSeen.containsKey(h) ? lastSeen.get(h) : impl.observe(h);
                sb.append("observe ").append(h).append(": ").append(symbols.render(rows)).append('\n');
            } catch (ImplementationException | RuntimeException e) {
                sb.append("observe ").append(h).append(": (unavailable: ").append(e.getMessage()).append(")\n");
            }
        }
        return sb.toString();
    }

    static String feature(Path base, String file) {
        Path p = Path.of(file);
        Path parent = p.getParent();
        if (parent == null) {
            return "";
        }
        if (base != null) {
            try {
                Path rel = base.toAbsolutePath().normalize().relativize(parent.toAbsolutePath().normalize());
                if (!rel.toString().isEmpty() && !rel.startsWith("..")) {
                    // The folder a trace is in names its feature: scenarios/bind/x.trace is "bind".
                    return rel.getFileName().toString();
                }
            } catch (IllegalArgumentException e) {
                // different roots: use the folder name
            }
        }
        return parent.getFileName().toString();
    }

    /**
     * The call an event makes, with the trace's names replaced by this
     * implementation's addresses: each argument by its kind in the call
     * vocabulary ({@link Calls}).
     */
    static ApiCall resolve(Event.Call c, Symbols s) {
        Calls.Call call = Calls.ALL.get(c.op());
        if (call == null) {
            throw new IllegalArgumentException("unknown call " + c.op());
        }
        List<Object> values = new ArrayList<>(c.args().size());
        for (int i = 0; i < c.args().size(); i++) {
            Arg a = c.args().get(i);
            values.add(switch (call.params().get(i).kind()) {
                case FD, BACKLOG, SIZE, PROTOCOL -> num(a, s);
                case ADDR -> s.endpoint(c.host(), (Arg.Addr) a);
                case DATA -> ((Arg.Data) a).bytes();
                case DOMAIN, TYPE, HOW, OPTION, PROCESS, GETOPT, FCNTL, FLAGS, MSGFLAGS, ACCEPTFLAGS, SENDFLAGS, CONTROL -> name(a);
                case TIMEOUT -> num(a, s);
                case OPTVALUE -> a instanceof Arg.Linger l ? List.of(l.onoff(), l.seconds()) : num(a, s);
                case RIGHTS -> ((Arg.Fds) a).fds().stream().map(fd -> num(fd, s)).toList();
                case POLLFDS -> ((Arg.Polls) a).entries().stream()
                        .map(e -> new ApiCall.PollFd(Math.toIntExact(num(e.fd(), s)), java.util.Set.copyOf(e.events())))
                        .toList();
            });
        }
        return call.make().apply(values);
    }

    private static long num(Arg a, Symbols s) {
        return switch (a) {
            case Arg.Int i -> i.value();
            case Arg.Var v -> s.bound(v.name());
            default -> throw new IllegalArgumentException("not a number: " + a);
        };
    }

    private static String name(Arg a) {
        return ((Arg.Name) a).name();
    }
}
