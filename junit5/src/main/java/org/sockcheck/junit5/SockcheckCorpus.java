package org.sockcheck.junit5;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.sockcheck.harness.cli.Selection;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.run.ExpectedResults;
import org.sockcheck.harness.run.Expectations;
import org.sockcheck.harness.run.Runner;
import org.sockcheck.harness.run.TraceCheck;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.harness.run.Verdict;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.harness.trace.TraceFiles;
import org.sockcheck.harness.trace.TraceSyntaxException;
import org.sockcheck.harness.validate.SpecJudge;

/**
 * The trace corpus as JUnit 5 dynamic tests: one test per trace, run on an
 * {@link Implementation} of the caller's test class path and judged as
 * {@code sockcheck check} judges it. A test class returns
 * {@code corpus.tests(MyStack::new)} from a {@code @TestFactory} method and
 * the IDE shows a test per trace, named {@code IMPL > scenarios/bind/address-in-use}.
 *
 * <p>What a test does with a run's verdict, by the rules check's exit code
 * follows ({@link TraceResult#failsTheGate}): FAIL, XPASS and ERROR fail
 * the test with the verdict's message (the trace file and line, what was
 * expected, what was observed and what the spec allows there); a run the
 * spec could not judge fails too unless {@link Builder#allowUnjudged}; any
 * other SKIP (the implementation cannot express what the trace needs)
 * aborts it, as an assumption that does not hold; PASS and XFAIL (a known
 * divergence of the expectations file, failing as listed) pass. A trace
 * whose written results the spec rejects, or that cannot be read, fails
 * with its file:line, as check refuses it (exit 2).
 *
 * <p>Every run is judged by the spec (Sockets.tla through TLC, loaded once
 * when {@link #tests} is called), never by the results written in the
 * trace; known divergences are applied by {@link Expectations}, as check
 * applies them.
 */
public final class SockcheckCorpus {
    private final List<Path> roots;
    private final List<String> include;
    private final List<String> exclude;
    private final Path expectations;
    private final Duration callTimeout;
    private final Duration searchLimit;
    private final boolean allowUnjudged;

