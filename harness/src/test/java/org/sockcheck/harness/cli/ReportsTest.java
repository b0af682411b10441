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
}
