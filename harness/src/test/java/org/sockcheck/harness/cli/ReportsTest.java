package org.sockcheck.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.harness.run.Verdict;
import org.sockcheck.reports.CaseResult;
import org.sockcheck.harness.run.Step;
import org.sockcheck.harness.run.Witnessed;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.harness.trace.TraceText;

/** How verdicts appear in the Allure results and JUnit XML. */
class ReportsTest {
    /** A run of bind(3, A:80) that returned 0 where the trace expected EADDRINUSE. */
    private static TraceResult run(Verdict v, String observed) throws Exception {
        Trace t = TraceText.parse("t.trace", "# t\nversion 1\nA.p1: socket(INET, STREAM) = 3\n\n"
                + "A.p1: bind(3, A:80) = EADDRINUSE\n");
        List<Step> steps = List.of(new Step(3, "A.p1: socket(INET, STREAM) = 3", "3", "3", true),
                new Step(5, "A.p1: bind(3, A:80) = EADDRINUSE", "EADDRINUSE", "0", false));
        return new TraceResult("bind/t.trace", "bind", "t", "linux", v, "t.trace:5: A.p1: bind(3, A:80)\n"
                + "  known divergence: some-id", 5, steps, 1, "observe A: none\n", observed,
                new TraceResult.Drawing(t, List.of(new Witnessed.Called(0)), List.of(3, 5)));
    }

    private static CaseResult one(Verdict v, String observed) throws Exception {
        return Reports.cases(List.of(run(v, observed)), null).get(0);
    }

    @Test
    void runsThatDidNotPassAreDrawnAndTheReportFolderHasThemAndTheCoverage(@TempDir Path dir) throws Exception {
        assertTrue(one(Verdict.XFAIL, "").diagram().startsWith("<svg"), "an expected failure is drawn");
        assertEquals("", one(Verdict.PASS, "").diagram(), "a pass is not drawn");
        List<TraceResult> results = List.of(run(Verdict.XFAIL, ""), run(Verdict.PASS, ""));
        Reports.write(dir, results, null, new CheckCommand.Summary(results, null,
                "spec coverage of the passing runs:\n  linux: spec actions 31/40 (78%)\n", false));
        try (var files = Files.list(dir.resolve("allure-results"))) {
            List<Path> svgs = files.filter(p -> p.toString().endsWith(".svg")).toList();
            assertEquals(1, svgs.size(), "one diagram, for the run that did not pass");
            String svg = Files.readString(svgs.get(0));
            assertTrue(svg.contains("expected: = EADDRINUSE") && svg.contains("#c62828"), svg);
        }
        String env = Files.readString(dir.resolve("allure-results/environment.properties"));
        assertTrue(env.contains("spec\\ coverage,\\ linux = spec actions 31/40 (78%)"), env);
        assertTrue(env.contains("runs = 2 runs: 1 pass, 0 fail, 1 xfail"), env);
        String categories = Files.readString(dir.resolve("allure-results/categories.json"));
        assertTrue(categories.contains("Known divergences (XFAIL)"), categories);
        String html = Files.readString(dir.resolve("matrix.html"));
        assertTrue(html.contains("<svg") && html.contains("<h2>Spec coverage</h2>"), html);
    }

    @Test
    void expectedFailureIsSkippedWithTheDivergenceInItsMessage() throws Exception {
        CaseResult c = one(Verdict.XFAIL, "# observed\nversion 1\n");
        assertEquals(CaseResult.Status.SKIPPED, c.status());
        assertTrue(c.message().startsWith("XFAIL (known divergence): t.trace:5"), c.message());
        assertTrue(c.message().contains("some-id"), c.message());
        assertTrue(c.attachments().keySet().stream().anyMatch(k -> k.startsWith("observed run")), c.attachments().toString());
    }

    @Test
    void passIsPassedWithoutTheObservedRun() throws Exception {
        CaseResult c = one(Verdict.PASS, "# observed\nversion 1\n");
        assertEquals(CaseResult.Status.PASSED, c.status());
        assertTrue(c.attachments().keySet().stream().noneMatch(k -> k.startsWith("observed run")), c.attachments().toString());
    }

    /** A FAIL as the runner words it: the event, expected, observed, what the spec allows, how far it searched. */
    private static TraceResult failed(long startedAt, long millis) throws Exception {
        TraceResult r = run(Verdict.FAIL, "# observed\nversion 1\n");
        return new TraceResult(r.trace(), r.feature(), r.title(), r.implementation(), Verdict.FAIL,
                "bind/t.trace:5: A.p1: bind(3, A:80)\n  expected: EADDRINUSE\n  observed: 0\n"
                        + "  no behaviour of the spec explains this; it allows: EADDRINUSE\n  (searched 9 states)",
                5, r.steps(), millis, r.tables(), r.observed(), r.drawing(), org.sockcheck.harness.run.JudgedBy.SPEC, startedAt);
    }

    /** A SKIP as the runner words it: the trace, the line, the event, then the implementation's reason. */
    private static TraceResult skipped(String impl, String trace, int line, String event, String why) throws Exception {
        Trace t = TraceText.parse(trace, "# t\nversion 1\nA.p1: socket(INET, STREAM) = 3\n" + event + " = 0\n");
        return new TraceResult(trace, "descriptors", "t", impl, Verdict.SKIP, trace + ":" + line + ": "
                + event + ": " + why, line, List.of(), 3, "", "", new TraceResult.Drawing(t, List.of(), List.of()),
                org.sockcheck.harness.run.JudgedBy.NO_RUN, 0);
    }

