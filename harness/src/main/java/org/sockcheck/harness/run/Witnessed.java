package org.sockcheck.harness.run;

/**
 * What a behaviour of the spec that explains a run did, in order: the run's
 * calls, the returns of calls that blocked, and the segments the network
 * delivered in between. The sequence diagram of a run is drawn from it.
 */
public sealed interface Witnessed {

    /** The call of this event (its index among the events of the observed run). */
    record Called(int event) implements Witnessed {
    }

    /** The call of this event, which blocked, returned. */
    record Returned(int event) implements Witnessed {
    }

    /** A segment reached the stack of toHost (lost: it never did). */
    record Segment(String fromHost, String toHost, String label, boolean lost) implements Witnessed {
    }
}
