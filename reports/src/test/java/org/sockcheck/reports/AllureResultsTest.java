package org.sockcheck.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Allure results: each result begins when its run began and lasts as long as the run and its judging; the socket
 * tables are a step, so runs that pass give Allure no attachment.
 */
class AllureResultsTest {
    @Test
    void eachResultHasTheStartAndStopOfItsRun(@TempDir Path dir) throws Exception {
        AllureResults.write(dir, JUnitXmlTest.mixed());
        Map<String, JsonNode> byName = resultsByName(dir);
        assertEquals(4, byName.size(), byName.keySet().toString());
        for (CaseResult r : JUnitXmlTest.mixed()) {
            JsonNode n = byName.get(r.name() + " [" + r.suite() + "]");
            assertEquals(r.startMillis(), n.get("start").asLong(), r.name());
            assertEquals(r.startMillis() + r.durationMillis(), n.get("stop").asLong(), r.name());
        }
        List<Long> starts = byName.values().stream().map(n -> n.get("start").asLong()).distinct().toList();
        assertEquals(4, starts.size(), "each run has its own start, not the time of the report: " + starts);
    }

    @Test
    void theSocketTablesAreTheLastStepAndOnlyARunThatFailedHasAttachments(@TempDir Path dir) throws Exception {
        CaseResult.StepResult step = new CaseResult.StepResult("line 5: A.p1: socket(INET, STREAM) = 3", true);
        String tables = "observe A: tcp A:80 *:* LISTEN\nobserve B: tcp B:$e1 A:80 ESTABLISHED\n";
        CaseResult passed = new CaseResult("linux", "bind", "scenarios/bind/a.trace", "a", CaseResult.Status.PASSED, "", "",
                "", 1_000, 2, List.of(step), Map.of(CaseResult.TABLES, tables), "", "judged by the spec");
        CaseResult failed = new CaseResult("linux", "bind", "scenarios/bind/b.trace", "b", CaseResult.Status.FAILED,
                "FAIL: x", "line 5", "line 5: ...", 1_000, 2, List.of(new CaseResult.StepResult("line 5: x", false)),
                new java.util.LinkedHashMap<>(Map.of(CaseResult.TABLES, tables, "observed run", "A.p1: socket(INET, STREAM) = 4")),
                "<svg/>", "judged by the spec");
        AllureResults.write(dir, List.of(passed, failed));
        Map<String, JsonNode> byName = resultsByName(dir);
        for (JsonNode n : byName.values()) {
            JsonNode last = n.get("steps").get(n.get("steps").size() - 1);
            assertEquals("socket tables at the end", last.get("name").asString());
            assertEquals(List.of("observe A: tcp A:80 *:* LISTEN", "observe B: tcp B:$e1 A:80 ESTABLISHED"),
                    last.get("steps").valueStream().map(x -> x.get("name").asString()).toList());
        }
        assertEquals(0, byName.get("scenarios/bind/a.trace [linux]").get("attachments").size());
        assertEquals(List.of("sequence diagram", "observed run"), byName.get("scenarios/bind/b.trace [linux]")
                .get("attachments").valueStream().map(x -> x.get("name").asString()).toList());
        try (var files = Files.list(dir)) {
            assertEquals(2, files.filter(p -> p.toString().contains("-attachment.")).count(), "the failed run's two");
        }
    }

    /** The result files Allure was given, by the result's name. */
    private static Map<String, JsonNode> resultsByName(Path dir) throws Exception {
        Map<String, JsonNode> byName = new TreeMap<>();
        try (var files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.toString().endsWith("-result.json")).toList()) {
                JsonNode n = JsonMapper.builder().build().readTree(Files.readString(p));
                byName.put(n.get("name").asString(), n);
            }
        }
        return byName;
    }
}
