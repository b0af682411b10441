package org.sockcheck.harness.validate;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.sockcheck.harness.trace.Arg;
import org.sockcheck.harness.trace.Event;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.spec.tlc.SpecBridge;

/** The spec's constants that a set of traces needs: their hosts, processes, port labels, data and descriptors. */
public final class Models {
    private Models() {
    }

    /** The constants for these traces, or a reason why the spec cannot take them. */
    public static SpecBridge.Constants forTraces(List<Trace> traces) throws IllegalArgumentException {
        TreeSet<String> hosts = new TreeSet<>();
        TreeSet<String> procs = new TreeSet<>();
        TreeSet<Integer> ports = new TreeSet<>();
        TreeSet<String> data = new TreeSet<>();
        TreeSet<String> profiles = new TreeSet<>();
        int maxFd = 5;
        int sockets = 0;
        for (Trace t : traces) {
            profiles.add(t.profile().name());
            // A host named only in an address (connect to a host where nothing runs) is a host too.
            hosts.addAll(t.hosts());
            for (Event e : t.events()) {
                if (e instanceof Event.Call c) {
                    procs.add(c.process());
                    if (c.op().equals("socket") || c.op().equals("accept")) {
                        sockets++;
                    }
                    for (Arg a : c.args()) {
                        switch (a) {
                            case Arg.Addr addr when addr.port() instanceof Arg.Port.Label l -> ports.add(l.label());
                            case Arg.Data d -> data.add(string(d.bytes()));
                            case Arg.Name n when c.op().equals("fork") -> procs.add(n.name());
                            case Arg.Int i when c.op().equals("close") || c.op().equals("dup") -> maxFd = Math.max(maxFd, (int) i.value());
                            default -> { }
                        }
                    }
                    if (c.expect() instanceof Event.Expect.Returns r && r.value() instanceof Arg.Int i
                            && List.of("socket", "dup", "accept").contains(c.op())) {
                        maxFd = Math.max(maxFd, (int) i.value());
                    }
                }
            }
        }
        if (profiles.size() > 1) {
            throw new IllegalArgumentException("the traces ask for both profiles " + profiles + "; validate them apart");
        }
        if (ports.isEmpty()) {
            ports.add(80);
        }
        if (data.isEmpty()) {
            data.add("d");
        }
        List<Integer> fds = java.util.stream.IntStream.rangeClosed(3, maxFd + 1).boxed().toList();
        int sids = Math.max(4, Math.min(sockets + 2, 10));
        return new SpecBridge.Constants(List.copyOf(hosts), List.copyOf(procs), List.copyOf(ports),
                List.of(40000, 40001, 40002), fds, sids, List.copyOf(data), profiles.isEmpty() ? "LINUX" : profiles.first());
    }

    /** Why the spec cannot take this trace, or empty when it can. */
    public static Optional<String> unfit(Trace t) {
        // In the spec every process exists from the start and an exited one stays gone;
        // a trace that forks a new name, or reuses a name after exit, is outside it.
        java.util.Set<String> exited = new java.util.HashSet<>();
        for (Event e : t.events()) {
            if (e instanceof Event.Call c) {
                String proc = c.host() + "." + c.process();
                if (exited.contains(proc) && !c.op().equals("exit")) {
                    return Optional.of("line " + c.line() + ": " + proc + " calls after its exit, which starts a new"
                            + " process; the spec's processes do not start again");
                }
                if (c.op().equals("exit")) {
                    exited.add(proc);
                }
                if (c.op().equals("fork")) {
                    String child = c.host() + "." + ((Arg.Name) c.args().get(0)).name();
                    if (!exited.remove(child)) {
                        return Optional.of("line " + c.line() + ": fork makes " + child + ", which the spec has"
                                + " from the start (only a process that exited can be forked into)");
                    }
                }
            }
        }
        try {
            forTraces(List.of(t));
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** Data must be a TLA+ string: printable ASCII without quotes or backslashes. */
    private static String string(byte[] bytes) {
        String s = new String(bytes, StandardCharsets.ISO_8859_1);
        Optional<Character> bad = s.chars().mapToObj(ch -> (char) ch).filter(ch -> ch < 32 || ch > 126 || ch == '"' || ch == '\\')
                .findFirst();
        if (bad.isPresent()) {
            throw new IllegalArgumentException("data " + s + " has a character the spec's strings cannot hold");
        }
        return s;
    }
}
