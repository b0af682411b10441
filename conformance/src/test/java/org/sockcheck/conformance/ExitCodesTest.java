package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sockcheck.harness.cli.Main;

/** Exit codes that tell the truth, for the cases a user hits by mistake. */
class ExitCodesTest {
    @TempDir
    Path dir;

    private record Run(int code, String out) {
    }

    private Run sockcheck(String... args) {
        StringWriter out = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(out), args);
        assertFalse(out.toString().contains("internal error"), out.toString());
        return new Run(code, out.toString());
    }

    private String trace() {
        return Corpus.SCENARIOS.resolve("bind/bind-gives-local-address.trace").toString();
    }

    @Test
    void anImplementationListThatNamesNoneIsBadUsage() {
        Run r = sockcheck("check", "--impl", ",", "--traces", trace());
        assertEquals(2, r.code(), r.out());
        assertTrue(r.out().contains("--impl names no implementation"), r.out());
    }

    @Test
    void anArgumentThatStartsWithAtIsNotAFileOfArguments() throws Exception {
        Path args = Files.writeString(dir.resolve("args"), "--help\n");
        Run r = sockcheck("check", "--impl", "ref", "--traces", "@" + args);
        assertEquals(2, r.code(), r.out());
        assertTrue(r.out().contains("@" + args), r.out());
    }

    @Test
    void aRunWhereNothingWasJudgedIsNotASuccess() throws Exception {
        // The JDK cannot open raw sockets: every run is SKIP, and no run was judged.
        long raw;
        try (var files = Files.list(Corpus.SCENARIOS.resolve("raw"))) {
            raw = files.filter(f -> f.toString().endsWith(".trace")).count();
        }
        Run r = sockcheck("check", "--impl", "jdk", "--traces", Corpus.SCENARIOS.resolve("raw").toString(), "--no-html",
                "--report", dir.resolve("report").toString());
        assertEquals(Main.NOTHING_JUDGED, r.code(), r.out());
        assertTrue(raw >= 3, "raw scenarios: " + raw);
        assertTrue(r.out().contains(raw + " runs: 0 pass, 0 fail, " + raw + " skip (0 judged by the spec"), r.out());
    }

    @Test
    void aDriverThatOffersNothingIsAnError() throws Exception {
        Path driver = Files.writeString(dir.resolve("no_ops.py"), """
                import json, sys
                first = json.loads(sys.stdin.readline())
                print(json.dumps({"id": first["id"], "ok": {"protocol": 1, "name": "nothing"}}), flush=True)
                sys.stdin.read()
                """);
        Run r = sockcheck("check", "--impl", "driver:python3", driver.toString(), "--traces", trace(), "--no-html",
                "--report", dir.resolve("report").toString());
        assertEquals(3, r.code(), r.out());
        assertTrue(r.out().contains("hello must list the operations the driver offers"), r.out());
    }

    @Test
    void aDriverThatCannotStartIsOneErrorBeforeTheFirstTrace() throws Exception {
        Run r = sockcheck("check", "--impl", "driver:" + dir.resolve("no-such-driver"), "--traces", trace(), "--no-html",
                "--report", dir.resolve("report").toString());
        assertEquals(3, r.code(), r.out());
        assertTrue(r.out().contains("cannot start, so nothing was run"), r.out());
        assertTrue(r.out().contains("hint: run the driver's command by hand"), r.out());
        assertFalse(r.out().contains("ERROR on"), "no ERROR per trace: " + r.out());
    }

    @Test
    void anUnwritableReportFolderIsFoundBeforeTheFirstTrace() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "");
        Run r = sockcheck("check", "--impl", "ref", "--traces", trace(), "--report", file.resolve("report").toString());
        assertEquals(2, r.code(), r.out());
        assertTrue(r.out().contains("cannot write the report folder"), r.out());
        assertFalse(r.out().contains("PASS"), "nothing ran: " + r.out());
    }

    @Test
    void aTraceWithTenThousandProcessesIsBadInputNotOutOfMemory() throws Exception {
        StringBuilder t = new StringBuilder("version 1\n");
        for (int i = 0; i < 10_000; i++) {
            t.append("A.p").append(i).append(": socket(INET, DGRAM) = 3\n");
        }
        Path trace = Files.writeString(dir.resolve("processes.trace"), t);
        Run r = sockcheck("check", "--impl", "ref", "--traces", trace.toString(), "--no-html", "--report",
                dir.resolve("report").toString());
        assertEquals(2, r.code(), r.out());
        assertTrue(r.out().contains(trace + ":66:1: expected at most 64 processes, found process 65"), r.out());
        assertTrue(r.out().contains("hint: give --max-processes N"), r.out());
        Run more = sockcheck("validate", "--max-processes", "10000", "--max-events", "20", trace.toString());
        assertEquals(2, more.code(), more.out());
        assertTrue(more.out().contains(trace + ":22:1: expected at most 20 events, found event 21"), more.out());
    }

    @Test
    void aTraceFileOverTheSizeLimitIsRefusedBeforeItIsRead() throws Exception {
        Path trace = dir.resolve("large.trace");
        try (var f = new java.io.RandomAccessFile(trace.toFile(), "rw")) {
            f.setLength(3L << 20); // sparse: nothing is written
        }
        Run r = sockcheck("validate", "--max-trace-mib", "2", trace.toString());
        assertEquals(2, r.code(), r.out());
        assertTrue(r.out().contains(trace + ":1:1: expected a trace of at most 2 MiB, found 3145728 bytes"), r.out());
        Run zero = sockcheck("validate", "--max-trace-mib", "0", trace.toString());
        assertEquals(2, zero.code(), zero.out());
        assertTrue(zero.out().contains("--max-trace-mib must be positive"), zero.out());
    }
}
