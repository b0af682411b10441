package org.sockcheck.harness.run;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sockcheck.harness.impl.Addressing;
import org.sockcheck.harness.trace.Arg;
import org.sockcheck.harness.trace.TraceText;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.SocketRow;

/**
 * The link between a trace's symbolic names and one implementation's real
 * addresses: hosts to IPv4 addresses, port labels to ports, and $variables
 * to the values they were bound to when they first appeared in a result.
 */
public final class Symbols {
    private final Addressing addressing;
    private final Map<Integer, Integer> labelByPort = new HashMap<>();
    private Map<String, Long> vars = new LinkedHashMap<>();

    /** The names of the trace's own variables: a port the trace has no name for is never given one of them. */
    private final java.util.Set<String> traceNames;

    /** Why a call that names an IPv6 address cannot be made: the implementation gave the hosts none. */
    public static final String NO_IPV6 = "IPv6: the implementation gave the trace's hosts IPv4 addresses only";

    public Symbols(Addressing addressing) {
        this(addressing, java.util.Set.of());
    }

    /** traceNames: the variables the trace names ({@link TraceCheck#variables}). */
    public Symbols(Addressing addressing, java.util.Set<String> traceNames) {
        this.traceNames = traceNames;
        this.addressing = addressing;
        addressing.ports().forEach((label, port) -> labelByPort.put(port, label));
    }

    public Map<String, Long> vars() {
        return vars;
    }

    Map<String, Long> snapshot() {
        return new LinkedHashMap<>(vars);
    }

    void restore(Map<String, Long> saved) {
        vars = saved;
    }

    /** The concrete endpoint an address argument of a call by host names; variables must be bound. */
    public Endpoint endpoint(String host, Arg.Addr a) {
        if (a.unix()) {
            return Endpoint.unix(addressing.unixName(host, a.path()));
        }
        return endpoint(a);
    }

    /** The concrete endpoint an IPv4 address argument names; variables must be bound. */
    public Endpoint endpoint(Arg.Addr a) {
        if (a.unspec()) {
            return Endpoint.UNSPEC;
        }
        String ip = addressing.ip(a.host());
        if (ip == null && org.sockcheck.spec.TraceHost.ipv6(a.host()) && addressing.hostIps6().isEmpty()) {
            throw new IllegalArgumentException(NO_IPV6 + " (" + a.host() + ")");
        }
        if (ip == null) {
            throw new IllegalArgumentException("unknown host " + a.host());
        }
        int port = switch (a.port()) {
            case Arg.Port.Label l -> addressing.ports().get(l.label());
            case Arg.Port.Var v -> (int) bound(v.name());
            case Arg.Port.Any any -> 0;
        };
        return new Endpoint(ip, port);
    }

    public long bound(String var) {
        Long v = vars.get(var);
        if (v == null) {
            throw new IllegalArgumentException("$" + var + " is used before a result binds it");
        }
        return v;
    }

    /** Whether a value matches a number or variable, binding the variable on first sight. */
    boolean match(Arg expected, long observed) {
        return switch (expected) {
            case Arg.Int i -> i.value() == observed;
            case Arg.Var v -> bindOrCompare(v.name(), observed);
            default -> false;
        };
    }

    private boolean bindOrCompare(String var, long observed) {
        Long have = vars.get(var);
        if (have == null) {
            vars.put(var, observed);
            return true;
        }
        return have == observed;
    }

    /** Whether a concrete endpoint (null for none) matches a symbolic address. */
    boolean match(Arg.Addr expected, Endpoint observed) {
        if (observed == null) {
            return !expected.unix() && expected.host() == null && expected.port() instanceof Arg.Port.Any;
        }
        if (expected.unix() || observed.unix()) {
            return expected.unix() && observed.unix() && expected.path().equals(addressing.traceName(observed.path()));
        }
        boolean hostOk = observed.ip().equals(addressing.ip(expected.host()));
        if (!hostOk) {
            return false;
        }
        return switch (expected.port()) {
            case Arg.Port.Label l -> addressing.ports().get(l.label()) == observed.port();
            // A variable names a port the stack picked, never one a label names: a label's port seen
            // there is the label (an accept that reports the listener's own port is wrong, not "$e1 = 80").
            case Arg.Port.Var v -> !labelByPort.containsKey(observed.port()) && bindOrCompare(v.name(), observed.port());
            case Arg.Port.Any any -> observed.port() == 0;
        };
    }

