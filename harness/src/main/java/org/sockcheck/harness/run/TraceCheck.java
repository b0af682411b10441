package org.sockcheck.harness.run;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.sockcheck.harness.trace.Arg;
import org.sockcheck.harness.trace.Event;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.harness.trace.TraceSyntaxException;
import org.sockcheck.harness.trace.TraceText;

/**
 * Checks that go beyond the grammar, made before anything runs: every
 * $variable used in an argument was bound by an earlier result, an address
 * in an argument names a host of the trace (a literal IP such as 127.0.0.1
 * appears only in results: sockcheck sends nowhere but to the hosts it made),
 * and a call that blocks is the last event (trace format 1; in format 2 it
 * returns later, which the readers check).
 */
public final class TraceCheck {
    private TraceCheck() {
    }

    /**
     * How large a trace may be: events, processes (each a part of the spec's
     * model, whose search grows with it) and bytes of its file. Hosts are
     * bounded by the address plan ({@link org.sockcheck.harness.impl.Loopback#MAX_HOSTS}).
     */
    public record Limits(int events, int processes, long bytes) {
        public static final int EVENTS = 200_000;
        public static final int PROCESSES = 64;
        /** The file size TraceFiles reads by default, in MiB. */
        public static final int MIB = (int) (org.sockcheck.harness.trace.TraceFiles.MAX_BYTES >> 20);
        public static final Limits DEFAULT = new Limits(EVENTS, PROCESSES, org.sockcheck.harness.trace.TraceFiles.MAX_BYTES);
    }

    public static void check(Trace t) throws TraceSyntaxException {
        check(t, Limits.DEFAULT);
    }

    public static void check(Trace t, Limits limits) throws TraceSyntaxException {
        Set<String> bound = new HashSet<>();
        Set<String> hosts = new HashSet<>();
        Set<String> processes = new HashSet<>();
        List<Event> events = t.events();
        int count = 0;
        for (Event e : events) {
            if (++count > limits.events()) {
                throw new TraceSyntaxException(t.source(), e.line(), 1, "at most " + limits.events() + " events",
                        "event " + count, "give --max-events N to allow more, or split the trace");
            }
            names(t, e, hosts);
            if (e instanceof Event.Call c) {
                processes.add(c.host() + "." + c.process());
                for (Arg a : c.args()) {
                    if (a instanceof Arg.Name child && c.op().equals("fork")) {
                        processes.add(c.host() + "." + child.name());
                    }
                }
                if (processes.size() > limits.processes()) {
                    throw new TraceSyntaxException(t.source(), e.line(), 1, "at most " + limits.processes()
                            + " processes", "process " + processes.size(), "give --max-processes N to allow more;"
                            + " each process is a part of the spec's model, whose search grows with it");
                }
                if (t.version() < 2 && c.expect() instanceof Event.Expect.Blocks && e != events.get(events.size() - 1)) {
                    throw new TraceSyntaxException(t.source(), c.line(), 1, "a call that blocks as the last event",
                            "events after it", "in trace format 1 a process that waits in a call ends the trace;"
                                    + " in format 2 ('version 2') it returns later: 'A.p1: recv returns \"hi\"'");
                }
                for (Arg a : c.args()) {
                    String named = a instanceof Arg.Addr ad && !ad.unix() && !ad.unspec()
                            ? org.sockcheck.spec.TraceHost.host(ad.host()) : null;
                    if (named != null && (named.isEmpty() || !Character.isUpperCase(named.charAt(0)))) {
                        throw new TraceSyntaxException(t.source(), c.line(), 1, "an address of a host of the trace (A:80, [A]:80)",
                                ((Arg.Addr) a).host(), "a literal IP address appears only in what an implementation answered;"
                                        + " calls go to the trace's hosts, which sockcheck places itself");
                    }
                    List<String> uses = switch (a) {
                        case Arg.Var v -> List.of(v.name());
                        case Arg.Addr ad when ad.port() instanceof Arg.Port.Var pv -> List.of(pv.name());
                        case Arg.Polls ps -> ps.entries().stream().filter(x -> x.fd() instanceof Arg.Var)
                                .map(x -> ((Arg.Var) x.fd()).name()).toList();
                        case Arg.Fds fs -> fs.fds().stream().filter(x -> x instanceof Arg.Var).map(x -> ((Arg.Var) x).name()).toList();
                        default -> List.of();
                    };
                    for (String used : uses) {
                        if (!bound.contains(used)) {
                            throw new TraceSyntaxException(t.source(), c.line(), 1, "$" + used + " bound by an earlier result",
                                    "its first use in an argument", "a variable gets its value where it first appears in a result,"
                                            + " like 'accept(3) = 4 peer B:$e1'");
                        }
                    }
                }
            }
            bind(e, bound);
        }
    }

    /**
     * The variables a trace names: those its results bind (a checked trace
     * uses no other).
     */
    public static Set<String> variables(Trace t) {
        Set<String> bound = new HashSet<>();
        t.events().forEach(e -> bind(e, bound));
        return bound;
    }

