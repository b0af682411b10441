package org.sockcheck.harness.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Known divergences: how an expectations file is read and how it changes a verdict. */
class ExpectationsTest {

    @TempDir
    Path dir;

    private static TraceResult result(String trace, Verdict v, String message) {
        return new TraceResult(trace, "f", "t", "linux", v, message, 1, List.of(), 0, "", "", TraceResult.Drawing.NONE);
    }

    private Expectations load(String yaml) throws Exception {
        Path f = dir.resolve("linux.yaml");
        Files.writeString(f, yaml);
        return Expectations.load(f);
    }

    @Test
    void aMatchingFailureIsXfailAndAPassOfANamedTraceIsXpass() throws Exception {
        Expectations e = load("""
                - id: peer-after-time-wait
                  match: "getpeername\\\\(\\\\d+\\\\)\\\\n  expected: [A-Z]\\\\w*:\\\\S+\\\\n  observed: ENOTCONN"
                  verdict: FAIL
                  reason: the descriptor's socket is closed
                - id: named
                  trace: generated/cover-014.trace
                  reason: something
                """);
        TraceResult peer = result("x.trace", Verdict.FAIL, "x.trace:51: A.p2: getpeername(3)\n  expected: A:80\n  observed: ENOTCONN");
        assertEquals(Verdict.XFAIL, e.judge(peer));
        assertEquals("peer-after-time-wait", e.explaining(peer).orElseThrow().id());
        TraceResult other = result("x.trace", Verdict.FAIL, "x.trace:3: A.p2: getsockname(3)\n  expected: A:80\n  observed: ENOTCONN");
        assertEquals(Verdict.FAIL, e.judge(other));
        assertEquals(Verdict.XPASS, e.judge(result("conformance/generated/cover-014.trace", Verdict.PASS, "")));
        assertEquals(Verdict.PASS, e.judge(result("conformance/generated/cover-001.trace", Verdict.PASS, "")));
        assertEquals(Verdict.XFAIL, e.judge(result("conformance/generated/cover-014.trace", Verdict.FAIL, "anything")));
        Expectations both = load("""
                - id: example-and-pattern
                  trace: generated/cover-014.trace
                  match: "getpeername"
                  reason: r
                """);
        assertEquals(Verdict.XFAIL, both.judge(peer), "the pattern explains a failure in any trace");
        assertEquals(Verdict.XPASS, both.judge(result("generated/cover-014.trace", Verdict.PASS, "")), "the example must fail");
    }

    /** A failure as the runner makes it: the failing step at its line, and the message. */
    private static TraceResult failure(String trace, int line, String call, String expected, String observed) {
        List<Step> steps = List.of(new Step(line - 1, "A.p1: socket(INET, STREAM)", "3", "3", true),
                new Step(line, "A.p1: " + call, expected, observed, false));
        return new TraceResult(trace, "f", "t", "linux", Verdict.FAIL, trace + ":" + line + ": A.p1: " + call
                + "\n  expected: " + expected + "\n  observed: " + observed, line, steps, 0, "", "", TraceResult.Drawing.NONE);
    }

    @Test
    void anEntryMatchesByTraceLineCallExpectedAndObserved() throws Exception {
        Expectations e = load("""
                - id: listener-shutdown
                  call: 'shutdown\\(\\d+, (RD|WR|RDWR)\\)'
                  expected: ENOTCONN
                  observed: "0"
                  reason: r
                - id: only-there
                  trace: scenarios/bind/x.trace
                  line: 7
                  observed: EINVAL
                  reason: r
                """);
        TraceResult shut = failure("scenarios/a.trace", 5, "shutdown(3, RDWR)", "ENOTCONN", "0");
        assertEquals(Verdict.XFAIL, e.judge(shut));
        assertEquals("listener-shutdown", e.explaining(shut).orElseThrow().id());
        // Expected and observed match the whole text: 0 is not 10, ENOTCONN is not ENOTCONN|EINVAL.
        assertEquals(Verdict.FAIL, e.judge(failure("scenarios/a.trace", 5, "shutdown(3, RDWR)", "ENOTCONN", "10")));
        assertEquals(Verdict.FAIL, e.judge(failure("scenarios/a.trace", 5, "shutdown(3, RDWR)", "ENOTCONN or EINVAL", "0")));
        assertEquals(Verdict.FAIL, e.judge(failure("scenarios/a.trace", 5, "close(3)", "ENOTCONN", "0")));
        // With structure, the trace named restricts the entry, and so does the line.
        assertEquals(Verdict.XFAIL, e.judge(failure("conformance/scenarios/bind/x.trace", 7, "bind(3, A:80)", "0", "EINVAL")));
        assertEquals(Verdict.FAIL, e.judge(failure("conformance/scenarios/bind/y.trace", 7, "bind(3, A:80)", "0", "EINVAL")));
        assertEquals(Verdict.FAIL, e.judge(failure("conformance/scenarios/bind/x.trace", 8, "bind(3, A:80)", "0", "EINVAL")));
        // A pass of the trace it names is XPASS, as for any entry that names a trace.
        assertEquals(Verdict.XPASS, e.judge(result("conformance/scenarios/bind/x.trace", Verdict.PASS, "")));
    }

