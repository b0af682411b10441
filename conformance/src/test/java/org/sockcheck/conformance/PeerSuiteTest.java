package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.impl.RefImplementation;
import org.sockcheck.harness.impl.linux.LinuxImplementation;
import org.sockcheck.harness.run.JudgedBy;
import org.sockcheck.harness.run.Runner;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.harness.run.Verdict;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.harness.trace.TraceFiles;
import org.sockcheck.harness.trace.TraceText;

/**
 * The peer suite: gVisor's socket syscall tests translated into traces
 * (conformance/peer/gvisor), one trace per test, each naming the file and
 * test it comes from. Every trace passes on the reference stack and on
 * Linux, judged by the spec; the tests not translated are listed with a
 * reason in conformance/peer/gvisor/README.md.
 */
class PeerSuiteTest {
    static final Path GVISOR = Path.of("peer", "gvisor");
    private static final Pattern ORIGIN = Pattern.compile("# gVisor test/syscalls/linux/([a-z0-9_]+\\.cc): ([A-Za-z0-9_/]+\\.[A-Za-z0-9_/]+)");
    private static final List<Implementation> OPENED = new ArrayList<>();

    @AfterAll
    static void closeImplementations() {
        OPENED.forEach(Implementation::close);
    }

    static List<Trace> traces() throws Exception {
        List<Trace> out = new ArrayList<>();
        for (Path p : TraceFiles.find(List.of(GVISOR))) {
            out.add(TraceFiles.read(p));
        }
        return out;
    }

    @TestFactory
    Stream<DynamicNode> everyTranslatedTestPassesOnRefAndLinux() throws Exception {
        List<Trace> traces = traces();
        // A judge whose model is made for the whole suite, as check makes one for what it runs: one
        // grown trace by trace would load a model for each trace's own data.
        Runner runner = new Runner(new org.sockcheck.harness.run.ExpectedResults(), Duration.ofSeconds(5),
                org.sockcheck.harness.validate.SpecJudge.forTraces(traces, Duration.ofSeconds(10)));
        return Stream.of(new Implementation[] {new RefImplementation(), new LinuxImplementation()}).map(im -> {
            OPENED.add(im);
            return dynamicContainer(im.name(), traces.stream().map(t -> dynamicTest(
                    Corpus.testName(im.name(), GVISOR.relativize(Path.of(t.source()))), () -> {
                        TraceResult r = runner.run(t, GVISOR, im);
                        AllureRun.record(r, GVISOR);
                        assertEquals(Verdict.PASS, r.verdict(), r.message());
                        assertEquals(JudgedBy.SPEC, r.judgedBy(), "the verdict is the spec's");
                    })));
        });
    }

    /** At least 150 tests, each trace opening with the file and test it comes from, once each, canonical. */
    @Test
    void eachTraceNamesTheTestItTranslates() throws Exception {
        Set<String> seen = new HashSet<>();
        List<Path> files = TraceFiles.find(List.of(GVISOR));
        for (Path p : files) {
            String text = Files.readString(p);
            Matcher m = ORIGIN.matcher(text.lines().findFirst().orElse(""));
            assertTrue(m.matches(), p + " must open with '# gVisor test/syscalls/linux/FILE.cc: Suite.Test'");
            assertTrue(seen.add(m.group(1) + ": " + m.group(2)), p + " translates a test another trace translates");
            assertTrue(p.getParent().getFileName().toString().equals(m.group(1).replace(".cc", "")),
                    p + " lies in the folder of its file " + m.group(1));
            assertEquals(text, TraceText.print(TraceText.parse(p.toString(), text)), p + " is not in canonical form");
        }
        assertTrue(files.size() >= 150, "the peer suite has " + files.size() + " traces; the issue asks for 150");
        String readme = Files.readString(GVISOR.resolve("README.md"));
        for (String file : seen.stream().map(s -> s.split(":")[0]).distinct().toList()) {
            assertTrue(readme.contains(file), "README.md says nothing of " + file);
        }
    }

    /**
     * The README's counts are the suite's: the total row's tests and traces
     * are what the traces translate (a test's instances, Test/Instance, are
     * one test), each reason's count is the tests it lists, and the tests
     * not translated add up to the total's last column, none of them one a
     * trace translates.
     */
    @Test
    void theReadmeCountsWhatIsTranslatedAndWhatIsNot() throws Exception {
        Set<String> tests = new HashSet<>();
        List<Path> files = TraceFiles.find(List.of(GVISOR));
        for (Path p : files) {
            Matcher m = ORIGIN.matcher(Files.readString(p).lines().findFirst().orElse(""));
            assertTrue(m.matches(), p.toString());
            tests.add(m.group(1) + ": " + m.group(2).split("/")[0]);
        }
        String readme = Files.readString(GVISOR.resolve("README.md"));
        Matcher total = Pattern.compile("(?m)^\\| total \\| (\\d+) \\| (\\d+) \\| (\\d+) \\|$").matcher(readme);
        assertTrue(total.find(), "README.md has a total row");
        assertEquals(tests.size(), Integer.parseInt(total.group(1)), "tests translated");
        assertEquals(files.size(), Integer.parseInt(total.group(2)), "traces");
        String untranslated = readme.substring(readme.indexOf("## Not translated, by reason"),
                readme.indexOf("## Translated in part, or with a change"));
        Matcher reason = Pattern.compile("(?m)^### (.*) \\((\\d+)\\)$").matcher(untranslated);
        List<int[]> sections = new ArrayList<>();
        while (reason.find()) {
            sections.add(new int[] {reason.start(), reason.end(), Integer.parseInt(reason.group(2))});
        }
        int listed = 0;
        for (int i = 0; i < sections.size(); i++) {
            String body = untranslated.substring(sections.get(i)[1],
                    i + 1 < sections.size() ? sections.get(i + 1)[0] : untranslated.length());
            List<String> items = body.lines().filter(l -> l.startsWith("- ")).toList();
            assertEquals(sections.get(i)[2], items.size(), "the count of reason " + (i + 1) + " is the tests it lists");
            for (String item : items) {
                String test = item.substring(2, item.indexOf(':', item.indexOf(':') + 1));
                assertFalse(tests.contains(test), test + " is translated and listed as not translated");
            }
            listed += items.size();
        }
        assertEquals(Integer.parseInt(total.group(3)), listed, "the tests not translated");
    }
}
