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
 * An external implementation through the driver protocol
 * (docs/driver-protocol.md). Version 1: one driver process per modelled
 * process. Version 2: one driver process per trace run, holding every host
 * and process, each request naming its host, process and thread; its hosts
 * are a network of the driver's own (192.0.2.0/24) or share this machine's
 * kernel (loopback, as version 1), and its descriptor numbers are the
 * model's or its own (then mapped here). JSON Lines over its standard input
 * and output in both.
 */
public final class DriverImplementation implements Implementation {
    /** The highest version the runner speaks; it offers every version up to it. */
    public static final int PROTOCOL = 2;

    /**
     * What a driver's hello declared: the version it speaks, its name, its
     * operations and capabilities, whether its hosts are a network of its
     * own, whether its descriptor numbers are its own, and the setsockopt
     * options it takes (null: all).
     */
    public record Declared(int protocol, String name, boolean ownNetwork, boolean ownFds, Set<String> ops,
                           Set<String> options, org.sockcheck.spec.Profile profile) {
        /** One line for driver-check: the version and what it declares beyond its operations. */
        public String summary() {
            if (protocol == 1) {
                return "protocol 1";
            }
            return "protocol 2, " + (ownNetwork ? "a network of its own (192.0.2.0/24)" : "hosts that share this machine's"
                    + " kernel (loopback)") + ", " + (ownFds ? "descriptor numbers of its own (mapped)" : "POSIX descriptor"
                    + " numbers (judged)") + (options == null ? "" : ", options " + String.join(" ", options))
                    + (profile == null ? "" : ", judged by the spec's " + profile + " profile");
        }
    }

