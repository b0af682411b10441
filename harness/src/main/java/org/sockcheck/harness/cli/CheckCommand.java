package org.sockcheck.harness.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.IntFunction;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.run.ExpectedResults;
import org.sockcheck.harness.run.Expectations;
import org.sockcheck.harness.run.Judge;
import org.sockcheck.harness.run.Runner;
import org.sockcheck.harness.validate.SpecJudge;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.harness.run.Verdict;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.harness.validate.SpecCoverage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sockcheck check}: replays traces on implementations and gives a verdict for each pair. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Replay traces on implementations; a verdict per trace and implementation.")
public final class CheckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    LimitOptions limitOptions;

    @Option(names = "--impl", arity = "1..*", paramLabel = "IMPL",
            description = "Comma-separated: ref, linux, jdk, python, lwip, gvisor (the drivers shipped in drivers/, built by scripts/build-drivers), driver:COMMAND (a driver command may go on in the words"
                    + " that follow). Default: ref,linux.")
    List<String> impl = new ArrayList<>(List.of("ref,linux"));

    @Option(names = "--name", paramLabel = "NAME", arity = "1..*",
            description = "A short, stable name for each driver:COMMAND of --impl, in their order (comma-separated):"
                    + " reports, file names and the expectations file NAME.yaml use it instead of the command line.")
    List<String> names;

    @Option(names = "--traces", arity = "1..*", paramLabel = "PATH",
            description = "Trace files or folders (searched for *.trace and *.jsonl). Default: the scenario corpus"
                    + " (conformance/scenarios), the traces generated from the spec (conformance/generated) and the peer suites"
                    + " translated (conformance/peer).")
    List<Path> traces;

    @Option(names = "--report", paramLabel = "DIR", description = "Where to write junit.xml, allure-results/ and"
            + " summary.txt. Default: ${DEFAULT-VALUE}.", defaultValue = "target/sockcheck-report")
    Path report;

    @Option(names = "--driver-log", paramLabel = "DIR",
            description = "Write what each driver process is sent and writes, a file per trace run and process:"
                    + " DIR/NAME/RUN-HOST.PROCESS.log ('>' request, '<' output, '!' stderr).")
    Path driverLog;

    @Option(names = "--call-timeout", paramLabel = "MS", defaultValue = "5000",
            description = "How long one call may take before the implementation is judged hung (ms). Default: ${DEFAULT-VALUE}.")
    long callTimeoutMs;

    @Option(names = "--expectations", paramLabel = "DIR",
            description = "Where the known divergences are, one IMPL.yaml per implementation (ref.yaml, linux.yaml,"
                    + " driver-NAME.yaml). Default: conformance/expectations of sockcheck's home.")
    Path expectations;

    @Option(names = "--allow-unjudged", description = "Let runs the spec could not judge (its search gave up, or the"
            + " trace is outside what the model holds) pass the gate; they are SKIP either way, and counted.")
    boolean allowUnjudged;

    @Option(names = "--search-limit", paramLabel = "MS", defaultValue = "10000",
            description = "How long the spec may search for the step that explains one event of a run (ms); a"
                    + " search that runs out is 'undecided', a SKIP that is not judged. Default: ${DEFAULT-VALUE}.")
    long searchLimitMs;

    @Option(names = "--no-html", description = "Do not make the single-file HTML report (Allure) in DIR/html.")
    boolean noHtml;

    @picocli.CommandLine.Mixin
    CacheOption cacheOption = new CacheOption();
    /** The cache of the spec's verdicts of earlier runs this run reads and writes. */
    private org.sockcheck.harness.validate.VerdictCache verdicts;

    @Option(names = "--no-coverage", description = "Do not report spec coverage (the actions and TCP transitions of"
            + " the spec that the passing runs took).")
    boolean noCoverage;

    @picocli.CommandLine.Mixin
    Workers jobs = new Workers();

    @Option(names = "--shard", paramLabel = "K/N",
            description = "Run only the K-th of N slices of the traces (every N-th, from the K-th), so that N machines"
                    + " of a CI matrix share a corpus; the N reports together hold every run.")
    String shard;

    @Option(names = "--include", paramLabel = "GLOB", arity = "1..*",
            description = "Run only traces that match a glob: with a '/', the path as reports show it"
                    + " (scenarios/udp/*); without, a folder (a feature: bind, udp) or a trace's file name (*in-use*)."
                    + " Comma-separated or repeated.")
    List<String> include;

    @Option(names = "--exclude", paramLabel = "GLOB", arity = "1..*",
            description = "Leave out traces that match a glob (as --include reads them).")
    List<String> exclude;

    @Option(names = "--list", description = "Print the traces the options select, one per line, and run nothing.")
    boolean list;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "What to print: text (progress, table and summary) or tap (TAP version 13 on standard"
                    + " output; the reports are written as usual, report.tap among them). Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = {"-q", "--quiet"}, description = "Print only the runs that did not pass and the totals.")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Print every run with its message, and the whole table.")
    boolean verbose;

    /** The run stops here, with this exit code; the lines to print on stderr say why. */
    private static final class Stop extends Exception {
        final int code;
        final List<String> lines;

        Stop(int code, List<String> lines) {
            super(String.join("\n", lines), null, false, false);
            this.code = code;
            this.lines = lines;
        }

        Stop(int code, String line, String hint) {
            this(code, hint == null ? List.of("sockcheck check: " + line) : List.of("sockcheck check: " + line, "  hint: " + hint));
        }
    }

    /**
     * The steps of a check: the options and implementations, the traces and
     * the known divergences, the spec as the judge (a trace it rejects as
     * written is bad input), every run, the summary, the reports.
     */
    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Implementation> impls = new ArrayList<>();
        List<List<Implementation>> workers = new ArrayList<>();
        try {
            checkOptions();
            Selection selection;
            try {
                selection = Selection.of(include, exclude, shard);
            } catch (Selection.BadOption e) {
                throw new Stop(Main.BAD_INPUT, e.getMessage(), e.hint);
            }
            List<Path> roots = traces == null ? defaultTraces() : traces;
            Path base = commonFolder(roots);
            if (list) {
                java.util.Optional<List<Trace>> read = TraceInput.read("sockcheck check", roots, err, "nothing was listed",
                        limitOptions.limits());
                if (read.isEmpty()) {
                    return Main.BAD_INPUT;
                }
                List<Trace> taken = selected(selection, read.get(), base);
                taken.forEach(t -> out.println(relative(base, t.source())));
                return Main.OK;
            }
            openImplementations(impls);
            verdicts = cacheOption.cache().prepare();
            java.util.Optional<List<Trace>> read = TraceInput.read("sockcheck check", roots, err, "nothing was run",
                limitOptions.limits());
            if (read.isEmpty()) {
                return Main.BAD_INPUT;
            }
            List<Trace> loaded = selected(selection, read.get(), base);
            List<String> found = read.get().stream().map(Trace::source).toList();
            Map<String, Expectations> lists = knownDivergences(impls);
            checkReportFolder();
            Progress progress = new Progress(out, format.equals("tap"), quiet, verbose, base,
                    loaded.size() * impls.size(), impls.stream().mapToInt(i -> shortName(i.name()).length()).max().orElse(5));
            PrintWriter said = progress.said();
            int planned = loaded.size() * impls.size();
            int n = jobs.forRuns(planned);
            List<SpecJudge> judges = judges(loaded, judgedAs(loaded, impls), said, jobs.forItems(loaded.size()), n);
            SpecJudge judge = judges.get(0);
            workers.add(impls);
            openWorkers(workers, n);
            if (!noHtml) {
                // Allure's JVM starts now and waits: its start overlaps the runs (AllureHtml.start).
                allure = AllureHtml.start(report, planned >= WARM_UP_RUNS);
            }
            TraceResult[] results = new TraceResult[planned];
            Map<String, java.util.Set<String>> used = new java.util.concurrent.ConcurrentHashMap<>();
            // Ctrl-C or a kill: the verdicts so far still make a report, marked incomplete.
            org.sockcheck.harness.impl.ShutdownHook interrupted = new org.sockcheck.harness.impl.ShutdownHook(
                    "sockcheck-report-on-interrupt", () -> reportSoFar(results, planned, base));
            try {
                said.printf("sockcheck: %d traces x %d implementations (%s)%s%n", loaded.size(), impls.size(),
                        String.join(", ", impls.stream().map(Implementation::name).toList()),
                        workers.size() > 1 ? " on " + workers.size() + " workers" : "");
                said.flush();
                List<Runner> runners = judges.stream()
                        .map(j -> new Runner(new ExpectedResults(), Duration.ofMillis(callTimeoutMs), j)).toList();
                // The runs that took longest last time first (RunTimes): a timer's wait overlaps the short runs. On
                // one worker nothing overlaps, and the runs keep their serial order (the progress lines and TAP's
                // test points then follow it, as before).
                RunTimes times = verdicts.folder().map(f -> RunTimes.in(f.resolveSibling("run-times")))
                        .orElse(RunTimes.none());
                IntFunction<RunTimes.Run> run = k -> new RunTimes.Run(impls.get(k / loaded.size()).name(),
                        loaded.get(k % loaded.size()).source());
                int[] order = workers.size() > 1 ? times.order(planned, run)
                        : java.util.stream.IntStream.range(0, planned).toArray();
                runAll(loaded, workers, lists, runners, base, progress, results, used, order);
                times.keep(planned, run, java.util.Arrays.stream(results)
                        .mapToLong(r -> r == null ? -1 : r.millis()).toArray());
            } finally {
                interrupted.remove();
            }
            List<TraceResult> made = java.util.Arrays.asList(results);
            Summary summary = new Summary(made, base, coverage(made, judge), allowUnjudged);
            progress.finish();
            if (!quiet) {
                said.println();
                said.print(summary.table());
            }
            said.print(summary.problems());
            said.print(summary.coverage);
            if (judge.fromCache() > 0) {
                // The spec is the judge: a verdict it gave an earlier run is said to be one.
                said.println("sockcheck: " + judge.verdictsTold());
            }
            said.print(staleExpectations(lists, used, made, found, selection.narrows() || traces != null));
            said.println(summary.totals());
            writeReports(made, base, summary, said);
            if (progress.tap) {
                try {
                    progress.writeTap(report.resolve("report.tap"));
                } catch (IOException e) {
                    throw new Stop(Main.ERROR, "cannot write " + report.resolve("report.tap") + ": " + e.getMessage(), null);
                }
            }
            said.flush();
            return summary.exitCode();
        } catch (Stop stop) {
            out.flush();
            stop.lines.forEach(err::println);
            return stop.code;
        } catch (Expectations.BadPattern bad) {
            out.flush();
            err.println("sockcheck check: " + bad.getMessage());
            return Main.BAD_INPUT;
        } finally {
            if (allure != null) {
                allure.close();
            }
            impls.forEach(Implementation::close);
            workers.stream().skip(1).forEach(w -> w.forEach(Implementation::close));
        }
    }

    /** Allure's JVM, started before the runs when an HTML report is to be made. */
    private AllureHtml.Pending allure;

    /**
     * From how many runs Allure's JVM warms up with a report of no results
     * while the runs go on (about a second of one core): fewer runs end
     * before a warm-up would, and the report would wait for it.
     */
    static final int WARM_UP_RUNS = 200;

    /**
     * The entries of the known-divergence lists that are stale: a trace
     * named that is not there; and, when the whole default corpus ran (part:
     * the run was narrowed), an entry that matched no run.
     */
    private static String staleExpectations(Map<String, Expectations> lists, Map<String, java.util.Set<String>> used,
                                            List<TraceResult> results, List<String> found, boolean part) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Expectations> e : new java.util.TreeMap<>(lists).entrySet()) {
            List<TraceResult> mine = results.stream().filter(r -> r.implementation().equals(e.getKey())).toList();
            for (String s : e.getValue().stale(used.getOrDefault(e.getKey(), java.util.Set.of()), mine, found, !part)) {
                sb.append("stale known divergence of ").append(shortName(e.getKey())).append(": ").append(s).append('\n');
            }
        }
        return sb.isEmpty() ? "" : sb.append('\n').toString();
    }

    /** The traces the selection takes; none at all where patterns were given is a mistake of the options. */
    private static List<Trace> selected(Selection selection, List<Trace> found, Path base) throws Stop {
        List<Trace> named = selection.named(found, base);
        if (named.isEmpty()) {
            throw new Stop(Main.BAD_INPUT, "no trace matches --include/--exclude (of " + found.size() + " found)",
                    "--list shows what is selected; a pattern without '/' matches a folder or a file name, with '/'"
                            + " the path as reports show it (scenarios/bind/*)");
        }
        return selection.shard(named);
    }

    /** The other workers' instances of each implementation (the first worker has impls). */
    private void openWorkers(List<List<Implementation>> workers, int n) throws Stop {
        List<Implementation> first = workers.get(0);
        for (int w = 1; w < n; w++) {
            List<Implementation> mine = new ArrayList<>();
            workers.add(mine);
            for (String s : specsOf()) {
                try {
                    mine.add(ImplSpecs.create(s));
                } catch (ImplSpecs.UsageError e) {
                    throw new Stop(Main.BAD_INPUT, e.getMessage(), e.hint);
                }
            }
            for (int i = 0; i < mine.size(); i++) {
                if (mine.get(i) instanceof org.sockcheck.harness.impl.driver.DriverImplementation d
                        && first.get(i) instanceof org.sockcheck.harness.impl.driver.DriverImplementation d0) {
                    if (driverLog != null) {
                        d.logTo(driverLog.resolve(shortName(d.name()).replaceAll("[^A-Za-z0-9._-]", "_")));
                    }
                    d.countRunsWith(d0);
                    try {
                        d.hello();
                    } catch (org.sockcheck.harness.impl.ImplementationException e) {
                        throw new Stop(Main.ERROR, d.name() + " cannot start a second instance (worker " + (w + 1)
                                + "): " + e.getMessage(), "run with -j 1");
                    }
                }
            }
        }
    }

    private List<String> specsOf() throws Stop {
        try {
            return ImplSpecs.named(ImplSpecs.split(impl), names);
        } catch (ImplSpecs.UsageError e) {
            throw new Stop(Main.BAD_INPUT, e.getMessage(), e.hint);
        }
    }

    /**
     * What check writes in the report folder: removed before a run, so that
     * nothing of an earlier run (an html/ of a run that now has --no-html)
     * stays beside the new reports. Nothing else in the folder is touched.
     */
    static final List<String> WRITTEN = List.of("junit.xml", "summary.txt", "matrix.html", "matrix.md", "report.tap",
            "allure-results", "html", "allure.log", AllureHtml.WARM_UP);

    /** The report folder can be written: found out before the first trace, not after the whole run. */
    private void checkReportFolder() throws Stop {
        try {
            Files.createDirectories(report);
            for (String name : WRITTEN) {
                Path old = report.resolve(name);
                if (Files.isDirectory(old, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    org.sockcheck.harness.impl.FileTrees.remove(old);
                } else {
                    Files.deleteIfExists(old);
                }
            }
            Path probe = Files.createTempFile(report, ".sockcheck-", ".probe");
            Files.delete(probe);
        } catch (IOException e) {
            throw new Stop(Main.BAD_INPUT, "cannot write the report folder " + report + " ("
                    + org.sockcheck.harness.trace.TraceFiles.why(e) + ")", "give --report a folder you can write");
        }
    }

    private void checkOptions() throws Stop {
        if (callTimeoutMs <= 0) {
            throw new Stop(Main.BAD_INPUT, "--call-timeout must be positive", "the default is 5000 (ms)");
        }
        if (searchLimitMs <= 0) {
            throw new Stop(Main.BAD_INPUT, "--search-limit must be positive", "the default is 10000 (ms)");
        }
        java.util.Optional<String> badJobs = jobs.problem();
        if (badJobs.isPresent()) {
            throw new Stop(Main.BAD_INPUT, badJobs.get(), "the default is the number of cores");
        }
        if (!format.equals("text") && !format.equals("tap")) {
            throw new Stop(Main.BAD_INPUT, "--format expects text or tap, found '" + format + "'", null);
        }
        if (quiet && verbose) {
            throw new Stop(Main.BAD_INPUT, "-q and -v ask for opposite things", "give one of them");
        }
    }

    private void openImplementations(List<Implementation> impls) throws Stop {
        try {
            for (String s : ImplSpecs.named(ImplSpecs.split(impl), names)) {
                impls.add(ImplSpecs.create(s));
            }
        } catch (ImplSpecs.UsageError e) {
            throw new Stop(Main.BAD_INPUT, e.getMessage(), e.hint);
        }
        // A driver that cannot start is one error now, not an ERROR for every trace.
        for (Implementation im : impls) {
            if (im instanceof org.sockcheck.harness.impl.driver.DriverImplementation d) {
                if (driverLog != null) {
                    d.logTo(driverLog.resolve(shortName(im.name()).replaceAll("[^A-Za-z0-9._-]", "_")));
                }
                try {
                    d.hello();
                } catch (org.sockcheck.harness.impl.ImplementationException e) {
                    throw new Stop(Main.ERROR, im.name() + " cannot start, so nothing was run: " + e.getMessage(),
                            "run the driver's command by hand: it must answer a hello on its standard output"
                                    + " (docs/driver-protocol.md)");
                }
            }
        }
    }

    /** The known divergences of each implementation (IMPL.yaml in the expectations folder). */
    private Map<String, Expectations> knownDivergences(List<Implementation> impls) throws Stop {
        Path known = expectations != null ? expectations : defaultExpectations();
        Map<String, Expectations> lists = new HashMap<>();
        for (Implementation im : impls) {
            try {
                lists.put(im.name(), Expectations.load(known.resolve(Expectations.fileName(im.name()))));
            } catch (Expectations.BadExpectations e) {
                throw new Stop(Main.BAD_INPUT, e.getMessage(), null);
            }
        }
        return lists;
    }

    /**
     * The spec as the judge of these traces. Each trace's written results
     * are validated first: one the spec rejects says something the spec does
     * not, and is bad input (nothing runs).
     */
    /**
     * The traces as the judge will see the runs: each also under the profile
     * an implementation is judged by when it declares one (a driver's
     * "profile":"POSIX"), so that the models those runs need are loaded once,
     * up front, as for the traces' own profiles, and not grown run by run.
     */
    private static List<Trace> judgedAs(List<Trace> loaded, List<Implementation> impls) {
        java.util.Set<org.sockcheck.spec.Profile> declared = new java.util.TreeSet<>();
        for (Implementation im : impls) {
            if (im.judgedProfile() != null) {
                declared.add(im.judgedProfile());
            }
        }
        List<Trace> out = new ArrayList<>(loaded);
        for (org.sockcheck.spec.Profile p : declared) {
            for (Trace t : loaded) {
                if (t.profile() != p) {
                    out.add(new Trace(t.source(), t.version(), p, t.lines()));
                }
            }
        }
        return out;
    }

    /**
     * A judge per worker of the runs (the first made for these traces, the
     * others sharing its models and known verdicts), after every trace's
     * written results were validated on the first workers of them.
     */
    private List<SpecJudge> judges(List<Trace> loaded, List<Trace> judged, PrintWriter out, int workers, int runs)
            throws Stop {
        SpecJudge first;
        try {
            // Loaded at the first trace the cache of earlier verdicts does not hold (none: TLC is not loaded).
            first = SpecJudge.forTraces(judged, Duration.ofMillis(searchLimitMs), verdicts, models -> {
                out.println("sockcheck: loading the spec (TLC) to judge the runs ...");
                out.flush();
            });
        } catch (IOException e) {
            throw new Stop(Main.ERROR, "the spec could not be loaded: " + e.getMessage(), null);
        }
        List<SpecJudge> judges = first.forWorkers(Math.max(workers, runs));
        String[] found = new String[loaded.size()];
        Workers.run(workers, found.length, "sockcheck-judge",
                (w, k) -> found[k] = judges.get(w).contradiction(loaded.get(k)).orElse(null));
        java.util.Optional<IOException> failed = first.loadFailure();
        if (failed.isPresent()) {
            throw new Stop(Main.ERROR, "the spec could not be loaded: " + failed.get().getMessage(), null);
        }
        problems(found);
        return judges;
    }

    /** Each trace whose written results the spec rejects, or that is no trace at all, stops the run (bad input). */
    private static void problems(String[] found) throws Stop {
        List<String> problems = new ArrayList<>();
        for (String p : found) {
            if (p != null) {
                problems.add(p);
            }
        }
        if (!problems.isEmpty()) {
            List<String> lines = new ArrayList<>(problems);
            lines.add(problems.size() + " trace(s) contradict the spec; nothing was run.");
            throw new Stop(Main.BAD_INPUT, lines);
        }
    }

    /**
     * The report of a run that was interrupted: the verdicts it has, the
     * summary saying how many of the planned runs were made (no HTML: the
     * JVM is on its way out).
     */
    private void reportSoFar(TraceResult[] results, int planned, Path base) {
        List<TraceResult> made = java.util.Arrays.stream(results.clone()).filter(java.util.Objects::nonNull).toList();
        String note = "INCOMPLETE: interrupted after " + made.size() + " of " + planned + " runs; the verdicts so far\n";
        try {
            Reports.write(report, made, base, new Summary(made, base, note, allowUnjudged));
            System.err.println("sockcheck check: interrupted; the report of " + made.size() + " of " + planned
                    + " runs is in " + report);
        } catch (IOException | RuntimeException e) {
            System.err.println("sockcheck check: interrupted; no report: " + e.getMessage());
        }
    }

    /**
     * Every trace on every implementation, on the workers: worker w runs on
     * its own instances, taking the next run as it is free. results[k] is the
     * k-th run in the order of a serial check (implementation by
     * implementation, traces in their order), whatever order the runs are
     * taken in (order[i]: the i-th run taken) and end in.
     */
    private static void runAll(List<Trace> loaded, List<List<Implementation>> workers, Map<String, Expectations> lists,
                               List<Runner> runners, Path base, Progress progress, TraceResult[] results,
                               Map<String, java.util.Set<String>> used, int[] order) {
        int n = loaded.size();
        Workers.run(workers.size(), results.length, "sockcheck-worker", (w, taken) -> {
            int k = order[taken];
            Implementation im = workers.get(w).get(k / n);
            TraceResult r = lists.get(im.name()).applied(runners.get(w).run(loaded.get(k % n), base, im),
                    used.computeIfAbsent(im.name(), x -> java.util.concurrent.ConcurrentHashMap.newKeySet()));
            results[k] = r;
            progress.done(r);
        });
    }

    /** The spec coverage of the passing runs, per implementation, as the summary prints it. */
    private String coverage(List<TraceResult> results, SpecJudge judge) {
        if (noCoverage) {
            return "";
        }
        StringBuilder coverage = new StringBuilder();
        try {
            Map<String, org.sockcheck.harness.gen.Coverage> byImpl = SpecCoverage.perImplementation(results, judge);
            coverage.append("spec coverage of the passing runs:\n");
            byImpl.forEach((name, c) -> coverage.append("  ").append(shortName(name)).append(": ").append(c.summary()).append('\n'));
        } catch (IOException e) {
            coverage.append("spec coverage: not measured (").append(e.getMessage()).append(")\n");
        }
        return coverage.toString();
    }

    private void writeReports(List<TraceResult> results, Path base, Summary summary, PrintWriter out) throws Stop {
        try {
            Reports.write(report, results, base, summary);
            out.println("report: " + report.resolve("junit.xml") + ", " + report.resolve("allure-results") + "/, "
                    + report.resolve("matrix.html"));
            if (!noHtml) {
                out.flush();
                java.util.Optional<String> why = allure != null ? allure.finish() : AllureHtml.write(report);
                out.println(why.isEmpty() ? "HTML report: " + report.resolve("html").resolve("index.html")
                        : "no HTML report: " + why.get());
            }
        } catch (IOException e) {
            throw new Stop(Main.ERROR, "cannot write the report: " + e.getMessage(), null);
        }
    }

    /** A driver is shown by the file name of its last word: driver:sockcheck_driver.py. */
    static String shortName(String name) {
        if (name.startsWith("driver:")) {
            String[] words = name.substring(7).trim().split("\\s+");
            String last = words[words.length - 1];
            return "driver:" + last.substring(last.lastIndexOf('/') + 1);
        }
        return name;
    }

    static String relative(Path base, String trace) {
        if (base == null) {
            return trace;
        }
        try {
            return base.toAbsolutePath().normalize().relativize(Path.of(trace).toAbsolutePath().normalize()).toString();
        } catch (IllegalArgumentException e) {
            return trace;
        }
    }

    /** A run's message with its trace named as the table names it: relative to the folder the traces came from. */
    static String shownMessage(TraceResult r, Path base) {
        return r.message().replace(r.trace(), relative(base, r.trace()));
    }

    /** The folder the trace paths are shown relative to: the one folder given, or the parent all folders share. */
    static Path commonFolder(List<Path> roots) {
        if (roots.stream().anyMatch(r -> !Files.isDirectory(r))) {
            return null;
        }
        if (roots.size() == 1) {
            return roots.get(0);
        }
        Path parent = roots.get(0).toAbsolutePath().normalize().getParent();
        return roots.stream().allMatch(r -> java.util.Objects.equals(r.toAbsolutePath().normalize().getParent(), parent))
                ? parent : null;
    }

    /** The hand-written scenarios, the covering set generated from the spec and the peer suites translated. */
    static List<Path> defaultTraces() {
        List<Path> out = new java.util.ArrayList<>(List.of(defaultCorpus()));
        for (String more : List.of("generated", "peer")) {
            Path dir = defaultCorpus().getParent().resolve(more);
            if (Files.isDirectory(dir)) {
                out.add(dir);
            }
        }
        return List.copyOf(out);
    }

    /** The known divergences shipped with sockcheck, next to the corpus. */
    static Path defaultExpectations() {
        return defaultCorpus().getParent().resolve("expectations");
    }

    /** The corpus shipped with sockcheck: under SOCKCHECK_HOME (set by ./sockcheck) or the working folder. */
    static Path defaultCorpus() {
        String home = System.getenv("SOCKCHECK_HOME");
        Path root = home == null || home.isEmpty() ? Path.of("") : Path.of(home);
        return root.resolve("conformance").resolve("scenarios");
    }

    /** Counts by verdict and the exit code they give. */
    static final class Summary {
        final List<TraceResult> results;
        final Path base;
        final String coverage;
        final boolean allowUnjudged;

        Summary(List<TraceResult> results, Path base, String coverage, boolean allowUnjudged) {
            this.results = results;
            this.base = base;
            this.coverage = coverage;
            this.allowUnjudged = allowUnjudged;
        }

        /** Runs the spec could not judge. */
        long unjudged() {
            return results.stream().filter(r -> r.judgedBy() == org.sockcheck.harness.run.JudgedBy.UNJUDGED).count();
        }

        long count(Verdict v) {
            return results.stream().filter(r -> r.verdict() == v).count();
        }

        /** ERROR first (the run cannot be trusted), then nonconformance, then a run that judged nothing at all. */
        int exitCode() {
            if (count(Verdict.ERROR) > 0) {
                return Main.ERROR;
            }
            if (results.stream().anyMatch(r -> r.failsTheGate(allowUnjudged))) {
                return Main.NONCONFORMANCE;
            }
            if (!results.isEmpty() && results.stream().noneMatch(r -> r.judgedBy() == org.sockcheck.harness.run.JudgedBy.SPEC)) {
                return Main.NOTHING_JUDGED;
            }
            return Main.OK;
        }

        String totals() {
            StringBuilder sb = new StringBuilder().append(results.size()).append(" runs: ");
            List<String> parts = new ArrayList<>();
            for (Verdict v : Verdict.values()) {
                long c = count(v);
                if (c > 0 || v == Verdict.PASS || v == Verdict.FAIL) {
                    parts.add(c + " " + v.name().toLowerCase(java.util.Locale.ROOT));
                }
            }
            long judged = results.stream().filter(r -> r.judgedBy() == org.sockcheck.harness.run.JudgedBy.SPEC).count();
            sb.append(String.join(", ", parts)).append(" (").append(judged).append(" judged by the spec, ")
                    .append(unjudged()).append(" not judged");
            if (unjudged() > 0) {
                sb.append(allowUnjudged ? ": allowed by --allow-unjudged" : ": these fail the gate; see above, or give"
                        + " --allow-unjudged");
            }
            return sb.append(')').toString();
        }

        /** Trace by implementation, one verdict per cell. */
        String table() {
            Map<String, Map<String, Verdict>> rows = new LinkedHashMap<>();
            List<String> impls = new ArrayList<>();
            for (TraceResult r : results) {
                if (!impls.contains(r.implementation())) {
                    impls.add(r.implementation());
                }
                rows.computeIfAbsent(relative(base, r.trace()), k -> new LinkedHashMap<>()).put(r.implementation(), r.verdict());
            }
            int w = Math.max(5, rows.keySet().stream().mapToInt(String::length).max().orElse(5));
            List<Integer> widths = impls.stream().map(i -> Math.max(5, shortName(i).length())).toList();
            StringBuilder sb = new StringBuilder();
            sb.append(String.format("%-" + w + "s", "trace"));
            for (int i = 0; i < impls.size(); i++) {
                sb.append("  ").append(String.format("%-" + widths.get(i) + "s", shortName(impls.get(i))));
            }
            sb.append('\n').append("-".repeat(w));
            widths.forEach(x -> sb.append("  ").append("-".repeat(x)));
            sb.append('\n');
            // Each row padded by hand and its trailing blanks cut from the row alone: the table has a row per
            // trace, and a copy of the whole table per row (as stripping the builder did) grew with its square.
            for (Map.Entry<String, Map<String, Verdict>> row : rows.entrySet()) {
                int start = sb.length();
                pad(sb, row.getKey(), w);
                for (int i = 0; i < impls.size(); i++) {
                    Verdict v = row.getValue().get(impls.get(i));
                    pad(sb.append("  "), v == null ? "" : v.name(), widths.get(i));
                }
                int end = sb.length();
                while (end > start && Character.isWhitespace(sb.charAt(end - 1))) {
                    end--;
                }
                sb.setLength(end);
                sb.append('\n');
            }
            return sb.toString();
        }

        /** Text left-aligned in a field of this width (as %-Ns formats it). */
        private static void pad(StringBuilder sb, String text, int width) {
            sb.append(text);
            for (int k = text.length(); k < width; k++) {
                sb.append(' ');
            }
        }

        /**
         * Each run that did not pass and was not skipped in one line (trace:line, the event, expected,
         * observed, what the spec allows), its details under it; then the SKIPs grouped by cause.
         */
        String problems() {
            StringBuilder sb = new StringBuilder();
            for (TraceResult r : results) {
                if (r.verdict() == Verdict.PASS || r.verdict() == Verdict.SKIP) {
                    continue;
                }
                // The trace as the table names it, relative to the folder the traces came from.
                Headline.Told told = Headline.of(r, base);
                sb.append('\n').append(r.verdict()).append(" on ").append(r.implementation()).append(": ").append(told.line());
                told.details().forEach(d -> sb.append("\n  ").append(d));
                sb.append('\n');
            }
            String skips = Headline.skips(results, base);
            if (!skips.isEmpty()) {
                sb.append('\n').append(skips);
            }
            return sb.isEmpty() ? "\n" : sb.append('\n').toString();
        }
    }
}
