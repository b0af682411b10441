package org.sockcheck.harness.run;

/** Who gave a run its verdict. */
public enum JudgedBy {
    /** The spec: a behaviour of Sockets.tla explains the observed run (PASS), or none does (FAIL). */
    SPEC("judged by the spec"),
    /**
     * Nobody: the spec could not judge the run (its search gave up, or the
     * trace is outside what the model can hold). The verdict is SKIP, and the
     * run counts as not conforming unless --allow-unjudged.
     */
    UNJUDGED("not judged: the spec could not judge this run"),
    /** There was no behaviour to judge: the implementation could not run the trace (SKIP) or broke (ERROR). */
    NO_RUN("no run to judge");

    private final String words;

    JudgedBy(String words) {
        this.words = words;
    }

    /** As reports say it. */
    public String words() {
        return words;
    }
}
