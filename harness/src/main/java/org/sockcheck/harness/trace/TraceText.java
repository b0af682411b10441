package org.sockcheck.harness.trace;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.sockcheck.harness.trace.Event.Expect;
import org.sockcheck.spec.Calls;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Errno;
import org.sockcheck.spec.Profile;
import org.sockcheck.spec.Proto;
import org.sockcheck.spec.TcpState;

/** The text form of a trace: parsing with precise errors, and canonical printing. */
public final class TraceText {
    private TraceText() {
    }

    // ================================================================= parsing

    public static Trace parse(String source, String text) throws TraceSyntaxException {
        List<Trace.Line> lines = new ArrayList<>();
        String[] raw = text.split("\r?\n", -1);
        int count = raw.length;
        if (count > 0 && raw[count - 1].isEmpty()) {
            count--; // the newline that ends the last line does not start another
        }
        Integer version = null;
        Profile profile = Profile.LINUX;
        Waits waits = new Waits();
        for (int i = 0; i < count; i++) {
            int lineNo = i + 1;
            String line = raw[i];
            String trimmed = line.strip();
            if (trimmed.isEmpty()) {
                lines.add(new Trace.Line.Blank());
                continue;
            }
            if (trimmed.startsWith("#")) {
                lines.add(new Trace.Line.Comment(trimmed.substring(1)));
                continue;
            }
            Cursor c = new Cursor(source, lineNo, line);
            c.skipSpace();
            if (version == null) {
                if (!c.peekWord().equals("version")) {
                    throw c.error("the header 'version 1'", "'" + c.peekToken() + "'",
                            "a trace starts with 'version 1' (comments may come before it)");
                }
                c.word();
                int v = (int) c.number("the trace format version");
                if (v < 1 || v > Trace.VERSION) {
                    throw new TraceSyntaxException(source, lineNo, c.lastStart + 1, "version 1 or " + Trace.VERSION,
                            "version " + v, "this sockcheck reads trace formats 1 to " + Trace.VERSION);
                }
                c.end();
                version = v;
                lines.add(new Trace.Line.Header("version", Integer.toString(v)));
                continue;
            }
            String first = c.peekWord();
            if (first.equals("profile")) {
                c.word();
                String name = c.word();
                try {
                    profile = Profile.valueOf(name);
                } catch (IllegalArgumentException e) {
                    throw new TraceSyntaxException(source, lineNo, c.lastStart + 1, "a profile (POSIX or LINUX)",
                            "'" + name + "'", null);
                }
                c.end();
                lines.add(new Trace.Line.Header("profile", name));
            } else if (first.equals("observe")) {
                lines.add(parseObserve(c, version == null ? 1 : version));
            } else {
                Event e = parseCall(c, version, waits);
                if (e instanceof Event.Call call && !(call.expect() instanceof Expect.Blocks)) {
                    waits.made(call);
                }
                lines.add(e);
            }
        }
        if (version == null) {
            throw new TraceSyntaxException(source, Math.max(1, count), 1, "the header 'version 1'", "end of file",
                    "a trace starts with 'version 1' (comments may come before it)");
        }
        return new Trace(source, version, profile, lines);
    }

