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
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.ShutdownHow;
import org.sockcheck.spec.SockOpt;
import org.sockcheck.spec.SockType;
import org.sockcheck.spec.SocketRow;

/**
 * Replays a trace on an implementation, event by event, and judges what it
 * did. With a {@link Judge} (the spec) the verdict is the spec's: the run
 * goes on past a result that differs from the one written, and the observed
 * trace (the calls with the results the implementation gave) passes when
 * some behaviour of the spec explains it, fails at the first event none
 * explains. Without one, the first event that differs from the trace ends it
 * with FAIL. Whatever happens, the implementation is stopped at the end, so
 * the next trace starts clean.
 */
public final class Runner {
    private final Oracle oracle;
    private final Duration callTimeout;
    private final Judge judge;

    public Runner(Oracle oracle, Duration callTimeout) {
        this(oracle, callTimeout, null);
    }

    public Runner(Oracle oracle, Duration callTimeout, Judge judge) {
        this.oracle = oracle;
        this.callTimeout = callTimeout;
        this.judge = judge;
    }

    /** The first event whose result differs from the one written, and how. */
    private record Differs(Event event, Oracle.Judgement.Divergence how) {
    }

    public TraceResult run(Trace trace, Path base, Implementation impl) {
        long start = System.nanoTime();
        String file = trace.source();
        String feature = feature(base, file);
        List<Step> steps = new ArrayList<>();
        TraceSetup setup = new TraceSetup(trace.profile(), trace.hosts(), trace.processes(), TraceCheck.portLabels(trace),
                callTimeout);
        Verdict verdict = Verdict.PASS;
        String message = "";
        int failLine = 0;
        String tables = "";
        Event current = null;
        // The run as it happened, in the trace format: the trace's lines, the implementation's results.
        StringBuilder observed = new StringBuilder("# observed: " + file + " on " + impl.name() + "\nversion 1\nprofile "
                + trace.profile().name() + "\n");
        List<Integer> observedLines = new ArrayList<>();
        String observedTrace = "";
        List<Witnessed> witness = List.of();
        try {
            Addressing addressing = impl.start(setup);
            Oracle.Session session = oracle.begin(trace, addressing);
            Symbols symbols = session.symbols();
            Differs first = null;
            String notRun = "";
            for (Event e : trace.events()) {
                current = e;
                Oracle.Judgement j;
                String written = TraceText.line(e);
                String line;
                boolean blocked = false;
                if (e instanceof Event.Call c) {
                    ApiCall call;
                    try {
                        call = resolve(c, symbols);
                    } catch (IllegalArgumentException unbound) {
                        if (first == null) {
                            throw unbound;
                        }
                        // An allowed difference left a variable of the trace unbound: the rest cannot run.
                        notRun = "\n  lines " + e.line() + " on were not run: " + unbound.getMessage();
                        break;
                    }
                    Outcome o = impl.call(c.host(), c.process(), call);
                    j = session.call(c, o);
                    blocked = o instanceof Outcome.Blocked;
                    symbols.nameUnknownPorts(Symbols.endpoints(o));
                    line = c.host() + "." + c.process() + ": " + TraceText.callOnly(c) + " = " + symbols.render(o);
                } else {
                    Event.Observe ob = (Event.Observe) e;
                    List<SocketRow> rows = impl.observe(ob.host());
                    j = session.observe(ob, rows);
                    symbols.nameUnknownPorts(Symbols.endpoints(rows));
                    line = "observe " + ob.host() + ": " + symbols.render(rows);
                }
                switch (j) {
                    case Oracle.Judgement.Explained x -> {
                        steps.add(new Step(e.line(), written, expectedOf(e), x.observed(), true));
                        line = written; // as written: the same values under the trace's own names
                    }
                    case Oracle.Judgement.Divergence d -> {
                        steps.add(new Step(e.line(), written, d.expected(), d.observed(), false));
                        if (first == null) {
                            first = new Differs(e, d);
                        }
                    }
                }
                if (blocked || (first != null && judge == null)) {
                    break;
                }
                observed.append(line).append('\n');
                observedLines.add(e.line());
            }
            observedTrace = observed.toString();
            tables = tables(trace, impl, symbols);
            // Read back as a trace only for the judge, which validates it.
            Trace observedRun = judge == null ? null : parse(observedTrace);
            Judge.Decision decision = judge == null ? new Judge.Decision.Undecided("no judge")
                    : first != null && first.how().observed().startsWith("(no return") ? null : judge.decide(observedRun);
            switch (decision) {
                case null -> {
                    // The call did not return where the trace says it does: nothing to validate after it.
                    verdict = Verdict.FAIL;
                    failLine = first.event().line();
                    message = differs(file, first);
                }
                case Judge.Decision.Accepted a -> {
                    witness = a.witness();
                    if (first != null) {
                        // A result other than the one written, which the spec allows: it passes.
                        steps.replaceAll(st -> st.ok() ? st : new Step(st.line(), st.event(), st.expected(), st.observed(), true));
                        message = differs(file, first) + "\n  the spec allows this: the observed run is a behaviour of the spec"
                                + notRun;
                    }
                }
                case Judge.Decision.Rejected r -> {
                    witness = r.witness();
                    int index = 0;
                    while (index < observedRun.events().size() - 1 && observedRun.events().get(index).line() != r.line()) {
                        index++;
                    }
                    int at = observedLines.get(index);
                    Event e = trace.events().stream().filter(x -> x.line() == at).findFirst().orElseThrow();
                    Step st = steps.stream().filter(x -> x.line() == at).findFirst().orElseThrow();
                    // The step the spec rejects is the failing one; differences before it were allowed.
                    steps.replaceAll(x -> x.line() == at ? new Step(x.line(), x.event(), x.expected(), x.observed(), false)
                            : !x.ok() && x.line() < at ? new Step(x.line(), x.event(), x.expected(), x.observed(), true) : x);
                    verdict = Verdict.FAIL;
                    failLine = at;
                    message = file + ":" + at + ": " + eventOnly(e) + "\n  expected: " + st.expected() + "\n  observed: "
                            + st.observed() + "\n  no behaviour of the spec explains this; it allows: " + r.allowed()
                            + "\n  (searched " + r.searched() + " states" + (r.bounded() ? ", up to the search's bound)" : ")");
                }
                case Judge.Decision.Undecided u -> {
                    if (first != null) {
                        verdict = Verdict.FAIL;
                        failLine = first.event().line();
                        message = differs(file, first) + (judge == null ? "" : "\n  (judged by the results written: " + u.why() + ")");
                    }
                }
            }
        } catch (Implementation.Unsupported u) {
            verdict = Verdict.SKIP;
            message = where(file, current) + u.getMessage();
            failLine = current == null ? 0 : current.line();
        } catch (ImplementationException ex) {
            verdict = Verdict.ERROR;
            message = where(file, current) + ex.getMessage();
            failLine = current == null ? 0 : current.line();
        } catch (RuntimeException ex) {
            verdict = Verdict.ERROR;
            message = where(file, current) + "the implementation threw " + ex;
            failLine = current == null ? 0 : current.line();
        } finally {
            impl.stop();
        }
        long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        return new TraceResult(file, feature, trace.title(), impl.name(), verdict, message, failLine, steps, millis, tables,
                observedTrace, RunDiagram.of(trace, steps, witness, observedLines));
    }