    @Test
    void aFailureIsOneLineOfWhereExpectedObservedAndWhatTheSpecAllows() throws Exception {
        String line = "bind/t.trace:5: A.p1: bind(3, A:80): expected EADDRINUSE, observed 0 (the spec allows: EADDRINUSE)";
        Headline.Told told = Headline.of(failed(1, 1), null);
        assertEquals(line, told.line());
        assertEquals(List.of("  (searched 9 states)"), told.details());
        CaseResult c = Reports.cases(List.of(failed(1, 1)), null).get(0);
        assertEquals(line, c.headline());
        assertEquals("FAIL: not a behaviour of the spec", c.type());
        assertTrue(c.message().contains("\n  expected: EADDRINUSE\n"), "the whole message stays the case's text: " + c.message());
        String problems = new CheckCommand.Summary(List.of(failed(1, 1)), null, "", false).problems();
        assertTrue(problems.contains("\nFAIL on linux: " + line + "\n    (searched 9 states)\n"), problems);
        // A known divergence says which in the same line.
        TraceResult xfail = failed(1, 1).judged(Verdict.XFAIL, failed(1, 1).message() + "\n  known divergence: binds-once");
        assertEquals(line + "; known divergence: binds-once", Headline.of(xfail, null).line());
        assertEquals("XFAIL: " + line + "; known divergence: binds-once", Reports.cases(List.of(xfail), null).get(0).headline());
    }

    @Test
    void skipsAreListedByCauseTheBiggestFirst() throws Exception {
        List<TraceResult> results = List.of(
                skipped("jdk", "d/a.trace", 4, "A.p1: fork(p2)", "fork: a Java program cannot share channels"),
                skipped("jdk", "d/b.trace", 4, "A.p1: dup(3)", "dup: a Java channel has one descriptor"),
                skipped("driver:python3 x/lwip_driver", "d/a.trace", 4, "A.p1: fork(p2)", "fork: the driver does not list fork"),
                skipped("driver:python3 x/py_driver", "d/a.trace", 4, "A.p1: fork(p2)", "fork: the driver does not list fork"),
                skipped("jdk", "d/c.trace", 4, "A.p1: close(3)", "poll(3): java.nio has no writing on a listening channel"),
                skipped("jdk", "d/e.trace", 4, "A.p1: close(4)", "poll(4): java.nio has no writing on a listening channel"),
                run(Verdict.PASS, ""));
        assertEquals("fork: a Java program cannot share channels", Headline.cause(results.get(0)));
        String problems = new CheckCommand.Summary(results, null, "", false).problems();
        assertTrue(problems.contains("""
                SKIP by cause (6 runs):
                  fork: the driver does not list fork: 2 runs on 1 driver:lwip_driver, 1 driver:py_driver
                    driver:lwip_driver  d/a.trace:4
                    driver:py_driver  d/a.trace:4
                  poll(N): java.nio has no writing on a listening channel: 2 runs on jdk
                    jdk  d/c.trace:4
                    jdk  d/e.trace:4
                  dup: a Java channel has one descriptor: 1 run on jdk
                    jdk  d/b.trace:4
                  fork: a Java program cannot share channels: 1 run on jdk
                    jdk  d/a.trace:4
                """), problems);
        assertTrue(!problems.contains("SKIP on"), "no SKIP is told on its own: " + problems);
    }

    @Test
    void eachCaseHasTheStartAndTimeOfItsRunAndJunitXmlHasTheShapeCiReads(@TempDir Path dir) throws Exception {
        List<TraceResult> results = List.of(failed(1_700_000_000_000L, 1234), failed(1_700_000_002_000L, 56));
        List<CaseResult> cases = Reports.cases(results, null);
        assertEquals(1_700_000_000_000L, cases.get(0).startMillis());
        assertEquals(1234, cases.get(0).durationMillis());
        assertEquals(1_700_000_002_000L, cases.get(1).startMillis());
        Reports.write(dir, results, null, new CheckCommand.Summary(results, null, "", false));
        Path junit = dir.resolve("junit.xml");
        // The schema the reports module validates against (reports/src/test/resources), read from its source.
        javax.xml.validation.SchemaFactory.newInstance(javax.xml.XMLConstants.W3C_XML_SCHEMA_NS_URI)
                .newSchema(Path.of("..", "reports", "src", "test", "resources", "junit.xsd").toFile())
                .newValidator().validate(new javax.xml.transform.stream.StreamSource(junit.toFile()));
        String xml = Files.readString(junit);
        assertTrue(xml.contains("time=\"1.290\" timestamp=\"2023-11-14T22:13:20\" hostname=\""), xml);
        assertTrue(xml.contains("<failure message=\"bind/t.trace:5: A.p1: bind(3, A:80): expected EADDRINUSE, observed 0"
                + " (the spec allows: EADDRINUSE)\" type=\"FAIL: not a behaviour of the spec\">"), xml);
        String allure;
        try (var files = Files.list(dir.resolve("allure-results"))) {
            allure = files.filter(p -> p.toString().endsWith("-result.json")).map(p -> {
                try {
                    return Files.readString(p);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).sorted().reduce("", String::concat);
        }
        assertTrue(allure.contains("\"start\":1700000000000,\"stop\":1700000001234"), allure);
        assertTrue(allure.contains("\"start\":1700000002000,\"stop\":1700000002056"), allure);
    }
}
