package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sockcheck.harness.cli.Main;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.run.Judge;
import org.sockcheck.harness.run.JudgedBy;
import org.sockcheck.harness.run.Runner;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.harness.run.Verdict;
import org.sockcheck.harness.trace.TraceFiles;

/** A trace with a result the spec does not allow, runs that fail, and bad input: each verdict and exit code. */
class DivergenceTest {
    @TempDir
    Path dir;

    private Path mutated() throws Exception {
        Path original = Corpus.SCENARIOS.resolve("listen-accept/several-clients-share-server-port.trace");
        List<String> lines = Files.readAllLines(original);
        int index = lines.indexOf("A.p1: bind(3, A:80) = 0");
        assertTrue(index >= 0);
        lines.set(index, "A.p1: bind(3, A:80) = EADDRINUSE");
        Path out = dir.resolve("mutated.trace");
        Files.write(out, lines);
        return out;
    }

    @Test
    void aChangedResultIsTheTracesErrorNotTheImplementations() throws Exception {
        Path trace = mutated();
        int line = Files.readAllLines(trace).indexOf("A.p1: bind(3, A:80) = EADDRINUSE") + 1;
        // The spec rejects the trace as written, at that line: check refuses it as bad input.
        Judge.Decision written = Corpus.judge().decide(TraceFiles.read(trace));
        assertTrue(written instanceof Judge.Decision.Rejected r && r.line() == line, written.toString());
        // Run anyway, each implementation's run is judged by the spec, not by the result written: bind gives 0,
        // which the spec allows, so every run passes and says where it differs from the trace.
        Runner runner = Corpus.runner(Duration.ofSeconds(5));
        for (Corpus.Impl impl : Corpus.implementations()) {
            try (Implementation im = impl.factory().get()) {
                TraceResult r = runner.run(TraceFiles.read(trace), dir, im);
                assertEquals(Verdict.PASS, r.verdict(), impl.name() + ": " + r.message());
                assertEquals(JudgedBy.SPEC, r.judgedBy(), impl.name());
                assertTrue(r.message().contains("mutated.trace:" + line + ": A.p1: bind(3, A:80)"), r.message());
                assertTrue(r.message().contains("expected: EADDRINUSE"), r.message());
                assertTrue(r.message().contains("observed: 0"), r.message());
                assertTrue(r.message().contains("the spec allows this"), r.message());
            }
        }
    }

    @Test
    void commandExitsOneOnNonconformance() throws Exception {
        // A behaviour of the JDK the spec rejects (listed in jdk.yaml); with no expectations it fails the run.
        Path trace = Path.of("scenarios", "shutdown-close", "closed-connection-gives-back-a-picked-port.trace");
        Path none = Files.createDirectories(dir.resolve("no-expectations"));
        StringWriter out = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "check", "--impl", "ref,jdk",
                "--traces", trace.toString(), "--expectations", none.toString(), "--no-html",
                "--report", dir.resolve("report").toString());
        assertEquals(1, code, out.toString());
        assertTrue(out.toString().contains("2 runs: 1 pass, 1 fail"), out.toString());
        // The failure in one line, from the runner's own words: where, expected, observed, what the spec allows.
        String headline = "closed-connection-gives-back-a-picked-port.trace:\\d+: [A-Z]\\.p\\d: [a-z]+\\([^)]*\\): expected [^\\n]+,"
                + " observed [^\\n]+ \\(the spec allows: [^\\n]+\\)";
        assertTrue(java.util.regex.Pattern.compile("\nFAIL on jdk: \\S*" + headline + "\n    \\(searched \\d+ states")
                .matcher(out.toString()).find(), out.toString());
        String junit = Files.readString(dir.resolve("report/junit.xml"));
        assertTrue(junit.contains("failures=\"1\""), junit);
        assertTrue(junit.contains("no behaviour of the spec explains this"), "the whole message is the failure's text: " + junit);
        assertTrue(java.util.regex.Pattern.compile("<failure message=\"\\S*" + headline + "\" type=\"FAIL: not a behaviour of"
                + " the spec\">").matcher(junit).find(), junit);
        // junit.xml is of the shape CI systems read (the schema the reports module is tested with).
        javax.xml.validation.SchemaFactory.newInstance(javax.xml.XMLConstants.W3C_XML_SCHEMA_NS_URI)
                .newSchema(Path.of("..", "reports", "src", "test", "resources", "junit.xsd").toFile())
                .newValidator().validate(new javax.xml.transform.stream.StreamSource(dir.resolve("report/junit.xml").toFile()));
        try (var files = Files.list(dir.resolve("report/allure-results"))) {
            assertEquals(2, files.filter(f -> f.toString().endsWith("-result.json")).count());
        }
    }

    @Test
    void traceTheSpecRejectsIsBadInput() throws Exception {
        // In the names of generated traces (the spec this JVM holds): a bind that cannot fail, written as failing.
        Path trace = dir.resolve("wrong.trace");
        Files.writeString(trace, "# a wrong result\nversion 1\n\nA.p1: socket(INET, STREAM) = 3\n"
                + "A.p1: bind(3, A:80) = EADDRINUSE\nA.p1: close(3) = 0\n");
        int line = 5;
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "check", "--impl", "ref",
                "--traces", trace.toString(), "--no-html", "--report", dir.resolve("report").toString());
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().contains(trace + ":" + line + ": the result written is not one the spec allows"),
                err.toString());
        assertTrue(err.toString().contains("hint:"), err.toString());
    }

    @Test
    void syntaxErrorExitsTwoWithFileLineAndColumn() throws Exception {
        Path bad = dir.resolve("bad.trace");
        Files.writeString(bad, "# broken\nversion 1\nA.p1: socket(INET, STREAM) = 3\nA.p1: bind(3 A:80) = 0\n");
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "check", "--impl", "ref",
                "--traces", bad.toString(), "--report", dir.resolve("report").toString());
        assertEquals(2, code);
        assertTrue(err.toString().contains(bad + ":4:14: expected ',' or ')', found 'A:80)'"), err.toString());
        assertTrue(!err.toString().contains("Exception"), err.toString());
    }

    @Test
    void badUsageExitsTwo() {
        StringWriter err = new StringWriter();
        assertEquals(2, Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "check", "--impl", "bogus"));
        assertTrue(err.toString().contains("unknown implementation 'bogus'"), err.toString());
        assertEquals(2, Main.run(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), "check", "--nope"));
        assertEquals(2, Main.run(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), "check",
                "--traces", dir.resolve("missing").toString()));
    }
}
