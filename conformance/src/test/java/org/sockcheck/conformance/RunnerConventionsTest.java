package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sockcheck.harness.cli.Main;

/**
 * What users of test runners expect of check: selecting traces by feature
 * or name and listing them, shards whose union is the whole, TAP output,
 * workers that give the verdicts one worker gives, and two checks at once.
 */
class RunnerConventionsTest {
    @TempDir
    Path dir;

    /** The three folders of the corpus, as check takes them by default; shown paths are relative to conformance/. */
    private static final String[] CORPUS = {"--traces", "scenarios", "generated", "peer"};

    private record Run(int code, String out) {
    }

    private static Run sockcheck(String... args) {
        StringWriter out = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(out), args);
        assertFalse(out.toString().contains("internal error"), out.toString());
        return new Run(code, out.toString());
    }

    private static String[] with(String[] first, String... more) {
        return Stream.concat(Stream.of(first), Stream.of(more)).toArray(String[]::new);
    }

    private static List<String> listed(String... options) {
        Run r = sockcheck(with(with(new String[] {"check", "--list"}, CORPUS), options));
        assertEquals(0, r.code(), r.out());
        return r.out().lines().filter(l -> !l.isBlank()).toList();
    }

    /** The trace files under the corpus that are in a folder named so, or are named so themselves (NAME.trace). */
    private static Set<String> named(String name) throws Exception {
        Set<String> out = new TreeSet<>();
        for (String root : List.of("scenarios", "generated", "peer")) {
            try (Stream<Path> files = Files.walk(Path.of(root))) {
                files.filter(f -> f.toString().endsWith(".trace"))
                        .filter(f -> f.getParent() != null && f.getParent().getFileName().toString().equals(name)
                                || f.getFileName().toString().equals(name + ".trace"))
                        .forEach(f -> out.add(f.toString()));
            }
        }
        return out;
    }

    @Test
    void listingOneFeatureNamesEveryTraceOfItsFolderAndNoOther() throws Exception {
        Set<String> expected = named("bind");
        assertTrue(expected.size() >= 5, "bind scenarios: " + expected);
        assertEquals(expected, new TreeSet<>(listed("--include", "bind")));
        // An exclude by file name takes out just those.
        List<String> withoutInUse = listed("--include", "bind", "--exclude", "*in-use*");
        assertEquals(expected.stream().filter(t -> !Path.of(t).getFileName().toString().contains("in-use")).toList(),
                withoutInUse.stream().sorted().toList());
        assertTrue(withoutInUse.size() < expected.size(), "some bind scenario is about an address in use: " + expected);
    }

    @Test
    void aRunFilteredToOneFeatureRunsExactlyItsTraces() throws Exception {
        Set<String> udp = named("udp");
        Path report = dir.resolve("report");
        Run r = sockcheck(with(with(new String[] {"check", "--impl", "ref", "--include", "udp", "--no-html",
                "--no-coverage", "--report", report.toString()}, CORPUS)));
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains(udp.size() + " runs: " + udp.size() + " pass, 0 fail"), udp.size() + "\n" + r.out());
        assertEquals(udp, new TreeSet<>(testcases(report)));
    }

    @Test
    void twoShardsSplitTheTracesAndTogetherAreTheWhole() {
        List<String> all = listed();
        List<String> first = listed("--shard", "1/2");
        List<String> second = listed("--shard", "2/2");
        Set<String> both = new HashSet<>(first);
        both.retainAll(second);
        assertEquals(Set.of(), both, "a trace in both shards");
        List<String> union = new ArrayList<>(first);
        union.addAll(second);
        assertEquals(new TreeSet<>(all), new TreeSet<>(union));
        assertEquals(all.size(), union.size());
        assertTrue(Math.abs(first.size() - second.size()) <= 1, first.size() + " and " + second.size());
    }

    @Test
    void twoShardedRunsReportTogetherEveryRunOfTheWholeRun() throws Exception {
        List<String> names = new ArrayList<>();
        for (String shard : List.of("1/2", "2/2")) {
            Path report = dir.resolve("shard" + shard.charAt(0));
            Run r = sockcheck(with(with(new String[] {"check", "--impl", "ref", "--include", "connect", "--shard", shard,
                    "--no-html", "--no-coverage", "--report", report.toString()}, CORPUS)));
            assertEquals(0, r.code(), r.out());
            names.addAll(testcases(report));
        }
        assertEquals(listed("--include", "connect").stream().sorted().toList(), names.stream().sorted().toList());
    }

    @Test
    void tapGivesATestPointPerRunAndCommentsForTheRest() throws Exception {
        int n = listed("--include", "connect").size();
        Path report = dir.resolve("tap");
        Run r = sockcheck(with(with(new String[] {"check", "--impl", "ref", "--include", "connect", "--format", "tap",
                "--no-html", "--report", report.toString()}, CORPUS)));
        assertEquals(0, r.code(), r.out());
        List<String> lines = r.out().lines().toList();
        assertEquals("TAP version 13", lines.get(0));
        assertEquals("1.." + n, lines.get(1));
        Pattern point = Pattern.compile("(not )?ok (\\d+) - ref > (\\S+)( # .*)?");
        Set<Integer> numbers = new TreeSet<>();
        for (String l : lines.subList(2, lines.size())) {
            Matcher m = point.matcher(l);
            if (m.matches()) {
                assertTrue(m.group(1) == null, "a run of ref on the corpus did not pass: " + l);
                numbers.add(Integer.parseInt(m.group(2)));
            } else {
                assertTrue(l.startsWith("#"), "neither a test point nor a comment: '" + l + "'");
            }
        }
        assertEquals(n, numbers.size());
        assertEquals(1, numbers.stream().mapToInt(Integer::intValue).min().orElseThrow());
        assertEquals(n, numbers.stream().mapToInt(Integer::intValue).max().orElseThrow());
        List<String> file = Files.readAllLines(report.resolve("report.tap"));
        assertEquals(lines.stream().filter(l -> !l.startsWith("#")).toList(), file);
    }

    @Test
    void twoWorkersGiveTheVerdictsOfOne() throws Exception {
        String[] common = {"check", "--impl", "ref,linux", "--include", "connect,listen-accept,udp", "--no-html",
                "--no-coverage"};
        Run one = sockcheck(with(with(common, "-j", "1", "--report", dir.resolve("j1").toString()), CORPUS));
        Run two = sockcheck(with(with(common, "-j", "2", "--report", dir.resolve("j2").toString()), CORPUS));
        assertEquals(0, one.code(), one.out());
        assertEquals(0, two.code(), two.out());
        assertTrue(two.out().contains("on 2 workers"), two.out());
        assertEquals(Files.readString(dir.resolve("j1").resolve("summary.txt")),
                Files.readString(dir.resolve("j2").resolve("summary.txt")));
    }

    @Test
    void twoChecksStartedAtOnceOnLinuxBothPass() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<Process> runs = new ArrayList<>();
        List<Path> outs = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            Path out = dir.resolve("at-once-" + k + ".txt");
            outs.add(out);
            List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                    System.getProperty("java.class.path"), Main.class.getName(), "check", "--impl", "linux", "--include",
                    "connect,data", "--no-html", "--no-coverage", "--report", dir.resolve("at-once-" + k).toString()));
            cmd.addAll(List.of(CORPUS));
            runs.add(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start());
        }
        for (int k = 0; k < 2; k++) {
            Process p = runs.get(k);
            boolean ended = p.waitFor(300, TimeUnit.SECONDS);
            if (!ended) {
                p.destroyForcibly();
            }
            String printed = Files.readString(outs.get(k));
            assertTrue(ended, "check " + k + " did not end in 300 s:\n" + printed);
            assertEquals(0, p.exitValue(), printed);
            assertTrue(printed.matches("(?s).*\\n(\\d+) runs: \\1 pass, 0 fail .*"), printed);
        }
    }

    @Test
    void whatAnEarlierRunWroteIsGoneAndNothingElseIsTouched() throws Exception {
        Path report = dir.resolve("again");
        Files.createDirectories(report.resolve("html"));
        Files.writeString(report.resolve("html").resolve("index.html"), "an earlier run's report");
        Files.writeString(report.resolve("allure.log"), "an earlier run's debug log");
        Files.writeString(report.resolve("notes.txt"), "the user's own file");
        Run r = sockcheck(with(new String[] {"check", "--impl", "ref", "--include", "bind-twice-is-einval", "--no-html",
                "--no-coverage", "--report", report.toString()}, CORPUS));
        assertEquals(0, r.code(), r.out());
        assertFalse(Files.exists(report.resolve("html")), "a stale html/ stayed");
        assertFalse(Files.exists(report.resolve("allure.log")), "a debug log stayed");
        assertEquals("the user's own file", Files.readString(report.resolve("notes.txt")));
        assertTrue(Files.isRegularFile(report.resolve("junit.xml")));
    }

    @Test
    void aDriverNamedByNameIsReportedAndListedUnderThatName() throws Exception {
        Path report = dir.resolve("named");
        Path known = Files.createDirectories(dir.resolve("expectations"));
        // The list of known divergences is NAME.yaml: an entry that names a trace which passes is XPASS.
        Files.writeString(known.resolve("mystack.yaml"), "- id: listed\n  trace: scenarios/bind/bind-twice-is-einval.trace\n"
                + "  reason: to show which file is read\n");
        Run r = sockcheck(with(new String[] {"check", "--name", "mystack", "--include", "bind-twice-is-einval", "--no-html",
                "--no-coverage", "--expectations", known.toString(), "--report", report.toString(), "--impl", "driver:python3",
                Corpus.PYTHON_DRIVER.toString()}, CORPUS));
        assertEquals(1, r.code(), r.out());
        assertTrue(r.out().contains("1 runs: 0 pass, 0 fail, 1 xpass"), r.out());
        assertTrue(Files.readString(report.resolve("junit.xml")).contains("<testsuite name=\"mystack\""),
                Files.readString(report.resolve("junit.xml")));
        Run twoNames = sockcheck("check", "--name", "a,b", "--impl", "ref", "--traces", "scenarios/bind");
        assertEquals(2, twoNames.code(), twoNames.out());
        assertTrue(twoNames.out().contains("--name gives 2 name(s) for 0 driver:COMMAND"), twoNames.out());
    }

    /** The trace paths of a report's junit.xml (each testcase's name). */
    private static List<String> testcases(Path report) throws Exception {
        String xml = Files.readString(report.resolve("junit.xml"));
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("<testcase\\b[^>]*?\\sname=\"([^\"]+)\"").matcher(xml);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
