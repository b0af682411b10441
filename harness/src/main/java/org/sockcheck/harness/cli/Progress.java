package org.sockcheck.harness.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.harness.run.Verdict;

/**
 * What check prints while it runs, as each run ends (from any worker).
 *
 * <ul>
 * <li>text, on a terminal: the runs that did not pass, and one progress line
 *     redrawn in place; verdicts in colour unless NO_COLOR is set;</li>
 * <li>text, elsewhere (CI, a pipe): a plain line per run; -q keeps only the
 *     runs that did not pass, -v adds each run's message;</li>
 * <li>tap: TAP version 13, a test point per run named "IMPL &gt; TRACE", a
 *     run that did not pass with its message in a YAML block; everything else
 *     check says becomes a comment line ("# ...").</li>
 * </ul>
 */
final class Progress {
    final boolean tap;
    private final PrintWriter out;
    private final PrintWriter said;
    private final boolean quiet;
    private final boolean verbose;
    private final Path base;
    private final int total;
    private final int nameWidth;
    private final boolean terminal;
    private final boolean colour;
    private final long started = System.nanoTime();
    private final List<String> tapLines = new ArrayList<>();
    private int done;
    private int notPassed;
    private boolean barShown;

    Progress(PrintWriter out, boolean tap, boolean quiet, boolean verbose, Path base, int total, int nameWidth) {
        this.out = out;
        this.tap = tap;
        this.quiet = quiet;
        this.verbose = verbose;
        this.base = base;
        this.total = total;
        this.nameWidth = nameWidth;
        java.io.Console console = System.console();
        this.terminal = !tap && console != null && console.isTerminal() && System.getenv("CI") == null
                && !"dumb".equals(System.getenv("TERM"));
        this.colour = terminal && System.getenv("NO_COLOR") == null;
        this.said = tap ? new PrintWriter(new Commented(out), true) : out;
        if (tap) {
            line("TAP version 13");
            line("1.." + total);
            out.flush();
        }
    }

    /** Where everything but the runs' own lines goes (comments in TAP). */
    PrintWriter said() {
        return said;
    }

    /** A run has ended. */
    synchronized void done(TraceResult r) {
        done++;
        String name = CheckCommand.shortName(r.implementation());
        String trace = CheckCommand.relative(base, r.trace());
        boolean passed = r.verdict() == Verdict.PASS;
        notPassed += passed ? 0 : 1;
        if (tap) {
            tapPoint(r, name, trace);
            out.flush();
            return;
        }
        clearBar();
        if (!terminal && (!quiet || !passed) || terminal && !passed || verbose) {
            out.printf("[%" + String.valueOf(total).length() + "d/%d] %s %-" + nameWidth + "s %s (%d ms)%n", done, total,
                    word(r.verdict()), name, trace, r.millis());
            if (verbose && !r.message().isEmpty()) {
                out.println("    " + CheckCommand.shownMessage(r, base).replace("\n", "\n    "));
            }
        }
        if (terminal) {
            long s = (System.nanoTime() - started) / 1_000_000_000L;
            int width = 30;
            int filled = total == 0 ? width : (int) ((long) width * done / total);
            out.print("\r[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + done + "/" + total + ", "
                    + notPassed + " not passed, " + s + " s");
            barShown = true;
        }
        out.flush();
    }

    /** The runs are over: the progress line goes. */
    synchronized void finish() {
        clearBar();
        out.flush();
    }

    private void clearBar() {
        if (barShown) {
            out.print("\r\u001b[2K");
            barShown = false;
        }
    }

    private String word(Verdict v) {
        String w = String.format("%-5s", v.name());
        if (!colour) {
            return w;
        }
        String code = switch (v) {
            case PASS -> "32";
            case FAIL -> "31";
            case ERROR -> "1;31";
            case SKIP -> "33";
            case XFAIL -> "36";
            case XPASS -> "35";
        };
        return "\u001b[" + code + "m" + w + "\u001b[0m";
    }

    /** A test point: ok, ok with SKIP, not ok (a FAIL, an ERROR, an XPASS), not ok with TODO (a known divergence). */
    private void tapPoint(TraceResult r, String name, String trace) {
        String title = name + " > " + trace;
        String reason = firstLine(r.message());
        String point = switch (r.verdict()) {
            case PASS -> "ok " + done + " - " + title;
            case SKIP -> "ok " + done + " - " + title + " # SKIP " + reason;
            case XFAIL -> "not ok " + done + " - " + title + " # TODO known divergence";
            case FAIL, ERROR, XPASS -> "not ok " + done + " - " + title;
        };
        line(point);
        if (r.verdict() != Verdict.PASS && r.verdict() != Verdict.SKIP) {
            line("  ---");
            line("  verdict: " + r.verdict());
            line("  message: |");
            for (String l : CheckCommand.shownMessage(r, base).split("\n", -1)) {
                line("    " + l);
            }
            line("  duration_ms: " + r.millis());
            line("  ...");
        }
    }

    private static String firstLine(String message) {
        String first = message.strip().lines().findFirst().orElse("");
        return first.replace("#", "\\#");
    }

    private void line(String s) {
        tapLines.add(s);
        out.println(s);
    }

    /** The TAP stream printed, as a file of the report. */
    synchronized void writeTap(Path file) throws IOException {
        Files.write(file, tapLines);
    }

    /** A writer that starts every line with "# " (TAP's comments). */
    private final class Commented extends Writer {
        private final Writer to;
        private boolean lineStart = true;

        Commented(Writer to) {
            this.to = to;
        }

        @Override
        public void write(char[] buf, int off, int len) throws IOException {
            synchronized (Progress.this) {
                for (int i = off; i < off + len; i++) {
                    if (lineStart) {
                        to.write("# ");
                        lineStart = false;
                    }
                    to.write(buf[i]);
                    lineStart = buf[i] == '\n';
                }
            }
        }

        @Override
        public void flush() throws IOException {
            to.flush();
        }

        @Override
        public void close() throws IOException {
            to.flush();
        }
    }
}
