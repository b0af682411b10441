package org.sockcheck.harness.impl.linux;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.sockcheck.harness.impl.Addressing;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.impl.ImplementationException;
import org.sockcheck.harness.impl.Loopback;
import org.sockcheck.harness.impl.TraceSetup;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Errno;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.Proto;
import org.sockcheck.spec.SockType;
import org.sockcheck.spec.SocketRow;

/**
 * The Linux kernel, called directly (FFM), observed as /proc/net shows it
 * (TCP rows through sock_diag, UDP rows from /proc/net/udp).
 *
 * NOTE: one kernel plays every host of a trace. Each host is a loopback
 * address of its own (see {@link Loopback}), and three things keep the hosts
 * apart as separate machines would be:
 * <ul>
 * <li>Descriptors are numbered per modelled process, lowest free first (S2, S3),
 *     and mapped to the real ones; a number the process never got is passed to
 *     the kernel as -1, so the kernel itself answers EBADF.</li>
 * <li>A wildcard bind on a host binds that host's address, and a socket that
 *     would be bound implicitly (connect, sendto, listen of an unbound socket)
 *     is first bound to its host's address with port 0, so the kernel picks the
 *     ephemeral port and the packets carry the host's address. Where Linux
 *     would have kept the wildcard (bind to *, sendto, listen), the socket is
 *     reported with the wildcard address.</li>
 * <li>A host's socket table is the rows of /proc/net/tcp and /proc/net/udp
 *     whose local address is the host's; the TCP rows are asked of
 *     sock_diag for the connections the trace's sockets have had (see
 *     {@link SockDiag}).</li>
 * </ul>
 * Calls that can block (connect, accept, send, recv, recvfrom) are bounded by
 * SO_SNDTIMEO and SO_RCVTIMEO set to the call timeout, so a call that would
 * block is reported as Blocked, never a hang.
 */
public final class LinuxImplementation implements Implementation {

    /**
     * The run's own network namespace (an IPv6 trace of one host), or null.
     * In it every socket is left to the kernel: with one host and no other
     * run there is nothing to keep apart, so a wildcard is the kernel's own
     * and no socket is bound to its host's address for a connect or send.
     */
    private NetnsRun netns;
    /** Why this run has no IPv6 (its calls are SKIP with the reason), or null. */
    private String noInet6;

    /**
     * What sockcheck knows of a kernel socket beyond the kernel: whether the
     * model's local address is the wildcard. Shared by every descriptor of
     * the socket (dup, fork), as the socket is.
     */
    private static final class Binding {
        boolean wildcardLocal;
        /** A TCP connect failed: Linux keeps its peer's address until a bind or connect (listen shows it). */
        boolean peerKept;
        /** O_NONBLOCK, a flag of the open socket that its descriptors share (SOCK_NONBLOCK, fcntl). */
        boolean nonblock;
        /** The runner bound the socket to its host's address for its last connect (the model's connect picked it). */
        boolean connectPicked;
        /** A non-blocking connect answered EINPROGRESS and no connect has reported its end yet. */
        boolean connecting;
        /** Where the last connect went: a connection still in SYN-SENT has no peer getpeername would give. */
        Endpoint connectedTo;
        /** A raw socket of IPv4 (AF_INET): what it reads starts with the IPv4 header. A raw INET6 socket's has none. */
        boolean ipv4Header;
    }

    /** A socket as one modelled process sees it: one real descriptor. */
    private static final class Sock {
        final int realFd;
        final String host;
        final Proto proto;
        final Binding binding;
        /** The socket's inode, which ties it to its row (0 until looked up, -1 when there is none). */
        long inode;

        Sock(int realFd, String host, Proto proto, Binding binding) {
            this.realFd = realFd;
            this.host = host;
            this.proto = proto;
            this.binding = binding;
        }

        long inode() {
            if (inode == 0) {
                inode = ProcNet.inodeOf(realFd);
            }
            return inode;
        }
    }

    private final Map<String, TreeMap<Integer, Sock>> descriptors = new HashMap<>();
    /** The run's folder of Unix names (a folder per host in it) and its abstract prefix. */
    private org.sockcheck.harness.impl.UnixFolder unixDir;
    /** The run's processes, HOST.name: whose credentials a recvmsg shows (credsShown). */
    private List<String> processes = List.of();
    private final Set<Integer> openRealFds = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /**
     * The sockets sendmsg passed (SCM_RIGHTS), by inode: a descriptor a
     * recvmsg receives is a new descriptor of one of them, as after dup.
     * Kept for the run (at most one entry per socket of the run).
     */
    private final Map<Long, Sock> passed = new HashMap<>();
    private Addressing addressing;
    private int timeoutMs;
    /** The protocols of the sockets the trace made: a table of another protocol has no row of its hosts. */
    private final Set<Proto> protocols = java.util.EnumSet.noneOf(Proto.class);
    /**
     * Every TCP connection the trace's sockets have had, from both ends, in
     * the order they were met: the four-tuples whose rows observe asks the
     * kernel for (the connections of its sockets and of the sockets its
     * listeners made for them, TIME-WAIT included).
     */
    private final Set<SockDiag.Tuple> tuples = new LinkedHashSet<>();
    /** Whether the trace has called listen: before, no listener of its hosts can be in the kernel's table. */
    private boolean listened;
    /** The kernel's sock_diag, opened at the first observe; null before, or when it cannot be had (see {@link #diagBroken}). */
    private SockDiag diag;
    /** Why sock_diag cannot be used, once it failed: /proc/net/tcp is read instead. */
    private String diagBroken;
    /**
     * Guards the descriptor tables; a call that may block lets go of it
     * while it waits in the kernel (see {@link #blocking}), so that other
     * threads of the trace go on.
     */
    private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
    /** The trace's threads: those of a format-2 trace, and the calls of a format-1 trace that can wait. */
    private final org.sockcheck.harness.impl.BlockingThreads threads =
            new org.sockcheck.harness.impl.BlockingThreads(lock, this::quiet);

    /** Closes the trace's descriptors also when the run is interrupted (Ctrl-C). */
    private final org.sockcheck.harness.impl.ShutdownHook cleanup =
            new org.sockcheck.harness.impl.ShutdownHook("sockcheck-linux-cleanup", this::closeAllNow);

