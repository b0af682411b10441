package org.sockcheck.harness.gen;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
     * ephemeral ports as variables).
     */
    static String call(Generator.Choice c, Object ret, boolean stream, Ports ports) {
        Map<String, Object> a = c.params();
        List<?> proc = (List<?>) a.get("p");
        String host = (String) proc.get(0);
        String head = host + "." + proc.get(1) + ": ";
        Object f = a.get("f");
        String call = switch (c.action()) {
            case "Socket" -> "socket(INET, " + a.get("type") + ")";
            case "Bind" -> "bind(" + f + ", " + addr(a.get("ip"), a.get("port")) + ")";
            case "Listen" -> "listen(" + f + ", 8)";
            case "Connect" -> "connect(" + f + ", " + addr(a.get("ip"), a.get("port")) + ")";
            case "Accept" -> "accept(" + f + ")";
            case "Send" -> "send(" + f + ", \"" + a.get("d") + "\")";
            case "SendTo" -> {
                // An ephemeral destination is written as the variable an earlier line bound, or not at all.
                String port = ports.argument("udp", (String) a.get("ip"), a.get("port"));
                yield port == null ? null : "sendto(" + f + ", \"" + a.get("d") + "\", " + a.get("ip") + ":" + port + ")";
            }
            case "Recv" -> a.get("op") + "(" + f + ", 1)";
            case "Shutdown" -> "shutdown(" + f + ", " + a.get("how") + ")";
            case "Close" -> "close(" + f + ")";
            case "Dup" -> "dup(" + f + ")";
            case "SetReuseAddr" -> "setsockopt(" + f + ", SO_REUSEADDR, " + (Boolean.TRUE.equals(a.get("v")) ? 1 : 0) + ")";
            case "GetSockName" -> "getsockname(" + f + ")";
            case "GetPeerName" -> "getpeername(" + f + ")";
            case "Fork" -> "fork(" + ((List<?>) a.get("q")).get(1) + ")";
            case "Exit" -> "exit()";
            default -> null;
        };
        if (call == null) {
            return null;
        }
        String result = result(c, ret, host, stream ? "tcp" : "udp", stream, ports);
        return result == null ? null : head + call + " = " + result;
    }

    private static String result(Generator.Choice c, Object ret, String host, String proto, boolean stream,
                                 Ports ports) {
        if (isErrno(ret)) {
            return (String) ret;
        }
        return switch (c.action()) {
            case "Accept" -> {
                Map<?, ?> m = (Map<?, ?>) ret;
                List<?> peer = (List<?>) m.get("peer");
                yield m.get("fd") + " peer " + address(proto, peer.get(0), peer.get(1), ports);
            }
            case "Recv" -> {
                if ("EOF".equals(ret)) {
                    yield "\"\"";
                }
                if (ret instanceof Map<?, ?> datagram) {
                    List<?> from = (List<?>) datagram.get("from");
                    String data = "\"" + datagram.get("data") + "\"";
                    yield "recvfrom".equals(c.params().get("op")) ? data + " from " + address(proto, from.get(0), from.get(1), ports)
                            : data;
                }
                yield stream ? "\"" + ret + "\"" : null;
            }
            case "GetSockName" -> {
                List<?> l = (List<?>) ret;
                String ip = ANY.equals(l.get(0)) ? ANY : (String) l.get(0);
                yield ip + ":" + ports.name(proto, host, l.get(1));
            }
            case "Fork" -> "0";
            case "GetPeerName" -> {
                List<?> l = (List<?>) ret;
                yield address(proto, l.get(0), l.get(1), ports);
            }
            default -> String.valueOf(ret);
        };
    }

    private static String address(String proto, Object ip, Object port, Ports ports) {
        return ip + ":" + ports.name(proto, (String) ip, port);
    }

    /** Whether a result the spec recorded is an errno (the spec writes end of file as "EOF"). */
    public static boolean isErrno(Object ret) {
        return ret instanceof String s && s.startsWith("E") && !s.equals("EOF");
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
            case List<?> l when l.size() == 2 -> addr(l.get(0), l.get(1));
            case Map<?, ?> m when m.containsKey("peer") -> m.get("fd") + " peer " + shown(m.get("peer"));
            case Map<?, ?> m when m.containsKey("from") -> "\"" + m.get("data") + "\" from " + shown(m.get("from"));
            case String s when s.equals("EOF") -> "\"\"";
            case String s when !isErrno(s) -> "\"" + s + "\"";
            case null, default -> String.valueOf(ret);
        };
    }

    /**
     * A row of a host's table as the trace format shows it, in the spec's
     * values: the remote ip is null when there is none; state is null for UDP.
     */
    public record SpecRow(String proto, String lip, Object lport, String rip, Object rport, String state) {
        @Override
        public String toString() {
            return proto + " " + lip + ":" + lport + " " + (rip == null ? "*:*" : rip + ":" + rport)
                    + (state == null ? "" : " " + state);
        }
    }

    /** The rows an observation of the host shows: the entries of the host that Listed in Sockets.tla takes (S16). */
    public static List<SpecRow> rows(SpecBridge spec, String host, SpecBridge.State state) {
        List<SpecRow> out = new ArrayList<>();
        Map<Object, Map<String, Object>> table = state.sockets();
        for (Object sid : spec.listed(state)) {
            Map<String, Object> e = table.get(sid);
            if (!host.equals(e.get("host"))) {
                continue;
            }
            String rip = NO_HOST.equals(e.get("rip")) ? null : (String) e.get("rip");
            boolean tcp = "tcp".equals(e.get("proto"));
            out.add(new SpecRow((String) e.get("proto"), (String) e.get("lip"), e.get("lport"), rip, e.get("rport"),
                    tcp ? (String) e.get("st") : null));
        }
        return out;
    }

    /** The observation of a host's table, ports named as the walk names them. */
    static String observe(SpecBridge spec, String host, SpecBridge.State state, Ports ports) {
        List<String> rows = new ArrayList<>();
        for (SpecRow r : rows(spec, host, state)) {
            String local = r.lip() + ":" + ports.name(r.proto(), host, r.lport());
            String remote = r.rip() == null ? "*:*" : r.rip() + ":" + ports.name(r.proto(), r.rip(), r.rport());
            rows.add(r.proto() + " " + local + " " + remote + (r.state() == null ? "" : " " + r.state()));
        }
        return "observe " + host + ": " + (rows.isEmpty() ? "none" : String.join("; ", rows));
    }
}
