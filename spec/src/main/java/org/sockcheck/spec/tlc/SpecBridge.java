package org.sockcheck.spec.tlc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import tla2sany.semantic.FormalParamNode;
import tla2sany.semantic.OpDefNode;
import tlc2.TLCGlobals;
import tlc2.tool.Action;
import tlc2.tool.StateVec;
import tlc2.tool.TLCState;
import tlc2.tool.impl.FastTool;
import tlc2.value.IValue;
import tlc2.value.impl.BoolValue;
import tlc2.value.impl.FcnRcdValue;
import tlc2.value.impl.IntValue;
import tlc2.value.impl.ModelValue;
import tlc2.value.impl.RecordValue;
import tlc2.value.impl.SetEnumValue;
import tlc2.value.impl.StringValue;
import tlc2.value.impl.TupleValue;
import tlc2.value.impl.Value;
import util.SimpleFilenameToStream;
import util.ToolIO;

/**
 * The specification, executable from Java through TLC's own interpreter:
 * its initial state, its actions with their parameters, and the successors
 * of a state. This is what generates traces and judges them, so the rules
 * live in the TLA+ text only.
 *
 * <p>{@link #load} with the same constants returns the bridge already
 * loaded; models with other constants are loaded beside it.
 */
public final class SpecBridge {

    /**
     * The constants of Network.tla for one model. Hosts and processes become
     * TLC model values of the same names; data are strings of bytes, one
     * character a byte ({@link #data(byte[])}); recvSizes: the sizes a recv
     * may ask for; unborn: the
     * process names that exist only once forked; protocols: the protocol
     * arguments socket() may take (Protocols of Sockets.tla); destinations:
     * whether connect and sendto may also name the wildcard address and
     * port 0 (DestAddrs, ConnectPorts, SendPorts), or only hosts and ports
     * that exist; threads: the thread names every process has (t1, the
     * one each starts with, first); paths: the Unix names calls may bind,
     * connect and send to (Paths of Sockets.tla: a path, or "@name" of the
     * abstract namespace); domains: socket()'s domains, INET and, when the
     * traces open Unix domain sockets, UNIX (Domains).
     */
    public record Constants(List<String> hosts, List<String> procs, List<Integer> ports, List<Integer> ephemeralPorts,
                            List<Integer> fds, int sids, List<String> data, List<Integer> recvSizes, String profile,
                            List<String> unborn, List<Integer> protocols, boolean destinations, List<String> threads,
                            List<String> paths, List<String> domains) {
        /** The thread a process starts with: the one every call of trace format 1 is made on. */
        public static final String MAIN_THREAD = "t1";

        /** The domain of every model: IPv4. */
        public static final List<String> INET_ONLY = List.of("INET");

        /** A model of INET sockets only. */
        public Constants(List<String> hosts, List<String> procs, List<Integer> ports, List<Integer> ephemeralPorts,
                         List<Integer> fds, int sids, List<String> data, List<Integer> recvSizes, String profile,
                         List<String> unborn, List<Integer> protocols, boolean destinations, List<String> threads) {
            this(hosts, procs, ports, ephemeralPorts, fds, sids, data, recvSizes, profile, unborn, protocols, destinations,
                    threads, List.of(), INET_ONLY);
        }

        /** A model whose processes have one thread each. */
        public Constants(List<String> hosts, List<String> procs, List<Integer> ports, List<Integer> ephemeralPorts,
                         List<Integer> fds, int sids, List<String> data, List<Integer> recvSizes, String profile,
                         List<String> unborn, List<Integer> protocols, boolean destinations) {
            this(hosts, procs, ports, ephemeralPorts, fds, sids, data, recvSizes, profile, unborn, protocols, destinations,
                    List.of(MAIN_THREAD));
        }

        /**
         * A model for generated traces: two hosts with two processes each, two ports, three
         * descriptors; walks send to hosts and ports only (the wildcard address and port 0 as
         * destinations made every connect and sendto nearly twice as many choices and diluted the
         * walks: the planted bug of PlantedBugTest was no longer found in 600 walks; scenarios show them);
         * socket() asks for the type's own protocol (0) or 253, an experimental number of RFC 3692,
         * which gives raw sockets.
         */
        public static final Constants GENERATED = new Constants(List.of("A", "B"), List.of("p1", "p2"), List.of(80, 81),
                List.of(40000, 40001, 40002), List.of(3, 4, 5), 8, List.of("d", "e"), List.of(1), "LINUX", List.of(),
                List.of(0, 253), false);

        /**
         * GENERATED with a second thread in every process, for walks in which
         * a thread waits in a call while the others go on (generate and hunt
         * with --threads).
         */
        public static final Constants GENERATED_THREADS = new Constants(GENERATED.hosts(), GENERATED.procs(), GENERATED.ports(),
                GENERATED.ephemeralPorts(), GENERATED.fds(), GENERATED.sids(), GENERATED.data(), GENERATED.recvSizes(),
                GENERATED.profile(), GENERATED.unborn(), GENERATED.protocols(), GENERATED.destinations(), List.of(MAIN_THREAD, "t2"));

        /**
         * The model of generated walks with sockets of these domains (INET
         * always): with INET6 one host, A (linux runs an IPv6 trace of one
         * host), with UNIX the names "srv" and "@srv"; with --threads a
         * second thread ({@link #GENERATED_THREADS}).
         */
        public static Constants generated(List<String> domains, boolean threads) {
            return generated(domains, threads, false);
        }

        /**
         * The model of generated walks of these domains; oneHost6: walks that
         * open INET6 sockets keep to one host (the implementation's hosts
         * share one process, which can be in one network namespace only).
         */
        public static Constants generated(List<String> domains, boolean threads, boolean oneHost6) {
            Constants base = threads ? GENERATED_THREADS : GENERATED;
            if (!domains.contains("INET6") && !domains.contains("UNIX")) {
                return base;
            }
            List<String> all = java.util.stream.Stream.of("INET", "INET6", "UNIX").filter(d -> d.equals("INET") || domains.contains(d)).toList();
            return new Constants(domains.contains("INET6") && oneHost6 ? List.of(base.hosts().get(0)) : base.hosts(), base.procs(), base.ports(),
                    base.ephemeralPorts(), base.fds(), base.sids(), base.data(), base.recvSizes(), base.profile(), base.unborn(),
                    base.protocols(), base.destinations(), base.threads(),
                    domains.contains("UNIX") ? List.of("srv", "@srv") : List.of(), all);
        }

        /** A model whose calls may name any destination. */
        public Constants(List<String> hosts, List<String> procs, List<Integer> ports, List<Integer> ephemeralPorts,
                         List<Integer> fds, int sids, List<String> data, List<Integer> recvSizes, String profile,
                         List<String> unborn, List<Integer> protocols) {
            this(hosts, procs, ports, ephemeralPorts, fds, sids, data, recvSizes, profile, unborn, protocols, true);
        }

        /** A model in which every process runs from the start. */
        public Constants(List<String> hosts, List<String> procs, List<Integer> ports, List<Integer> ephemeralPorts,
                         List<Integer> fds, int sids, List<String> data, List<Integer> recvSizes, String profile) {
            this(hosts, procs, ports, ephemeralPorts, fds, sids, data, recvSizes, profile, List.of());
        }

        /** A model whose sockets are opened with protocol 0 only. */
        public Constants(List<String> hosts, List<String> procs, List<Integer> ports, List<Integer> ephemeralPorts,
                         List<Integer> fds, int sids, List<String> data, List<Integer> recvSizes, String profile,
                         List<String> unborn) {
            this(hosts, procs, ports, ephemeralPorts, fds, sids, data, recvSizes, profile, unborn, List.of(0));
        }

        /** Whether this model has every name, port, datum and descriptor of that one, and its profile. */
        public boolean covers(Constants need) {
            return hosts.containsAll(need.hosts) && procs.containsAll(need.procs) && ports.containsAll(need.ports)
                    && ephemeralPorts.containsAll(need.ephemeralPorts) && data.containsAll(need.data)
                    && recvSizes.containsAll(need.recvSizes) && protocols.containsAll(need.protocols)
                    && (destinations || !need.destinations)
                    && fds.containsAll(need.fds) && sids >= need.sids && profile.equals(need.profile)
                    && unborn.containsAll(need.unborn) && threads.containsAll(need.threads)
                    && paths.containsAll(need.paths) && domains.containsAll(need.domains)
                    && need.procs.stream().filter(p -> !need.unborn.contains(p)).noneMatch(unborn::contains);
        }
    }

