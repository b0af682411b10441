package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sockcheck.harness.cli.Main;

/**
 * Traces other people wrote, malformed or hostile, each as it was found to
 * break sockcheck: every one gives a verdict or a clear error (exit 2 with
 * file:line), never an internal error, an exception's name or a run that
 * uses the value cut to 32 bits.
 */
class HostileInputsTest {
    @TempDir
    Path dir;

    private static final String JSON_HEAD = "{\"version\":1}\n";

    private static String json(String host, String process) {
        return JSON_HEAD + "{\"host\":" + host + ",\"process\":" + process
                + ",\"call\":\"socket\",\"args\":[{\"name\":\"INET\"},{\"name\":\"STREAM\"}],\"ret\":3}\n";
    }

    private static String manyHosts(int n) {
        StringBuilder t = new StringBuilder("version 1\nA.p1: socket(INET, DGRAM) = 3\n");
        for (int i = 1; i <= n; i++) {
            t.append("A.p1: sendto(3, \"x\", H").append(i).append(":53) = 1\n");
        }
        return t.toString();
    }

    static Stream<Arguments> inputs() {
        return Stream.of(
                // name, file, content, exit code, what the output says (":N:" is the line)
                Arguments.of("a descriptor near the top of a C int", "fd.trace",
                        "version 1\nA.p1: close(2147483646) = EBADF\n", 0, "1 pass"),
                Arguments.of("a size beyond a C int", "size.trace",
                        "version 1\nA.p1: socket(INET, DGRAM) = 3\nA.p1: recv(3, 4294967297) = EAGAIN\n", 2,
                        ":3:15: expected a number of bytes from -2147483648 to 2147483647"),
                Arguments.of("a version beyond a C int", "version.trace", "version 4294967297\n", 2, ":1:"),
                Arguments.of("a JSON version beyond a C int", "version.jsonl", "{\"version\":4294967297}\n", 2,
                        ":1:1: expected version 1"),
                Arguments.of("a JSON number of the wrong type", "type.jsonl", JSON_HEAD
                        + "{\"host\":\"A\",\"process\":\"p1\",\"call\":\"close\",\"args\":[3.5],\"errno\":\"EBADF\"}\n", 2,
                        ":2:1: expected a number or an object"),
                Arguments.of("a host named TRUE", "true.jsonl", json("\"TRUE\"", "\"p1\""), 2, ":2:1: expected a host name"),
                Arguments.of("a host named FALSE", "false.jsonl", json("\"FALSE\"", "\"p1\""), 2, ":2:1: expected a host name"),
                Arguments.of("a host name that is not ASCII", "accent.jsonl", json("\"\u00c5\"", "\"p1\""), 2,
                        ":2:1: expected a host name"),
                Arguments.of("a newline inside a host name", "newline.jsonl", json("\"A\\nB\"", "\"p1\""), 2,
                        ":2:1: expected a host name"),
                Arguments.of("a host named *", "star.jsonl", json("\"*\"", "\"p1\""), 2, ":2:1: expected a host name"),
                Arguments.of("a newline inside a process name", "process.jsonl", json("\"A\"", "\"p\\n1\""), 2,
                        ":2:1: expected a process or thread name"),
                Arguments.of("a host given as an object", "host.jsonl", json("{\"a\":1}", "\"p1\""), 2,
                        ":2:1: expected a string field \"host\""),
                Arguments.of("digits of another script", "digits.trace", "version 1\nA.p1: close(\u0663) = EBADF\n", 2,
                        ":2:"),
                Arguments.of("an escape with a sign", "escape.trace",
                        "version 1\nA.p1: socket(INET, DGRAM) = 3\nA.p1: send(3, \"\\x+1\") = 1\n", 2,
                        ":3:18: expected two hex digits after \\x"),
                Arguments.of("a JSON key given twice", "twice.jsonl", JSON_HEAD + "{\"host\":\"A\",\"host\":\"B\","
                        + "\"process\":\"p1\",\"call\":\"close\",\"args\":[3],\"errno\":\"EBADF\"}\n", 2,
                        ":2:19: expected a JSON object, found invalid JSON (Duplicate key \"host\""),
                Arguments.of("300 hosts", "hosts.trace", manyHosts(300), 2, ":256:1: expected at most 254 hosts"),
                Arguments.of("a fork into a running process", "fork.trace", "version 1\nA.p1: socket(INET, DGRAM) = 3\n"
                        + "A.p2: socket(INET, DGRAM) = 3\nA.p1: fork(p2) = 0\n", 2, ":4:"));
    }

    private record Run(int code, String out) {
    }

    private Run check(Path traces) {
        StringWriter out = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(out), "check", "--impl", "ref", "--traces",
                traces.toString(), "--no-html", "--report", dir.resolve("report").toString());
        return new Run(code, out.toString());
    }

    private static void noInternals(Run r) {
        assertFalse(r.out().contains("internal error"), r.out());
        assertFalse(r.out().matches("(?s).*\\b\\w+(Exception|Error)\\b.*"), "an exception's name: " + r.out());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inputs")
    void aVerdictOrAClearError(String name, String file, String content, int code, String says) throws Exception {
        Path trace = Files.writeString(dir.resolve(file), content);
        Run r = check(trace);
        assertEquals(code, r.code(), r.out());
        assertTrue(r.out().contains(code == 2 ? trace + says : says), r.out());
        if (code == 2) {
            assertTrue(r.out().contains("hint:") || r.out().contains("expected"), r.out());
        }
        noInternals(r);
    }

    @Test
    void aBadFileInAFolderIsNamedAndTheOthersAreStillChecked() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("folder"));
        Files.writeString(folder.resolve("a-good.trace"), "version 1\nA.p1: close(3) = EBADF\n");
        Files.writeString(folder.resolve("b-bad.jsonl"), json("\"TRUE\"", "\"p1\""));
        Files.writeString(folder.resolve("c-bad.trace"), "version 1\nA.p1: close(x) = EBADF\n");
        Files.writeString(folder.resolve("d-good.trace"), "version 1\nA.p1: close(4) = EBADF\n");
        Run r = check(folder);
        assertEquals(2, r.code(), r.out());
        assertTrue(r.out().contains(folder.resolve("b-bad.jsonl") + ":2:1:"), r.out());
        assertTrue(r.out().contains(folder.resolve("c-bad.trace") + ":2:"), r.out());
        assertTrue(r.out().contains("2 trace(s) could not be read; nothing was run."), r.out());
        noInternals(r);
    }

    @Test
    void aTenMegabyteValueIsShownShortened() throws Exception {
        String big = "a".repeat(10 << 20);
        Path trace = Files.writeString(dir.resolve("big.trace"), "version 1\nA.p1: close(" + big + ") = EBADF\n");
        Run r = check(trace);
        assertEquals(2, r.code(), r.out().substring(0, Math.min(2000, r.out().length())));
        assertTrue(r.out().length() < 4000, "the output holds " + r.out().length() + " characters");
        noInternals(r);
    }
}