    /** Adds the variables event e binds: those in its result, or in the rows it observes. */
    private static void bind(Event e, Set<String> bound) {
        Event.Expect expect = e instanceof Event.Call c ? c.expect() : e instanceof Event.Return r ? r.expect() : null;
        if (expect instanceof Event.Expect.Returns v) {
            collect(v.value(), bound);
            if (v.address() != null) {
                collect(v.address(), bound);
            }
        } else if (e instanceof Event.Observe o) {
            for (Event.Row row : o.rows()) {
                collect(row.local(), bound);
                collect(row.remote(), bound);
            }
        }
    }

    private static final java.util.regex.Pattern PROCESS = java.util.regex.Pattern.compile("[A-Za-z0-9_]{1,64}");

    /**
     * The host and process names of every event, checked as {@link #check}
     * does (the JSON form checks them first: any string can be a JSON name).
     */
    public static void names(Trace t) throws TraceSyntaxException {
        Set<String> seen = new HashSet<>();
        for (Event e : t.events()) {
            names(t, e, seen);
        }
    }

    /**
     * Host and process names as the grammar writes them (both forms: the
     * JSON form takes any string): a host is a capital letter and ASCII
     * letters, digits and _, and no TLA+ keyword, since the spec's model
     * names it; a process is ASCII letters, digits and _. seen: the hosts
     * so far, at most as many as an address block holds.
     */
    private static void names(Trace t, Event e, Set<String> seen) throws TraceSyntaxException {
        List<String> hosts = new java.util.ArrayList<>(List.of(e.host()));
        List<String> procs = new java.util.ArrayList<>();
        if (e instanceof Event.Return r) {
            procs.add(r.process());
            procs.add(r.thread());
        }
        if (e instanceof Event.Call c) {
            procs.add(c.process());
            procs.add(c.thread());
            for (Arg a : c.args()) {
                if (a instanceof Arg.Addr ad && ad.host() != null && !ad.unspec() && Character.isUpperCase(ad.host().charAt(0))) {
                    hosts.add(ad.host());
                }
                if (a instanceof Arg.Name n && c.op().equals("fork")) {
                    procs.add(n.name());
                }
            }
        }
        for (String h : hosts) {
            if (!org.sockcheck.harness.validate.Models.hostName(h)) {
                throw new TraceSyntaxException(t.source(), e.line(), 1, "a host name: a capital letter, then ASCII letters,"
                        + " digits or _ (at most 64), and not a TLA+ keyword", "'" + TraceText.shortened(h) + "'",
                        "hosts read like A, B, Server");
            }
            if (seen.add(h) && seen.size() > org.sockcheck.harness.impl.Loopback.MAX_HOSTS) {
                throw new TraceSyntaxException(t.source(), e.line(), 1, "at most " + org.sockcheck.harness.impl.Loopback.MAX_HOSTS
                        + " hosts", "host " + seen.size() + ", " + h, "each host gets one address of a /24 block"
                        + " of 127.0.0.0/8 (or 192.0.2.0/24 on ref)");
            }
        }
        for (String p : procs) {
            if (!PROCESS.matcher(p).matches()) {
                throw new TraceSyntaxException(t.source(), e.line(), 1, "a process or thread name of ASCII letters,"
                        + " digits or _ (at most 64)", "'" + TraceText.shortened(p) + "'", "processes read like p1, server;"
                        + " threads like t2, reader");
            }
        }
    }

    private static void collect(Arg a, Set<String> bound) {
        switch (a) {
            case Arg.Var v -> bound.add(v.name());
            case Arg.Addr ad when ad.port() instanceof Arg.Port.Var pv -> bound.add(pv.name());
            case Arg.Message m -> m.rights().fds().forEach(fd -> collect(fd, bound));
            default -> { }
        }
    }

    /** Port labels in order of first appearance. */
    public static List<Integer> portLabels(Trace t) {
        Set<Integer> labels = new java.util.LinkedHashSet<>();
        for (Event e : t.events()) {
            if (e instanceof Event.Call c) {
                c.args().forEach(a -> label(a, labels));
                if (c.expect() instanceof Event.Expect.Returns r) {
                    label(r.value(), labels);
                    if (r.address() != null) {
                        label(r.address(), labels);
                    }
                }
            } else if (e instanceof Event.Return ret && ret.expect() instanceof Event.Expect.Returns r) {
                label(r.value(), labels);
                if (r.address() != null) {
                    label(r.address(), labels);
                }
            } else if (e instanceof Event.Observe o) {
                o.rows().forEach(r -> {
                    label(r.local(), labels);
                    label(r.remote(), labels);
                });
            }
        }
        return List.copyOf(labels);
    }

    private static void label(Arg a, Set<Integer> labels) {
        if (a instanceof Arg.Addr ad && ad.port() instanceof Arg.Port.Label l) {
            labels.add(l.label());
        }
    }

    /**
     * Whether a call is one of IPv6 (the trace's words for {@link org.sockcheck.spec.ApiCall#inet6}): it opens an
     * INET6 socket, names an address in IPv6's form ([A], [::ffff:A], [::]) or IPV6_V6ONLY.
     */
    public static boolean inet6(Event.Call c) {
        return c.args().stream().anyMatch(a -> switch (a) {
            case Arg.Name n -> n.name().equals(org.sockcheck.spec.Domain.INET6.name())
                    || n.name().equals(org.sockcheck.spec.SockOpt.IPV6_V6ONLY.name());
            case Arg.Addr ad -> !ad.unix() && !ad.unspec() && org.sockcheck.spec.TraceHost.ipv6(ad.host());
            default -> false;
        });
    }
}
