package org.sockcheck.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The one call vocabulary: for every call of the trace format, the spec
 * action it is, the spec parameter each argument becomes, how its arguments
 * and its result are written, and how a result of the spec stands for an
 * observed one. The trace parser, the validator, the generator, the runner's
 * resolution and the reference stack's calls all read this table; adding a
 * call is a row here, an action of the spec, a method of the reference stack
 * and the adapters.
 */
public final class Calls {
    private Calls() {
    }

    /** The kind of one argument, as a trace writes it. */
    public enum Arg {
        FD("a descriptor (number or $var)"),
        ADDR("an address like A:80, A:$p or *:80, an IPv6 one like [A]:80, [::ffff:A]:80 (v4-mapped) or [::]:80,"
                + " or a Unix name in quotes like \"srv\" or \"@name\""),
        PROTOCOL("a protocol number"),
        SIZE("a number of bytes"),
        DATA("a quoted string"),
        DOMAIN("INET, INET6 or UNIX"),
        /** The type, and SOCK_NONBLOCK after a '|' (the spec's type and nb). */
        TYPE("STREAM, DGRAM, RAW or SEQPACKET, each with or without NONBLOCK"),
        HOW("RD, WR or RDWR"),
        OPTION("SO_REUSEADDR, SO_KEEPALIVE, SO_BROADCAST, TCP_NODELAY, SO_LINGER, SO_REUSEPORT, SO_RCVBUF, SO_SNDBUF,"
                + " IPV6_V6ONLY or SO_PASSCRED"),
        /**
         * setsockopt's value: a number (on when not 0; the spec's v, a boolean; for SO_RCVBUF and SO_SNDBUF
         * the size, an int), or SO_LINGER's {l_onoff, l_linger}.
         */
        OPTVALUE("a number, or for SO_LINGER {l_onoff, l_linger} like {1, 0}"),
        PROCESS("a process name like p2"),
        /** getsockopt's option (the spec's opt). */
        GETOPT("SO_ERROR, SO_TYPE, SO_DOMAIN, SO_PROTOCOL, SO_ACCEPTCONN, SO_REUSEADDR, SO_KEEPALIVE, SO_BROADCAST,"
                + " TCP_NODELAY, SO_LINGER, SO_REUSEPORT, SO_RCVBUF, SO_SNDBUF, IPV6_V6ONLY or SO_PASSCRED"),
        /** fcntl's command: F_SETFL, the one it models. */
        FCNTL("F_SETFL"),
        /** fcntl's file status flags: O_NONBLOCK or 0 (the spec's v: whether O_NONBLOCK is set). */
        FLAGS("O_NONBLOCK or 0"),
        /** recv's flags (the spec's peek and dw). */
        MSGFLAGS("MSG_PEEK, MSG_DONTWAIT, MSG_WAITALL, MSG_TRUNC, several joined by '|', or 0"),
        /**
         * send's and sendto's flags: MSG_NOSIGNAL, which the spec does not model: sockcheck's processes
         * ignore SIGPIPE, so a send to a socket shut for writing gives EPIPE with or without it.
         */
        SENDFLAGS("MSG_NOSIGNAL or 0"),
        /** accept4's flags: SOCK_NONBLOCK (the spec's nb) and SOCK_CLOEXEC, which the model has no use for (no exec). */
        ACCEPTFLAGS("SOCK_NONBLOCK, SOCK_CLOEXEC, both joined by '|', or 0"),
        /** listen's backlog (the spec's bl). */
        BACKLOG("a number, the backlog"),
        /** sendmsg's descriptors passed with SCM_RIGHTS (the spec's fs): in brackets, in order. */
        RIGHTS("descriptors in brackets, like [5] or [5, 6], or [] for none"),
        /** sendmsg's other control message: SCM_CREDENTIALS, the sending process's own (the spec's cr), or 0 for none. */
        CONTROL("SCM_CREDENTIALS or 0"),
        /** poll's descriptors, each with the events asked for (the spec's rq). */
        POLLFDS("descriptors in brackets, each with the events asked for, like [3 POLLIN, 4 POLLIN|POLLOUT]"),
        /** poll's timeout: 0 or -1 (the spec's tm). */
        TIMEOUT("0 (return at once) or -1 (wait until a descriptor is ready)");

        public final String description;

        Arg(String description) {
            this.description = description;
        }

