package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.impl.RefImplementation;
import org.sockcheck.harness.run.ExpectedResults;
import org.sockcheck.harness.run.Runner;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.harness.run.Verdict;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.harness.trace.TraceText;
import org.sockcheck.harness.validate.SpecJudge;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.tlc.SpecBridge;

/**
 * The runner's verdict is the spec's: a result other than the one written
 * passes when the spec allows it, and an implementation fails where the spec
 * explains nothing it did, even where its result is one the trace does not
 * name.
 */
class SpecVerdictTest {
    private static Runner runner;

    @BeforeAll
    static void spec() throws Exception {
        runner = new Runner(new ExpectedResults(), Duration.ofSeconds(5),
                SpecJudge.on(SpecBridge.load(SpecBridge.Constants.GENERATED), Duration.ofSeconds(10)));
    }

    private static Trace trace(String events) throws Exception {
        return TraceText.parse("t.trace", "# test\nversion 1\nprofile LINUX\n\n" + events);
    }

    /** Two datagrams from two sockets: the spec lets them arrive in either order; the trace names the other one. */
    @Test
    void anotherOrderTheSpecAllowsPasses() throws Exception {
        Trace t = trace("""
                A.p1: socket(INET, DGRAM) = 3
                A.p1: bind(3, A:80) = 0
                B.p1: socket(INET, DGRAM) = 3
                B.p2: socket(INET, DGRAM) = 3
                B.p1: sendto(3, "d", A:80) = 1
                B.p2: sendto(3, "e", A:80) = 1
                A.p1: recvfrom(3, 10) = "e" from B:$two
                A.p1: recvfrom(3, 10) = "d" from B:$one
                """);
        try (RefImplementation ref = new RefImplementation()) {
            TraceResult r = runner.run(t, null, ref);
            assertEquals(Verdict.PASS, r.verdict(), r.message());
            assertTrue(r.message().contains("t.trace:11: A.p1: recvfrom(3, 10)"), r.message());
            assertTrue(r.message().contains("expected: \"e\" from B:$two"), r.message());
            assertTrue(r.message().contains("observed: \"d\" from B:"), r.message());
            assertTrue(r.message().contains("the spec allows this"), r.message());
            assertTrue(r.steps().stream().allMatch(s -> s.ok()), r.steps().toString());
            assertTrue(r.observed().contains("A.p1: recvfrom(3, 10) = \"d\" from B:$"), r.observed());
        }
    }

    /** Two sockets bind the same address; the second bind fails (line 8). */
    private static final String SECOND_BIND_FAILS = """
            A.p1: socket(INET, STREAM) = 3
            A.p1: bind(3, A:80) = 0
            A.p1: socket(INET, STREAM) = 4
            A.p1: bind(4, A:80) = EADDRINUSE
            A.p1: close(4) = 0
            """;

    /** The reference stack with one bug: a bind that should fail succeeds. */
    private static Implementation bindAlwaysSucceeds() {
        return new RefWithBug("ref-with-a-bug", (ref, host, process, call, o) ->
                call instanceof ApiCall.Bind && o instanceof Outcome.Failed ? new Outcome.Value(0) : o);
    }

    @Test
    void whatTheSpecCannotExplainFailsAtThatEvent() throws Exception {
        TraceResult r = runner.run(trace(SECOND_BIND_FAILS), null, bindAlwaysSucceeds());
        assertEquals(Verdict.FAIL, r.verdict(), r.message());
        assertEquals(8, r.line());
        assertTrue(r.message().contains("t.trace:8: A.p1: bind(4, A:80)\n  expected: EADDRINUSE\n  observed: 0"), r.message());
        assertTrue(r.message().contains("no behaviour of the spec explains this; it allows: EADDRINUSE"), r.message());
        assertTrue(r.steps().stream().filter(s -> !s.ok()).map(s -> s.line()).toList().equals(List.of(8)), r.steps().toString());
    }

    @Test
    void theSameRunOnTheCorrectStackPasses() throws Exception {
        try (RefImplementation ref = new RefImplementation()) {
            TraceResult r = runner.run(trace(SECOND_BIND_FAILS), null, ref);
            assertEquals(Verdict.PASS, r.verdict(), r.message());
            assertEquals("", r.message());
        }
    }

    /**
     * The sequence diagram of a run follows the spec's behaviour: connect's
     * call, the handshake's segments, then its return; data as a segment
     * between the two sends and the recv.
     */
    @Test
    void theDiagramDrawsTheSegmentsOfTheSpecsBehaviourBetweenCalls() throws Exception {
        Trace t = trace(SpecTraces.CONNECTION + """
                B.p1: send(3, "d") = 1
                A.p1: recv(4, 10) = "d"
                """);
        try (RefImplementation ref = new RefImplementation()) {
            TraceResult r = runner.run(t, null, ref);
            assertEquals(Verdict.PASS, r.verdict(), r.message());
            List<String> rows = r.diagram().rows().stream().map(x -> x.kind() + " " + x.label()).toList();
            int call = rows.indexOf("CALL connect(3, A:80)");
            int syn = indexOf(rows, "SEGMENT SYN $e1\u219280");
            int synack = indexOf(rows, "SEGMENT SYNACK 80\u2192$e1");
            int ret = rows.indexOf("RETURN = 0");
            assertTrue(call >= 0 && call < syn && syn < synack, rows.toString());
            int connectReturn = rows.subList(synack, rows.size()).indexOf("RETURN = 0") + synack;
            assertTrue(connectReturn > synack && ret >= 0, rows.toString());
            int data = indexOf(rows, "SEGMENT DATA $e1\u219280 \"d\"");
            assertTrue(data > rows.indexOf("CALL send(3, \"d\")") && data < rows.indexOf("RETURN = \"d\""), rows.toString());
            assertTrue(r.diagram().rows().stream().allMatch(x -> x.ok()), rows.toString());
            String svg = r.diagram().svg("title", "");
            assertTrue(svg.startsWith("<svg") && svg.contains("B stack") && svg.contains("SYNACK"), svg);
        }
    }

    /** The row where the run went wrong is marked, with what was expected. */
    @Test
    void theDiagramMarksTheEventTheSpecRejects() throws Exception {
        TraceResult r = runner.run(trace(SECOND_BIND_FAILS), null, bindAlwaysSucceeds());
        List<org.sockcheck.reports.SequenceDiagram.Row> wrong = r.diagram().rows().stream().filter(x -> !x.ok()).toList();
        assertEquals(1, wrong.size(), r.diagram().rows().toString());
        assertEquals(8, wrong.get(0).line());
        assertEquals("= 0", wrong.get(0).label());
        assertEquals("expected: = EADDRINUSE", wrong.get(0).detail());
        assertTrue(r.diagram().svg("t", r.message()).contains("#c62828"), "drawn in red");
    }

    private static int indexOf(List<String> rows, String prefix) {
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }
}
