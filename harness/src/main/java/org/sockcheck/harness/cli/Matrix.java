package org.sockcheck.harness.cli;

import static org.sockcheck.reports.Markup.escape;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.harness.run.Verdict;

/**
 * The conformance matrix: one row per feature (the folder a trace is in),
 * one column per implementation, each cell the count of traces by verdict,
 * as Markdown and as a small self-contained HTML page.
 */
final class Matrix {
    private final Set<String> impls = new LinkedHashSet<>();
    private final Map<String, Map<String, Map<Verdict, Integer>>> cells = new TreeMap<>();

    Matrix(List<TraceResult> results) {
        for (TraceResult r : results) {
            String impl = CheckCommand.shortName(r.implementation());
            impls.add(impl);
            String feature = r.feature().isEmpty() ? "(none)" : r.feature();
            cells.computeIfAbsent(feature, k -> new TreeMap<>())
                    .computeIfAbsent(impl, k -> new EnumMap<>(Verdict.class)).merge(r.verdict(), 1, Integer::sum);
        }
    }

    private static String cell(Map<Verdict, Integer> counts) {
        if (counts == null) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        counts.forEach((v, n) -> parts.add(n + " " + v.name().toLowerCase(java.util.Locale.ROOT)));
        return String.join(", ", parts);
    }

    /** The worst verdict of a cell, for its colour: error, fail and xpass before skip, xfail, pass. */
    private static String worst(Map<Verdict, Integer> counts) {
        if (counts == null) {
            return "none";
        }
        for (Verdict v : List.of(Verdict.ERROR, Verdict.FAIL, Verdict.XPASS, Verdict.SKIP, Verdict.XFAIL, Verdict.PASS)) {
            if (counts.containsKey(v)) {
                return v.name().toLowerCase(java.util.Locale.ROOT);
            }
        }
        return "none";
    }

    String markdown() {
        StringBuilder sb = new StringBuilder("| feature | ").append(String.join(" | ", impls)).append(" |\n|---|");
        impls.forEach(i -> sb.append("---|"));
        sb.append('\n');
        cells.forEach((feature, row) -> {
            sb.append("| ").append(feature).append(" |");
            for (String i : impls) {
                sb.append(' ').append(cell(row.get(i))).append(" |");
            }
            sb.append('\n');
        });
        return sb.toString();
    }

    /**
     * A run drawn in the report: implementation, trace, verdict, the verdict
     * in one line (where, expected, observed), the whole message and its
     * sequence diagram (SVG).
     */
    record Drawn(String impl, String trace, Verdict verdict, String headline, String message, String svg) {
    }

    /** The matrix alone. */
    String html() {
        return html("", "", List.of(), "");
    }

    /**
     * The page: the totals, the matrix, the spec coverage, each run that
     * did not pass with its message and its sequence diagram, failures
     * first, and the SKIPs by cause.
     */
    String html(String totals, String coverage, List<Drawn> drawn, String skips) {
        StringBuilder sb = new StringBuilder("""
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>sockcheck conformance matrix</title>
                <style>
                body { font-family: sans-serif; margin: 2em; }
                table { border-collapse: collapse; }
                th, td { border: 1px solid #999; padding: 0.3em 0.8em; text-align: left; }
                td.pass { background: #c8f0c8; } td.xfail { background: #e8f0c0; } td.skip { background: #e0e0e0; }
                td.fail, td.xpass { background: #f4b0b0; font-weight: bold; } td.error { background: #f0a040; font-weight: bold; }
                p.totals { font-size: 1.2em; font-weight: bold; }
                pre { background: #f6f8fa; padding: 0.6em; white-space: pre-wrap; }
                .run { margin: 1.5em 0; border-top: 1px solid #ccc; padding-top: 0.5em; overflow-x: auto; }
                .verdict { padding: 0.1em 0.5em; border-radius: 3px; font-weight: bold; }
                .verdict.FAIL, .verdict.XPASS { background: #f4b0b0; } .verdict.ERROR { background: #f0a040; }
                .verdict.XFAIL { background: #e8f0c0; }
                </style></head><body>
                <h1>sockcheck conformance matrix</h1>
                """);
        if (!totals.isBlank()) {
            sb.append("<p class=\"totals\">").append(escape(totals.strip())).append("</p>\n");
        }
        sb.append("""
                <p>Traces by feature and implementation: pass, xfail (a listed divergence), skip, fail, error.</p>
                <table><tr><th>feature</th>""");
        impls.forEach(i -> sb.append("<th>").append(escape(i)).append("</th>"));
        sb.append("</tr>\n");
        cells.forEach((feature, row) -> {
            sb.append("<tr><th>").append(escape(feature)).append("</th>");
            for (String i : impls) {
                sb.append("<td class=\"").append(worst(row.get(i))).append("\">").append(escape(cell(row.get(i)))).append("</td>");
            }
            sb.append("</tr>\n");
        });
        sb.append("</table>\n");
        if (!coverage.isBlank()) {
            sb.append("<h2>Spec coverage</h2>\n<pre>").append(escape(coverage.strip())).append("</pre>\n");
        }
        if (!drawn.isEmpty()) {
            sb.append("<h2>Runs that did not pass</h2>\n<p>Each drawn as a sequence diagram: a lifeline per process and per"
                    + " host's stack; calls, returns (dashed) and the segments of a behaviour of the spec that explains the"
                    + " run up to the line that went wrong (in red).</p>\n");
            List<Drawn> ordered = drawn.stream().sorted(java.util.Comparator.comparingInt((Drawn d) -> rank(d.verdict()))).toList();
            sb.append("<ul>\n");
            for (int i = 0; i < ordered.size(); i++) {
                Drawn d = ordered.get(i);
                sb.append("<li><a href=\"#run-").append(i).append("\"><span class=\"verdict ").append(d.verdict()).append("\">")
                        .append(d.verdict()).append("</span> ").append(escape(d.impl())).append(" &middot; ")
                        .append(escape(d.trace())).append("</a>: ").append(escape(d.headline())).append("</li>\n");
            }
            sb.append("</ul>\n");
            for (int i = 0; i < ordered.size(); i++) {
                Drawn d = ordered.get(i);
                sb.append("<div class=\"run\" id=\"run-").append(i).append("\"><h3><span class=\"verdict ").append(d.verdict()).append("\">").append(d.verdict())
                        .append("</span> ").append(escape(d.impl())).append(" &middot; ").append(escape(d.trace()))
                        .append("</h3>\n<pre>").append(escape(d.message())).append("</pre>\n").append(d.svg()).append("</div>\n");
            }
        }
        if (!skips.isBlank()) {
            sb.append("<h2>Skipped runs</h2>\n<p>Runs an implementation could not make, or the spec could not judge, by"
                    + " cause.</p>\n<pre>").append(escape(skips.strip())).append("</pre>\n");
        }
        return sb.append("</body></html>\n").toString();
    }

    /** Failures first, then errors, unexpected passes, listed divergences. */
    private static int rank(Verdict v) {
        return List.of(Verdict.FAIL, Verdict.ERROR, Verdict.XPASS, Verdict.XFAIL, Verdict.SKIP, Verdict.PASS).indexOf(v);
    }
}