    /** One step of the spec: the action, its parameters by name, and the state it leads to. */
    public record Step(String action, Map<String, Object> params, State next) {
        @Override
        public String toString() {
            return action + params;
        }
    }

    /**
     * A state of the spec. {@link #get} gives a variable as plain Java values:
     * integers, strings (model values by name), booleans, lists for tuples and
     * sequences, maps for records and functions, lists for sets.
     */
    public static final class State {
        final TLCState tlc;
        /** Variables already turned into Java: a state never changes, so each is turned once. */
        private final Map<String, Object> converted = new java.util.HashMap<>();

        /** The state's hash (StateHash, equal for equal states as TLC's fingerprint is), taken once. */
        private final long fingerprint;
        /** The ephemeral ports the state names (see {@link SpecBridge#ephemeralNamed}), once asked. */
        private volatile java.util.Set<Integer> ephemeral;

        /** Normalizes the state's values (see StateHash), as TLC does before it explores a state further. */
        State(TLCState tlc) {
            this.tlc = tlc;
            this.fingerprint = StateHash.of(tlc);
        }

        public Object get(String variable) {
            // A state of the memo is read by every worker's judge.
            synchronized (converted) {
                return converted.computeIfAbsent(variable, v -> java(tlc.lookup(v)));
            }
        }

        /** evt: the last call and what it returned, or the network step and its segment; empty before any. */
        @SuppressWarnings("unchecked")
        public Map<String, Object> evt() {
            return get("evt") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        }

        /** sock: the socket table, entry id to record. */
        @SuppressWarnings("unchecked")
        public Map<Object, Map<String, Object>> sockets() {
            return (Map<Object, Map<String, Object>>) get("sock");
        }

        /** Two states are the same when their hashes are (as two states are for TLC when its fingerprints are). */
        public long fingerprint() {
            return fingerprint;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof State s && s.fingerprint() == fingerprint();
        }

        @Override
        public int hashCode() {
            return Long.hashCode(fingerprint());
        }

        @Override
        public String toString() {
            return tlc.toString();
        }
    }

