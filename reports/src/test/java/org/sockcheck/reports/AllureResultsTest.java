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

/** Allure results: each result begins when its run began and lasts as long as the run and its judging. */
class AllureResultsTest {
    @Test
    void eachResultHasTheStartAndStopOfItsRun(@TempDir Path dir) throws Exception {
        AllureResults.write(dir, JUnitXmlTest.mixed());
        Map<String, JsonNode> byName = new TreeMap<>();
        try (var files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.toString().endsWith("-result.json")).toList()) {
                JsonNode n = JsonMapper.builder().build().readTree(Files.readString(p));
                byName.put(n.get("name").asString(), n);
            }
        }
        assertEquals(4, byName.size(), byName.keySet().toString());
        for (CaseResult r : JUnitXmlTest.mixed()) {
            JsonNode n = byName.get(r.name() + " [" + r.suite() + "]");
            assertEquals(r.startMillis(), n.get("start").asLong(), r.name());
            assertEquals(r.startMillis() + r.durationMillis(), n.get("stop").asLong(), r.name());
        }
        List<Long> starts = byName.values().stream().map(n -> n.get("start").asLong()).distinct().toList();
        assertEquals(4, starts.size(), "each run has its own start, not the time of the report: " + starts);
    }
}
