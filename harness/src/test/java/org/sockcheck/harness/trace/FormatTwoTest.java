package org.sockcheck.harness.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Trace format 2: threads, and a call that blocks and returns later, in both forms and with their errors. */
class FormatTwoTest {
    private static final String TRACE = """
            # a thread waits in accept
            version 2
            A.p1: socket(INET, STREAM) = 3
            A.p1: listen(3, 8) = 0
            A.p1.t2: accept(3) blocks
            B.p1: socket(INET, STREAM) = 3
            B.p1: connect(3, A:$e1) = 0
            A.p1.t2: accept returns 4 peer B:$e2
            A.p1.reader: recv(4, 10) blocks
            A.p1.reader: recv returns ECONNRESET
            """;

    @Test
    void threadsAndReturnsReadAndPrintBothWays() throws Exception {
        Trace t = TraceText.parse("t.trace", TRACE.replace("A:$e1", "A:80"));
        assertEquals(2, t.version());
        Event.Call accept = (Event.Call) t.events().get(2);
        assertEquals("t2", accept.thread());
        assertInstanceOf(Event.Expect.Blocks.class, accept.expect());
        Event.Return back = assertInstanceOf(Event.Return.class, t.events().get(5));
        assertEquals(accept, back.call());
        assertEquals("main", ((Event.Call) t.events().get(0)).thread());
        assertEquals(TRACE.replace("A:$e1", "A:80"), TraceText.print(t));
        Trace json = TraceJson.parse("t.jsonl", TraceJson.print(t));
        assertEquals(t.lines(), json.lines());
        assertTrue(TraceJson.print(t).contains("\"thread\":\"reader\",\"returns\":\"recv\",\"errno\":\"ECONNRESET\""),
                TraceJson.print(t));
        org.sockcheck.harness.run.TraceCheck.check(t);
    }