    /**
     * The ephemeral ports state s names anywhere: a socket's own port or its
     * peer's, a segment in flight, a time-wait entry, the last event. The
     * spec compares ports only for equality, so two ephemeral ports that
     * neither the state nor anything outside it names are interchangeable: a
     * search may give an unbound socket the lowest of them and leave the
     * others (Validator), where the spec lets it take any free one.
     */
    public java.util.Set<Integer> ephemeralNamed(State s) {
        if (s.ephemeral == null) {
            // Read from TLC's values as they are: converting whole states to Java (State.get)
            // for every node of a search would cost time and keep the copies alive.
            java.util.Set<Integer> out = new java.util.TreeSet<>();
            for (IValue v : s.tlc.getVals().values()) {
                collectPorts((Value) v, out);
            }
            s.ephemeral = java.util.Collections.unmodifiableSet(out);
        }
        return s.ephemeral;
    }

    private void collectPorts(Value v, java.util.Set<Integer> out) {
        switch (v) {
            case IntValue i -> {
                if (ephemeralPool.contains(i.val)) {
                    out.add(i.val);
                }
            }
            case TupleValue t -> {
                for (Value e : t.elems) {
                    collectPorts(e, out);
                }
            }
            case RecordValue r -> {
                for (Value e : r.values) {
                    collectPorts(e, out);
                }
            }
            case SetEnumValue set -> {
                for (int k = 0; k < set.elems.size(); k++) {
                    collectPorts(set.elems.elementAt(k), out);
                }
            }
            case FcnRcdValue f -> {
                for (Value d : f.getDomainAsValues()) {
                    collectPorts(d, out);
                }
                for (Value e : f.values) {
                    collectPorts(e, out);
                }
            }
            case StringValue x -> {
            }
            case BoolValue x -> {
            }
            case ModelValue x -> {
            }
            default -> {
                // Another kind of function or set: as java() reads it.
                Value f = v.toFcnRcd();
                if (f instanceof FcnRcdValue) {
                    collectPorts(f, out);
                } else if (v.toSetEnum() instanceof SetEnumValue set) {
                    collectPorts(set, out);
                }
            }
        }
    }

    /**
     * The models loaded in this JVM, by constants, the least recently used
     * first. TLC keeps parts of its interpreter in static state that depend
     * only on the spec's text (its variables), so models of the same spec
     * with other constants live side by side; each holds its own parse.
     */
    private static final Map<Constants, SpecBridge> LOADED = new LinkedHashMap<>(8, 0.75f, true);
    /** At most this many models stay loaded (each is some megabytes of TLC's semantic tree). */
    private static final int MAX_LOADED = 8;

    private final Constants constants;
    /** The model's ephemeral ports, as {@link #ephemeralNamed} looks them up. */
    private final java.util.Set<Integer> ephemeralPool;
    private final FastTool tool;
    private final Action[] actions;
    private final String[] actionNames;
    private final FormalParamNode[][] actionParams;
    private final Map<String, Object>[] paramCache;
    /** The indexes of TLC's split actions by action name. */
    private final Map<String, List<Integer>> byName = new LinkedHashMap<>();
    /**
     * Successors already computed, by model, state fingerprint and question.
     * A state's successors never change, and validation asks for the same
     * state again and again (each node of a search settles through states
     * its neighbours settled through). One memory for every model of the
     * JVM, bounded by the steps it holds (each with its state): the least
     * recently used answers go first, whichever model they are of. Bounded
     * by answers alone, the memo of a ref hunt held 773,439 steps after 127
     * walks (jcmd GC.class_histogram), and a 2000-walk hunt ran out of
     * memory; bounded per model, the conformance tests' JVM, with eight
     * models loaded, held 175,000 answers and grew past 6 GB while
     * FormatTwoBugsTest walked (a judge grows a model for each size of
     * generated trace it meets).
     */
    private static final Map<Question, List<Step>> MEMO = new LinkedHashMap<>(1 << 12, 0.75f, true);
    private static final int MEMO_STEPS = 60_000;
    /** The memo's bound: {@value #MEMO_STEPS}, smaller in a test of the bound. */
    private static int memoLimit = MEMO_STEPS;
    private static int memoSteps;
    /** Tells this JVM's models apart in the memo (the model itself in a key would keep one unloaded alive). */
    private static final java.util.concurrent.atomic.AtomicInteger MODELS = new java.util.concurrent.atomic.AtomicInteger();
    private final int model = MODELS.incrementAndGet();
    /** Which of TLC's split actions answer a question, by question (the same few are asked again and again). */
    private final Map<Object, int[]> selected = new java.util.concurrent.ConcurrentHashMap<>();
    private long asked;
    private long answeredFromMemo;
    // Thread safety: a model is shared by the judges of check's workers. The memo is read and written under
    // its lock (a successor is computed outside it: two threads may compute one answer, both right), the
    // indexes are concurrent maps, and TLC evaluates next states on several threads as its own workers do.

    private record Question(int model, long fingerprint, Object what) {
    }

    private SpecBridge(Constants constants, FastTool tool) {
        this.constants = constants;
        this.ephemeralPool = java.util.Set.copyOf(constants.ephemeralPorts());
        this.tool = tool;
        this.actions = tool.getActions();
        this.actionNames = new String[actions.length];
        this.actionParams = new FormalParamNode[actions.length][];
        @SuppressWarnings("unchecked")
        Map<String, Object>[] cache = new Map[actions.length];
        this.paramCache = cache;
        for (int i = 0; i < actions.length; i++) {
            OpDefNode def = actions[i].getOpDef();
            actionNames[i] = def == null ? actions[i].getName().toString() : def.getName().toString();
            actionParams[i] = def == null ? new FormalParamNode[0] : def.getParams();
            byName.computeIfAbsent(actionNames[i], k -> new ArrayList<>()).add(i);
        }
    }