        /** The words an argument of this kind may be (empty: not a word). */
        public Set<String> words() {
            return switch (this) {
                case DOMAIN -> Set.of("INET", "INET6", "UNIX");
                case TYPE -> Set.of("STREAM", "DGRAM", "RAW", "SEQPACKET", "STREAM|NONBLOCK", "DGRAM|NONBLOCK", "RAW|NONBLOCK",
                        "SEQPACKET|NONBLOCK");
                case GETOPT -> Set.of("SO_ERROR", "SO_TYPE", "SO_DOMAIN", "SO_PROTOCOL", "SO_ACCEPTCONN", "SO_REUSEADDR",
                        "SO_KEEPALIVE", "SO_BROADCAST", "TCP_NODELAY", "SO_LINGER", "SO_REUSEPORT", "SO_RCVBUF", "SO_SNDBUF",
                        "IPV6_V6ONLY", "SO_PASSCRED");
                case FCNTL -> Set.of("F_SETFL");
                case FLAGS -> Set.of("O_NONBLOCK", "0");
                case MSGFLAGS -> joined(List.of(PEEK, DONTWAIT, WAITALL, TRUNC));
                case HOW -> Set.of("RD", "WR", "RDWR");
                case ACCEPTFLAGS -> Set.of("0", "SOCK_NONBLOCK", "SOCK_CLOEXEC", "SOCK_NONBLOCK|SOCK_CLOEXEC");
                case SENDFLAGS -> Set.of("0", "MSG_NOSIGNAL");
                case CONTROL -> Set.of("0", SCM_CREDENTIALS);
                case OPTION -> java.util.Arrays.stream(SockOpt.values()).map(Enum::name).collect(java.util.stream.Collectors.toSet());
                default -> Set.of();
            };
        }
    }

    /**
     * What a successful call gives, and how the spec says it: the spec
     * records a call's result in evt.ret.
     */
    public enum Result {
        /** 0 (bind, listen, close, ...); the spec records 0, or for fork the child's name. */
        ZERO("a number or $var"),
        /** A descriptor (socket, dup): the spec records the number. */
        DESCRIPTOR("a number or $var"),
        /** socketpair: two descriptors in brackets; the spec records <<f, g>>. */
        PAIR("two descriptors in brackets, like [3, 4]"),
        /** How many bytes were sent: all of them; the spec records the length of the data. */
        SENT("a number or $var"),
        /** accept: a descriptor, 'peer' and the peer's address; the spec records [fd |-> _, peer |-> <<ip, port>>]. */
        FD_PEER("a descriptor, 'peer' and an address"),
        /** recv: the data; the spec records [data |-> _] (zero bytes for end of file). */
        DATA("a quoted string"),
        /** recvfrom: the data, 'from' and the sender; the spec records [data |-> _, from |-> <<ip, port>>]. */
        DATA_FROM("a quoted string, 'from' and an address"),
        /**
         * recvmsg: the data, then 'rights' and the descriptors passed with it
         * (left out when none), then 'creds' and the credentials shown (left
         * out when none are: a socket without SO_PASSCRED); the spec records
         * [data |-> _, rights |-> <<f, ...>>, creds |-> <<>> or <<c>>].
         */
        MESSAGE("a quoted string, then 'rights' and descriptors in brackets when any came, then 'creds' and a process"
                + " name, none or zero when the socket has SO_PASSCRED, like \"hi\" rights [5] creds p1"),
        /** getsockname, getpeername: an address; the spec records <<ip, port>>. */
        ADDR("an address"),
        /** getsockopt: the value in brackets, [0] or [ECONNREFUSED]; the spec records [value |-> 0 or the errno's name]. */
        OPTVAL("a value in brackets, like [0] or [ECONNREFUSED]"),
        /** poll: each descriptor of the request with the events it reported, 0 for none; the spec records [revents |-> <<{...}, ...>>]. */
        POLL("each descriptor asked for, in order, with its events, like [3 POLLIN, 4 0]");

        public final String description;

        Result(String description) {
            this.description = description;
        }
    }

    /**
     * One argument: its kind, the parameter of the spec action it becomes
     * (null when the spec does not model it: a backlog, a buffer size), and
     * what a generated trace writes for an argument the spec does not model,
     * or, for an argument a trace may leave out, the value it then has
     * (socket's protocol: 0).
     * An address becomes the two parameters ip and port; an option's value
     * becomes a boolean.
     */
    public record Param(Arg kind, String spec, String written) {
        static Param of(Arg kind, String spec) {
            return new Param(kind, spec, null);
        }

