package org.sockcheck.ref;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Errno;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.Profile;
import org.sockcheck.spec.Proto;
import org.sockcheck.spec.SocketRow;
import org.sockcheck.spec.TcpState;

/**
 * The reference stack: the specification (spec/*.tla) in Java, to be read
 * next to it. Each action of the spec is one method of the same name, in a
 * class named after the module that defines it and in that module's order:
 * the calls of SocketApi.tla in {@link SocketApi}, the segment arrivals and
 * timers of Tcp.tla in {@link Tcp}, the datagram arrivals of Udp.tla in
 * {@link Udp}, the network of Network.tla (and the helpers the modules share)
 * in {@link Network}. This class holds the state they act on (the hosts with
 * their tables and processes, the segments in flight, the clock, the limits
 * and the profile) and dispatches the calls and the network's steps to them.
 * Every TCP state change goes through {@link #setState}, which records
 * {@code from => to} with the action that made it.
 *
 * <p>The stack is deterministic. By default each call runs to completion and
 * the network then delivers what is in flight, oldest first, until no segment
 * can be taken; a blocking call that still cannot return gives up with
 * {@link Outcome.Blocked}, as a real implementation's call times out. A caller
 * that wants to choose delivery, loss, duplication and reordering itself
 * turns that off ({@link #setAutoDeliver}) and drives the network with
 * {@link #deliver}, {@link #loseSegment}, {@link #advance} and
 * {@link #tryReturn}.
 *
 * <p>Where the spec abstracts, the stack is concrete in the way Linux is:
 * byte streams rather than segments for recv, a backlog, ephemeral ports from
 * 32768, timers on a virtual clock. Those places say so.
 */
public final class RefStack {
    /** RFC 9293 3.4.2: 2*MSL; Linux's TCP_TIMEWAIT_LEN is 60 s. */
    static final long TIME_WAIT_MS = 60_000;
    /** Linux's default net.ipv4.tcp_fin_timeout. */
    static final long FIN_WAIT_2_MS = 60_000;
    /** Linux gives up a SYN after tcp_syn_retries = 6 retransmissions: 1+2+...+64 s. */
    static final long SYN_SENT_MS = 127_000;
    /** ... and a SYN-ACK after tcp_synack_retries = 5: 1+2+...+32 s. */
    static final long SYN_RECEIVED_MS = 63_000;

    /**
     * The stack's finite resources, which the spec has as the finite sets Fds,
     * Sids and EphemeralPorts: descriptors per process (EMFILE), entries per
     * socket table (ENOBUFS) and the ephemeral port range (EAGAIN).
     */
    public record Limits(int descriptors, int sockets, int ephemeralFirst, int ephemeralLast) {
        /** Linux's defaults: RLIMIT_NOFILE 1024, ip_local_port_range 32768-60999. */
        public static final Limits LINUX = new Limits(1024, 65_536, 32768, 60999);
    }

    final Profile profile;
    final Limits limits;
    private final Map<String, Host> hosts = new LinkedHashMap<>();
    private final Map<String, Host> byIp = new HashMap<>();
    /** The segments in flight (spec: net), in the order they were sent. */
    final List<Segment> net = new ArrayList<>();
    private final List<Transition> transitions = new ArrayList<>();
    private boolean autoDeliver = true;
    private long now;
    /** The inode number of the next socket-table entry. */
    long nextInode = 10_000;

    /** The spec's modules: each holds the actions it defines and reaches this state through this stack. */
    final Network network;
    final Tcp tcp;
    final Udp udp;
    final Unix unix;
    final SocketApi socketApi;

    public RefStack(Profile profile) {
        this(profile, Limits.LINUX);
    }

    public RefStack(Profile profile, Limits limits) {
        this.profile = profile;
        this.limits = limits;
        this.network = new Network(this);
        this.tcp = new Tcp(this, network);
        this.udp = new Udp(this, network);
        this.unix = new Unix(this);
        this.socketApi = new SocketApi(this, network);
    }

