package org.sockcheck.harness.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run times check keeps, and the order of runs they give: longest first, the rest in serial order. */
class RunTimesTest {
    @TempDir
    Path dir;

    private static final List<RunTimes.Run> RUNS = List.of(new RunTimes.Run("ref", "/t/a.trace"),
            new RunTimes.Run("ref", "/t/b.trace"), new RunTimes.Run("linux", "/t/a.trace"),
            new RunTimes.Run("linux", "/t/b.trace"), new RunTimes.Run("linux", "/t/c.trace"));

    @Test
    void runsNotKnownKeepTheirSerialOrder() {
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, RunTimes.none().order(RUNS.size(), RUNS::get));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, RunTimes.in(dir.resolve("missing")).order(RUNS.size(), RUNS::get));
    }

    @Test
    void theRunsThatTookLongestComeFirstAndTiesKeepTheirOrder() {
        Path file = dir.resolve("run-times");
        RunTimes.in(file).keep(RUNS.size(), RUNS::get, new long[] {0, 3, 1000, 3, -1});
        RunTimes read = RunTimes.in(file);
        assertEquals(Optional.of(1000L), read.of(RUNS.get(2)));
        assertEquals(Optional.empty(), read.of(RUNS.get(4)), "a run not made is not kept");
        // 1000 ms, then the two of 3 ms in serial order, then 0 ms, then the one not known.
        assertArrayEquals(new int[] {2, 1, 3, 0, 4}, read.order(RUNS.size(), RUNS::get));
    }

    @Test
    void aLaterCheckKeepsTheTimesOfRunsItDidNotMake() {
        Path file = dir.resolve("run-times");
        RunTimes.in(file).keep(RUNS.size(), RUNS::get, new long[] {5, 6, 7, 8, 9});
        RunTimes.in(file).keep(1, k -> RUNS.get(4), new long[] {42});
        RunTimes read = RunTimes.in(file);
        assertEquals(Optional.of(42L), read.of(RUNS.get(4)), "this check's time replaces the earlier one");
        assertEquals(Optional.of(5L), read.of(RUNS.get(0)), "an earlier check's time is kept");
    }

    @Test
    void linesThatAreNotTheFilesOwnAreSkippedAndAFileTooLargeIsReadOnlyInPart() throws Exception {
        Path file = dir.resolve("run-times");
        Files.writeString(file, "garbage\n12\tref\t/t/a.trace\nx\tref\t/t/b.trace\n\t\t\n7\tlinux\n-5\tlinux\t/t/c.trace\n");
        RunTimes read = RunTimes.in(file);
        assertEquals(Optional.of(12L), read.of(RUNS.get(0)));
        assertEquals(Optional.empty(), read.of(RUNS.get(1)));
        assertEquals(Optional.of(0L), read.of(RUNS.get(4)), "a negative time is read as none at all");

        // Lines of 500 bytes: MAX_BYTES holds fewer of them than MAX_RUNS, so it is the byte bound that stops the read.
        StringBuilder big = new StringBuilder();
        String pad = "x".repeat(480);
        int lines = 0;
        while (big.length() <= RunTimes.MAX_BYTES) {
            big.append("1\tref\t/t/").append(pad).append(lines++).append(".trace\n");
        }
        assertTrue(lines < RunTimes.MAX_RUNS, "the file's lines stay under MAX_RUNS: " + lines);
        big.append("99\tlinux\t/t/a.trace\n");
        Files.writeString(file, big);
        assertEquals(Optional.empty(), RunTimes.in(file).of(RUNS.get(2)), "nothing past MAX_BYTES is read");
    }

    @Test
    void aNameThatDoesNotFitALineIsNotKeptAndAFolderThatCannotBeWrittenIsNoError() throws Exception {
        Path file = dir.resolve("run-times");
        List<RunTimes.Run> odd = List.of(new RunTimes.Run("driver:a\tb", "/t/a.trace"), new RunTimes.Run("ref", "/t/x\ny"));
        RunTimes.in(file).keep(2, odd::get, new long[] {1, 2});
        assertEquals("", Files.readString(file));

        Path notAFolder = dir.resolve("plain-file");
        Files.writeString(notAFolder, "x");
        RunTimes.in(notAFolder.resolve("run-times")).keep(RUNS.size(), RUNS::get, new long[] {1, 2, 3, 4, 5});
        assertEquals("x", Files.readString(notAFolder));
    }

    @Test
    void checkKeepsOneLinePerRunBesideTheVerdictCache() throws Exception {
        String before = System.getProperty("sockcheck.cache");
        System.setProperty("sockcheck.cache", dir.resolve("cache").toString());
        try {
            Path traces = Path.of("..", "conformance", "scenarios", "connect");
            StringWriter out = new StringWriter();
            int code = Main.run(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), "check", "--impl",
                    "ref", "--no-html", "--report", dir.resolve("report").toString(), "--traces", traces.toString());
            assertEquals(0, code, out.toString());
            long runs;
            try (var files = Files.list(traces)) {
                runs = files.filter(f -> f.toString().endsWith(".trace")).count();
            }
            List<String> lines = Files.readAllLines(dir.resolve("cache").resolve("run-times"));
            assertEquals(runs, lines.size(), String.join("\n", lines));
            assertTrue(lines.stream().allMatch(l -> l.matches("\\d+\tref\t.*connect.*\\.trace")), String.join("\n", lines));
        } finally {
            if (before == null) {
                System.clearProperty("sockcheck.cache");
            } else {
                System.setProperty("sockcheck.cache", before);
            }
        }
    }
}