        /**
         * Every parameter of the spec action this argument gives: an address
         * its ip and port, a type with |NONBLOCK its type and nb, recv's flags
         * peek and dw; none for an argument the spec does not model.
         */
        public List<String> specParams() {
            if (spec == null) {
                return List.of();
            }
            return switch (kind) {
                case ADDR -> List.of(Call.IP, Call.PORT);
                case TYPE -> List.of(spec, NB);
                case MSGFLAGS -> List.of(PK, DW, WA, TR);
                default -> List.of(spec);
            };
        }

        /**
         * The spec's values for a word argument of flags: a type with
         * |NONBLOCK its type and nb, recv's flags peek and dw, fcntl's flags
         * v; the word itself for the other words (a way to shut down, an option).
         */
        public Map<String, Object> specValues(String word) {
            List<String> flags = List.of(word.split("\\|"));
            return switch (kind) {
                case TYPE -> Map.of(spec, flags.get(0), NB, flags.contains("NONBLOCK"));
                case MSGFLAGS -> Map.of(PK, flags.contains(PEEK), DW, flags.contains(DONTWAIT), WA, flags.contains(WAITALL),
                        TR, flags.contains(TRUNC));
                case FLAGS -> Map.of(spec, flags.contains("O_NONBLOCK"));
                case ACCEPTFLAGS -> Map.of(spec, flags.contains("SOCK_NONBLOCK"));
                case CONTROL -> Map.of(spec, flags.contains(SCM_CREDENTIALS));
                default -> Map.of(spec, word);
            };
        }
    }

    /**
     * One call of the trace format.
     *
     * @param word     the trace's (and the driver protocol's) word
     * @param action   the spec action it is
     * @param params   its arguments, in order; the first {@code required} must be written
     * @param fixed    parameters of the spec action that the word fixes (recv and recvfrom are both Recv)
     * @param make     the call with concrete arguments, one value per argument written (see {@link #make})
     */
    public record Call(String word, String action, List<Param> params, int required, Result result,
                       Map<String, Object> fixed, Function<List<Object>, ApiCall> make) {
        /** The spec parameters of an address argument. */
        public static final String IP = "ip";
        public static final String PORT = "port";
    }

    private static Call call(String word, String action, Result result, Function<List<Object>, ApiCall> make, Param... params) {
        return new Call(word, action, List.of(params), params.length, result, Map.of(), make);
    }

    private static int i(Object o) {
        return ((Number) o).intValue();
    }

    private static List<Integer> ints(Object o) {
        return ((List<?>) o).stream().map(Calls::i).toList();
    }

    /** recv's flags as a trace writes them. */
    public static final String PEEK = "MSG_PEEK";
    public static final String DONTWAIT = "MSG_DONTWAIT";
    public static final String WAITALL = "MSG_WAITALL";
    public static final String TRUNC = "MSG_TRUNC";
    /** sendmsg's control message of the sender's own credentials. */
    public static final String SCM_CREDENTIALS = "SCM_CREDENTIALS";
    /** The spec's recv parameters for MSG_PEEK, MSG_DONTWAIT, MSG_WAITALL and MSG_TRUNC. */
    public static final String PK = "peek";
    public static final String DW = "dw";
    public static final String WA = "wa";
    public static final String TR = "tr";

    /** Every word of flags joined by '|' in this order (one or more of them), and 0 for none. */
    static Set<String> joined(List<String> flags) {
        Set<String> out = new java.util.HashSet<>(Set.of("0"));
        for (int mask = 1; mask < 1 << flags.size(); mask++) {
            List<String> in = new ArrayList<>();
            for (int k = 0; k < flags.size(); k++) {
                if ((mask & 1 << k) != 0) {
                    in.add(flags.get(k));
                }
            }
            out.add(String.join("|", in));
        }
        return Set.copyOf(out);
    }

    /** Whether the flags argument at index k, when written, names this flag. */
    private static boolean flag(List<Object> a, int k, String name) {
        return a.size() > k && java.util.Arrays.asList(((String) a.get(k)).split("\\|")).contains(name);
    }

