package org.sockcheck.harness.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.reports.AllureResults;
import org.sockcheck.reports.CaseResult;
import org.sockcheck.reports.JUnitXml;

/** Turns verdicts into the report folder: junit.xml, allure-results/, summary.txt, matrix.md and matrix.html. */
public final class Reports {
    private Reports() {
    }

    public static List<CaseResult> cases(List<TraceResult> results, Path base) {
        long now = System.currentTimeMillis();
        return results.stream().map(r -> {
            Map<String, String> attachments = new LinkedHashMap<>();
            if (!r.tables().isEmpty()) {
                attachments.put(CaseResult.TABLES, r.tables());
            }
            if (!r.observed().isEmpty() && r.verdict() != org.sockcheck.harness.run.Verdict.PASS) {
                attachments.put("observed run (the trace with the implementation's results)", r.observed());
            }
            // An expected failure is not a pass: shown as skipped, with the divergence in its message
            // (as pytest's Allure integration shows xfail), so it stands out from the passes.
            CaseResult.Status status = switch (r.verdict()) {
                case PASS -> CaseResult.Status.PASSED;
                case XFAIL -> CaseResult.Status.SKIPPED;
                case FAIL, XPASS -> CaseResult.Status.FAILED;
                case ERROR -> CaseResult.Status.BROKEN;
                case SKIP -> CaseResult.Status.SKIPPED;
            };
            List<CaseResult.StepResult> steps = r.steps().stream()
                    .map(s -> new CaseResult.StepResult("line " + s.line() + ": " + s.event()
                            + (s.ok() ? "" : "  (observed: " + s.observed() + ")"), s.ok()))
                    .toList();
            String message = r.verdict() == org.sockcheck.harness.run.Verdict.XFAIL ? "XFAIL (known divergence): " + r.message()
                    : r.message();
            // The one line a CI shows (junit.xml's message); a skipped case's leads with its kind, XFAIL or SKIP.
            String headline = switch (r.verdict()) {
                case PASS -> "";
                case XFAIL, SKIP -> r.verdict() + ": " + Headline.of(r, base).line();
                default -> Headline.of(r, base).line();
            };
            // When the run began, as the runner saw it; a result that does not say is put at the report's time.
            long start = r.startedAt() > 0 ? r.startedAt() : now;
            return new CaseResult(r.implementation(), r.feature(), CheckCommand.relative(base, r.trace()), r.title(), status,
                    Headline.type(r), headline, message, start, r.millis(), steps, attachments, diagram(r, base, true),
                    r.judgedBy().words());
        }).toList();
    }

    /** Whether a run is drawn: failures, errors, listed divergences and listed divergences that passed. */
    static boolean drawn(TraceResult r) {
        return r.verdict() != org.sockcheck.harness.run.Verdict.PASS && r.verdict() != org.sockcheck.harness.run.Verdict.SKIP
                && !r.diagram().rows().isEmpty();
    }

    /**
     * The run's sequence diagram as SVG (titled with the implementation,
     * trace and verdict; withMessage: the verdict's message under the title),
     * or empty.
     */
    static String diagram(TraceResult r, Path base, boolean withMessage) {
        if (!drawn(r)) {
            return "";
        }
        return r.diagram().svg(CheckCommand.shortName(r.implementation()) + "  " + CheckCommand.relative(base, r.trace())
                + "  " + r.verdict(), withMessage ? r.message() : "");
    }

    static void write(Path dir, List<TraceResult> results, Path base, CheckCommand.Summary summary) throws IOException {
        Files.createDirectories(dir);
        List<CaseResult> cases = cases(results, base);
        // junit.xml, summary.txt and the matrix are written beside allure-results, on a thread of their own: nothing
        // else runs once the runs are over, and the HTML report waits for all of them.
        java.util.concurrent.FutureTask<Void> others = new java.util.concurrent.FutureTask<>(() -> {
            JUnitXml.write(dir.resolve("junit.xml"), cases);
            writeSummaryAndMatrix(dir, results, base, summary);
            return null;
        });
        Thread.ofPlatform().daemon().name("sockcheck-reports").start(others);
        try {
            Path allure = dir.resolve("allure-results");
            if (Files.isDirectory(allure)) {
                try (var s = Files.list(allure)) {
                    for (Path p : s.toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
            AllureResults.write(allure, cases);
            AllureResults.writeEnvironment(allure, environment(summary));
        } catch (IOException | RuntimeException e) {
            // The other reports are waited for all the same (none is left being written); this failure is the one told.
            try {
                finish(others);
            } catch (IOException | RuntimeException also) {
                e.addSuppressed(also);
            }
            throw e;
        }
        finish(others);
    }

    /** Waits for reports written on another thread; their failure is thrown here. */
    private static void finish(java.util.concurrent.FutureTask<Void> task) throws IOException {
        try {
            task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing the reports", e);
        } catch (java.util.concurrent.ExecutionException e) {
            switch (e.getCause()) {
                case IOException io -> throw io;
                case RuntimeException re -> throw re;
                case Error err -> throw err;
                default -> throw new IOException(e.getCause());
            }
        }
    }

    private static void writeSummaryAndMatrix(Path dir, List<TraceResult> results, Path base, CheckCommand.Summary summary)
            throws IOException {
        Files.writeString(dir.resolve("summary.txt"), summary.table() + summary.problems() + summary.coverage + summary.totals()
                + "\n");
        Matrix matrix = new Matrix(results);
        Files.writeString(dir.resolve("matrix.md"), matrix.markdown());
        Files.writeString(dir.resolve("matrix.html"), matrix.html(summary.totals(), summary.coverage,
                results.stream().filter(Reports::drawn).map(r -> new Matrix.Drawn(CheckCommand.shortName(r.implementation()),
                        CheckCommand.relative(base, r.trace()), r.verdict(), Headline.of(r, base).line(),
                        CheckCommand.shownMessage(r, base), diagram(r, base, false))).toList(),
                Headline.skips(results, base)));
    }

    /**
     * What the Allure overview's Environment widget lists: the totals and
     * the spec coverage of each implementation ("  ref: 32/40 actions ..."
     * lines of the summary).
     */
    static Map<String, String> environment(CheckCommand.Summary summary) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("runs", summary.totals().strip());
        List<String> notes = new java.util.ArrayList<>();
        for (String line : summary.coverage.lines().toList()) {
            int colon = line.indexOf(':');
            if (line.startsWith("  ") && colon > 0) {
                env.put("spec coverage, " + line.substring(0, colon).strip(), line.substring(colon + 1).strip());
            } else if (!line.isBlank() && !line.startsWith("spec coverage of")) {
                notes.add(line.strip());
            }
        }
        if (!notes.isEmpty()) {
            env.put("notes", String.join("; ", notes));
        }
        return env;
    }
}
