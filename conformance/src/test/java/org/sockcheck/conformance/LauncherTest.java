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

    private static String bash(String script, Path dir) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script);
        pb.environment().put("SOCKCHECK", Path.of("..", "sockcheck").toAbsolutePath().toString());
        pb.environment().put("DIR", dir.toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "did not finish: " + script);
        return p.exitValue() + "\n" + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void namesThatAreNotAsciiWorkWhateverTheLocaleAndNamesThatAreNotUtf8AreExplained(
            @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        java.nio.file.Files.copy(Corpus.SCENARIOS.resolve("bind/bind-gives-local-address.trace"), dir.resolve("caf\u00e9.trace"));
        // In the POSIX locale the JVM could not name the file; the launcher reads names as UTF-8.
        String r = bash("LANG= LC_ALL= \"$SOCKCHECK\" validate \"$DIR/caf\u00e9.trace\"", dir);
        assertTrue(r.startsWith("0\n") && r.contains("1 accepted"), r);
        // A name whose bytes are not UTF-8 cannot be an argument: said so, not "no such file".
        bash("cp \"$DIR/caf\u00e9.trace\" \"$DIR/$(printf 'x\\xe9.trace')\"", dir);
        r = bash("\"$SOCKCHECK\" validate \"$DIR/$(printf 'x\\xe9.trace')\"", dir);
        assertTrue(r.startsWith("2\n") && r.contains("the name is not UTF-8 text"), r);
        assertTrue(!r.contains("no such file") && !r.contains("Exception"), r);
        // Its folder is searched, and the file is found and read.
        r = bash("\"$SOCKCHECK\" validate \"$DIR\"", dir);
        assertTrue(r.startsWith("0\n") && r.contains("2 accepted"), r);
    }
}
