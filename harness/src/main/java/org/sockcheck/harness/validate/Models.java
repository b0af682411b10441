package org.sockcheck.harness.validate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.sockcheck.harness.trace.Arg;
import org.sockcheck.harness.trace.Event;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.spec.Calls;
import org.sockcheck.spec.tlc.SpecBridge;

/**
 * A trace in the spec's terms, and the spec's constants a set of traces
 * needs.
 *
 * <p>The spec's processes are named by the judge, not by the trace: on each
 * host, the k-th process that starts by itself is {@code pk}, the k-th that
 * fork starts is {@code ck} (a name in the spec's Unborn, not alive until
 * forked). So a trace's process that calls again after its exit is a new
 * process of the spec, as it is a new process of the implementation, and any
 * word a trace uses for a process is fine. Data are strings of the spec,
 * one character a byte (SpecBridge.data), so any bytes can be sent and a stream
 * is counted in bytes. A model holds one datum and one recv size: the spec
 * evaluates a send or a recv with the trace's own data and size (SpecBridge's
 * direct parameters), so the models need not enumerate them, and the traces
 * of a corpus share small models.
 *
 * <p>The bounds of a model (descriptors, socket-table entries, ephemeral
 * ports) are sized from the traces so that no trace can run out of them: a
 * limit of the model must never show as a verdict about an implementation.
 */
public final class Models {
    private Models() {
    }

    /** TLA+'s reserved words, which cannot name a model value. */
    private static final Set<String> RESERVED = Set.of("ASSUME", "ASSUMPTION", "AXIOM", "CASE", "CHOOSE", "CONSTANT",
            "CONSTANTS", "DOMAIN", "ELSE", "ENABLED", "EXCEPT", "EXTENDS", "IF", "IN", "INSTANCE", "LET", "LOCAL",
            "MODULE", "OTHER", "SF_", "SUBSET", "THEN", "THEOREM", "UNCHANGED", "UNION", "VARIABLE", "VARIABLES",
            "WF_", "WITH", "TRUE", "FALSE", "BOOLEAN", "STRING", "LAMBDA", "ACTION", "BY", "HAVE", "OBVIOUS", "OMITTED",
            "PROOF", "PROVE", "QED", "RECURSIVE", "STATE", "TAKE", "TEMPORAL", "USE", "WITNESS", "DEF", "DEFS",
            "DEFINE", "HIDE", "NEW", "PICK", "SUFFICES", "LEMMA", "PROPOSITION", "COROLLARY", "ONLY", "ANY", "NoHost",
            "NoSid", "Proc", "Hosts", "Procs", "Unborn", "Ports", "Data", "Fds", "Sids", "Profile", "RecvSizes", "Bridge",
            "BridgeData", "BridgeProtocols", "BridgeHosts", "BridgeNamedPorts", "Protocols", "ProtocolMax", "Unmodelled", "Unmodelled6");
    /** A host's name: a capital letter, then ASCII letters, digits or _ (at most 64 in all). */
    /** The spec's actions that may give an unbound socket an ephemeral port. */
    private static final Set<String> AUTOBINDS = Set.of("Bind", "Listen", "Connect", "Send", "SendTo");

