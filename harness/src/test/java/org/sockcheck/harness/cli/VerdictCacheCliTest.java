package org.sockcheck.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * validate and check with the cache of the spec's verdicts: a second run
 * takes them from the cache, says so, and does not load the spec; --no-cache
 * judges everything again.
 */
class VerdictCacheCliTest {
    private static final Path CONNECT = Path.of("..", "conformance", "scenarios", "connect");
    private static final Pattern SUMMARY = Pattern.compile("(\\d+) accepted, 0 rejected, 0 not validated; \\d+ events in .*");

    @TempDir
    Path dir;
    private String before;

    @BeforeEach
    void ownCache() {
        before = System.getProperty("sockcheck.cache");
        System.setProperty("sockcheck.cache", dir.resolve("cache").toString());
    }

    @AfterEach
    void noCache() {
        if (before == null) {
            System.clearProperty("sockcheck.cache");
        } else {
            System.setProperty("sockcheck.cache", before);
        }
    }

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    private static String summary(String out) {
        Matcher m = SUMMARY.matcher(out);
        assertTrue(m.find(), out);
        return m.group();
    }

    @Test
    void aSecondValidationTakesTheVerdictsFromTheCacheAndSaysSo() throws Exception {
        String[] first = run("validate", CONNECT.toString());
        assertEquals("0", first[0], first[1] + first[2]);
        String said = summary(first[1]);
        int traces = Integer.parseInt(said.substring(0, said.indexOf(' ')));
        assertTrue(said.endsWith("events/s; loading the spec took " + said.replaceAll(".*took ", "")), said);
        assertFalse(said.contains("cache"), said);
        assertTrue(first[1].contains("sockcheck validate: profile LINUX"), first[1]);
        try (var entries = Files.list(dir.resolve("cache").resolve("verdicts"))) {
            assertEquals(traces, entries.count());
        }

        String[] second = run("validate", CONNECT.toString());
        assertEquals("0", second[0], second[1] + second[2]);
        said = summary(second[1]);
        assertTrue(said.endsWith("events/s; " + traces + " verdicts from the cache of earlier runs, the spec not loaded)"),
                said);
        assertFalse(second[1].contains("sockcheck validate: profile"), "no model was loaded: " + second[1]);
        assertEquals(traces, second[1].lines().filter(l -> l.startsWith("ACCEPT ") && l.endsWith(", from the cache)")).count(),
                second[1]);
        // The verdicts as told are the same, but for the time each took.
        assertEquals(first[1].lines().filter(l -> l.startsWith("ACCEPT ")).map(l -> l.replaceAll(" \\(\\d+ ms\\)$", "")).toList(),
                second[1].lines().filter(l -> l.startsWith("ACCEPT ")).map(l -> l.replaceAll(" \\(\\d+ ms, from the cache\\)$", ""))
                        .toList());

        String[] off = run("validate", "--no-cache", CONNECT.toString());
        assertEquals("0", off[0], off[1] + off[2]);
        said = summary(off[1]);
        assertTrue(said.contains("loading the spec took") && !said.contains("cache"), said);
        assertTrue(off[1].lines().noneMatch(l -> l.contains("from the cache")), off[1]);
    }

    @Test
    void aCheckWhoseTracesAreAllInTheCacheDoesNotLoadTheSpec() throws Exception {
        String[] first = run("check", "--impl", "ref", "-j", "1", "--no-html", "--report", dir.resolve("r1").toString(),
                "--traces", CONNECT.toString());
        assertEquals("0", first[0], first[1] + first[2]);
        assertTrue(first[1].contains("sockcheck: loading the spec (TLC) to judge the runs ..."), first[1]);
        assertFalse(first[1].contains("from the cache"), first[1]);
        String coverage = first[1].lines().filter(l -> l.trim().startsWith("ref")).filter(l -> l.contains("spec actions"))
                .findFirst().orElse("");

        String[] second = run("check", "--impl", "ref", "-j", "1", "--no-html", "--report", dir.resolve("r2").toString(),
                "--traces", CONNECT.toString());
        assertEquals("0", second[0], second[1] + second[2]);
        assertFalse(second[1].contains("loading the spec"), second[1]);
        // The traces as written, and the runs as observed (under lines of their own): all judged by the first run.
        assertTrue(Pattern.compile("\nsockcheck: 0 traces validated by the spec, \\d+ verdicts from the cache of earlier runs"
                + " \\(the spec not loaded\\)\n").matcher(second[1]).find(), second[1]);
        // Coverage is read from the verdicts kept: the same as when the spec judged.
        assertTrue(first[1].contains("spec coverage of the passing runs:"), first[1]);
        assertEquals(coverage, second[1].lines().filter(l -> l.trim().startsWith("ref")).filter(l -> l.contains("spec actions"))
                .findFirst().orElse(""));
        assertFalse(coverage.isEmpty(), first[1]);
    }
}
