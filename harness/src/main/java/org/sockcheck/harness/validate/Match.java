package org.sockcheck.harness.validate;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.sockcheck.harness.gen.Render;
import org.sockcheck.harness.gen.Render.SpecRow;
import org.sockcheck.harness.trace.Arg;
import org.sockcheck.harness.trace.Event;
import org.sockcheck.spec.Calls;
import org.sockcheck.spec.tlc.SpecBridge;

/**
 * Whether what a trace says a call returned, or what a table held, is what
 * the spec's step recorded; binding the trace's variables on the way. Each
 * method returns the variables after the match, or null when it does not
 * match.
 */
final class Match {
    private Match() {
    }

    static Map<String, Object> result(Event.Call call, Object ret, Map<String, Object> vars) {
        if (Validator.outside(ret)) {
            return null; // no result of a call is the spec's word for a call it cannot follow
        }
        boolean errno = Render.isErrno(ret);
        switch (call.expect()) {
            case Event.Expect.Blocks b -> {
                return null; // a call that returned did not block
            }
            case Event.Expect.Fails f -> {
                return errno && f.errno().equals(ret) ? vars : null;
            }
            case Event.Expect.Returns r -> {
                if (errno) {
                    return null;
                }
                return switch (Calls.ALL.get(call.op()).result()) {
                    case DESCRIPTOR -> value(r.value(), ret, vars);
                    // socketpair: the spec records <<f, g>>.
                    case PAIR -> {
                        if (!(r.value() instanceof Arg.Pair pair) || !(ret instanceof List<?> fds) || fds.size() != 2) {
                            yield null;
                        }
                        Map<String, Object> b = value(pair.first(), fds.get(0), vars);
                        yield b == null ? null : value(pair.second(), fds.get(1), b);
                    }
                    case FD_PEER -> {
                        Map<?, ?> m = (Map<?, ?>) ret;
                        Map<String, Object> b = value(r.value(), m.get("fd"), vars);
                        yield b == null ? null : address(r.address(), (List<?>) m.get("peer"), b);
                    }
                    case SENT -> value(r.value(), ret, vars);
                    case DATA, DATA_FROM -> data(r, ret, vars);
                    // recvmsg: the spec records [data |-> bytes, rights |-> <<f, ...>>, creds |-> <<>> or <<c>>], the
                    // descriptors it gave and the credentials it showed.
                    case MESSAGE -> {
                        if (!(r.value() instanceof Arg.Message m) || !(ret instanceof Map<?, ?> got)
                                || !SpecBridge.data(m.data().bytes()).equals(got.get("data")) || !(got.get("rights") instanceof List<?> fds)
                                || fds.size() != m.rights().fds().size() || !(got.get("creds") instanceof List<?> creds)
                                || !(m.creds() == null ? creds.isEmpty() : creds.size() == 1 && m.creds().equals(String.valueOf(creds.get(0))))) {
                            yield null;
                        }
                        Map<String, Object> b = vars;
                        for (int i = 0; i < fds.size() && b != null; i++) {
                            b = value(m.rights().fds().get(i), fds.get(i), b);
                        }
                        yield b;
                    }
                    case ADDR -> r.value() instanceof Arg.Addr a ? address(a, (List<?>) ret, vars) : null;
                    // The spec records 0 or the errno's name; the trace writes it in brackets.
                    case OPTVAL -> r.value() instanceof Arg.Name n && ret instanceof Map<?, ?> m
                            && (n.name().equals("[" + Calls.optionText(m.get("value")) + "]") || inRange(n, m.get("value")))
                            ? vars : null;
                    // The spec records [revents |-> <<events, ...>>], one set an entry of the request.
                    case POLL -> r.value() instanceof Arg.Polls want && ret instanceof Map<?, ?> m
                            && polls(want, Render.seq(m.get("revents"))) ? vars : null;
                    // The spec records 0 (fork: the child's name); the call gives 0.
                    case ZERO -> r.value() instanceof Arg.Int i && i.value() == 0 ? vars : null;
                };
            }
        }
    }

