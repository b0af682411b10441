package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.impl.driver.DriverImplementation;
import org.sockcheck.harness.run.Runner;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.harness.run.Verdict;
import org.sockcheck.harness.trace.Event;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.harness.trace.TraceFiles;

/** Driver protocol 1 keeps working: the Python driver told to speak only it, on two folders of scenarios. */
class ProtocolOneTest {
    @Test
    void aProtocolOneDriverPassesWhatItCanExpressAndSkipsForkAndThreads() throws Exception {
        Runner runner = Corpus.runner(Duration.ofSeconds(5));
        int passed = 0;
        int skipped = 0;
        try (DriverImplementation impl = new DriverImplementation(List.of("python3", Corpus.PYTHON_DRIVER.toString(),
                "--protocol", "1"))) {
            assertEquals(1, impl.declare().protocol());
            for (Path p : TraceFiles.find(List.of(Corpus.SCENARIOS.resolve("connect"),
                    Corpus.SCENARIOS.resolve("descriptors-processes")))) {
                Trace t = TraceFiles.read(p);
                TraceResult r = runner.run(t, Corpus.SCENARIOS, impl);
                boolean forks = t.events().stream().anyMatch(e -> e instanceof Event.Call c && c.op().equals("fork"));
                if (forks || Runner.concurrent(t)) {
                    assertEquals(Verdict.SKIP, r.verdict(), r.message());
                    skipped++;
                } else {
                    assertEquals(Verdict.PASS, r.verdict(), r.message());
                    passed++;
                }
            }
        }
        assertTrue(passed >= 10 && skipped >= 1, passed + " passed, " + skipped + " skipped");
        System.out.println("ProtocolOneTest: " + passed + " passed, " + skipped + " skipped (fork or threads)");
    }
}