    @Test
    void pollReadsAndPrintsBothWays() throws Exception {
        String text = """
                version 2
                A.p1: socket(INET, STREAM) = 3
                A.p1: poll([3 POLLIN|POLLOUT|POLLRDHUP, 7 0], 0) = [3 POLLOUT|POLLHUP, 7 POLLNVAL]
                A.p1.t2: poll([3 POLLIN], -1) blocks
                A.p1.t2: poll returns [3 POLLERR]
                """;
        Trace t = TraceText.parse("p.trace", text.replace("POLLOUT|POLLIN", "POLLIN|POLLOUT"));
        Event.Call poll = (Event.Call) t.events().get(1);
        Arg.Polls asked = assertInstanceOf(Arg.Polls.class, poll.args().get(0));
        assertEquals(java.util.List.of("POLLIN", "POLLOUT", "POLLRDHUP"), asked.entries().get(0).events());
        assertEquals(java.util.List.of(), asked.entries().get(1).events());
        assertEquals(text, TraceText.print(t));
        // Events are written in one order whatever order they were read in.
        assertEquals(text, TraceText.print(TraceText.parse("p.trace", text.replace("POLLOUT|POLLHUP", "POLLHUP|POLLOUT"))));
        Trace json = TraceJson.parse("p.jsonl", TraceJson.print(t));
        assertEquals(t.lines(), json.lines());
        assertTrue(TraceJson.print(t).contains("{\"poll\":[{\"fd\":3,\"events\":[\"POLLOUT\",\"POLLHUP\"]}"), TraceJson.print(t));
        org.sockcheck.harness.run.TraceCheck.check(t);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "a thread in format 1        | version 1\\nA.p1.t2: socket(INET, STREAM) = 3                             | 2 | 5  | threads are trace format 2",
        "a return in format 1        | version 1\\nA.p1: accept returns 4 peer B:1                              | 2 | 7  | trace format 2",
        "a return with no call       | version 2\\nA.p1: accept returns 4 peer B:1                              | 2 | 7  | write the call first",
        "a return of another call    | version 2\\nA.p1: socket(INET, STREAM) = 3\\nA.p1: recv(3, 1) blocks\\nA.p1: accept returns 4 peer B:1 | 4 | 7 | ",
        "a call on a waiting thread  | version 2\\nA.p1: socket(INET, STREAM) = 3\\nA.p1: recv(3, 1) blocks\\nA.p1: close(3) = 0 | 4 | 1 | a thread makes one call at a time",
        "poll in format 1            | version 1\\nA.p1: poll([3 POLLIN], 0) = [3 0]                         | 2 | 7  | poll",
        "poll with a timer           | version 2\\nA.p1: poll([3 POLLIN], 100) = [3 0]                       | 2 | 24 | a timer the spec does not model",
        "poll asks for POLLHUP       | version 2\\nA.p1: poll([3 POLLHUP], 0) = [3 0]                        | 2 | 15 | poll reads like",
        "poll answers other fds      | version 2\\nA.p1: poll([3 POLLIN, 4 POLLOUT], 0) = [4 0, 3 0]          | 2 | 40 | the descriptors of the request",
        "poll without a bracket      | version 2\\nA.p1: poll(3 POLLIN, 0) = [3 0]                            | 2 | 12 | ",
        "AF_UNSPEC in format 1       | version 1\\nA.p1: connect(3, AF_UNSPEC) = 0                           | 2 | 7  | connect to AF_UNSPEC and Unix domain sockets are trace format 2",
        "AF_UNSPEC for bind          | version 2\\nA.p1: bind(3, AF_UNSPEC) = 0                              | 2 | 15 | only connect takes AF_UNSPEC",
        "AF_UNSPEC with a port       | version 2\\nA.p1: connect(3, AF_UNSPEC:80) = 0                        | 2 | 27 | ",
    })
    void mistakesSayWhereAndWhat(String name, String text, int line, int column, String hint) {
        TraceSyntaxException e = assertThrows(TraceSyntaxException.class,
                () -> TraceText.parse("bad.trace", text.replace("\\n", "\n")));
        assertEquals(line, e.line(), e.getMessage());
        assertEquals(column, e.column(), e.getMessage());
        assertTrue(hint == null || e.getMessage().contains(hint), e.getMessage());
    }

    @Test
    void flagsInAnyOrderAreWrittenInOne() throws Exception {
        Trace t = TraceText.parse("f.trace", "version 2\nA.p1: socket(INET, STREAM) = 3\n"
                + "A.p1: recv(3, 10, MSG_WAITALL|MSG_DONTWAIT) = EAGAIN\n");
        assertEquals("MSG_DONTWAIT|MSG_WAITALL", ((Arg.Name) ((Event.Call) t.events().get(1)).args().get(2)).name());
        assertTrue(TraceText.print(t).contains("recv(3, 10, MSG_DONTWAIT|MSG_WAITALL) = EAGAIN"), TraceText.print(t));
        // A flag twice is no set of flags.
        assertThrows(TraceSyntaxException.class, () -> TraceText.parse("f.trace", "version 2\nA.p1: socket(INET, STREAM) = 3\n"
                + "A.p1: recv(3, 10, MSG_PEEK|MSG_PEEK) = EAGAIN\n"));
    }

    @Test
    void connectToAfUnspecReadsAndPrintsBothWays() throws Exception {
        String text = """
                version 2
                A.p1: socket(INET, DGRAM) = 3
                A.p1: connect(3, B:53) = 0
                A.p1: connect(3, AF_UNSPEC) = 0
                """;
        Trace t = TraceText.parse("u.trace", text);
        Arg.Addr unspec = assertInstanceOf(Arg.Addr.class, ((Event.Call) t.events().get(2)).args().get(1));
        assertTrue(unspec.unspec());
        assertEquals(false, ((Arg.Addr) ((Event.Call) t.events().get(1)).args().get(1)).unspec());
        // AF_UNSPEC is no host of the trace.
        assertEquals(java.util.List.of("A", "B"), t.hosts());
        assertEquals(text, TraceText.print(t));
        Trace json = TraceJson.parse("u.jsonl", TraceJson.print(t));
        assertEquals(t.lines(), json.lines());
        assertThrows(TraceSyntaxException.class, () -> TraceJson.parse("u.jsonl", TraceJson.print(t).replace(
                "\"host\":\"AF_UNSPEC\",\"port\":\"*\"", "\"host\":\"AF_UNSPEC\",\"port\":80")));
        org.sockcheck.harness.run.TraceCheck.check(t);
        // JSON Lines names the call apart from its address: bind to AF_UNSPEC is refused there too.
        TraceSyntaxException e = assertThrows(TraceSyntaxException.class, () -> TraceJson.parse("u.jsonl", TraceJson.print(t)
                .replace("\"connect\",\"args\":[3,{\"host\":\"AF_UNSPEC\"", "\"bind\",\"args\":[3,{\"host\":\"AF_UNSPEC\"")));
        assertTrue(e.getMessage().contains("only connect takes AF_UNSPEC"), e.getMessage());
    }

    @Test
    void msgTruncResultsReadAndPrintBothWays() throws Exception {
        String text = """
                version 2
                A.p1: recv(4, 8, MSG_TRUNC) = 16
                A.p1: recvfrom(3, 4, MSG_PEEK|MSG_TRUNC) = 17 "a lo" from B:53
                A.p1: recv(3, 100, MSG_TRUNC) = "short"
                """;
        Trace t = TraceText.parse("m.trace", text);
        Event.Expect.Returns count = (Event.Expect.Returns) ((Event.Call) t.events().get(0)).expect();
        assertEquals(new Arg.Int(16), count.value());
        Event.Expect.Returns cut = (Event.Expect.Returns) ((Event.Call) t.events().get(1)).expect();
        assertEquals(17, ((Arg.Data) cut.value()).returned());
        assertEquals(4, ((Arg.Data) cut.value()).bytes().length);
        // A length that is the bytes' own is no length: the same result as the bytes alone.
        assertEquals(new Arg.Data("short".getBytes(), 5), new Arg.Data("short".getBytes()));
        assertEquals(text, TraceText.print(t));
        Trace json = TraceJson.parse("m.jsonl", TraceJson.print(t));
        assertEquals(t.lines(), json.lines());
        assertTrue(TraceJson.print(t).contains("{\"data\":\"a lo\",\"length\":17}"), TraceJson.print(t));
        TraceSyntaxException e = assertThrows(TraceSyntaxException.class, () -> TraceJson.parse("m.jsonl",
                TraceJson.print(t).replace("\"length\":17", "\"length\":-1")));
        assertTrue(e.getMessage().contains("MSG_TRUNC"), e.getMessage());
    }

    @Test
    void bufferSizesReadAsNumbersOrVariables() throws Exception {
        String text = """
                version 2
                A.p1: setsockopt(3, SO_RCVBUF, -1) = 0
                A.p1: getsockopt(3, SO_RCVBUF) = [$max]
                A.p1: setsockopt(3, SO_SNDBUF, 10000) = 0
                A.p1: getsockopt(3, SO_SNDBUF) = [20000]
                """;
        Trace t = TraceText.parse("b.trace", text);
        assertEquals(new Arg.Name("[$max]"), ((Event.Expect.Returns) ((Event.Call) t.events().get(1)).expect()).value());
        assertEquals(new Arg.Int(-1), ((Event.Call) t.events().get(0)).args().get(2));
        assertEquals(text, TraceText.print(t));
        assertEquals(t.lines(), TraceJson.parse("b.jsonl", TraceJson.print(t)).lines());
        TraceSyntaxException e = assertThrows(TraceSyntaxException.class, () -> TraceText.parse("b.trace",
                text.replace("[$max]", "[$max")));
        assertTrue(e.getMessage().contains("b.trace:3"), e.getMessage());
    }

    @Test
    void msgNoSignalIsFormatTwoAndAnArgumentTheSpecDoesNotModel() throws Exception {
        String text = """
                version 2
                A.p1: send(3, "x", MSG_NOSIGNAL) = EPIPE
                A.p1: sendto(4, "y", B:53, MSG_NOSIGNAL) = 1
                """;
        Trace t = TraceText.parse("n.trace", text);
        assertEquals(new Arg.Name("MSG_NOSIGNAL"), ((Event.Call) t.events().get(0)).args().get(2));
        assertEquals(text, TraceText.print(t));
        assertEquals(t.lines(), TraceJson.parse("n.jsonl", TraceJson.print(t)).lines());
        TraceSyntaxException one = assertThrows(TraceSyntaxException.class, () -> TraceText.parse("n.trace",
                text.replace("version 2", "version 1")));
        assertTrue(one.getMessage().contains("version 2"), one.getMessage());
        TraceSyntaxException bad = assertThrows(TraceSyntaxException.class, () -> TraceText.parse("n.trace",
                text.replace("MSG_NOSIGNAL) = EPIPE", "MSG_PEEK) = EPIPE")));
        assertTrue(bad.getMessage().contains("MSG_NOSIGNAL"), bad.getMessage());
    }

    @Test
    void aJsonReturnWithNoCallIsTheSameMistake() {
        TraceSyntaxException e = assertThrows(TraceSyntaxException.class, () -> TraceJson.parse("bad.jsonl",
                "{\"version\":2}\n{\"host\":\"A\",\"process\":\"p1\",\"thread\":\"t2\",\"returns\":\"recv\",\"ret\":{\"data\":\"x\"}}\n"));
        assertEquals(2, e.line(), e.getMessage());
        assertTrue(e.getMessage().contains("write the call first"), e.getMessage());
    }

    @Test
    void formatOneStillEndsWithTheCallThatBlocks() throws Exception {
        Trace t = TraceText.parse("t.trace", "version 1\nA.p1: socket(INET, DGRAM) = 3\nA.p1: recv(3, 10) blocks\n");
        org.sockcheck.harness.run.TraceCheck.check(t);
        Trace v2 = TraceText.parse("t.trace", "version 2\nA.p1: socket(INET, DGRAM) = 3\nA.p1: recv(3, 10) blocks\n"
                + "A.p1.t2: close(3) = 0\n");
        org.sockcheck.harness.run.TraceCheck.check(v2);
    }

    @Test
    void unixRowsReadAndPrintBothWays() throws Exception {
        String text = """
                version 2
                A.p1: socket(UNIX, STREAM) = 3
                observe A: unix STREAM "" UNCONNECTED
                A.p1: bind(3, "@srv") = 0
                A.p1: listen(3, 1) = 0
                observe A: unix STREAM "@srv" LISTEN; unix DGRAM "d" CONNECTED; unix SEQPACKET "srv" CONNECTING
                """;
        Trace t = TraceText.parse("x.trace", text);
        Event.Observe o = assertInstanceOf(Event.Observe.class, t.events().get(4));
        assertEquals(Event.Row.unix(org.sockcheck.spec.SockType.SEQPACKET, "srv", org.sockcheck.spec.UnixState.CONNECTING),
                o.rows().get(2));
        assertEquals("", ((Event.Observe) t.events().get(1)).rows().get(0).local().path());
        assertEquals(text, TraceText.print(t));
        Trace json = TraceJson.parse("x.jsonl", TraceJson.print(t));
        assertEquals(t.lines(), json.lines());
        assertTrue(TraceJson.print(t).contains(
                "{\"proto\":\"unix\",\"type\":\"STREAM\",\"local\":{\"path\":\"@srv\"},\"state\":\"LISTEN\"}"),
                TraceJson.print(t));
        org.sockcheck.harness.run.TraceCheck.check(t);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "observe A: unix RAW \"a\" CONNECTED | a Unix socket's type (STREAM, DGRAM or SEQPACKET)",
            "observe A: unix STREAM a CONNECTED | the socket's name in quotes",
            "observe A: unix STREAM \"a\" ESTABLISHED | a Unix socket's state",
            "observe A: unix STREAM \"a\" | a word"})
    void aWrongUnixRowSaysWhatWasExpected(String row, String expected) {
        TraceSyntaxException e = assertThrows(TraceSyntaxException.class,
                () -> TraceText.parse("x.trace", "version 2\nA.p1: socket(UNIX, STREAM) = 3\n" + row + "\n"));
        assertTrue(e.getMessage().contains("x.trace:3") && e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void aUnixRowIsFormatTwo() {
        TraceSyntaxException e = assertThrows(TraceSyntaxException.class,
                () -> TraceText.parse("x.trace", "version 1\nobserve A: unix STREAM \"a\" LISTEN\n"));
        assertTrue(e.getMessage().contains("x.trace:2") && e.getMessage().contains("version 2"), e.getMessage());
    }
}
