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

    /** Each path that cannot be searched is named with the reason, all of them before anything runs. */
    @Test
    void aLinkLoopAFifoAndAMissingPathAreEachNamedWithTheirReason(@TempDir Path dir) throws Exception {
        Path loop = dir.resolve("loop");
        Files.createSymbolicLink(loop, dir.resolve("loop2"));
        Files.createSymbolicLink(dir.resolve("loop2"), loop);
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Path missing = dir.resolve("missing");
        String[] r = run("validate", loop.toString(), fifo.toString(), missing.toString());
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].contains(loop + ": a symbolic link that leads nowhere (a loop or a missing target)"), r[2]);
        assertTrue(r[2].contains(fifo + ": not a file or a folder (a fifo, a device or a socket)"), r[2]);
        assertTrue(r[2].contains(missing + ": no such file or folder"), r[2]);
        assertTrue(!r[2].contains("Exception"), r[2]);
    }

    @Test
    void aTraceLargerThanTheLimitIsRefusedBeforeItIsRead(@TempDir Path dir) throws Exception {
        Path big = dir.resolve("big.trace");
        try (var f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(org.sockcheck.harness.trace.TraceFiles.MAX_BYTES + 1);
        }
        String[] r = run("validate", big.toString());
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].contains(big + ":1:1: expected a trace of at most 64 MiB, found 67108865 bytes"), r[2]);
    }
}
