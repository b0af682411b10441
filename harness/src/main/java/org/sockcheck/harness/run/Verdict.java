package org.sockcheck.harness.run;

/** The verdict for one trace on one implementation (DESIGN.md, Verdicts). */
public enum Verdict {
    /** Every event was explained. */
    PASS,
    /** An event was not: the first such event is named. */
    FAIL,
    /** Listed as a known divergence and failed as listed. */
    XFAIL,
    /** Listed as a known divergence but passed: fails the run so the list stays true. */
    XPASS,
    /** The implementation hung, crashed or broke its protocol. */
    ERROR,
    /** The implementation lacks something the trace needs. */
    SKIP
}