    @Test
    void staleEntriesAreNamed() throws Exception {
        Expectations e = load("""
                - id: used
                  observed: EINVAL
                  reason: r
                - id: unused
                  observed: EPERM
                  reason: r
                - id: gone
                  trace: scenarios/removed.trace
                  match: "x"
                  reason: r
                """);
        TraceResult r = failure("scenarios/a.trace", 3, "bind(3, A:80)", "0", "EINVAL");
        List<String> found = List.of("conformance/scenarios/a.trace");
        List<String> whole = e.stale(java.util.Set.of("used"), List.of(r), found, true);
        assertEquals(2, whole.size(), whole.toString());
        assertTrue(whole.get(0).endsWith("linux.yaml:4: entry 2 (unused): matched no run"), whole.toString());
        assertTrue(whole.get(1).endsWith("(gone): names the trace scenarios/removed.trace, which is not among the traces"),
                whole.toString());
        // A part of the corpus: an entry that matched nothing may match elsewhere; a missing trace is still named.
        List<String> part = e.stale(java.util.Set.of("used"), List.of(r), found, false);
        assertEquals(1, part.size(), part.toString());
        assertTrue(part.get(0).contains("(gone)"), part.toString());
    }

    @Test
    void aListCanBeAnothers() throws Exception {
        Files.writeString(dir.resolve("driver-x.yaml"), "same-as: linux.yaml\n");
        load("- id: shared\n  match: \"x\"\n  reason: r\n");
        Expectations e = Expectations.load(dir.resolve("driver-x.yaml"));
        assertEquals("shared", e.entries().get(0).id());
        Files.writeString(dir.resolve("self.yaml"), "same-as: self.yaml\n");
        assertThrows(Expectations.BadExpectations.class, () -> Expectations.load(dir.resolve("self.yaml")));
    }

    @Test
    void eachImplementationHasItsFile() {
        assertEquals("linux.yaml", Expectations.fileName("linux"));
        assertEquals("driver-sockcheck_driver.yaml", Expectations.fileName("driver:python3 drivers/python/sockcheck_driver.py"));
        assertEquals("driver-stack.yaml", Expectations.fileName("driver:/opt/stack"));
    }

    @Test
    void aMissingFileListsNothing() throws Exception {
        assertEquals(List.of(), Expectations.load(dir.resolve("none.yaml")).entries());
    }

    @Test
    void badFilesAreReportedWithTheEntry() throws Exception {
        Expectations.BadExpectations noReason = assertThrows(Expectations.BadExpectations.class,
                () -> load("- id: x\n  trace: a.trace\n"));
        assertTrue(noReason.getMessage().contains("entry 1") && noReason.getMessage().contains("reason"), noReason.getMessage());
        Expectations.BadExpectations badRegex = assertThrows(Expectations.BadExpectations.class,
                () -> load("- id: x\n  match: \"(\"\n  reason: r\n"));
        assertTrue(badRegex.getMessage().contains("regular expression"), badRegex.getMessage());
        Expectations.BadExpectations notYaml = assertThrows(Expectations.BadExpectations.class,
                () -> load("- id: [unclosed\n"));
        assertTrue(notYaml.getMessage().contains("linux.yaml:"), notYaml.getMessage());
        Expectations.BadExpectations verdict = assertThrows(Expectations.BadExpectations.class,
                () -> load("- id: x\n  trace: a\n  reason: r\n  verdict: MAYBE\n"));
        assertTrue(verdict.getMessage().contains("MAYBE"), verdict.getMessage());
    }

