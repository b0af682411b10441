package org.sockcheck.harness.trace;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.sockcheck.harness.trace.Event.Expect;
import org.sockcheck.spec.Errno;
import org.sockcheck.spec.Profile;
import org.sockcheck.spec.Proto;
import org.sockcheck.spec.TcpState;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON Lines form of a trace: one JSON object per line of the text form,
 * in the same order, so either form converts to the other without loss.
 * Data bytes travel as a string of code points 0..255 (Latin-1).
 */
public final class TraceJson {
    /** Strict: a key given twice in one object is an error, not the last one winning. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(tools.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private TraceJson() {
    }

    public static String print(Trace trace) {
        StringBuilder sb = new StringBuilder();
        for (Trace.Line line : trace.lines()) {
            sb.append(JSON.writeValueAsString(node(line))).append('\n');
        }
        return sb.toString();
    }

    private static ObjectNode node(Trace.Line line) {
        ObjectNode n = JSON.createObjectNode();
        switch (line) {
            case Trace.Line.Comment c -> n.put("comment", c.text());
            case Trace.Line.Blank b -> n.put("blank", true);
            case Trace.Line.Header h -> {
                if (h.key().equals("version")) {
                    n.put("version", Integer.parseInt(h.value()));
                } else {
                    n.put(h.key(), h.value());
                }
            }
            case Event.Call c -> {
                caller(n, c.host(), c.process(), c.thread());
                n.put("call", c.op());
                ArrayNode args = n.putArray("args");
                c.args().forEach(a -> args.add(arg(a)));
                putResult(n, c.expect());
            }
            case Event.Return r -> {
                caller(n, r.host(), r.process(), r.thread());
                n.put("returns", r.op());
                putResult(n, r.expect());
            }
            case Event.Observe o -> {
                n.put("observe", o.host());
                ArrayNode rows = n.putArray("rows");
                for (Event.Row r : o.rows()) {
                    ObjectNode row = rows.addObject();
                    row.put("proto", r.proto().word());
                    if (r.unixState() != null) {
                        row.put("type", r.type().name());
                        row.set("local", arg(r.local()));
                        row.put("state", r.unixState().name());
                        continue;
                    }
                    row.set("local", arg(r.local()));
                    row.set("remote", arg(r.remote()));
                    if (r.state() != null) {
                        row.put("state", r.state().rfcName());
                    }
                }
            }
        }
        return n;
    }

    /** Who makes a call: host, process, and the thread unless it is the main one. */
    private static void caller(ObjectNode n, String host, String process, String thread) {
        n.put("host", host);
        n.put("process", process);
        if (!thread.equals(Event.MAIN)) {
            n.put("thread", thread);
        }
    }

    private static void putResult(ObjectNode n, Expect e) {
        switch (e) {
            case Expect.Blocks b -> n.put("blocks", true);
            case Expect.Fails f -> n.put("errno", f.errno());
            case Expect.Returns r -> {
                n.set("ret", arg(r.value()));
                if (r.address() != null) {
                    n.set(r.value() instanceof Arg.Data ? "from" : "peer", arg(r.address()));
                }
            }
        }
    }

    private static JsonNode arg(Arg a) {
        return switch (a) {
            case Arg.Int i -> JSON.getNodeFactory().numberNode(i.value());
            case Arg.Name nm -> JSON.createObjectNode().put("name", nm.name());
            case Arg.Var v -> JSON.createObjectNode().put("var", v.name());
            case Arg.Data d when d.length() >= 0 -> JSON.createObjectNode().put("data", new String(d.bytes(), StandardCharsets.ISO_8859_1))
                    .put("length", d.length());
            case Arg.Data d -> JSON.createObjectNode().put("data", new String(d.bytes(), StandardCharsets.ISO_8859_1));
            case Arg.Addr ad when ad.unix() -> JSON.createObjectNode().put("path", ad.path());
            case Arg.Pair p -> {
                ObjectNode o = JSON.createObjectNode();
                o.putArray("pair").add(arg(p.first())).add(arg(p.second()));
                yield o;
            }
            case Arg.Addr ad -> {
                ObjectNode o = JSON.createObjectNode();
                if (ad.host() == null) {
                    o.putNull("host");
                } else {
                    o.put("host", ad.host());
                }
                switch (ad.port()) {
                    case Arg.Port.Label l -> o.put("port", l.label());
                    case Arg.Port.Var v -> o.put("port", "$" + v.name());
                    case Arg.Port.Any any -> o.put("port", "*");
                }
                yield o;
            }
            case Arg.Linger l -> JSON.createObjectNode().put("onoff", l.onoff()).put("linger", l.seconds());
            case Arg.Fds f -> {
                ObjectNode o = JSON.createObjectNode();
                ArrayNode fds = o.putArray("fds");
                f.fds().forEach(fd -> fds.add(arg(fd)));
                yield o;
            }
            case Arg.Message m -> {
                ObjectNode o = JSON.createObjectNode().put("message", new String(m.data().bytes(), StandardCharsets.ISO_8859_1));
                ArrayNode fds = o.putArray("rights");
                m.rights().fds().forEach(fd -> fds.add(arg(fd)));
                if (m.creds() != null) {
                    o.put("creds", m.creds());
                }
                yield o;
            }
            case Arg.Polls ps -> {
                ObjectNode o = JSON.createObjectNode();
                ArrayNode entries = o.putArray("poll");
                for (Arg.PollFd e : ps.entries()) {
                    ObjectNode entry = entries.addObject();
                    entry.set("fd", arg(e.fd()));
                    ArrayNode ev = entry.putArray("events");
                    e.events().forEach(ev::add);
                }
                yield o;
            }
        };
    }

