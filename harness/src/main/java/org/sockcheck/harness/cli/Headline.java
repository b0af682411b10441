package org.sockcheck.harness.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.sockcheck.harness.run.JudgedBy;
import org.sockcheck.harness.run.Runner;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.harness.run.Verdict;
import org.sockcheck.harness.trace.Event;
import org.sockcheck.harness.trace.TraceText;

/**
 * What a run's verdict says in one line, as the summary, matrix.html and
 * junit.xml's failure message show it: for a failure the trace and line,
 * the event, what the trace expected, what the implementation did and what
 * the spec allows there; the rest of the message (how far the search went,
 * an earlier difference) are the details under it. SKIPs are told by their
 * cause, the runs of each cause together.
 */
final class Headline {
    /** The longest value a headline shows whole. */
    static final int VALUE = 100;

    private static final String EXPECTED = "  expected: ";
    private static final String OBSERVED = "  observed: ";
    private static final String ALLOWS = "  no behaviour of the spec explains this; it allows: ";
    private static final String KNOWN = "  known divergence: ";
    private static final Pattern LISTED = Pattern.compile("  listed as a known divergence in (.*) but passed");

    private Headline() {
    }

    /** The one line and the lines under it (each as the message has it, two spaces in). */
    record Told(String line, List<String> details) {
    }

    /** A run's message told in one line and its details, the trace named as the table names it. */
    static Told of(TraceResult r, Path base) {
        String trace = CheckCommand.relative(base, r.trace());
        List<String> lines = new ArrayList<>(CheckCommand.shownMessage(r, base).lines().toList());
        lines.removeIf(String::isBlank);
        if (lines.isEmpty()) {
            return new Told(trace + ": " + r.verdict(), List.of());
        }
        String known = null;
        String listed = null;
        for (String l : List.copyOf(lines)) {
            if (l.startsWith(KNOWN)) {
                known = l.substring(KNOWN.length());
                lines.remove(l);
            } else if (LISTED.matcher(l).matches()) {
                listed = LISTED.matcher(l).replaceFirst("$1");
                lines.remove(l);
            }
        }
        if (r.verdict() == Verdict.XPASS && listed != null) {
            // A pass the list of known divergences says should fail: the pass's own lines are the details.
            return new Told(trace + ": passed, but it is listed as a known divergence in " + listed, lines);
        }
        String line = lines.get(0);
        List<String> rest = new ArrayList<>(lines.subList(1, lines.size()));
        if (rest.size() >= 3 && rest.get(0).startsWith(EXPECTED) && rest.get(1).startsWith(OBSERVED)
                && rest.get(2).startsWith(ALLOWS)) {
            line += ": expected " + value(rest.get(0), EXPECTED) + ", observed " + value(rest.get(1), OBSERVED)
                    + " (the spec allows: " + value(rest.get(2), ALLOWS) + ")";
            rest.subList(0, 3).clear();
        }
        if (known != null) {
            line += "; known divergence: " + known;
        }
        return new Told(line, rest);
    }

    private static String value(String line, String label) {
        return TraceText.shorten(line.substring(label.length()), VALUE);
    }

    /** What junit.xml and Allure call the kind of a run that did not pass; empty for a pass. */
    static String type(TraceResult r) {
        return switch (r.verdict()) {
            case PASS -> "";
            case FAIL -> "FAIL: not a behaviour of the spec";
            case XPASS -> "XPASS: a listed divergence passed";
            case XFAIL -> "XFAIL: a listed divergence";
            case ERROR -> "ERROR: implementation error";
            case SKIP -> r.judgedBy() == JudgedBy.UNJUDGED ? "SKIP: not judged" : "SKIP: not run";
        };
    }

    /**
     * Why a SKIP was skipped, without the trace and event: the implementation's
     * reason ("fork: the driver does not list fork"), or "not judged: " and
     * the spec's reason.
     */
    static String cause(TraceResult r) {
        String message = r.message();
        String first = message.lines().findFirst().orElse("");
        if (r.judgedBy() == JudgedBy.UNJUDGED) {
            int at = first.indexOf("not judged: ");
            String why = at < 0 ? first : first.substring(at + "not judged: ".length());
            return "not judged: " + why.replaceFirst("^the spec could not judge this run: ", "");
        }
        String start = r.trace() + ": at start: ";
        if (first.startsWith(start)) {
            return first.substring(start.length());
        }
        if (r.drawing().trace() != null) {
            for (Event e : r.drawing().trace().events()) {
                String at = r.trace() + ":" + e.line() + ": " + Runner.eventOnly(e) + ": ";
                if (e.line() == r.line() && first.startsWith(at)) {
                    return first.substring(at.length());
                }
            }
        }
        String at = r.trace() + ":" + r.line() + ": ";
        return first.startsWith(at) ? first.substring(at.length()) : first;
    }

    /**
     * The SKIPs grouped by cause, the biggest group first: the cause, how
     * many runs on which implementations, then each run (implementation,
     * trace and line). Empty when nothing was skipped.
     */
    static String skips(List<TraceResult> results, Path base) {
        Map<String, List<TraceResult>> byCause = new LinkedHashMap<>();
        Map<String, String> shown = new LinkedHashMap<>();
        for (TraceResult r : results) {
            if (r.verdict() != Verdict.SKIP) {
                continue;
            }
            String cause = cause(r);
            String key = numbersAsN(cause);
            byCause.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
            // A cause the runs give in the same words is shown in them; else with its numbers as N.
            shown.merge(key, cause, (a, b) -> a.equals(b) ? a : key);
        }
        if (byCause.isEmpty()) {
            return "";
        }
        int total = byCause.values().stream().mapToInt(List::size).sum();
        StringBuilder sb = new StringBuilder("SKIP by cause (").append(runs(total)).append("):\n");
        byCause.entrySet().stream()
                .sorted((a, b) -> b.getValue().size() != a.getValue().size() ? b.getValue().size() - a.getValue().size()
                        : a.getKey().compareTo(b.getKey()))
                .forEach(group -> {
                    Map<String, Integer> perImpl = new LinkedHashMap<>();
                    group.getValue().forEach(r -> perImpl.merge(CheckCommand.shortName(r.implementation()), 1, Integer::sum));
                    sb.append("  ").append(shown.get(group.getKey())).append(": ").append(runs(group.getValue().size()))
                            .append(" on ");
                    List<String> on = new ArrayList<>();
                    perImpl.forEach((impl, n) -> on.add(perImpl.size() == 1 ? impl : n + " " + impl));
                    sb.append(String.join(", ", on)).append('\n');
                    for (TraceResult r : group.getValue()) {
                        sb.append("    ").append(CheckCommand.shortName(r.implementation())).append("  ")
                                .append(CheckCommand.relative(base, r.trace())).append(r.line() > 0 ? ":" + r.line() : "")
                                .append('\n');
                    }
                });
        return sb.toString();
    }

    private static String runs(int n) {
        return n + (n == 1 ? " run" : " runs");
    }

    /** The cause with its numbers as N, so that "poll(3): ..." and "poll(4): ..." are one cause. */
    static String numbersAsN(String cause) {
        return cause.replaceAll("(?<![A-Za-z0-9_])\\d+(\\.\\d+)?(?![A-Za-z0-9_])", "N");
    }
}
