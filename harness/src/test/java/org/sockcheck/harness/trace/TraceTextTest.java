package org.sockcheck.harness.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sockcheck.spec.Profile;
import org.sockcheck.spec.Proto;
import org.sockcheck.spec.TcpState;

class TraceTextTest {
    static final String SAMPLE = """
            # S11: several established sockets share the server's local port
            version 1
            profile POSIX

            A.p1: socket(INET, STREAM) = 3
            A.p1: bind(3, A:80) = 0
            A.p1: listen(3, 8) = 0
            B.p1: socket(INET, STREAM, 6) = $s
            B.p1: connect($s, A:80) = 0
            A.p1: accept(3) = 4 peer B:$e1
            A.p1: send(4, "hi\\n\\x00\\xff\\"q\\\\") = 7
            B.p1: recvfrom($s, 100) = "hi" from A:80
            A.p1: getsockname(4) = A:80
            A.p1: bind(4, *:81) = EINVAL
            A.p1: setsockopt(3, SO_REUSEADDR, 1) = 0
            A.p1: shutdown(4, RDWR) = 0
            observe A: tcp A:80 *:* LISTEN; tcp A:80 B:$e1 ESTABLISHED; udp *:53 *:*
            observe B: none
            """;

    @Test
    void parsesEveryKindOfLine() throws Exception {
        Trace t = TraceText.parse("sample.trace", SAMPLE);
        assertEquals(Profile.POSIX, t.profile());
        assertEquals(List.of("A", "B"), t.hosts());
        assertEquals(List.of("A.p1", "B.p1"), t.processes());
        assertTrue(t.title().startsWith("S11:"));
        List<Event> events = t.events();
        assertEquals(14, events.size());
        Event.Call accept = (Event.Call) events.get(5);
        Event.Expect.Returns r = assertInstanceOf(Event.Expect.Returns.class, accept.expect());
        assertEquals(new Arg.Int(4), r.value());
        assertEquals(new Arg.Addr("B", new Arg.Port.Var("e1")), r.address());
        Event.Call send = (Event.Call) events.get(6);
        assertEquals(new Arg.Data("hi\n\0\u00ff\"q\\".getBytes(StandardCharsets.ISO_8859_1)), send.args().get(1));
        Event.Call bind = (Event.Call) events.get(9);
        assertEquals(new Event.Expect.Fails("EINVAL"), bind.expect());
        assertEquals(new Arg.Addr(null, new Arg.Port.Label(81)), bind.args().get(1));
        Event.Observe obs = (Event.Observe) events.get(12);
        assertEquals(3, obs.rows().size());
        assertEquals(TcpState.LISTEN, obs.rows().get(0).state());
        assertEquals(Proto.UDP, obs.rows().get(2).proto());
        assertEquals(null, obs.rows().get(2).state());
        assertEquals(11, obs.line() - 6);
    }

    @Test
    void textAndJsonLinesConvertBothWaysWithoutLoss() throws Exception {
        Trace t = TraceText.parse("sample.trace", SAMPLE);
        String text = TraceText.print(t);
        assertEquals(SAMPLE, text);
        String jsonl = TraceJson.print(t);
        Trace back = TraceJson.parse("sample.jsonl", jsonl);
        assertEquals(SAMPLE, TraceText.print(back));
        assertEquals(jsonl, TraceJson.print(back));
        assertEquals(t.lines().size(), jsonl.lines().count());
    }

