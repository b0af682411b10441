package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sockcheck.harness.cli.Main;

/**
 * check --driver-log DIR: every request a driver process is sent and every
 * line it writes, a file per trace run and process, so that a driver's
 * author sees what was exchanged.
 */
class DriverLogTest {
    @TempDir
    Path dir;

    @Test
    void everyRequestAndReplyOfEachDriverProcessIsWritten() throws Exception {
        Path log = dir.resolve("log");
        StringWriter out = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(out), "check", "--impl", "driver:python3",
                Corpus.PYTHON_DRIVER.toString(), "--traces", Corpus.SCENARIOS.resolve("bind/bind-gives-local-address.trace")
                        .toString(), "--driver-log", log.toString(), "--no-html", "--report", dir.resolve("report").toString());
        assertEquals(0, code, out.toString());
        Path folder = log.resolve("driver_sockcheck_driver.py");
        List<String> files;
        try (var s = Files.list(folder)) {
            files = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        // Protocol 2: one driver process per trace run, so one log per run (protocol 1: RUN-HOST.PROCESS.log).
        assertEquals(List.of("0001-trace.log", "hello-A.p1.log"), files);
        List<String> lines = Files.readAllLines(folder.resolve("0001-trace.log"));
        assertTrue(lines.get(0).startsWith("# start python3 "), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("> ") && l.contains("\"op\":\"bind\"")
                && l.contains("\"host\":\"A\",\"process\":\"p1\"")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("< ") && l.contains("\"ok\"")), lines.toString());
        long requests = lines.stream().filter(l -> l.startsWith("> ")).count();
        long replies = lines.stream().filter(l -> l.startsWith("< ")).count();
        assertEquals(requests, replies, "a reply line for every request: " + lines);
        assertTrue(lines.get(lines.size() - 1).startsWith("# ended"), lines.toString());
    }
}
