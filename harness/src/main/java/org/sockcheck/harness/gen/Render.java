package org.sockcheck.harness.gen;

import org.sockcheck.harness.trace.TraceText;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.sockcheck.spec.Calls;
import org.sockcheck.spec.TraceHost;
import org.sockcheck.spec.tlc.SpecBridge;

/** Spec values written as trace lines: a call with its result, and an observation of a host's table. */
public final class Render {
    /** The spec's wildcard address and "no host". */
    private static final String ANY = "*";
    private static final String NO_HOST = "-";

    private Render() {
    }

    /** How a walk names a port in the trace: labels as they are, ephemeral ports as variables. */
    interface Ports {
        String name(String proto, String host, Object port);

        /** A port in an argument: a label, or the variable of an ephemeral port the trace has bound; else null. */
        String argument(String proto, String host, Object port);
    }

    /**
     * The trace line of a call, or null when the trace format has no way to
     * write it. ports names a host's port in the trace (labels as they are,
     * ephemeral ports as variables). The words come from the call
     * vocabulary ({@link Calls}): the call that is this action, each
     * argument from the spec parameter it stands for.
     */
    static String call(Generator.Choice c, Object ret, boolean stream, Ports ports) {
        Map<String, Object> a = c.params();
        List<Calls.Call> words = Calls.ofAction(c.action(), a);
        if (words.isEmpty()) {
            return null;
        }
        Calls.Call call = words.get(0);
        List<?> proc = (List<?>) a.get("p");
        String host = (String) proc.get(0);
        String proto = stream ? "tcp" : "udp";
        List<String> args = new ArrayList<>();
        // The arguments a trace must write, and one it may leave out when it has another value than its own.
        int written = call.required();
        for (int i = call.required(); i < call.params().size(); i++) {
            Calls.Param param = call.params().get(i);
            Object v = param.kind() == Calls.Arg.MSGFLAGS ? msgFlags(a) : param.spec() == null ? null
                    : param.kind() == Calls.Arg.CONTROL ? control(a.get(param.spec())) : a.get(param.spec());
            written = v != null && !String.valueOf(v).equals(param.written()) ? i + 1 : written;
        }
        for (int i = 0; i < written; i++) {
            Calls.Param param = call.params().get(i);
            Object v = param.spec() == null ? null : a.get(param.spec());
            String arg = switch (param.kind()) {
                case FD, HOW, GETOPT -> String.valueOf(v);
                case TYPE -> v + (Boolean.TRUE.equals(a.get(Calls.NB)) ? Calls.NONBLOCK : "");
                case FCNTL, SENDFLAGS -> param.written();
                case FLAGS -> Boolean.TRUE.equals(v) ? "O_NONBLOCK" : "0";
                case ACCEPTFLAGS -> Boolean.TRUE.equals(v) ? "SOCK_NONBLOCK" : "0";
                case MSGFLAGS -> msgFlags(a);
                case DOMAIN -> v == null ? "INET" : String.valueOf(v);
                case SIZE, PROTOCOL -> String.valueOf(v);
                case BACKLOG -> String.valueOf(v);
                case OPTION -> String.valueOf(v);
                case OPTVALUE -> v instanceof List<?> ? Calls.optionText(v) : v instanceof Integer size ? size.toString()
                        : Boolean.TRUE.equals(v) ? "1" : "0";
                case DATA -> data(v);
                case PROCESS -> String.valueOf(((List<?>) v).get(1));
                case POLLFDS -> polls(v, null);
                case RIGHTS -> fds(v);
                case CONTROL -> control(v);
                case TIMEOUT -> String.valueOf(v);
                case ADDR -> {
                    Object ip = a.get(Calls.Call.IP);
                    Object port = a.get(Calls.Call.PORT);
                    if (org.sockcheck.spec.Endpoint.UNSPEC_IP.equals(ip)) {
                        yield org.sockcheck.spec.Endpoint.UNSPEC_IP;
                    }
                    // A port in an argument: a label, "*" for none, or the variable an earlier line bound; else none.
                    if (unixName(ip)) {
                        yield quoted(ip);
                    }
                    String named = Integer.valueOf(0).equals(port) ? "*" : ports.argument(proto, String.valueOf(ip), port);
                    yield named == null ? null : ip + ":" + named;
                }
            };
            if (arg == null) {
                return null;
            }
            args.add(arg);
        }
        String head = who(proc) + ": " + call.word() + "(" + String.join(", ", args) + ")";
        // A call made on a thread of its own that waits: its result comes on a line of its own later.
        if ("pending".equals(ret)) {
            return head + " blocks";
        }
        String result = result(call, a, ret, host, proto, stream, ports);
        return result == null ? null : head + " = " + result;
    }

