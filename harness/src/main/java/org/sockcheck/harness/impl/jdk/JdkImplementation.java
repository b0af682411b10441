package org.sockcheck.harness.impl.jdk;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sockcheck.spec.SockOpt;
import java.util.TreeMap;
import org.sockcheck.harness.impl.Addressing;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.impl.ImplementationException;
import org.sockcheck.harness.impl.Loopback;
import org.sockcheck.harness.impl.TraceSetup;
import org.sockcheck.harness.impl.linux.Netns;
import org.sockcheck.harness.impl.linux.ProcNet;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Errno;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.Proto;
import org.sockcheck.spec.SockType;
import org.sockcheck.spec.SocketRow;

/**
 * The JDK's socket layer (java.nio.channels) checked as a third-party stack.
 * A stream socket is a SocketChannel until it listens, when it becomes a
 * ServerSocketChannel bound to the same address (Java has no socket that can
 * do both); a datagram socket is a DatagramChannel. Errors come back as
 * exceptions and are mapped to errno by their type and message. Calls Java
 * cannot express are SKIP: raw sockets, dup and fork (a channel has one
 * descriptor). The socket table is the kernel's, read from /proc/net as for
 * {@code linux}; hosts share loopback as there.
 */
public final class JdkImplementation implements Implementation {
    /** A socket of a modelled process: whichever channel it is now. */
    private static final class Sock {
        final String host;
        final Proto proto;
        NetworkChannel channel;
        /** An INET6 socket: java.nio gives its IPv4 peers as Inet4Address, which it shows v4-mapped. */
        boolean v6;
        boolean reuse;
        boolean wildcard;
        /** O_NONBLOCK: the channel is in non-blocking mode (configureBlocking(false)). */
        boolean nonblock;
        /**
         * A connect of the trace that has not been answered with its end yet:
         * the next connect is the channel's finishConnect, as a Java program
         * that was told "in progress" asks.
         */
        boolean connecting;
        /**
         * Threads that wait in accept on this listener, in the order they came: java.nio's blocking
         * accept lets one thread wait at a time (the channel's accept lock), the others wait for it.
         */
        final java.util.concurrent.locks.ReentrantLock acceptQueue = new java.util.concurrent.locks.ReentrantLock(true);
        /** The options setsockopt set, which a listen must carry to its ServerSocketChannel. */
        final Set<SockOpt> set = java.util.EnumSet.noneOf(SockOpt.class);

        Sock(String host, Proto proto, NetworkChannel channel) {
            this.host = host;
            this.proto = proto;
            this.channel = channel;
        }
    }

    private final Map<String, TreeMap<Integer, Sock>> tables = new HashMap<>();
    private final Set<NetworkChannel> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /**
     * Guards the tables and the sockets; a call that waits lets go of it
     * while it waits (see {@link #unlocked}), so that the trace's other
     * threads go on.
     */
    private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
    /**
     * The trace's threads, when it has calls that wait while others run. A
     * call is given its whole wait before it is called blocked: the JDK's
     * channels may sleep in the kernel for a moment of their own.
     */
    private final org.sockcheck.harness.impl.BlockingThreads threads =
            new org.sockcheck.harness.impl.BlockingThreads(lock, null);
    private Addressing addressing;
    /** The run's folder of Unix names (streams only: java.nio's Unix channels). */
    private volatile org.sockcheck.harness.impl.UnixFolder unixDir;
    /** An IPv6 trace's network namespace, where its channels are made (null for IPv4 traces), or why there is none. */
    private org.sockcheck.harness.impl.linux.NetnsRun netns;
    private String noInet6;
    private int timeoutMs;
    private final org.sockcheck.harness.impl.ShutdownHook cleanup =
            new org.sockcheck.harness.impl.ShutdownHook("sockcheck-jdk-cleanup", this::closeAllNow);

    /**
     * The options are the standard ones of java.net where a channel's class
     * takes them, so a walk that sets or reads others, or sets one where
     * java.nio has none (SO_KEEPALIVE before listen), would be SKIP:
     * generated walks leave options and getsockopt out.
     */
    @Override
    public java.util.Set<Limit> limits() {
        return java.util.Set.of(Limit.ONE_KERNEL, Limit.NO_DUP, Limit.NO_FORK, Limit.NO_RAW,
                Limit.NO_GETSOCKOPT, Limit.NO_RECV_FLAGS, Limit.NO_POLL, Limit.NO_OPTIONS, Limit.NO_EXIT_WHILE_WAITING,
                Limit.NO_RIGHTS);
    }

    @Override
    public String name() {
        return "jdk";
    }

    @Override
    public Addressing start(TraceSetup setup) throws ImplementationException {
        stop();
        lock.lock();
        try {
            timeoutMs = (int) Math.min(Integer.MAX_VALUE, setup.callTimeout().toMillis());
            Addressing planned = Loopback.plan(setup);
            // Unix names: a folder of the run's own, made with its first Unix socket, removed by stop.
            unixDir = org.sockcheck.harness.impl.UnixFolder.next();
            // IPv6: the channels of a trace of one host are made in a network namespace of the run's own, as on linux.
            Netns.ForRun ns = Netns.forRun(setup);
            netns = ns.netns();
            noInet6 = ns.noInet6();
            addressing = Netns.addressing(planned, setup, netns, unixDir);
            return addressing;
        } finally {
            lock.unlock();
        }
    }

    /** A call that waits is a channel in blocking mode (or a Selector) on a thread of its own. */
    @Override
    public boolean concurrent() {
        return true;
    }

    @Override
    public Outcome call(String host, String process, String thread, ApiCall call, java.time.Duration wait)
            throws ImplementationException {
        return threads.call(host, process, thread, call, wait, () -> call(host, process, call));
    }

    @Override
    public Outcome awaitReturn(String host, String process, String thread, java.time.Duration wait)
            throws ImplementationException {
        return threads.awaitReturn(host, process, thread, wait);
    }

    /** How long a call may wait: the call timeout, longer on a thread of a trace in format 2 (as for linux). */
    private int waitMs() {
        return threads.waitMs(timeoutMs);
    }

    /** A wait on a channel or a Selector, made without the lock so that the trace's other threads go on. */
    private <T> T unlocked(Waiting<T> op) throws IOException {
        lock.unlock();
        try {
            return op.run();
        } finally {
            lock.lock();
        }
    }

    @FunctionalInterface
    private interface Waiting<T> {
        T run() throws IOException;
    }