    /** The events a poll may ask for, in the order a trace writes them. */
    public static final List<String> POLL_ASKED = List.of("POLLIN", "POLLOUT", "POLLRDHUP");
    /** The events a poll may report, in the order a trace writes them (the last three whether asked or not). */
    public static final List<String> POLL_REPORTED = List.of("POLLIN", "POLLOUT", "POLLRDHUP", "POLLERR", "POLLHUP", "POLLNVAL");

    /** Events (names, or the spec's strings) in the order a trace writes them; the asked ones come first. */
    public static List<String> pollOrder(java.util.Collection<?> events) {
        return POLL_REPORTED.stream().filter(events::contains).toList();
    }

    /** Events as a trace writes them: joined by '|' in that order, or 0 for none. */
    public static String pollText(java.util.Collection<?> events) {
        List<String> words = pollOrder(events);
        return words.isEmpty() ? "0" : String.join("|", words);
    }

    /** poll's only timeouts: return at once, or wait (any other is a timer the spec does not model). */
    public static final long POLL_NOW = 0;
    public static final long POLL_WAIT = -1;

    @SuppressWarnings("unchecked")
    private static List<ApiCall.PollFd> pollFds(Object o) {
        return List.copyOf((List<ApiCall.PollFd>) o);
    }

    /** SOCK_NONBLOCK as the type argument writes it: STREAM|NONBLOCK. */
    public static final String NONBLOCK = "|NONBLOCK";

    /** The spec's nb parameter of socket(): SOCK_NONBLOCK. */
    public static final String NB = "nb";

    /** The spec's dom parameter of socket() and socketpair(): INET or UNIX. */
    public static final String DOM = "dom";

    /** Every call, by word, in the order a reader meets them. */
    public static final Map<String, Call> ALL;