    /**
     * A host with an IPv4 address and an IPv6 address (spec: a host's name
     * is its IPv4 address, V6(h) its IPv6 one); the IPv6 address is kept in
     * RFC 5952's form, as calls name it.
     */
    public void addHost(String name, String ip, String ip6) {
        String canonical = ip6 == null ? null : org.sockcheck.spec.Ip6.canonical(ip6);
        if (ip6 != null && (canonical == null || Network.mapped(canonical))) {
            // A v4-mapped address is an IPv4 address's other form, no host's own.
            throw new IllegalArgumentException("not an IPv6 address a host can have: " + ip6);
        }
        for (String a : canonical == null ? List.of(ip) : List.of(ip, canonical)) {
            if (byIp.containsKey(a)) {
                throw new IllegalArgumentException("address " + a + " already belongs to a host");
            }
        }
        Host h = new Host(name, ip, canonical);
        hosts.put(name, h);
        byIp.put(ip, h);
        if (canonical != null) {
            byIp.put(canonical, h);
        }
    }

    /**
     * A host with an IPv4 address alone: its INET6 sockets speak IPv4 only,
     * to v4-mapped addresses (an IPv6 destination is ENETUNREACH: no route).
     * The spec's hosts all have an IPv6 address too.
     */
    public void addHost(String name, String ip) {
        addHost(name, ip, null);
    }

    // ------------------------------------------------------------ observing

    /** Every TCP state change so far, oldest first. */
    public List<Transition> transitions() {
        return List.copyOf(transitions);
    }

    /** The socket table of a host as /proc/net lists it (S1, S16), in creation order. */
    public List<SocketRow> sockets(String hostName) {
        List<SocketRow> rows = new ArrayList<>();
        for (Sock s : host(hostName).sockets) {
            // The trace format observes TCP and UDP; raw sockets show in procNet.
            if (s.listed() && s.proto != Proto.RAW) {
                rows.add(s.row());
            }
        }
        return rows;
    }

    /** The host's table in the kernel's text format: /proc/net/tcp, /proc/net/udp or /proc/net/raw (S16). */
    public String procNet(String hostName, Proto proto) {
        return ProcNet.render(host(hostName).sockets, proto, now);
    }

    /** The segments in flight, in the order they were sent. */
    public List<Segment> inFlight() {
        return List.copyOf(net);
    }

    /** The virtual clock, in milliseconds since the stack started. */
    public long now() {
        return now;
    }

    // ------------------------------------------------------------ driving

    /** Whether each call is followed by in-order delivery of everything in flight (the default). */
    public void setAutoDeliver(boolean on) {
        autoDeliver = on;
    }

    /**
     * Runs one call of a process on its main thread. With automatic delivery
     * the network then settles and a call that had to wait returns if it
     * can, or gives up (Blocked: the process would wait there for ever).
     */
    public Outcome call(String hostName, String processName, ApiCall call) {
        Caller t = caller(hostName, processName, Caller.MAIN);
        Outcome outcome = start(t, call);
        if (t.pending == null || !autoDeliver) {
            return outcome;
        }
        String op = t.pending.op();
        t.pending = null;
        return new Outcome.Blocked(op + " would wait: nothing in flight can complete it");
    }

    /**
     * Runs one call on a thread of a process (trace format 2). With
     * automatic delivery the network then settles and a call that had to
     * wait returns if it can; else it is Blocked, and the thread waits in it
     * until {@link #tryReturn(String, String, String)} gives its result.
     */
    public Outcome call(String hostName, String processName, String thread, ApiCall call) {
        return start(caller(hostName, processName, thread), call);
    }

    private Caller caller(String hostName, String processName, String thread) {
        Host h = host(hostName);
        Process p = h.processes.get(processName);
        if (p == null || !p.alive) {
            // A name not seen before, or of a process that exited, starts a new process.
            p = new Process(h, processName);
            h.processes.put(processName, p);
        }
        return p.thread(thread);
    }

    private Outcome start(Caller t, ApiCall call) {
        if (t.pending != null && !(call instanceof ApiCall.Exit)) {
            // Only exit ends a thread that waits in a call (spec: Exit needs alive, not Ready).
            throw new IllegalStateException(t.process.host.name + "." + t.process.name + "." + t.name + " still waits in "
                    + t.pending.op());
        }
        Outcome outcome = dispatch(t, call);
        if (!autoDeliver) {
            return outcome;
        }
        settle();
        if (t.pending == null) {
            return outcome;
        }
        Outcome late = tryReturn(t);
        return late != null ? late : outcome;
    }