    /** How many successor questions this model was asked, and how many the memo answered (for benchmarks and tuning). */
    public long[] memoStatistics() {
        synchronized (MEMO) {
            return new long[] {asked, answeredFromMemo};
        }
    }

    /** Forgets every successor of this model remembered (benchmarks measure a first validation so). */
    public void forget() {
        synchronized (MEMO) {
            for (var it = MEMO.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (e.getKey().model() == model) {
                    memoSteps -= e.getValue().size();
                    it.remove();
                }
            }
        }
    }

    /** How many steps the memo of this JVM's models holds (at most its bound, past which the oldest go). */
    static int memoSteps() {
        synchronized (MEMO) {
            return memoSteps;
        }
    }

    /** Sets the memo's bound (for a test of it), the oldest answers dropped now if it holds more; returns the bound before. */
    static int memoLimit(int steps) {
        synchronized (MEMO) {
            int before = memoLimit;
            memoLimit = steps;
            dropPastLimit();
            return before;
        }
    }

    /** Drops the least recently used answers while the memo holds more steps than its bound (under MEMO's lock). */
    private static void dropPastLimit() {
        for (var eldest = MEMO.entrySet().iterator(); memoSteps > memoLimit && eldest.hasNext(); ) {
            memoSteps -= eldest.next().getValue().size();
            eldest.remove();
        }
    }

    private List<Step> remembered(State s, Object what, java.util.function.Supplier<List<Step>> compute) {
        Question q = new Question(model, s.fingerprint(), what);
        synchronized (MEMO) {
            asked++;
            List<Step> known = MEMO.get(q);
            if (known != null) {
                answeredFromMemo++;
                return known;
            }
        }
        List<Step> out = List.copyOf(compute.get());
        synchronized (MEMO) {
            List<Step> before = MEMO.put(q, out);
            memoSteps += out.size() - (before == null ? 0 : before.size());
            dropPastLimit();
        }
        return out;
    }

    /** A model loaded in this JVM that covers these constants, if any (the most recently used first). */
    public static synchronized java.util.Optional<SpecBridge> covering(Constants need) {
        List<SpecBridge> all = new ArrayList<>(LOADED.values());
        java.util.Collections.reverse(all);
        return all.stream().filter(b -> b.constants.covers(need)).findFirst();
    }

    /** Loads the spec with these constants, or returns the model this JVM has loaded with them already. */
    public static synchronized SpecBridge load(Constants constants) throws IOException {
        SpecBridge known = LOADED.get(constants);
        if (known != null) {
            return known;
        }
        SpecBridge bridge = parse(constants);
        LOADED.put(constants, bridge);
        if (LOADED.size() > MAX_LOADED) {
            LOADED.remove(LOADED.keySet().iterator().next());
        }
        return bridge;
    }

    /**
     * TLC copies its standard modules (Integers.tla, Sequences.tla, ...) out
     * of its jar into the folder java.io.tmpdir names when its class
     * FilenameToStream is loaded. Two sockcheck processes that loaded the
     * spec at the same moment overwrote each other's copies in /tmp, and one
     * failed ("Module-Table lookup failure"). So each JVM gives TLC a folder
     * of its own, removed when the JVM ends.
     */
    private static final class TlcTemp {
        static final Path DIR = make();

        private static Path make() {
            String before = System.getProperty("java.io.tmpdir");
            try {
                Path dir = Files.createTempDirectory("sockcheck-tlc-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> removeTree(dir), "sockcheck-tlc-temp"));
                System.setProperty("java.io.tmpdir", dir.toString());
                try {
                    Class.forName("util.FilenameToStream", true, SpecBridge.class.getClassLoader());
                } finally {
                    System.setProperty("java.io.tmpdir", before);
                }
                return dir;
            } catch (IOException | ClassNotFoundException e) {
                throw new IllegalStateException("cannot make a temporary folder for TLC: " + e.getMessage(), e);
            }
        }

        private static void removeTree(Path dir) {
            try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
                all.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException | RuntimeException e) {
                // Leftovers of a temporary folder are the system's to clean.
            }
        }
    }

    /** Where TLC writes its standard modules in this JVM (a folder of its own, see TlcTemp). */
    public static Path tlcTemp() {
        return TlcTemp.DIR;
    }

    private static SpecBridge parse(Constants constants) throws IOException {
        tlcTemp();
        Path dir = Files.createTempDirectory("sockcheck-spec-");
        dir.toFile().deleteOnExit();
        for (String module : List.of("Network", "Tcp", "Udp", "Unix", "SocketApi", "Sockets")) {
            try (InputStream in = SpecBridge.class.getResourceAsStream("/tla/" + module + ".tla")) {
                Objects.requireNonNull(in, "the spec jar has no tla/" + module + ".tla");
                Path file = dir.resolve(module + ".tla");
                Files.copy(in, file);
                file.toFile().deleteOnExit();
            }
        }
        Path root = dir.resolve("Bridge.tla");
        Files.write(root, bridgeModule(constants));
        root.toFile().deleteOnExit();
        Path cfg = dir.resolve("Bridge.cfg");
        Files.writeString(cfg, config(constants));
        cfg.toFile().deleteOnExit();
        TLCGlobals.setNumWorkers(1);
        // Fingerprints need FP64's table, which the model checker sets up at its start.
        tlc2.util.FP64.Init(0);
        ToolIO.setMode(ToolIO.TOOL);
        ToolIO.setUserDir(dir.toString());
        ToolIO.reset();
        FastTool tool;
        try {
            tool = new FastTool(dir.toString(), "Bridge", "Bridge", new SimpleFilenameToStream(dir.toString()));
        } catch (RuntimeException e) {
            // SANY says why only in its messages: keep them with the failure.
            throw new IOException("the spec in " + dir + " could not be loaded: " + e.getMessage() + "\n"
                    + String.join("\n", ToolIO.getAllMessages()), e);
        }
        return new SpecBridge(constants, tool);
    }