    @Override
    public Outcome call(String host, String process, ApiCall call) throws ImplementationException {
        lock.lock();
        try {
            return callLocked(host, process, call);
        } finally {
            lock.unlock();
        }
    }

    private Outcome callLocked(String host, String process, ApiCall call) throws ImplementationException {
        TreeMap<Integer, Sock> table = tables.computeIfAbsent(host + "." + process, k -> new TreeMap<>());
        switch (call) {
            case ApiCall.SocketPair c -> throw new Unsupported("socketpair: java.nio has none");
            case ApiCall.Socket c when c.unixDomain() && (c.domain() != org.sockcheck.spec.Domain.UNIX || c.type() != SockType.STREAM) ->
                    throw new Unsupported("socket(" + c.domain() + ", " + c.type() + "): java.nio's Unix domain channels are"
                            + " streams only (SocketChannel, ServerSocketChannel), and it has no SEQPACKET");
            case ApiCall c when c.addr() != null && c.addr().unix() && c.addr().path().startsWith("\0") ->
                    throw new Unsupported("a name of the abstract namespace (" + c.op() + "): java.nio's UnixDomainSocketAddress"
                            + " takes a path, and a path has no NUL");
            case ApiCall c when c.addr() != null && c.addr().unix() && c.addr().path().isEmpty() ->
                    throw new Unsupported(c.op() + " to the empty Unix name (autobind): java.nio binds a channel given no name"
                            + " to a file of its own in the temporary folder, where Linux gives an abstract name");
            case ApiCall c when c.addr() != null && c.addr().unix() && !addressing.ownsUnixName(c.addr().path()) ->
                    throw new ImplementationException("refused the Unix name " + c.addr() + ": only names in the run's own folder"
                            + " are allowed");
            case ApiCall c when c.inet6() && netns == null -> throw new Unsupported(noInet6 != null ? noInet6
                    : "an IPv6 call (" + c.op() + ") in a trace the runner did not see as IPv6");
            case ApiCall.SetSockOpt c when c.option() == SockOpt.IPV6_V6ONLY -> throw new Unsupported("IPV6_V6ONLY:"
                    + " java.net has no such option (an INET6 channel is dual stack)");
            case ApiCall.Socket c -> {
                return socket(table, host, c);
            }
            case ApiCall c when c.addr() != null && table.containsKey(call.fd())
                    && (table.get(call.fd()).proto == Proto.UNIX) != c.addr().unix() && !c.addr().unspec() ->
                    throw new Unsupported(c.op() + " with an address of another family: java.nio throws"
                            + " UnsupportedAddressTypeException before any system call");
            case ApiCall c when c.addr() != null && table.containsKey(call.fd()) && !c.addr().unix() && !c.addr().unspec()
                    && table.get(call.fd()).v6 != c.addr().v6() ->
                    throw new Unsupported(c.op() + " with an address of the other IP family: java.nio gives an INET6 channel an"
                            + " IPv4 address v4-mapped and an INET channel's own check refuses an IPv6 one, so the kernel never"
                            + " sees the address a C program would pass (the spec's EAFNOSUPPORT, EINVAL)");
            case ApiCall.SendMsg c -> throw new Unsupported("sendmsg: java.nio's channels pass no descriptors (SCM_RIGHTS)"
                    + " or credentials (SCM_CREDENTIALS)");
            case ApiCall.RecvMsg c -> throw new Unsupported("recvmsg: java.nio's channels receive no descriptors (SCM_RIGHTS)"
                    + " and show no credentials (SCM_CREDENTIALS)");
            case ApiCall.Dup c -> throw new Unsupported("dup: a Java channel has one descriptor");
            case ApiCall.Fork c -> throw new Unsupported("fork: a Java program cannot share channels with a child process");
            case ApiCall.Recv c when c.peek() || c.waitall() || c.trunc() ->
                    throw new Unsupported("recv with MSG_PEEK, MSG_WAITALL or MSG_TRUNC: java.nio's read has no flags");
            case ApiCall.RecvFrom c when c.peek() || c.waitall() || c.trunc() ->
                    throw new Unsupported("recvfrom with MSG_PEEK, MSG_WAITALL or MSG_TRUNC: java.nio's receive has no flags");
            case ApiCall.SetSockOpt c when c.option().buffer() && c.value() < 0 ->
                    throw new Unsupported("setsockopt(" + c.option() + ", " + c.value() + "): java.nio refuses a negative size"
                            + " (C's 0xffffffff, the most there is)");
            case ApiCall.Connect c when c.addr().unspec() -> throw new Unsupported("connect(AF_UNSPEC): SocketChannel has no"
                    + " disconnect, and DatagramChannel.disconnect binds again to a port Linux gives back");
            case ApiCall.GetSockOpt c when option(c.option()) == null -> throw new Unsupported("getsockopt(" + c.option()
                    + "): java.nio has no such option (it reports errors as exceptions of the next call, and a channel's"
                    + " type, domain, protocol and listening are its class)");
            case ApiCall.Poll c -> {
                try {
                    return poll(table, c);
                } catch (IOException e) {
                    throw new ImplementationException("a Selector failed: " + e, e);
                }
            }
            case ApiCall.Exit c -> {
                for (Sock s : table.values()) {
                    closeQuietly(s.channel);
                }
                table.clear();
                return new Outcome.Value(0);
            }
            default -> { }
        }
        Sock s = table.get(call.fd());
        if (s == null) {
            return fail(Errno.EBADF);
        }
        try {
            return switch (call) {
                case ApiCall.Bind c -> bind(s, c.addr());
                case ApiCall.Listen c -> listen(s, c.backlog());
                case ApiCall.Connect c -> connect(s, c.addr());
                case ApiCall.Fcntl c -> {
                    s.nonblock = c.nonblock();
                    blocking(s);
                    yield new Outcome.Value(0);
                }
                case ApiCall.Accept c -> accept(table, s, c.nonblock());
                case ApiCall.Send c -> {
                    finish(s);
                    yield send(s, c.data(), null);
                }
                case ApiCall.SendTo c when s.proto == Proto.UNIX -> throw new Unsupported("sendto with an address on a Unix"
                        + " stream: java.nio's SocketChannel.write takes none");
                case ApiCall.SendTo c -> {
                    finish(s);
                    yield send(s, c.data(), c.addr());
                }
                case ApiCall.Recv c -> {
                    finish(s);
                    yield receive(s, c.max(), false, c.dontwait());
                }
                case ApiCall.RecvFrom c -> {
                    finish(s);
                    yield receive(s, c.max(), true, c.dontwait());
                }
                case ApiCall.Shutdown c -> {
                    finish(s);
                    yield shutdown(s, c.how().read(), c.how().write());
                }
                case ApiCall.Close c -> {
                    table.remove(c.fd());
                    closeQuietly(s.channel);
                    yield new Outcome.Value(0);
                }
                case ApiCall.GetSockName c when s.proto == Proto.UNIX -> {
                    SocketAddress a = s.channel.getLocalAddress();
                    yield new Outcome.Address(a == null ? Endpoint.unix("") : address(s, a));
                }
                case ApiCall.GetSockName c -> {
                    InetSocketAddress a = (InetSocketAddress) s.channel.getLocalAddress();
                    Endpoint e = a == null ? (s.v6 ? new Endpoint(Endpoint.ANY6_IP, 0) : Endpoint.ANY) : endpoint(s, a);
                    yield new Outcome.Address(s.wildcard ? new Endpoint(s.v6 ? Endpoint.ANY6_IP : Endpoint.ANY_IP, e.port()) : e);
                }
                case ApiCall.GetPeerName c -> {
                    finish(s);
                    SocketAddress a = switch (s.channel) {
                        case SocketChannel sc -> sc.getRemoteAddress();
                        case DatagramChannel dc -> dc.getRemoteAddress();
                        default -> null;
                    };
                    yield a == null ? fail(Errno.ENOTCONN) : new Outcome.Address(address(s, a));
                }
                case ApiCall.SetSockOpt c -> setOption(s, c);
                case ApiCall.GetSockOpt c -> getOption(s, c.option());
                default -> throw new IllegalStateException("handled above: " + call);
            };
        } catch (SocketTimeoutException e) {
            return new Outcome.Blocked("no completion within " + waitMs() + " ms");
        } catch (IOException | RuntimeException e) {
            // Java says "closed" both for a channel it closed and for a side shut down: only the first is EBADF.
            Errno errno = e instanceof ClosedChannelException && s.channel.isOpen() ? Errno.EPIPE : errno(e);
            if (errno == null) {
                throw new ImplementationException("the JDK threw " + e, e);
            }
            return fail(errno);
        }
    }