    /**
     * What the JSON (or YAML) parser found wrong, in words: its first line,
     * without the names of the parser's own classes and settings.
     */
    public static String problem(JacksonException e) {
        String m = String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("");
        java.util.regex.Matcher dup = java.util.regex.Pattern.compile("Duplicate \\w+ property \"(.*)\"").matcher(m);
        if (dup.find()) {
            return "Duplicate key \"" + TraceText.shorten(dup.group(1), 40) + "\": a key may be given once";
        }
        if (m.startsWith("Trailing token")) {
            return "more follows the object on the same line";
        }
        // Parenthesised remarks and settings that name the parser's classes mean nothing to a reader.
        m = m.replaceAll("\\s*\\(start marker at \\[[^\\]]*\\]\\)", "")
                .replaceAll("\\s*\\([^()]*`[^`()]*\\.[^`()]*`[^()]*\\)", "")
                .replaceAll(":?\\s*[^:]*`[A-Za-z]+(\\.[A-Za-z_$]+)+`.*$", "");
        return TraceText.shorten(m.strip(), 200);
    }

    public static Trace parse(String source, String text) throws TraceSyntaxException {
        List<Trace.Line> lines = new ArrayList<>();
        String[] raw = text.split("\r?\n", -1);
        int count = raw.length;
        if (count > 0 && raw[count - 1].isEmpty()) {
            count--;
        }
        Integer version = null;
        Profile profile = Profile.LINUX;
        java.util.Map<String, Event.Call> waiting = new java.util.HashMap<>();
        for (int i = 0; i < count; i++) {
            int lineNo = i + 1;
            JsonNode n;
            try {
                n = JSON.readTree(raw[i]);
            } catch (JacksonException e) {
                int col = e.getLocation() == null ? 1 : Math.max(1, e.getLocation().getColumnNr());
                throw new TraceSyntaxException(source, lineNo, col, "a JSON object", "invalid JSON (" + problem(e) + ")",
                        "each line holds one JSON object");
            }
            Reader r = new Reader(source, lineNo);
            if (n == null || !n.isObject()) {
                throw r.error("a JSON object", n == null ? "nothing" : n.getNodeType().toString(), null);
            }
            Trace.Line line;
            if (n.has("comment")) {
                line = new Trace.Line.Comment(r.text(n, "comment"));
            } else if (n.has("blank")) {
                line = new Trace.Line.Blank();
            } else if (n.has("version")) {
                JsonNode v = n.get("version");
                if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1 || v.asInt() > Trace.VERSION) {
                    throw r.error("version 1 or " + Trace.VERSION, "version " + Reader.shown(v), null);
                }
                version = v.asInt();
                line = new Trace.Line.Header("version", Integer.toString(version));
            } else if (n.has("profile")) {
                String p = r.text(n, "profile");
                try {
                    profile = Profile.valueOf(p);
                } catch (IllegalArgumentException e) {
                    throw r.error("a profile (POSIX or LINUX)", p, null);
                }
                line = new Trace.Line.Header("profile", p);
            } else if (n.has("observe")) {
                List<Event.Row> rows = new ArrayList<>();
                for (JsonNode row : r.array(n, "rows")) {
                    Proto proto;
                    try {
                        proto = Proto.valueOf(r.text(row, "proto").toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        throw r.error("proto tcp, udp, raw or unix", Reader.shown(row.get("proto")), null);
                    }
                    if (proto == Proto.UNIX) {
                        if (version != null && version < 2) {
                            throw r.error("a row of tcp, udp or raw in trace format 1", "unix",
                                    "a Unix socket's row is trace format 2: {\"version\":2}");
                        }
                        // A Unix domain socket's row (S20): {"proto":"unix","type":"STREAM","local":{"path":"srv"},"state":"LISTEN"}.
                        String t = r.text(row, "type");
                        org.sockcheck.spec.SockType type = org.sockcheck.spec.SockType.ofUnixRow(t).orElseThrow(
                                () -> r.error("a Unix socket's type (STREAM, DGRAM or SEQPACKET)", t, null));
                        Arg.Addr name = r.addr(row.get("local"));
                        if (!name.unix()) {
                            throw r.error("a Unix name {\"path\":\"srv\"} ({\"path\":\"\"} for none)", Reader.shown(row.get("local")), null);
                        }
                        String st = r.text(row, "state");
                        rows.add(Event.Row.unix(type, name.path(), org.sockcheck.spec.UnixState.fromName(st).orElseThrow(
                                () -> r.error("a Unix socket's state", st, "one of "
                                        + java.util.Arrays.toString(org.sockcheck.spec.UnixState.values())))));
                        continue;
                    }
                    TcpState state = null;
                    if (row.has("state")) {
                        String s = r.text(row, "state");
                        state = TcpState.fromRfcName(s).orElseThrow(() -> r.error("a TCP state", s, null));
                    }
                    rows.add(new Event.Row(proto, r.addr(row.get("local")), r.addr(row.get("remote")), state));
                }
                line = new Event.Observe(lineNo, r.text(n, "observe"), rows);
            } else if (n.has("returns")) {
                String op = r.text(n, "returns");
                if (!org.sockcheck.spec.Calls.ALL.containsKey(op)) {
                    throw r.error("a call", op, "calls are " + new java.util.TreeSet<>(org.sockcheck.spec.Calls.ALL.keySet()));
                }
                String host = r.text(n, "host");
                String process = r.text(n, "process");
                String thread = n.has("thread") ? r.text(n, "thread") : Event.MAIN;
                // The call it returns from; the text form's rules, applied below, report a return without one.
                Event.Call call = waiting.remove(host + "." + process + "." + thread);
                if (call == null) {
                    call = new Event.Call(lineNo, host, process, thread, op, List.of(), new Expect.Blocks());
                }
                line = new Event.Return(lineNo, host, process, thread, call, result(r, n));
            } else if (n.has("call")) {
                String op = r.text(n, "call");
                if (!org.sockcheck.spec.Calls.ALL.containsKey(op)) {
                    throw r.error("a call", op, "calls are " + new java.util.TreeSet<>(org.sockcheck.spec.Calls.ALL.keySet()));
                }
                List<Arg> args = new ArrayList<>();
                for (JsonNode a : r.array(n, "args")) {
                    args.add(r.arg(a));
                }
                Expect expect;
                if (n.has("blocks")) {
                    if (!n.get("blocks").isBoolean() || !n.get("blocks").asBoolean()) {
                        throw r.error("\"blocks\": true", Reader.shown(n.get("blocks")), "a call that does not return says \"blocks\": true");
                    }
                    expect = new Expect.Blocks();
                } else {
                    expect = result(r, n);
                }
                Event.Call call = new Event.Call(lineNo, r.text(n, "host"), r.text(n, "process"),
                        n.has("thread") ? r.text(n, "thread") : Event.MAIN, op, args, expect);
                if (expect instanceof Expect.Blocks) {
                    waiting.put(call.host() + "." + call.process() + "." + call.thread(), call);
                }
                line = call;
            } else {
                throw r.error("one of comment, blank, version, profile, call, observe",
                        TraceText.shorten(n.propertyNames().toString(), 80), null);
            }
            if (version == null && !(line instanceof Trace.Line.Comment || line instanceof Trace.Line.Blank
                    || line instanceof Trace.Line.Header)) {
                throw r.error("{\"version\":1} before the first event", "an event", null);
            }
            lines.add(line);
        }
        if (version == null) {
            throw new TraceSyntaxException(source, Math.max(1, count), 1, "{\"version\":1}", "end of file", null);
        }
        // The text form's rules (signatures, argument kinds) apply to both forms.
        Trace t = new Trace(source, version, profile, lines);
        org.sockcheck.harness.run.TraceCheck.names(t);
        TraceText.parse(source, TraceText.print(t));
        return t;
    }

