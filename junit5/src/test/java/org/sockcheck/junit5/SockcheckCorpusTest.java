package org.sockcheck.junit5;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;
import org.sockcheck.harness.impl.RefImplementation;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Errno;

class SockcheckCorpusTest {
    static final Path BIND = Path.of("../conformance/scenarios/bind");

    /** A listener on A:80; the bind is line 6. */
    static final String LISTENER = """
            # a listener on A:80
            version 1
            profile LINUX

            A.p1: socket(INET, STREAM) = 3
            A.p1: bind(3, A:80) = 0
            A.p1: listen(3, 8) = 0
            """;

    static SockcheckCorpus.Builder corpus(Path dir) {
        return SockcheckCorpus.builder().traces(dir);
    }

    @Test
    void theExampleShowsATestPerTraceNamedByStackAndPathAndEachPasses() throws IOException {
        List<String> expected = new ArrayList<>();
        try (Stream<Path> files = Files.list(BIND)) {
            files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".trace"))
                    .forEach(n -> expected.add("ref > scenarios/bind/" + n.substring(0, n.length() - ".trace".length())));
        }
        assertTrue(expected.size() >= 10, "the bind scenarios: " + expected);

        Map<String, TestExecutionResult> seen = new TreeMap<>();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(CorpusExample.class)).build(),
                new TestExecutionListener() {
                    @Override
                    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                        if (id.isTest()) {
                            seen.put(id.getDisplayName(), result);
                        }
                    }
                });

        assertEquals(expected.stream().sorted().toList(), List.copyOf(seen.keySet()));
        seen.forEach((name, result) -> assertEquals(TestExecutionResult.Status.SUCCESSFUL, result.getStatus(),
                name + ": " + result.getThrowable().map(Throwable::getMessage).orElse("")));
    }

    @Test
    void aTraceWrittenWrongFailsWithItsLine(@TempDir Path dir) throws Throwable {
        Files.writeString(dir.resolve("right.trace"), LISTENER);
        Files.writeString(dir.resolve("wrong.trace"), LISTENER.replace("bind(3, A:80) = 0", "bind(3, A:80) = EADDRINUSE"));

        List<DynamicTest> tests = corpus(dir).build().tests(RefImplementation::new).toList();

        String folder = dir.getFileName().toString();
        assertEquals(List.of("ref > " + folder + "/right", "ref > " + folder + "/wrong"),
                tests.stream().map(DynamicTest::getDisplayName).toList());
        assertEquals(dir.resolve("wrong.trace").toUri(), tests.get(1).getTestSourceUri().orElseThrow());
        tests.get(0).getExecutable().execute();
        AssertionFailedError failed = assertThrows(AssertionFailedError.class, tests.get(1).getExecutable()::execute);
        assertTrue(failed.getMessage().contains("wrong.trace:6: the result written is not one the spec allows:"
                + " A.p1: bind(3, A:80) = EADDRINUSE\n  the spec allows: 0"), failed.getMessage());
    }

    @Test
    void aStackWithABugFailsAtItsLineUnlessTheDivergenceIsListed(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("listener.trace"), LISTENER);
        DynamicTest buggy = corpus(dir).build()
                .tests(() -> Planted.failing("buggy", ApiCall.Bind.class, Errno.EINVAL)).findFirst().orElseThrow();

        AssertionFailedError failed = assertThrows(AssertionFailedError.class, buggy.getExecutable()::execute);
        assertTrue(failed.getMessage().startsWith("FAIL on buggy: " + dir.resolve("listener.trace") + ":6: "),
                failed.getMessage());
        assertTrue(failed.getMessage().contains("observed: EINVAL"), failed.getMessage());

        // Listed as a known divergence of that stack, in a folder as check reads it (IMPL.yaml): XFAIL, a pass.
        Path known = Files.createDirectories(dir.resolve("known"));
        Files.writeString(known.resolve("buggy.yaml"), """
                - id: planted-bind
                  trace: listener.trace
                  reason: the test plants a bind that fails
                """);
        DynamicTest listed = corpus(dir).expectations(known).build()
                .tests(() -> Planted.failing("buggy", ApiCall.Bind.class, Errno.EINVAL)).findFirst().orElseThrow();
        assertDoesNotThrow(listed.getExecutable()::execute);

        // The same entry on a stack that passes: XPASS, a failure, so the list stays true.
        DynamicTest passed = corpus(dir).expectations(known.resolve("buggy.yaml")).build()
                .tests(RefImplementation::new).findFirst().orElseThrow();
        AssertionFailedError xpass = assertThrows(AssertionFailedError.class, passed.getExecutable()::execute);
        assertTrue(xpass.getMessage().startsWith("XPASS on ref: "), xpass.getMessage());
        assertTrue(xpass.getMessage().contains("listed as a known divergence in " + known.resolve("buggy.yaml")),
                xpass.getMessage());
    }

    @Test
    void aCallTheStackCannotMakeAbortsTheTestAndTheStreamClosesTheStack(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("listener.trace"), LISTENER);
        Planted stack = Planted.without("nolisten", ApiCall.Listen.class);
        try (Stream<DynamicTest> tests = corpus(dir).build().tests(() -> stack)) {
            DynamicTest only = tests.findFirst().orElseThrow();
            TestAbortedException skipped = assertThrows(TestAbortedException.class, only.getExecutable()::execute);
            assertTrue(skipped.getMessage().startsWith("SKIP on nolisten: "), skipped.getMessage());
            assertTrue(skipped.getMessage().contains("nolisten has no listen"), skipped.getMessage());
            assertTrue(!stack.closed, "closed before the stream");
        }
        assertTrue(stack.closed, "the stream's close closes the implementation");
    }

    @Test
    void aGlobThatTakesNoTraceIsAnErrorNotAnEmptyFactory() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SockcheckCorpus.builder().traces(BIND).include("no-such-trace*").build().tests(RefImplementation::new));
        assertTrue(e.getMessage().startsWith("no trace matches include [no-such-trace*]"), e.getMessage());
    }
}
