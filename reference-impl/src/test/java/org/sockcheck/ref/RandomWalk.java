package org.sockcheck.ref;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Profile;
import org.sockcheck.spec.Proto;
import org.sockcheck.spec.ShutdownHow;
import org.sockcheck.spec.SockOpt;
import org.sockcheck.spec.SockType;
import org.sockcheck.spec.SocketRow;
import org.sockcheck.spec.TcpState;

/**
 * Seeded random walks over the reference stack: calls of a few processes on
 * hosts A (192.0.2.1) and B (192.0.2.2), and, with automatic delivery off, the
 * network's steps the caller chooses (delivery of any segment in flight, with
 * or without a copy kept, loss), the clock and the returns of blocked calls.
 * A walk chooses each step from its seed and from what one stack shows (its
 * segments in flight, its tables, which processes wait), so the same walk can
 * drive several stacks in lockstep; {@link #state} describes all of a stack
 * that a step can change.
 */
final class RandomWalk {
    static final String[] HOSTS = {"A", "B"};
    static final String[] IPS = {"192.0.2.1", "192.0.2.2"};
    private static final String NOWHERE = "192.0.2.9";
    private static final String[] PROCESSES = {"p", "p", "q", "c"};
    private static final int[] PORTS = {80, 80, 81, 0, 32768, 32769};
    private static final long[] DELAYS = {1, 1_000, RefStack.TIME_WAIT_MS, RefStack.FIN_WAIT_2_MS,
        RefStack.SYN_RECEIVED_MS, RefStack.SYN_SENT_MS};

    /** One step: what it does, and the doing of it on a stack, which says what came of it. */
    record Step(String what, Function<RefStack, String> run) {
    }

    private final Random random;
    private boolean autoDeliver = true;

    RandomWalk(long seed) {
        this.random = new Random(seed);
    }

    /** A stack with hosts A and B. */
    static RefStack stack(Profile profile, RefStack.Limits limits) {
        RefStack s = new RefStack(profile, limits);
        for (int i = 0; i < HOSTS.length; i++) {
            s.addHost(HOSTS[i], IPS[i]);
        }
        return s;
    }

    /** The next step of the walk; model is one of the stacks it drives, before the step. */
    Step next(RefStack model) {
        int roll = random.nextInt(100);
        int inFlight = model.inFlight().size();
        if (roll < 4) {
            boolean on = !autoDeliver;
            autoDeliver = on;
            return new Step("autoDeliver " + on, s -> {
                s.setAutoDeliver(on);
                return "";
            });
        }
        if (!autoDeliver && inFlight > 0 && roll < 40) {
            int i = random.nextInt(inFlight);
            boolean keep = random.nextInt(4) == 0;
            return new Step("deliver " + i + (keep ? " keep" : ""), s -> guard(() -> String.valueOf(s.deliver(i, keep))));
        }
        if (!autoDeliver && inFlight > 0 && roll >= 40 && roll < 43) {
            int i = random.nextInt(inFlight);
            return new Step("lose " + i, s -> guard(() -> {
                s.loseSegment(i);
                return "";
            }));
        }
        String host = pick(HOSTS);
        String process = pick(PROCESSES);
        Process p = process(model, host, process);
        for (int tries = 0; tries < 8 && p != null && p.waits() && roll >= 50 && random.nextInt(10) != 0; tries++) {
            // A process that waits in a call takes no other call but exit: mostly another process calls.
            host = pick(HOSTS);
            process = pick(PROCESSES);
            p = process(model, host, process);
        }
        String h = host;
        String proc = process;
        if (roll >= 43 && roll < 46) {
            long ms = DELAYS[random.nextInt(DELAYS.length)];
            return new Step("advance " + ms, s -> guard(() -> {
                s.advance(ms);
                return "";
            }));
        }
        if (roll >= 46 && roll < 50) {
            return new Step(h + "." + proc + " tryReturn", s -> guard(() -> String.valueOf(s.tryReturn(h, proc))));
        }
        ApiCall call = p != null && p.waits() ? new ApiCall.Exit() : call(model, host, p);
        return new Step(h + "." + proc + " " + describe(call), s -> guard(() -> String.valueOf(s.call(h, proc, call))));
    }

    private static Process process(RefStack model, String host, String name) {
        for (Host h : model.hostTables()) {
            if (h.name.equals(host)) {
                Process p = h.processes.get(name);
                return p != null && p.alive ? p : null;
            }
        }
        return null;
    }