    /** A call's result: "errno", or "ret" with "peer" or "from". */
    private static Expect result(Reader r, JsonNode n) throws TraceSyntaxException {
        if (n.has("errno")) {
            String e = r.text(n, "errno");
            return new Expect.Fails(Errno.named(e).orElseThrow(() -> r.error("an errno name", e, null)).name());
        }
        if (n.has("ret")) {
            Arg.Addr addr = n.has("peer") ? r.addr(n.get("peer")) : n.has("from") ? r.addr(n.get("from")) : null;
            return new Expect.Returns(r.arg(n.get("ret")), addr);
        }
        throw r.error("\"ret\", \"errno\" or \"blocks\"", "none of them", null);
    }

    private record Reader(String source, int lineNo) {
        /** A JSON value as a message shows it: shortened, with its length, when long. */
        static String shown(JsonNode v) {
            return v == null ? "none" : TraceText.shorten(v.toString(), 80);
        }

        TraceSyntaxException error(String expected, String found, String hint) {
            return new TraceSyntaxException(source, lineNo, 1, expected, found, hint);
        }

        String text(JsonNode n, String field) throws TraceSyntaxException {
            JsonNode v = n.get(field);
            if (v == null || !v.isString()) {
                throw error("a string field \"" + field + "\"", shown(v), null);
            }
            return v.asString();
        }