    static {
        List<Call> calls = List.of(
                new Call("socket", "Socket", List.of(Param.of(Arg.DOMAIN, DOM), Param.of(Arg.TYPE, "type"),
                        new Param(Arg.PROTOCOL, "protocol", "0")), 2, Result.DESCRIPTOR, Map.of(),
                        a -> new ApiCall.Socket(Domain.valueOf((String) a.get(0)), SockType.valueOf(((String) a.get(1)).split("\\|")[0]),
                                a.size() > 2 ? i(a.get(2)) : 0, ((String) a.get(1)).endsWith(NONBLOCK))),
                new Call("socketpair", "SocketPair", List.of(Param.of(Arg.DOMAIN, DOM), Param.of(Arg.TYPE, "type"),
                        new Param(Arg.PROTOCOL, "protocol", "0")), 2, Result.PAIR, Map.of(),
                        a -> new ApiCall.SocketPair(Domain.valueOf((String) a.get(0)), SockType.valueOf(((String) a.get(1)).split("\\|")[0]),
                                a.size() > 2 ? i(a.get(2)) : 0, ((String) a.get(1)).endsWith(NONBLOCK))),
                call("bind", "Bind", Result.ZERO, a -> new ApiCall.Bind(i(a.get(0)), (Endpoint) a.get(1)),
                        Param.of(Arg.FD, "f"), Param.of(Arg.ADDR, "ip")),
                call("listen", "Listen", Result.ZERO, a -> new ApiCall.Listen(i(a.get(0)), i(a.get(1))),
                        Param.of(Arg.FD, "f"), Param.of(Arg.BACKLOG, "bl")),
                call("connect", "Connect", Result.ZERO, a -> new ApiCall.Connect(i(a.get(0)), (Endpoint) a.get(1)),
                        Param.of(Arg.FD, "f"), Param.of(Arg.ADDR, "ip")),
                new Call("accept", "Accept", List.of(Param.of(Arg.FD, "f")), 1, Result.FD_PEER, Map.of(NB, false),
                        a -> new ApiCall.Accept(i(a.get(0)))),
                new Call("accept4", "Accept", List.of(Param.of(Arg.FD, "f"), Param.of(Arg.ACCEPTFLAGS, NB)), 2, Result.FD_PEER,
                        Map.of(), a -> new ApiCall.Accept(i(a.get(0)), flag(a, 1, "SOCK_NONBLOCK"))),
                new Call("send", "Send", List.of(Param.of(Arg.FD, "f"), Param.of(Arg.DATA, "d"), new Param(Arg.SENDFLAGS, null, "0")),
                        2, Result.SENT, Map.of(), a -> new ApiCall.Send(i(a.get(0)), (byte[]) a.get(1))),
                new Call("recv", "Recv", List.of(Param.of(Arg.FD, "f"), Param.of(Arg.SIZE, "n"), new Param(Arg.MSGFLAGS, PK, "0")),
                        2, Result.DATA, Map.of("op", "recv"),
                        a -> new ApiCall.Recv(i(a.get(0)), i(a.get(1)), flag(a, 2, PEEK), flag(a, 2, DONTWAIT), false,
                                flag(a, 2, WAITALL), flag(a, 2, TRUNC))),
                new Call("sendto", "SendTo", List.of(Param.of(Arg.FD, "f"), Param.of(Arg.DATA, "d"), Param.of(Arg.ADDR, "ip"),
                        new Param(Arg.SENDFLAGS, null, "0")), 3, Result.SENT, Map.of(),
                        a -> new ApiCall.SendTo(i(a.get(0)), (byte[]) a.get(1), (Endpoint) a.get(2))),
                new Call("recvfrom", "Recv", List.of(Param.of(Arg.FD, "f"), Param.of(Arg.SIZE, "n"),
                        new Param(Arg.MSGFLAGS, PK, "0")), 2, Result.DATA_FROM, Map.of("op", "recvfrom"),
                        a -> new ApiCall.RecvFrom(i(a.get(0)), i(a.get(1)), flag(a, 2, PEEK), flag(a, 2, DONTWAIT),
                                flag(a, 2, WAITALL), flag(a, 2, TRUNC))),
                // SCM_RIGHTS (S20): descriptors passed through a Unix socket with a message.
                // SCM_CREDENTIALS: the sending process's own credentials, passed by a fourth argument.
                new Call("sendmsg", "SendMsg", List.of(Param.of(Arg.FD, "f"), Param.of(Arg.DATA, "d"), Param.of(Arg.RIGHTS, "fs"),
                        new Param(Arg.CONTROL, "cr", "0")), 3, Result.SENT, Map.of(),
                        a -> new ApiCall.SendMsg(i(a.get(0)), (byte[]) a.get(1), ints(a.get(2)), flag(a, 3, SCM_CREDENTIALS))),
                new Call("recvmsg", "Recv", List.of(Param.of(Arg.FD, "f"), Param.of(Arg.SIZE, "n"),
                        new Param(Arg.MSGFLAGS, PK, "0")), 2, Result.MESSAGE, Map.of("op", "recvmsg"),
                        a -> new ApiCall.RecvMsg(i(a.get(0)), i(a.get(1)), flag(a, 2, PEEK), flag(a, 2, DONTWAIT))),
                call("shutdown", "Shutdown", Result.ZERO,
                        a -> new ApiCall.Shutdown(i(a.get(0)), ShutdownHow.valueOf((String) a.get(1))),
                        Param.of(Arg.FD, "f"), Param.of(Arg.HOW, "how")),
                call("close", "Close", Result.ZERO, a -> new ApiCall.Close(i(a.get(0))), Param.of(Arg.FD, "f")),
                call("getsockname", "GetSockName", Result.ADDR, a -> new ApiCall.GetSockName(i(a.get(0))), Param.of(Arg.FD, "f")),
                call("getpeername", "GetPeerName", Result.ADDR, a -> new ApiCall.GetPeerName(i(a.get(0))), Param.of(Arg.FD, "f")),
                call("setsockopt", "SetSockOpt", Result.ZERO,
                        a -> a.get(2) instanceof List<?> linger
                                ? new ApiCall.SetSockOpt(i(a.get(0)), SockOpt.valueOf((String) a.get(1)), i(linger.get(0)), i(linger.get(1)))
                                : new ApiCall.SetSockOpt(i(a.get(0)), SockOpt.valueOf((String) a.get(1)), i(a.get(2))),
                        Param.of(Arg.FD, "f"), Param.of(Arg.OPTION, "opt"), Param.of(Arg.OPTVALUE, "v")),
                call("fcntl", "SetNonBlock", Result.ZERO, a -> new ApiCall.Fcntl(i(a.get(0)), "O_NONBLOCK".equals(a.get(2))),
                        Param.of(Arg.FD, "f"), new Param(Arg.FCNTL, null, "F_SETFL"), Param.of(Arg.FLAGS, "v")),
                call("getsockopt", "GetSockOpt", Result.OPTVAL, a -> new ApiCall.GetSockOpt(i(a.get(0)), (String) a.get(1)),
                        Param.of(Arg.FD, "f"), Param.of(Arg.GETOPT, "opt")),
                call("poll", "Poll", Result.POLL, a -> new ApiCall.Poll(pollFds(a.get(0)), i(a.get(1))),
                        Param.of(Arg.POLLFDS, "rq"), Param.of(Arg.TIMEOUT, "tm")),
                call("dup", "Dup", Result.DESCRIPTOR, a -> new ApiCall.Dup(i(a.get(0))), Param.of(Arg.FD, "f")),
                call("fork", "Fork", Result.ZERO, a -> new ApiCall.Fork((String) a.get(0)), Param.of(Arg.PROCESS, "q")),
                call("exit", "Exit", Result.ZERO, a -> new ApiCall.Exit()),
                // read(2) and write(2) on a socket's descriptor are recv and send with no flags (S18): the same
                // actions of the spec, after the words a generated trace writes for them.
                new Call("read", "Recv", List.of(Param.of(Arg.FD, "f"), Param.of(Arg.SIZE, "n")), 2, Result.DATA,
                        Map.of("op", "recv", PK, false, DW, false, WA, false, TR, false),
                        a -> new ApiCall.Recv(i(a.get(0)), i(a.get(1)), false, false, true, false, false)),
                new Call("write", "Send", List.of(Param.of(Arg.FD, "f"), Param.of(Arg.DATA, "d")), 2, Result.SENT, Map.of(),
                        a -> new ApiCall.Send(i(a.get(0)), (byte[]) a.get(1), true)));
        Map<String, Call> all = new LinkedHashMap<>();
        calls.forEach(c -> all.put(c.word(), c));
        ALL = java.util.Collections.unmodifiableMap(all);
    }