    /**
     * The trace with the spec's process names (pk and ck, as the class
     * says). Line numbers stay.
     *
     * @throws NotATrace when the trace forks into a process that is running
     */
    public static Trace forSpec(Trace t) {
        Map<String, Map<String, String>> live = new HashMap<>();
        Map<String, int[]> counts = new HashMap<>();
        List<Trace.Line> lines = new ArrayList<>(t.lines().size());
        // Threads by process as the trace names them: main stays (the spec's t1), the others are t2, t3, ... in order.
        Map<String, Map<String, String>> threads = new HashMap<>();
        java.util.function.BiFunction<String, Event.Call, String> thread = (proc, c) -> {
            Map<String, String> of = threads.computeIfAbsent(c.host() + "." + proc, k -> new HashMap<>(
                    Map.of(Event.MAIN, Event.MAIN)));
            return of.computeIfAbsent(c.thread(), k -> "t" + (of.size() + 1));
        };
        Map<String, Event.Call> renamed = new HashMap<>();
        for (Trace.Line line : t.lines()) {
            if (line instanceof Event.Return r) {
                Event.Call c = renamed.getOrDefault(r.host() + "." + r.process() + "." + r.thread(), r.call());
                lines.add(new Event.Return(r.line(), c.host(), c.process(), c.thread(), c, r.expect()));
                continue;
            }
            if (!(line instanceof Event.Call c)) {
                lines.add(line);
                continue;
            }
            Map<String, String> running = live.computeIfAbsent(c.host(), h -> new HashMap<>());
            int[] n = counts.computeIfAbsent(c.host(), h -> new int[2]);
            String name = running.computeIfAbsent(c.process(), p -> "p" + ++n[0]);
            String th = thread.apply(name, c);
            List<Arg> args = new ArrayList<>(c.args());
            if (c.op().equals("fork") && !args.isEmpty() && args.get(0) instanceof Arg.Name child) {
                if (running.containsKey(child.name())) {
                    throw new NotATrace(c.line(), "fork makes " + c.host() + "." + child.name()
                            + ", which is running (a process of that name made a call and has not exited)");
                }
                String forked = "c" + ++n[1];
                running.put(child.name(), forked);
                args.set(0, new Arg.Name(forked));
            }
            if (c.op().equals("exit")) {
                running.remove(c.process());
            }
            Event.Call call = new Event.Call(c.line(), c.host(), name, th, c.op(), List.copyOf(args), c.expect());
            renamed.put(c.host() + "." + c.process() + "." + c.thread(), call);
            lines.add(call);
        }
        return new Trace(t.source(), t.version(), t.profile(), List.copyOf(lines));
    }

