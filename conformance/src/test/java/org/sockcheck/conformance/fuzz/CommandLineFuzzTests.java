package org.sockcheck.conformance.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.sockcheck.harness.cli.Main;

/**
 * The whole command line under Jazzer: whatever a trace file (text or JSON
 * Lines), an expectations file or a driver's replies hold, {@code sockcheck
 * check} gives a verdict or a clear error, never an exception. Under {@code
 * mvn -B verify} each target runs on its inputs under src/test/resources
 * (regression mode); {@code scripts/fuzz TARGET DURATION} fuzzes one for real.
 */
class CommandLineFuzzTests {
    private static final Path DIR = temporaryFolder();
    /** A scenario every implementation runs in a few milliseconds, with no peer. */
    private static final Path SCENARIO = Path.of("scenarios", "bind", "bind-gives-local-address.trace").toAbsolutePath();
    private static final Path REPLAYING_DRIVER = Path.of("src", "test", "resources", "drivers", "replaying_driver.py")
            .toAbsolutePath();
    /** The system's Python without site packages starts in a tenth of the time of a wrapper's (pyenv). */
    private static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3 -S" : "python3";
    /** What an exception that escaped looks like: the handler's line, or a stack frame. */
    private static final Pattern ESCAPED = Pattern.compile("(?m)^sockcheck: internal error|^\\s+at [\\w.$]+\\(");
    /** The name of a Java class or exception in a message: an exception's name printed where words belong. */
    private static final Pattern JAVA_NAME = Pattern.compile(
            "\\b(java|javax|tools\\.jackson|picocli|tlc2|org\\.sockcheck)\\.[\\w.$]+|\\b\\w+(Exception|Error)\\b");

    private static Path temporaryFolder() {
        try {
            Path d = Files.createTempDirectory("sockcheck-fuzz");
            // The folder holds the runs' reports: deleteOnExit removes only an empty folder, so the whole tree goes.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (java.util.stream.Stream<Path> all = Files.walk(d)) {
                    all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException | UncheckedIOException e) {
                    // gone already, or unreadable: nothing more to do at exit
                }
            }, "sockcheck-fuzz-cleanup"));
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Run(int code, String out) {
    }

    private static Run sockcheck(List<String> args) {
        StringWriter out = new StringWriter();
        List<String> all = new ArrayList<>(List.of("check", "--no-html", "--no-coverage", "--search-limit", "2000",
                "--call-timeout", "2000", "--report", DIR.resolve("report").toString()));
        all.addAll(args);
        int code = Main.run(new PrintWriter(out), new PrintWriter(out), all.toArray(String[]::new));
        return new Run(code, out.toString());
    }

    /** A verdict (0, 1, 4) or, for bad input, exit 2 naming the file and line; never an escaped exception. */
    private static void verdictOrBadInput(Run r, Path file, Set<Integer> allowed) {
        assertTrue(!ESCAPED.matcher(r.out()).find(), "an exception escaped:\n" + r.out());
        // A Java name in the output is a leak unless the input holds it (messages quote the input).
        String input;
        try {
            input = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        java.util.regex.Matcher m = JAVA_NAME.matcher(r.out());
        while (m.find()) {
            // A quoted value may be shortened ("java.nio....") or follow an escape ("\rError" for CR, "Error").
            String name = m.group().replaceAll("\\.+$", "");
            if (m.start() >= 1 && r.out().charAt(m.start() - 1) == '\\') {
                name = name.substring(name.matches("x\\p{XDigit}{2}.*") ? 3 : 1);
            }
            assertTrue(input.contains(name), "a Java name in a message: " + m.group() + "\n" + r.out());
        }
        assertTrue(allowed.contains(r.code()), "exit " + r.code() + ":\n" + r.out());
        if (r.code() == Main.BAD_INPUT) {
            assertTrue(Pattern.compile(Pattern.quote(file.toString()) + ":\\d+").matcher(r.out()).find(),
                    "exit 2 without file:line:\n" + r.out());
        }
    }

    private static Path write(String name, byte[] bytes) {
        try {
            return Files.write(DIR.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void traceFile(String name, byte[] bytes) {
        Path file = write(name, bytes);
        Run r = sockcheck(List.of("--impl", "ref", "--traces", file.toString()));
        verdictOrBadInput(r, file, Set.of(Main.OK, Main.NONCONFORMANCE, Main.BAD_INPUT, Main.NOTHING_JUDGED));
    }

    /** Any bytes as a trace in the text form. */
    @FuzzTest(maxDuration = "30s")
    void traceText(byte[] bytes) {
        traceFile("fuzz.trace", bytes);
    }

    /** Any bytes as a trace in the JSON Lines form. */
    @FuzzTest(maxDuration = "30s")
    void traceJsonLines(byte[] bytes) {
        traceFile("fuzz.jsonl", bytes);
    }

    /** Any bytes as the reference stack's list of known divergences. */
    @FuzzTest(maxDuration = "30s")
    void expectations(byte[] bytes) {
        Path folder = DIR.resolve("expectations");
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path file = write("expectations/ref.yaml", bytes);
        Run r = sockcheck(List.of("--impl", "ref", "--expectations", folder.toString(), "--traces", SCENARIO.toString()));
        verdictOrBadInput(r, file, Set.of(Main.OK, Main.NONCONFORMANCE, Main.BAD_INPUT));
    }

    /**
     * Any bytes as a driver's replies, one line per request (a fake driver
     * answers with them): a verdict, ERROR (exit 3) for a driver that breaks
     * the protocol, or SKIP; never an exception.
     */
    @FuzzTest(maxDuration = "60s")
    void driverReplies(byte[] bytes) {
        Path replies = write("replies", bytes);
        Run r = sockcheck(List.of("--impl", "driver:" + PYTHON + " " + REPLAYING_DRIVER + " " + replies, "--traces",
                SCENARIO.toString()));
        verdictOrBadInput(r, replies, Set.of(Main.OK, Main.NONCONFORMANCE, Main.ERROR, Main.NOTHING_JUDGED));
    }
}