    @Test
    void ipv6AddressesAreWrittenInBracketsAndReadBack() throws Exception {
        String text = """
                # S5: IPv6
                version 2
                profile LINUX

                A.p1: socket(INET6, STREAM) = 3
                A.p1: bind(3, [::]:80) = 0
                A.p1: connect(4, [::ffff:A]:80) = 0
                A.p1: accept(3) = 5 peer [A]:$e1
                A.p1: getpeername(6) = [::1]:80
                A.p1: setsockopt(3, IPV6_V6ONLY, 1) = 0
                """;
        Trace t = TraceText.parse("six.trace", text);
        assertEquals(text, TraceText.print(t));
        assertEquals(text, TraceText.print(TraceJson.parse("six.jsonl", TraceJson.print(t))));
        Event.Call accept = (Event.Call) t.events().get(3);
        assertEquals("[A]", ((Event.Expect.Returns) accept.expect()).address().host());
        assertEquals(List.of("A"), t.hosts());
        assertTrue(TraceText.needsFormatTwo(t));
        // A host's name may be 64 characters long, in every form of its address.
        String h = "H" + "x".repeat(63);
        Trace longName = TraceText.parse("long.trace", "version 2\nA.p1: connect(3, [::ffff:" + h + "]:80) = 0\nA.p1: bind(3, [" + h + "]:80) = 0\n");
        assertEquals(List.of("A", h), longName.hosts());
        // A literal address is for what an implementation answered: a call names the trace's hosts.
        Trace literal = TraceText.parse("lit.trace", "version 2\nA.p1: connect(3, [::1]:80) = 0\n");
        TraceSyntaxException e = assertThrows(TraceSyntaxException.class, () -> org.sockcheck.harness.run.TraceCheck.check(literal));
        assertEquals("an address of a host of the trace (A:80, [A]:80)", e.expected());
    }