    /** recvmsg's result, [data |-> bytes, rights |-> <<f, ...>>, creds |-> <<>> or <<c>>], as a trace writes it. */
    private static String message(Map<?, ?> got) {
        String fds = fds(got.get("rights"));
        List<?> creds = seq(got.get("creds"));
        return data(got.get("data")) + ("[]".equals(fds) ? "" : " rights " + fds) + (creds.isEmpty() ? "" : " creds " + creds.get(0));
    }

    /** sendmsg's control word for the spec's cr: SCM_CREDENTIALS, or 0. */
    private static String control(Object cr) {
        return Boolean.TRUE.equals(cr) ? Calls.SCM_CREDENTIALS : "0";
    }

    /** The caller as a trace names it: A.p1 on the thread a process starts with, A.p1.t2 on another. */
    private static String who(List<?> proc) {
        String thread = proc.size() > 2 ? String.valueOf(proc.get(2)) : SpecBridge.Constants.MAIN_THREAD;
        return proc.get(0) + "." + proc.get(1) + (thread.equals(SpecBridge.Constants.MAIN_THREAD) ? "" : "." + thread);
    }

    /**
     * The line on which a call that waited returns (trace format 2): {@code A.p1.t2: accept returns 4 peer B:$e1};
     * null when the trace format has no way to write the result.
     */
    static String returned(Generator.Choice c, Object ret, boolean stream, Ports ports) {
        Map<String, Object> a = c.params();
        List<Calls.Call> words = Calls.ofAction(c.action(), a);
        if (words.isEmpty()) {
            return null;
        }
        List<?> proc = (List<?>) a.get("p");
        String result = result(words.get(0), a, ret, (String) proc.get(0), stream ? "tcp" : "udp", stream, ports);
        return result == null ? null : who(proc) + ": " + words.get(0).word() + " returns " + result;
    }

    private static String result(Calls.Call call, Map<String, Object> a, Object ret, String host, String proto,
                                 boolean stream, Ports ports) {
        if (isErrno(ret)) {
            return (String) ret;
        }
        return switch (call.result()) {
            case FD_PEER -> {
                Map<?, ?> m = (Map<?, ?>) ret;
                List<?> peer = (List<?>) m.get("peer");
                yield m.get("fd") + " peer " + address(proto, peer.get(0), peer.get(1), ports);
            }
            case DATA, DATA_FROM -> {
                // MSG_TRUNC on a stream: how many bytes it took.
                if (ret instanceof Integer taken) {
                    yield taken.toString();
                }
                // [data |-> bytes], with from |-> sender for a datagram; end of file is zero bytes; MSG_TRUNC of a
                // datagram adds len |-> its whole length.
                Map<?, ?> got = (Map<?, ?>) ret;
                String data = truncLength(got) + data(got.get("data"));
                List<?> from = (List<?>) got.get("from");
                if (from == null) {
                    yield stream ? data : null;
                }
                yield call.result() == Calls.Result.DATA_FROM ? data + " from " + address(proto, from.get(0), from.get(1), ports)
                        : data;
            }
            // recvmsg: [data |-> bytes, rights |-> <<f, ...>>, creds |-> <<>> or <<c>>].
            case MESSAGE -> message((Map<?, ?>) ret);
            case ADDR -> {
                List<?> l = (List<?>) ret;
                // Its own address may be the wildcard: its port is then named as the caller's host's.
                String ip = (String) l.get(0);
                yield unixName(ip) ? quoted(ip) : ip + ":" + ports.name(proto, ANY.equals(ip) || TraceHost.ANY6.equals(ip) ? host : ip, l.get(1));
            }
            // A send gives how many bytes it sent: all of the data.
            case SENT -> String.valueOf(ret);
            case ZERO -> "0";
            case DESCRIPTOR -> String.valueOf(ret);
            case PAIR -> "[" + ((List<?>) ret).get(0) + ", " + ((List<?>) ret).get(1) + "]";
            // getsockopt's value: 0 or an errno's name (SO_ERROR), in brackets.
            case OPTVAL -> "[" + Calls.optionText(((Map<?, ?>) ret).get("value")) + "]";
            case POLL -> polls(a.get("rq"), ((Map<?, ?>) ret).get("revents"));
        };
    }

