package org.sockcheck.harness.impl.driver;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.sockcheck.harness.impl.Addressing;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.impl.ImplementationException;
import org.sockcheck.harness.impl.Loopback;
import org.sockcheck.harness.impl.TraceSetup;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Calls;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Errno;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.Proto;
import org.sockcheck.spec.SocketRow;
import org.sockcheck.spec.TcpState;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An external implementation through the driver protocol, version 1
 * (docs/driver-protocol.md): one driver process per modelled process,
 * JSON Lines over its standard input and output.
 */
public final class DriverImplementation implements Implementation {
    public static final int PROTOCOL = 1;

    private final List<String> command;
    private final Map<String, DriverProcess> processes = new LinkedHashMap<>();
    private final Map<String, Set<String>> ops = new LinkedHashMap<>();
    /** Every driver process not yet ended, for the shutdown hook, which must not wait for a call in progress. */
    private final java.util.Queue<DriverProcess> live = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final org.sockcheck.harness.impl.ShutdownHook cleanup =
            new org.sockcheck.harness.impl.ShutdownHook("sockcheck-driver-cleanup", this::killAll);
    private Addressing addressing;
    private long timeoutMs;
    /**
     * How long a driver may take to answer hello: it is starting (an
     * interpreter, a JIT, a stack's set-up), which is not a call of the
     * trace, so --call-timeout does not bound it, and a loaded machine
     * must not turn a slow start into an ERROR.
     */
    static final long HELLO_MS = 10_000;

