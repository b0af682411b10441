package org.sockcheck.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sockcheck.reports.AllureResults;
import org.sockcheck.reports.CaseResult;

/**
 * Allure's JVM started before the runs end (AllureHtml.start): the report
 * it makes when asked has the results written after it started, its
 * warm-up leaves nothing behind, and a JVM never asked ends with nothing
 * written. Runs in the conformance module, after the harness's build has
 * unpacked Allure (harness/target/allure).
 */
class AllureWhenAskedTest {
    @TempDir
    Path dir;

    private static Path allure() throws Exception {
        try (Stream<Path> s = Files.list(Path.of("..", "harness", "target", "allure"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("allure-") && Files.isDirectory(p.resolve("lib")))
                    .findFirst().orElseThrow(() -> new AssertionError("Allure is not unpacked under harness/target/allure"));
        }
    }

    private static CaseResult result(String name, CaseResult.Status status) {
        boolean passed = status == CaseResult.Status.PASSED;
        return new CaseResult("ref", "bind", name, "title of " + name, status, passed ? "" : "FAIL: line 2",
                passed ? "" : name + ":2: expected 0", passed ? "" : "line 2: expected 0", System.currentTimeMillis(), 3,
                List.of(new CaseResult.StepResult("line 1: A.p1: socket(INET, DGRAM) = 3", true)), Map.of(), "",
                "judged by the spec");
    }

    /** The names of the test cases the single-file report holds (its data files are embedded in base64). */
    private static List<String> caseNames(Path html) throws Exception {
        String page = Files.readString(html);
        Matcher m = Pattern.compile("d\\('data/test-cases/[^']+','([^']*)'\\)").matcher(page);
        List<String> names = new ArrayList<>();
        Matcher name = null;
        while (m.find()) {
            String json = new String(Base64.getDecoder().decode(m.group(1)), StandardCharsets.UTF_8);
            name = Pattern.compile("\"fullName\":\"([^\"]+)\"").matcher(json);
            if (name.find()) {
                names.add(name.group(1));
            }
        }
        return names.stream().sorted().toList();
    }

    @Test
    void aReportAskedForAfterAWarmUpHoldsTheResultsWrittenMeanwhile() throws Exception {
        Path report = dir.resolve("report");
        Files.createDirectories(report);
        try (AllureHtml.Pending allure = AllureHtml.start(allure(), report, true)) {
            assertTrue(allure.handle().isPresent(), "Allure's JVM starts at once");
            // The runs go on meanwhile; their results are written after Allure's JVM started.
            AllureResults.write(Files.createDirectories(report.resolve("allure-results")), List.of(
                    result("scenarios/bind/one.trace", CaseResult.Status.PASSED),
                    result("scenarios/bind/two.trace", CaseResult.Status.FAILED),
                    result("scenarios/bind/three.trace", CaseResult.Status.SKIPPED)));
            Optional<String> why = allure.finish();
            assertEquals(Optional.empty(), why);
        }
        Path html = report.resolve("html").resolve("index.html");
        assertTrue(Files.isRegularFile(html));
        List<String> names = caseNames(html);
        assertEquals(3, names.size(), "the report's cases: " + names);
        assertTrue(names.stream().allMatch(n -> n.contains("scenarios/bind/")), "no warm-up case in the report: " + names);
        assertFalse(Files.exists(report.resolve(AllureHtml.WARM_UP)), "the warm-up's folder stayed");
    }

    @Test
    void allureWhoseInputEndsWithoutTheWordEndsAfterItsWarmUpAndWritesNoReport() throws Exception {
        Path report = dir.resolve("report");
        Files.createDirectories(report);
        try (AllureHtml.Pending allure = AllureHtml.start(allure(), report, true)) {
            AllureResults.write(Files.createDirectories(report.resolve("allure-results")),
                    List.of(result("scenarios/bind/one.trace", CaseResult.Status.PASSED)));
            // The waiter's own way out: it warms up, reads the end of its input, and ends without a report.
            assertEquals(AllureWhenAsked.NOT_ASKED, allure.endUnasked());
        }
        assertFalse(Files.exists(report.resolve("html")), "a report nobody asked for was written");
        assertFalse(Files.exists(report.resolve(AllureHtml.WARM_UP)), "the warm-up's folder stayed");
    }

    @Test
    void aReportNeverAskedForEndsAllureAndWritesNothing() throws Exception {
        Path report = dir.resolve("report");
        Files.createDirectories(report);
        ProcessHandle jvm;
        try (AllureHtml.Pending allure = AllureHtml.start(allure(), report, true)) {
            jvm = allure.handle().orElseThrow();
            assertTrue(jvm.isAlive());
        }
        // close() stopped it (a bounded wait: it kills, then waits at most 10 s).
        jvm.onExit().get(20, TimeUnit.SECONDS);
        assertFalse(jvm.isAlive(), "Allure's JVM still runs");
        assertFalse(Files.exists(report.resolve("html")), "a report nobody asked for was written");
        assertFalse(Files.exists(report.resolve(AllureHtml.WARM_UP)), "the warm-up's folder stayed");
    }
}
