package org.sockcheck.conformance;

import io.qameta.allure.Allure;
import io.qameta.allure.model.Status;
import java.nio.file.Path;
import java.util.List;
import org.sockcheck.harness.cli.Reports;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.reports.CaseResult;

/**
 * A run in the Allure results of the JUnit test that made it
 * (allure-junit-platform): one step per replayed event, the socket tables,
 * and, for a run that did not pass, the observed run and its sequence
 * diagram; the content of the report of sockcheck check, where the socket
 * tables are the run's last step instead (an attachment costs Allure's
 * generator its content-type table; a test run's report is made once).
 */
final class AllureRun {
    private AllureRun() {
    }

    static void record(TraceResult r, Path base) {
        CaseResult c = Reports.cases(List.of(r), base).get(0);
        // Named as in sockcheck check's report: the same trace runs on each implementation.
        Allure.getLifecycle().updateTestCase(t -> t.setName(c.name() + " [" + c.suite() + "]"));
        Allure.parameter("implementation", c.suite());
        Allure.description(r.title());
        Allure.label("feature", r.feature());
        Allure.label("subSuite", c.suite());
        for (CaseResult.StepResult s : c.steps()) {
            Allure.step(s.name(), s.ok() ? Status.PASSED : Status.FAILED);
        }
        if (!c.diagram().isEmpty()) {
            Allure.addAttachment("sequence diagram", "image/svg+xml", c.diagram(), ".svg");
        }
        c.attachments().forEach((name, text) -> Allure.addAttachment(name, "text/plain", text, ".txt"));
    }
}