    private String problem(String yaml) {
        return assertThrows(Expectations.BadExpectations.class, () -> load(yaml)).getMessage();
    }

    @Test
    void eachProblemNamesTheLineOfItsEntry() {
        String m = problem("# two entries\n- id: a\n  trace: a.trace\n  reason: r\n\n- id: b\n  trace: b.trace\n");
        assertTrue(m.startsWith(dir.resolve("linux.yaml") + ":6: entry 2: needs id, reason"), m);
        assertTrue(m.contains("hint: "), m);
        m = problem("- id: a\n  trace: [a, b]\n  reason: r\n");
        assertTrue(m.contains(":1: entry 1: trace takes text, found [\"a\",\"b\"]"), m);
        m = problem("- just a string\n");
        assertTrue(m.contains(":1: entry 1: expected an entry"), m);
        m = problem("- id: a\n  trace: a\n  reason: r\n  verdict: PASS\n");
        assertTrue(m.contains("verdict PASS is not FAIL (the only verdict a list holds)"), m);
        m = problem("- id: crash\n  trace: a\n  reason: r\n  verdict: ERROR\n");
        assertTrue(m.contains(":1: entry 1 (crash): an ERROR cannot be listed"), m);
        assertTrue(m.contains("hint: fix the implementation or its driver"), m);
        m = problem("- id: cannot\n  trace: a\n  reason: r\n  verdict: SKIP\n");
        assertTrue(m.contains(":1: entry 1 (cannot): a SKIP cannot be listed"), m);
        m = problem("- id: where\n  line: zero\n  reason: r\n");
        assertTrue(m.contains("line takes a line number of the trace, found zero"), m);
        m = problem("- id: bad\n  call: \"bind(\"\n  reason: r\n");
        assertTrue(m.contains("(bad): call is not a regular expression"), m);
    }

    @Test
    void bytesThatAreNotUtf8AreNamedWithTheirPlace() throws Exception {
        Path f = dir.resolve("linux.yaml");
        Files.write(f, new byte[] {'-', ' ', 'i', 'd', ':', ' ', 'a', '\n', ' ', ' ', 'r', (byte) 0xff});
        String m = assertThrows(Expectations.BadExpectations.class, () -> Expectations.load(f)).getMessage();
        assertTrue(m.startsWith(f + ":2:4: expected UTF-8 text, found the byte 0xff"), m);
        assertTrue(!m.contains("Input length"), m);
    }

    @Test
    void sameAsThatGoesRoundIsRefused() throws Exception {
        Files.writeString(dir.resolve("a.yaml"), "same-as: b.yaml\n");
        Files.writeString(dir.resolve("b.yaml"), "same-as: a.yaml\n");
        String m = assertThrows(Expectations.BadExpectations.class, () -> Expectations.load(dir.resolve("a.yaml")))
                .getMessage();
        assertTrue(m.contains("loop"), m);
        Files.writeString(dir.resolve("c.yaml"), "same-as: nowhere.yaml\n");
        m = assertThrows(Expectations.BadExpectations.class, () -> Expectations.load(dir.resolve("c.yaml"))).getMessage();
        assertTrue(m.contains("nowhere.yaml:1: same-as names a file that is not there"), m);
    }

    @Test
    void aPatternThatBacktracksWithoutEndIsBadInputNotAHang() throws Exception {
        Expectations e = load("- id: slow\n  match: \"(.*a){20}b\"\n  reason: r\n");
        TraceResult r = result("x.trace", Verdict.FAIL, "a".repeat(40));
        String m = assertThrows(Expectations.BadPattern.class, () -> e.judge(r)).getMessage();
        assertTrue(m.contains("linux.yaml:1: entry 1 (slow): match gave up after"), m);
    }
}
