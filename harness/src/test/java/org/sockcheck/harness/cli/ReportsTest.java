package org.sockcheck.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.harness.run.Verdict;
import org.sockcheck.reports.CaseResult;

/** How verdicts appear in the Allure results and JUnit XML. */
class ReportsTest {
    private static CaseResult one(Verdict v, String observed) {
        TraceResult r = new TraceResult("bind/t.trace", "bind", "t", "linux", v, "t.trace:5: A.p1: bind(3, A:80)\n"
                + "  known divergence: some-id", 5, List.of(), 1, "observe A: none\n", observed);
        return Reports.cases(List.of(r), null).get(0);
    }

    @Test
    void expectedFailureIsSkippedWithTheDivergenceInItsMessage() {
        CaseResult c = one(Verdict.XFAIL, "# observed\nversion 1\n");
        assertEquals(CaseResult.Status.SKIPPED, c.status());
        assertTrue(c.message().startsWith("XFAIL (known divergence): t.trace:5"), c.message());
        assertTrue(c.message().contains("some-id"), c.message());
        assertTrue(c.attachments().keySet().stream().anyMatch(k -> k.startsWith("observed run")), c.attachments().toString());
    }

    @Test
    void passIsPassedWithoutTheObservedRun() {
        CaseResult c = one(Verdict.PASS, "# observed\nversion 1\n");
        assertEquals(CaseResult.Status.PASSED, c.status());
        assertTrue(c.attachments().keySet().stream().noneMatch(k -> k.startsWith("observed run")), c.attachments().toString());
    }
}
