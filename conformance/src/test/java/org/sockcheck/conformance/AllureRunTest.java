package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qameta.allure.Allure;
import io.qameta.allure.AllureLifecycle;
import io.qameta.allure.AllureResultsWriter;
import io.qameta.allure.model.Attachment;
import io.qameta.allure.model.Status;
import io.qameta.allure.model.StepResult;
import io.qameta.allure.model.TestResult;
import io.qameta.allure.model.TestResultContainer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.run.ExpectedResults;
import org.sockcheck.harness.run.Runner;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.harness.run.Verdict;
import org.sockcheck.harness.trace.TraceText;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Outcome;

/** A run in a JUnit test's Allure result: a step per event, the failing one failed, the diagram and tables attached. */
class AllureRunTest {

    /** Allure's results kept in memory instead of written to files. */
    private static final class Kept implements AllureResultsWriter {
        final List<TestResult> results = new ArrayList<>();
        final Map<String, String> files = new HashMap<>();

        @Override
        public void write(TestResult r) {
            results.add(r);
        }

        @Override
        public void write(TestResultContainer c) {
        }

        @Override
        public void write(String source, InputStream in) {
            try {
                files.put(source, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Test
    void aFailedRunBecomesStepsWithTheFailingOneMarkedAndItsDiagramAttached() throws Exception {
        TraceResult run = Corpus.runner(Duration.ofSeconds(5)).run(TraceText.parse("t.trace", """
                # test
                version 1
                profile LINUX

                A.p1: socket(INET, STREAM) = 3
                A.p1: bind(3, A:80) = 0
                A.p1: socket(INET, STREAM) = 4
                A.p1: bind(4, A:80) = EADDRINUSE
                """), null, new RefWithBug("ref-with-a-bug", (ref, host, process, call, o) ->
                call instanceof ApiCall.Bind && o instanceof Outcome.Failed ? new Outcome.Value(0) : o));
        assertEquals(Verdict.FAIL, run.verdict(), run.message());

        Kept kept = new Kept();
        AllureLifecycle saved = Allure.getLifecycle();
        AllureLifecycle lifecycle = new AllureLifecycle(kept);
        Allure.setLifecycle(lifecycle);
        try {
            lifecycle.scheduleTestCase(new TestResult().setUuid("u1").setName("t.trace"));
            lifecycle.startTestCase("u1");
            AllureRun.record(run, null);
            lifecycle.stopTestCase("u1");
            lifecycle.writeTestCase("u1");
        } finally {
            Allure.setLifecycle(saved);
        }
        TestResult r = kept.results.get(0);
        assertEquals("t.trace [ref-with-a-bug]", r.getName());
        List<String> steps = r.getSteps().stream().map(s -> s.getStatus() + " " + s.getName()).toList();
        assertEquals(4, steps.size(), steps.toString());
        assertEquals("FAILED line 8: A.p1: bind(4, A:80) = EADDRINUSE  (observed: 0)", steps.get(3));
        assertTrue(r.getSteps().subList(0, 3).stream().map(StepResult::getStatus).allMatch(Status.PASSED::equals), steps.toString());
        List<String> attachments = r.getAttachments().stream().map(a -> a.getName() + " " + a.getType()).toList();
        assertTrue(attachments.contains("sequence diagram image/svg+xml"), attachments.toString());
        assertTrue(attachments.contains("socket tables text/plain"), attachments.toString());
        Attachment diagram = r.getAttachments().stream().filter(a -> a.getName().equals("sequence diagram")).findFirst()
                .orElseThrow();
        assertTrue(kept.files.get(diagram.getSource()).contains("expected: = EADDRINUSE"), kept.files.toString());
    }
}