    private Outcome socket(TreeMap<Integer, Sock> table, String host, ApiCall.Socket c) throws ImplementationException {
        if (c.type() == SockType.RAW) {
            throw new Unsupported("raw sockets: java.nio has no raw IP channel");
        }
        if (c.domain() == org.sockcheck.spec.Domain.UNIX && c.protocol() != 0) {
            throw new Unsupported("socket(UNIX, STREAM) with protocol " + c.protocol() + ": java.nio opens its channels with protocol 0");
        }
        if (c.domain() != org.sockcheck.spec.Domain.UNIX && c.protocol() != 0 && c.protocol() != (c.type() == SockType.STREAM ? 6 : 17)) {
            throw new Unsupported("socket() with protocol " + c.protocol() + ": java.nio opens TCP and UDP channels only");
        }
        if (c.domain() == org.sockcheck.spec.Domain.UNIX) {
            unixDir.make(addressing.hostIps().keySet());
        }
        try {
            StandardProtocolFamily family = switch (c.domain()) {
                case UNIX -> StandardProtocolFamily.UNIX;
                case INET6 -> StandardProtocolFamily.INET6;
                default -> StandardProtocolFamily.INET;
            };
            NetworkChannel ch = opened(host, () -> c.type() == SockType.STREAM ? SocketChannel.open(family) : DatagramChannel.open(family));
            open.add(ch);
            Sock s = new Sock(host, c.domain() == org.sockcheck.spec.Domain.UNIX ? Proto.UNIX : c.type().proto(), ch);
            s.v6 = c.domain() == org.sockcheck.spec.Domain.INET6;
            s.nonblock = c.nonblock();
            blocking(s);
            return new Outcome.Value(org.sockcheck.harness.impl.Descriptors.allocate(table, s));
        } catch (IOException e) {
            throw new ImplementationException("cannot open a channel: " + e, e);
        }
    }

    /** A channel made where the host's sockets are: in its network namespace when the run has them. */
    private <T> T opened(String host, java.util.concurrent.Callable<T> make) throws IOException, ImplementationException {
        if (netns != null) {
            return netns.of(host).call(make);
        }
        try {
            return make.call();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new ImplementationException("cannot open a channel: " + e, e);
        }
    }