    /** The ...Returns step of a process's main thread waiting in a blocking call, if it can return now; else null. */
    public Outcome tryReturn(String hostName, String processName) {
        return tryReturn(hostName, processName, Caller.MAIN);
    }

    /** The ...Returns step of a thread waiting in a blocking call, if it can return now; else null. */
    public Outcome tryReturn(String hostName, String processName, String thread) {
        Process p = host(hostName).processes.get(processName);
        Caller t = p == null ? null : p.threads.get(thread);
        return t == null || t.pending == null ? null : tryReturn(t);
    }

    private Outcome tryReturn(Caller p) {
        return switch (p.pending.op()) {
            case "connect" -> socketApi.connectReturns(p);
            case "accept" -> socketApi.acceptReturns(p);
            case "poll" -> socketApi.pollReturns(p);
            default -> socketApi.recvReturns(p);
        };
    }

    /** The spec action each call of the trace format is: mostly the same word. */
    static String action(ApiCall call) {
        return switch (call) {
            case ApiCall.SendTo c -> "sendTo";
            case ApiCall.SocketPair c -> "socketPair";
            case ApiCall.Send c -> "send";
            case ApiCall.Recv c -> "recv";
            case ApiCall.RecvFrom c -> "recv";
            case ApiCall.SendMsg c -> "sendMsg";
            case ApiCall.RecvMsg c -> "recv";
            case ApiCall.SetSockOpt c -> "setSockOpt";
            case ApiCall.Fcntl c -> "setNonBlock";
            case ApiCall.GetSockOpt c -> "getSockOpt";
            case ApiCall.GetSockName c -> "getSockName";
            case ApiCall.GetPeerName c -> "getPeerName";
            default -> call.op();
        };
    }

    private Outcome dispatch(Caller t, ApiCall call) {
        Process p = t.process;
        switch (call) {
            case ApiCall.Socket c -> {
                return socketApi.socket(p, c.domain(), c.type(), c.protocol(), c.nonblock());
            }
            case ApiCall.SocketPair c -> {
                return socketApi.socketPair(p, c.domain(), c.type(), c.protocol(), c.nonblock());
            }
            case ApiCall.Fork c -> {
                return socketApi.fork(p, c.child());
            }
            case ApiCall.Exit c -> {
                return socketApi.exit(p);
            }
            case ApiCall.Poll c -> {
                return socketApi.poll(t, c.fds(), c.timeout());
            }
            default -> { }
        }
        int fd = call.fd();
        Sock s = p.descriptors.get(fd);
        if (s == null) {
            return SocketApi.fail(Errno.EBADF);
        }
        return switch (call) {
            case ApiCall.Bind c -> socketApi.bind(s, c.addr());
            case ApiCall.Listen c -> socketApi.listen(s, c.backlog());
            case ApiCall.Connect c -> socketApi.connect(t, fd, s, c.addr());
            case ApiCall.Accept c -> socketApi.accept(t, fd, s, c.nonblock());
            case ApiCall.Send c -> socketApi.send(p, s, c.data());
            case ApiCall.SendTo c -> socketApi.sendTo(p, s, c.data(), c.addr());
            case ApiCall.Recv c -> socketApi.recv(t, fd, s, "recv", c.max(), c.peek(), c.dontwait(), c.waitall(), c.trunc());
            case ApiCall.RecvFrom c -> socketApi.recv(t, fd, s, "recvfrom", c.max(), c.peek(), c.dontwait(), c.waitall(), c.trunc());
            case ApiCall.SendMsg c -> socketApi.sendMsg(p, s, c.data(), c.rights(), c.creds());
            // recvmsg is recv with its flags; what it gives differs in the end only (SocketApi.received).
            case ApiCall.RecvMsg c -> socketApi.recv(t, fd, s, "recvmsg", c.max(), c.peek(), c.dontwait(), false, false);
            case ApiCall.Shutdown c -> socketApi.shutdown(s, c.how());
            case ApiCall.Close c -> socketApi.close(p, fd, s);
            case ApiCall.Dup c -> socketApi.dup(p, s);
            case ApiCall.SetSockOpt c -> socketApi.setSockOpt(s, c.option(), c.value(), c.linger());
            case ApiCall.Fcntl c -> socketApi.setNonBlock(s, c.nonblock());
            case ApiCall.GetSockOpt c -> socketApi.getSockOpt(s, c.option());
            case ApiCall.GetSockName c -> socketApi.getSockName(s);
            case ApiCall.GetPeerName c -> socketApi.getPeerName(s);
            case ApiCall.Socket c -> throw new IllegalStateException("handled above");
            case ApiCall.SocketPair c -> throw new IllegalStateException("handled above");
            case ApiCall.Fork c -> throw new IllegalStateException("handled above");
            case ApiCall.Exit c -> throw new IllegalStateException("handled above");
            case ApiCall.Poll c -> throw new IllegalStateException("handled above");
        };
    }

