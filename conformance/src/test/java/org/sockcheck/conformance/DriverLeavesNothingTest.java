package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sockcheck.harness.cli.Main;

/**
 * A driver's whole process tree ends with it: a driver that leaves an
 * orphan behind (which ignores SIGTERM) and then exits as asked leaves no
 * process once the run is over.
 */
class DriverLeavesNothingTest {
    @TempDir
    Path dir;

    /** The processes whose command line names the marker (read from /proc). */
    private static List<Long> named(String marker) throws IOException {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    if (cmdline.contains(marker)) {
                        out.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException gone) {
                    // the process ended while it was read
                }
            }
        }
        return out;
    }

    @Test
    void theOrphansOfADriverEndWithIt() throws Exception {
        String marker = "sockcheck-orphan-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        StringWriter out = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(out), "check", "--impl", "driver:python3",
                Corpus.testDriver("forking_driver.py").toString(), marker, "--traces",
                Corpus.SCENARIOS.resolve("bind/bind-gives-local-address.trace").toString(), "--no-html",
                "--report", dir.resolve("report").toString());
        assertEquals(0, code, out.toString());
        assertTrue(out.toString().contains("1 runs: 1 pass"), out.toString());
        // Bounded: the group is ended before check returns; a killed process may take a moment to be reaped.
        List<Long> left = named(marker);
        for (int i = 0; i < 50 && !left.isEmpty(); i++) {
            Thread.sleep(20);
            left = named(marker);
        }
        assertEquals(List.of(), left, "processes the driver left behind: " + left);
    }
}