    /**
     * An option's value as the spec gives it: on or off for a number (any
     * number but 0 is on), SO_LINGER's {l_onoff, l_linger} as the sequence
     * <<l_onoff, l_linger>> with l_onoff 0 or 1.
     */
    public static Object optionValue(long value) {
        return value != 0;
    }

    /** setsockopt's value for the spec: a buffer option's size as the int it is, another option's on or off. */
    public static Object optionValue(String option, long value) {
        return SockOpt.buffer(option) ? (Object) Math.toIntExact(value) : optionValue(value);
    }

    public static List<Integer> lingerValue(long onoff, long seconds) {
        return List.of(onoff != 0 ? 1 : 0, Math.toIntExact(seconds));
    }

    /** A value getsockopt gives, as a trace writes it in brackets: a number or word as it is, SO_LINGER's pair as {1, 0}. */
    public static String optionText(Object value) {
        if (value instanceof Map<?, ?> range && range.containsKey("lo")) {
            return range.get("lo") + ".." + range.get("hi"); // a buffer size: the range the spec allows
        }
        return value instanceof List<?> l && l.size() == 2 ? "{" + l.get(0) + ", " + l.get(1) + "}" : String.valueOf(value);
    }

    /** Whether v, a number a trace wrote, is in a range the spec gives for a buffer size ([lo |-> _, hi |-> _]). */
    public static boolean inRange(Object range, long v) {
        return range instanceof Map<?, ?> m && m.get("lo") instanceof Integer lo && m.get("hi") instanceof Integer hi
                && lo <= v && v <= hi;
    }

    /** The calls a step of this spec action can be written as (recv and recvfrom are both Recv), by its parameters. */
    public static List<Call> ofAction(String action, Map<String, Object> params) {
        List<Call> out = new ArrayList<>();
        for (Call c : ALL.values()) {
            if (c.action().equals(action) && c.fixed().entrySet().stream()
                    .allMatch(e -> e.getValue().equals(params.get(e.getKey())))) {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * The call with concrete arguments, one value per argument written: a
     * descriptor or number as an Integer or Long, an address as an
     * {@link Endpoint}, data as bytes, a word as a String.
     */
    public static ApiCall make(String word, List<Object> args) {
        Call c = ALL.get(word);
        if (c == null) {
            throw new IllegalArgumentException("unknown call " + word);
        }
        return c.make().apply(args);
    }
}
