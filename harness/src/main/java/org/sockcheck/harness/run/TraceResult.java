package org.sockcheck.harness.run;

import java.util.List;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.reports.SequenceDiagram;

/**
 * The outcome of one trace on one implementation.
 *
 * @param trace   the trace file as given
 * @param feature the folder the trace lives in (bind, udp, ...)
 * @param title   the trace's first comment: the claim it shows
 * @param line    the line of the first divergent or failing event; 0 when none
 * @param tables  the hosts' socket tables at the end, for the report
 * @param observed the run as it happened, in the trace format (the trace's calls, the implementation's results)
 * @param drawing what the run's sequence diagram is drawn from (the reports draw it: {@link #diagram})
 * @param millis  how long the run took, from its first call to its verdict (the judging included)
 * @param judgedBy who gave the verdict: the spec, nobody (the spec could not judge), or no run to judge
 * @param startedAt when the run began (milliseconds since the epoch); 0 when not known
 * @param covered the spec actions and TCP transitions of the behaviour that explains the run, as the spec's
 *                verdict on it said; null when not known (the spec coverage then judges the observed run again)
 */
public record TraceResult(String trace, String feature, String title, String implementation, Verdict verdict,
                          String message, int line, List<Step> steps, long millis, String tables,
                          String observed, Drawing drawing, JudgedBy judgedBy, long startedAt, Judge.Covered covered) {

    /** A result whose spec coverage is not known. */
    public TraceResult(String trace, String feature, String title, String implementation, Verdict verdict,
                       String message, int line, List<Step> steps, long millis, String tables,
                       String observed, Drawing drawing, JudgedBy judgedBy, long startedAt) {
        this(trace, feature, title, implementation, verdict, message, line, steps, millis, tables, observed, drawing,
                judgedBy, startedAt, null);
    }

    /**
     * What a run's diagram is drawn from: the trace that ran, the behaviour
     * of the spec that explains it (its steps by their index in the
     * observed run) and the trace line of each observed event.
     */
    public record Drawing(Trace trace, List<Witnessed> witness, List<Integer> observedLines) {
        /** Nothing to draw. */
        public static final Drawing NONE = new Drawing(null, List.of(), List.of());
    }

    /** The run as a sequence diagram (no rows when nothing ran). */
    public SequenceDiagram diagram() {
        return drawing.trace() == null ? new SequenceDiagram(List.of(), List.of())
                : RunDiagram.of(drawing.trace(), steps, drawing.witness(), drawing.observedLines());
    }

    /** A result the spec judged. */
    public TraceResult(String trace, String feature, String title, String implementation, Verdict verdict,
                       String message, int line, List<Step> steps, long millis, String tables,
                       String observed, Drawing drawing) {
        this(trace, feature, title, implementation, verdict, message, line, steps, millis, tables, observed, drawing,
                JudgedBy.SPEC, 0);
    }

    /**
     * Whether this run fails a conformance gate (check's exit code, a test
     * of the JUnit integration): a nonconformance (FAIL), a listed divergence
     * that passed (XPASS), an implementation error (ERROR), or a run the spec
     * could not judge unless such runs are allowed (--allow-unjudged).
     */
    public boolean failsTheGate(boolean allowUnjudged) {
        return verdict == Verdict.FAIL || verdict == Verdict.XPASS || verdict == Verdict.ERROR
                || judgedBy == JudgedBy.UNJUDGED && !allowUnjudged;
    }

    /** With another verdict and message (an expectation applied). */
    public TraceResult judged(Verdict v, String why) {
        return new TraceResult(trace, feature, title, implementation, v, why, line, steps, millis, tables, observed, drawing,
                judgedBy, startedAt, covered);
    }
}