    /**
     * The constants for these traces (all of one profile), each read in the
     * spec's terms ({@link #forSpec}).
     *
     * @throws IllegalArgumentException when the traces ask for both profiles, or one cannot be read so
     */
    public static SpecBridge.Constants forTraces(List<Trace> traces) throws IllegalArgumentException {
        TreeSet<String> hosts = new TreeSet<>();
        TreeSet<Integer> ports = new TreeSet<>();
        TreeSet<String> data = new TreeSet<>();
        TreeSet<Integer> sizes = new TreeSet<>();
        TreeSet<Integer> protocols = new TreeSet<>(List.of(0));
        TreeSet<String> profiles = new TreeSet<>();
        // The Unix names calls give as arguments, and whether any call opens a Unix socket (S20).
        TreeSet<String> paths = new TreeSet<>();
        boolean unix = false;
        // Whether any call opens an INET6 socket, names an IPv6 address or IPV6_V6ONLY.
        boolean inet6 = false;
        int started = 1;
        int forked = 0;
        int maxFd = 5;
        int sids = 4;
        int ephemeral = 3;
        int threads = 1;
        for (Trace original : traces) {
            profiles.add(original.profile().name());
            // A host named only in an address (connect to a host where nothing runs) is a host too.
            hosts.addAll(original.hosts());
            Trace t = forSpec(original);
            int sockets = 0;
            int connects = 0;
            int autobinds = 0;
            int unixAutobinds = 0;
            int descriptors = 0;
            for (Event e : t.events()) {
                if (!(e instanceof Event.Call c)) {
                    continue;
                }
                started = Math.max(started, c.process().startsWith("p") ? number(c.process()) : 0);
                threads = Math.max(threads, c.thread().equals(Event.MAIN) ? 1 : number(c.thread()));
                // Sized by what the vocabulary says each call is: which make a descriptor, take one, fork.
                Calls.Call call = Calls.ALL.get(c.op());
                boolean gives = call.result() == Calls.Result.DESCRIPTOR || call.result() == Calls.Result.FD_PEER;
                boolean pair = call.result() == Calls.Result.PAIR;
                // sendmsg and recvmsg are calls of a model with Unix sockets (SCM_RIGHTS), whatever the socket.
                boolean message = call.action().equals("SendMsg") || call.result() == Calls.Result.MESSAGE;
                unix |= pair || message;
                descriptors += gives ? 1 : pair ? 2 : 0;
                sockets += call.action().equals("Socket") ? 1 : pair ? 2 : 0;
                connects += call.action().equals("Connect") ? 1 : 0;
                autobinds += AUTOBINDS.contains(call.action()) ? 1 : 0;
                inet6 |= org.sockcheck.harness.run.TraceCheck.inet6(c);
                for (int k = 0; k < c.args().size(); k++) {
                    Arg a = c.args().get(k);
                    Calls.Arg kind = call.params().get(k).kind();
                    switch (a) {
                        // (the empty name too: a bind to it asks for autobind, a name of the stack's choice)
                        case Arg.Addr addr when addr.unix() -> {
                            unix = true;
                            paths.add(addr.path());
                            unixAutobinds += call.action().equals("Bind") && addr.path().isEmpty() ? 1 : 0;
                        }
                        // Unix sockets, and the calls only a model with them has: SEQPACKET, socketpair.
                        case Arg.Name n when kind == Calls.Arg.DOMAIN && n.name().equals("UNIX") -> unix = true;
                        case Arg.Name n when kind == Calls.Arg.TYPE && n.name().startsWith("SEQPACKET") -> unix = true;
                        case Arg.Addr addr when addr.port() instanceof Arg.Port.Label l -> ports.add(l.label());
                        case Arg.Int i when kind == Calls.Arg.FD -> maxFd = Math.max(maxFd, clamp(i.value()));
                        case Arg.Polls ps -> maxFd = Math.max(maxFd, highest(ps.entries().stream().map(Arg.PollFd::fd).toList()));
                        case Arg.Fds fs -> maxFd = Math.max(maxFd, highest(fs.fds()));
                        case Arg.Int i when kind == Calls.Arg.PROTOCOL -> protocols.add((int) i.value());
                        case Arg.Name n when kind == Calls.Arg.PROCESS -> forked = Math.max(forked, number(n.name()));
                        default -> { }
                    }
                }
                if (gives && c.expect() instanceof Event.Expect.Returns r && r.value() instanceof Arg.Int i) {
                    maxFd = Math.max(maxFd, clamp(i.value()));
                }
                if (c.expect() instanceof Event.Expect.Returns r && r.value() instanceof Arg.Message m) {
                    // The descriptors a recvmsg gave: new ones of the process.
                    descriptors += m.rights().fds().size();
                    maxFd = Math.max(maxFd, highest(m.rights().fds()));
                }
                if (pair && c.expect() instanceof Event.Expect.Returns r && r.value() instanceof Arg.Pair fds) {
                    maxFd = Math.max(maxFd, highest(List.of(fds.first(), fds.second())));
                }
            }
            // Every descriptor a process can hold is 3 and up, the lowest free first; one spare.
            maxFd = Math.max(maxFd, 2 + descriptors + 1);
            // An entry per socket; per connection, one a listener takes in and, on Linux, a time-wait
            // entry for each end that a descriptor still holds when it reaches TIME-WAIT; and spares.
            sids = Math.max(sids, sockets + 3 * connects + 2);
            // A stack may give each call that binds a socket a port never used before: one
            // each, so that the model never runs out where the stack would not; and a spare.
            ephemeral = Math.max(ephemeral, autobinds + 1);
            // The names a Unix socket's autobind may get (AutoNames in spec/Unix.tla): one per bind to the empty
            // name, as a run shows them ("@auto1", ... in the order it first shows each; Addressing).
            for (int k = 1; k <= unixAutobinds; k++) {
                paths.add(org.sockcheck.harness.impl.Addressing.AUTOBOUND + k);
            }
        }
        if (profiles.size() > 1) {
            throw new IllegalArgumentException("the traces ask for both profiles " + profiles + "; a model has one");
        }
        if (ports.isEmpty()) {
            ports.add(80);
        }
        if (data.isEmpty()) {
            data.add("d");
        }
        if (sizes.isEmpty()) {
            sizes.add(1);
        }
        return model(hosts, ports, data, sizes, protocols, started, forked, ephemeral, maxFd + 1, sids,
                profiles.isEmpty() ? "LINUX" : profiles.first(), threads, paths, domains(unix, inet6));
    }