    /**
     * A loopback socket address, parsed (never resolved); in the run's
     * namespaces also its hosts' addresses; any other address ends the run
     * as an error.
     */
    private InetSocketAddress inet(String ip, int port) {
        try {
            if (ip.indexOf(':') >= 0) {
                if (netns == null || !org.sockcheck.harness.impl.linux.NetnsRun.allowed(netns, org.sockcheck.spec.Ip6.canonical(ip))) {
                    throw new ImplementationException("refused the address " + ip + ": only loopback addresses and the run's"
                            + " own IPv6 hosts are allowed");
                }
                return new InetSocketAddress(java.net.InetAddress.getByAddress(org.sockcheck.spec.Ip6.parse(ip)), port);
            }
            if (netns != null && netns.owns(ip)) {
                return new InetSocketAddress(java.net.InetAddress.getByAddress(org.sockcheck.spec.Endpoint.octets(ip)), port);
            }
            return Loopback.address(ip, port);
        } catch (ImplementationException | java.net.UnknownHostException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Where an unbound socket is bound before it connects or sends: its host's address, as hosts share loopback; none in the run's namespace. */
    private boolean bindsFirst() {
        return netns == null;
    }

    private InetSocketAddress local(Sock s, Endpoint addr) throws ImplementationException {
        if (netns == null) {
            // One kernel owns every host's address; in the run's namespaces each host's kernel has its own.
            Loopback.checkOwnAddress(addressing, s.host, addr);
        }
        String ip = addr.wildcardIp() && netns == null ? addressing.hostIps().get(s.host) : addr.ip();
        return inet(ip, addr.port());
    }

    private Outcome bind(Sock s, Endpoint addr) throws IOException, ImplementationException {
        if (s.proto == Proto.UNIX) {
            s.channel.bind(java.net.UnixDomainSocketAddress.of(addr.path()));
            return new Outcome.Value(0);
        }
        InetSocketAddress a = local(s, addr);
        s.channel.bind(a);
        s.wildcard = addr.wildcardIp();
        return new Outcome.Value(0);
    }

    /** A stream socket that listens becomes a ServerSocketChannel on the same address. */
    private Outcome listen(Sock s, int backlog) throws IOException, ImplementationException {
        if (s.proto == Proto.UNIX) {
            return listenUnix(s, backlog);
        }
        if (s.proto != Proto.TCP) {
            return fail(Errno.EOPNOTSUPP);
        }
        if (s.channel instanceof ServerSocketChannel) {
            return new Outcome.Value(0);
        }
        SocketChannel sc = (SocketChannel) s.channel;
        finish(s);
        if (sc.isConnected() || sc.isConnectionPending()) {
            return fail(Errno.EINVAL);
        }
        InetSocketAddress bound = (InetSocketAddress) sc.getLocalAddress();
        ServerSocketChannel server = opened(s.host, () -> ServerSocketChannel.open(s.v6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET));
        open.add(server);
        // As the trace set it: ServerSocketChannel turns SO_REUSEADDR on by default, and the
        // connections it accepts would carry the option into TIME-WAIT.
        server.setOption(StandardSocketOptions.SO_REUSEADDR, s.reuse);
        // The other options set on the stream socket go to the listener as they are; one it cannot
        // take (SO_KEEPALIVE, TCP_NODELAY, SO_LINGER, SO_SNDBUF) would be lost, with the options its
        // connections take from it.
        for (SockOpt o : s.set) {
            java.net.SocketOption<?> opt = option(o);
            if (o == SockOpt.SO_REUSEADDR) {
                continue;
            }
            if (!server.supportedOptions().contains(opt)) {
                closeQuietly(server);
                throw new Unsupported("listen after setsockopt(" + o + "): java.nio's ServerSocketChannel cannot keep it");
            }
            copyOption(sc, server, opt);
        }
        closeQuietly(sc);
        InetSocketAddress at = bound != null ? bound : bindsFirst() ? inet(addressing.hostIps().get(s.host), 0) : null;
        try {
            server.bind(at, backlog);
        } catch (IOException e) {
            closeQuietly(server);
            throw e;
        }
        s.wildcard |= bound == null;
        s.channel = server;
        blocking(s);
        return new Outcome.Value(0);
    }

    /**
     * A Unix stream socket that listens becomes a ServerSocketChannel bound
     * to its path: java.nio cannot make one of a bound SocketChannel, so the
     * channel is closed and the file its bind made removed (a file of the
     * run's own folder) before the new channel binds the same path.
     */
    private Outcome listenUnix(Sock s, int backlog) throws IOException, ImplementationException {
        if (s.channel instanceof ServerSocketChannel) {
            return new Outcome.Value(0);
        }
        SocketChannel sc = (SocketChannel) s.channel;
        if (sc.isConnected()) {
            return fail(Errno.EINVAL);
        }
        if (!(sc.getLocalAddress() instanceof java.net.UnixDomainSocketAddress bound) || bound.getPath().toString().isEmpty()) {
            throw new Unsupported("listen on an unbound Unix socket: java.nio's ServerSocketChannel binds a name of its own"
                    + " (a file in the temporary folder), where Linux has no autobind for listen");
        }
        if (!s.set.isEmpty()) {
            throw new Unsupported("listen on a Unix socket after setsockopt: the options would not reach the ServerSocketChannel");
        }
        ServerSocketChannel server = opened(s.host, () -> ServerSocketChannel.open(StandardProtocolFamily.UNIX));
        open.add(server);
        closeQuietly(sc);
        java.nio.file.Files.deleteIfExists(bound.getPath());
        try {
            server.bind(bound, backlog);
        } catch (IOException e) {
            closeQuietly(server);
            throw e;
        }
        s.channel = server;
        blocking(s);
        return new Outcome.Value(0);
    }

    private Outcome connect(Sock s, Endpoint addr) throws IOException, ImplementationException {
        if (s.proto == Proto.UNIX) {
            if (!(s.channel instanceof SocketChannel sc)) {
                throw new Unsupported("connect on a Unix listener: java.nio's ServerSocketChannel has no connect");
            }
            // A Unix stream connects at once (the server's end waits in the listener's queue). Made in
            // non-blocking mode, so that a connect to a full queue never waits without bound: a blocking
            // one would wait for room, which is what it is said to do (and the spec leaves outside).
            sc.configureBlocking(false);
            try {
                sc.connect(java.net.UnixDomainSocketAddress.of(addr.path()));
            } catch (java.net.SocketException e) {
                if (!s.nonblock && errno(e) == Errno.EAGAIN) {
                    return new Outcome.Blocked("the listener's queue is full: a blocking connect waits for room");
                }
                throw e;
            } finally {
                blocking(s);
            }
            return new Outcome.Value(0);
        }
        switch (s.channel) {
            case SocketChannel sc when s.connecting -> {
                // Told "in progress" before: a Java program asks finishConnect, which is true once the
                // handshake is done (also when a call before this one finished it), false while it is not.
                // A failed connection throws, and java.nio closes the channel.
                s.connecting = sc.isOpen() && sc.isConnectionPending();
                boolean done = s.nonblock ? sc.finishConnect() : waitConnected(sc);
                if (!done) {
                    return s.nonblock ? fail(Errno.EALREADY) : new Outcome.Blocked("no connection within " + waitMs() + " ms");
                }
                s.connecting = false;
            }
            case SocketChannel sc when s.nonblock -> {
                if (sc.getLocalAddress() == null && bindsFirst()) {
                    sc.bind(inet(addressing.hostIps().get(s.host), 0));
                }
                s.wildcard = false;
                if (!sc.connect(inet(addr.ip(), addr.port()))) {
                    s.connecting = true;
                    return fail(Errno.EINPROGRESS);
                }
            }
            case SocketChannel sc -> {
                if (sc.getLocalAddress() == null && bindsFirst()) {
                    sc.bind(inet(addressing.hostIps().get(s.host), 0));
                }
                InetSocketAddress to = inet(addr.ip(), addr.port());
                int ms = waitMs();
                unlocked(() -> {
                    sc.socket().connect(to, ms);
                    return null;
                });
                s.wildcard = false;
            }
            case DatagramChannel dc -> {
                if (dc.getLocalAddress() == null && bindsFirst()) {
                    dc.bind(inet(addressing.hostIps().get(s.host), 0));
                }
                dc.connect(inet(addr.ip(), addr.port()));
                s.wildcard = false;
            }
            default -> {
                return fail(Errno.EISCONN);
            }
        }
        return new Outcome.Value(0);
    }

    private Outcome accept(TreeMap<Integer, Sock> table, Sock s, boolean nonblock) throws IOException {
        if (!(s.channel instanceof ServerSocketChannel server)) {
            return fail(s.proto != Proto.UDP ? Errno.EINVAL : Errno.EOPNOTSUPP);
        }
        SocketChannel conn;
        if (s.nonblock) {
            conn = server.accept();
            if (conn == null) {
                return fail(Errno.EAGAIN);
            }
        } else {
            // A blocking accept that waits at most the call timeout: a Selector (a listening channel is
            // always in non-blocking mode, see blocking()), one waiting thread at a time, in the order
            // they came, as java.nio's blocking accept has them.
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(waitMs());
            long queueMs = waitMs();
            boolean inLine = unlocked(() -> {
                try {
                    return s.acceptQueue.tryLock(queueMs, java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while waiting to accept");
                }
            });
            if (!inLine) {
                return new Outcome.Blocked("no connection within " + waitMs() + " ms");
            }
            conn = null;
            try (Selector sel = Selector.open()) {
                server.register(sel, SelectionKey.OP_ACCEPT);
                long left;
                while (conn == null && server.isOpen() && (left = deadline - System.nanoTime()) > 0) {
                    long ms = Math.max(1, java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(left));
                    unlocked(() -> sel.select(ms));
                    sel.selectedKeys().clear();
                    conn = server.accept();
                }
            } finally {
                s.acceptQueue.unlock();
            }
            if (conn == null) {
                return new Outcome.Blocked("no connection within " + waitMs() + " ms");
            }
        }
        open.add(conn);
        Sock accepted = new Sock(s.host, s.proto, conn);
        accepted.nonblock = nonblock;
        blocking(accepted);
        int fd = org.sockcheck.harness.impl.Descriptors.allocate(table, accepted);
        accepted.v6 = s.v6;
        return new Outcome.Accepted(fd, address(s, conn.getRemoteAddress()));
    }

    private Outcome send(Sock s, byte[] data, Endpoint to) throws IOException {
        switch (s.channel) {
            case SocketChannel sc -> {
                int n = sc.write(ByteBuffer.wrap(data));
                // Non-blocking: 0 written of something is a full send buffer.
                return n == 0 && data.length > 0 ? fail(Errno.EAGAIN) : new Outcome.Value(n);
            }
            case DatagramChannel dc -> {
                if (to == null) {
                    return new Outcome.Value(dc.write(ByteBuffer.wrap(data)));
                }
                if (dc.getLocalAddress() == null && bindsFirst()) {
                    dc.bind(inet(addressing.hostIps().get(s.host), 0));
                    s.wildcard = true;
                }
                int n = dc.send(ByteBuffer.wrap(data), inet(to.ip(), to.port()));
                return n == 0 && data.length > 0 ? fail(Errno.EAGAIN) : new Outcome.Value(n);
            }
            default -> {
                return fail(Errno.ENOTCONN);
            }
        }
    }

    private Outcome receive(Sock s, int max, boolean withSender, boolean dontwait) throws IOException {
        if (s.nonblock || dontwait) {
            // MSG_DONTWAIT is this one read in non-blocking mode.
            if (!s.nonblock) {
                ((java.nio.channels.SelectableChannel) s.channel).configureBlocking(false);
            }
            try {
                return receiveNow(s, max, withSender);
            } finally {
                blocking(s);
            }
        }
        ByteBuffer buf = ByteBuffer.allocate(Math.max(1, max));
        switch (s.channel) {
            case SocketChannel sc -> {
                if (!sc.isConnected()) {
                    return fail(Errno.ENOTCONN);
                }
                Endpoint from = withSender && s.proto == Proto.UNIX ? address(s, sc.getRemoteAddress()) : null;
                if (s.proto == Proto.UNIX) {
                    // A Unix channel has no socket adaptor with a timeout: a Selector waits for it.
                    int ms = waitMs();
                    sc.configureBlocking(false);
                    try (Selector sel = Selector.open()) {
                        sc.register(sel, SelectionKey.OP_READ);
                        if (unlocked(() -> sel.select(ms)) == 0) {
                            throw new SocketTimeoutException();
                        }
                    } finally {
                        if (sc.isOpen()) {
                            blocking(s);
                        }
                    }
                    int n = sc.read(buf.limit(max));
                    return new Outcome.Data(n < 0 ? new byte[0] : java.util.Arrays.copyOf(buf.array(), n), from);
                }
                if (sc.socket().isInputShutdown()) {
                    // The channel's own read gives end of file here; the stream used for the timeout would throw.
                    return new Outcome.Data(new byte[0], null);
                }
                sc.socket().setSoTimeout(waitMs());
                int n = unlocked(() -> sc.socket().getInputStream().read(buf.array(), 0, max));
                return new Outcome.Data(n < 0 ? new byte[0] : java.util.Arrays.copyOf(buf.array(), n), null);
            }
            case DatagramChannel dc -> {
                dc.socket().setSoTimeout(waitMs());
                java.net.DatagramPacket p = new java.net.DatagramPacket(buf.array(), max);
                unlocked(() -> {
                    dc.socket().receive(p);
                    return null;
                });
                byte[] data = java.util.Arrays.copyOf(p.getData(), p.getLength());
                Endpoint from = endpoint(s, new InetSocketAddress(p.getAddress(), p.getPort()));
                return new Outcome.Data(data, withSender ? from : null);
            }
            default -> {
                return fail(Errno.ENOTCONN);
            }
        }
    }

    /** A read in non-blocking mode: what there is, end of file, or EAGAIN when a read would wait. */
    private static Outcome receiveNow(Sock s, int max, boolean withSender) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(max);
        switch (s.channel) {
            case SocketChannel sc -> {
                if (!sc.isConnected()) {
                    return fail(Errno.ENOTCONN);
                }
                int n = sc.read(buf);
                if (n == 0 && max > 0) {
                    return fail(Errno.EAGAIN);
                }
                Endpoint from = withSender && s.proto == Proto.UNIX ? address(s, sc.getRemoteAddress()) : null;
                return new Outcome.Data(n < 0 ? new byte[0] : java.util.Arrays.copyOf(buf.array(), n), from);
            }
            case DatagramChannel dc -> {
                SocketAddress from = dc.receive(buf);
                if (from == null) {
                    return fail(Errno.EAGAIN);
                }
                byte[] data = java.util.Arrays.copyOf(buf.array(), buf.position());
                return new Outcome.Data(data, withSender ? endpoint(s, (InetSocketAddress) from) : null);
            }
            default -> {
                return fail(Errno.ENOTCONN);
            }
        }
    }

    /**
     * A stream socket whose non-blocking connect is in progress: java.nio
     * learns that the kernel finished the handshake only from finishConnect,
     * which the channel needs before it reads, writes, shuts down or has a
     * peer. A connection that failed throws here, so the call reports its
     * error, as the kernel's next call on the socket does; one still in
     * progress is left to the call, which java.nio answers itself.
     */
    private static void finish(Sock s) throws IOException {
        if (!(s.channel instanceof SocketChannel sc) || !sc.isConnectionPending()) {
            return;
        }
        boolean wasBlocking = sc.isBlocking();
        sc.configureBlocking(false);
        try {
            sc.finishConnect();
        } finally {
            if (sc.isOpen()) {
                sc.configureBlocking(wasBlocking);
            }
        }
    }

    /** finishConnect of a blocking socket, waiting at most the call timeout: whether it is connected. */
    private boolean waitConnected(SocketChannel sc) throws IOException {
        if (!sc.isConnectionPending()) {
            return sc.isConnected() || sc.finishConnect();
        }
        sc.configureBlocking(false);
        try (Selector sel = Selector.open()) {
            sc.register(sel, SelectionKey.OP_CONNECT);
            int ms = waitMs();
            unlocked(() -> sel.select(ms));
        }
        try {
            return sc.finishConnect();
        } finally {
            if (sc.isOpen()) {
                sc.configureBlocking(true);
            }
        }
    }

    /** Readiness as java.nio shows it: interest and ready operations of a SelectionKey. */
    private static final int READ = SelectionKey.OP_READ;
    private static final int WRITE = SelectionKey.OP_WRITE;

    /**
     * poll() through Selectors. java.nio shows a socket's hang-up or error
     * (POLLHUP, POLLERR) as every operation of the key's interest ready, and
     * reads and writes only of a connected channel, so the adapter answers
     * only where what the Selector shows has one meaning: with every
     * operation of the channel registered, a key that is not ready for all
     * of them has no hang-up and no error, and its ready operations are
     * POLLIN and POLLOUT as they are. A key ready for all of them, POLLRDHUP
     * and other events, and POLLIN of a connection not finished yet are
     * SKIP, with the reason. A descriptor the process does not have is
     * POLLNVAL, as EBADF for the other calls. A poll that waits waits on the
     * events asked for, at most the call timeout, and is then read as one
     * with timeout 0.
     */
    private Outcome poll(TreeMap<Integer, Sock> table, ApiCall.Poll c) throws IOException, ImplementationException {
        for (ApiCall.PollFd e : c.fds()) {
            for (String ev : e.events()) {
                if (!ev.equals("POLLIN") && !ev.equals("POLLOUT") && !ev.equals("POLLERR") && !ev.equals("POLLHUP")
                        && !ev.equals("POLLNVAL")) {
                    throw new Unsupported("poll for " + ev + ": a Selector shows reading, writing, accepting and"
                            + " connecting only");
                }
            }
        }
        if (c.timeout() != 0 && !waitReady(table, c)) {
            return new Outcome.Blocked("no readiness within " + waitMs() + " ms");
        }
        List<Set<String>> out = new ArrayList<>();
        for (ApiCall.PollFd e : c.fds()) {
            Sock s = table.get(e.fd());
            if (s == null || !s.channel.isOpen()) {
                out.add(Set.of("POLLNVAL"));
                continue;
            }
            Set<String> shown = readiness(s, e.fd(), e.events());
            Set<String> revents = new java.util.TreeSet<>(shown);
            revents.retainAll(e.events());
            out.add(revents);
        }
        return new Outcome.Polled(out);
    }

    /**
     * A poll that waits (timeout -1): waits, at most the call timeout, until
     * a channel is ready for an operation asked for; whether one was.
     */
    private boolean waitReady(TreeMap<Integer, Sock> table, ApiCall.Poll c) throws IOException, ImplementationException {
        try (Selector sel = Selector.open()) {
            Map<java.nio.channels.SelectableChannel, Integer> interest = new HashMap<>();
            for (ApiCall.PollFd e : c.fds()) {
                Sock s = table.get(e.fd());
                if (s == null || !s.channel.isOpen()) {
                    return true; // POLLNVAL is ready at once
                }
                java.nio.channels.SelectableChannel ch = (java.nio.channels.SelectableChannel) s.channel;
                int ops = 0;
                if (e.events().contains("POLLIN")) {
                    ops |= ch instanceof ServerSocketChannel ? SelectionKey.OP_ACCEPT : READ;
                }
                if (e.events().contains("POLLOUT") && !(ch instanceof ServerSocketChannel)) {
                    ops |= ch instanceof SocketChannel sc && sc.isConnectionPending() ? SelectionKey.OP_CONNECT : WRITE;
                }
                if (ops == 0) {
                    throw new Unsupported("poll(" + e.fd() + ") that waits for no event: a Selector wakes for a hang-up"
                            + " or an error only as readiness of an operation it was asked for");
                }
                interest.merge(ch, ops, (a, b) -> a | b);
            }
            for (var en : interest.entrySet()) {
                en.getKey().configureBlocking(false);
                en.getKey().register(sel, en.getValue());
            }
            int ms = waitMs();
            return unlocked(() -> sel.select(ms)) > 0;
        } finally {
            for (ApiCall.PollFd e : c.fds()) {
                if (table.get(e.fd()) instanceof Sock s) {
                    blocking(s);
                }
            }
        }
    }

    /**
     * POLLIN and POLLOUT of one channel now, from a Selector with every
     * operation of the channel registered; SKIP where the answer could also
     * mean a hang-up or an error.
     */
    private static Set<String> readiness(Sock s, int fd, Set<String> asked) throws IOException, ImplementationException {
        java.nio.channels.SelectableChannel ch = (java.nio.channels.SelectableChannel) s.channel;
        int all = switch (ch) {
            case ServerSocketChannel ssc -> SelectionKey.OP_ACCEPT;
            case SocketChannel sc when sc.isConnectionPending() -> SelectionKey.OP_CONNECT | READ;
            default -> READ | WRITE;
        };
        int ready = selectNow(s, all);
        if (ready == all) {
            throw new Unsupported("poll(" + fd + "): the Selector shows every operation ready, which in java.nio is"
                    + " also how a hang-up or an error shows (POLLHUP, POLLERR)");
        }
        if (ch instanceof SocketChannel sc && sc.isConnectionPending()) {
            if (ready == SelectionKey.OP_CONNECT && sc.finishConnect()) {
                // Connected, with no error (finishConnect read SO_ERROR as 0): now read as a connection.
                return readiness(s, fd, asked);
            }
            if (ready != 0 || asked.contains("POLLIN")) {
                throw new Unsupported("poll(" + fd + "): java.nio shows no reading of a connection it has not finished");
            }
            return Set.of();
        }
        if (ch instanceof ServerSocketChannel) {
            if (asked.contains("POLLOUT")) {
                throw new Unsupported("poll(" + fd + "): java.nio has no writing on a listening channel");
            }
            return Set.of();
        }
        Set<String> shown = new HashSet<>();
        if ((ready & READ) != 0) {
            shown.add("POLLIN");
        }
        if ((ready & WRITE) != 0) {
            shown.add("POLLOUT");
        }
        return shown;
    }

    /** The operations of {@code ops} the channel is ready for now. */
    private static int selectNow(Sock s, int ops) throws IOException {
        java.nio.channels.SelectableChannel ch = (java.nio.channels.SelectableChannel) s.channel;
        try (Selector sel = Selector.open()) {
            ch.configureBlocking(false);
            SelectionKey key = ch.register(sel, ops);
            sel.selectNow();
            return key.isValid() ? key.readyOps() : 0;
        } finally {
            blocking(s);
        }
    }

    /**
     * The channel's mode as the socket's O_NONBLOCK says. A listening
     * channel stays in non-blocking mode, whatever the flag: a blocking
     * accept waits on a Selector, and threads that wait in accept at once
     * each have one.
     */
    private static void blocking(Sock s) throws IOException {
        if (s.channel instanceof java.nio.channels.SelectableChannel sc && sc.isOpen()) {
            sc.configureBlocking(!s.nonblock && !(sc instanceof ServerSocketChannel));
        }
    }

    private Outcome shutdown(Sock s, boolean read, boolean write) throws IOException, ImplementationException {
        if (!(s.channel instanceof SocketChannel sc)) {
            // java.nio has no shutdown of a DatagramChannel or a ServerSocketChannel, so there is nothing to judge.
            throw new Unsupported("shutdown of a " + s.channel.getClass().getSimpleName() + ": java.nio has none");
        }
        if (read) {
            sc.shutdownInput();
        }
        if (write) {
            sc.shutdownOutput();
        }
        return new Outcome.Value(0);
    }

    /** The standard option of java.net for an option the trace format names, or null when java.nio has none. */
    private static java.net.SocketOption<?> option(Object name) {
        return switch (String.valueOf(name)) {
            case "SO_REUSEADDR" -> StandardSocketOptions.SO_REUSEADDR;
            case "SO_REUSEPORT" -> StandardSocketOptions.SO_REUSEPORT;
            case "SO_KEEPALIVE" -> StandardSocketOptions.SO_KEEPALIVE;
            case "SO_BROADCAST" -> StandardSocketOptions.SO_BROADCAST;
            case "TCP_NODELAY" -> StandardSocketOptions.TCP_NODELAY;
            case "SO_LINGER" -> StandardSocketOptions.SO_LINGER;
            case "SO_RCVBUF" -> StandardSocketOptions.SO_RCVBUF;
            case "SO_SNDBUF" -> StandardSocketOptions.SO_SNDBUF;
            default -> null;
        };
    }

    /**
     * setsockopt through the channel's setOption. An option the channel's
     * class does not take is no system call java.nio makes (TCP_NODELAY of a
     * DatagramChannel, SO_BROADCAST of a SocketChannel): SKIP, not an errno
     * the adapter would make up.
     */
    @SuppressWarnings("unchecked")
    private Outcome setOption(Sock s, ApiCall.SetSockOpt c) throws IOException, ImplementationException {
        java.net.SocketOption<?> opt = option(c.option());
        if (!s.channel.supportedOptions().contains(opt)) {
            throw new Unsupported("setsockopt(" + c.option() + ") of a " + s.channel.getClass().getSimpleName()
                    + ": java.nio does not take it there");
        }
        if (c.option() == SockOpt.SO_LINGER) {
            // java.net's SO_LINGER is l_linger, or a negative number for off.
            s.channel.setOption(StandardSocketOptions.SO_LINGER, c.value() != 0 ? c.linger() : -1);
        } else if (c.option().buffer()) {
            s.channel.setOption((java.net.SocketOption<Integer>) opt, c.value());
        } else {
            s.channel.setOption((java.net.SocketOption<Boolean>) opt, c.value() != 0);
        }
        if (c.option() == SockOpt.SO_REUSEADDR) {
            s.reuse = c.value() != 0;
        }
        s.set.add(c.option());
        return new Outcome.Value(0);
    }

    /** getsockopt through the channel's getOption, its value as a trace writes it. */
    private Outcome getOption(Sock s, String name) throws IOException, ImplementationException {
        java.net.SocketOption<?> opt = option(name);
        if (!s.channel.supportedOptions().contains(opt)) {
            throw new Unsupported("getsockopt(" + name + ") of a " + s.channel.getClass().getSimpleName()
                    + ": java.nio does not read it there");
        }
        Object v = s.channel.getOption(opt);
        if (name.equals("SO_LINGER")) {
            int seconds = (Integer) v;
            if (seconds < 0) {
                throw new Unsupported("getsockopt(SO_LINGER) when off: java.nio reads -1 and not the l_linger the socket keeps");
            }
            return new Outcome.Option("{1, " + seconds + "}");
        }
        return new Outcome.Option(v instanceof Boolean b ? (b ? "1" : "0") : String.valueOf(v));
    }

    /** The errno an exception of the JDK stands for, from its type and message; null when none fits. */
    static Errno errno(Exception e) {
        String m = String.valueOf(e.getMessage());
        return switch (e) {
            case BindException b when m.contains("already in use") -> Errno.EADDRINUSE;
            case BindException b when m.contains("assign requested") -> Errno.EADDRNOTAVAIL;
            case BindException b -> Errno.EINVAL;
            case ConnectException c when m.contains("refused") -> Errno.ECONNREFUSED;
            case ConnectException c when m.contains("timed out") -> Errno.ETIMEDOUT;
            case AlreadyBoundException a -> Errno.EINVAL;
            case AlreadyConnectedException a -> Errno.EISCONN;
            case ConnectionPendingException p -> Errno.EALREADY;
            case NotYetConnectedException n -> Errno.ENOTCONN;
            case NotYetBoundException n -> Errno.EINVAL;
            // A channel that Java closed (after a failed connect, say) is a descriptor that is gone.
            case ClosedChannelException c -> Errno.EBADF;
            case java.net.PortUnreachableException p -> Errno.ECONNREFUSED;
            case SocketException s when m.contains("Already connected") -> Errno.EISCONN;
            case SocketException s when m.contains("Broken pipe") -> Errno.EPIPE;
            case SocketException s when m.contains("reset") -> Errno.ECONNRESET;
            case SocketException s when m.contains("not connected") -> Errno.ENOTCONN;
            case SocketException s when m.contains("Invalid argument") -> Errno.EINVAL;
            // Unix domain channels: a path without a file, a socket of another type there, a full listener's queue.
            case SocketException s when m.contains("No such file or directory") -> Errno.ENOENT;
            case SocketException s when m.contains("Protocol wrong type") -> Errno.EPROTOTYPE;
            case SocketException s when m.contains("temporarily unavailable") -> Errno.EAGAIN;
            // IPv6: an IPv4 socket's send to an IPv6 address, a socket bound to an IPv6 address that reaches for IPv4.
            case SocketException s when m.contains("Address family not supported") -> Errno.EAFNOSUPPORT;
            case SocketException s when m.contains("Network is unreachable") -> Errno.ENETUNREACH;
            // The JDK refuses port 0 as a destination before any system call ("Can't connect to port 0").
            case SocketException s when m.contains("to port 0") -> Errno.EINVAL;
            case IOException io when m.contains("Broken pipe") -> Errno.EPIPE;
            case IOException io when m.contains("Message too long") -> Errno.EMSGSIZE;
            case IOException io when m.contains("reset") -> Errno.ECONNRESET;
            case IOException io when m.contains("refused") -> Errno.ECONNREFUSED;
            case UnsupportedOperationException u -> Errno.EOPNOTSUPP;
            default -> null;
        };
    }

    /** An address java.nio gives socket s: an IP address and port, or a Unix name (a path; "" for none). */
    private static Endpoint address(Sock s, SocketAddress a) {
        return switch (a) {
            case InetSocketAddress i -> endpoint(s, i);
            case java.net.UnixDomainSocketAddress u -> Endpoint.unix(u.getPath().toString());
            default -> throw new IllegalStateException("an address of no family sockcheck knows: " + a);
        };
    }

    /**
     * An IP address and port as socket s has it: IPv6's in RFC 5952's form;
     * an INET6 socket's IPv4 peers (java.nio gives an Inet4Address for a
     * v4-mapped address) v4-mapped, as the kernel gives them.
     */
    private static Endpoint endpoint(Sock s, InetSocketAddress a) {
        java.net.InetAddress ip = a.getAddress();
        if (ip instanceof java.net.Inet6Address) {
            return new Endpoint(org.sockcheck.spec.Ip6.format(ip.getAddress()), a.getPort());
        }
        String v4 = ip.getHostAddress();
        return new Endpoint(s.v6 ? org.sockcheck.spec.Ip6.canonical("::ffff:" + v4) : v4, a.getPort());
    }

    private static Outcome fail(Errno e) {
        return new Outcome.Failed(e);
    }

    /** The kernel's table of the host, the wildcard shown where the model bound it. */
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
        for (TreeMap<Integer, Sock> t : tables.values()) {
            if (t.values().stream().anyMatch(s -> s.host.equals(host) && s.proto == Proto.UNIX)) {
                throw new Unsupported("observe of a host with Unix domain sockets: java.nio does not give a channel's"
                        + " descriptor, by whose inode its row of /proc/net/unix is known");
            }
        }
        try {
            Thread.sleep(50); // segments on loopback arrive within a few milliseconds; ACKs may be delayed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (netns != null) {
            // The run's namespaces: the host's tables, IPv4's and IPv6's, as the kernel lists them there.
            return netns.tables(host);
        }
        String ip = addressing.hostIps().get(host);
        Set<Integer> wildcardPorts = new HashSet<>();
        for (TreeMap<Integer, Sock> t : tables.values()) {
            for (Sock s : t.values()) {
                try {
                    if (s.host.equals(host) && s.wildcard && s.channel.getLocalAddress() instanceof InetSocketAddress a) {
                        wildcardPorts.add(a.getPort());
                    }
                } catch (IOException e) {
                    // a closed channel has no address
                }
            }
        }
        List<SocketRow> rows = new ArrayList<>();
        try {
            for (Proto proto : List.of(Proto.TCP, Proto.UDP)) {
                for (ProcNet.Entry e : ProcNet.read(proto)) {
                    SocketRow r = e.row();
                    if (!r.local().ip().equals(ip)) {
                        continue;
                    }
                    boolean listenerOrUnconnected = r.remote() == null || r.remote().port() == 0;
                    if (wildcardPorts.contains(r.local().port()) && listenerOrUnconnected) {
                        r = new SocketRow(r.proto(), new Endpoint(Endpoint.ANY_IP, r.local().port()), r.remote(), r.state());
                    }
                    rows.add(r);
                }
            }
        } catch (IOException e) {
            throw new ImplementationException("cannot read /proc/net: " + e.getMessage(), e);
        }
        return rows;
    }

    @Override
    public void stop() {
        lock.lock();
        try {
            // Interrupting a thread that waits wakes its Selector or closes its channel.
            threads.close();
            closeAllNow();
            tables.clear();
            if (netns != null) {
                netns.close();
                netns = null;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Closes every channel the trace opened, without the lock (also from the shutdown hook, on Ctrl-C). */
    private void closeAllNow() {
        for (NetworkChannel c : open) {
            closeQuietly(c);
        }
        open.clear();
        if (unixDir != null) {
            unixDir.remove();
        }
    }

    @Override
    public void close() {
        stop();
        cleanup.remove();
    }

    @SuppressWarnings("unchecked")
    private static <T> void copyOption(NetworkChannel from, NetworkChannel to, java.net.SocketOption<T> opt) throws IOException {
        to.setOption(opt, from.getOption(opt));
    }

    private static void closeQuietly(NetworkChannel c) {
        try {
            // No process start copies the descriptor meanwhile: the close releases the socket (see Spawns).
            org.sockcheck.harness.impl.Spawns.closing(() -> {
                c.close();
                return null;
            });
        } catch (IOException e) {
            // closing is best effort
        }
    }
}