    private static String config(Constants c) {
        StringBuilder b = new StringBuilder("CONSTANTS\n");
        for (String h : c.hosts()) {
            b.append("    ").append(h).append(" = ").append(h).append('\n');
        }
        for (String p : c.procs()) {
            b.append("    ").append(p).append(" = ").append(p).append('\n');
        }
        for (String t : c.threads()) {
            b.append("    ").append(t).append(" = ").append(t).append('\n');
        }
        b.append("    Hosts = {").append(String.join(", ", c.hosts())).append("}\n");
        b.append("    Threads = {").append(String.join(", ", c.threads())).append("}\n");
        b.append("    Procs = {").append(String.join(", ", c.procs())).append("}\n");
        b.append("    Unborn = {").append(String.join(", ", c.unborn())).append("}\n");
        b.append("    Ports = ").append(set(c.ports())).append('\n');
        b.append("    EphemeralPorts = ").append(set(c.ephemeralPorts())).append('\n');
        b.append("    Fds = ").append(set(c.fds())).append('\n');
        b.append("    Sids = ").append(set(java.util.stream.IntStream.rangeClosed(1, c.sids()).boxed().toList())).append('\n');
        // A .cfg string takes no escapes: the data are a definition of the Bridge module (see bridgeModule).
        b.append("    Data <- BridgeData\n");
        b.append("    Protocols <- BridgeProtocols\n");
        b.append("    Paths <- BridgePaths\n");
        b.append("    AutoNames <- BridgeAutoNames\n");
        b.append("    Domains <- BridgeDomains\n");
        if (!c.domains().contains("UNIX")) {
            // A model of INET sockets alone: no SEQPACKET (ESOCKTNOSUPPORT) and no socketpair (EOPNOTSUPP),
            // which would only add choices that change nothing to every walk the generator makes.
            b.append("    Types <- BridgeInetTypes\n    PairDomains <- BridgeNoDomains\n");
        } else {
            // With Unix sockets, sendmsg passing a descriptor or none (SCM_RIGHTS; a trace's are evaluated with
            // its own, DIRECT), with its credentials (SCM_CREDENTIALS) or without, and recvmsg.
            b.append("    RightsLists <- BridgeRights\n    RecvMsgOps <- BridgeRecvMsg\n    CredsSent <- BridgeCredsSent\n");
        }
        if (!c.destinations()) {
            b.append("    DestAddrs <- BridgeHosts\n    ConnectPorts <- BridgeNamedPorts\n    SendPorts <- BridgeNamedPorts\n");
        }
        b.append("    RecvSizes = ").append(set(c.recvSizes())).append('\n');
        b.append("    Profile = \"").append(c.profile()).append("\"\n");
        b.append("    RecordEvents = TRUE\n    Lossy = FALSE\n    Duplicating = FALSE\n");
        b.append("INIT Init\nNEXT Next\n");
        return b.toString();
    }

    /**
     * The character that stands for the backquote in the spec's strings:
     * SANY's lexer takes every character from U+0000 to U+00FF in a string
     * literal but the backquote (0x60), and has no escape for it.
     */
    private static final char BACKQUOTE = '\uFFFD';