    /**
     * An endpoint in the trace's words: A:80, B:$e1, or B:~51234 for a port the trace has no name for; an
     * address of none of the trace's hosts as it is (127.0.0.1:51234).
     */
    public String render(Endpoint ep) {
        if (ep == null) {
            return "*:*";
        }
        if (ep.unix()) {
            return TraceText.quote(addressing.traceName(ep.path()).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        String host = ep.wildcardIp() ? "*" : addressing.traceHost(ep.ip());
        String port;
        if (!addressing.known(ep.ip())) {
            // An address of none of the trace's hosts: as it is, IP and port.
            port = Integer.toString(ep.port());
        } else if (ep.port() == 0) {
            port = "*";
        } else if (labelByPort.containsKey(ep.port())) {
            port = Integer.toString(labelByPort.get(ep.port()));
        } else {
            port = vars.entrySet().stream().filter(e -> e.getValue() == ep.port()).map(e -> "$" + e.getKey())
                    .findFirst().orElse("~" + ep.port());
        }
        return host + ":" + port;
    }

    public String render(Outcome o) {
        return switch (o) {
            case Outcome.Value v -> Long.toString(v.value());
            case Outcome.Failed f -> f.errno().name();
            case Outcome.Data d -> (d.length() < 0 ? "" : d.length() + " ") + TraceText.quote(d.data())
                    + (d.from() == null ? "" : " from " + render(d.from()));
            case Outcome.Accepted a -> a.fd() + " peer " + render(a.peer());
            case Outcome.Pair p -> "[" + p.fd1() + ", " + p.fd2() + "]";
            case Outcome.Message m -> TraceText.quote(m.data()) + (m.rights().isEmpty() ? "" : " rights " + m.rights())
                    + (m.creds() == null ? "" : " creds " + m.creds());
            case Outcome.Address a -> render(a.addr());
            case Outcome.Blocked b -> "blocks";
            case Outcome.Option v -> "[" + v.value() + "]";
            case Outcome.Polled p -> p.revents().stream().map(org.sockcheck.spec.Calls::pollText)
                    .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
        };
    }

    /** What a call gave, written as its line would write it (a poll's result names the descriptors asked for). */
    public String render(Outcome o, org.sockcheck.harness.trace.Event.Call call) {
        return o instanceof Outcome.Polled p ? TraceText.arg(polls(p, call)) : render(o);
    }

    /**
     * A poll's result as a trace writes it: the descriptors of the request,
     * in order, each with the events reported (an entry past the request's,
     * from an implementation that answered too many, numbered -1).
     */
    static Arg.Polls polls(Outcome.Polled p, org.sockcheck.harness.trace.Event.Call call) {
        List<Arg> fds = call != null && !call.args().isEmpty() && call.args().get(0) instanceof Arg.Polls asked
                ? asked.entries().stream().map(Arg.PollFd::fd).toList() : List.of();
        List<Arg.PollFd> out = new java.util.ArrayList<>();
        for (int i = 0; i < p.revents().size(); i++) {
            out.add(new Arg.PollFd(i < fds.size() ? fds.get(i) : new Arg.Int(-1),
                    org.sockcheck.spec.Calls.pollOrder(p.revents().get(i))));
        }
        return new Arg.Polls(List.copyOf(out));
    }

    public String render(SocketRow r) {
        if (r.unixState() != null) {
            return TraceText.row(row(r));
        }
        return r.proto().word() + " " + render(r.local()) + " " + render(r.remote())
                + (r.state() == null ? "" : " " + r.state().rfcName());
    }

    /**
     * Gives every port of these endpoints that the trace has no name for a
     * variable of its own, so an observed run can be written as a trace and
     * validated: $x1, $x2, ... in the order the run met them (a name of the
     * port's number, $x40123, made two runs that behaved alike two traces,
     * judged twice: the verdict cache never knew them).
     */
    void nameUnknownPorts(List<Endpoint> endpoints) {
        for (Endpoint ep : endpoints) {
            if (ep != null && ep.port() != 0 && !labelByPort.containsKey(ep.port())
                    && !vars.containsValue((long) ep.port())) {
                int n = 1;
                while (vars.containsKey("x" + n) || traceNames.contains("x" + n)) {
                    n++;
                }
                vars.put("x" + n, (long) ep.port());
            }
        }
    }

    static List<Endpoint> endpoints(Outcome o) {
        return switch (o) {
            case Outcome.Data d -> java.util.Collections.singletonList(d.from());
            case Outcome.Accepted a -> List.of(a.peer());
            case Outcome.Address a -> java.util.Collections.singletonList(a.addr());
            default -> List.of();
        };
    }

    static List<Endpoint> endpoints(List<SocketRow> rows) {
        List<Endpoint> out = new java.util.ArrayList<>();
        rows.forEach(r -> {
            out.add(r.local());
            out.add(r.remote());
        });
        return out;
    }

    public String render(List<SocketRow> rows) {
        return rows.isEmpty() ? "none" : String.join("; ", rows.stream().map(this::render).toList());
    }

    /**
     * An endpoint as an address of a trace: the trace's host, or the literal
     * IP of an address that is none of them (127.0.0.1 where the hosts are
     * 127.X.Y.Z); its port label, variable, or a variable of its own
     * ($x1) for a port the trace has no name for.
     */
    Arg.Addr addr(Endpoint ep) {
        if (ep == null) {
            return new Arg.Addr(null, new Arg.Port.Any());
        }
        if (ep.unix()) {
            return Arg.Addr.unix(addressing.traceName(ep.path()));
        }
        nameUnknownPorts(java.util.Collections.singletonList(ep));
        String host = addressing.traceHost(ep.ip());
        Arg.Port port;
        if (ep.port() == 0) {
            port = new Arg.Port.Any();
        } else if (labelByPort.containsKey(ep.port())) {
            port = new Arg.Port.Label(labelByPort.get(ep.port()));
        } else {
            port = new Arg.Port.Var(vars.entrySet().stream().filter(e -> e.getValue() == ep.port()).map(Map.Entry::getKey)
                    .findFirst().orElseThrow());
        }
        return new Arg.Addr(host, port);
    }

    /** What a call gave, as the result of a trace line. */
    org.sockcheck.harness.trace.Event.Expect expect(Outcome o, org.sockcheck.harness.trace.Event.Call call) {
        return switch (o) {
            case Outcome.Polled p -> new org.sockcheck.harness.trace.Event.Expect.Returns(polls(p, call), null);
            case Outcome.Value v -> new org.sockcheck.harness.trace.Event.Expect.Returns(new Arg.Int(v.value()), null);
            case Outcome.Failed f -> new org.sockcheck.harness.trace.Event.Expect.Fails(f.errno().name());
            case Outcome.Data d -> new org.sockcheck.harness.trace.Event.Expect.Returns(new Arg.Data(d.data(), d.length()),
                    d.from() == null ? null : addr(d.from()));
            case Outcome.Accepted a -> new org.sockcheck.harness.trace.Event.Expect.Returns(new Arg.Int(a.fd()), addr(a.peer()));
            case Outcome.Pair p -> new org.sockcheck.harness.trace.Event.Expect.Returns(
                    new Arg.Pair(new Arg.Int(p.fd1()), new Arg.Int(p.fd2())), null);
            case Outcome.Address a -> new org.sockcheck.harness.trace.Event.Expect.Returns(addr(a.addr()), null);
            case Outcome.Message m -> new org.sockcheck.harness.trace.Event.Expect.Returns(new Arg.Message(new Arg.Data(m.data(), -1),
                    new Arg.Fds(m.rights().stream().<Arg>map(fd -> new Arg.Int(fd)).toList()), m.creds()), null);
            case Outcome.Blocked b -> new org.sockcheck.harness.trace.Event.Expect.Blocks();
            case Outcome.Option v -> new org.sockcheck.harness.trace.Event.Expect.Returns(new Arg.Name("[" + v.value() + "]"), null);
        };
    }

    /** An observed row as a row of a trace, every field as the implementation gave it. */
    org.sockcheck.harness.trace.Event.Row row(SocketRow r) {
        if (r.unixState() != null) {
            return org.sockcheck.harness.trace.Event.Row.unix(r.type(), addressing.traceName(r.local().path()), r.unixState());
        }
        return new org.sockcheck.harness.trace.Event.Row(r.proto(), addr(r.local()), addr(r.remote()), r.state());
    }
}