    /**
     * A buffer size written [20000] against the range the spec gives, or
     * written [$b] (the stack's own size, which later lines may name again):
     * any size of the range.
     */
    private static boolean inRange(Arg.Name written, Object range) {
        if (written.optionVariable() != null) {
            return range instanceof Map<?, ?> m && m.containsKey("lo");
        }
        try {
            return Calls.inRange(range, Long.parseLong(written.name().substring(1, written.name().length() - 1)));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean polls(Arg.Polls want, List<?> spec) {
        if (want.entries().size() != spec.size()) {
            return false;
        }
        for (int i = 0; i < spec.size(); i++) {
            if (!Set.copyOf(want.entries().get(i).events()).equals(Set.copyOf((java.util.Collection<?>) spec.get(i)))) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, Object> data(Event.Expect.Returns r, Object ret, Map<String, Object> vars) {
        // MSG_TRUNC on a stream: the spec records how many bytes the call took (it copied none).
        if (r.value() instanceof Arg.Int n) {
            return r.address() == null && ret instanceof Integer k && k == n.value() ? vars : null;
        }
        if (!(r.value() instanceof Arg.Data d)) {
            return null;
        }
        // The spec records [data |-> bytes] (zero bytes for end of file), with from |-> sender for a datagram,
        // and with MSG_TRUNC len |-> the datagram's whole length.
        if (!(ret instanceof Map<?, ?> got) || !SpecBridge.data(d.bytes()).equals(got.get("data"))) {
            return null;
        }
        long returned = got.get("len") instanceof Integer len ? len : d.bytes().length;
        if (returned != d.returned()) {
            return null;
        }
        return r.address() == null ? vars : address(r.address(), (List<?>) got.get("from"), vars);
    }

    /** A number or a variable against a spec integer. */
    private static Map<String, Object> value(Arg written, Object spec, Map<String, Object> vars) {
        return switch (written) {
            case Arg.Int i -> Objects.equals((long) (Integer) spec, i.value()) ? vars : null;
            case Arg.Var v -> bind(v.name(), spec, vars);
            default -> null;
        };
    }

    /** An address of the trace against the spec's <<ip, port>>. */
    static Map<String, Object> address(Arg.Addr a, List<?> spec, Map<String, Object> vars) {
        if (a == null || spec == null) {
            return null;
        }
        if (a.unix()) {
            // A Unix name: the spec records <<path, 0>> (UnixName in Unix.tla).
            return a.path().equals(spec.get(0)) && Integer.valueOf(0).equals(spec.get(1)) ? vars : null;
        }
        String ip = (String) spec.get(0);
        Object port = spec.get(1);
        String host = a.host() == null ? "*" : a.host();
        if (!host.equals(ip)) {
            return null;
        }
        return port(a.port(), port, vars);
    }

    private static Map<String, Object> port(Arg.Port written, Object spec, Map<String, Object> vars) {
        return switch (written) {
            case Arg.Port.Label l -> Objects.equals(spec, l.label()) ? vars : null;
            case Arg.Port.Any any -> Integer.valueOf(0).equals(spec) ? vars : null;
            case Arg.Port.Var v -> bind(v.name(), spec, vars);
        };
    }

    private static Map<String, Object> bind(String var, Object value, Map<String, Object> vars) {
        Object bound = vars.get(var);
        if (bound != null) {
            return bound.equals(value) ? vars : null;
        }
        Map<String, Object> out = new HashMap<>(vars);
        out.put(var, value);
        return out;
    }

    static String renderRows(SpecBridge spec, String host, SpecBridge.State s) {
        List<SpecRow> rows = Render.rows(spec, host, s);
        return "observe " + host + ": " + (rows.isEmpty() ? "none" : String.join("; ", rows.stream().map(SpecRow::toString).toList()));
    }

    /**
     * The observation against the spec's table of the host: the same rows, in
     * any order. Every binding of the variables that fits, since rows that
     * look alike (two listeners on ports the trace has not named yet) can be
     * matched either way and only later events tell which was meant.
     */
    static Set<Map<String, Object>> rows(SpecBridge spec, Event.Observe obs, SpecBridge.State s,
                                                   Map<String, Object> vars) {
        List<SpecRow> table = Render.rows(spec, obs.host(), s);
        Set<Map<String, Object>> out = new LinkedHashSet<>();
        if (table.size() == obs.rows().size()) {
            assign(obs.rows(), 0, table, new boolean[table.size()], vars, out);
        }
        return out;
    }

    private static void assign(List<Event.Row> rows, int i, List<SpecRow> table, boolean[] used,
                               Map<String, Object> vars, Set<Map<String, Object>> out) {
        if (i == rows.size()) {
            out.add(vars);
            return;
        }
        Event.Row want = rows.get(i);
        for (int k = 0; k < table.size(); k++) {
            if (used[k]) {
                continue;
            }
            Map<String, Object> b = row(want, table.get(k), vars);
            if (b != null) {
                used[k] = true;
                assign(rows, i + 1, table, used, b, out);
                used[k] = false;
            }
        }
    }

    private static Map<String, Object> row(Event.Row want, SpecRow have, Map<String, Object> vars) {
        if (!want.proto().word().equals(have.proto())) {
            return null;
        }
        if (have.unix()) {
            // A Unix socket's row (S20): its type, its name and its state, as /proc/net/unix shows them.
            return want.type() != null && want.type().name().equals(have.type()) && want.unixState() != null
                    && want.unixState().name().equals(have.state()) && want.local().unix()
                    && want.local().path().equals(have.lip()) ? vars : null;
        }
        // Every field counts: a UDP or raw row has no state (S12), and one observed with a state matches no row.
        if (!Objects.equals(want.state() == null ? null : want.state().rfcName(), have.state())) {
            return null;
        }
        Map<String, Object> b = address(want.local(), List.of(have.lip(), have.lport()), vars);
        if (b == null) {
            return null;
        }
        boolean noRemote = want.remote().host() == null && want.remote().port() instanceof Arg.Port.Any;
        if (have.rip() == null) {
            return noRemote ? b : null;
        }
        return noRemote ? null : address(want.remote(), List.of(have.rip(), have.rport()), b);
    }
}
