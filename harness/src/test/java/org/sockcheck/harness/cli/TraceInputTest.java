package org.sockcheck.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** check and validate refuse the same bad input the same way: exit 2, the problem, nothing done. */
class TraceInputTest {

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    void aMissingPathIsBadInputForValidateAndCheck(@TempDir Path dir) {
        for (String command : new String[] {"validate", "check"}) {
            String missing = dir.resolve("missing.trace").toString();
            String[] r = command.equals("check") ? run(command, "--impl", "ref", "--traces", missing) : run(command, missing);
            assertEquals("2", r[0], command + ": " + r[2]);
            assertTrue(r[2].contains("sockcheck " + command + ": " + missing + ": no such file or folder"), r[2]);
        }
    }

    @Test
    void aTraceThatDoesNotParseNamesItsLine(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.trace"), "version 1\nA.p1: socket(INET, STREAM) = \n");
        String[] r = run("validate", bad.toString());
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].contains(bad + ":2"), r[2]);
        assertTrue(r[2].contains("1 trace(s) could not be read; nothing was validated."), r[2]);
    }
}