    private final List<String> command;
    /** Version 1: the driver process of each modelled process ("A.p1"). */
    private final Map<String, DriverProcess> processes = new LinkedHashMap<>();
    private final Map<String, Set<String>> ops = new LinkedHashMap<>();
    /** Version 2: the trace run's one driver process, or null. */
    private DriverProcess one;
    /**
     * Version 2, a driver of hosts that share this machine's kernel that
     * lists ipv6: the network namespace of an IPv6 trace's run, which the
     * driver process is started in (null for other runs), and why there is
     * none when an IPv6 trace has none (more than one host, no root).
     */
    private org.sockcheck.harness.impl.linux.NetnsRun netns;
    private String noInet6;
    /** Version 2 with "fds":"own": each modelled process's descriptors, the model's number to the driver's. */
    private final Map<String, java.util.TreeMap<Integer, Integer>> fdMap = new LinkedHashMap<>();
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
        this(null, command);
    }

    /** A driver known by a short name (python, lwip, gvisor) in reports and expectations; null: driver:COMMAND. */
    public DriverImplementation(String shortName, List<String> command) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("driver: needs a command");
        }
        this.command = List.copyOf(command);
        this.shortName = shortName;
    }

    private final String shortName;
    /** The run's folder of Unix names, for a driver that lists unix. */
    private volatile org.sockcheck.harness.impl.UnixFolder unixDir;

    /** Where each driver process's exchanges are written (--driver-log), or null. */
    private Path logDir;
    /** Runs started, which number the log files. */
    /** Runs started, numbering the logs; shared by the instances of one check's workers (see countRunsWith). */
    private java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * Writes what each driver process is sent and writes to a file of dir:
     * RUN-HOST.PROCESS.log (version 2: RUN-trace.log), RUN counting the
     * traces this driver ran from 1 (the order of the run's progress
     * lines), hello-A.p1.log for the probe hello before the runs.
     */
    /**
     * Numbers this instance's runs with another's (check -j runs a driver's
     * traces on an instance per worker; their logs share one folder).
     */
    public synchronized void countRunsWith(DriverImplementation first) {
        runs = first.runs;
    }

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
    private Set<Limit> limitsOffered;

    /**
     * What generated walks leave out for this driver, from what its probe
     * hello declares: the operations it does not offer (no "dup", no walks
     * with dup; no "poll", none with poll; ...), and for version 1, which
     * cannot declare them, raw sockets, fork and threads. A driver that
     * cannot answer that hello gets the walks of a driver that offers
     * everything: its runs then end in the clear error of a failed start.
     */
    @Override
    public synchronized java.util.Set<Limit> limits() {
        if (limitsOffered == null) {
            Set<Limit> out = java.util.EnumSet.noneOf(Limit.class);
            Declared d = declaredOrNull();
            if (d == null || d.protocol() == 1) {
                out.addAll(List.of(Limit.ONE_KERNEL, Limit.NO_FORK, Limit.NO_RAW, Limit.NO_THREADS));
            } else {
                if (!d.ownNetwork()) {
                    out.add(Limit.ONE_KERNEL);
                    if (!d.ops().contains("ipv6-hosts")) {
                        out.add(Limit.ONE_HOST_IPV6);
                    }
                }
                Map<String, Limit> caps = Map.of("fork", Limit.NO_FORK, "raw", Limit.NO_RAW, "threads", Limit.NO_THREADS);
                caps.forEach((cap, limit) -> {
                    if (!d.ops().contains(cap)) {
                        out.add(limit);
                    }
                });
                // A process that exits while one of its threads waits: left out of walks, the drivers' hardest case.
                out.add(Limit.NO_EXIT_WHILE_WAITING);
            }
            // The protocol has no operation that passes descriptors.
            out.add(Limit.NO_RIGHTS);
            if (d != null) {
                Map<String, Limit> needs = Map.of("dup", Limit.NO_DUP, "fcntl", Limit.NO_NONBLOCK,
                        "getsockopt", Limit.NO_GETSOCKOPT, "recv-flags", Limit.NO_RECV_FLAGS, "poll", Limit.NO_POLL,
                        "setsockopt", Limit.NO_OPTIONS, "recv-trunc", Limit.NO_RECV_TRUNC);
                needs.forEach((op, limit) -> {
                    if (!d.ops().contains(op)) {
                        out.add(limit);
                    }
                });
                if (!d.ops().contains("setsockopt")) {
                    out.add(Limit.NO_SETSOCKOPT);
                }
                if (d.options() != null) {
                    if (!d.options().containsAll(java.util.Arrays.stream(org.sockcheck.spec.SockOpt.values())
                            .map(Enum::name).toList())) {
                        out.add(Limit.NO_OPTIONS);
                    }
                    if (!d.options().contains("SO_REUSEADDR")) {
                        out.add(Limit.NO_SETSOCKOPT);
                    }
                }
            }
            limitsOffered = java.util.Collections.unmodifiableSet(out);
        }
        return limitsOffered;
    }

    /** What the driver's probe hello declared, once it answered one. */
    private Declared declared;

    private Declared declaredOrNull() {
        try {
            return declare();
        } catch (ImplementationException e) {
            return null;
        }
    }

    /** The operations and capabilities the driver's probe hello offers. */
    public synchronized Set<String> hello() throws ImplementationException {
        return declare().ops();
    }

    /**
     * Starts the driver once, alone, with a probe hello (no hosts; for a
     * version 1 driver host A, process p1 and 127.0.0.1), and ends it: what
     * it declares, or why it cannot start (a command that does not run, no
     * answer, an answer that is no hello), so that a run can say so once
     * before its first trace. Asked once.
     */
    public synchronized Declared declare() throws ImplementationException {
        if (declared != null) {
            return declared; // asked once: limits() after a check's start, or driver-check, start no second driver
        }
        DriverProcess d = new DriverProcess("A.p1", command, log("hello-A.p1"));
        try {
            ObjectNode args = helloArgs();
            args.putArray("hosts");
            args.putArray("processes");
            args.put("host", "A");
            args.put("process", "p1");
            args.put("addr", "127.0.0.1");
            declared = declared(d, hello(d, () -> d.request("hello", args, HELLO_MS)));
            return declared;
        } finally {
            d.close();
        }
    }

    /** A hello's arguments: the version 1 field, and every version the runner speaks. */
    private static ObjectNode helloArgs() {
        ObjectNode args = DriverProcess.JSON.createObjectNode();
        args.put("protocol", PROTOCOL);
        tools.jackson.databind.node.ArrayNode versions = args.putArray("protocols");
        for (int v = 1; v <= PROTOCOL; v++) {
            versions.add(v);
        }
        return args;
    }

    @Override
    public String name() {
        return shortName != null ? shortName : "driver:" + String.join(" ", command);
    }

    @Override
    public synchronized Addressing start(TraceSetup setup) throws ImplementationException {
        stop();
        timeoutMs = setup.callTimeout().toMillis();
        Declared d = declaredOrNull();
        if (d != null && d.protocol() == 2) {
            return startTwo(setup, d);
        }
        addressing = Loopback.plan(setup);
        int run = runs.incrementAndGet();
        for (String p : setup.processes()) {
            String host = p.substring(0, p.indexOf('.'));
            DriverProcess dp = new DriverProcess(p, command, log(String.format("%04d-%s", run, p)));
            processes.put(p, dp);
            live.add(dp);
            ObjectNode args = DriverProcess.JSON.createObjectNode();
            args.put("protocol", 1);
            args.put("host", host);
            args.put("process", p.substring(p.indexOf('.') + 1));
            args.put("addr", addressing.hostIps().get(host));
            Declared answered = declared(dp, hello(dp, () -> dp.request("hello", args, Math.max(timeoutMs, HELLO_MS))));
            if (answered.protocol() != 1) {
                throw dp.failure("answered protocol " + answered.protocol() + " to a hello of protocol 1");
            }
            ops.put(p, answered.ops());
        }
        return addressing;
    }

    /** Version 2: one driver process for the whole trace, told every host and process in its hello. */
    private Addressing startTwo(TraceSetup setup, Declared d) throws ImplementationException {
        boolean v6 = setup.inet6() && d.ops().contains("ipv6");
        Addressing planned = d.ownNetwork() ? Loopback.ownNetwork(setup) : Loopback.plan(setup);
        // Unix names (a driver that lists unix): a folder of the run's own, made with the run's first Unix socket
        // (as on linux), removed by stop.
        unixDir = org.sockcheck.harness.impl.UnixFolder.next();
        // A driver that lists ipv6-hosts joins each host's namespace itself (hello's hosts[].netns).
        boolean hostsApart = d.ops().contains("ipv6-hosts");
        if (v6 && !d.ownNetwork()) {
            // IPv6 on a shared kernel: the driver runs in a namespace of the run's own, as linux's sockets are made
            // (docs/ipv6-and-unix.md): for one host, 127.0.0.1 and Netns.HOST6; for more, a namespace per host.
            org.sockcheck.harness.impl.linux.Netns.ForRun ns = org.sockcheck.harness.impl.linux.Netns.forRun(setup, !hostsApart);
            netns = ns.netns();
            noInet6 = ns.noInet6();
        }
        addressing = netns != null ? org.sockcheck.harness.impl.linux.Netns.addressing(planned, setup, netns, unixDir)
                : new Addressing(planned.hostIps(), v6 && d.ownNetwork() ? planned.hostIps6() : Map.of(), planned.ports(),
                        unixDir.dir().toString(), unixDir.abstractPrefix());
        DriverLog runLog = log(String.format("%04d-trace", runs.incrementAndGet()));
        if (netns == null) {
            one = new DriverProcess("trace", command, runLog);
        } else {
            // Started by the namespace's own thread, the process is in the namespace (a child has its parent
            // thread's namespaces), and so is everything it starts.
            try {
                one = netns.of(setup.hosts().getFirst()).call(() -> new DriverProcess("trace", command, runLog));
            } catch (java.io.IOException e) {
                throw new ImplementationException("cannot start the driver in the run's network namespace: " + e.getMessage(), e);
            }
        }
        live.add(one);
        ObjectNode args = helloArgs();
        if (netns != null) {
            args.put("netns", true);
        }
        tools.jackson.databind.node.ArrayNode hosts = args.putArray("hosts");
        for (Map.Entry<String, String> e : addressing.hostIps().entrySet()) {
            String h = e.getKey();
            ObjectNode host = hosts.addObject().put("name", h).put("addr", e.getValue());
            if (addressing.hostIps6().containsKey(h)) {
                host.put("addr6", addressing.hostIps6().get(h));
            }
            if (netns != null && hostsApart && setup.hosts().size() > 1) {
                // Where the driver makes this host's sockets and reads its tables (setns(2) of what it opens).
                host.put("netns", netns.of(h).path());
            }
        }
        tools.jackson.databind.node.ArrayNode procs = args.putArray("processes");
        for (String p : setup.processes()) {
            procs.addObject().put("host", p.substring(0, p.indexOf('.'))).put("process", p.substring(p.indexOf('.') + 1));
            fdMap.put(p, new java.util.TreeMap<>());
        }
        String first = setup.processes().isEmpty() ? setup.hosts().getFirst() + ".p1" : setup.processes().getFirst();
        args.put("host", first.substring(0, first.indexOf('.')));
        args.put("process", first.substring(first.indexOf('.') + 1));
        args.put("addr", addressing.hostIps().get(first.substring(0, first.indexOf('.'))));
        DriverProcess d2 = one;
        Declared answered = declared(d2, hello(d2, () -> d2.await(d2.send(DriverProcess.JSON.createObjectNode(), "hello",
                args), Math.max(timeoutMs, HELLO_MS))));
        if (answered.protocol() != 2 || answered.ownNetwork() != d.ownNetwork() || answered.ownFds() != d.ownFds()
                || answered.profile() != d.profile()) {
            throw one.failure("answered a trace's hello with " + answered.summary() + ", its first hello with " + d.summary());
        }
        return addressing;
    }

    /** What a hello's answer declares; the driver's fault when it is not a hello of protocol 1 or 2. */
    private static Declared declared(DriverProcess d, JsonNode hello) throws ImplementationException {
        JsonNode protocol = hello.path("protocol");
        if (!hello.isObject() || !protocol.isIntegralNumber() || !protocol.canConvertToInt()
                || protocol.asInt() < 1 || protocol.asInt() > PROTOCOL) {
            throw d.failure("hello must answer {\"protocol\":1,...} or {\"protocol\":2,...}, got " + shown(hello));
        }
        if (!hello.path("ops").isArray() || hello.path("ops").isEmpty()
                || !hello.path("ops").valueStream().allMatch(JsonNode::isString)) {
            throw d.failure("hello must list the operations the driver offers, {\"protocol\":" + protocol.asInt()
                    + ",\"ops\":[\"socket\",...]}, got " + shown(hello));
        }
        Set<String> supported = new TreeSet<>();
        hello.path("ops").forEach(o -> supported.add(o.asString()));
        if (protocol.asInt() == 1) {
            return new Declared(1, string(hello, "name"), false, false, java.util.Collections.unmodifiableSet(supported), null,
                    null);
        }
        String network = hello.path("network").isMissingNode() ? "kernel" : string(hello, "network");
        String fds = hello.path("fds").isMissingNode() ? "posix" : string(hello, "fds");
        if (!network.equals("own") && !network.equals("kernel")) {
            throw d.failure("hello's network is \"own\" or \"kernel\", got " + shown(hello.path("network")));
        }
        if (!fds.equals("own") && !fds.equals("posix")) {
            throw d.failure("hello's fds is \"own\" or \"posix\", got " + shown(hello.path("fds")));
        }
        Set<String> options = null;
        if (!hello.path("options").isMissingNode()) {
            options = new TreeSet<>();
            for (JsonNode o : hello.path("options")) {
                if (!o.isString() || java.util.Arrays.stream(org.sockcheck.spec.SockOpt.values())
                        .noneMatch(x -> x.name().equals(o.asString()))) {
                    throw d.failure("hello's options are names of setsockopt options ("
                            + java.util.Arrays.toString(org.sockcheck.spec.SockOpt.values()) + "), got " + shown(o));
                }
                options.add(o.asString());
            }
            options = java.util.Collections.unmodifiableSet(options);
        }
        org.sockcheck.spec.Profile profile = null;
        if (!hello.path("profile").isMissingNode()) {
            String p = string(hello, "profile");
            if (!p.equals("POSIX") && !p.equals("LINUX")) {
                throw d.failure("hello's profile is \"POSIX\" or \"LINUX\", got " + shown(hello.path("profile")));
            }
            profile = org.sockcheck.spec.Profile.valueOf(p);
        }
        return new Declared(2, string(hello, "name"), network.equals("own"), fds.equals("own"),
                java.util.Collections.unmodifiableSet(supported), options, profile);
    }

    @Override
    public synchronized Outcome call(String host, String process, ApiCall call) throws ImplementationException {
        if (one != null) {
            return callTwo(host, process, "t1", call, timeoutMs);
        }
        String key = host + "." + process;
        DriverProcess d = processes.get(key);
        if (d == null) {
            throw new ImplementationException("no driver process for " + key);
        }
        if (call instanceof ApiCall.Fork) {
            throw new Unsupported("fork: each modelled process is its own driver process, so two cannot share"
                    + " sockets (driver protocol 1)");
        }
        if (call.unixDomain()) {
            throw new Unsupported("Unix domain sockets: driver protocol 1 has none (a driver of protocol 2 that lists unix has them)");
        }
        if (call.inet6()) {
            throw new Unsupported("IPv6: driver protocol 1 has none (a driver of protocol 2 that lists ipv6 has it)");
        }
        checkOffered(ops.get(key), call);
        if (call instanceof ApiCall.Bind c) {
            Loopback.checkOwnAddress(addressing, host, c.addr());
        }
        ObjectNode args = encode(call, java.util.function.IntUnaryOperator.identity(), false);
        JsonNode ok;
        try {
            ok = d.request(call.op(), args, timeoutMs);
        } catch (DriverProcess.NoReply e) {
            return new Outcome.Blocked(e.getMessage());
        } catch (DriverProcess.ErrnoReply e) {
            return errno(d, call, e);
        } catch (DriverProcess.UnsupportedReply e) {
            throw new Unsupported("the driver cannot do " + call.op() + ": " + e.reason);
        }
        return decode(d, call, ok);
    }

    /** The Unsupported of a call that needs an operation or a capability the driver does not offer. */
    /** Why a driver's run of a trace that opens a Unix domain socket is SKIP. */
    public static final String NO_UNIX = "Unix domain sockets: the driver does not list unix (docs/driver-protocol.md)";
    /** Why a driver's run of a trace with IPv6 calls is SKIP. */
    public static final String NO_INET6 = "IPv6: the driver does not list ipv6 (docs/driver-protocol.md)";

    private static void checkOffered(Set<String> offered, ApiCall call) throws Unsupported {
        if (call instanceof ApiCall.SendMsg || call instanceof ApiCall.RecvMsg) {
            throw new Unsupported(call.op() + ": the driver protocol has no operation that passes descriptors (SCM_RIGHTS)"
                    + " or credentials (SCM_CREDENTIALS)");
        }
        if (call.unixDomain() && !offered.contains("unix")) {
            throw new Unsupported(NO_UNIX);
        }
        if (call instanceof ApiCall.SocketPair) {
            // socketpair is an operation of its own, offered with unix.
            return;
        }
        if (call.inet6() && !offered.contains("ipv6")) {
            throw new Unsupported(NO_INET6);
        }
        if (!offered.contains(call.op())) {
            throw new Unsupported("the driver does not offer " + call.op());
        }
        boolean flagged = call instanceof ApiCall.Recv r && (r.peek() || r.dontwait() || r.waitall())
                || call instanceof ApiCall.RecvFrom r2 && (r2.peek() || r2.dontwait() || r2.waitall());
        if (flagged && !offered.contains("recv-flags")) {
            throw new Unsupported("recv with MSG_PEEK or MSG_DONTWAIT: the driver does not list recv-flags");
        }
        boolean trunc = call instanceof ApiCall.Recv r && r.trunc() || call instanceof ApiCall.RecvFrom r2 && r2.trunc();
        if (trunc && !offered.contains("recv-trunc")) {
            throw new Unsupported("recv with MSG_TRUNC: the driver does not list recv-trunc");
        }
        if (call instanceof ApiCall.Connect c && c.addr().unspec() && !offered.contains("connect-unspec")) {
            throw new Unsupported("connect(AF_UNSPEC): the driver does not list connect-unspec");
        }
        if (call instanceof ApiCall.Accept c && c.nonblock() && !offered.contains("fcntl")) {
            throw new Unsupported("accept4(SOCK_NONBLOCK): the driver does not offer fcntl, so it has no non-blocking sockets");
        }
        if (call instanceof ApiCall.Socket c && c.nonblock() && !offered.contains("fcntl")) {
            // A driver that offers fcntl has non-blocking sockets; one that does not would make a blocking one.
            throw new Unsupported("socket(SOCK_NONBLOCK): the driver does not offer fcntl, so it has no non-blocking sockets");
        }
    }

    @Override
    public org.sockcheck.spec.Profile judgedProfile() {
        Declared d;
        synchronized (this) {
            d = declaredOrNull();
        }
        return d == null ? null : d.profile();
    }

    @Override
    public boolean concurrent() {
        Declared d;
        synchronized (this) {
            d = declaredOrNull();
        }
        return d != null && d.protocol() == 2 && d.ops().contains("threads");
    }

    @Override
    public synchronized Outcome call(String host, String process, String thread, ApiCall call, java.time.Duration wait)
            throws ImplementationException {
        if (one == null) {
            throw new Unsupported(name() + " makes one call at a time");
        }
        return callTwo(host, process, thread, call, wait.toMillis());
    }

    /** A call a thread waits in (protocol 2 with threads): its request and what it asked. */
    private record Waiting(long id, ApiCall call) {
    }

    private final Map<String, Waiting> waitingCalls = new LinkedHashMap<>();

    @Override
    public synchronized Outcome awaitReturn(String host, String process, String thread, java.time.Duration wait)
            throws ImplementationException {
        String caller = host + "." + process + "." + thread;
        Waiting w = waitingCalls.get(caller);
        if (one == null || w == null) {
            throw new ImplementationException(caller + " waits in no call");
        }
        try {
            JsonNode ok = one.await(w.id(), wait.toMillis());
            waitingCalls.remove(caller);
            return returned(host + "." + process, w.call(), ok);
        } catch (DriverProcess.NoReply e) {
            return new Outcome.Blocked(e.getMessage());
        } catch (DriverProcess.ErrnoReply e) {
            waitingCalls.remove(caller);
            settle();
            return errno(one, w.call(), e);
        } catch (DriverProcess.UnsupportedReply e) {
            waitingCalls.remove(caller);
            throw new Unsupported("the driver cannot do " + w.call().op() + ": " + e.reason);
        }
    }

    /**
     * Protocol 2: one call, on the trace's one driver process, naming its
     * host, process and thread; descriptors mapped when they are the
     * driver's own; the network settled after it when the driver can.
     */
    private Outcome callTwo(String host, String process, String thread, ApiCall call, long waitMs)
            throws ImplementationException {
        Declared d = declared;
        String key = host + "." + process;
        if (!d.ops().contains("threads") && !waitingCalls.isEmpty()) {
            // One request at a time: a driver that waits in a call answers nothing else.
            throw one.failure("the driver still waits in " + waitingCalls.values().iterator().next().call().op()
                    + ", so it cannot take " + call.op());
        }
        if (call instanceof ApiCall.Fork && !d.ops().contains("fork")) {
            throw new Unsupported("fork: the driver does not list fork");
        }
        if (!(call instanceof ApiCall.Fork)) {
            checkOffered(d.ops(), call);
        }
        if (call.inet6() && !d.ownNetwork() && netns == null) {
            throw new Unsupported(noInet6 != null ? noInet6
                    : "an IPv6 call (" + call.op() + ") in a trace the runner did not see as IPv6");
        }
        if (call instanceof ApiCall.SocketPair || call instanceof ApiCall.Socket c && c.domain() == org.sockcheck.spec.Domain.UNIX) {
            unixDir.make(addressing.hostIps().keySet());
        }
        if (call instanceof ApiCall.Socket c && c.type() == org.sockcheck.spec.SockType.RAW && !d.ops().contains("raw")) {
            throw new Unsupported("a raw socket: the driver does not list raw");
        }
        if (call instanceof ApiCall.SetSockOpt c && d.options() != null && !d.options().contains(c.option().name())) {
            throw new Unsupported("setsockopt " + c.option().name() + ": the driver's options do not list it");
        }
        if (call instanceof ApiCall.Bind c && !d.ownNetwork() && netns == null) {
            // One kernel owns every host's address; in the run's namespaces each host's kernel has its own.
            Loopback.checkOwnAddress(addressing, host, c.addr());
        }
        java.util.TreeMap<Integer, Integer> fds = fdMap.computeIfAbsent(key, k -> new java.util.TreeMap<>());
        java.util.function.IntUnaryOperator out = d.ownFds() ? fd -> fds.getOrDefault(fd, -1)
                : java.util.function.IntUnaryOperator.identity();
        ObjectNode args = call instanceof ApiCall.Fork f ? DriverProcess.JSON.createObjectNode().put("child", f.child())
                : encode(call, out, d.ownNetwork());
        ObjectNode head = DriverProcess.JSON.createObjectNode().put("host", host).put("process", process).put("thread", thread);
        long id = one.send(head, call.op(), args);
        JsonNode ok;
        try {
            ok = one.await(id, waitMs);
        } catch (DriverProcess.NoReply e) {
            waitingCalls.put(key + "." + thread, new Waiting(id, call));
            return new Outcome.Blocked(e.getMessage());
        } catch (DriverProcess.ErrnoReply e) {
            settle();
            return errno(one, call, e);
        } catch (DriverProcess.UnsupportedReply e) {
            throw new Unsupported("the driver cannot do " + call.op() + ": " + e.reason);
        }
        return returned(key, call, ok);
    }

    /** A call of protocol 2 that returned ok: its outcome, with the model's descriptors, once the network settled. */
    private Outcome returned(String key, ApiCall call, JsonNode ok) throws ImplementationException {
        Declared d = declared;
        java.util.TreeMap<Integer, Integer> fds = fdMap.computeIfAbsent(key, k -> new java.util.TreeMap<>());
        Outcome o;
        if (call instanceof ApiCall.Fork f) {
            o = forked(key, f, ok);
        } else {
            o = decode(one, call, ok);
        }
        if (call instanceof ApiCall.Exit) {
            fds.clear();
            waitingCalls.keySet().removeIf(k -> k.startsWith(key + "."));
        }
        if (d.ownFds()) {
            o = switch (o) {
                case Outcome.Value v when call instanceof ApiCall.Socket || call instanceof ApiCall.Dup ->
                        new Outcome.Value(org.sockcheck.harness.impl.Descriptors.allocate(fds, (int) v.value()));
                case Outcome.Accepted a ->
                        new Outcome.Accepted(org.sockcheck.harness.impl.Descriptors.allocate(fds, a.fd()), a.peer());
                case Outcome.Pair pair -> {
                    int first = org.sockcheck.harness.impl.Descriptors.allocate(fds, pair.fd1());
                    yield new Outcome.Pair(first, org.sockcheck.harness.impl.Descriptors.allocate(fds, pair.fd2()));
                }
                default -> o;
            };
            if (call instanceof ApiCall.Close c) {
                fds.remove(c.fd());
            }
        }
        settle();
        return o;
    }

    /** fork's answer: 0, or with descriptors of the driver's own, the child's number for each of the parent's. */
    private Outcome forked(String key, ApiCall.Fork f, JsonNode ok) throws ImplementationException {
        String child = key.substring(0, key.indexOf('.') + 1) + f.child();
        java.util.TreeMap<Integer, Integer> parent = fdMap.computeIfAbsent(key, k -> new java.util.TreeMap<>());
        java.util.TreeMap<Integer, Integer> copy = new java.util.TreeMap<>();
        if (ok.isIntegralNumber() && ok.asInt() == 0) {
            copy.putAll(parent);
        } else if (ok.isObject() && ok.path("fds").isArray() && declared.ownFds()) {
            Map<Integer, Integer> childOf = new java.util.HashMap<>();
            for (JsonNode pair : ok.path("fds")) {
                if (!pair.isArray() || pair.size() != 2 || !pair.get(0).canConvertToInt() || !pair.get(1).canConvertToInt()) {
                    throw one.failure("fork's fds are [[PARENT,CHILD],...], got " + shown(ok));
                }
                childOf.put(pair.get(0).asInt(), pair.get(1).asInt());
            }
            for (Map.Entry<Integer, Integer> e : parent.entrySet()) {
                Integer c = childOf.get(e.getValue());
                if (c == null) {
                    throw one.failure("fork's fds name no copy of the parent's descriptor " + e.getValue() + ": " + shown(ok));
                }
                copy.put(e.getKey(), c);
            }
        } else {
            throw one.failure("fork answers 0" + (declared.ownFds() ? " or {\"fds\":[[PARENT,CHILD],...]}" : "")
                    + ", got " + shown(ok));
        }
        fdMap.put(child, copy);
        return new Outcome.Value(0);
    }

    /** Asks a driver of protocol 2 that offers settle to let its network go quiet. */
    private void settle() throws ImplementationException {
        if (one == null || !declared.ops().contains("settle")) {
            return;
        }
        try {
            one.await(one.send(DriverProcess.JSON.createObjectNode(), "settle", DriverProcess.JSON.createObjectNode()),
                    timeoutMs);
        } catch (DriverProcess.NoReply e) {
            throw one.failure("settle did not return within " + timeoutMs + " ms: a stack that cannot go quiet should not"
                    + " list settle");
        } catch (DriverProcess.ErrnoReply | DriverProcess.UnsupportedReply e) {
            throw one.failure("settle failed with " + e.getMessage());
        }
    }

    private static Outcome errno(DriverProcess d, ApiCall call, DriverProcess.ErrnoReply e) throws ImplementationException {
        return Errno.named(e.errno).<Outcome>map(Outcome.Failed::new)
                .orElseThrow(() -> d.failure("unknown errno name " + e.errno + " for " + call.op()));
    }

    /** A call's arguments as the protocol writes them, each descriptor through out; ownNetwork: the guard of 192.0.2.0/24. */
    private ObjectNode encode(ApiCall call, java.util.function.IntUnaryOperator out, boolean ownNetwork)
            throws ImplementationException {
        ObjectNode args = DriverProcess.JSON.createObjectNode();
        switch (call) {
            case ApiCall.Dup c -> args.put("fd", out.applyAsInt(c.fd()));
            case ApiCall.Exit c -> { }
            case ApiCall.SocketPair c -> socketArgs(args, c.domain(), c.type(), c.protocol(), c.nonblock());
            case ApiCall.SendMsg c -> throw new IllegalStateException("sendmsg is refused before it is sent");
            case ApiCall.RecvMsg c -> throw new IllegalStateException("recvmsg is refused before it is sent");
            case ApiCall.Fork c -> throw new IllegalStateException("fork has arguments of its own");
            case ApiCall.Socket c -> socketArgs(args, c.domain(), c.type(), c.protocol(), c.nonblock());
            case ApiCall.Fcntl c -> args.put("fd", out.applyAsInt(c.fd())).put("nonblock", c.nonblock());
            case ApiCall.GetSockOpt c -> args.put("fd", out.applyAsInt(c.fd())).put("option", c.option());
            case ApiCall.Bind c -> fdAddr(args, out.applyAsInt(c.fd()), c.addr(), ownNetwork);
            case ApiCall.Listen c -> args.put("fd", out.applyAsInt(c.fd())).put("backlog", c.backlog());
            case ApiCall.Connect c -> fdAddr(args, out.applyAsInt(c.fd()), c.addr(), ownNetwork);
            case ApiCall.Accept c -> {
                args.put("fd", out.applyAsInt(c.fd()));
                if (c.nonblock()) {
                    args.put("nonblock", true);
                }
            }
            case ApiCall.Send c -> args.put("fd", out.applyAsInt(c.fd())).put("data", Base64.getEncoder().encodeToString(c.data()));
            case ApiCall.Recv c -> flags(args.put("fd", out.applyAsInt(c.fd())).put("size", c.max()), c.peek(), c.dontwait(),
                    c.waitall(), c.trunc());
            case ApiCall.SendTo c -> fdAddr(args, out.applyAsInt(c.fd()), c.addr(), ownNetwork)
                    .put("data", Base64.getEncoder().encodeToString(c.data()));
            case ApiCall.RecvFrom c -> flags(args.put("fd", out.applyAsInt(c.fd())).put("size", c.max()), c.peek(),
                    c.dontwait(), c.waitall(), c.trunc());
            case ApiCall.Shutdown c -> args.put("fd", out.applyAsInt(c.fd()))
                    .put("how", c.how().name().toLowerCase(java.util.Locale.ROOT));
            case ApiCall.Close c -> args.put("fd", out.applyAsInt(c.fd()));
            case ApiCall.GetSockName c -> args.put("fd", out.applyAsInt(c.fd()));
            case ApiCall.GetPeerName c -> args.put("fd", out.applyAsInt(c.fd()));
            case ApiCall.SetSockOpt c -> {
                args.put("fd", out.applyAsInt(c.fd())).put("option", c.option().name()).put("value", c.value());
                if (c.option() == org.sockcheck.spec.SockOpt.SO_LINGER) {
                    args.put("linger", c.linger());
                }
            }
            case ApiCall.Poll c -> {
                tools.jackson.databind.node.ArrayNode fds = args.putArray("fds");
                for (ApiCall.PollFd e : c.fds()) {
                    tools.jackson.databind.node.ArrayNode ev = fds.addObject().put("fd", out.applyAsInt(e.fd()))
                            .putArray("events");
                    Calls.pollOrder(e.events()).forEach(n -> ev.add(pollWord(n)));
                }
                args.put("timeout", c.timeout());
            }
        }
        return args;
    }

    /** socket's and socketpair's arguments: the domain and type by name ("inet6", "seqpacket"), protocol and nonblock when set. */
    private static void socketArgs(ObjectNode args, org.sockcheck.spec.Domain domain, org.sockcheck.spec.SockType type,
                                   int protocol, boolean nonblock) {
        args.put("domain", domain.name().toLowerCase(java.util.Locale.ROOT));
        args.put("type", type.name().toLowerCase(java.util.Locale.ROOT));
        if (protocol != 0) {
            args.put("protocol", protocol);
        }
        if (nonblock) {
            args.put("nonblock", true);
        }
    }

    /** A call's ok value as its outcome; a value of the wrong shape is the driver's fault. */
    private static Outcome decode(DriverProcess d, ApiCall call, JsonNode ok) throws ImplementationException {
        try {
            return switch (call) {
                case ApiCall.Accept c -> new Outcome.Accepted(intOf(ok.get("fd")), endpoint(ok.get("peer")));
                // MSG_TRUNC: a stream's recv says how many bytes it took ("count"), a datagram's its whole length.
                case ApiCall.Recv c when c.trunc() && ok.has("count") -> new Outcome.Value(intOf(ok.get("count")));
                case ApiCall.RecvFrom c when c.trunc() && ok.has("count") -> new Outcome.Value(intOf(ok.get("count")));
                case ApiCall.Recv c -> new Outcome.Data(bytes(ok.get("data")), null, length(ok, c.trunc()));
                case ApiCall.RecvFrom c -> new Outcome.Data(bytes(ok.get("data")), endpointOrNull(ok.get("from")),
                        length(ok, c.trunc()));
                case ApiCall.SocketPair c when ok.isArray() && ok.size() == 2 -> new Outcome.Pair(intOf(ok.get(0)), intOf(ok.get(1)));
                case ApiCall.SocketPair c -> throw new IllegalArgumentException("socketpair: an array of two descriptors");
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

    /** getsockopt's value: a number, an errno name (SO_ERROR), a type (SO_TYPE) or INET or UNIX (SO_DOMAIN). */
    private static String optionValue(JsonNode v) {
        if (v != null && v.isIntegralNumber() && v.canConvertToInt()) {
            return Integer.toString(v.asInt());
        }
        if (v != null && v.isString() && Errno.named(v.asString()).isPresent()) {
            return Errno.named(v.asString()).get().name();
        }
        if (v != null && v.isString() && java.util.Set.of("STREAM", "DGRAM", "RAW", "SEQPACKET", "INET", "INET6", "UNIX")
                .contains(v.asString())) {
            return v.asString();
        }
        // SO_LINGER: [l_onoff, l_linger].
        if (v != null && v.isArray() && v.size() == 2 && v.get(0).canConvertToInt() && v.get(1).canConvertToInt()) {
            return Calls.optionText(Calls.lingerValue(v.get(0).asInt(), v.get(1).asInt()));
        }
        throw new IllegalArgumentException("value: a number, an errno name, STREAM, DGRAM, RAW, SEQPACKET, INET, INET6, UNIX or"
                + " [l_onoff, l_linger], not "
                + (v == null ? "none" : shown(v)));
    }

    private ObjectNode fdAddr(ObjectNode args, int fd, Endpoint addr, boolean ownNetwork) throws ImplementationException {
        if (addr.unix()) {
            if (!addressing.ownsUnixName(addr.path())) {
                throw new ImplementationException("refused the Unix name " + addr + ": only names in the run's own folder"
                        + " or under its abstract prefix are allowed");
            }
            // A path as it is, an abstract name with "@" for its NUL (as /proc/net/unix shows it).
            return args.put("fd", fd).put("addr", addr.shownPath());
        }
        boolean allowed = ownNetwork ? Loopback.allowedOwnNetwork(addr.ip())
                : org.sockcheck.harness.impl.linux.NetnsRun.allowed(netns, addr.ip());
        if (!allowed) {
            throw new ImplementationException("refused to send to " + addr + ": only " + (ownNetwork
                    ? "addresses of the driver's own network (192.0.2.0/24, 2001:db8::/32)"
                    : "loopback addresses (and the host's IPv6 address in the run's namespace)") + " are allowed");
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

    /** An address of a reply: "ip:port", or a Unix name: a path ("/..."), "@" and an abstract name, "" for none. */
    private static Endpoint endpoint(JsonNode n) {
        if (n == null || !n.isString()) {
            throw new IllegalArgumentException("expected an address \"ip:port\" or a Unix name");
        }
        String a = n.asString();
        return a.isEmpty() || a.startsWith("/") || a.startsWith("@") ? Endpoint.unixShown(a) : Endpoint.parse(a);
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
        if (one != null) {
            return observeTwo(host);
        }
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
            for (JsonNode row : sockets(d, () -> d.request("sockets", DriverProcess.JSON.createObjectNode(), timeoutMs))) {
                SocketRow r = row(d, row);
                if (row.path("fd").isIntegralNumber()) {
                    held.add(r);
                } else {
                    orphans.add(r);
                }
            }
        }
        held.addAll(orphans);
        return held;
    }

    /** Protocol 2: the host's whole table, asked of the one driver process once its network settled. */
    private List<SocketRow> observeTwo(String host) throws ImplementationException {
        if (!declared.ops().contains("sockets")) {
            throw new Unsupported("the driver does not offer sockets, so its table cannot be observed");
        }
        if (!declared.ops().contains("threads") && !waitingCalls.isEmpty()) {
            throw one.failure("the driver still waits in " + waitingCalls.values().iterator().next().call().op()
                    + ", so it cannot take sockets");
        }
        settle();
        List<SocketRow> rows = new ArrayList<>();
        for (JsonNode row : sockets(one, () -> one.await(one.send(DriverProcess.JSON.createObjectNode().put("host", host),
                "sockets", DriverProcess.JSON.createObjectNode()), timeoutMs))) {
            rows.add(row(one, row));
        }
        return rows;
    }

    /** One request and its reply, as {@link DriverProcess#request} or send-then-await make it. */
    @FunctionalInterface
    private interface Exchange {
        JsonNode reply() throws ImplementationException, DriverProcess.ErrnoReply, DriverProcess.NoReply,
                DriverProcess.UnsupportedReply;
    }

    /** hello's answer; anything but an ok value is the driver's fault (it cannot start). */
    private static JsonNode hello(DriverProcess d, Exchange hello) throws ImplementationException {
        try {
            return hello.reply();
        } catch (DriverProcess.NoReply e) {
            throw d.failure("no answer to hello: " + e.getMessage());
        } catch (DriverProcess.ErrnoReply e) {
            throw d.failure("refused hello with " + e.errno);
        } catch (DriverProcess.UnsupportedReply e) {
            throw d.failure("answered hello with unsupported: " + e.reason);
        }
    }

    /** sockets' answer, an array of rows: SKIP when the driver cannot list them, its fault when it answers otherwise. */
    private static JsonNode sockets(DriverProcess d, Exchange sockets) throws ImplementationException {
        JsonNode ok;
        try {
            ok = sockets.reply();
        } catch (DriverProcess.NoReply r) {
            throw d.failure("no answer to sockets: " + r.getMessage());
        } catch (DriverProcess.ErrnoReply r) {
            throw d.failure("sockets failed with " + r.errno);
        } catch (DriverProcess.UnsupportedReply r) {
            throw new Unsupported("the driver cannot list its sockets: " + r.reason);
        }
        if (!ok.isArray()) {
            throw d.failure("sockets must answer an array, got " + shown(ok));
        }
        return ok;
    }

    /** One row of sockets' answer; a malformed one is the driver's fault. */
    private static SocketRow row(DriverProcess d, JsonNode row) throws ImplementationException {
        try {
            return row(row);
        } catch (IllegalArgumentException ex) {
            throw d.failure("malformed socket row " + shown(row) + ": " + ex.getMessage());
        }
    }

    private static SocketRow row(JsonNode n) {
        if (string(n, "proto").equalsIgnoreCase("unix")) {
            // A Unix socket's row (S20): its type, its name and its state as /proc/net/unix shows them.
            org.sockcheck.spec.SockType type = org.sockcheck.spec.SockType.ofUnixRow(string(n, "type"))
                    .orElseThrow(() -> new IllegalArgumentException("a unix row's type is STREAM, DGRAM or SEQPACKET"));
            org.sockcheck.spec.UnixState st = org.sockcheck.spec.UnixState.fromName(string(n, "state"))
                    .orElseThrow(() -> new IllegalArgumentException("a unix row's state is one of "
                            + java.util.Arrays.toString(org.sockcheck.spec.UnixState.values())));
            Endpoint name = endpoint(n.get("local"));
            if (!name.unix()) {
                throw new IllegalArgumentException("a unix row's local is a Unix name");
            }
            return SocketRow.unix(type, name.path(), st);
        }
        Proto proto = switch (string(n, "proto").toLowerCase(java.util.Locale.ROOT)) {
            case "tcp" -> Proto.TCP;
            case "udp" -> Proto.UDP;
            case "raw" -> Proto.RAW;
            default -> throw new IllegalArgumentException("proto is tcp, udp, raw or unix");
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
        if (unixDir != null) {
            unixDir.remove();
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
        if (one != null) {
            one.close();
            live.remove(one);
            one = null;
        }
        if (netns != null) {
            netns.close();
            netns = null;
        }
        noInet6 = null;
        fdMap.clear();
        waitingCalls.clear();
        if (unixDir != null) {
            unixDir.remove();
        }
    }

    @Override
    public void close() {
        stop();
        cleanup.remove();
    }
}
