package org.sockcheck.harness.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.sockcheck.harness.impl.Addressing;
import org.sockcheck.harness.trace.Arg;
import org.sockcheck.harness.trace.Event;
import org.sockcheck.harness.trace.Event.Expect;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.harness.trace.TraceText;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.SocketRow;

/**
 * Compares each event with the result written in the trace, for the steps
 * of the report and to bind the trace's variables; the verdict is the
 * spec's ({@link Judge}). Symbolic values are honoured: a $variable
 * matches any value the first time and that value after; socket-table rows
 * match in any order.
 */
public final class ExpectedResults implements Oracle {

    @Override
    public Session begin(Trace trace, Addressing addressing) {
        Symbols symbols = new Symbols(addressing, TraceCheck.variables(trace));
        return new Session() {
            @Override
            public Judgement call(Event.Call event, Outcome observed) {
                String seen = symbols.render(observed, event);
                String expected = TraceText.expect(event.expect());
                Map<String, Long> saved = symbols.snapshot();
                if (matches(symbols, event.expect(), observed)) {
                    return new Judgement.Explained(symbols.render(observed, event));
                }
                symbols.restore(saved);
                bindWhatFits(symbols, event.expect(), observed);
                return new Judgement.Divergence(expected, seen, null);
            }

            @Override
            public Judgement observe(Event.Observe event, List<SocketRow> observed) {
                Map<String, Long> saved = symbols.snapshot();
                if (observed.size() == event.rows().size() && assign(symbols, event.rows(), 0, new ArrayList<>(observed))) {
                    return new Judgement.Explained(symbols.render(observed));
                }
                symbols.restore(saved);
                return new Judgement.Divergence(TraceText.observe(event).replaceFirst("^observe [^:]+: ", ""),
                        symbols.render(observed), difference(symbols, event.rows(), observed));
            }

            @Override
            public Symbols symbols() {
                return symbols;
            }
        };
    }

    private static boolean matches(Symbols s, Expect expect, Outcome observed) {
        return switch (expect) {
            case Expect.Blocks b -> observed instanceof Outcome.Blocked;
            case Expect.Fails f -> observed instanceof Outcome.Failed o && o.errno().name().equals(f.errno());
            case Expect.Returns r -> switch (observed) {
                case Outcome.Value v -> r.address() == null && s.match(r.value(), v.value());
                case Outcome.Accepted a -> r.address() != null && s.match(r.value(), a.fd()) && s.match(r.address(), a.peer());
                case Outcome.Data d -> r.value() instanceof Arg.Data want && java.util.Arrays.equals(want.bytes(), d.data())
                        && want.length() == d.length()
                        && (r.address() == null ? d.from() == null : s.match(r.address(), d.from()));
                case Outcome.Address a -> r.value() instanceof Arg.Addr want && s.match(want, a.addr());
                case Outcome.Message m -> r.value() instanceof Arg.Message want && r.address() == null
                        && java.util.Arrays.equals(want.data().bytes(), m.data()) && want.rights().fds().size() == m.rights().size()
                        && java.util.Objects.equals(want.creds(), m.creds())
                        && java.util.stream.IntStream.range(0, m.rights().size())
                                .allMatch(i -> s.match(want.rights().fds().get(i), m.rights().get(i)));
                case Outcome.Pair p -> r.value() instanceof Arg.Pair want && r.address() == null
                        && s.match(want.first(), p.fd1()) && s.match(want.second(), p.fd2());
                case Outcome.Option o -> r.value() instanceof Arg.Name n && (n.name().equals("[" + o.value() + "]")
                        // A buffer size written as a variable: the stack's own size, the same each time it is named.
                        || n.optionVariable() != null && o.value().matches("-?[0-9]+")
                        && s.match(new Arg.Var(n.optionVariable()), Long.parseLong(o.value())));
                case Outcome.Polled p -> r.value() instanceof Arg.Polls want && want.entries().size() == p.revents().size()
                        && java.util.stream.IntStream.range(0, p.revents().size()).allMatch(i ->
                                java.util.Set.copyOf(want.entries().get(i).events()).equals(p.revents().get(i)));
                case Outcome.Failed f -> false;
                case Outcome.Blocked b -> false;
            };
        };
    }

    /**
     * After a divergence, binds the variables of the parts that do match
     * (the descriptor of an accept whose peer differs, say), so the run can
     * go on and the spec judge what happened.
     */
    private static void bindWhatFits(Symbols s, Expect expect, Outcome observed) {
        if (!(expect instanceof Expect.Returns r)) {
            return;
        }
        Map<String, Long> saved = s.snapshot();
        boolean ok = switch (observed) {
            case Outcome.Value v -> r.address() == null && s.match(r.value(), v.value());
            case Outcome.Accepted a -> s.match(r.value(), a.fd());
            default -> false;
        };
        if (!ok) {
            s.restore(saved);
        }
        Map<String, Long> before = s.snapshot();
        if (!(observed instanceof Outcome.Accepted a && r.address() != null && s.match(r.address(), a.peer()))) {
            s.restore(before);
        }
    }

    /** Finds an order of the observed rows that matches the expected ones, binding variables as it goes. */
    private static boolean assign(Symbols s, List<Event.Row> expected, int i, List<SocketRow> left) {
        if (i == expected.size()) {
            return left.isEmpty();
        }
        Event.Row want = expected.get(i);
        for (int j = 0; j < left.size(); j++) {
            SocketRow have = left.get(j);
            Map<String, Long> saved = s.snapshot();
            if (rowMatches(s, want, have)) {
                List<SocketRow> rest = new ArrayList<>(left);
                rest.remove(j);
                if (assign(s, expected, i + 1, rest)) {
                    return true;
                }
            }
            s.restore(saved);
        }
        return false;
    }

    private static boolean rowMatches(Symbols s, Event.Row want, SocketRow have) {
        if (want.unixState() != null || have.unixState() != null) {
            // A Unix socket's row (S20): its type, name and state; it has no remote end.
            return want.type() == have.type() && want.unixState() == have.unixState() && s.match(want.local(), have.local());
        }
        return want.proto() == have.proto() && want.state() == have.state()
                && s.match(want.local(), have.local()) && s.match(want.remote(), have.remote());
    }

    /** Which expected rows found no partner and which observed rows were not expected (greedy, for the message). */
    private static String difference(Symbols s, List<Event.Row> expected, List<SocketRow> observed) {
        Map<String, Long> saved = s.snapshot();
        List<SocketRow> left = new ArrayList<>(observed);
        List<String> missing = new ArrayList<>();
        for (Event.Row want : expected) {
            boolean found = false;
            for (int j = 0; j < left.size() && !found; j++) {
                Map<String, Long> before = s.snapshot();
                if (rowMatches(s, want, left.get(j))) {
                    left.remove(j);
                    found = true;
                } else {
                    s.restore(before);
                }
            }
            if (!found) {
                missing.add(TraceText.row(want));
            }
        }
        s.restore(saved);
        StringBuilder sb = new StringBuilder();
        if (!missing.isEmpty()) {
            sb.append("missing: ").append(String.join("; ", missing));
        }
        if (!left.isEmpty()) {
            sb.append(sb.isEmpty() ? "" : "\n").append("unexpected: ").append(s.render(left));
        }
        return sb.toString();
    }
}