        Iterable<JsonNode> array(JsonNode n, String field) throws TraceSyntaxException {
            JsonNode v = n.get(field);
            if (v == null || !v.isArray()) {
                throw error("an array field \"" + field + "\"", shown(v), null);
            }
            return v;
        }

        Arg arg(JsonNode a) throws TraceSyntaxException {
            if (a == null) {
                throw error("a value", "none", null);
            }
            if (a.isIntegralNumber()) {
                if (!a.canConvertToInt()) {
                    throw error("a number from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE,
                            TraceText.shorten(a.toString(), 40), "the socket API's numbers are C ints");
                }
                return new Arg.Int(a.asLong());
            }
            if (a.isObject() && a.has("name")) {
                return new Arg.Name(text(a, "name"));
            }
            if (a.isObject() && a.has("var")) {
                return new Arg.Var(text(a, "var"));
            }
            if (a.isObject() && a.has("data")) {
                String s = text(a, "data");
                byte[] b = new byte[s.length()];
                for (int i = 0; i < s.length(); i++) {
                    if (s.charAt(i) > 0xff) {
                        throw error("data of code points 0..255", "code point " + (int) s.charAt(i), null);
                    }
                    b[i] = (byte) s.charAt(i);
                }
                // recv with MSG_TRUNC of a longer datagram: its whole length besides the bytes that fit.
                JsonNode len = a.get("length");
                if (len != null && (!len.isIntegralNumber() || !len.canConvertToInt() || len.asLong() < 0)) {
                    throw error("a length from 0 to " + Integer.MAX_VALUE, TraceText.shorten(len.toString(), 40),
                            "\"length\" is what a recv with MSG_TRUNC returned: the datagram's whole length");
                }
                return new Arg.Data(b, len == null ? -1 : len.asLong());
            }
            if (a.isObject() && (a.has("port") || a.has("path"))) {
                return addr(a);
            }
            if (a.isObject() && a.has("pair")) {
                List<Arg> fds = new ArrayList<>();
                for (JsonNode e : array(a, "pair")) {
                    fds.add(arg(e));
                }
                if (fds.size() != 2 || fds.stream().anyMatch(f -> !(f instanceof Arg.Int || f instanceof Arg.Var))) {
                    throw error("socketpair's two descriptors, {\"pair\": [3, 4]}", shown(a), null);
                }
                return new Arg.Pair(fds.get(0), fds.get(1));
            }
            if (a.isObject() && (a.has("fds") || a.has("message"))) {
                // sendmsg's descriptors, {"fds": [5]}; recvmsg's result, {"message": "hi", "rights": [5]}.
                List<Arg> fds = new ArrayList<>();
                for (JsonNode e : array(a, a.has("fds") ? "fds" : "rights")) {
                    Arg fd = arg(e);
                    if (!(fd instanceof Arg.Int || fd instanceof Arg.Var) || fds.size() == TraceText.MAX_POLL_FDS) {
                        throw error("at most " + TraceText.MAX_POLL_FDS + " descriptors, numbers or {\"var\": name}", shown(a), null);
                    }
                    fds.add(fd);
                }
                if (a.has("fds")) {
                    return new Arg.Fds(fds);
                }
                JsonNode data = JSON.createObjectNode().put("data", text(a, "message"));
                String creds = null;
                if (a.has("creds")) {
                    // The credentials shown (SO_PASSCRED): a word, as the text form writes it.
                    creds = text(a, "creds");
                    if (creds.isEmpty() || Character.isDigit(creds.charAt(0)) || !creds.chars().allMatch(ch -> TraceText.wordChar((char) ch))) {
                        throw error("the credentials recvmsg showed, a process name, none or zero: {\"message\": \"hi\", \"creds\": \"p1\"}",
                                shown(a), null);
                    }
                }
                return new Arg.Message((Arg.Data) arg(data), new Arg.Fds(fds), creds);
            }
            if (a.isObject() && a.has("linger")) {
                JsonNode on = a.get("onoff");
                JsonNode secs = a.get("linger");
                if (on == null || !on.isIntegralNumber() || !on.canConvertToInt() || !secs.isIntegralNumber() || !secs.canConvertToInt()) {
                    throw error("SO_LINGER's {\"onoff\": 1, \"linger\": 0}", shown(a), null);
                }
                return new Arg.Linger(on.asLong(), secs.asLong());
            }
            if (a.isObject() && a.has("poll")) {
                List<Arg.PollFd> entries = new ArrayList<>();
                for (JsonNode e : array(a, "poll")) {
                    if (!e.isObject() || !e.has("fd")) {
                        throw error("a descriptor with events, {\"fd\": 3, \"events\": [\"POLLIN\"]}", shown(e), null);
                    }
                    Arg fd = arg(e.get("fd"));
                    java.util.Set<String> names = new java.util.HashSet<>();
                    for (JsonNode w : array(e, "events")) {
                        if (!w.isString() || !org.sockcheck.spec.Calls.POLL_REPORTED.contains(w.asString())) {
                            throw error("one of " + org.sockcheck.spec.Calls.POLL_REPORTED, shown(w), null);
                        }
                        names.add(w.asString());
                    }
                    entries.add(new Arg.PollFd(fd, org.sockcheck.spec.Calls.pollOrder(names)));
                }
                return new Arg.Polls(List.copyOf(entries));
            }
            throw error("a number or an object with name, var, data, host and port, or poll", shown(a), null);
        }

