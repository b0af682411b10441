package org.sockcheck.harness.cli;

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

    String html() {
        StringBuilder sb = new StringBuilder("""
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>sockcheck conformance matrix</title>
                <style>
                body { font-family: sans-serif; margin: 2em; }
                table { border-collapse: collapse; }
                th, td { border: 1px solid #999; padding: 0.3em 0.8em; text-align: left; }
                td.pass { background: #c8f0c8; } td.xfail { background: #e8f0c0; } td.skip { background: #e0e0e0; }
                td.fail, td.xpass { background: #f4b0b0; font-weight: bold; } td.error { background: #f0a040; font-weight: bold; }
                </style></head><body>
                <h1>sockcheck conformance matrix</h1>
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
        return sb.append("</table></body></html>\n").toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