    private SockcheckCorpus(Builder b) {
        this.roots = List.copyOf(b.roots);
        this.include = List.copyOf(b.include);
        this.exclude = List.copyOf(b.exclude);
        this.expectations = b.expectations;
        this.callTimeout = b.callTimeout;
        this.searchLimit = b.searchLimit;
        this.allowUnjudged = b.allowUnjudged;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What a corpus runs: the trace folders, the globs, the known divergences, the time limits. */
    public static final class Builder {
        private final List<Path> roots = new ArrayList<>();
        private final List<String> include = new ArrayList<>();
        private final List<String> exclude = new ArrayList<>();
        private Path expectations;
        private Duration callTimeout = Duration.ofSeconds(5);
        private Duration searchLimit = Duration.ofSeconds(10);
        private boolean allowUnjudged;

        private Builder() {
        }

        /** Trace files or folders of them (*.trace, *.jsonl, searched below a folder); at least one. */
        public Builder traces(Path... filesOrFolders) {
            roots.addAll(List.of(filesOrFolders));
            return this;
        }

        /**
         * Only the traces a glob takes, as {@code check --include} reads it,
         * against the name a test shows: with a '/', the path
         * ({@code scenarios/udp/*}); without, a folder ({@code bind}) or a
         * file name ({@code *in-use*}). Repeated or comma-separated.
         */
        public Builder include(String... globs) {
            include.addAll(List.of(globs));
            return this;
        }

        /** Leave out the traces a glob takes (read as {@link #include} reads it). */
        public Builder exclude(String... globs) {
            exclude.addAll(List.of(globs));
            return this;
        }

        /**
         * The known divergences: an expectations file (docs/ci.md; the
         * format of conformance/expectations/*.yaml), or a folder of them,
         * where the implementation's own is read as check reads it
         * ({@code ref.yaml}, {@code driver-NAME.yaml}). None by default.
         */
        public Builder expectations(Path fileOrFolder) {
            this.expectations = Objects.requireNonNull(fileOrFolder);
            return this;
        }

        /** How long one call may take before the implementation is judged hung (check --call-timeout); 5 s by default. */
        public Builder callTimeout(Duration timeout) {
            this.callTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** How long the spec may search for the step that explains one event (check --search-limit); 10 s by default. */
        public Builder searchLimit(Duration limit) {
            this.searchLimit = Objects.requireNonNull(limit);
            return this;
        }

        /** Let runs the spec could not judge abort instead of failing (check --allow-unjudged). */
        public Builder allowUnjudged() {
            this.allowUnjudged = true;
            return this;
        }

        public SockcheckCorpus build() {
            if (roots.isEmpty()) {
                throw new IllegalArgumentException("no traces: give traces(folder...) the corpus to run,"
                        + " e.g. conformance/scenarios of a sockcheck checkout");
            }
            return new SockcheckCorpus(this);
        }
    }

    /** One trace file: the name a test shows, and the trace or why it cannot be read. */
    private record Entry(Path file, String shown, Trace trace, String unreadable) {
    }

    /**
     * A test per selected trace, run on one instance of the implementation
     * (made now, closed when JUnit closes the stream). The spec is loaded
     * here, once for all the traces.
     *
     * @throws IllegalArgumentException when no trace is found or selected, or the expectations file is bad
     * @throws UncheckedIOException when a folder cannot be read or the spec cannot be loaded
     */
    public Stream<DynamicTest> tests(Supplier<? extends Implementation> implementation) {
        List<Entry> entries = entries();
        Implementation im = Objects.requireNonNull(implementation.get(), "the supplier gave no implementation");
        try {
            Expectations known = known(im.name());
            List<Trace> readable = entries.stream().map(Entry::trace).filter(Objects::nonNull).toList();
            SpecJudge judge = SpecJudge.forTraces(readable, searchLimit);
            Runner runner = new Runner(new ExpectedResults(), callTimeout, judge);
            Object lock = new Object();
            return entries.stream()
                    .map(e -> DynamicTest.dynamicTest(im.name() + " > " + e.shown(), e.file().toUri(), () -> {
                        // One implementation and one judge for every test: neither is for two threads at once.
                        synchronized (lock) {
                            run(e, im, known, judge, runner);
                        }
                    }))
                    .onClose(im::close);
        } catch (IOException e) {
            im.close();
            throw new UncheckedIOException("the spec could not be loaded: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            im.close();
            throw e;
        }
    }

    private void run(Entry e, Implementation im, Expectations known, SpecJudge judge, Runner runner) {
        if (e.unreadable() != null) {
            Assertions.fail(e.unreadable());
        }
        Optional<String> contradiction = judge.contradiction(e.trace());
        if (contradiction.isPresent()) {
            Assertions.fail(contradiction.get());
        }
        TraceResult r = known.applied(runner.run(e.trace(), e.file().getParent(), im));
        if (r.failsTheGate(allowUnjudged)) {
            Assertions.fail(r.verdict() + " on " + im.name() + ": " + r.message());
        }
        if (r.verdict() == Verdict.SKIP) {
            Assumptions.abort("SKIP on " + im.name() + ": " + r.message());
        }
    }

    /** The known divergences of this implementation: none, the file given, or its file in the folder given. */
    private Expectations known(String name) {
        if (expectations == null) {
            return Expectations.none();
        }
        Path file = Files.isDirectory(expectations) ? expectations.resolve(Expectations.fileName(name)) : expectations;
        if (!Files.isDirectory(expectations) && !Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no such expectations file");
        }
        try {
            return Expectations.load(file);
        } catch (Expectations.BadExpectations bad) {
            throw new IllegalArgumentException(bad.getMessage(), bad);
        }
    }

    /** Every trace file under the roots that the globs take, in the order check finds them, each read. */
    private List<Entry> entries() {
        Selection selection;
        try {
            selection = Selection.of(include, exclude, null);
        } catch (Selection.BadOption bad) {
            throw new IllegalArgumentException(bad.getMessage() + " (" + bad.hint + ")", bad);
        }
        Map<Path, String> found = new LinkedHashMap<>();
        int all = 0;
        for (Path root : roots) {
            List<Path> files;
            try {
                files = TraceFiles.find(List.of(root));
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
            all += files.size();
            for (Path f : files) {
                // Shown from the root's own name on: scenarios/bind/address-in-use.trace.
                Path shown = Files.isDirectory(root) ? root.toAbsolutePath().normalize().getFileName()
                        .resolve(root.toAbsolutePath().normalize().relativize(f.toAbsolutePath().normalize()))
                        : f.getFileName();
                if (selection.takes(shown)) {
                    found.putIfAbsent(f, withoutExtension(shown.toString().replace('\\', '/')));
                }
            }
        }
        if (all == 0) {
            throw new IllegalArgumentException("no traces (*.trace, *.jsonl) under " + roots);
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException("no trace matches include " + include + " and exclude " + exclude
                    + " (of " + all + " found under " + roots + ")");
        }
        List<Entry> out = new ArrayList<>();
        found.forEach((f, shown) -> out.add(read(f, shown)));
        return out;
    }

    private static Entry read(Path f, String shown) {
        try {
            Trace t = TraceFiles.read(f);
            TraceCheck.check(t, TraceCheck.Limits.DEFAULT);
            return new Entry(f, shown, t, null);
        } catch (TraceSyntaxException e) {
            return new Entry(f, shown, null, e.getMessage());
        } catch (IOException e) {
            return new Entry(f, shown, null, f + ": cannot read: " + TraceFiles.why(e));
        }
    }

    private static String withoutExtension(String name) {
        for (String ext : List.of(".trace", ".jsonl")) {
            if (name.endsWith(ext)) {
                return name.substring(0, name.length() - ext.length());
            }
        }
        return name;
    }
}