    @Override
    public void close() {
        stop();
        cleanup.remove();
        lock.lock();
        try {
            if (diag != null) {
                diag.close();
                diag = null;
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String name() {
        return "linux";
    }

    @Override
    public Addressing start(TraceSetup setup) throws ImplementationException {
        stop();
        lock.lock();
        try {
            timeoutMs = (int) Math.min(Integer.MAX_VALUE, setup.callTimeout().toMillis());
            Addressing planned = Loopback.plan(setup, LinuxImplementation::portFree);
            // Unix names live in a folder of the run's own (made when the trace makes its first Unix socket,
            // removed by stop) and under an abstract prefix of the run's own: no two runs share a name.
            unixDir = org.sockcheck.harness.impl.UnixFolder.next();
            // IPv6: a namespace per host of the run's own (see NetnsRun).
            Netns.ForRun ns = Netns.forRun(setup);
            netns = ns.netns();
            noInet6 = ns.noInet6();
            // The runner never binds an INET6 socket of the namespace for it (see Netns.addressing).
            addressing = Netns.addressing(planned, setup, netns, unixDir);
            for (String p : setup.processes()) {
                descriptors.put(p, new TreeMap<>());
            }
            processes = List.copyOf(setup.processes());
            return addressing;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether a port is free for TCP and UDP on a loopback address, as
     * {@link Loopback} asks, by the system calls themselves: a TCP socket
     * bound and listening, then a UDP socket bound, each closed at once.
     */
    private static boolean portFree(String ip, int port) throws ImplementationException {
        if (!Loopback.allowed(ip)) {
            throw new ImplementationException("refused the address " + ip + ": only loopback addresses are allowed");
        }
        Endpoint at = new Endpoint(ip, port);
        try (Syscalls.Call sys = new Syscalls.Call()) {
            for (int type : new int[] {Syscalls.SOCK_STREAM, Syscalls.SOCK_DGRAM}) {
                Syscalls.Result r = sys.socket(type, 0);
                if (r.failed()) {
                    throw new ImplementationException("cannot make a socket to check port " + port + ": errno " + r.errno());
                }
                int fd = (int) r.value();
                try {
                    if (sys.bind(fd, at).failed() || type == Syscalls.SOCK_STREAM && sys.listen(fd, 1).failed()) {
                        return false;
                    }
                } finally {
                    sys.closeFd(fd);
                }
            }
        }
        return true;
    }

    /** A blocked call is a real syscall that waits on a thread of its own. */
    @Override
    public boolean concurrent() {
        return true;
    }

    @Override
    public Outcome call(String host, String process, String thread, ApiCall call, java.time.Duration wait)
            throws ImplementationException {
        long trace = traces;
        // A close waits in the kernel only on a socket that lingers; for any other, the kernel's word is not taken
        // (once, under load, a close on a listener was seen asleep twice 200 µs apart and called blocked).
        boolean kernelWord = !(call instanceof ApiCall.Close) || lingers(host, process, call.fd());
        return threads.call(host, process, thread, call, wait, () -> made(trace, host, process, call), kernelWord);
    }

    @Override
    public Outcome awaitReturn(String host, String process, String thread, java.time.Duration wait)
            throws ImplementationException {
        return threads.awaitReturn(host, process, thread, wait);
    }

    /**
     * A call of a trace in format 1 (one call at a time). One that can wait
     * is made on a thread of its own, like the calls of a format-2 trace, so
     * that the kernel's word that it sleeps ends the wait at once
     * ({@link KernelWaits}); without it, a call that blocks took the whole
     * call timeout (SO_RCVTIMEO, SO_SNDTIMEO) to say so. A call that blocked
     * stays in the kernel until {@link #stop} wakes it.
     */
    @Override
    public Outcome call(String host, String process, ApiCall call) throws ImplementationException {
        long trace = traces;
        if (KernelWaits.AVAILABLE && mayWait(host, process, call)) {
            return threads.callAlone(host, process, org.sockcheck.harness.trace.Event.MAIN, call,
                    java.time.Duration.ofMillis(timeoutMs), () -> made(trace, host, process, call));
        }
        return made(trace, host, process, call);
    }

    /** Whether the call can wait in the kernel: a call that waits, on a socket that blocks. */
    private boolean mayWait(String host, String process, ApiCall call) {
        boolean waits = switch (call) {
            case ApiCall.Connect c -> true;
            case ApiCall.Accept c -> true;
            case ApiCall.Send c -> true;
            case ApiCall.SendTo c -> true;
            case ApiCall.SendMsg c -> true;
            case ApiCall.RecvMsg c -> !c.dontwait();
            case ApiCall.Recv c -> !c.dontwait();
            case ApiCall.RecvFrom c -> !c.dontwait();
            case ApiCall.Close c -> true;
            case ApiCall.Poll c -> c.timeout() != 0;
            default -> false;
        };
        if (!waits || call instanceof ApiCall.Poll) {
            return waits;
        }
        lock.lock();
        try {
            TreeMap<Integer, Sock> table = descriptors.get(host + "." + process);
            Sock s = table == null ? null : table.get(call.fd());
            if (s == null || s.binding.nonblock) {
                return false;
            }
            // A call on a socket that is ready now cannot wait: it is made on the caller's thread (a thread's
            // hand-off for every call doubled the time of a short trace).
            try (Syscalls.Call sys = new Syscalls.Call()) {
                return switch (call) {
                    case ApiCall.Recv c -> c.waitall() || !ready(sys, s.realFd, "POLLIN");
                    case ApiCall.RecvFrom c -> c.waitall() || !ready(sys, s.realFd, "POLLIN");
                    case ApiCall.RecvMsg c -> !ready(sys, s.realFd, "POLLIN");
                    case ApiCall.SendMsg c -> c.data().length > SMALL_SEND || !ready(sys, s.realFd, "POLLOUT");
                    case ApiCall.Accept c -> !ready(sys, s.realFd, "POLLIN");
                    case ApiCall.Send c -> c.data().length > SMALL_SEND || !ready(sys, s.realFd, "POLLOUT");
                    case ApiCall.SendTo c -> c.data().length > SMALL_SEND || !ready(sys, s.realFd, "POLLOUT");
                    case ApiCall.Close c -> lingers(sys, s.realFd);
                    default -> true;
                };
            }
        } finally {
            lock.unlock();
        }
    }

    /** A send of at most this many bytes on a socket poll finds writable does not wait. */
    private static final int SMALL_SEND = 1024;

    /** Whether poll finds the descriptor ready for this event, or with an error or a hang-up, now. */
    private static boolean ready(Syscalls.Call sys, int realFd, String event) {
        short[] events = {(short) (int) Syscalls.POLL_BITS.get(event)};
        Syscalls.Result r = sys.poll(new int[] {realFd}, events, 0);
        return !r.failed() && r.value() > 0 && events[0] != 0;
    }

    /** Whether the process's descriptor fd is a socket that lingers (one it does not have: no). */
    boolean lingers(String host, String process, int fd) {
        lock.lock();
        try {
            TreeMap<Integer, Sock> table = descriptors.get(host + "." + process);
            Sock s = table == null ? null : table.get(fd);
            if (s == null) {
                return false;
            }
            try (Syscalls.Call sys = new Syscalls.Call()) {
                return lingers(sys, s.realFd);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Whether a close of the socket can wait: SO_LINGER on with a time (or it cannot be read). */
    private static boolean lingers(Syscalls.Call sys, int realFd) {
        MemorySegment l = sys.arena.allocate(8);
        Syscalls.Result r = sys.getsockopt(realFd, Syscalls.SOL_SOCKET, Syscalls.SO_LINGER, l);
        return r.failed() || l.get(java.lang.foreign.ValueLayout.JAVA_INT, 0) != 0
                && l.get(java.lang.foreign.ValueLayout.JAVA_INT, 4) != 0;
    }

    /**
     * How many traces ended ({@link #stop}): a call made for one, that took
     * the lock only after it ended (a thread of the pool that waited for the
     * lock while a call held it), must not act on the next trace's sockets.
     */
    private volatile long traces;

    /** The call of the trace-th trace, under the lock; refused when that trace ended meanwhile. */
    private Outcome made(long trace, String host, String process, ApiCall call) throws ImplementationException {
        lock.lock();
        try {
            if (trace != traces) {
                throw new ImplementationException("a call of a trace that has ended (" + call.op() + ") was not made");
            }
            return callLocked(host, process, call);
        } finally {
            lock.unlock();
        }
    }

    private Outcome callLocked(String host, String process, ApiCall call) throws ImplementationException {
        if (call.inet6() && netns == null) {
            throw new Unsupported(noInet6 != null ? noInet6 : "an IPv6 call (" + call.op() + ") in a trace the runner did not see as IPv6");
        }
        TreeMap<Integer, Sock> table = descriptors.computeIfAbsent(host + "." + process, k -> new TreeMap<>());
        for (Endpoint ep : endpoints(call)) {
            if (ep.unix()) {
                if (!addressing.ownsUnixName(ep.path())) {
                    throw new ImplementationException("refused the Unix name " + ep + ": only names in the run's own folder"
                            + " or under its abstract prefix are allowed");
                }
                if (ep.path().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1).length > Syscalls.SOCKADDR_UN_SIZE - 3) {
                    throw new Unsupported("the Unix name " + ep + " does not fit sun_path (108 bytes with its NUL): the run's"
                            + " folder is in " + System.getProperty("java.io.tmpdir") + " (java.io.tmpdir); give a shorter one or a shorter name");
                }
                continue;
            }
            // The hosts' addresses of an IPv6 run live in the run's own namespaces only.
            if (!NetnsRun.allowed(netns, ep.ip())) {
                throw new ImplementationException("refused to send to " + ep + ": only loopback addresses are allowed");
            }
        }
        try (Syscalls.Call sys = new Syscalls.Call()) {
            switch (call) {
                case ApiCall.Socket c -> {
                    return socket(sys, table, host, c);
                }
                case ApiCall.SocketPair c -> {
                    return socketPair(sys, table, host, c);
                }
                case ApiCall.Fork c -> {
                    return fork(sys, table, host + "." + c.child());
                }
                case ApiCall.Exit c -> {
                    return exit(sys, table);
                }
                case ApiCall.Poll c -> {
                    return poll(sys, table, c);
                }
                default -> { }
            }
            Sock s = table.get(call.fd());
            int fd = s == null ? -1 : s.realFd;
            return switch (call) {
                case ApiCall.Bind c -> bind(sys, s, fd, c.addr());
                case ApiCall.Listen c -> {
                    // Linux autobinds a stream socket that listens unbound; a datagram socket refuses to listen.
                    if (s != null && s.proto == Proto.TCP && s.binding.peerKept && lostAddress(sys, s)) {
                        throw new Unsupported("listen of a socket that lost its address (a failed bind) and kept a failed"
                                + " connect's peer: one kernel plays every host, and binding the socket to its host's"
                                + " address, as the runner must, makes Linux forget the peer its listener would show");
                    }
                    wildcardAutobind(sys, s, Proto.TCP);
                    listened = true;
                    yield value(sys.listen(fd, c.backlog()));
                }
                // A Unix socket's connect has no address or port of a host to look after.
                // (A Unix name given to an INET socket, outside the spec, goes to the kernel as it is too.)
                case ApiCall.Connect c when c.addr().unix() || s != null && s.proto == Proto.UNIX ->
                        blocking(sys, s, () -> sys.connect(fd, c.addr()), false);
                case ApiCall.Connect c -> connect(sys, s, fd, c.addr());
                case ApiCall.Accept c -> accept(sys, table, s, fd, c.nonblock());
                case ApiCall.Send c -> {
                    // Linux binds an unbound datagram socket before it looks for a destination (inet_autobind).
                    wildcardAutobind(sys, s, Proto.UDP);
                    yield value(c.file() ? sys.write(fd, c.data()) : sys.sendto(fd, c.data(), null, 0));
                }
                case ApiCall.SendTo c -> {
                    wildcardAutobind(sys, s, Proto.UDP);
                    yield value(sys.sendto(fd, c.data(), c.addr(), 0));
                }
                case ApiCall.Recv c when c.file() -> receive(sys, s, fd, c.max(), false, s != null && s.binding.ipv4Header,
                        false, false, true, false, false);
                case ApiCall.Recv c -> receive(sys, s, fd, c.max(), false, s != null && s.binding.ipv4Header, c.peek(),
                        c.dontwait(), false, c.waitall(), c.trunc());
                // recvfrom asks for the sender of every socket; a stream's stays unset (no sender).
                case ApiCall.RecvFrom c -> receive(sys, s, fd, c.max(), true,
                        s != null && s.binding.ipv4Header, c.peek(), c.dontwait(), false, c.waitall(), c.trunc());
                case ApiCall.SendMsg c -> sendMessage(sys, table, s, fd, c);
                case ApiCall.RecvMsg c -> receiveMessage(sys, table, s, fd, c);
                case ApiCall.Shutdown c -> {
                    boolean synSent = s != null && s.proto == Proto.TCP && tcpState(sys, fd) == org.sockcheck.spec.TcpState.SYN_SENT;
                    Syscalls.Result r = sys.shutdown(fd, c.how().ordinal());
                    if (synSent && !r.failed()) {
                        // Linux aborts a connect in SYN-SENT (tcp_disconnect): as after a failed connect, the
                        // peer's address stays and the address connect picked goes back to the wildcard.
                        s.binding.peerKept = true;
                        s.binding.wildcardLocal |= s.binding.connectPicked;
                    }
                    yield value(r);
                }
                case ApiCall.Close c -> {
                    remember(sys, s);
                    Syscalls.Result r = sys.closeFd(fd);
                    if (s != null) {
                        table.remove(c.fd());
                        openRealFds.remove(fd);
                    }
                    yield value(r);
                }
                case ApiCall.GetSockName c -> {
                    MemorySegment out = sys.sockaddrOut();
                    Syscalls.Result r = sys.getsockname(fd, out);
                    if (r.failed()) {
                        yield errno(r);
                    }
                    Endpoint ep = sys.address(out);
                    if (s.proto == Proto.UNIX) {
                        yield new Outcome.Address(ep);
                    }
                    if (s.proto == Proto.RAW) {
                        // Linux shows a raw socket's protocol where the port goes (inet_getname); it has no port.
                        ep = new Endpoint(ep.ip(), 0);
                    }
                    yield new Outcome.Address(s.binding.wildcardLocal ? new Endpoint(Endpoint.ANY_IP, ep.port()) : ep);
                }
                case ApiCall.GetPeerName c -> {
                    MemorySegment out = sys.sockaddrOut();
                    Syscalls.Result r = sys.getpeername(fd, out);
                    yield r.failed() ? errno(r) : new Outcome.Address(sys.address(out));
                }
                case ApiCall.SetSockOpt c -> value(switch (c.option()) {
                    case SO_LINGER -> sys.setLinger(fd, c.value(), c.linger());
                    case TCP_NODELAY -> sys.setsockopt(fd, Syscalls.IPPROTO_TCP, Syscalls.TCP_NODELAY, c.value());
                    case SO_KEEPALIVE -> sys.setsockopt(fd, Syscalls.SOL_SOCKET, Syscalls.SO_KEEPALIVE, c.value());
                    case SO_BROADCAST -> sys.setsockopt(fd, Syscalls.SOL_SOCKET, Syscalls.SO_BROADCAST, c.value());
                    case SO_REUSEADDR -> sys.setsockopt(fd, Syscalls.SOL_SOCKET, Syscalls.SO_REUSEADDR, c.value());
                    case SO_REUSEPORT -> sys.setsockopt(fd, Syscalls.SOL_SOCKET, Syscalls.SO_REUSEPORT, c.value());
                    case SO_RCVBUF -> sys.setsockopt(fd, Syscalls.SOL_SOCKET, Syscalls.SO_RCVBUF, c.value());
                    case SO_SNDBUF -> sys.setsockopt(fd, Syscalls.SOL_SOCKET, Syscalls.SO_SNDBUF, c.value());
                    case IPV6_V6ONLY -> sys.setsockopt(fd, Syscalls.IPPROTO_IPV6, Syscalls.IPV6_V6ONLY, c.value());
                    case SO_PASSCRED -> sys.setsockopt(fd, Syscalls.SOL_SOCKET, Syscalls.SO_PASSCRED, c.value());
                });
                case ApiCall.Fcntl c -> {
                    Syscalls.Result r = sys.setNonBlock(fd, c.nonblock());
                    if (!r.failed() && s != null) {
                        s.binding.nonblock = c.nonblock();
                    }
                    yield value(r);
                }
                case ApiCall.GetSockOpt c -> getSockOpt(sys, fd, c.option());
                case ApiCall.Dup c -> {
                    // fd is -1 for a descriptor the process does not hold: the kernel says EBADF.
                    Syscalls.Result r = sys.dup(fd);
                    yield r.failed() ? errno(r) : new Outcome.Value(allocate(table, adopt(s, (int) r.value())));
                }
                case ApiCall.Socket c -> throw new IllegalStateException();
                case ApiCall.SocketPair c -> throw new IllegalStateException();
                case ApiCall.Fork c -> throw new IllegalStateException();
                case ApiCall.Exit c -> throw new IllegalStateException();
                case ApiCall.Poll c -> throw new IllegalStateException();
            };
        }
    }

    /** Removes the run's folder of Unix names with every socket file in it. */
    private void removeUnixFolder() {
        if (unixDir != null) {
            unixDir.remove();
        }
    }

    /** Makes the run's folder of Unix names, and one in it for each host, once (0700: the run's own). */
    private void unixFolder() throws ImplementationException {
        unixDir.make(addressing.hostIps().keySet());
    }

    private static int sockType(SockType t) {
        return t.linuxCode();
    }

    /** socketpair(2): two connected sockets and the two lowest free descriptors of the process. */
    private Outcome socketPair(Syscalls.Call sys, TreeMap<Integer, Sock> table, String host, ApiCall.SocketPair c)
            throws ImplementationException {
        unixFolder();
        int[] pair = new int[2];
        int domain = switch (c.domain()) {
            case UNIX -> Syscalls.AF_UNIX;
            case INET6 -> Syscalls.AF_INET6;
            case INET -> Syscalls.AF_INET;
        };
        Syscalls.Result r = made(sys, host, k -> k.socketpair(domain, sockType(c.type()) | (c.nonblock() ? Syscalls.SOCK_NONBLOCK : 0),
                c.protocol(), pair));
        if (r.failed()) {
            return errno(r);
        }
        int[] virtual = new int[2];
        for (int k = 0; k < 2; k++) {
            openRealFds.add(pair[k]);
            bound(sys, pair[k]);
            // Each end is its own socket: its own flags.
            Binding own = new Binding();
            own.nonblock = c.nonblock();
            virtual[k] = allocate(table, new Sock(pair[k], host, Proto.UNIX, own));
        }
        return new Outcome.Pair(virtual[0], virtual[1]);
    }

    /** getsockopt(SOL_SOCKET) of an option the trace format names, its value as a trace writes it. */
    private static Outcome getSockOpt(Syscalls.Call sys, int fd, String option) {
        if (option.equals("SO_LINGER")) {
            MemorySegment l = sys.arena.allocate(8);
            Syscalls.Result r = sys.getsockopt(fd, Syscalls.SOL_SOCKET, Syscalls.SO_LINGER, l);
            return r.failed() ? errno(r) : new Outcome.Option(org.sockcheck.spec.Calls.optionText(
                    org.sockcheck.spec.Calls.lingerValue(l.get(java.lang.foreign.ValueLayout.JAVA_INT, 0),
                            l.get(java.lang.foreign.ValueLayout.JAVA_INT, 4))));
        }
        int level = option.equals("TCP_NODELAY") ? Syscalls.IPPROTO_TCP
                : option.equals("IPV6_V6ONLY") ? Syscalls.IPPROTO_IPV6 : Syscalls.SOL_SOCKET;
        int name = switch (option) {
            case "SO_ERROR" -> Syscalls.SO_ERROR;
            case "SO_TYPE" -> Syscalls.SO_TYPE;
            case "SO_DOMAIN" -> Syscalls.SO_DOMAIN;
            case "SO_PROTOCOL" -> Syscalls.SO_PROTOCOL;
            case "SO_ACCEPTCONN" -> Syscalls.SO_ACCEPTCONN;
            case "SO_KEEPALIVE" -> Syscalls.SO_KEEPALIVE;
            case "SO_BROADCAST" -> Syscalls.SO_BROADCAST;
            case "TCP_NODELAY" -> Syscalls.TCP_NODELAY;
            case "SO_REUSEPORT" -> Syscalls.SO_REUSEPORT;
            case "SO_RCVBUF" -> Syscalls.SO_RCVBUF;
            case "SO_SNDBUF" -> Syscalls.SO_SNDBUF;
            case "SO_REUSEADDR" -> Syscalls.SO_REUSEADDR;
            case "IPV6_V6ONLY" -> Syscalls.IPV6_V6ONLY;
            case "SO_PASSCRED" -> Syscalls.SO_PASSCRED;
            default -> throw new IllegalArgumentException("getsockopt of " + option + ": no option of the trace format");
        };
        Syscalls.Result r = sys.getsockopt(fd, level, name);
        if (r.failed()) {
            return errno(r);
        }
        int v = (int) r.value();
        return new Outcome.Option(switch (option) {
            case "SO_ERROR" -> v == 0 ? "0" : Errno.fromLinux(v).map(Enum::name).orElse(Integer.toString(v));
            case "SO_TYPE" -> v == Syscalls.SOCK_STREAM ? "STREAM" : v == Syscalls.SOCK_DGRAM ? "DGRAM"
                    : v == Syscalls.SOCK_RAW ? "RAW" : v == Syscalls.SOCK_SEQPACKET ? "SEQPACKET" : Integer.toString(v);
            case "SO_DOMAIN" -> v == Syscalls.AF_INET ? "INET" : v == Syscalls.AF_INET6 ? "INET6" : v == Syscalls.AF_UNIX ? "UNIX"
                    : Integer.toString(v);
            case "SO_ACCEPTCONN", "SO_REUSEADDR", "SO_KEEPALIVE", "SO_BROADCAST", "TCP_NODELAY", "SO_REUSEPORT", "IPV6_V6ONLY",
                 "SO_PASSCRED" ->
                    v != 0 ? "1" : "0";
            default -> Integer.toString(v);
        });
    }

    private static List<Endpoint> endpoints(ApiCall call) {
        return call.addr() == null ? List.of() : List.of(call.addr());
    }

    private Outcome socket(Syscalls.Call sys, TreeMap<Integer, Sock> table, String host, ApiCall.Socket c)
            throws ImplementationException {
        int type = sockType(c.type());
        if (c.domain() == org.sockcheck.spec.Domain.UNIX) {
            unixFolder();
            Syscalls.Result r = made(sys, host, k -> k.socket(Syscalls.AF_UNIX, type | (c.nonblock() ? Syscalls.SOCK_NONBLOCK : 0), c.protocol()));
            if (r.failed()) {
                return errno(r);
            }
            int realFd = (int) r.value();
            openRealFds.add(realFd);
            bound(sys, realFd);
            Sock s = new Sock(realFd, host, Proto.UNIX, new Binding());
            s.binding.nonblock = c.nonblock();
            return new Outcome.Value(allocate(table, s));
        }
        if (c.type() == SockType.SEQPACKET) {
            // INET has no SEQPACKET protocol here: the kernel answers (ESOCKTNOSUPPORT).
            return value(made(sys, host, k -> k.socket(family(c.domain()), type, c.protocol())));
        }
        if (c.type() != SockType.RAW) {
            protocols.add(c.type().proto());
        }
        Syscalls.Result r = made(sys, host, k -> k.socket(family(c.domain()), type | (c.nonblock() ? Syscalls.SOCK_NONBLOCK : 0), c.protocol()));
        if (r.failed() && c.type() == SockType.RAW && (r.errno() == Errno.EPERM.linuxNumber() || r.errno() == Errno.EACCES.linuxNumber())) {
            throw new Unsupported("raw sockets need CAP_NET_RAW, which this process does not have (run as root to"
                    + " include them)");
        }
        if (r.failed()) {
            return errno(r);
        }
        int realFd = (int) r.value();
        openRealFds.add(realFd);
        bound(sys, realFd);
        Proto proto = c.type() == SockType.RAW ? Proto.RAW : c.type().proto();
        Sock s = new Sock(realFd, host, proto, new Binding());
        s.binding.nonblock = c.nonblock();
        s.binding.ipv4Header = proto == Proto.RAW && c.domain() != org.sockcheck.spec.Domain.INET6;
        if (proto == Proto.RAW && netns == null) {
            // An unbound raw socket takes datagrams to every local address, and one kernel owns every host's:
            // bound to its host's address (shown as the wildcard), it takes only its host's, as the spec's does.
            // The filter keeps out those to another address that the kernel matched to the socket before the
            // bind and queues after it (RawIsolationTest once saw one); dropForeign empties the socket of
            // those queued before the filter.
            byte[] mine = Endpoint.octets(addressing.hostIps().get(host));
            if (mine != null && sys.keepOnlyTo(realFd, mine).failed()) {
                throw new ImplementationException("a filter for the raw socket of " + host + " (SO_ATTACH_FILTER) was refused");
            }
            bind(sys, s, realFd, new Endpoint(Endpoint.ANY_IP, 0));
            dropForeign(sys, realFd, mine);
        }
        return new Outcome.Value(allocate(table, s));
    }

    private static int family(org.sockcheck.spec.Domain d) {
        return d == org.sockcheck.spec.Domain.INET6 ? Syscalls.AF_INET6 : Syscalls.AF_INET;
    }

    /** A socket()-making call, made in the host's network namespace when the run has them (an IPv6 trace). */
    private Syscalls.Result made(Syscalls.Call sys, String host,
            java.util.function.Function<Syscalls.Call, Syscalls.Result> call) throws ImplementationException {
        return netns == null ? call.apply(sys) : netns.of(host).inside(call);
    }

    /**
     * The datagrams a new raw socket took before it was bound to its host's
     * address, addressed to another (a trace of another worker, or another
     * program, sent one of its protocol at that moment): dropped, as the
     * spec's socket of this host never sees them. One to the host stays.
     */
    private static void dropForeign(Syscalls.Call sys, int realFd, byte[] mine) {
        MemorySegment header = sys.arena.allocate(MAX_IP_HEADER);
        for (int k = 0; k < MAX_FOREIGN; k++) {
            Syscalls.Result r = sys.recvfrom(realFd, header, Syscalls.MSG_DONTWAIT | Syscalls.MSG_PEEK, MemorySegment.NULL);
            if (r.failed() || r.value() < IP_DESTINATION + 4) {
                return;
            }
            for (int i = 0; i < 4; i++) {
                if (mine != null && header.get(java.lang.foreign.ValueLayout.JAVA_BYTE, IP_DESTINATION + i) != mine[i]) {
                    sys.recvfrom(realFd, header, Syscalls.MSG_DONTWAIT, MemorySegment.NULL);
                    break;
                }
                if (i == 3) {
                    return;
                }
            }
        }
    }

    /** Where an IPv4 header holds the destination address. */
    private static final int IP_DESTINATION = 16;
    /** How many foreign datagrams a new raw socket is emptied of at most. */
    private static final int MAX_FOREIGN = 1024;

    /** The process's view of a second real descriptor for the socket s refers to. */
    private Sock adopt(Sock s, int realFd) {
        openRealFds.add(realFd);
        return new Sock(realFd, s.host, s.proto, s.binding);
    }

    /**
     * fork() without a real process: the child's table holds duplicates of
     * the parent's descriptors, under the same numbers, so both refer to the
     * same kernel sockets and a socket closes with its last descriptor, as
     * after fork(2).
     */
    private Outcome fork(Syscalls.Call sys, TreeMap<Integer, Sock> parent, String child) {
        TreeMap<Integer, Sock> table = new TreeMap<>();
        for (Map.Entry<Integer, Sock> e : parent.entrySet()) {
            Syscalls.Result r = sys.dup(e.getValue().realFd);
            if (r.failed()) {
                table.values().forEach(c -> closeReal(sys, c));
                return errno(r);
            }
            table.put(e.getKey(), adopt(e.getValue(), (int) r.value()));
        }
        TreeMap<Integer, Sock> old = descriptors.put(child, table);
        if (old != null) {
            old.values().forEach(c -> closeReal(sys, c));
        }
        return new Outcome.Value(0);
    }

    /** exit(): every descriptor of the process closes. */
    private Outcome exit(Syscalls.Call sys, TreeMap<Integer, Sock> table) {
        table.values().forEach(c -> closeReal(sys, c));
        table.clear();
        return new Outcome.Value(0);
    }

    private void closeReal(Syscalls.Call sys, Sock s) {
        remember(sys, s);
        sys.closeFd(s.realFd);
        openRealFds.remove(s.realFd);
    }

    private static int allocate(TreeMap<Integer, Sock> table, Sock s) {
        return org.sockcheck.harness.impl.Descriptors.allocate(table, s);
    }

    private Outcome bind(Syscalls.Call sys, Sock s, int fd, Endpoint addr) throws ImplementationException {
        if (addr.unix() || s != null && s.proto == Proto.UNIX) {
            // A Unix name, or an address of another family for a Unix socket: the kernel judges it.
            return value(sys.bind(fd, addr));
        }
        if (s != null && netns == null) {
            // One kernel owns every host's address; in the run's namespaces each host's kernel has its own.
            Loopback.checkOwnAddress(addressing, s.host, addr);
        }
        // In a run's own namespace (one host) the wildcard is the kernel's own; elsewhere it is the host's address.
        boolean wildcard = addr.wildcardIp() && netns == null;
        Endpoint real = wildcard && s != null ? new Endpoint(addressing.hostIps().get(s.host), addr.port()) : addr;
        Syscalls.Result r = sys.bind(fd, real);
        if (!r.failed() && s != null) {
            s.binding.wildcardLocal = wildcard;
            s.binding.peerKept = false;
            // The address is the trace's now, not one the runner bound for a connect.
            s.binding.connectPicked = false;
        }
        return value(r);
    }

    private Outcome connect(Syscalls.Call sys, Sock s, int fd, Endpoint addr) {
        if (addr.unspec()) {
            remember(sys, s);
            Syscalls.Result r = sys.connect(fd, addr);
            if (s != null && !r.failed()) {
                // The association is gone. An address the runner bound for connect counts as the wildcard
                // again, though Linux keeps it (the runner's bind named it); TCP keeps its peer's address.
                s.binding.connecting = false;
                s.binding.wildcardLocal |= s.binding.connectPicked;
                s.binding.connectPicked = false;
                s.binding.peerKept = s.proto == Proto.TCP;
            }
            return value(r);
        }
        // The connection this connect may end (a second connect, AF_UNSPEC above is not one) and the one it makes.
        remember(sys, s);
        boolean picked = s != null && (implicitBind(sys, s) || s.binding.wildcardLocal);
        if (s != null && !s.binding.connecting) {
            // A connect that reports a non-blocking one's end picks nothing: the first one's choice stands.
            s.binding.connectPicked = picked;
        }
        if (s != null) {
            s.binding.connectedTo = addr;
        }
        Outcome o = blocking(sys, s, () -> sys.connect(fd, addr), true);
        remember(sys, s);
        if (s != null && o instanceof Outcome.Value) {
            // Linux gives a connected socket a concrete local address.
            s.binding.wildcardLocal = false;
            s.binding.peerKept = false;
        }
        // A handshake that failed, reported by this connect (a non-blocking one's by a later connect, with
        // its error or ECONNABORTED once SO_ERROR took it): Linux keeps the peer's address and gives back
        // the address connect picked (tcp_disconnect), so the wildcard is reported again.
        if (s != null && !(o instanceof Outcome.Failed a && a.errno() == Errno.EALREADY)) {
            s.binding.connecting = o instanceof Outcome.Failed p && p.errno() == Errno.EINPROGRESS;
        }
        boolean failed = o instanceof Outcome.Failed f && (f.errno() == Errno.ECONNREFUSED || f.errno() == Errno.ETIMEDOUT
                || f.errno() == Errno.ECONNABORTED || f.errno() == Errno.ECONNRESET);
        if (s != null && s.proto == Proto.TCP && failed) {
            s.binding.peerKept = true;
            s.binding.wildcardLocal |= s.binding.connectPicked;
        }
        return o;
    }

    /**
     * Where Linux would bind an unbound socket of this protocol to the
     * wildcard (listen, send, sendto): binds it to its host's address and
     * port 0, and reports the wildcard.
     */
    private void wildcardAutobind(Syscalls.Call sys, Sock s, Proto proto) {
        if (s != null && s.proto == proto && implicitBind(sys, s)) {
            s.binding.wildcardLocal = true;
        }
    }

    /**
     * Binds an unbound socket to its host's address and port 0; true when it
     * did. The runner never binds a socket to 0.0.0.0 (a wildcard bind is its
     * host's address), so a TCP socket that getsockname shows on 0.0.0.0 has
     * lost its address: a bind that found its port taken cleared it
     * (__inet_bind), while getsockname still shows an old port (Linux keeps
     * inet_sport after giving the port back). Such a socket is bound too, or
     * the kernel's autobind would put it on 0.0.0.0, out of its host's table
     * (found by sockcheck hunt, seed 7: a stopped listener listened again);
     * the bind fails with EINVAL, doing nothing, while it holds a port. One
     * that kept its host's address is left to the kernel's autobind, since a
     * bind would also forget the peer of a failed connect, which a listener
     * shows.
     */
    private boolean implicitBind(Syscalls.Call sys, Sock s) {
        MemorySegment out = sys.sockaddrOut();
        Syscalls.Result r = sys.getsockname(s.realFd, out);
        if (r.failed()) {
            return false;
        }
        Endpoint now = Syscalls.Call.endpoint(out);
        // A raw socket is bound to its host's address when it is made (socket()).
        if (netns != null || s.proto == Proto.RAW || (now.port() != 0 && !(s.proto == Proto.TCP && now.wildcardIp()))) {
            return false;
        }
        return !sys.bind(s.realFd, new Endpoint(addressing.hostIps().get(s.host), 0)).failed();
    }

    /** The TCP state of a socket as TCP_INFO gives it; null when it cannot be read. */
    private static org.sockcheck.spec.TcpState tcpState(Syscalls.Call sys, int fd) {
        MemorySegment info = tcpInfo(sys, fd);
        return info == null ? null : org.sockcheck.spec.TcpState.fromLinuxCode(
                Byte.toUnsignedInt(info.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0))).orElse(null);
    }

    /** The socket's struct tcp_info (TCP_INFO); null when it cannot be read. */
    private static MemorySegment tcpInfo(Syscalls.Call sys, int fd) {
        MemorySegment info = sys.arena.allocate(232);
        return sys.getsockopt(fd, Syscalls.IPPROTO_TCP, Syscalls.TCP_INFO, info).failed() ? null : info;
    }

    /**
     * Whether segments of the socket wait for their acknowledgement
     * (TCP_INFO's tcpi_unacked, read with tcpi_state in one call); true when
     * TCP_INFO cannot be read. A listener's tcpi_unacked is its accept
     * queue's length, not segments in flight: a listener has none.
     */
    private static boolean unacknowledged(Syscalls.Call sys, int fd) {
        MemorySegment info = tcpInfo(sys, fd);
        return info == null || info.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0) != TCP_LISTEN_STATE
                && info.get(java.lang.foreign.ValueLayout.JAVA_INT, TCPI_UNACKED) != 0;
    }

    /** tcpi_state of a listening socket (TCP_LISTEN in include/net/tcp_states.h). */
    private static final int TCP_LISTEN_STATE = 10;

    /** Where struct tcp_info holds tcpi_unacked (linux/tcp.h: 8 bytes of u8 fields, then rto, ato, snd_mss, rcv_mss). */
    private static final int TCPI_UNACKED = 24;

    /** Whether the kernel shows the socket on 0.0.0.0 with a port: a failed bind cleared its address. */
    private static boolean lostAddress(Syscalls.Call sys, Sock s) {
        MemorySegment out = sys.sockaddrOut();
        if (sys.getsockname(s.realFd, out).failed()) {
            return false;
        }
        Endpoint now = Syscalls.Call.endpoint(out);
        return now.wildcardIp() && now.port() != 0;
    }

    private Outcome accept(Syscalls.Call sys, TreeMap<Integer, Sock> table, Sock listener, int fd, boolean nonblock) {
        MemorySegment peer = sys.sockaddrOut();
        Outcome o = blocking(sys, listener, () -> sys.accept(fd, peer, nonblock), false);
        if (o instanceof Outcome.Value v) {
            int realFd = (int) v.value();
            openRealFds.add(realFd);
            bound(sys, realFd);
            Binding binding = new Binding();
            binding.nonblock = nonblock;
            Sock accepted = new Sock(realFd, listener.host, listener.proto, binding);
            remember(sys, accepted);
            int virtual = allocate(table, accepted);
            return new Outcome.Accepted(virtual, sys.address(peer));
        }
        return o;
    }

    /**
     * recv and recvfrom. A raw IPv4 socket reads the IP header before the
     * data (raw(7)); the header, at most 60 bytes, is read too and left out,
     * so the caller gets at most max bytes of data, cut as a datagram is. A
     * raw IPv6 socket reads the data alone (ipv6(7), rawv6_recvmsg), as the
     * spec has it.
     */
    /** file: read(2) rather than recvfrom (no flags, no sender); waitall: MSG_WAITALL. */
    private Outcome receive(Syscalls.Call sys, Sock s, int fd, int max, boolean withSender, boolean raw, boolean peek,
                            boolean dontwait, boolean file, boolean waitall, boolean trunc) {
        int header = raw ? MAX_IP_HEADER : 0;
        MemorySegment buf = sys.arena.allocate(Math.max(1, max) + header);
        MemorySegment from = withSender ? sys.sockaddrOut() : MemorySegment.NULL;
        int flags = (peek ? Syscalls.MSG_PEEK : 0) | (dontwait ? Syscalls.MSG_DONTWAIT : 0)
                | (waitall ? Syscalls.MSG_WAITALL : 0) | (trunc ? Syscalls.MSG_TRUNC : 0);
        Outcome o = dontwait ? value(sys.recvfrom(fd, buf, flags, from))
                : blocking(sys, s, () -> file ? sys.read(fd, buf) : sys.recvfrom(fd, buf, flags, from), false);
        if (o instanceof Outcome.Value v) {
            // MSG_TRUNC on a stream: tcp_recvmsg copied nothing and says how many bytes it took.
            if (trunc && s != null && s.proto == Proto.TCP) {
                return v;
            }
            // MSG_TRUNC on a datagram: its whole length, of which what fitted was copied.
            long copied = Math.min(v.value(), buf.byteSize());
            byte[] data = buf.asSlice(0, copied).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            long length = v.value();
            if (raw) {
                // The kernel always writes a whole header (IHL: its length in words).
                int ihl = data.length == 0 ? 0 : Math.min(data.length, (data[0] & 0x0f) * 4);
                data = java.util.Arrays.copyOfRange(data, ihl, Math.min(data.length, ihl + max));
                length -= ihl;
            }
            boolean senderSet = withSender && from.get(java.lang.foreign.ValueLayout.JAVA_SHORT, 0) != 0;
            if (withSender && s != null && s.proto == Proto.UNIX) {
                // A Unix socket's sender: its name, or the empty name (the kernel writes no address for an
                // unnamed one); end of file has no sender. NOTE: a datagram of no bytes from an unnamed sender
                // is read as end of file here.
                Endpoint sender = senderSet && sys.addressWritten() ? sys.address(from) : v.value() == 0 ? null : Endpoint.unix("");
                return new Outcome.Data(data, sender, trunc ? length : -1);
            }
            return new Outcome.Data(data, senderSet ? Syscalls.Call.endpoint(from) : null, trunc ? length : -1);
        }
        return o;
    }

    /**
     * sendmsg(2) with SCM_RIGHTS: the descriptors passed are the process's
     * real ones (-1 for a number it does not hold: the kernel says EBADF),
     * and each socket passed is remembered by its inode so that the
     * descriptor a recvmsg makes of it is known as that socket. With
     * SCM_CREDENTIALS, the JVM's own pid, uid and gid.
     */
    private Outcome sendMessage(Syscalls.Call sys, TreeMap<Integer, Sock> table, Sock s, int fd, ApiCall.SendMsg c) {
        int[] rights = new int[c.rights().size()];
        for (int i = 0; i < rights.length; i++) {
            Sock r = table.get(c.rights().get(i));
            rights[i] = r == null ? -1 : r.realFd;
            if (r != null && r.inode() > 0) {
                passed.put(r.inode(), r);
            }
        }
        // Linux binds an unbound datagram socket before it looks for a destination (inet_autobind).
        wildcardAutobind(sys, s, Proto.UDP);
        return blocking(sys, s, () -> sys.sendmsg(fd, c.data(), rights, c.creds(), 0), false);
    }

    /**
     * recvmsg(2): the data, each descriptor received (SCM_RIGHTS) given
     * the process's lowest free number, in the order they came, and the
     * credentials shown (SCM_CREDENTIALS; credsShown).
     */
    private Outcome receiveMessage(Syscalls.Call sys, TreeMap<Integer, Sock> table, Sock s, int fd, ApiCall.RecvMsg c)
            throws ImplementationException {
        MemorySegment buf = sys.arena.allocate(Math.max(1, c.max()));
        int flags = (c.peek() ? Syscalls.MSG_PEEK : 0) | (c.dontwait() ? Syscalls.MSG_DONTWAIT : 0);
        Outcome o = c.dontwait() ? value(sys.recvmsg(fd, buf, flags)) : blocking(sys, s, () -> sys.recvmsg(fd, buf, flags), false);
        if (!(o instanceof Outcome.Value v)) {
            return o;
        }
        byte[] data = buf.asSlice(0, Math.min(v.value(), buf.byteSize())).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        List<Integer> numbers = new ArrayList<>();
        ImplementationException unknown = null;
        for (int real : sys.rightsReceived()) {
            openRealFds.add(real);
            Sock of = passed.get(ProcNet.inodeOf(real));
            if (of == null) {
                // Not a socket this run passed: closed again, and the run cannot go on.
                sys.closeFd(real);
                openRealFds.remove(real);
                unknown = new ImplementationException("recvmsg received descriptor " + real + ", of no socket a sendmsg of the"
                        + " run passed");
                continue;
            }
            numbers.add(allocate(table, adopt(of, real)));
        }
        if (unknown != null) {
            throw unknown;
        }
        if (sys.controlTruncated()) {
            throw new ImplementationException("recvmsg: the kernel cut the descriptors received short (MSG_CTRUNC)");
        }
        return new Outcome.Message(data, numbers, credsShown(sys.credsReceived()));
    }

    /**
     * The credentials a recvmsg showed as a trace names them: none (pid 0,
     * the kernel's overflow uid and gid: the message carried none), zero (all
     * 0: a stream's end of file), the run's process (the JVM's own pid, uid
     * and gid), or, for any other, a word that names them and matches no
     * trace. The processes of a run are threads of one JVM and share its
     * pid, so a run of several processes cannot tell whose they are: SKIP.
     */
    private String credsShown(int[] c) throws Unsupported {
        if (c == null) {
            return null;
        }
        if (c[0] == 0 && c[1] == 0 && c[2] == 0) {
            return Outcome.Message.ZERO_CREDS;
        }
        if (c[0] == 0 && c[1] == Syscalls.OVERFLOW_UID && c[2] == Syscalls.OVERFLOW_GID) {
            return Outcome.Message.NO_CREDS;
        }
        if (java.util.Arrays.equals(c, Syscalls.ownCredentials())) {
            if (processes.size() != 1) {
                throw new Unsupported("recvmsg showed credentials in a run of " + processes.size() + " processes: linux's"
                        + " processes are threads of one JVM and share its pid, so whose they are cannot be told");
            }
            String p = processes.get(0);
            return p.substring(p.indexOf('.') + 1);
        }
        return "pid_" + c[0] + "_uid_" + c[1] + "_gid_" + c[2];
    }

    /** A descriptor number no process of the JVM holds: poll says POLLNVAL for it, as for a descriptor the modelled process does not hold. */
    private static final int NOT_OPEN = Integer.MAX_VALUE;

    /**
     * poll of the process's descriptors. A poll that waits (-1) is bounded
     * like the other blocking calls (the call timeout, six of them on a
     * thread of a format-2 trace) and lets other threads go on meanwhile;
     * when nothing was ready by then it is Blocked.
     */
    private Outcome poll(Syscalls.Call sys, TreeMap<Integer, Sock> table, ApiCall.Poll c) {
        int n = c.fds().size();
        int[] fds = new int[n];
        short[] events = new short[n];
        for (int i = 0; i < n; i++) {
            Sock s = table.get(c.fds().get(i).fd());
            fds[i] = s == null ? NOT_OPEN : s.realFd;
            int bits = 0;
            for (String e : c.fds().get(i).events()) {
                bits |= Syscalls.POLL_BITS.get(e);
            }
            events[i] = (short) bits;
        }
        Syscalls.Result r;
        if (c.timeout() == 0) {
            r = sys.poll(fds, events, 0);
        } else {
            int ms = threads.waitMs(timeoutMs);
            r = unlocked(() -> pollWithin(sys, fds, events, ms));
            if (interrupted(r)) {
                return new Outcome.Blocked("interrupted by signals for the whole call timeout");
            }
            if (r.value() == 0) {
                return new Outcome.Blocked("no descriptor ready within " + ms + " ms");
            }
        }
        if (r.failed()) {
            return errno(r);
        }
        List<Set<String>> out = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            int got = events[i] & 0xffff;
            Set<String> names = new java.util.TreeSet<>();
            Syscalls.POLL_BITS.forEach((name, bit) -> {
                if ((got & bit) != 0) {
                    names.add(name);
                }
            });
            out.add(names);
        }
        return new Outcome.Polled(out);
    }

    /** Runs a call that waits in the kernel without the lock, when other threads of the trace may act meanwhile. */
    private Syscalls.Result unlocked(java.util.function.Supplier<Syscalls.Result> op) {
        if (!threads.active()) {
            return op.get();
        }
        int holds = lock.getHoldCount();
        for (int i = 0; i < holds; i++) {
            lock.unlock();
        }
        try {
            return op.get();
        } finally {
            for (int i = 0; i < holds; i++) {
                lock.lock();
            }
        }
    }

    /** The longest IPv4 header: 15 words. */
    private static final int MAX_IP_HEADER = 60;

    /**
     * A call that may block is a blocking call, bounded by the socket's
     * SO_RCVTIMEO and SO_SNDTIMEO (set to the call timeout on every socket):
     * when they expire, Linux answers EAGAIN (EINPROGRESS for connect), which
     * is reported as Blocked. Keeping the socket blocking keeps the kernel's
     * own semantics; a non-blocking connect, for one, would leave the socket
     * "connecting" after a refusal.
     */
    private Outcome blocking(Syscalls.Call sys, Sock s, java.util.function.Supplier<Syscalls.Result> op, boolean isConnect) {
        if (s != null && s.binding.nonblock) {
            // A non-blocking socket answers at once: EAGAIN and EINPROGRESS are its results.
            return value(op.get());
        }
        // Other threads of the trace go on while this one waits in the kernel.
        Syscalls.Result r = unlocked(op);
        // A signal to the thread (the JVM sends some, a profiler many) ends a call bounded by SO_RCVTIMEO or
        // SO_SNDTIMEO with EINTR, where the kernel restarts others: the wait goes on, as the trace's program's would.
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(threads.waitMs(timeoutMs));
        for (int signals = 0; interrupted(r) && signals < MAX_SIGNALS && System.nanoTime() < end; signals++) {
            r = isConnect && s != null ? unlocked(() -> connectEnd(sys, s.realFd)) : unlocked(op);
        }
        if (interrupted(r)) {
            return new Outcome.Blocked("interrupted by signals for the whole call timeout");
        }
        if (r.failed() && r.errno() == (isConnect ? Syscalls.EINPROGRESS : Syscalls.EAGAIN)) {
            return new Outcome.Blocked("no completion within " + timeoutMs + " ms");
        }
        return value(r);
    }

    private static boolean interrupted(Syscalls.Result r) {
        return r.failed() && r.errno() == Syscalls.EINTR;
    }

    /** How many signals one call's wait is taken through at most. */
    private static final int MAX_SIGNALS = 100;

    /**
     * The end of a blocking connect that a signal interrupted: the handshake
     * goes on in the kernel, and ends when the socket becomes writable, with
     * SO_ERROR saying how (0: connected). EINPROGRESS when it did not end
     * within the call's bound.
     */
    private Syscalls.Result connectEnd(Syscalls.Call sys, int realFd) {
        Syscalls.Result r = pollWithin(sys, new int[] {realFd},
                new short[] {(short) (int) Syscalls.POLL_BITS.get("POLLOUT")}, threads.waitMs(timeoutMs));
        if (r.failed()) {
            return r;
        }
        if (r.value() == 0) {
            return new Syscalls.Result(-1, Syscalls.EINPROGRESS);
        }
        Syscalls.Result err = sys.getsockopt(realFd, Syscalls.SOL_SOCKET, Syscalls.SO_ERROR);
        if (err.failed()) {
            return err;
        }
        return err.value() == 0 ? new Syscalls.Result(0, 0) : new Syscalls.Result(-1, (int) err.value());
    }

    /**
     * poll for at most ms: poll is never restarted after a signal, so it
     * waits again for the time it has left, through at most
     * {@link #MAX_SIGNALS} signals (then EINTR is its result).
     */
    private static Syscalls.Result pollWithin(Syscalls.Call sys, int[] fds, short[] events, int ms) {
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(ms);
        Syscalls.Result r = sys.poll(fds, events, ms);
        for (int signals = 0; interrupted(r) && signals < MAX_SIGNALS; signals++) {
            int left = (int) java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
            if (left <= 0) {
                return new Syscalls.Result(0, 0); // the time is up: nothing ready
            }
            r = sys.poll(fds, events, left);
        }
        return r;
    }

    private void bound(Syscalls.Call sys, int realFd) {
        // A thread of a trace in format 2 waits from its call to the line of its return: a longer bound.
        int ms = threads.waitMs(timeoutMs);
        sys.setTimeout(realFd, Syscalls.SO_RCVTIMEO, ms);
        sys.setTimeout(realFd, Syscalls.SO_SNDTIMEO, ms);
    }

    private static Outcome value(Syscalls.Result r) {
        return r.failed() ? errno(r) : new Outcome.Value(r.value());
    }

    private static Outcome errno(Syscalls.Result r) {
        return errnoOf(r.errno());
    }

    private static Outcome errnoOf(int e) {
        return Errno.fromLinux(e).<Outcome>map(Outcome.Failed::new)
                .orElseGet(() -> new Outcome.Blocked("unknown errno " + e));
    }

    @Override
    public java.util.Set<Limit> limits() {
        // One JVM plays every process: a thread blocked in a system call cannot end with its process.
        return canOpenRaw() ? java.util.Set.of(Limit.ONE_KERNEL, Limit.NO_EXIT_WHILE_WAITING)
                : java.util.Set.of(Limit.ONE_KERNEL, Limit.NO_RAW, Limit.NO_EXIT_WHILE_WAITING);
    }

    private Boolean rawAllowed;

    /** Whether this process may open a raw socket (CAP_NET_RAW): tried once. */
    private boolean canOpenRaw() {
        lock.lock();
        try {
            return rawAllowedLocked();
        } finally {
            lock.unlock();
        }
    }

    private boolean rawAllowedLocked() {
        if (rawAllowed == null) {
            try (Syscalls.Call sys = new Syscalls.Call()) {
                Syscalls.Result r = sys.socket(Syscalls.SOCK_RAW, 253);
                rawAllowed = !r.failed();
                if (!r.failed()) {
                    sys.closeFd((int) r.value());
                }
            }
        }
        return rawAllowed;
    }

    /**
     * The rows of the kernel's socket tables with the host's address, as
     * /proc/net/tcp and /proc/net/udp show them (S16), once the hosts have
     * settled. A row in a state that waits for the peer's next segment
     * (SYN-RECEIVED, FIN-WAIT-1, CLOSING, LAST-ACK) means a segment is still
     * on its way: Linux delays the ACK of a FIN by up to 40 ms, even on
     * loopback (TCP_QUICKACK does not send it while the FIN is unread).
     * SYN-SENT is not such a state: on loopback a SYN is answered as soon as
     * it is processed, or was dropped (a full accept queue), and then only
     * its retransmission a second later moves the row; so it is read as it
     * stands once the backlogs are empty, where the table used to be read
     * for a whole second and given as it was at the end, before or after the
     * retransmission as it happened.
     * A table without such a row is read once more, right after the kernel's
     * receive backlogs (where loopback puts every packet) are seen empty,
     * and is the answer when the two reads agree and TCP_INFO agrees. Until
     * then the table is read again after pauses that grow from 50 us to
     * 5 ms, for at most {@link #SETTLE_MS}.
     */
    @Override
    public List<SocketRow> observe(String host) throws ImplementationException {
        lock.lock();
        try {
            return observeLocked(host);
        } finally {
            lock.unlock();
        }
    }

    private List<SocketRow> observeLocked(String host) throws ImplementationException {
        // TCP and UDP rows settle; a Unix socket's row is what it is at once, read once after them.
        List<SocketRow> rows = new ArrayList<>(netns != null ? observeNetns(host) : settledTable(host));
        rows.addAll(unixRows(host));
        return rows;
    }

    /** The host's TCP and UDP rows once they settled (see {@link #observe}). */
    private List<SocketRow> settledTable(String host) throws ImplementationException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(SETTLE_MS);
        Map<Long, Sock> byInode = new HashMap<>();
        try (Syscalls.Call sys = new Syscalls.Call()) {
            for (TreeMap<Integer, Sock> t : descriptors.values()) {
                for (Sock s : t.values()) {
                    // A connection made on a thread that still waits in connect has no tuple recorded yet.
                    remember(sys, s);
                    byInode.put(s.inode(), s);
                }
            }
        }
        boolean listeners = listenersPossible();
        List<SocketRow> last = null;
        // Whether no packet waited in a backlog just before this read, and whether the read was to confirm the last.
        boolean quiet = false;
        boolean confirming = false;
        for (int round = 0; ; ) {
            List<SocketRow> now = readTable(host, byInode, listeners);
            boolean settled = now.stream().noneMatch(r -> awaitingPeer(r) && r.state() != org.sockcheck.spec.TcpState.SYN_SENT);
            if (settled && quiet && now.equals(last) && tcpInfoAgrees(host, now)) {
                if (CROSS_CHECK) {
                    crossCheck(host, now);
                }
                return now;
            }
            last = now;
            if (System.nanoTime() > deadline) {
                return last;
            }
            if (!settled || confirming) {
                pause(PAUSES_NS[Math.min(round++, PAUSES_NS.length - 1)]);
                if (Thread.interrupted()) {
                    Thread.currentThread().interrupt();
                    return last;
                }
            }
            // A table with no row that awaits the peer is read once more to confirm it, right after the backlogs are seen empty.
            confirming = settled;
            quiet = settled && ProcNet.backlogEmpty();
        }
    }

    /**
     * The table of a host of an IPv6 trace: every row of its namespace,
     * IPv4's and IPv6's (/proc/net/tcp, udp, tcp6 and udp6 as the
     * namespace shows them to a thread in it), read until two reads of every
     * host's agree and no connection of any waits for its peer, within
     * SETTLE_MS.
     */
    private List<SocketRow> observeNetns(String host) throws ImplementationException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(SETTLE_MS);
        Map<String, List<SocketRow>> last = null;
        for (int round = 0; ; round++) {
            Map<String, List<SocketRow>> now = new HashMap<>();
            for (String h : addressing.hostIps().keySet()) {
                now.put(h, netns.tables(h));
            }
            boolean settled = now.values().stream().flatMap(List::stream)
                    .noneMatch(r -> awaitingPeer(r) && r.state() != org.sockcheck.spec.TcpState.SYN_SENT);
            if (settled && now.equals(last) || System.nanoTime() > deadline) {
                return now.get(host);
            }
            last = now;
            pause(PAUSES_NS[Math.min(round, PAUSES_NS.length - 1)]);
        }
    }

    /** The pauses between two reads of the tables while they settle: a read costs tens of microseconds. */
    private static final long[] PAUSES_NS = {50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000, 5_000_000};

    /**
     * Waits ns nanoseconds: a short pause spins, since the scheduler may
     * wake a parked thread much later than asked on a busy machine.
     */
    private static void pause(long ns) {
        if (ns > SPIN_NS) {
            java.util.concurrent.locks.LockSupport.parkNanos(ns);
            return;
        }
        long end = System.nanoTime() + ns;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    /** The longest pause that spins. */
    private static final long SPIN_NS = 100_000;

    /**
     * With -Dsockcheck.linux.crosscheck=true, each settled table's TCP rows
     * are compared with /proc/net/tcp's, and a difference is printed on
     * stderr: the check that sock_diag gives the rows the file gives.
     */
    private static final boolean CROSS_CHECK = Boolean.getBoolean("sockcheck.linux.crosscheck");

    private void crossCheck(String host, List<SocketRow> rows) throws ImplementationException {
        String ip = addressing.hostIps().get(host);
        List<String> file = new ArrayList<>();
        try {
            for (ProcNet.Entry e : ProcNet.read(Proto.TCP)) {
                if (e.row().local().ip().equals(ip)) {
                    file.add(e.row().proto() + " " + e.row().local().port() + " " + e.row().remote() + " " + e.row().state());
                }
            }
        } catch (IOException e) {
            throw new ImplementationException("cannot read /proc/net/tcp: " + e.getMessage(), e);
        }
        List<String> diagRows = new ArrayList<>();
        for (SocketRow r : rows) {
            if (r.proto() == Proto.TCP) {
                diagRows.add(r.proto() + " " + r.local().port() + " " + r.remote() + " " + r.state());
            }
        }
        java.util.Collections.sort(file);
        java.util.Collections.sort(diagRows);
        if (!file.equals(diagRows)) {
            System.err.println("sockcheck: linux cross-check of " + host + " (" + ip + "): sock_diag " + diagRows
                    + " /proc/net/tcp " + file);
        }
    }

    /**
     * A second look through TCP_INFO: each TCP descriptor of the host in a
     * listed state must have a row in that state with its port. When the two
     * views disagree, a segment was processed between them: read again.
     */
    private boolean tcpInfoAgrees(String host, List<SocketRow> rows) {
        try (Syscalls.Call sys = new Syscalls.Call()) {
            for (TreeMap<Integer, Sock> t : descriptors.values()) {
                for (Sock s : t.values()) {
                    if (!s.host.equals(host) || s.proto != Proto.TCP) {
                        continue;
                    }
                    var state = tcpState(sys, s.realFd);
                    if (state == null || state == org.sockcheck.spec.TcpState.CLOSED) {
                        continue;
                    }
                    MemorySegment name = sys.sockaddrOut();
                    if (sys.getsockname(s.realFd, name).failed()) {
                        continue;
                    }
                    int port = Syscalls.Call.endpoint(name).port();
                    if (rows.stream().noneMatch(r -> r.state() == state && r.local().port() == port)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** How long observe waits for segments in flight between the hosts. */
    static final int SETTLE_MS = 1000;

    /**
     * Whether nothing but another event of the trace can end a call that
     * Linux says sleeps: no packet waits in a backlog, and no TCP row of the
     * run's hosts is in a state that a timer moves on by itself (a SYN or a
     * FIN retransmitted, as when a full accept queue dropped the SYN). False
     * when the state cannot be read now (another thread holds the lock).
     */
    private boolean quiet() {
        if (!ProcNet.BACKLOG_SHOWN || !ProcNet.backlogEmpty()) {
            return false;
        }
        try {
            if (!lock.tryLock(1, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try {
            if (addressing == null || !protocols.contains(Proto.TCP)) {
                return true;
            }
            try (Syscalls.Call sys = new Syscalls.Call()) {
                for (TreeMap<Integer, Sock> t : descriptors.values()) {
                    for (Sock s : t.values()) {
                        // A connection made on a thread that still waits in connect has no tuple recorded yet.
                        remember(sys, s);
                        if (s.proto == Proto.TCP && unacknowledged(sys, s.realFd)) {
                            // Data or a FIN not yet acknowledged: a timer (a delayed ACK, a retransmission, a
                            // probe) will move the connection, and may end a wait, by itself.
                            return false;
                        }
                    }
                }
            }
            if (netns != null) {
                // The run's own namespaces: their connections without a descriptor are in their tables only.
                return netns.allTables().stream().noneMatch(LinuxImplementation::awaitingPeer);
            }
            boolean listeners = listenersPossible();
            for (String host : addressing.hostIps().keySet()) {
                if (readTable(host, Map.of(), listeners).stream().anyMatch(LinuxImplementation::awaitingPeer)) {
                    return false;
                }
            }
            return true;
        } catch (ImplementationException e) {
            return false;
        } finally {
            lock.unlock();
        }
    }

    static boolean awaitingPeer(SocketRow r) {
        return r.state() != null && switch (r.state()) {
            case SYN_SENT, SYN_RECEIVED, FIN_WAIT_1, CLOSING, LAST_ACK -> true;
            default -> false;
        };
    }

    /**
     * Records the TCP connection a socket has, from both ends: its local
     * address and its peer's (where the last connect went while it is in
     * SYN-SENT). A socket without a port or a peer has none.
     */
    private void remember(Syscalls.Call sys, Sock s) {
        if (s == null || s.proto != Proto.TCP) {
            return;
        }
        MemorySegment out = sys.sockaddrOut();
        if (sys.getsockname(s.realFd, out).failed()) {
            return;
        }
        Endpoint local = Syscalls.Call.endpoint(out);
        Endpoint peer;
        if (!sys.getpeername(s.realFd, out).failed()) {
            peer = Syscalls.Call.endpoint(out);
        } else if (s.binding.connectedTo != null && !s.binding.connectedTo.unspec()) {
            peer = s.binding.connectedTo;
        } else {
            return;
        }
        if (local.port() == 0 || peer.port() == 0) {
            return;
        }
        SockDiag.Tuple t = new SockDiag.Tuple(local, peer);
        tuples.add(t);
        tuples.add(t.mirror());
    }

    /**
     * Whether the kernel may list a listener of the trace's hosts: a
     * listening socket leaves the table when its last descriptor closes,
     * unless a call that waits on a thread of the trace still holds it.
     */
    private boolean listenersPossible() {
        if (!listened || threads.active()) {
            return listened;
        }
        try (Syscalls.Call sys = new Syscalls.Call()) {
            for (TreeMap<Integer, Sock> t : descriptors.values()) {
                for (Sock s : t.values()) {
                    if (s.proto == Proto.TCP && tcpState(sys, s.realFd) == org.sockcheck.spec.TcpState.LISTEN) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** listeners: whether the kernel's listeners are asked for (see {@link #listenersPossible}). */
    private List<SocketRow> readTable(String host, Map<Long, Sock> byInode, boolean listeners) throws ImplementationException {
        String ip = addressing.hostIps().get(host);
        List<SocketRow> rows = new ArrayList<>();
        try {
            List<ProcNet.Entry> entries = new ArrayList<>();
            if (protocols.contains(Proto.TCP)) {
                entries.addAll(tcpEntries(ip, listeners));
            }
            if (protocols.contains(Proto.UDP)) {
                entries.addAll(ProcNet.read(Proto.UDP));
            }
            for (ProcNet.Entry e : entries) {
                if (!e.row().local().ip().equals(ip)) {
                    continue;
                }
                SocketRow row = e.row();
                Sock s = byInode.get(e.inode());
                if (s != null && s.binding.wildcardLocal) {
                    row = new SocketRow(row.proto(), new Endpoint(Endpoint.ANY_IP, row.local().port()), row.remote(), row.state());
                }
                rows.add(row);
            }
        } catch (IOException e) {
            throw new ImplementationException("cannot read /proc/net: " + e.getMessage(), e);
        }
        return rows;
    }

    /**
     * The host's Unix domain sockets as /proc/net/unix (table) lists them
     * (S20): those of the run's sockets on the host, by inode (a socket a
     * message carries too, which no descriptor may hold), and the server's
     * ends of connections nobody accepted yet, which have no inode, by the
     * name they share with their listener, a name of the host's folder or
     * prefix. Names as the trace writes them. Nothing is read when the run
     * has no Unix socket; in an IPv6 run's namespace, that namespace's file.
     */
    private List<SocketRow> unixRows(String host) throws ImplementationException {
        Map<Long, Sock> byInode = new HashMap<>();
        for (TreeMap<Integer, Sock> t : descriptors.values()) {
            for (Sock s : t.values()) {
                byInode.put(s.inode(), s);
            }
        }
        if (byInode.values().stream().noneMatch(s -> s.proto == Proto.UNIX) && passed.isEmpty()) {
            return List.of();
        }
        List<ProcNet.UnixEntry> entries;
        try {
            entries = netns == null ? ProcNet.readUnix(java.nio.file.Path.of("/proc/net/unix")) : netns.of(host).inside(sys -> {
                try {
                    return ProcNet.readUnix(java.nio.file.Path.of("/proc/thread-self/net/unix"));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new ImplementationException("cannot read /proc/net/unix: " + e.getMessage(), e);
        }
        List<SocketRow> out = new ArrayList<>();
        for (ProcNet.UnixEntry e : entries) {
            Sock s = e.inode() == 0 ? null : byInode.getOrDefault(e.inode(), passed.get(e.inode()));
            String owner = s != null ? s.host : e.inode() == 0 ? addressing.unixHost(e.path()) : null;
            if (host.equals(owner)) {
                out.add(SocketRow.unix(e.type(), addressing.traceName(e.path()), e.state()));
            }
        }
        return out;
    }

    /**
     * The TCP rows of the address: its listeners and the connections the
     * trace's sockets have had, through sock_diag; /proc/net/tcp when
     * sock_diag cannot be had.
     */
    private List<ProcNet.Entry> tcpEntries(String ip, boolean listeners) throws IOException {
        if (diag == null && diagBroken == null) {
            try {
                diag = SockDiag.open();
            } catch (IOException e) {
                diagBroken = e.getMessage();
            }
        }
        if (diag != null) {
            try {
                List<ProcNet.Entry> out = new ArrayList<>();
                for (ProcNet.Entry e : listeners ? diag.listeners() : List.<ProcNet.Entry>of()) {
                    if (e.row().local().ip().equals(ip)) {
                        out.add(e);
                    }
                }
                List<SockDiag.Tuple> own = tuples.stream().filter(t -> t.local().ip().equals(ip)).toList();
                Map<SockDiag.Tuple, ProcNet.Entry> found = diag.lookup(own);
                for (SockDiag.Tuple t : own) {
                    ProcNet.Entry e = found.get(t);
                    if (e != null) {
                        out.add(e);
                    }
                }
                return out;
            } catch (IOException e) {
                diagBroken = e.getMessage();
                diag.close();
                diag = null;
                System.err.println("sockcheck: linux: sock_diag failed (" + diagBroken + "); reading /proc/net/tcp instead");
            }
        }
        return ProcNet.read(Proto.TCP);
    }

    /**
     * The shutdown hook's cleanup: closes the descriptors without taking the
     * lock a call in progress may hold (that call is bounded, but a hook
     * should not wait for it).
     */
    private void closeAllNow() {
        try (Syscalls.Call sys = new Syscalls.Call()) {
            for (int fd : openRealFds) {
                sys.closeFd(fd);
            }
        }
        openRealFds.clear();
        removeUnixFolder();
    }

    /** Closes every descriptor the trace opened. */
    @Override
    public void stop() {
        lock.lock();
        try {
            traces++;
            boolean woken = threads.close();
            tuples.clear();
            protocols.clear();
            listened = false;
            if (openRealFds.isEmpty() && descriptors.isEmpty()) {
                return;
            }
            try (Syscalls.Call sys = new Syscalls.Call()) {
                for (int fd : openRealFds) {
                    if (woken) {
                        // A thread that still waits in a call is woken by the shutdown (a close alone does not wake it).
                        sys.shutdown(fd, 2);
                    }
                    sys.closeFd(fd);
                }
            }
            openRealFds.clear();
            descriptors.clear();
            passed.clear();
        } finally {
            removeUnixFolder();
            if (netns != null) {
                netns.close();
                netns = null;
            }
            lock.unlock();
        }
    }
}
