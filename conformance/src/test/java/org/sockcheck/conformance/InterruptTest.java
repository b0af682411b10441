package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Ctrl-C during a call that would wait a minute: the run ends at once and
 * leaves no driver process behind; and a run interrupted halfway leaves the
 * report of the verdicts it has.
 */
class InterruptTest {
    /**
     * The command with SIGINT as the system has it by default. A process
     * started in the background of a shell without job control (nohup ...
     * &, some CI runners) ignores SIGINT, its children inherit that, and a
     * JVM that starts with SIGINT ignored never sees Ctrl-C: python3 (which
     * the Python driver needs anyway) sets it back and becomes the command,
     * with the same process id.
     */
    private static List<String> interruptible(String... command) {
        List<String> out = new java.util.ArrayList<>(List.of("python3", "-c",
                "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])"));
        out.addAll(List.of(command));
        return out;
    }

    private static boolean isDriver(ProcessHandle p) {
        return p.info().arguments().map(a -> String.join(" ", a).contains("silent_driver.py")).orElse(false);
    }

    @Test
    void interruptEndsTheRunAndItsDriverProcesses() throws Exception {
        Path jar = Path.of("..", "harness", "target", "sockcheck.jar");
        assertTrue(Files.exists(jar), "the harness jar is built before this module's tests");
        String java = ProcessHandle.current().info().command().orElse("java");
        Path log = Files.createTempFile("sockcheck-interrupt-driver", ".log");
        Process run = new ProcessBuilder(interruptible(java, "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(), "check",
                // One worker, so that exactly one driver process waits when the interrupt comes.
                "-j", "1", "--impl", "driver:python3", Corpus.testDriver("silent_driver.py").toString(), "--call-timeout", "60000",
                "--traces", Corpus.SCENARIOS.resolve("bind").toString(), "--report", "target/interrupt-report"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            // The runs start once the driver has answered a hello of its own and the spec is loaded; then
            // wait for the first trace's driver (python3 may be a shim whose short-lived children come first).
            while (!Files.readString(log).contains("traces x 1 implementations") && run.isAlive()
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            while (run.toHandle().descendants().noneMatch(InterruptTest::isDriver) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            // the first trace (bind/address-in-use) has one process, A.p1, and waits on its first call
            Thread.sleep(500);
            List<ProcessHandle> drivers = run.toHandle().descendants().toList();
            assertEquals(1, drivers.size(), "the first trace's driver process should be waiting: " + drivers);
            new ProcessBuilder("kill", "-INT", Long.toString(run.pid())).start().waitFor(5, TimeUnit.SECONDS);
            assertTrue(run.waitFor(15, TimeUnit.SECONDS), "sockcheck did not end on SIGINT");
            for (ProcessHandle d : drivers) {
                d.onExit().get(5, TimeUnit.SECONDS);
                assertTrue(!d.isAlive(), "driver process " + d.pid() + " left behind");
            }
        } finally {
            run.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            run.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }

    @Test
    void anInterruptedRunLeavesTheReportOfItsVerdictsSoFar() throws Exception {
        Path jar = Path.of("..", "harness", "target", "sockcheck.jar");
        String java = ProcessHandle.current().info().command().orElse("java");
        Path log = Files.createTempFile("sockcheck-interrupt", ".log");
        Path report = Path.of("target", "interrupt-report-so-far");
        Process run = new ProcessBuilder(interruptible(java, "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(), "check",
                "--impl", "ref,linux", "--traces", Corpus.SCENARIOS.toString(), "--no-html", "--report", report.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            // Once the runs on linux have started (ref's come first, one per scenario), Ctrl-C.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(log).contains("[100/") && run.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(run.isAlive(), "the run ended before it could be interrupted: " + Files.readString(log));
            new ProcessBuilder("kill", "-INT", Long.toString(run.pid())).start().waitFor(5, TimeUnit.SECONDS);
            assertTrue(run.waitFor(20, TimeUnit.SECONDS), "sockcheck did not end on SIGINT");
            assertEquals(130, run.exitValue(), Files.readString(log));
            String summary = Files.readString(report.resolve("summary.txt"));
            int planned = 2 * Corpus.files().size();
            Matcher m = Pattern.compile("INCOMPLETE: interrupted after (\\d+) of " + planned + " runs")
                    .matcher(summary);
            assertTrue(m.find(), summary);
            int made = Integer.parseInt(m.group(1));
            assertTrue(made >= 99 && made < planned, "runs in the report: " + made);
            String junit = Files.readString(report.resolve("junit.xml"));
            assertEquals(made, junit.split("<testcase ", -1).length - 1, "one test case per verdict so far");
        } finally {
            run.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            run.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }
}
