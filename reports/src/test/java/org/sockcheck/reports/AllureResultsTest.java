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

    /**
     * A plain title is given as the HTML Allure's Markdown renderer makes of it (a paragraph, &amp;quot; for a
     * quote), so the generator does not render it; a title Markdown could read as markup is left to the generator.
     */
    @Test
    void aPlainTitleIsGivenAsHtmlAndAnyOtherIsLeftToAllure(@TempDir Path dir) throws Exception {
        assertEquals(java.util.Optional.of("<p>gVisor test/syscalls/linux/socket_unix_seqpacket.cc:"
                        + " SeqpacketUnixSocketPairTest.Sendto</p>\n"),
                AllureResults.plainHtml("gVisor test/syscalls/linux/socket_unix_seqpacket.cc: SeqpacketUnixSocketPairTest.Sendto"));
        assertEquals(java.util.Optional.of("<p>a trace writes &quot;@auto1&quot; (S20, S5); it's EADDRINUSE</p>\n"),
                AllureResults.plainHtml("a trace writes \"@auto1\" (S20, S5); it's EADDRINUSE"));
        assertEquals(java.util.Optional.of("<p>A's listener on [::] at [A]; MSG_PEEK|MSG_TRUNC</p>\n"),
                AllureResults.plainHtml("A's listener on [::] at [A]; MSG_PEEK|MSG_TRUNC"));
        for (String markup : List.of("", "a *b*", "a _b_", "_a", "S5: __inet_bind", "a `b`", "a [b](c)", "a <b>",
                "a &amp; b", "# a", "1. a", "- a", " a", "a ", "a\nb", "a\tb", "a ~~b~~", "a \\* b", "a ![b](c)")) {
            assertEquals(java.util.Optional.empty(), AllureResults.plainHtml(markup), markup);
        }
        CaseResult markup = new CaseResult("linux", "bind", "scenarios/bind/a.trace", "a *b*", CaseResult.Status.PASSED,
                "", "", "", 1_000, 2, List.of(), Map.of(), "", "judged by the spec");
        CaseResult plain = new CaseResult("linux", "bind", "scenarios/bind/b.trace", "b", CaseResult.Status.PASSED,
                "", "", "", 1_000, 2, List.of(), Map.of(), "", "judged by the spec");
        AllureResults.write(dir, List.of(markup, plain));
        Map<String, JsonNode> byName = resultsByName(dir);
        assertEquals(null, byName.get("scenarios/bind/a.trace [linux]").get("descriptionHtml"));
        assertEquals("a *b*", byName.get("scenarios/bind/a.trace [linux]").get("description").asString());
        assertEquals("<p>b</p>\n", byName.get("scenarios/bind/b.trace [linux]").get("descriptionHtml").asString());
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