    public DriverImplementation(List<String> command) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("driver: needs a command");
        }
        this.command = List.copyOf(command);
    }

    /** Where each driver process's exchanges are written (--driver-log), or null. */
    private Path logDir;
    /** Runs started, which number the log files. */
    private int runs;

    /**
     * Writes what each driver process is sent and writes to a file of dir:
     * RUN-HOST.PROCESS.log, RUN counting the traces this driver ran from 1
     * (the order of the run's progress lines), hello-A.p1.log for the hello
     * of its own before the runs.
     */
    public synchronized void logTo(Path dir) {
        logDir = dir;
    }

    private DriverLog log(String name) {
        if (logDir == null) {
            return null;
        }
        try {
            return new DriverLog(logDir.resolve(name + ".log"));
        } catch (java.io.IOException e) {
            return null; // best effort: the run goes on unlogged
        }
    }

    /** What the driver's hello offered, asked once for {@link #limits()}; null before. */
    private Set<Limit> declared;

    /**
     * What generated walks leave out for this driver: protocol 1 has no way
     * to say whether a driver has raw sockets, and it makes one call at a
     * time; the rest follows the operations its hello offers (no "dup", no
     * walks with dup; no "poll", none with poll; ...), asked of the driver
     * once, with a hello of its own. A driver that cannot answer that hello
     * gets the walks of a driver that offers everything: its runs then end
     * in the clear error of a failed start.
     */
    @Override
    public synchronized java.util.Set<Limit> limits() {
        if (declared == null) {
            Set<Limit> out = java.util.EnumSet.of(Limit.ONE_KERNEL, Limit.NO_FORK, Limit.NO_RAW, Limit.NO_THREADS);
            Set<String> offered = offered();
            if (offered != null) {
                Map<String, Limit> needs = Map.of("dup", Limit.NO_DUP, "fcntl", Limit.NO_NONBLOCK,
                        "getsockopt", Limit.NO_GETSOCKOPT, "recv-flags", Limit.NO_RECV_FLAGS, "poll", Limit.NO_POLL,
                        "setsockopt", Limit.NO_OPTIONS);
                needs.forEach((op, limit) -> {
                    if (!offered.contains(op)) {
                        out.add(limit);
                    }
                });
                if (!offered.contains("setsockopt")) {
                    out.add(Limit.NO_SETSOCKOPT);
                }
            }
            declared = java.util.Collections.unmodifiableSet(out);
        }
        return declared;
    }

    /** What the driver's own hello offered, once it answered one. */
    private Set<String> helloOps;

    /** The operations a hello of the driver's own offers; null when it does not answer one. */
    private Set<String> offered() {
        try {
            return hello();
        } catch (ImplementationException e) {
            return null;
        }
    }

    /**
     * Starts the driver once, alone, with a hello for host A, process p1
     * and 127.0.0.1, and ends it: the operations it offers, or why it
     * cannot start (a command that does not run, no answer, an answer that
     * is no hello), so that a run can say so once before its first trace.
     */
    public synchronized Set<String> hello() throws ImplementationException {
        if (helloOps != null) {
            return helloOps; // asked once: limits() after a check's start, or driver-check, start no second driver
        }
        DriverProcess d = new DriverProcess("A.p1", command, log("hello-A.p1"));
        try {
            ObjectNode args = DriverProcess.JSON.createObjectNode();
            args.put("protocol", PROTOCOL);
            args.put("host", "A");
            args.put("process", "p1");
            args.put("addr", "127.0.0.1");
            helloOps = java.util.Collections.unmodifiableSet(offered(d, d.request("hello", args, HELLO_MS)));
            return helloOps;
        } catch (DriverProcess.NoReply e) {
            throw d.failure("no answer to hello: " + e.getMessage());
        } catch (DriverProcess.ErrnoReply e) {
            throw d.failure("refused hello with " + e.errno);
        } finally {
            d.close();
        }
    }

    @Override
    public String name() {
        return "driver:" + String.join(" ", command);
    }

    @Override
    public synchronized Addressing start(TraceSetup setup) throws ImplementationException {
        stop();
        timeoutMs = setup.callTimeout().toMillis();
        addressing = Loopback.plan(setup);
        runs++;
        for (String p : setup.processes()) {
            String host = p.substring(0, p.indexOf('.'));
            DriverProcess d = new DriverProcess(p, command, log(String.format("%04d-%s", runs, p)));
            processes.put(p, d);
            live.add(d);
            ObjectNode args = DriverProcess.JSON.createObjectNode();
            args.put("protocol", PROTOCOL);
            args.put("host", host);
            args.put("process", p.substring(p.indexOf('.') + 1));
            args.put("addr", addressing.hostIps().get(host));
            JsonNode hello;
            try {
                hello = d.request("hello", args, Math.max(timeoutMs, HELLO_MS));
            } catch (DriverProcess.NoReply e) {
                throw d.failure("no answer to hello: " + e.getMessage());
            } catch (DriverProcess.ErrnoReply e) {
                throw d.failure("refused hello with " + e.errno);
            }
            ops.put(p, offered(d, hello));
        }
        return addressing;
    }

    /** The operations a hello's answer offers; the driver's fault when it is not a hello of protocol 1. */
    private static Set<String> offered(DriverProcess d, JsonNode hello) throws ImplementationException {
        JsonNode protocol = hello.path("protocol");
        if (!hello.isObject() || !protocol.isIntegralNumber() || !protocol.canConvertToInt()
                || protocol.asInt() != PROTOCOL) {
            throw d.failure("hello must answer {\"protocol\":1,...}, got " + shown(hello));
        }
        if (!hello.path("ops").isArray() || hello.path("ops").isEmpty()
                || !hello.path("ops").valueStream().allMatch(JsonNode::isString)) {
            throw d.failure("hello must list the operations the driver offers, {\"protocol\":1,\"ops\":[\"socket\",...]},"
                    + " got " + shown(hello));
        }
        Set<String> supported = new TreeSet<>();
        hello.path("ops").forEach(o -> supported.add(o.asString()));
        return supported;
    }

    @Override
    public synchronized Outcome call(String host, String process, ApiCall call) throws ImplementationException {
        String key = host + "." + process;
        DriverProcess d = processes.get(key);
        if (d == null) {
            throw new ImplementationException("no driver process for " + key);
        }
        if (call instanceof ApiCall.Fork) {
            throw new Unsupported("fork: each modelled process is its own driver process, so two cannot share"
                    + " sockets (driver protocol 1)");
        }
        if (!ops.get(key).contains(call.op())) {
            throw new Unsupported("the driver does not offer " + call.op());
        }
        boolean flagged = call instanceof ApiCall.Recv r && (r.peek() || r.dontwait() || r.waitall())
                || call instanceof ApiCall.RecvFrom r2 && (r2.peek() || r2.dontwait() || r2.waitall());
        if (flagged && !ops.get(key).contains("recv-flags")) {
            throw new Unsupported("recv with MSG_PEEK or MSG_DONTWAIT: the driver does not list recv-flags");
        }
        boolean trunc = call instanceof ApiCall.Recv r && r.trunc() || call instanceof ApiCall.RecvFrom r2 && r2.trunc();
        if (trunc && !ops.get(key).contains("recv-trunc")) {
            throw new Unsupported("recv with MSG_TRUNC: the driver does not list recv-trunc");
        }
        if (call instanceof ApiCall.Connect c && c.addr().unspec() && !ops.get(key).contains("connect-unspec")) {
            throw new Unsupported("connect(AF_UNSPEC): the driver does not list connect-unspec");
        }
        if (call instanceof ApiCall.Accept c && c.nonblock() && !ops.get(key).contains("fcntl")) {
            throw new Unsupported("accept4(SOCK_NONBLOCK): the driver does not offer fcntl, so it has no non-blocking sockets");
        }
        if (call instanceof ApiCall.Socket c && c.nonblock() && !ops.get(key).contains("fcntl")) {
            // A driver that offers fcntl has non-blocking sockets; one that does not would make a blocking one.
            throw new Unsupported("socket(SOCK_NONBLOCK): the driver does not offer fcntl, so it has no non-blocking sockets");
        }
        ObjectNode args = DriverProcess.JSON.createObjectNode();
        switch (call) {
            case ApiCall.Dup c -> args.put("fd", c.fd());
            case ApiCall.Exit c -> { }
            case ApiCall.Fork c -> throw new IllegalStateException("fork is refused above");
            case ApiCall.Socket c -> {
                args.put("domain", "inet");
                args.put("type", c.type().name().toLowerCase(java.util.Locale.ROOT));
                if (c.protocol() != 0) {
                    args.put("protocol", c.protocol());
                }
                if (c.nonblock()) {
                    args.put("nonblock", true);
                }
            }
            case ApiCall.Fcntl c -> args.put("fd", c.fd()).put("nonblock", c.nonblock());
            case ApiCall.GetSockOpt c -> args.put("fd", c.fd()).put("option", c.option());
            case ApiCall.Bind c -> {
                Loopback.checkOwnAddress(addressing, host, c.addr());
                fdAddr(args, c.fd(), c.addr());
            }
            case ApiCall.Listen c -> args.put("fd", c.fd()).put("backlog", c.backlog());
            case ApiCall.Connect c -> fdAddr(args, c.fd(), c.addr());
            case ApiCall.Accept c -> {
                args.put("fd", c.fd());
                if (c.nonblock()) {
                    args.put("nonblock", true);
                }
            }
            case ApiCall.Send c -> args.put("fd", c.fd()).put("data", Base64.getEncoder().encodeToString(c.data()));
            case ApiCall.Recv c -> flags(args.put("fd", c.fd()).put("size", c.max()), c.peek(), c.dontwait(), c.waitall(), c.trunc());
            case ApiCall.SendTo c -> fdAddr(args, c.fd(), c.addr()).put("data", Base64.getEncoder().encodeToString(c.data()));
            case ApiCall.RecvFrom c -> flags(args.put("fd", c.fd()).put("size", c.max()), c.peek(), c.dontwait(), c.waitall(), c.trunc());
            case ApiCall.Shutdown c -> args.put("fd", c.fd()).put("how", c.how().name().toLowerCase(java.util.Locale.ROOT));
            case ApiCall.Close c -> args.put("fd", c.fd());
            case ApiCall.GetSockName c -> args.put("fd", c.fd());
            case ApiCall.GetPeerName c -> args.put("fd", c.fd());
            case ApiCall.SetSockOpt c -> {
                args.put("fd", c.fd()).put("option", c.option().name()).put("value", c.value());
                if (c.option() == org.sockcheck.spec.SockOpt.SO_LINGER) {
                    args.put("linger", c.linger());
                }
            }
            case ApiCall.Poll c -> {
                tools.jackson.databind.node.ArrayNode fds = args.putArray("fds");
                for (ApiCall.PollFd e : c.fds()) {
                    tools.jackson.databind.node.ArrayNode ev = fds.addObject().put("fd", e.fd()).putArray("events");
                    Calls.pollOrder(e.events()).forEach(n -> ev.add(pollWord(n)));
                }
                args.put("timeout", c.timeout());
            }
        }
        JsonNode ok;
        try {
            ok = d.request(call.op(), args, timeoutMs);
        } catch (DriverProcess.NoReply e) {
            return new Outcome.Blocked(e.getMessage());
        } catch (DriverProcess.ErrnoReply e) {
            return Errno.named(e.errno).<Outcome>map(Outcome.Failed::new)
                    .orElseThrow(() -> d.failure("unknown errno name " + e.errno + " for " + call.op()));
        }
        try {
            return switch (call) {
                case ApiCall.Accept c -> new Outcome.Accepted(intOf(ok.get("fd")), endpoint(ok.get("peer")));
                // MSG_TRUNC: a stream's recv says how many bytes it took ("count"), a datagram's its whole length.
                case ApiCall.Recv c when c.trunc() && ok.has("count") -> new Outcome.Value(intOf(ok.get("count")));
                case ApiCall.RecvFrom c when c.trunc() && ok.has("count") -> new Outcome.Value(intOf(ok.get("count")));
                case ApiCall.Recv c -> new Outcome.Data(bytes(ok.get("data")), null, length(ok, c.trunc()));
                case ApiCall.RecvFrom c -> new Outcome.Data(bytes(ok.get("data")), endpointOrNull(ok.get("from")),
                        length(ok, c.trunc()));
                case ApiCall.GetSockName c -> new Outcome.Address(endpoint(ok));
                case ApiCall.GetPeerName c -> new Outcome.Address(endpoint(ok));
                case ApiCall.GetSockOpt c -> new Outcome.Option(optionValue(ok.get("value")));
                case ApiCall.Poll c -> new Outcome.Polled(revents(ok.get("revents"), c.fds().size()));
                default -> new Outcome.Value(intOf(ok));
            };
        } catch (IllegalArgumentException e) {
            throw d.failure("malformed result for " + call.op() + ": " + shown(ok) + " (" + e.getMessage() + ")");
        }
    }

    /** recv's flags, as names ("peek", "dontwait"); left out when there are none, as protocol 1 had it. */
    private static ObjectNode flags(ObjectNode args, boolean peek, boolean dontwait, boolean waitall, boolean trunc) {
        if (peek || dontwait || waitall || trunc) {
            tools.jackson.databind.node.ArrayNode f = args.putArray("flags");
            if (peek) {
                f.add("peek");
            }
            if (dontwait) {
                f.add("dontwait");
            }
            if (waitall) {
                f.add("waitall");
            }
            if (trunc) {
                f.add("trunc");
            }
        }
        return args;
    }

    /** A poll event as the protocol names it: POLLIN is "in", POLLRDHUP "rdhup". */
    static String pollWord(String event) {
        return event.substring("POLL".length()).toLowerCase(java.util.Locale.ROOT);
    }

    /** poll's reply: for each descriptor asked for, in order, the names of the events reported. */
    private static java.util.List<java.util.Set<String>> revents(JsonNode n, int entries) {
        if (n == null || !n.isArray() || n.size() != entries) {
            throw new IllegalArgumentException("revents: an array of " + entries + " arrays of event names, one per"
                    + " descriptor asked for");
        }
        java.util.List<java.util.Set<String>> out = new java.util.ArrayList<>();
        for (JsonNode e : n) {
            java.util.Set<String> set = new java.util.TreeSet<>();
            if (!e.isArray()) {
                throw new IllegalArgumentException("revents: each entry an array of event names");
            }
            for (JsonNode w : e) {
                String name = w.isString() ? Calls.POLL_REPORTED.stream().filter(x -> pollWord(x).equals(w.asString()))
                        .findFirst().orElse(null) : null;
                if (name == null) {
                    throw new IllegalArgumentException("revents: event names are "
                            + Calls.POLL_REPORTED.stream().map(DriverImplementation::pollWord).toList() + ", not " + shown(w));
                }
                set.add(name);
            }
            out.add(set);
        }
        return out;
    }

    /** getsockopt's value: a number, an errno name (SO_ERROR), a type (SO_TYPE) or INET (SO_DOMAIN). */
    private static String optionValue(JsonNode v) {
        if (v != null && v.isIntegralNumber() && v.canConvertToInt()) {
            return Integer.toString(v.asInt());
        }
        if (v != null && v.isString() && Errno.named(v.asString()).isPresent()) {
            return Errno.named(v.asString()).get().name();
        }
        if (v != null && v.isString() && java.util.Set.of("STREAM", "DGRAM", "RAW", "INET").contains(v.asString())) {
            return v.asString();
        }
        // SO_LINGER: [l_onoff, l_linger].
        if (v != null && v.isArray() && v.size() == 2 && v.get(0).canConvertToInt() && v.get(1).canConvertToInt()) {
            return Calls.optionText(Calls.lingerValue(v.get(0).asInt(), v.get(1).asInt()));
        }
        throw new IllegalArgumentException("value: a number, an errno name, STREAM, DGRAM, RAW, INET or [l_onoff, l_linger], not "
                + (v == null ? "none" : shown(v)));
    }

    private ObjectNode fdAddr(ObjectNode args, int fd, Endpoint addr) throws ImplementationException {
        if (!Loopback.allowed(addr.ip())) {
            throw new ImplementationException("refused to send to " + addr + ": only loopback addresses are allowed");
        }
        return args.put("fd", fd).put("addr", addr.toString());
    }

    /** A text field of a reply, or "" when it is missing or not text. */
    private static String string(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isString() ? v.asString() : "";
    }

    /** A driver's JSON value as a message shows it: shortened, with its length, when long. */
    private static String shown(JsonNode n) {
        return DriverProcess.abbreviate(String.valueOf(n));
    }

    /** What a recv with MSG_TRUNC returned ("length"), or -1: the number of bytes. */
    private static long length(JsonNode ok, boolean trunc) {
        return trunc && ok.has("length") ? intOf(ok.get("length")) : -1;
    }

    private static int intOf(JsonNode n) {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new IllegalArgumentException("expected an integer from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE);
        }
        return n.asInt();
    }

    private static byte[] bytes(JsonNode n) {
        if (n == null || !n.isString()) {
            throw new IllegalArgumentException("expected base64 data");
        }
        try {
            return Base64.getDecoder().decode(n.asString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected base64 data");
        }
    }

    private static Endpoint endpoint(JsonNode n) {
        if (n == null || !n.isString()) {
            throw new IllegalArgumentException("expected an address \"ip:port\"");
        }
        return Endpoint.parse(n.asString());
    }

    private static Endpoint endpointOrNull(JsonNode n) {
        return n == null || n.isNull() ? null : endpoint(n);
    }

    /**
     * The union of what each process of the host reports with "sockets":
     * each its own descriptors' rows, and the rows no descriptor holds
     * (TIME-WAIT, connections not yet accepted), which every process of the
     * host may report and are counted once.
     */
    @Override
    public synchronized List<SocketRow> observe(String host) throws ImplementationException {
        List<SocketRow> held = new ArrayList<>();
        Set<SocketRow> orphans = new java.util.LinkedHashSet<>();
        for (Map.Entry<String, DriverProcess> e : processes.entrySet()) {
            if (!e.getKey().startsWith(host + ".")) {
                continue;
            }
            DriverProcess d = e.getValue();
            if (!ops.get(e.getKey()).contains("sockets")) {
                throw new Unsupported("the driver does not offer sockets, so its table cannot be observed");
            }
            JsonNode ok;
            try {
                ok = d.request("sockets", DriverProcess.JSON.createObjectNode(), timeoutMs);
            } catch (DriverProcess.NoReply r) {
                throw d.failure("no answer to sockets: " + r.getMessage());
            } catch (DriverProcess.ErrnoReply r) {
                throw d.failure("sockets failed with " + r.errno);
            }
            if (!ok.isArray()) {
                throw d.failure("sockets must answer an array, got " + shown(ok));
            }
            for (JsonNode row : ok) {
                try {
                    SocketRow r = row(row);
                    if (row.path("fd").isIntegralNumber()) {
                        held.add(r);
                    } else {
                        orphans.add(r);
                    }
                } catch (IllegalArgumentException ex) {
                    throw d.failure("malformed socket row " + shown(row) + ": " + ex.getMessage());
                }
            }
        }
        held.addAll(orphans);
        return held;
    }

    private static SocketRow row(JsonNode n) {
        Proto proto = switch (string(n, "proto").toLowerCase(java.util.Locale.ROOT)) {
            case "tcp" -> Proto.TCP;
            case "udp" -> Proto.UDP;
            case "raw" -> Proto.RAW;
            default -> throw new IllegalArgumentException("proto is tcp, udp or raw");
        };
        TcpState state = null;
        // Every row's state is read, so a UDP or raw row that shows one is judged as shown (S12).
        if (proto == Proto.TCP || n.hasNonNull("state")) {
            String s = string(n, "state");
            state = TcpState.fromRfcName(s.replace('_', '-')).or(() -> {
                // Linux spells some states its own way (FIN_WAIT1, SYN_RECV).
                return switch (s) {
                    case "FIN_WAIT1" -> java.util.Optional.of(TcpState.FIN_WAIT_1);
                    case "FIN_WAIT2" -> java.util.Optional.of(TcpState.FIN_WAIT_2);
                    case "SYN_RECV" -> java.util.Optional.of(TcpState.SYN_RECEIVED);
                    default -> java.util.Optional.empty();
                };
            }).orElseThrow(() -> new IllegalArgumentException("unknown TCP state "
                    + org.sockcheck.harness.trace.TraceText.shorten(s, 40)));
        }
        return new SocketRow(proto, endpoint(n.get("local")), endpointOrNull(n.get("remote")), state);
    }

    /** On Ctrl-C or kill: end every driver process and its children at once. */
    private void killAll() {
        for (DriverProcess d : live) {
            d.kill();
        }
    }

    @Override
    public synchronized void stop() {
        for (DriverProcess d : processes.values()) {
            d.close();
            live.remove(d);
        }
        processes.clear();
        ops.clear();
    }

    @Override
    public void close() {
        stop();
        cleanup.remove();
    }
}
