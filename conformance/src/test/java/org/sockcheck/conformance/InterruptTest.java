package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Ctrl-C during a call that would wait a minute: the run ends at once and leaves no driver process behind. */
class InterruptTest {
    @Test
    void interruptEndsTheRunAndItsDriverProcesses() throws Exception {
        Path jar = Path.of("..", "harness", "target", "sockcheck.jar");
        assertTrue(Files.exists(jar), "the harness jar is built before this module's tests");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process run = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(), "check",
                "--impl", "driver:python3", Corpus.testDriver("silent_driver.py").toString(), "--call-timeout", "60000",
                "--traces", Corpus.SCENARIOS.resolve("bind").toString(), "--report", "target/interrupt-report")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (run.toHandle().descendants().findAny().isEmpty() && System.nanoTime() < deadline) {
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
        }
    }
}