        Arg.Addr addr(JsonNode a) throws TraceSyntaxException {
            if (a != null && a.isObject() && a.has("path")) {
                String path = text(a, "path");
                String problem = TraceText.unixNameProblem(path);
                if (problem != null) {
                    throw error(problem, shown(a.get("path")), null);
                }
                return Arg.Addr.unix(path);
            }
            if (a == null || !a.isObject() || !a.has("port")) {
                throw error("an address {\"host\":..,\"port\":..}", shown(a), null);
            }
            JsonNode h = a.get("host");
            if (h != null && !h.isNull() && !h.isString()) {
                throw error("a host name or null", shown(h), null);
            }
            String host = h == null || h.isNull() ? null : h.asString();
            JsonNode p = a.get("port");
            Arg.Port port;
            if (p.isIntegralNumber()) {
                if (!p.canConvertToInt() || p.asInt() < 0 || p.asInt() > 65535) {
                    throw error("a port from 0 to 65535", shown(p), null);
                }
                // Port 0 is no label: it is the port "*" writes.
                port = p.asInt() == 0 ? new Arg.Port.Any() : new Arg.Port.Label(p.asInt());
            } else if (p.isString() && p.asString().equals("*")) {
                port = new Arg.Port.Any();
            } else if (p.isString() && p.asString().startsWith("$")) {
                port = new Arg.Port.Var(p.asString().substring(1));
            } else {
                throw error("a port: a number, \"$var\" or \"*\"", shown(p), null);
            }
            if (org.sockcheck.spec.Endpoint.UNSPEC_IP.equals(host) && !(port instanceof Arg.Port.Any)) {
                throw error("the port \"*\" of connect's AF_UNSPEC", shown(p), "AF_UNSPEC has no port");
            }
            return new Arg.Addr(host, port);
        }
    }
}
