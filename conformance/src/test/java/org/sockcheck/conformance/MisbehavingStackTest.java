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

/**
 * Stacks that misbehave, each the Python driver with one bug planted
 * (src/test/resources/drivers/buggy_driver.py), checked as a user would:
 * whatever they answer is judged by the spec and FAILs at the line, with
 * what was observed and what the spec allows; never an exception.
 */
class MisbehavingStackTest {
    @TempDir
    Path dir;

    private record Run(int code, String out) {
    }

    /** A bound a loaded machine's Python driver answers within; the one call that blocks waits all of it. */
    private Run check(String bug, Path trace) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), "check", "--impl", "driver:python3",
                Corpus.testDriver("buggy_driver.py").toString(), bug, "--traces", trace.toString(), "--call-timeout", "5000",
                "--no-html", "--no-coverage", "--report", dir.resolve("report").toString());
        String all = out + err.toString();
        assertFalse(all.matches("(?s).*\\b(java|com|org)\\.[a-z]+\\.\\w*(Exception|Error)\\b.*"), "a Java exception name: " + all);
        assertFalse(all.contains("internal error"), all);
        return new Run(code, all);
    }

    @Test
    void aRecvThatBlocksAfterAnIgnoredShutdownFailsThere() throws Exception {
        Path trace = Corpus.SCENARIOS.resolve("shutdown-close/shutdown-read-gives-end-of-file.trace");
        int line = Files.readAllLines(trace).indexOf("A.p1: recv(4, 100) = \"\"") + 1;
        Run r = check("ignores-shutdown-rd", trace);
        assertEquals(1, r.code(), r.out());
        assertTrue(r.out().contains("FAIL on driver:python3"), r.out());
        assertTrue(r.out().contains("shutdown-read-gives-end-of-file.trace:" + line + ": A.p1: recv(4, 100):"
                + " expected \"\", observed blocks (the spec allows: \"\")"), r.out());
    }

    @Test
    void aPeerAtAnAddressOfNoHostFailsNamingTheAddress() throws Exception {
        Path trace = Corpus.SCENARIOS.resolve("shutdown-close/shutdown-read-gives-end-of-file.trace");
        int line = Files.readAllLines(trace).indexOf("A.p1: accept(3) = 4 peer B:$e1") + 1;
        Run r = check("peer-is-localhost", trace);
        assertEquals(1, r.code(), r.out());
        assertTrue(r.out().contains("shutdown-read-gives-end-of-file.trace:" + line + ": A.p1: accept(3):"
                + " expected 4 peer B:$e1, observed 4 peer 127.0.0.1:"), r.out());
        assertTrue(r.out().matches("(?s).*observed 4 peer 127\\.0\\.0\\.1:[0-9]+ \\(the spec allows: 4 peer B:.*"), r.out());
    }

    @Test
    void aUdpRowWithAStateFailsThere() throws Exception {
        Path trace = Corpus.SCENARIOS.resolve("connect/udp-connect-fixes-both-addresses.trace");
        int line = Files.readAllLines(trace).indexOf("observe B: udp B:$e1 A:53") + 1;
        Run r = check("udp-row-has-state", trace);
        assertEquals(1, r.code(), r.out());
        assertTrue(r.out().contains("udp-connect-fixes-both-addresses.trace:" + line + ": observe B:"
                + " expected udp B:$e1 A:53, observed udp B:$e1 A:53 ESTABLISHED"), r.out());
    }
}