    /**
     * Bytes as a string of the spec: one character a byte, U+0000 to U+00FF
     * (ISO 8859-1), the backquote as U+FFFD. Every byte can be sent, and a
     * stream is counted in bytes.
     */
    public static String data(byte[] bytes) {
        return new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).replace('`', BACKQUOTE);
    }

    /** The bytes a string of the spec stands for: {@link #data(byte[])} undone. */
    public static byte[] bytes(String spec) {
        return spec.replace(BACKQUOTE, '`').getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /**
     * The root module of a model: Sockets with the model's data. A quote, a
     * backslash and the line breaks are written as TLA+ escapes, every other
     * character as it is, in the charset SANY reads modules with (the JVM's
     * default, UTF-8 since JDK 18).
     */
    /**
     * How a trace writes the names Unix sockets' autobind gave: this and a
     * number, "@auto1", "@auto2", ... (AutoNames in spec/Unix.tla; the
     * runner's Addressing numbers a run's names in the order it shows them).
     */
    public static final String AUTO_NAME = "@auto";

    /** Whether a trace's Unix name is one autobind gave ("@auto" and a number). */
    public static boolean autoName(String name) {
        return name.length() > AUTO_NAME.length() && name.startsWith(AUTO_NAME)
                && name.substring(AUTO_NAME.length()).chars().allMatch(c -> c >= '0' && c <= '9');
    }

    static byte[] bridgeModule(Constants c) {
        StringBuilder b = new StringBuilder("---- MODULE Bridge ----\nEXTENDS Sockets, Integers\nBridgeData == {");
        for (int i = 0; i < c.data().size(); i++) {
            b.append(i == 0 ? "" : ", ").append(tlaString(c.data().get(i)));
        }
        b.append("}\nBridgePaths == {");
        for (int i = 0; i < c.paths().size(); i++) {
            b.append(i == 0 ? "" : ", ").append(tlaString(c.paths().get(i)));
        }
        b.append("}\nBridgeAutoNames == {");
        List<String> auto = c.paths().stream().filter(SpecBridge::autoName).toList();
        for (int i = 0; i < auto.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(tlaString(auto.get(i)));
        }
        b.append("}\nBridgeDomains == {");
        for (int i = 0; i < c.domains().size(); i++) {
            b.append(i == 0 ? "" : ", ").append(tlaString(c.domains().get(i)));
        }
        b.append("}\nBridgeInetTypes == {\"STREAM\", \"DGRAM\", \"RAW\"}\nBridgeNoDomains == {}");
        b.append("\nBridgeRights == {<<>>} \\cup {<<f>> : f \\in Fds}\nBridgeRecvMsg == {\"recvmsg\"}\nBridgeCredsSent == BOOLEAN");
        b.append("\nBridgeProtocols == ").append(set(c.protocols())).append("\nBridgeHosts == Hosts\nBridgeNamedPorts == AllPorts\n====\n");
        java.nio.charset.Charset read = java.nio.charset.Charset.defaultCharset();
        if (!read.newEncoder().canEncode(b)) {
            throw new IllegalStateException("the JVM reads files as " + read + ", which cannot hold every byte of the data;"
                    + " run it with -Dfile.encoding=UTF-8");
        }
        return b.toString().getBytes(read);
    }

    /** A string of bytes (one character a byte) as a TLA+ string literal. */
    static String tlaString(String bytes) {
        StringBuilder b = new StringBuilder("\"");
        for (char ch : bytes.toCharArray()) {
            if (ch > 0xff && ch != BACKQUOTE || ch == '`') {
                throw new IllegalArgumentException("data are bytes, one character a byte: " + (int) ch);
            }
            b.append(switch (ch) {
                case '"' -> "\\\"";
                case '\\' -> "\\\\";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                case '\f' -> "\\f";
                default -> String.valueOf(ch);
            });
        }
        return b.append('"').toString();
    }

    private static String set(List<Integer> xs) {
        return xs.stream().map(String::valueOf).collect(Collectors.joining(", ", "{", "}"));
    }

    public Constants constants() {
        return constants;
    }

    /** ListedRows of Sockets.tla, its definition found once. */
    private tla2sany.semantic.OpDefNode listedRows;

    /**
     * The rows an observation shows in this state, by entry (ListedRows in
     * Sockets.tla: proto, host, st, lip, lport, rip, rport, the addresses as
     * the API shows them), in the order of the entries' numbers.
     */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> listedRows(State s) {
        if (listedRows == null) {
            listedRows = operator("ListedRows");
        }
        Object v = java(tool.eval(listedRows.getBody(), tlc2.util.Context.Empty, s.tlc));
        if (v instanceof List<?> l) {
            // A function on 1..n is a sequence to TLC (entries 1 to n listed, or none).
            return l.stream().map(r -> (Map<String, Object>) r).toList();
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw new IllegalStateException("ListedRows is not a function: " + v);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        new java.util.TreeMap<>((Map<Integer, Object>) m).values().forEach(r -> out.add((Map<String, Object>) r));
        return out;
    }

    /** The definition of an operator of no arguments of the root module. */
    private OpDefNode operator(String name) {
        for (OpDefNode d : tool.getSpecProcessor().getRootModule().getOpDefs()) {
            if (d.getName().toString().equals(name) && d.getArity() == 0) {
                return d;
            }
        }
        throw new IllegalStateException("Sockets.tla has no operator " + name);
    }

    /** Unmodelled and Unmodelled6 of Sockets.tla: the type and protocol pairs of socket() outside the model, read once. */
    private final java.util.Map<String, java.util.Set<List<Object>>> unmodelled = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Whether socket() of this domain ("INET" or "INET6"), type ("STREAM",
     * ...) and protocol makes a socket the model has not: Unmodelled for
     * INET, Unmodelled6 for INET6.
     */
    public boolean unmodelled(String domain, String type, long protocol) {
        java.util.Set<List<Object>> pairs = unmodelled.computeIfAbsent("INET6".equals(domain) ? "Unmodelled6" : "Unmodelled", name -> {
            OpDefNode def = operator(name);
            // A union of sets is a lazy value in TLC: enumerate it first.
            Object v = java(((Value) tool.eval(def.getBody(), tlc2.util.Context.Empty, init().tlc)).toSetEnum());
            java.util.Set<List<Object>> read = new java.util.HashSet<>();
            for (Object pair : (List<?>) v) {
                List<?> p = (List<?>) pair;
                read.add(List.of(p.get(0), ((Number) p.get(1)).longValue()));
            }
            return read;
        });
        return pairs.contains(List.of(type, protocol));
    }

    /** The one initial state of Sockets.tla. */
    public State init() {
        StateVec init = tool.getInitStates();
        if (init.size() != 1) {
            throw new IllegalStateException("the spec has " + init.size() + " initial states, expected 1");
        }
        return new State(init.elementAt(0));
    }

    /** The names of the actions TLC split Next into, each once ("Network" stands for every arrival and loss). */
    public List<String> actionNames() {
        return List.copyOf(new java.util.LinkedHashSet<>(List.of(actionNames)));
    }

    /** Every step the spec allows from s, with the action that takes it and its parameters. */
    public List<Step> successors(State s) {
        return stepsOf(s, java.util.stream.IntStream.range(0, actions.length).toArray(), (i, st) -> true);
    }

    private StateVec next(int i, State s) {
        try {
            return tool.getNextStates(actions[i], s.tlc);
        } catch (RuntimeException e) {
            throw new IllegalStateException("TLC failed on " + actionNames[i] + params(i) + " from " + s, e);
        }
    }

    /**
     * TLC cannot split Network (its segment ranges over the variable net),
     * so a network step is named by what it recorded: NetRecord in
     * Network.tla keeps the action's name and the segment in evt.
     */
    private Step step(int i, TLCState next) {
        // The state is normalized (TLC leaves a successor's values lazy) by State's hash, which walks it.
        State s = new State(next);
        if (!actionNames[i].equals("Network")) {
            return new Step(actionNames[i], params(i), s);
        }
        Map<String, Object> evt = s.evt();
        return new Step((String) evt.get("op"), Map.of("m", evt.get("ret")), s);
    }

    /**
     * The steps of one action with these parameters (a subset of its
     * parameters by name; the others may be anything): only those actions of
     * TLC's split are evaluated, which is what makes checking a trace cheap.
     */
    public List<Step> successors(State s, String action, Map<String, Object> params) {
        // Which split actions answer is looked up only when the memo does not answer (the hot path).
        return remembered(s, List.of(action, params), () -> {
            int[] chosen = selected.computeIfAbsent(List.of(action, params), k -> select(action, params));
            return chosen.length == 0 && DIRECT.containsKey(action)
                    && DIRECT.get(action).stream().anyMatch(params::containsKey)
                    ? direct(s, action, params) : stepsOf(s, chosen, (i, st) -> true);
        });
    }

    /**
     * TLC's split actions of this name, indexed by each parameter's value
     * (action, parameter, value: the split actions' indexes), made on the
     * first question about the action. A large model splits an action into
     * tens of thousands (Send: process, thread, descriptor, data), and a
     * scan of them all for each new question was most of the time a trace
     * took to validate (JFR: 70% of the samples).
     */
    private final Map<String, Map<String, Map<Object, int[]>>> postings = new java.util.concurrent.ConcurrentHashMap<>();

    /** The split actions of this name whose parameters include these values. */
    private int[] select(String action, Map<String, Object> params) {
        Map<String, Map<Object, int[]>> index = postings.computeIfAbsent(action, a -> {
            Map<String, Map<Object, List<Integer>>> lists = new java.util.HashMap<>();
            for (int i : byName.getOrDefault(a, List.of())) {
                for (Map.Entry<String, Object> e : params(i).entrySet()) {
                    lists.computeIfAbsent(e.getKey(), k -> new java.util.HashMap<>())
                            .computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(i);
                }
            }
            Map<String, Map<Object, int[]>> out = new java.util.HashMap<>();
            lists.forEach((name, byValue) -> {
                Map<Object, int[]> m = new java.util.HashMap<>();
                byValue.forEach((v, is) -> m.put(v, is.stream().mapToInt(Integer::intValue).toArray()));
                out.put(name, m);
            });
            return out;
        });
        int[] fewest = null;
        for (Map.Entry<String, Object> e : params.entrySet()) {
            int[] these = index.getOrDefault(e.getKey(), Map.of()).getOrDefault(e.getValue(), new int[0]);
            if (fewest == null || these.length < fewest.length) {
                fewest = these;
            }
        }
        if (fewest == null) {
            return byName.getOrDefault(action, List.of()).stream().mapToInt(Integer::intValue).toArray();
        }
        return java.util.Arrays.stream(fewest).filter(i -> params(i).entrySet().containsAll(params.entrySet())).toArray();
    }

    /**
     * The actions a trace may call with a value the model does not
     * enumerate, by the parameters that take it: a poll's request (the
     * model's PollRequests are single descriptors; a trace polls any), an
     * option's value (the model lingers 0 seconds or not at all), a
     * backlog (the model's are 0 and 8), the data of a send and the size of
     * a recv (a judge's model enumerates one of each: a model that
     * enumerated every datum and size of a corpus split Send, SendTo and
     * Recv into hundreds of thousands of actions, slow to load and to
     * search). Such a call is the action evaluated with the trace's values.
     */
    private static final Map<String, java.util.Set<String>> DIRECT = Map.of("Poll", java.util.Set.of("rq"),
            "SetSockOpt", java.util.Set.of("v"), "Listen", java.util.Set.of("bl"), "Send", java.util.Set.of("d"),
            "SendTo", java.util.Set.of("d"), "Recv", java.util.Set.of("n"), "SendMsg", java.util.Set.of("d", "fs"));

    /**
     * The steps of an action with the question's values of its direct
     * parameters ({@link #DIRECT}): the action's definition evaluated in the
     * context of each split action that agrees with the question on every
     * other parameter it asks about, the direct ones bound to the question's
     * values (split actions that differ only in those are evaluated once).
     */
    private List<Step> direct(State s, String action, Map<String, Object> params) {
        java.util.Set<String> free = DIRECT.get(action);
        java.util.Set<Map<String, Object>> seen = new java.util.HashSet<>();
        List<Step> out = new ArrayList<>();
        Map<String, Object> fixed = new java.util.HashMap<>(params);
        fixed.keySet().removeAll(free);
        // The split actions that agree on every other parameter, found through the index as select finds them.
        int[] agree = selected.computeIfAbsent(List.of("direct", action, fixed), k -> select(action, fixed));
        for (int i : agree) {
            OpDefNode def = actions[i].getOpDef();
            Map<String, Object> own = params(i);
            if (def == null) {
                continue;
            }
            Map<String, Object> bound = new LinkedHashMap<>(own);
            tlc2.util.Context con = actions[i].con;
            for (FormalParamNode f : def.getParams()) {
                String name = f.getName().toString();
                if (free.contains(name) && params.containsKey(name)) {
                    bound.put(name, params.get(name));
                    con = con.cons(f, tlc(params.get(name)));
                }
            }
            if (!seen.add(bound)) {
                continue;
            }
            Action a = new Action(def.getBody(), con, def);
            StateVec next;
            try {
                next = tool.getNextStates(a, s.tlc);
            } catch (RuntimeException e) {
                throw new IllegalStateException("TLC failed on " + action + bound + " from " + s, e);
            }
            Map<String, Object> stepParams = java.util.Collections.unmodifiableMap(bound);
            for (int k = 0; k < next.size(); k++) {
                out.add(new Step(action, stepParams, new State(next.elementAt(k))));
            }
        }
        return out;
    }

    /**
     * Plain Java as a TLC value: a number, a string, a boolean, a list (a
     * sequence), a set, a map of names (a record).
     */
    static Value tlc(Object o) {
        Value v = switch (o) {
            case Integer i -> IntValue.gen(i);
            case Long l -> IntValue.gen(Math.toIntExact(l));
            case String str -> new StringValue(str);
            case Boolean b -> b ? BoolValue.ValTrue : BoolValue.ValFalse;
            case List<?> l -> new TupleValue(l.stream().map(SpecBridge::tlc).toArray(Value[]::new));
            case java.util.Set<?> set -> new SetEnumValue(set.stream().map(SpecBridge::tlc).toArray(Value[]::new), false);
            case Map<?, ?> m -> new RecordValue(m.keySet().stream().map(k -> util.UniqueString.uniqueStringOf((String) k))
                    .toArray(util.UniqueString[]::new), m.values().stream().map(SpecBridge::tlc).toArray(Value[]::new), false);
            default -> throw new IllegalArgumentException("no TLC value for " + o);
        };
        v.normalize();
        return v;
    }

    /** The steps of the named actions only (cheaper than all successors); "Network" names all arrivals. */
    public List<Step> successors(State s, java.util.Set<String> onlyActions) {
        return remembered(s, onlyActions, () -> stepsOf(s,
                selected.computeIfAbsent(onlyActions, k -> java.util.stream.IntStream.range(0, actions.length)
                        .filter(i -> onlyActions.contains(actionNames[i])
                                || actionNames[i].equals("Network") && !onlyActions.isEmpty())
                        .toArray()),
                // A network arrival is kept when its own name (the action it took) was asked for.
                (i, st) -> onlyActions.contains(st.action()) || onlyActions.contains(actionNames[i])));
    }

    /** The steps of these split actions from s that keep says to keep (by action index and step). */
    private List<Step> stepsOf(State s, int[] chosen, java.util.function.BiPredicate<Integer, Step> keep) {
        List<Step> out = new ArrayList<>();
        for (int i : chosen) {
            StateVec next = next(i, s);
            for (int k = 0; k < next.size(); k++) {
                Step st = step(i, next.elementAt(k));
                if (keep.test(i, st)) {
                    out.add(st);
                }
            }
        }
        return out;
    }

    private Map<String, Object> params(int i) {
        synchronized (paramCache) {
            return paramsLocked(i);
        }
    }

    private Map<String, Object> paramsLocked(int i) {
        if (paramCache[i] != null) {
            return paramCache[i];
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (FormalParamNode p : actionParams[i]) {
            Object v = actions[i].con.lookup(p);
            out.put(p.getName().toString(), v instanceof IValue iv ? java(iv) : v);
        }
        paramCache[i] = java.util.Collections.unmodifiableMap(out);
        return paramCache[i];
    }

    /** A TLC value as plain Java. */
    static Object java(IValue v) {
        Value value = (Value) v;
        return switch (value) {
            case IntValue i -> i.val;
            case StringValue s -> s.val.toString();
            case BoolValue b -> b.val;
            case ModelValue m -> m.val.toString();
            case TupleValue t -> list(t.elems);
            case RecordValue r -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int k = 0; k < r.names.length; k++) {
                    m.put(r.names[k].toString(), java(r.values[k]));
                }
                yield m;
            }
            case SetEnumValue s -> {
                List<Object> l = new ArrayList<>();
                for (int k = 0; k < s.elems.size(); k++) {
                    l.add(java(s.elems.elementAt(k)));
                }
                yield l;
            }
            default -> {
                Value f = value.toFcnRcd();
                if (f instanceof FcnRcdValue fcn) {
                    Value[] domain = fcn.getDomainAsValues();
                    Map<Object, Object> m = new LinkedHashMap<>();
                    for (int k = 0; k < domain.length; k++) {
                        m.put(java(domain[k]), java(fcn.values[k]));
                    }
                    yield m;
                }
                Value set = value.toSetEnum();
                if (set instanceof SetEnumValue) {
                    yield java(set);
                }
                yield value.toString();
            }
        };
    }

    private static List<Object> list(Value[] elems) {
        List<Object> l = new ArrayList<>(elems.length);
        for (Value e : elems) {
            l.add(java(e));
        }
        return l;
    }
}