    // ================================================================ the network

    /** Delivers the oldest segment that some action can take, until none can; bounded. */
    private void settle() {
        for (int budget = 100_000; budget > 0; budget--) {
            boolean moved = false;
            for (int i = 0; i < net.size(); i++) {
                if (deliver(i, false) != null) {
                    moved = true;
                    break;
                }
            }
            if (!moved) {
                return;
            }
        }
        throw new IllegalStateException("the network did not settle: " + net);
    }

    /**
     * The segment at index in {@link #inFlight()} arrives (a copy stays in
     * flight when keep: duplication). Returns the spec action that took it,
     * or null when no action can take it yet (it stays in flight, as a
     * segment numbered above RCV.NXT waits for the ones before it).
     */
    public String deliver(int index, boolean keep) {
        Segment m = net.get(index);
        // The host the destination address belongs to, IPv4 or IPv6 (spec: HostOf).
        Host h = byIp.get(m.dst().ip());
        if (h == null) {
            // A host nobody created: the datagram is lost on the way.
            net.remove(index);
            took("loseSegment");
            return "loseSegment";
        }
        lastAction = null;
        boolean done = m.kind().tcp() ? tcp.tcpArrival(h, m, keep) : udp.datagramArrival(h, m, keep);
        return done ? lastAction : null;
    }

    /** LoseSegment (Network.tla): the segment at index in {@link #inFlight()} disappears. */
    public void loseSegment(int index) {
        network.loseSegment(index);
    }

    private String lastAction;

    // ------------------------------------------------------------ timers

    /**
     * Moves the virtual clock on by millis, firing each timer whose time
     * comes, in time order. With automatic delivery the network then settles.
     */
    public void advance(long millis) {
        long until = now + millis;
        for (int budget = 10_000; budget > 0; budget--) {
            Sock next = null;
            for (Host h : hosts.values()) {
                for (Sock s : h.sockets) {
                    if (s.timerAt >= 0 && s.timerAt <= until && tcp.timerEnabled(s)
                            && (next == null || s.timerAt < next.timerAt)) {
                        next = s;
                    }
                }
            }
            if (next == null) {
                break;
            }
            now = Math.max(now, next.timerAt);
            // TcpTimer (Tcp.tla).
            boolean fired = tcp.timeWaitExpires(next) || tcp.finWait2Timeout(next) || tcp.handshakeTimeout(next);
            if (!fired) {
                throw new IllegalStateException("timer of " + next + " enabled but did not fire");
            }
        }
        now = until;
        if (autoDeliver) {
            settle();
        }
    }

    // ================================================================ bookkeeping

    /**
     * Every TCP state change goes through here, so the log shows each
     * {@code from => to}; it also starts the timer of the new state.
     */
    void setState(Sock s, TcpState to, String action) {
        if (s.state == to) {
            return;
        }
        transitions.add(new Transition(s.host.name, s.local, s.remote, s.state, to, action));
        s.state = to;
        s.timerAt = switch (to) {
            case TIME_WAIT -> now + TIME_WAIT_MS;
            case FIN_WAIT_2 -> now + FIN_WAIT_2_MS;
            case SYN_SENT -> now + SYN_SENT_MS;
            case SYN_RECEIVED -> now + SYN_RECEIVED_MS;
            default -> -1;
        };
    }

    /** Notes the action that took a step (deliver() reports it); true, so actions read as their guards. */
    boolean took(String action) {
        lastAction = action;
        return true;
    }

    /** The hosts with their tables and processes, in the order they were added (for tests). */
    Collection<Host> hostTables() {
        return hosts.values();
    }

    private Host host(String name) {
        Host h = hosts.get(name);
        if (h == null) {
            throw new IllegalArgumentException("no host " + name);
        }
        return h;
    }
}
