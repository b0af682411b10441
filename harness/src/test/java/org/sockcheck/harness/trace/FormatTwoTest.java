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

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "a thread in format 1        | version 1\\nA.p1.t2: socket(INET, STREAM) = 3                             | 2 | 5  | threads are trace format 2",
        "a return in format 1        | version 1\\nA.p1: accept returns 4 peer B:1                              | 2 | 7  | trace format 2",
        "a return with no call       | version 2\\nA.p1: accept returns 4 peer B:1                              | 2 | 7  | write the call first",
        "a return of another call    | version 2\\nA.p1: socket(INET, STREAM) = 3\\nA.p1: recv(3, 1) blocks\\nA.p1: accept returns 4 peer B:1 | 4 | 7 | ",
        "a call on a waiting thread  | version 2\\nA.p1: socket(INET, STREAM) = 3\\nA.p1: recv(3, 1) blocks\\nA.p1: close(3) = 0 | 4 | 1 | a thread makes one call at a time",
    })
    void mistakesSayWhereAndWhat(String name, String text, int line, int column, String hint) {
        TraceSyntaxException e = assertThrows(TraceSyntaxException.class,
                () -> TraceText.parse("bad.trace", text.replace("\\n", "\n")));
        assertEquals(line, e.line(), e.getMessage());
        assertEquals(column, e.column(), e.getMessage());
        assertTrue(hint == null || e.getMessage().contains(hint), e.getMessage());
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
}
