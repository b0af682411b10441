package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sockcheck.harness.cli.Main;
import org.sockcheck.harness.impl.driver.DriverImplementation;
import org.sockcheck.harness.run.ExpectedResults;
import org.sockcheck.harness.run.Runner;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.harness.run.Verdict;
import org.sockcheck.harness.trace.Trace;

/** A driver that crashes or writes garbage gets ERROR naming the step, and the run goes on; one that never answers blocks. */
class BrokenDriverTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "garbage_driver.py,  not JSON",
        "crashing_driver.py, the driver exited while socket was pending",
        "endless_line_driver.py, the driver wrote a line longer than 1048576 characters while socket was pending",
    })
    void brokenDriverIsAnErrorAtTheFirstCallAndTheNextTraceStillRuns(String driver, String why) throws Exception {
        List<Trace> traces = Corpus.traces().subList(0, 2);
        // These drivers answer at once (garbage, an exit, a long line): a long bound costs nothing, and a loaded
        // machine's slow Python start cannot turn their ERROR into a call that blocks.
        Runner runner = Corpus.runner(Duration.ofSeconds(10));
        try (DriverImplementation impl = new DriverImplementation(List.of("python3", Corpus.testDriver(driver).toString()))) {
            for (Trace t : traces) {
                TraceResult r = runner.run(t, Corpus.SCENARIOS, impl);
                assertEquals(Verdict.ERROR, r.verdict(), r.message());
                assertTrue(r.message().contains(why), r.message());
                int firstCall = t.events().stream().filter(e -> e instanceof org.sockcheck.harness.trace.Event.Call)
                        .findFirst().orElseThrow().line();
                assertEquals(firstCall, r.line(), r.message());
                assertTrue(r.message().contains(t.source() + ":" + firstCall + ":"), r.message());
            }
        }
        assertEquals(0, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count(),
                "driver processes are left behind");
    }

    @Test
    void aDriverThatNeverAnswersACallBlocksThereWhichTheSpecJudges() {
        // Not answering is behaviour: socket() must return, so the run fails at that line (exit 1), not ERROR.
        StringWriter out = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "check", "--impl",
                "driver:python3", Corpus.testDriver("silent_driver.py").toString(), "--traces",
                Corpus.SCENARIOS.resolve("bind").toString(), "--call-timeout", "300", "--no-html",
                "--report", dir.resolve("report").toString());
        assertEquals(1, code, out.toString());
        assertTrue(out.toString().contains("FAIL on driver:python3"), out.toString());
        assertTrue(out.toString().contains("address-in-use.trace:5: A.p1: socket(INET, STREAM): expected 3, observed blocks"
                + " (the spec allows: 3)"), out.toString());
        assertTrue(!out.toString().contains("ERROR on"), out.toString());
    }

    @Test
    void aDriverThatWritesGarbageMakesTheCommandExitThree() {
        StringWriter out = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "check", "--impl",
                "driver:python3", Corpus.testDriver("garbage_driver.py").toString(), "--traces",
                Corpus.SCENARIOS.resolve("bind").toString(), "--call-timeout", "10000", "--no-html",
                "--report", dir.resolve("report").toString());
        assertEquals(3, code, out.toString());
        assertTrue(out.toString().contains("ERROR on driver:python3"), out.toString());
        assertTrue(out.toString().contains("not JSON"), out.toString());
    }
}