    @Test
    void ewouldblockIsReadAsEagain() throws Exception {
        Trace t = TraceText.parse("x", "version 1\nA.p: recv(3, 1) = EWOULDBLOCK\n");
        assertEquals(new Event.Expect.Fails("EAGAIN"), ((Event.Call) t.events().get(0)).expect());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "missing header         | A.p1: socket(INET, STREAM) = 3                 | 1 | 1  | the header 'version 1'",
        "unknown call           | version 1\\nA.p1: sockit(INET, STREAM) = 3     | 2 | 7  | a call",
        "bad type               | version 1\\nA.p1: socket(INET, STREEM) = 3     | 2 | 20 | STREAM, DGRAM, RAW or SEQPACKET, each with or without NONBLOCK",
        "unknown errno          | version 1\\nA.p1: bind(3, A:80) = EADDRINUS    | 2 | 23 | an errno name",
        "missing paren          | version 1\\nA.p1: close(3 = 0                  | 2 | 15 | ',' or ')'",
        "unclosed string        | version 1\\nA.p1: send(3, \"abc) = 3           | 2 | 15 | a closing '\"'",
        "bad port               | version 1\\nA.p1: bind(3, A:x) = 0             | 2 | 17 | a port (a number, $var or *)",
        "host must be capital   | version 1\\na.p1: close(3) = 0                 | 2 | 1  | a host name (a capital letter, like A)",
        "bad state              | version 1\\nobserve A: tcp A:80 *:* LISTENING  | 2 | 25 | a TCP state as RFC 9293 spells it",
        "wrong version          | version 3                                      | 1 | 9  | version 1 or 2",
        "trailing junk          | version 1\\nA.p1: close(3) = 0 0               | 2 | 20 | end of line",
        "too many args          | version 1\\nA.p1: close(3, 4) = 0              | 2 | 15 | ')'",
        "unix name with a slash | version 2\\nA.p1: bind(3, \"a/b\") = 0         | 2 | 15 | a Unix name: 1 to 48 letters, digits, '.', '_' or '-', with '@' first for the abstract namespace",
        "unix name too long     | version 2\\nA.p1: bind(3, \"@0123456789012345678901234567890123456789012345678\") = 0 | 2 | 15 | a Unix name: 1 to 48 letters, digits, '.', '_' or '-', with '@' first for the abstract namespace",
        "unix name in version 1 | version 1\\nA.p1: bind(3, \"srv\") = 0         | 2 | 7  | a call of trace format 1",
        "socketpair result      | version 2\\nA.p1: socketpair(UNIX, STREAM) = 3 | 2 | 34 | two descriptors in brackets, like [3, 4] or an errno name",
        "ipv6 without a host    | version 2\\nA.p1: bind(3, [a]:80) = 0          | 2 | 15 | an IPv6 address in brackets: a host's [A], the v4-mapped [::ffff:A], [::] or a literal like [::1]",
        "ipv6 unclosed          | version 2\\nA.p1: bind(3, [A:80) = 0           | 2 | 15 | an IPv6 address in brackets, like [A]:80, [::ffff:A]:80 or [::]:80",
    })
    void syntaxErrorsSayWhereAndWhat(String name, String text, int line, int column, String expected) {
        TraceSyntaxException e = assertThrows(TraceSyntaxException.class,
                () -> TraceText.parse("bad.trace", text.replace("\\n", "\n")));
        assertEquals(line, e.line(), e.getMessage());
        assertEquals(column, e.column(), e.getMessage());
        assertEquals(expected, e.expected(), e.getMessage());
        assertTrue(e.getMessage().startsWith("bad.trace:" + line + ":" + column + ": expected "), e.getMessage());
    }

    @Test
    void jsonLinesErrorsSayWhichLine() {
        TraceSyntaxException e = assertThrows(TraceSyntaxException.class,
                () -> TraceJson.parse("bad.jsonl", "{\"version\":1}\n{\"host\":\"A\",\"process\":\"p\",\"call\":\"close\",\"args\":[3]}\n"));
        assertEquals(2, e.line());
        assertEquals("\"ret\", \"errno\" or \"blocks\"", e.expected());
        TraceSyntaxException notJson = assertThrows(TraceSyntaxException.class,
                () -> TraceJson.parse("bad.jsonl", "{\"version\":1}\n{oops\n"));
        assertEquals(2, notJson.line());
    }

    /** sendmsg's descriptors and recvmsg's result, in the text form and the JSON Lines form alike (SCM_RIGHTS). */
    @Test
    void descriptorsPassedReadAndPrintInBothForms() throws Exception {
        String text = """
                version 2
                A.p1: socketpair(UNIX, DGRAM) = [3, 4]
                A.p1: sendmsg(3, "take", [3, 4]) = 4
                A.p1: sendmsg(3, "none", []) = 4
                A.p1: recvmsg(4, 10, MSG_PEEK) = "take" rights [5, 6]
                A.p1: recvmsg(4, 10) = "take" rights [7, 8]
                A.p1: recvmsg(4, 10) = "none"
                """;
        Trace t = TraceText.parse("m.trace", text);
        assertEquals(text, TraceText.print(t));
        assertEquals(text, TraceText.print(TraceJson.parse("m.jsonl", TraceJson.print(t))));
        Event.Call send = (Event.Call) t.events().get(1);
        assertEquals(new Arg.Fds(List.of(new Arg.Int(3), new Arg.Int(4))), send.args().get(2));
        Arg.Message got = (Arg.Message) ((Event.Expect.Returns) ((Event.Call) t.events().get(4)).expect()).value();
        assertEquals(List.of(new Arg.Int(7), new Arg.Int(8)), got.rights().fds());
        Arg.Message none = (Arg.Message) ((Event.Expect.Returns) ((Event.Call) t.events().get(5)).expect()).value();
        assertEquals(List.of(), none.rights().fds());
        org.sockcheck.harness.run.TraceCheck.check(t);
        TraceSyntaxException bad = assertThrows(TraceSyntaxException.class,
                () -> TraceText.parse("m.trace", "version 2\nA.p1: sendmsg(3, \"x\", 4) = 1\n"));
        assertEquals("descriptors in brackets, like [5] or [5, 6], or [] for none", bad.expected());
        TraceSyntaxException noRights = assertThrows(TraceSyntaxException.class,
                () -> TraceText.parse("m.trace", "version 2\nA.p1: recvmsg(4, 10) = \"x\" fds [5]\n"));
        assertEquals(2, noRights.line());
    }

    /** sendmsg's SCM_CREDENTIALS and the credentials recvmsg shows (SO_PASSCRED), in both forms; what is not a word is refused. */
    @Test
    void credentialsReadAndPrintInBothForms() throws Exception {
        String text = """
                version 2
                A.p1: socketpair(UNIX, STREAM) = [3, 4]
                A.p1: setsockopt(4, SO_PASSCRED, 1) = 0
                A.p1: sendmsg(3, "ab", [], SCM_CREDENTIALS) = 2
                A.p1: sendmsg(3, "cd", [3], SCM_CREDENTIALS) = 2
                A.p1: recvmsg(4, 10) = "ab" creds p1
                A.p1: recvmsg(4, 10) = "cd" rights [5] creds p1
                A.p1: shutdown(3, WR) = 0
                A.p1: recvmsg(4, 10) = "" creds zero
                """;
        Trace t = TraceText.parse("c.trace", text);
        assertEquals(text, TraceText.print(t));
        String json = TraceJson.print(t);
        assertEquals(text, TraceText.print(TraceJson.parse("c.jsonl", json)));
        Event.Call send = (Event.Call) t.events().get(2);
        assertEquals(new Arg.Name("SCM_CREDENTIALS"), send.args().get(3));
        Arg.Message both = (Arg.Message) ((Event.Expect.Returns) ((Event.Call) t.events().get(5)).expect()).value();
        assertEquals(List.of(new Arg.Int(5)), both.rights().fds());
        assertEquals("p1", both.creds());
        org.sockcheck.harness.run.TraceCheck.check(t);
        TraceSyntaxException noWord = assertThrows(TraceSyntaxException.class,
                () -> TraceText.parse("c.trace", "version 2\nA.p1: recvmsg(4, 10) = \"x\" creds 5\n"));
        assertEquals(2, noWord.line());
        TraceSyntaxException badControl = assertThrows(TraceSyntaxException.class,
                () -> TraceText.parse("c.trace", "version 2\nA.p1: sendmsg(3, \"x\", [], SCM_CREDS) = 1\n"));
        assertEquals(2, badControl.line());
        String spaced = json.replaceFirst("\"creds\":\"p1\"", "\"creds\":\"p 1\"");
        assertNotEquals(json, spaced);
        TraceSyntaxException badJson = assertThrows(TraceSyntaxException.class, () -> TraceJson.parse("c.jsonl", spaced));
        assertEquals(6, badJson.line());
    }

    /** What an implementation may answer, written as the observed run: a call that blocks, an address of no host, a UDP state. */
    @Test
    void observedRunsSayBlocksLiteralAddressesAndUdpStates() throws Exception {
        String text = """
                version 1
                A.p1: accept(3) = 4 peer 127.0.0.1:5000
                A.p1: getpeername(4) = 10.1.2.3:*
                observe A: udp A:53 *:* ESTABLISHED; tcp A:80 127.0.0.1:5000 ESTABLISHED
                A.p1: recv(4, 10) blocks
                """;
        Trace t = TraceText.parse("o.trace", text);
        assertEquals(text, TraceText.print(t));
        assertEquals(text, TraceText.print(TraceJson.parse("o.jsonl", TraceJson.print(t))));
        Event.Call accept = (Event.Call) t.events().get(0);
        assertEquals(new Arg.Addr("127.0.0.1", new Arg.Port.Label(5000)), ((Event.Expect.Returns) accept.expect()).address());
        assertEquals(TcpState.ESTABLISHED, ((Event.Observe) t.events().get(2)).rows().get(0).state());
        assertInstanceOf(Event.Expect.Blocks.class, ((Event.Call) t.events().get(3)).expect());
        org.sockcheck.harness.run.TraceCheck.check(t);
        TraceSyntaxException bad = assertThrows(TraceSyntaxException.class,
                () -> TraceText.parse("o.trace", "version 1\nA.p1: getpeername(4) = 127.0.0.256:80\n"));
        assertEquals("an IPv4 address of four numbers from 0 to 255", bad.expected());
    }

    /** Calls go to the trace's hosts only, and in format 1 a call that blocks ends the trace. */
    @Test
    void literalAddressesInCallsAndEventsAfterABlockAreRefused() throws Exception {
        TraceSyntaxException e = assertThrows(TraceSyntaxException.class, () -> org.sockcheck.harness.run.TraceCheck.check(
                TraceText.parse("t.trace", "version 1\nA.p1: socket(INET, DGRAM) = 3\nA.p1: sendto(3, \"x\", 8.8.8.8:53) = 1\n")));
        assertEquals(3, e.line());
        assertTrue(e.getMessage().contains("8.8.8.8"), e.getMessage());
        e = assertThrows(TraceSyntaxException.class, () -> org.sockcheck.harness.run.TraceCheck.check(
                TraceText.parse("t.trace", "version 1\nA.p1: socket(INET, DGRAM) = 3\nA.p1: recv(3, 10) blocks\n"
                        + "A.p1: close(3) = 0\n")));
        assertEquals(3, e.line());
        assertEquals("a call that blocks as the last event", e.expected());
    }

    /** Numbers are C ints, written with ASCII digits: anything else is a syntax error at its place, never cut to 32 bits. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "A.p1: recv(3, 4294967297) = \"\"|2|15",
        "A.p1: close(2147483648) = EBADF|2|13",
        "A.p1: recv(3, 99999999999999999999999) = \"\"|2|15",
        "A.p1: recv(3, \u0661\u0660) = \"\"|2|15",
    })
    void numbersOutOfRangeOrNotAsciiAreRefused(String line, int lineNo, int column) {
        TraceSyntaxException e = assertThrows(TraceSyntaxException.class, () -> TraceText.parse("n.trace", "version 1\n" + line + "\n"));
        assertEquals(lineNo, e.line(), e.getMessage());
        assertEquals(column, e.column(), e.getMessage());
    }

    @Test
    void aVersionBeyondAnIntIsNotVersionOne() {
        TraceSyntaxException e = assertThrows(TraceSyntaxException.class, () -> TraceText.parse("v.trace", "version 4294967297\n"));
        assertTrue(e.getMessage().contains("4294967297"), e.getMessage());
        TraceSyntaxException j = assertThrows(TraceSyntaxException.class, () -> TraceJson.parse("v.jsonl",
                "{\"version\":1}\n{\"host\":\"A\",\"process\":\"p1\",\"call\":\"close\",\"args\":[4294967299],\"errno\":\"EBADF\"}\n"));
        assertEquals(2, j.line(), j.getMessage());
        assertTrue(j.getMessage().contains("a number from -2147483648 to 2147483647"), j.getMessage());
    }

    @Test
    void aJsonKeyGivenTwiceIsAnErrorNotTheLastOneWinning() {
        TraceSyntaxException e = assertThrows(TraceSyntaxException.class, () -> TraceJson.parse("d.jsonl",
                "{\"version\":1}\n{\"host\":\"A\",\"host\":\"B\",\"process\":\"p1\",\"call\":\"close\",\"args\":[3],\"errno\":\"EBADF\"}\n"));
        assertEquals(2, e.line(), e.getMessage());
        assertTrue(e.getMessage().contains("Duplicate key \"host\""), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"\\x+1", "\\x-1", "\\x\u0661\u0662", "\\xg0"})
    void anEscapeTakesTwoAsciiHexDigitsOnly(String escape) {
        TraceSyntaxException e = assertThrows(TraceSyntaxException.class,
                () -> TraceText.parse("x.trace", "version 1\nA.p1: send(3, \"" + escape + "\") = 1\n"));
        assertEquals("two hex digits after \\x", e.expected(), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"version\":{\"data\":\"hi\"}}|1|version 1 or 2",
            "{\"version\":4294967297}|1|version 1 or 2",
            "{\"version\":1}\\n{\"host\":\"A\",\"process\":\"p1\",\"call\":\"bind\",\"args\":[3,{\"host\":{\"x\":1},\"port\":80}],\"ret\":0}|2|a host name or null",
            "{\"version\":1}\\n{\"host\":\"A\",\"process\":\"p1\",\"call\":\"bind\",\"args\":[3,{\"host\":\"A\",\"port\":65616}],\"ret\":0}|2|a port from 0 to 65535",
            "{\"version\":1}\\n{\"host\":\"A\",\"process\":\"p1\",\"call\":\"bind\",\"args\":[3,{\"host\":\"A\",\"port\":4294967376}],\"ret\":0}|2|a port from 0 to 65535"})
    void jsonValuesOfTheWrongTypeOrRangeAreSyntaxErrors(String text, int line, String expected) {
        TraceSyntaxException e = assertThrows(TraceSyntaxException.class,
                () -> TraceJson.parse("w.jsonl", text.replace("\\n", "\n")));
        assertEquals(line, e.line(), e.getMessage());
        assertEquals(expected, e.expected(), e.getMessage());
    }
}