    /**
     * A call of process p (null: one not started yet) on host: mostly on a
     * descriptor it has open, and mostly a call that the state of its socket
     * makes useful (a listener accepts, a connection sends and receives), so
     * that the walks reach the later states of a connection.
     */
    private ApiCall call(RefStack model, String host, Process p) {
        int own = host.equals("A") ? 0 : 1;
        int fd = 3 + Math.min(random.nextInt(5), random.nextInt(5));
        if (p == null || p.descriptors.isEmpty()) {
            if (random.nextInt(4) != 0) {
                return socket();
            }
        } else if (random.nextInt(10) < 8) {
            Integer[] open = p.descriptors.keySet().toArray(new Integer[0]);
            fd = open[random.nextInt(open.length)];
        }
        Sock s = p == null ? null : p.descriptors.get(fd);
        String op = null;
        if (s != null && random.nextInt(4) != 0) {
            int r = random.nextInt(10);
            if (s.proto != Proto.TCP) {
                op = r < 4 ? "sendto" : r < 6 ? "recv" : r < 7 ? "connect" : r < 8 ? "bind" : null;
            } else if (s.state == TcpState.LISTEN) {
                op = r < 6 ? "accept" : r < 7 ? "close" : null;
            } else if (s.state == TcpState.CLOSED && !s.bound()) {
                op = r < 3 ? "bind" : r < 5 ? "listen" : r < 8 ? "connect" : null;
            } else if (s.state == TcpState.CLOSED) {
                op = r < 4 ? "listen" : r < 7 ? "connect" : r < 8 ? "close" : null;
            } else if (s.state.synchronizedState()) {
                op = r < 4 ? "send" : r < 6 ? "recv" : r < 8 ? "close" : r < 9 ? "shutdown" : null;
            }
        }
        if (op == null) {
            op = pick(new String[] {"socket", "bind", "listen", "connect", "accept", "send", "sendto", "recv",
                "recvfrom", "shutdown", "close", "getsockname", "getpeername", "setsockopt", "dup", "fork", "exit"});
        }
        // A connection the other host keeps in TIME-WAIT with this host: binding to its port and
        // connecting again makes the same four addresses, whose SYN meets the TIME-WAIT entry.
        SocketRow timeWait = null;
        for (SocketRow row : model.sockets(HOSTS[1 - own])) {
            if (row.state() == TcpState.TIME_WAIT && row.remote() != null && row.remote().ip().equals(IPS[own])) {
                timeWait = row;
            }
        }
        if (timeWait != null && s != null && s.tcp() && s.state == TcpState.CLOSED && random.nextBoolean()) {
            if (!s.bound() && op.equals("bind")) {
                return new ApiCall.Bind(fd, timeWait.remote());
            }
            if (s.local.equals(timeWait.remote()) && op.equals("connect")) {
                return new ApiCall.Connect(fd, timeWait.local());
            }
        }
        switch (op) {
            case "socket":
                return socket();
            case "bind":
                return new ApiCall.Bind(fd, new Endpoint(address(own, 55, 30, 10), pick(PORTS)));
            case "listen":
                return new ApiCall.Listen(fd, random.nextInt(3));
            case "connect":
                return new ApiCall.Connect(fd, new Endpoint(address(1 - own, 55, 20, 20), port(model, HOSTS[1 - own])));
            case "accept":
                return new ApiCall.Accept(fd);
            case "send":
                return new ApiCall.Send(fd, data());
            case "sendto":
                return new ApiCall.SendTo(fd, data(), new Endpoint(address(1 - own, 60, 20, 15), port(model, HOSTS[1 - own])));
            case "recv":
                return new ApiCall.Recv(fd, 1 + random.nextInt(4));
            case "recvfrom":
                return new ApiCall.RecvFrom(fd, 1 + random.nextInt(4));
            case "shutdown":
                return new ApiCall.Shutdown(fd, pick(ShutdownHow.values()));
            case "close":
                return new ApiCall.Close(fd);
            case "getsockname":
                return new ApiCall.GetSockName(fd);
            case "getpeername":
                return new ApiCall.GetPeerName(fd);
            case "setsockopt":
                return new ApiCall.SetSockOpt(fd, SockOpt.SO_REUSEADDR, random.nextInt(2));
            case "dup":
                return new ApiCall.Dup(fd);
            case "fork":
                String child = pick(new String[] {"q", "c"});
                if (process(model, host, child) == null) {
                    return new ApiCall.Fork(child);
                }
                return new ApiCall.GetSockName(fd);
            default:
                return new ApiCall.Exit();
        }
    }

    private ApiCall socket() {
        int t = random.nextInt(20);
        SockType type = t < 12 ? SockType.STREAM : t < 18 ? SockType.DGRAM : SockType.RAW;
        int protocol = random.nextInt(12) != 0 ? (type == SockType.RAW ? 253 : 0)
                : new int[] {0, 6, 17, 253, 300, -1}[random.nextInt(6)];
        return new ApiCall.Socket(type, protocol);
    }

