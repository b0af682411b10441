package org.sockcheck.harness.run;

import org.sockcheck.harness.trace.Trace;

/**
 * Decides whether what an implementation did is allowed: the observed trace
 * (the trace's calls with the results the implementation gave) is accepted
 * when some behaviour of the spec matches it. The runner asks after each
 * run; without a judge it compares with the results written in the trace.
 */
public interface Judge {

    Decision decide(Trace observed);

    /**
     * What of the spec the behaviour that explains a run exercised: its
     * actions and the TCP state changes it made (the run's spec coverage).
     */
    record Covered(java.util.Set<String> actions, java.util.Set<String> transitions) {
    }

    sealed interface Decision {
        /**
         * A behaviour of the spec explains the observed trace; witness: what it did; covered: the spec actions and
         * TCP transitions it took (null when the judge does not say).
         */
        record Accepted(java.util.List<Witnessed> witness, Covered covered) implements Decision {
            /** Accepted, the coverage not said. */
            public Accepted(java.util.List<Witnessed> witness) {
                this(witness, null);
            }
        }

        /**
         * No behaviour explains the event at this line of the observed trace;
         * witness: what a behaviour did up to it.
         */
        record Rejected(int line, String allowed, int searched, boolean bounded, java.util.List<Witnessed> witness)
                implements Decision {
        }

        /** The judge cannot take this trace (outside the spec's model, or the search gave up). */
        record Undecided(String why) implements Decision {
        }
    }
}
