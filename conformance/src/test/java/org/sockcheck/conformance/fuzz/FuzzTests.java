package org.sockcheck.conformance.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import java.time.Duration;
import org.sockcheck.harness.gen.Generator;
import org.sockcheck.harness.impl.RefImplementation;
import org.sockcheck.harness.run.ExpectedResults;
import org.sockcheck.harness.run.Runner;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.harness.run.Verdict;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.harness.trace.TraceSyntaxException;
import org.sockcheck.harness.trace.TraceText;
import org.sockcheck.spec.tlc.SpecBridge;

/**
 * Jazzer fuzz tests. Under {@code mvn -B verify} each runs on its inputs
 * under src/test/resources (regression mode); {@code JAZZER_FUZZ=1 mvn -pl
 * conformance test -Dtest=FuzzTests} fuzzes for real (docs/spec-as-oracle.md).
 */
class FuzzTests {
    private static final Runner RUNNER = org.sockcheck.conformance.Corpus.runner(Duration.ofSeconds(5));
    private static Generator generator;
    private static final RefImplementation REF = new RefImplementation();

    private static synchronized Generator generator() throws Exception {
        if (generator == null) {
            generator = new Generator(SpecBridge.load(SpecBridge.Constants.GENERATED));
        }
        return generator;
    }

    /**
     * The trace parser reads any text without crashing: it gives a trace or
     * a syntax error (with a place), and a trace it gives prints back to text
     * that reads as the same trace.
     */
    @FuzzTest(maxDuration = "30s")
    void parserGivesATraceOrASyntaxError(String text) {
        if (text == null) {
            // Jazzer offers null for a String; the parser is only ever given text.
            return;
        }
        Trace t;
        try {
            t = TraceText.parse("fuzz.trace", text);
        } catch (TraceSyntaxException e) {
            return;
        }
        String printed = TraceText.print(t);
        try {
            assertEquals(printed, TraceText.print(TraceText.parse("fuzz.trace", printed)));
        } catch (TraceSyntaxException e) {
            throw new AssertionError("a printed trace does not read back: " + e.getMessage() + "\n" + printed, e);
        }
    }

    /**
     * Differential: whatever behaviour of the spec the fuzzer picks (each
     * choice among the calls the spec allows), the reference stack gives the
     * same results and tables.
     */
    @FuzzTest(maxDuration = "60s")
    void referenceStackAgreesWithTheSpec(FuzzedDataProvider data) throws Exception {
        Generator.Generated g = generator().walk("fuzz.trace", n -> data.consumeInt(0, Math.max(0, n - 1)), 12);
        TraceResult r = RUNNER.run(g.trace(), Path.of("."), REF);
        if (r.verdict() != Verdict.PASS) {
            throw new AssertionError("the reference stack differs from the spec: " + r.message() + "\n" + g.text());
        }
    }
}