    /**
     * A model: processes p1..started and the unborn c1..forked, that many
     * ephemeral ports (from 40000, or past the labels), descriptors 3 to
     * lastFd.
     */
    private static SpecBridge.Constants model(TreeSet<String> hosts, TreeSet<Integer> ports, TreeSet<String> data,
                                              TreeSet<Integer> sizes, TreeSet<Integer> protocols, int started, int forked, int ephemeral, int lastFd, int sids, String profile,
                                              int threads, TreeSet<String> paths, List<String> domains) {
        List<String> procs = new ArrayList<>();
        List<String> unborn = new ArrayList<>();
        for (int k = 1; k <= started; k++) {
            procs.add("p" + k);
        }
        for (int k = 1; k <= forked; k++) {
            procs.add("c" + k);
            unborn.add("c" + k);
        }
        int base = 40000;
        while (!ports.subSet(base, base + ephemeral).isEmpty()) {
            base += 1000;
        }
        return new SpecBridge.Constants(List.copyOf(hosts), procs, List.copyOf(ports),
                java.util.stream.IntStream.range(base, base + ephemeral).boxed().toList(),
                java.util.stream.IntStream.rangeClosed(3, lastFd).boxed().toList(), sids, List.copyOf(data), List.copyOf(sizes), profile,
                unborn, List.copyOf(protocols), true,
                java.util.stream.IntStream.rangeClosed(1, threads).mapToObj(k -> "t" + k).toList(), List.copyOf(paths),
                domains);
    }

    /** socket()'s domains of a model: INET, and INET6 and UNIX where its traces have them. */
    private static List<String> domains(boolean unix, boolean inet6) {
        List<String> out = new ArrayList<>(List.of("INET"));
        if (inet6) {
            out.add("INET6");
        }
        if (unix) {
            out.add("UNIX");
        }
        return List.copyOf(out);
    }

    private static int number(String name) {
        return Integer.parseInt(name.substring(1));
    }

    /** The highest of these descriptors that a trace writes as numbers (variables are bound later), 0 for none. */
    private static int highest(List<Arg> fds) {
        int max = 0;
        for (Arg f : fds) {
            if (f instanceof Arg.Int i) {
                max = Math.max(max, clamp(i.value()));
            }
        }
        return max;
    }

    /** A descriptor written in a trace, as a bound of the model: no bigger than a model can hold. */
    private static int clamp(long fd) {
        return (int) Math.max(0, Math.min(fd, MAX_FD));
    }

    /**
     * The largest descriptor a model holds: a trace that names a bigger one
     * (close(100000)) is judged with this many, where every such descriptor
     * is closed (EBADF) as it is for a real process that never opened it.
     */
    static final int MAX_FD = 64;

    /** A trace that describes what cannot happen (a fork into a process that is running), at this line. */
    public static final class NotATrace extends IllegalArgumentException {
        public final int line;
        public final String why;

        NotATrace(int line, String why) {
            super("line " + line + ": " + why);
            this.line = line;
            this.why = why;
        }
    }

    /** Why this is no trace at all (bad input), or empty. */
    public static Optional<NotATrace> impossible(Trace t) {
        try {
            forSpec(t);
            return Optional.empty();
        } catch (NotATrace e) {
            return Optional.of(e);
        }
    }