    /** Host i's address, the other host's, the wildcard or an address no host has, by the weights given. */
    private String address(int i, int first, int wildcard, int other) {
        int r = random.nextInt(100);
        return r < first ? IPS[i] : r < first + wildcard ? Endpoint.ANY_IP : r < first + wildcard + other ? IPS[1 - i] : NOWHERE;
    }

    /** A port, most often one a socket of host listens on or is bound to. */
    private int port(RefStack model, String host) {
        java.util.List<Integer> used = model.sockets(host).stream().map(r -> r.local().port()).toList();
        return !used.isEmpty() && random.nextInt(10) < 6 ? used.get(random.nextInt(used.size())) : pick(PORTS);
    }

    private byte[] data() {
        byte[] d = new byte[random.nextInt(4)];
        for (int i = 0; i < d.length; i++) {
            d[i] = (byte) ('a' + random.nextInt(3));
        }
        return d;
    }

    private String pick(String[] from) {
        return from[random.nextInt(from.length)];
    }

    private int pick(int[] from) {
        return from[random.nextInt(from.length)];
    }

    private <T> T pick(T[] from) {
        return from[random.nextInt(from.length)];
    }

    /** What a step returned, or the exception it threw (a call of a process that waits, a fork of a live child). */
    private static String guard(java.util.function.Supplier<String> step) {
        try {
            return step.get();
        } catch (RuntimeException e) {
            return "threw " + e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    static String describe(ApiCall call) {
        return switch (call) {
            case ApiCall.Send c -> "send(" + c.fd() + ", \"" + text(c.data()) + "\")";
            case ApiCall.SendTo c -> "sendto(" + c.fd() + ", \"" + text(c.data()) + "\", " + c.addr() + ")";
            default -> call.toString();
        };
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /**
     * All of a stack that a step can change: the clock, the segments in flight,
     * the TCP transitions so far, and each host's table (as sockets() and
     * /proc/net show it, and every field of each entry) and processes.
     */
    static String state(RefStack s) {
        StringBuilder out = new StringBuilder();
        out.append("now ").append(s.now()).append('\n');
        for (Segment m : s.inFlight()) {
            out.append("  ").append(m).append(" data=").append(text(m.data())).append(" protocol=").append(m.protocol()).append('\n');
        }
        out.append("transitions ").append(s.transitions()).append('\n');
        for (String h : HOSTS) {
            out.append("host ").append(h).append(" rows ").append(s.sockets(h)).append('\n');
            for (Proto p : Proto.values()) {
                out.append(s.procNet(h, p));
            }
        }
        for (Host h : s.hostTables()) {
            for (Sock x : h.sockets) {
                out.append(h.name).append(' ').append(entry(x)).append('\n');
            }
            for (Map.Entry<String, Process> e : new TreeMap<>(h.processes).entrySet()) {
                Process p = e.getValue();
                out.append(h.name).append('.').append(e.getKey()).append(" alive=").append(p.alive).append(" pending=")
                        .append(p.threads.values().stream().map(t -> t.name + ":" + t.pending).toList()).append(" fds=").append(p.descriptors.entrySet().stream()
                                .map(d -> d.getKey() + ":" + d.getValue().inode).collect(Collectors.joining(",")))
                        .append('\n');
            }
        }
        return out.toString();
    }

    private static String entry(Sock x) {
        StringBuilder stream = new StringBuilder();
        int skip = x.streamOffset;
        for (Sock.Chunk chunk : x.stream) {
            stream.append(text(Arrays.copyOfRange(chunk.bytes, skip, chunk.bytes.length)));
            skip = 0;
        }
        return x.inode + " " + x + " protocol=" + x.protocol + " reuse=" + x.reuse + "/" + x.bindReuse
                + " backlog=" + x.backlog + " acceptq=" + x.acceptQueue.stream().map(c -> String.valueOf(c.inode)).toList()
                + " listener=" + (x.listener == null ? "-" : x.listener.inode)
                + " stream=" + stream + " unread=" + x.unread
                + " datagrams=" + x.datagrams.stream().map(d -> d.from() + ":" + text(d.data())).toList()
                + " fin=" + x.fin + " rdShut=" + x.rdShut + " wrShut=" + x.wrShut + " err=" + x.err
                + " una=" + x.sndUna + " nxt=" + x.sndNxt + " rcv=" + x.rcvNxt + " finSeq=" + x.finSeq
                + " fds=" + x.descriptors + " inFlight=" + x.inFlight + " conn=" + x.conn + " picked=" + x.picked + "/" + x.pickedIp
                + " shown=" + x.shownPort + " timer=" + x.timerAt;
    }
}
