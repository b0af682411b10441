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
    void aRunWhereNothingWasJudgedIsNotASuccess() {
        // The JDK cannot open raw sockets: every run is SKIP, and no run was judged.
        Run r = sockcheck("check", "--impl", "jdk", "--traces", Corpus.SCENARIOS.resolve("raw").toString(), "--no-html",
                "--report", dir.resolve("report").toString());
        assertEquals(Main.NOTHING_JUDGED, r.code(), r.out());
        assertTrue(r.out().contains("3 runs: 0 pass, 0 fail, 3 skip (0 judged by the spec"), r.out());
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
    void anUnwritableReportFolderIsFoundBeforeTheFirstTrace() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "");
        Run r = sockcheck("check", "--impl", "ref", "--traces", trace(), "--report", file.resolve("report").toString());
        assertEquals(2, r.code(), r.out());
        assertTrue(r.out().contains("cannot write the report folder"), r.out());
        assertFalse(r.out().contains("PASS"), "nothing ran: " + r.out());
    }
}