    /**
     * Whether a model can name a host so: the grammar's host name, and no
     * word TLA+ keeps for itself (TRUE, EXCEPT, ...) or one of the spec's own.
     */
    public static boolean hostName(String name) {
        return org.sockcheck.spec.TraceHost.hostName(name) && !RESERVED.contains(name);
    }

    /** Why the spec cannot take this trace, or empty when it can. */
    public static Optional<String> unfit(Trace t) {
        for (String h : t.hosts()) {
            if (!hostName(h)) {
                return Optional.of("the host name " + h + " cannot name a host of the spec (a TLA+ identifier of"
                        + " ASCII letters, digits and _, not a reserved word)");
            }
        }
        return impossible(t).map(NotATrace::getMessage);
    }

    /**
     * A model with every name and bound of both. Where b needs more than a
     * has, it gets some room to spare, so that a judge that grows its model
     * for one trace rarely has to grow it again; where a has enough, a's
     * bound stays (a model never grows without a need).
     */
    public static SpecBridge.Constants union(SpecBridge.Constants a, SpecBridge.Constants b) {
        if (!a.profile().equals(b.profile())) {
            throw new IllegalArgumentException("a model has one profile: " + a.profile() + ", " + b.profile());
        }
        TreeSet<String> hosts = new TreeSet<>(a.hosts());
        hosts.addAll(b.hosts());
        TreeSet<Integer> ports = new TreeSet<>(a.ports());
        ports.addAll(b.ports());
        TreeSet<String> data = new TreeSet<>(a.data());
        data.addAll(b.data());
        TreeSet<Integer> sizes = new TreeSet<>(a.recvSizes());
        sizes.addAll(b.recvSizes());
        TreeSet<Integer> protocols = new TreeSet<>(a.protocols());
        protocols.addAll(b.protocols());
        int started = grown(count(a, "p"), count(b, "p"), 1);
        int forked = grown(count(a, "c"), count(b, "c"), 1);
        int ephemeral = grown(a.ephemeralPorts().size(), b.ephemeralPorts().size(), 2);
        int lastFd = grown(a.fds().get(a.fds().size() - 1), b.fds().get(b.fds().size() - 1), 2);
        TreeSet<String> paths = new TreeSet<>(a.paths());
        paths.addAll(b.paths());
        return model(hosts, ports, data, sizes, protocols, started, forked, ephemeral, lastFd, grown(a.sids(), b.sids(), 4), a.profile(),
                Math.max(a.threads().size(), b.threads().size()), paths,
                domains(a.domains().contains("UNIX") || b.domains().contains("UNIX"),
                        a.domains().contains("INET6") || b.domains().contains("INET6")));
    }

    /**
     * have when it is enough for need, else need and room: half the need
     * again, at least room (grown by room alone, eight runs each a socket
     * larger than the one before loaded five models).
     */
    private static int grown(int have, int need, int room) {
        return need <= have ? have : need + Math.max(room, need / 2);
    }

    /** How many names of the model start with this letter and a number (p1, p2, ...; c1, ...). */
    private static int count(SpecBridge.Constants c, String letter) {
        return (int) c.procs().stream().filter(p -> p.matches(letter + "[0-9]+")).count();
    }

    /**
     * Whether a model is of ordinary size: the traces of ordinary size share
     * one model, a larger trace gets one of its own.
     */
    static boolean ordinary(SpecBridge.Constants c) {
        return count(c, "p") <= 4 && count(c, "c") <= 2 && c.fds().size() <= 8 && c.sids() <= 16 && c.hosts().size() <= 4
                && c.threads().size() <= 3;
    }

    /** A measure of a model's size: its processes times its descriptors, plus its table entries. */
    static int size(SpecBridge.Constants c) {
        return c.hosts().size() * c.procs().size() * c.threads().size() * c.fds().size() + c.sids();
    }
}