    private static Event.Observe parseObserve(Cursor c, int version) throws TraceSyntaxException {
        c.word(); // observe
        String host = c.hostName();
        c.expect(':');
        List<Event.Row> rows = new ArrayList<>();
        if (c.peekWord().equals("none")) {
            c.word();
            c.end();
            return new Event.Observe(c.lineNo, host, rows);
        }
        while (true) {
            String protoWord = c.word();
            Proto proto;
            try {
                proto = Proto.valueOf(protoWord.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TraceSyntaxException(c.source, c.lineNo, c.lastStart + 1, "a protocol (tcp, udp, raw or unix)",
                        "'" + protoWord + "'", "a row reads like: tcp A:80 *:* LISTEN");
            }
            if (proto == Proto.UNIX) {
                if (version < 2) {
                    throw new TraceSyntaxException(c.source, c.lineNo, c.lastStart + 1, "a row of tcp, udp or raw in trace format 1",
                            "'unix'", "a Unix socket's row is trace format 2: start the trace with 'version 2'");
                }
                rows.add(unixRow(c));
                c.skipSpace();
                if (c.atEnd()) {
                    break;
                }
                c.expect(';');
                continue;
            }
            Arg.Addr local = c.address();
            Arg.Addr remote = c.address();
            TcpState state = null;
            c.skipSpace();
            // UDP and raw rows have no state (S12); one observed with a state is written with it, and judged.
            if (proto == Proto.TCP || !c.atEnd() && c.peek() != ';') {
                String word = c.stateWord();
                state = TcpState.fromRfcName(word).orElseThrow(() -> new TraceSyntaxException(c.source, c.lineNo,
                        c.lastStart + 1, "a TCP state as RFC 9293 spells it", "'" + word + "'",
                        "one of " + java.util.Arrays.stream(TcpState.values()).map(TcpState::rfcName).toList()));
            }
            rows.add(new Event.Row(proto, local, remote, state));
            c.skipSpace();
            if (c.atEnd()) {
                break;
            }
            c.expect(';');
        }
        return new Event.Observe(c.lineNo, host, rows);
    }

    /** The rest of a Unix domain socket's row after its protocol: unix STREAM "srv" LISTEN (S20, /proc/net/unix). */
    private static Event.Row unixRow(Cursor c) throws TraceSyntaxException {
        String hint = "a Unix row reads like: unix STREAM \"srv\" LISTEN, or unix DGRAM \"\" UNCONNECTED for an unnamed socket";
        String typeWord = c.word();
        org.sockcheck.spec.SockType type = org.sockcheck.spec.SockType.ofUnixRow(typeWord).orElseThrow(
                () -> new TraceSyntaxException(c.source, c.lineNo, c.lastStart + 1,
                        "a Unix socket's type (STREAM, DGRAM or SEQPACKET)", "'" + typeWord + "'", hint));
        c.skipSpace();
        if (c.atEnd() || c.peek() != '"') {
            throw c.error("the socket's name in quotes (\"\" when it has none)", c.describeHere(), hint);
        }
        Arg.Addr name = c.address();
        String word = c.word();
        org.sockcheck.spec.UnixState state = org.sockcheck.spec.UnixState.fromName(word).orElseThrow(
                () -> new TraceSyntaxException(c.source, c.lineNo, c.lastStart + 1, "a Unix socket's state",
                        "'" + word + "'", "one of " + java.util.Arrays.toString(org.sockcheck.spec.UnixState.values())));
        return Event.Row.unix(type, name.path(), state);
    }

    private static Event parseCall(Cursor c, int version, Waits waits) throws TraceSyntaxException {
        String host = c.hostName();
        c.expect('.');
        String process = c.word();
        String thread = Event.MAIN;
        if (c.peek() == '.') {
            int at = c.pos;
            c.pos++;
            thread = c.word();
            if (version < 2) {
                throw new TraceSyntaxException(c.source, c.lineNo, at + 1, "':' (trace format 1 has one thread a process)",
                        "'." + thread + "'", "threads are trace format 2: start the trace with 'version 2'");
            }
        }
        c.expect(':');
        String op = c.word();
        int opStart = c.lastStart;
        if (c.peekWord().equals("returns") && c.peek() != '(') {
            return parseReturn(c, version, waits, host, process, thread, op, opStart);
        }
        Calls.Call sig = Calls.ALL.get(op);
        if (sig == null) {
            throw new TraceSyntaxException(c.source, c.lineNo, opStart + 1, "a call", "'" + op + "'",
                    "calls are " + new TreeSet<>(Calls.ALL.keySet()) + "; other lines start with"
                            + " '#', 'version', 'profile' or 'observe'");
        }
        c.expect('(');
        List<Arg> args = new ArrayList<>();
        c.skipSpace();
        if (c.peek() != ')') {
            while (true) {
                if (args.size() == sig.params().size()) {
                    throw c.error("')'", "another argument", op + " takes " + describe(sig));
                }
                args.add(c.argument(sig.params().get(args.size()).kind(), op));
                c.skipSpace();
                if (c.peek() == ',') {
                    c.pos++;
                    continue;
                }
                if (c.peek() != ')') {
                    throw c.error("',' or ')'", c.describeHere(), op + " takes " + describe(sig));
                }
                break;
            }
        }
        if (args.size() < sig.required()) {
            throw c.error(sig.params().get(args.size()).kind().description, "'" + c.peekToken() + "'",
                    op + " takes " + describe(sig));
        }
        c.expect(')');
        optionValueFits(c, op, args);
        if (version >= 2) {
            waits.call(c, host, process, thread);
        } else if (formatTwo(new Event.Call(c.lineNo, host, process, op, args, new Expect.Blocks()))) {
            throw new TraceSyntaxException(c.source, c.lineNo, opStart + 1, "a call of trace format 1", "'" + op + "("
                    + "...)' with what only format 2 has", "non-blocking sockets, fcntl, getsockopt, poll, recv's flags, options other than"
                    + " SO_REUSEADDR, connect to AF_UNSPEC and Unix domain sockets are trace format 2:"
                    + " start the trace with 'version 2'");
        }
        if (c.peekWord().equals("blocks")) {
            c.word();
            c.end();
            Event.Call call = new Event.Call(c.lineNo, host, process, thread, op, args, new Expect.Blocks());
            waits.blocked(call);
            return call;
        }
        c.expect('=');
        int at = c.pos;
        Expect expect = result(c, sig);
        samePollFds(c, at, args, expect);
        return new Event.Call(c.lineNo, host, process, thread, op, args, expect);
    }

    /** {@code op returns RESULT}: the call this thread waits in returns (format 2). */
    private static Event.Return parseReturn(Cursor c, int version, Waits waits, String host, String process, String thread,
                                            String op, int opStart) throws TraceSyntaxException {
        c.word(); // returns
        if (version < 2) {
            throw new TraceSyntaxException(c.source, c.lineNo, opStart + 1, "a call, like " + op + "(...)",
                    "'" + op + " returns'", "a call that returns later is trace format 2: start the trace with 'version 2'");
        }
        Event.Call call = waits.returned(c, host, process, thread, op, opStart);
        int at = c.pos;
        Expect expect = result(c, Calls.ALL.get(op));
        samePollFds(c, at, call.args(), expect);
        return new Event.Return(c.lineNo, host, process, thread, call, expect);
    }

    /** The longest SO_LINGER a trace may give, in seconds. */
    static final int MAX_LINGER = 100_000;

    /** setsockopt's value is a pair for SO_LINGER, a number for the other options. */
    private static void optionValueFits(Cursor c, String op, List<Arg> args) throws TraceSyntaxException {
        if (!op.equals("setsockopt") || args.size() < 3 || !(args.get(1) instanceof Arg.Name opt)) {
            return;
        }
        boolean linger = opt.name().equals("SO_LINGER");
        if (linger != args.get(2) instanceof Arg.Linger) {
            throw new TraceSyntaxException(c.source, c.lineNo, 1, linger ? "SO_LINGER's {l_onoff, l_linger}" : "a number",
                    TraceText.arg(args.get(2)), linger ? "setsockopt(3, SO_LINGER, {1, 0})" : "setsockopt(3, " + opt.name() + ", 1)");
        }
    }

    /** The most descriptors one poll of a trace may name. */
    static final int MAX_POLL_FDS = 64;

    /** A poll's result names the descriptors of its request, in order. */
    private static void samePollFds(Cursor c, int at, List<Arg> args, Expect expect) throws TraceSyntaxException {
        if (!(expect instanceof Expect.Returns r && r.value() instanceof Arg.Polls got) || args.isEmpty()
                || !(args.get(0) instanceof Arg.Polls asked)) {
            return;
        }
        List<Arg> want = asked.entries().stream().map(Arg.PollFd::fd).toList();
        List<Arg> have = got.entries().stream().map(Arg.PollFd::fd).toList();
        if (!want.equals(have)) {
            throw new TraceSyntaxException(c.source, c.lineNo, at + 2, "the descriptors of the request in order: "
                    + want.stream().map(TraceText::arg).toList(), have.stream().map(TraceText::arg).toList().toString(),
                    "poll's result lists each descriptor asked for with what it reported, 0 for nothing");
        }
    }

    /** What follows '=' (or 'returns'): an errno name or the call's result, to the end of the line. */
    private static Expect result(Cursor c, Calls.Call sig) throws TraceSyntaxException {
        c.skipSpace();
        Expect expect;
        String errno = c.peekWord();
        if (errno.length() > 1 && errno.startsWith("E") && errno.equals(errno.toUpperCase(Locale.ROOT))
                && c.peekAfterWord() != ':') {
            c.word();
            if (Errno.named(errno).isEmpty()) {
                throw new TraceSyntaxException(c.source, c.lineNo, c.lastStart + 1, "an errno name", "'" + errno + "'",
                        "known names: " + new TreeSet<>(java.util.Arrays.stream(Errno.values()).map(Enum::name).toList()));
            }
            expect = new Expect.Fails(Errno.named(errno).get().name());
        } else {
            expect = c.result(sig.result());
        }
        c.end();
        return expect;
    }

    /**
     * The calls threads wait in, as a trace is read (both forms): a thread
     * that waits makes no other call until its call returns, and a return
     * needs a call that waits. A process's exit ends the waits of its threads.
     */
    static final class Waits {
        private final java.util.Map<String, Event.Call> waiting = new java.util.HashMap<>();

        private static String key(String host, String process, String thread) {
            return host + "." + process + "." + thread;
        }

        private static String who(String host, String process, String thread) {
            return host + "." + process + (thread.equals(Event.MAIN) ? "" : "." + thread);
        }

        void call(Cursor c, String host, String process, String thread) throws TraceSyntaxException {
            Event.Call w = waiting.get(key(host, process, thread));
            if (w != null) {
                throw new TraceSyntaxException(c.source, c.lineNo, 1, "'" + w.op() + " returns ...' first",
                        "another call on the same thread", who(host, process, thread) + " waits in " + w.op() + " since line "
                                + w.line() + "; a thread makes one call at a time (other threads: "
                                + who(host, process, "t2") + ")");
            }
        }

        void blocked(Event.Call call) {
            waiting.put(key(call.host(), call.process(), call.thread()), call);
        }

        /** A call that returned at once: an exit ends the waits of the process's threads. */
        void made(Event.Call call) {
            if (call.op().equals("exit")) {
                waiting.keySet().removeIf(k -> k.startsWith(call.host() + "." + call.process() + "."));
            }
        }

        Event.Call returned(Cursor c, String host, String process, String thread, String op, int at)
                throws TraceSyntaxException {
            Event.Call w = waiting.remove(key(host, process, thread));
            if (w == null) {
                throw new TraceSyntaxException(c.source, c.lineNo, at + 1, "a call of " + who(host, process, thread)
                        + " that blocks, before it returns", "'" + op + " returns'",
                        "write the call first, ending in 'blocks': " + who(host, process, thread) + ": " + op + "(...) blocks");
            }
            if (!w.op().equals(op)) {
                throw new TraceSyntaxException(c.source, c.lineNo, at + 1, "'" + w.op() + " returns' (the call of line "
                        + w.line() + ")", "'" + op + " returns'", null);
            }
            return w;
        }
    }

    private static String describe(Calls.Call sig) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < sig.params().size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(i >= sig.required() ? "[" : "").append(sig.params().get(i).kind().name().toLowerCase(Locale.ROOT))
                    .append(i >= sig.required() ? "]" : "");
        }
        return sb.append(")").toString();
    }

    /** The words an option's value may be: SO_TYPE's and SO_DOMAIN's. */
    /** What a Unix name a call's argument gives lacks (as "expected ..."), or null when it is one. */
    static String unixNameProblem(String name) {
        String bare = name.startsWith("@") ? name.substring(1) : name;
        // AF_UNSPEC names no Unix socket: as a name it would read as connect's AF_UNSPEC in the spec.
        if (name.isEmpty() || UNIX_NAME.matcher(bare).matches() && !bare.equals(".") && !bare.equals("..")
                && !name.equals(org.sockcheck.spec.Endpoint.UNSPEC_IP) && !name.equals("-")) {
            return null;
        }
        return "a Unix name: 1 to " + MAX_UNIX_NAME + " letters, digits, '.', '_' or '-', with '@' first for the abstract"
                + " namespace";
    }

    /** The longest Unix name a trace may write (the run's folder and the name fit in sun_path's 108 bytes). */
    static final int MAX_UNIX_NAME = 48;
    private static final java.util.regex.Pattern UNIX_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1," + MAX_UNIX_NAME + "}");

    static final java.util.Set<String> OPTION_WORDS = java.util.Set.of("STREAM", "DGRAM", "RAW", "SEQPACKET", "INET", "INET6", "UNIX");

    /** The spec actions whose calls only trace format 2 writes (socket's SOCK_NONBLOCK too). */
    public static final java.util.Set<String> FORMAT_TWO_ACTIONS = java.util.Set.of("SetNonBlock", "GetSockOpt", "Poll");

    /**
     * Whether a call is one that only trace format 2 writes: fcntl,
     * getsockopt, poll, accept4, read, write, a SOCK_NONBLOCK socket, recv's flags,
     * setsockopt of an option other than SO_REUSEADDR, connect to AF_UNSPEC.
     */
    static boolean formatTwo(Event.Call c) {
        return FORMAT_TWO_ACTIONS.contains(Calls.ALL.get(c.op()).action())
                || java.util.Set.of("accept4", "read", "write", "socketpair").contains(c.op())
                || c.args().stream().anyMatch(a -> a instanceof Arg.Linger || a instanceof Arg.Addr ad && (ad.unspec() || ad.unix() || org.sockcheck.spec.TraceHost.ipv6(ad.host()))
                        || a instanceof Arg.Name n
                        && (n.name().endsWith(Calls.NONBLOCK) || n.name().startsWith("MSG_") || n.name().equals("UNIX")
                            || n.name().equals("INET6")
                            || n.name().startsWith("SEQPACKET")
                            || c.op().equals("setsockopt") && !n.name().equals("SO_REUSEADDR")));
    }

    /** Whether a trace uses what only format 2 has: threads, returns, or a call of {@link #formatTwo}. */
    public static boolean needsFormatTwo(Trace t) {
        return t.events().stream().anyMatch(e -> e instanceof Event.Return
                || e instanceof Event.Call c && (!c.thread().equals(Event.MAIN) || formatTwo(c)));
    }

    /** A position in one line, with the error helpers that know where they are. */
    private static final class Cursor {
        final String source;
        final int lineNo;
        final String text;
        int pos;
        int lastStart;

        Cursor(String source, int lineNo, String text) {
            this.source = source;
            this.lineNo = lineNo;
            this.text = text;
        }

        TraceSyntaxException error(String expected, String found, String hint) {
            return new TraceSyntaxException(source, lineNo, pos + 1, expected, found, hint);
        }

        void skipSpace() {
            while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
                pos++;
            }
        }

        boolean atEnd() {
            skipSpace();
            return pos >= text.length() || text.charAt(pos) == '#';
        }

        char peek() {
            skipSpace();
            return pos < text.length() ? text.charAt(pos) : '\0';
        }

        String peekToken() {
            skipSpace();
            if (pos >= text.length()) {
                return "end of line";
            }
            int end = pos;
            while (end < text.length() && !Character.isWhitespace(text.charAt(end)) && end - pos < 20) {
                end++;
            }
            return text.substring(pos, Math.max(end, pos + 1));
        }

        String peekWord() {
            skipSpace();
            int end = pos;
            while (end < text.length() && isWordChar(text.charAt(end))) {
                end++;
            }
            return text.substring(pos, end);
        }

        char peekAfterWord() {
            int save = pos;
            String w = peekWord();
            int after = pos + w.length();
            pos = save;
            return after < text.length() ? text.charAt(after) : '\0';
        }

        static boolean isWordChar(char ch) {
            return Character.isLetterOrDigit(ch) || ch == '_';
        }

        String word() throws TraceSyntaxException {
            skipSpace();
            lastStart = pos;
            String w = peekWord();
            if (w.isEmpty() || Character.isDigit(w.charAt(0))) {
                throw error("a word", describeHere(), null);
            }
            pos += w.length();
            return w;
        }

        String stateWord() throws TraceSyntaxException {
            skipSpace();
            lastStart = pos;
            int end = pos;
            while (end < text.length() && (isWordChar(text.charAt(end)) || text.charAt(end) == '-')) {
                end++;
            }
            if (end == pos) {
                throw error("a TCP state", describeHere(), "UDP rows have no state (S12); TCP rows end with one");
            }
            String w = text.substring(pos, end);
            pos = end;
            return w;
        }

        String hostName() throws TraceSyntaxException {
            skipSpace();
            String w = peekWord();
            if (w.isEmpty() || !Character.isUpperCase(w.charAt(0))) {
                throw error("a host name (a capital letter, like A)", describeHere(),
                        "an event reads like 'A.p1: socket(INET, STREAM) = 3'");
            }
            return word();
        }

        String describeHere() {
            return pos >= text.length() ? "end of line" : "'" + peekToken() + "'";
        }

        void expect(char ch) throws TraceSyntaxException {
            skipSpace();
            if (pos >= text.length() || text.charAt(pos) != ch) {
                throw error("'" + ch + "'", describeHere(), null);
            }
            pos++;
        }

        void end() throws TraceSyntaxException {
            if (!atEnd()) {
                throw error("end of line", describeHere(), null);
            }
        }

        /**
         * A number as the grammar writes it: an optional '-' and ASCII digits,
         * within the range of a C int (descriptors, sizes, ports and options
         * are ints in the socket API).
         */
        long number(String what) throws TraceSyntaxException {
            skipSpace();
            lastStart = pos;
            int end = pos;
            if (end < text.length() && text.charAt(end) == '-') {
                end++;
            }
            while (end < text.length() && text.charAt(end) >= '0' && text.charAt(end) <= '9') {
                end++;
            }
            if (end == pos || (end == pos + 1 && text.charAt(pos) == '-')) {
                throw error(what, describeHere(), null);
            }
            String digits = text.substring(pos, end);
            long v;
            try {
                v = Long.parseLong(digits);
            } catch (NumberFormatException e) {
                v = Long.MAX_VALUE;
            }
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw error(what + " from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE,
                        shorten(digits, 40), "the socket API's numbers are C ints");
            }
            pos = end;
            return v;
        }

        String variable() throws TraceSyntaxException {
            skipSpace();
            lastStart = pos;
            pos++; // '$'
            String w = peekWord();
            if (w.isEmpty()) {
                throw error("a variable name after '$'", describeHere(), "variables read like $e1");
            }
            pos += w.length();
            return w;
        }

        /**
         * A Unix domain socket's name as a call's argument: a path within
         * the run's own folder, letters, digits, '.', '_' and '-' (no '/',
         * not . or ..), or with a leading '@' a name of the abstract
         * namespace; "" asks the stack to choose (autobind).
         */
        Arg.Addr unixName() throws TraceSyntaxException {
            int start = pos;
            String name = new String(string(), java.nio.charset.StandardCharsets.ISO_8859_1);
            String problem = unixNameProblem(name);
            if (problem != null) {
                pos = start;
                throw error(problem, TraceText.quote(name.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)),
                        "a name is relative to the run's own folder (the runner makes one per run and removes it):"
                        + " write \"srv\", not a path with '/'");
            }
            return Arg.Addr.unix(name);
        }

        /**
         * Descriptors in brackets, [5, 6] or [], each a number or a variable
         * (sendmsg's SCM_RIGHTS, recvmsg's result); at most MAX_POLL_FDS.
         */
        Arg.Fds fds(String expected) throws TraceSyntaxException {
            if (peek() != '[') {
                throw error(expected, describeHere(), "descriptors passed with SCM_RIGHTS are written in brackets");
            }
            expect('[');
            skipSpace();
            List<Arg> out = new ArrayList<>();
            if (peek() == ']') {
                pos++;
                return new Arg.Fds(List.of());
            }
            while (true) {
                if (out.size() == MAX_POLL_FDS) {
                    throw error("']'", "descriptor " + (MAX_POLL_FDS + 1), "at most " + MAX_POLL_FDS + " descriptors here");
                }
                skipSpace();
                out.add(peek() == '$' ? new Arg.Var(variable()) : new Arg.Int(number(expected)));
                skipSpace();
                if (peek() == ']') {
                    pos++;
                    return new Arg.Fds(List.copyOf(out));
                }
                expect(',');
            }
        }

        /** socketpair's two descriptors, [3, 4]: numbers or variables. */
        Arg.Pair pair() throws TraceSyntaxException {
            expect('[');
            skipSpace();
            Arg first = peek() == '$' ? new Arg.Var(variable()) : new Arg.Int(number("a descriptor (number or $var)"));
            expect(',');
            skipSpace();
            Arg second = peek() == '$' ? new Arg.Var(variable()) : new Arg.Int(number("a descriptor (number or $var)"));
            expect(']');
            return new Arg.Pair(first, second);
        }

        Arg.Addr address() throws TraceSyntaxException {
            skipSpace();
            if (peek() == '"') {
                // A Unix name an implementation answered: any bytes it gave.
                return Arg.Addr.unix(new String(string(), java.nio.charset.StandardCharsets.ISO_8859_1));
            }
            String host;
            if (peek() == '*') {
                pos++;
                host = null;
            } else if (peek() == '[') {
                host = bracketed();
            } else {
                String w = peekWord();
                if (pos < text.length() && Character.isDigit(text.charAt(pos)) && text.charAt(pos) < 128) {
                    host = literalIp();
                } else if (w.isEmpty() || !Character.isUpperCase(w.charAt(0))) {
                    throw error("an address like A:80, B:$e1 or *:*", describeHere(), null);
                } else {
                    host = word();
                }
            }
            if (pos >= text.length() || text.charAt(pos) != ':') {
                throw error("':' and a port", describeHere(), "an address reads like A:80");
            }
            pos++;
            Arg.Port port;
            if (pos < text.length() && text.charAt(pos) == '*') {
                pos++;
                port = new Arg.Port.Any();
            } else if (pos < text.length() && text.charAt(pos) == '$') {
                port = new Arg.Port.Var(variable());
            } else if (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
                long p = number("a port");
                if (p < 0 || p > 65535) {
                    throw new TraceSyntaxException(source, lineNo, lastStart + 1, "a port from 0 to 65535",
                            Long.toString(p), null);
                }
                // Port 0 is no label: it is the port * writes (the stack picks one, or none yet).
                port = p == 0 ? new Arg.Port.Any() : new Arg.Port.Label((int) p);
            } else {
                throw error("a port (a number, $var or *)", describeHere(), null);
            }
            return new Arg.Addr(host, port);
        }

        /**
         * An IPv6 address in brackets, as the spec writes it (TraceHost): a
         * host's [A], the v4-mapped [::ffff:A], the wildcard [::], or a
         * literal an implementation answered ([::1], canonical form).
         * Parsed, never resolved.
         */
        String bracketed() throws TraceSyntaxException {
            int start = pos;
            int close = text.indexOf(']', pos);
            // The longest: [::ffff:H] of a host name of 64 characters.
            if (close < 0 || close - pos > "[::ffff:]".length() + 64) {
                throw error("an IPv6 address in brackets, like [A]:80, [::ffff:A]:80 or [::]:80", describeHere(), null);
            }
            String inner = text.substring(pos + 1, close);
            String name = inner.startsWith("::ffff:") ? inner.substring("::ffff:".length()) : inner;
            String host;
            if (inner.equals("::")) {
                host = org.sockcheck.spec.TraceHost.ANY6;
            } else if (org.sockcheck.spec.TraceHost.hostName(name)) {
                host = inner.equals(name) ? org.sockcheck.spec.TraceHost.v6(name) : org.sockcheck.spec.TraceHost.mapped(name);
            } else if (org.sockcheck.spec.Ip6.canonical(inner) != null) {
                host = "[" + org.sockcheck.spec.Ip6.canonical(inner) + "]";
            } else {
                throw error("an IPv6 address in brackets: a host's [A], the v4-mapped [::ffff:A], [::] or a literal like [::1]",
                        describeHere(), null);
            }
            pos = close + 1;
            lastStart = start;
            return host;
        }

        /**
         * An IPv4 address written as four numbers (127.0.0.1): an address that
         * is none of the trace's hosts, as an implementation answered it.
         * Parsed, never resolved.
         */
        String literalIp() throws TraceSyntaxException {
            int start = pos;
            StringBuilder ip = new StringBuilder();
            for (int part = 0; part < 4; part++) {
                if (part > 0) {
                    if (pos >= text.length() || text.charAt(pos) != '.') {
                        pos = start;
                        throw error("an IPv4 address of four numbers (127.0.0.1)", describeHere(), null);
                    }
                    pos++;
                    ip.append('.');
                }
                int digits = 0;
                int value = 0;
                while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9' && digits < 4) {
                    value = value * 10 + (text.charAt(pos++) - '0');
                    digits++;
                }
                if (digits == 0 || digits > 3 || value > 255) {
                    pos = start;
                    throw error("an IPv4 address of four numbers from 0 to 255", describeHere(), null);
                }
                ip.append(value);
            }
            lastStart = start;
            return ip.toString();
        }

        byte[] string() throws TraceSyntaxException {
            skipSpace();
            if (peek() != '"') {
                throw error("a quoted string", describeHere(), "data is written \"like this\", with \\n and \\xHH escapes");
            }
            int start = pos;
            pos++;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (true) {
                if (pos >= text.length()) {
                    pos = start;
                    throw error("a closing '\"'", "end of line", "the string that starts here is not closed");
                }
                char ch = text.charAt(pos++);
                if (ch == '"') {
                    return out.toByteArray();
                }
                if (ch == '\\') {
                    if (pos >= text.length()) {
                        throw error("an escape", "end of line", null);
                    }
                    char e = text.charAt(pos++);
                    switch (e) {
                        case 'n' -> out.write('\n');
                        case 'r' -> out.write('\r');
                        case 't' -> out.write('\t');
                        case '0' -> out.write(0);
                        case '\\', '"' -> out.write(e);
                        case 'x' -> {
                            if (pos + 2 > text.length()) {
                                throw error("two hex digits after \\x", describeHere(), null);
                            }
                            String hex = text.substring(pos, pos + 2);
                            // Two ASCII hex digits: parseInt alone would take "+1" and digits of other scripts.
                            if (!hex.chars().allMatch(h -> h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F')) {
                                throw error("two hex digits after \\x", describeHere(), null);
                            }
                            out.write(Integer.parseInt(hex, 16));
                            pos += 2;
                        }
                        default -> {
                            pos -= 2;
                            throw error("an escape (\\n \\r \\t \\0 \\\\ \\\" \\xHH)", describeHere(), null);
                        }
                    }
                } else if (ch > 0xff) {
                    pos--;
                    throw error("a Latin-1 character or a \\xHH escape", describeHere(),
                            "data is bytes: write other characters as \\xHH");
                } else {
                    out.write(ch);
                }
            }
        }

        Arg argument(Calls.Arg param, String op) throws TraceSyntaxException {
            skipSpace();
            char ch = peek();
            switch (param) {
                case FD, BACKLOG, SIZE, PROTOCOL -> {
                    if (ch == '$' && param == Calls.Arg.FD) {
                        return new Arg.Var(variable());
                    }
                    return new Arg.Int(number(param.description));
                }
                case ADDR -> {
                    if (peekWord().equals(Endpoint.UNSPEC_IP)) {
                        if (!op.equals("connect")) {
                            throw error("an address like A:80", Endpoint.UNSPEC_IP,
                                    "only connect takes AF_UNSPEC (it dissolves an association)");
                        }
                        word();
                        return Arg.Addr.UNSPEC;
                    }
                    if (ch == '"') {
                        return unixName();
                    }
                    return address();
                }
                case DATA -> {
                    return new Arg.Data(string());
                }
                case POLLFDS -> {
                    return polls(Calls.POLL_ASKED, op);
                }
                case RIGHTS -> {
                    return fds(param.description);
                }
                case OPTVALUE -> {
                    if (ch == '{') {
                        return linger();
                    }
                    return new Arg.Int(number(param.description));
                }
                case TIMEOUT -> {
                    long t = number(param.description);
                    if (t != Calls.POLL_NOW && t != Calls.POLL_WAIT) {
                        pos = lastStart;
                        throw error(param.description, Long.toString(t), "a timeout in milliseconds is a timer the spec"
                                + " does not model: poll at once (0), or wait (-1) on a thread of its own");
                    }
                    return new Arg.Int(t);
                }
                case PROCESS -> {
                    String w = peekWord();
                    if (w.isEmpty() || !Character.isLetter(w.charAt(0))) {
                        throw error(param.description, describeHere(), op + " takes the new process's name");
                    }
                    word();
                    return new Arg.Name(w);
                }
                default -> {
                    String w = peekWord();
                    if (pos + w.length() < text.length() && text.charAt(pos + w.length()) == '|') {
                        // Flags joined: STREAM|NONBLOCK, MSG_PEEK|MSG_DONTWAIT|MSG_WAITALL.
                        int save = pos;
                        String joined = w;
                        pos += w.length();
                        while (pos < text.length() && text.charAt(pos) == '|') {
                            pos++;
                            String flag = peekWord();
                            joined = joined + "|" + flag;
                            pos += flag.length();
                        }
                        pos = save;
                        if (param.words().contains(joined)) {
                            pos += joined.length();
                            return new Arg.Name(joined);
                        }
                        // The same flags in another order (MSG_WAITALL|MSG_DONTWAIT): written in one order.
                        List<String> parts = List.of(joined.split("\\|"));
                        for (String word : param.words()) {
                            List<String> canon = List.of(word.split("\\|"));
                            if (canon.size() == parts.size() && new java.util.HashSet<>(canon).equals(new java.util.HashSet<>(parts))) {
                                pos += joined.length();
                                return new Arg.Name(word);
                            }
                        }
                        w = joined;
                    }
                    if (!param.words().contains(w)) {
                        throw error(param.description, describeHere(), op + " takes one of " + new TreeSet<>(param.words()));
                    }
                    if (w.equals("0")) {
                        pos++; // fcntl's flags: none (a number, not a word)
                        return new Arg.Name(w);
                    }
                    word();
                    return new Arg.Name(w);
                }
            }
        }

        Expect result(Calls.Result shape) throws TraceSyntaxException {
            skipSpace();
            switch (shape) {
                case ZERO, DESCRIPTOR, SENT -> {
                    if (peek() == '$') {
                        return new Expect.Returns(new Arg.Var(variable()), null);
                    }
                    if (pos < text.length() && (peek() >= '0' && peek() <= '9' || peek() == '-')) {
                        return new Expect.Returns(new Arg.Int(number(shape.description)), null);
                    }
                    throw error(shape.description + " or an errno name", describeHere(), null);
                }
                case PAIR -> {
                    if (peek() != '[') {
                        throw error(shape.description + " or an errno name", describeHere(), null);
                    }
                    return new Expect.Returns(pair(), null);
                }
                case OPTVAL -> {
                    // getsockopt's value, as strace shows it: [0], [1], [ECONNREFUSED].
                    expect('[');
                    skipSpace();
                    if (peek() == '{') {
                        // SO_LINGER's {l_onoff, l_linger}, as strace shows struct linger.
                        Arg.Linger l = linger();
                        expect(']');
                        return new Expect.Returns(new Arg.Name("[" + Calls.optionText(Calls.lingerValue(l.onoff(), l.seconds()))
                                + "]"), null);
                    }
                    if (peek() == '$') {
                        // A buffer size the stack chose (SO_RCVBUF, SO_SNDBUF): a variable, bound where it is first read.
                        String var = variable();
                        expect(']');
                        return new Expect.Returns(Arg.Name.optionVariable(var), null);
                    }
                    String v = peek() == '-' ? Long.toString(number(shape.description)) : peekWord();
                    if (v.isEmpty()) {
                        throw error(shape.description, describeHere(), null);
                    }
                    if (!Character.isDigit(v.charAt(0)) && v.charAt(0) != '-') {
                        if (OPTION_WORDS.contains(v)) {
                            word();
                        } else if (Errno.named(v).isEmpty()) {
                            throw error("a number, an errno name or one of " + OPTION_WORDS, "'" + v + "'", null);
                        } else {
                            v = Errno.named(v).get().name();
                            word();
                        }
                    } else if (v.charAt(0) != '-') {
                        v = Long.toString(number(shape.description));
                    }
                    expect(']');
                    return new Expect.Returns(new Arg.Name("[" + v + "]"), null);
                }
                case FD_PEER -> {
                    Arg fd = peek() == '$' ? new Arg.Var(variable()) : new Arg.Int(numberOrErrnoHint());
                    keyword("peer");
                    return new Expect.Returns(fd, address());
                }
                case DATA, DATA_FROM -> {
                    // With MSG_TRUNC a recv returns a length: a stream's alone (it copies nothing, 512), a
                    // datagram's before the bytes that fit (512 "abc").
                    Arg value;
                    if (peek() == '"') {
                        value = new Arg.Data(string());
                    } else if (peek() >= '0' && peek() <= '9') {
                        long n = number(shape.description + ", or with MSG_TRUNC a length");
                        skipSpace();
                        value = !atEnd() && peek() == '"' ? new Arg.Data(string(), n) : new Arg.Int(n);
                    } else {
                        value = new Arg.Data(string());
                    }
                    // recvfrom on a stream names no sender: its data alone.
                    if (shape == Calls.Result.DATA || atEnd()) {
                        return new Expect.Returns(value, null);
                    }
                    keyword("from");
                    return new Expect.Returns(value, address());
                }
                case ADDR -> {
                    return new Expect.Returns(address(), null);
                }
                case MESSAGE -> {
                    // recvmsg: the data, then 'rights' and the descriptors received when any came, then 'creds'
                    // and the credentials when the socket shows them (SO_PASSCRED).
                    Arg.Data data = new Arg.Data(string());
                    Arg.Fds rights = new Arg.Fds(List.of());
                    if (!atEnd() && !peekWordIs("creds")) {
                        keyword("rights");
                        rights = fds(shape.description);
                    }
                    String creds = null;
                    if (!atEnd()) {
                        keyword("creds");
                        creds = word();
                    }
                    return new Expect.Returns(new Arg.Message(data, rights, creds), null);
                }
                case POLL -> {
                    return new Expect.Returns(polls(Calls.POLL_REPORTED, "poll"), null);
                }
                default -> throw new IllegalStateException();
            }
        }

        /** SO_LINGER's {l_onoff, l_linger}; the linger is 0 to {@link #MAX_LINGER} seconds. */
        Arg.Linger linger() throws TraceSyntaxException {
            expect('{');
            long onoff = number("l_onoff: 1 (on) or 0 (off)");
            expect(',');
            long seconds = number("l_linger in seconds");
            if (seconds < 0 || seconds > MAX_LINGER) {
                pos = lastStart;
                throw error("l_linger from 0 to " + MAX_LINGER + " seconds", Long.toString(seconds),
                        "SO_LINGER reads like {1, 0}: on, and close resets the connection at once");
            }
            expect('}');
            return new Arg.Linger(onoff, seconds);
        }

        /**
         * A poll's descriptors in brackets, each a number or a variable and
         * its events joined by '|' (0 for none), from these words.
         */
        Arg.Polls polls(List<String> events, String op) throws TraceSyntaxException {
            expect('[');
            List<Arg.PollFd> out = new ArrayList<>();
            if (peek() == ']') {
                pos++;
                return new Arg.Polls(List.of());
            }
            while (true) {
                if (out.size() == MAX_POLL_FDS) {
                    throw error("']'", "descriptor " + (MAX_POLL_FDS + 1), "a poll takes at most " + MAX_POLL_FDS
                            + " descriptors here");
                }
                skipSpace();
                Arg fd = peek() == '$' ? new Arg.Var(variable()) : new Arg.Int(number("a descriptor (number or $var)"));
                skipSpace();
                java.util.Set<String> got = new java.util.HashSet<>();
                if (peek() == '0') {
                    pos++;
                } else {
                    while (true) {
                        String w = peekWord();
                        if (!events.contains(w)) {
                            throw error("one of " + events + " or 0", describeHere(), op + " reads like "
                                    + "poll([3 POLLIN, 4 POLLIN|POLLOUT], 0) = [3 POLLIN, 4 0]");
                        }
                        word();
                        got.add(w);
                        if (pos < text.length() && text.charAt(pos) == '|') {
                            pos++;
                            continue;
                        }
                        break;
                    }
                }
                out.add(new Arg.PollFd(fd, Calls.pollOrder(got)));
                if (peek() == ',') {
                    pos++;
                    continue;
                }
                if (peek() != ']') {
                    throw error("',' or ']'", describeHere(), op + " reads like poll([3 POLLIN, 4 POLLIN|POLLOUT], 0)");
                }
                pos++;
                return new Arg.Polls(List.copyOf(out));
            }
        }

        long numberOrErrnoHint() throws TraceSyntaxException {
            skipSpace();
            if (!(pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9')) {
                throw error("a descriptor or an errno name", describeHere(), "accept gives '4 peer B:$e1'");
            }
            return number("a descriptor");
        }

        boolean peekWordIs(String kw) {
            skipSpace();
            return peekWord().equals(kw);
        }

        void keyword(String kw) throws TraceSyntaxException {
            skipSpace();
            if (!peekWord().equals(kw)) {
                throw error("'" + kw + "'", describeHere(), null);
            }
            word();
        }
    }

    /** Whether a character may be in a word of the format (a name, a keyword). */
    public static boolean wordChar(char ch) {
        return Cursor.isWordChar(ch);
    }

    // ================================================================= printing

    /** The canonical text form; parsing it gives back an equal trace (line numbers aside). */
    public static String print(Trace trace) {
        StringBuilder sb = new StringBuilder();
        for (Trace.Line line : trace.lines()) {
            sb.append(line(line)).append('\n');
        }
        return sb.toString();
    }

    public static String line(Trace.Line line) {
        return switch (line) {
            case Trace.Line.Comment c -> "#" + c.text();
            case Trace.Line.Blank b -> "";
            case Trace.Line.Header h -> h.key() + " " + h.value();
            case Event.Call c -> call(c);
            case Event.Return r -> returned(r);
            case Event.Observe o -> observe(o);
        };
    }

    /** Who makes a call: HOST.proc, and .thread for a thread other than the main one. */
    public static String caller(String host, String process, String thread) {
        return host + "." + process + (thread.equals(Event.MAIN) ? "" : "." + thread);
    }

    public static String returned(Event.Return r) {
        return caller(r.host(), r.process(), r.thread()) + ": " + r.op() + " returns " + expect(r.expect());
    }

    public static String call(Event.Call c) {
        StringBuilder sb = new StringBuilder();
        sb.append(caller(c.host(), c.process(), c.thread())).append(": ").append(callOnly(c));
        return (c.expect() instanceof Expect.Blocks ? sb.append(" blocks") : sb.append(" = ").append(expect(c.expect())))
                .toString();
    }

    public static String callOnly(Event.Call c) {
        StringBuilder sb = new StringBuilder(c.op()).append('(');
        for (int i = 0; i < c.args().size(); i++) {
            sb.append(i > 0 ? ", " : "").append(arg(c.args().get(i)));
        }
        return sb.append(')').toString();
    }

    public static String expect(Expect e) {
        return switch (e) {
            case Expect.Blocks b -> "blocks";
            case Expect.Fails f -> f.errno();
            case Expect.Returns r -> {
                String v = arg(r.value());
                if (r.address() == null) {
                    yield v;
                }
                yield v + (r.value() instanceof Arg.Data ? " from " : " peer ") + arg(r.address());
            }
        };
    }

    public static String observe(Event.Observe o) {
        if (o.rows().isEmpty()) {
            return "observe " + o.host() + ": none";
        }
        StringBuilder sb = new StringBuilder("observe ").append(o.host()).append(": ");
        for (int i = 0; i < o.rows().size(); i++) {
            sb.append(i > 0 ? "; " : "").append(row(o.rows().get(i)));
        }
        return sb.toString();
    }

    public static String row(Event.Row r) {
        if (r.unixState() != null) {
            return "unix " + r.type() + " " + arg(r.local()) + " " + r.unixState();
        }
        return r.proto().word() + " " + arg(r.local()) + " " + arg(r.remote()) + (r.state() == null ? "" : " " + r.state().rfcName());
    }

    public static String arg(Arg a) {
        return switch (a) {
            case Arg.Int i -> Long.toString(i.value());
            case Arg.Name n -> n.name();
            case Arg.Var v -> "$" + v.name();
            case Arg.Data d -> d.toString();
            case Arg.Addr ad when ad.unspec() -> ad.host();
            case Arg.Addr ad when ad.unix() -> quote(ad.path().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            case Arg.Pair p -> "[" + arg(p.first()) + ", " + arg(p.second()) + "]";
            case Arg.Fds f -> f.fds().stream().map(TraceText::arg).collect(java.util.stream.Collectors.joining(", ", "[", "]"));
            case Arg.Message m -> arg(m.data()) + (m.rights().fds().isEmpty() ? "" : " rights " + arg(m.rights()))
                    + (m.creds() == null ? "" : " creds " + m.creds());
            case Arg.Addr ad -> (ad.host() == null ? "*" : ad.host()) + ":" + switch (ad.port()) {
                case Arg.Port.Label l -> Integer.toString(l.label());
                case Arg.Port.Var v -> "$" + v.name();
                case Arg.Port.Any any -> "*";
            };
            case Arg.Linger l -> "{" + l.onoff() + ", " + l.seconds() + "}";
            case Arg.Polls ps -> ps.entries().stream()
                    .map(e -> arg(e.fd()) + " " + Calls.pollText(e.events()))
                    .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
        };
    }

    public static String quote(byte[] bytes) {
        StringBuilder sb = new StringBuilder("\"");
        for (byte b : bytes) {
            int ch = b & 0xff;
            switch (ch) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                default -> {
                    if (ch < 0x20 || ch >= 0x7f) {
                        sb.append(String.format("\\x%02x", ch));
                    } else {
                        sb.append((char) ch);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** A value for a message: as it is when short, else its start and its length; control characters escaped. */
    public static String shortened(String value) {
        String v = shorten(value, 40);
        StringBuilder sb = new StringBuilder();
        v.chars().forEach(ch -> sb.append(ch < 32 || ch == 127 ? String.format("\\x%02x", ch) : String.valueOf((char) ch)));
        return sb.toString();
    }

    /**
     * A value for a message: as it is when at most max characters, else its
     * start and its length (a 10 MB datum is not echoed). The one place
     * messages shorten what they quote.
     */
    public static String shorten(String value, int max) {
        return value == null || value.length() <= max ? value
                : value.substring(0, max * 4 / 5) + "... (" + value.length() + " characters)";
    }
}
