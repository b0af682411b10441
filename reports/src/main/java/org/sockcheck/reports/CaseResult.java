package org.sockcheck.reports;

import java.util.List;

/**
 * One test case for the reports: a trace on an implementation. The reports
 * module knows nothing of traces or sockets beyond these fields.
 *
 * @param suite    the implementation
 * @param feature  the trace's folder
 * @param name     the trace file
 * @param status   passed, failed, broken (an implementation error) or skipped
 * @param type     what kind of failure, error or skip it is ("FAIL: ...", "ERROR: ...", "XFAIL: ..."); empty for a pass
 * @param headline the run in one line: where it went wrong, what was expected and what was observed; empty for a pass
 * @param message  all that the verdict says, over several lines
 * @param startMillis when the run began (milliseconds since the epoch)
 * @param durationMillis how long the run and its judging took
 * @param steps    one per replayed event
 * @param attachments name to text: the socket tables at the end ({@link #TABLES}: junit.xml's system-out, Allure's
 *                 last step), for a run that did not pass its observed run
 * @param diagram  the run as a sequence diagram (SVG), or empty
 * @param verdictBy who gave the verdict ("judged by the spec", ...): junit.xml says it in the case's system-out, Allure as a parameter
 */
public record CaseResult(String suite, String feature, String name, String title, Status status, String type,
                         String headline, String message, long startMillis, long durationMillis, List<StepResult> steps,
                         java.util.Map<String, String> attachments, String diagram, String verdictBy) {
    /** The name of the attachment that holds the socket tables at the end of the run. */
    public static final String TABLES = "socket tables";

    public enum Status {
        PASSED, FAILED, BROKEN, SKIPPED;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public record StepResult(String name, boolean ok) {
    }
}
