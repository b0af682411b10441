package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** ./sockcheck without a JDK 25 says what to install and exits 2. */
class LauncherTest {
    @Test
    void withoutJdk25TheLauncherExplainsAndExitsTwo() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", Path.of("..", "sockcheck").toString(), "check");
        pb.environment().clear();
        // /usr/bin may hold an older java (17 on CI machines): it must be passed over.
        pb.environment().put("PATH", "/usr/bin:/bin");
        pb.environment().put("SOCKCHECK_JVM_DIRS", "/nonexistent");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "launcher did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("needs a JDK 25 or newer"), out);
        assertTrue(out.contains("hint:"), out);
    }
}