    private static String differs(String file, Differs d) {
        return file + ":" + d.event().line() + ": " + eventOnly(d.event()) + "\n  expected: " + d.how().expected()
                + "\n  observed: " + d.how().observed()
                + (d.how().detail() == null || d.how().detail().isEmpty() ? "" : "\n  " + d.how().detail().replace("\n", "\n  "));
    }

    /** The observed run read back as a trace. */
    private static Trace parse(String text) {
        try {
            return TraceText.parse("observed.trace", text);
        } catch (org.sockcheck.harness.trace.TraceSyntaxException e) {
            throw new IllegalStateException("the observed run does not read back as a trace: " + e.getMessage(), e);
        }
    }

    private static String where(String file, Event e) {
        return e == null ? file + ": at start: " : file + ":" + e.line() + ": " + eventOnly(e) + ": ";
    }

    private static String eventOnly(Event e) {
        return switch (e) {
            case Event.Call c -> c.host() + "." + c.process() + ": " + TraceText.callOnly(c);
            case Event.Observe o -> "observe " + o.host();
        };
    }

    private static String expectedOf(Event e) {
        return switch (e) {
            case Event.Call c -> TraceText.expect(c.expect());
            case Event.Observe o -> TraceText.observe(o).replaceFirst("^observe [^:]+: ", "");
        };
    }

    /** The socket tables of every host at the end of the trace, for the report. */
    private static String tables(Trace trace, Implementation impl, Symbols symbols) {
        StringBuilder sb = new StringBuilder();
        for (String h : trace.hosts()) {
            try {
                sb.append("observe ").append(h).append(": ").append(symbols.render(impl.observe(h))).append('\n');
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

    /** The call an event makes, with the trace's names replaced by this implementation's addresses. */
    static ApiCall resolve(Event.Call c, Symbols s) {
        List<Arg> a = c.args();
        return switch (c.op()) {
            case "socket" -> new ApiCall.Socket(SockType.valueOf(name(a.get(1))), a.size() > 2 ? (int) num(a.get(2), s) : 0);
            case "bind" -> new ApiCall.Bind(fd(a, s), s.endpoint((Arg.Addr) a.get(1)));
            case "listen" -> new ApiCall.Listen(fd(a, s), (int) num(a.get(1), s));
            case "connect" -> new ApiCall.Connect(fd(a, s), s.endpoint((Arg.Addr) a.get(1)));
            case "accept" -> new ApiCall.Accept(fd(a, s));
            case "send" -> new ApiCall.Send(fd(a, s), ((Arg.Data) a.get(1)).bytes());
            case "recv" -> new ApiCall.Recv(fd(a, s), (int) num(a.get(1), s));
            case "sendto" -> new ApiCall.SendTo(fd(a, s), ((Arg.Data) a.get(1)).bytes(), s.endpoint((Arg.Addr) a.get(2)));
            case "recvfrom" -> new ApiCall.RecvFrom(fd(a, s), (int) num(a.get(1), s));
            case "shutdown" -> new ApiCall.Shutdown(fd(a, s), ShutdownHow.valueOf(name(a.get(1))));
            case "close" -> new ApiCall.Close(fd(a, s));
            case "getsockname" -> new ApiCall.GetSockName(fd(a, s));
            case "getpeername" -> new ApiCall.GetPeerName(fd(a, s));
            case "setsockopt" -> new ApiCall.SetSockOpt(fd(a, s), SockOpt.valueOf(name(a.get(1))), (int) num(a.get(2), s));
            case "dup" -> new ApiCall.Dup(fd(a, s));
            case "fork" -> new ApiCall.Fork(name(a.get(0)));
            case "exit" -> new ApiCall.Exit();
            default -> throw new IllegalArgumentException("unknown call " + c.op());
        };
    }

    private static int fd(List<Arg> a, Symbols s) {
        return (int) num(a.get(0), s);
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
