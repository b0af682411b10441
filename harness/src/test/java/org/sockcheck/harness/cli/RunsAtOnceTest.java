package org.sockcheck.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two sockcheck processes that load the spec at the same moment. TLC copies
 * its standard modules into java.io.tmpdir; when both copied them into the
 * same /tmp, one of them could read a half-written Integers.tla and fail
 * ("Module-Table lookup failure"). Each JVM now gives TLC a folder of its
 * own, so the shared temporary folder gets no module at all. They share a
 * verdict cache (empty at first, so both load the spec), and write the same
 * entries at once: a third run reads them all.
 */
class RunsAtOnceTest {
    private static final Path CONNECT = Path.of("..", "conformance", "scenarios", "connect");

    @Test
    void twoValidationsStartedAtOnceBothAcceptAndLeaveNoModuleInTheSharedTemporaryFolder(@TempDir Path shared)
            throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<Process> runs = new ArrayList<>();
        List<Path> outs = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            Path out = shared.resolve("out" + k + ".txt");
            outs.add(out);
            runs.add(validate(java, shared, out).start());
        }
        for (int k = 0; k < 2; k++) {
            Process p = runs.get(k);
            boolean ended = p.waitFor(120, TimeUnit.SECONDS);
            if (!ended) {
                p.destroyForcibly();
            }
            String printed = Files.readString(outs.get(k));
            assertTrue(ended, "run " + k + " did not end in 120 s: " + printed);
            assertEquals(0, p.exitValue(), printed);
            assertTrue(printed.contains(" accepted, 0 rejected, 0 not validated"), printed);
        }
        // Both kept the same verdicts in their cache at once; a third run reads every one of them whole.
        Path out = shared.resolve("out-after.txt");
        Process after = validate(java, shared, out).start();
        assertTrue(after.waitFor(120, TimeUnit.SECONDS), Files.readString(out));
        String printed = Files.readString(out);
        assertEquals(0, after.exitValue(), printed);
        assertTrue(printed.contains(" accepted, 0 rejected, 0 not validated"), printed);
        assertTrue(printed.contains("verdicts from the cache of earlier runs, the spec not loaded)"), printed);
        try (var kept = Files.list(shared.resolve("cache").resolve("verdicts"))) {
            assertTrue(kept.allMatch(f -> f.getFileName().toString().matches("[0-9a-f]{64}\\.json")),
                    "a temporary file was left in the cache");
        }
        try (var left = Files.list(shared)) {
            List<String> names = left.map(f -> f.getFileName().toString()).sorted().toList();
            assertTrue(names.stream().noneMatch(n -> n.endsWith(".tla")), "TLC wrote modules into the shared folder: " + names);
            assertTrue(names.stream().noneMatch(n -> n.startsWith("sockcheck-tlc-")),
                    "a JVM left its folder for TLC behind: " + names);
        }
    }

    /** sockcheck validate of the connect scenarios, with the verdict cache in the shared folder (empty at first). */
    private static ProcessBuilder validate(String java, Path shared, Path out) {
        ProcessBuilder pb = new ProcessBuilder(java, "-Djava.io.tmpdir=" + shared, "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "validate", CONNECT.toString())
                .redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("SOCKCHECK_CACHE", shared.resolve("cache").toString());
        return pb;
    }
}