    /**
     * A sequence of the spec as a list: TLC gives a tuple as a list and a
     * function of 1..n (PollResult's) as a map.
     */
    public static List<?> seq(Object spec) {
        if (spec instanceof Map<?, ?> m) {
            List<Object> out = new ArrayList<>();
            for (int i = 1; i <= m.size(); i++) {
                out.add(m.get(i));
            }
            return out;
        }
        return spec == null ? List.of() : (List<?>) spec;
    }

    /**
     * A poll's request, [3 POLLIN], or with the spec's result its result,
     * [3 POLLIN, 4 0]: each entry's descriptor with its events in the order
     * the trace writes them.
     */
    static String polls(Object request, Object revents) {
        List<?> rq = seq(request);
        List<?> got = revents == null ? null : seq(revents);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < rq.size(); i++) {
            Map<?, ?> e = (Map<?, ?>) rq.get(i);
            out.add(e.get("fd") + " " + Calls.pollText((java.util.Collection<?>) (got == null ? e.get("ev") : got.get(i))));
        }
        return "[" + String.join(", ", out) + "]";
    }

    /** recv's flags as a trace writes them, from the spec's pk and dw: MSG_PEEK|MSG_DONTWAIT, or 0. */
    private static String msgFlags(Map<String, Object> a) {
        List<String> flags = new ArrayList<>();
        if (Boolean.TRUE.equals(a.get(Calls.PK))) {
            flags.add(Calls.PEEK);
        }
        if (Boolean.TRUE.equals(a.get(Calls.DW))) {
            flags.add(Calls.DONTWAIT);
        }
        if (Boolean.TRUE.equals(a.get(Calls.WA))) {
            flags.add(Calls.WAITALL);
        }
        if (Boolean.TRUE.equals(a.get(Calls.TR))) {
            flags.add(Calls.TRUNC);
        }
        return flags.isEmpty() ? "0" : String.join("|", flags);
    }

    private static String address(String proto, Object ip, Object port, Ports ports) {
        return unixName(ip) ? quoted(ip) : ip + ":" + ports.name(proto, (String) ip, port);
    }

    /**
     * Whether the spec's address value is a Unix name (a path or "@name";
     * "" for none): no host (hosts are capitalised), no wildcard, no IPv6
     * address (in brackets), not the spec's NoHost.
     */
    static boolean unixName(Object ip) {
        return ip instanceof String s && !TraceHost.hostName(s) && !s.equals(ANY) && !s.equals(NO_HOST) && !s.startsWith("[");
    }

    private static String quoted(Object name) {
        return TraceText.quote(((String) name).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    /** Data of the spec (one character a byte, SpecBridge.data) as a trace writes it: "\x00binary". */
    /** MSG_TRUNC of a longer datagram: its whole length and a space, written before the bytes; else nothing. */
    private static String truncLength(Map<?, ?> got) {
        return got.get("len") instanceof Integer len && len != SpecBridge.bytes(String.valueOf(got.get("data"))).length
                ? len + " " : "";
    }

    public static String data(Object spec) {
        return TraceText.quote(SpecBridge.bytes(String.valueOf(spec)));
    }

    /** Whether a result the spec recorded is an errno (data come as a record, so no bytes are taken for one). */
    public static boolean isErrno(Object ret) {
        return ret instanceof String s && s.startsWith("E");
    }

    /** An address in an argument: ports there are labels or 0. */
    private static String addr(Object ip, Object port) {
        return ip + ":" + (Integer.valueOf(0).equals(port) ? "*" : port);
    }

    /**
     * A result the spec allows, as a trace writes results (ports as the spec
     * numbers them): an address A:80, accept's "4 peer B:40000", a datagram
     * "\"d\" from B:40000", end of file "", an errno or a number as it is.
     */
    public static String shown(Object ret) {
        return switch (ret) {
            // socketpair's two descriptors.
            case List<?> l when l.size() == 2 && l.get(0) instanceof Integer && l.get(1) instanceof Integer
                    -> "[" + l.get(0) + ", " + l.get(1) + "]";
            // A Unix name, <<path, 0>>: a name no host can have (hosts are capitalised, the wildcard is *).
            case List<?> l when l.size() == 2 && unixName(l.get(0)) && Integer.valueOf(0).equals(l.get(1)) -> quoted(l.get(0));
            case List<?> l when l.size() == 2 -> addr(l.get(0), l.get(1));
            case Map<?, ?> m when m.containsKey("peer") -> m.get("fd") + " peer " + shown(m.get("peer"));
            // MSG_TRUNC of a datagram: its whole length first, when it is not the bytes'.
            case Map<?, ?> m when m.containsKey("from") -> truncLength(m) + data(m.get("data")) + " from " + shown(m.get("from"));
            case Map<?, ?> m when m.containsKey("rights") -> message(m);
            case Map<?, ?> m when m.containsKey("data") -> data(m.get("data"));
            // getsockopt's value, as the trace writes it.
            case Map<?, ?> m when m.containsKey("value") -> "[" + Calls.optionText(m.get("value")) + "]";
            // poll's events, entry by entry.
            case Map<?, ?> m when m.containsKey("revents") -> seq(m.get("revents")).stream()
                    .map(e -> Calls.pollText((java.util.Collection<?>) e)).collect(java.util.stream.Collectors.joining(", ", "[", "]"));
            case null, default -> String.valueOf(ret);
        };
    }

    /**
     * A row of a host's table as the trace format shows it, in the spec's
     * values: the remote ip is null when there is none; state is null for UDP.
     */
    public record SpecRow(String proto, String lip, Object lport, String rip, Object rport, String state, String type) {
        /** Whether this is a Unix socket's row (S20): its type, its name (lip) and its state. */
        public boolean unix() {
            return "unix".equals(proto);
        }

        @Override
        public String toString() {
            if (unix()) {
                return unixRow(type, lip, state);
            }
            return proto + " " + lip + ":" + lport + " " + (rip == null ? "*:*" : rip + ":" + rport)
                    + (state == null ? "" : " " + state);
        }
    }

    /** A Unix socket's row as a trace writes it: unix STREAM "srv" LISTEN. */
    static String unixRow(String type, String path, String state) {
        return org.sockcheck.harness.trace.TraceText.row(org.sockcheck.harness.trace.Event.Row.unix(
                org.sockcheck.spec.SockType.valueOf(type), path, org.sockcheck.spec.UnixState.valueOf(state)));
    }

    /** The rows an observation of the host shows: the entries of the host that Listed in Sockets.tla takes (S16). */
    public static List<SpecRow> rows(SpecBridge spec, String host, SpecBridge.State state) {
        List<SpecRow> out = new ArrayList<>();
        for (Map<String, Object> e : spec.listedRows(state)) {
            if (!host.equals(e.get("host"))) {
                continue;
            }
            String rip = NO_HOST.equals(e.get("rip")) ? null : (String) e.get("rip");
            boolean stated = "tcp".equals(e.get("proto")) || "unix".equals(e.get("proto"));
            out.add(new SpecRow((String) e.get("proto"), (String) e.get("lip"), e.get("lport"), rip, e.get("rport"),
                    stated ? (String) e.get("st") : null, "unix".equals(e.get("proto")) ? (String) e.get("type") : null));
        }
        return out;
    }

    /** The observation of a host's table, ports named as the walk names them. */
    static String observe(SpecBridge spec, String host, SpecBridge.State state, Ports ports) {
        List<String> rows = new ArrayList<>();
        for (SpecRow r : rows(spec, host, state)) {
            if (r.unix()) {
                rows.add(r.toString());
                continue;
            }
            String local = r.lip() + ":" + ports.name(r.proto(), host, r.lport());
            String remote = r.rip() == null ? "*:*" : r.rip() + ":" + ports.name(r.proto(), r.rip(), r.rport());
            rows.add(r.proto() + " " + local + " " + remote + (r.state() == null ? "" : " " + r.state()));
        }
        return "observe " + host + ": " + (rows.isEmpty() ? "none" : String.join("; ", rows));
    }

    /** Descriptors the spec gives as a sequence (sendmsg's, recvmsg's), as a trace writes them: [5, 6]. */
    private static String fds(Object v) {
        return seq(v).stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", ", "[", "]"));
    }
}
