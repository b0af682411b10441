package org.sockcheck.harness.run;

import java.util.List;
import org.sockcheck.harness.impl.Addressing;
import org.sockcheck.harness.trace.Event;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.SocketRow;

/**
 * Judges an observed run event by event. The runner feeds it each event with
 * what the implementation did and stops at the first divergence. Today's
 * oracle compares with the results written in the trace
 * ({@link ExpectedResults}); the spec oracle takes the same place.
 */
public interface Oracle {

    Session begin(Trace trace, Addressing addressing);

    interface Session {
        Judgement call(Event.Call event, Outcome observed);

        Judgement observe(Event.Observe event, List<SocketRow> observed);

        /** Renders a concrete value with the trace's names, for messages and reports. */
        Symbols symbols();
    }

    /** Explained, or the first thing that was not. */
    sealed interface Judgement {
        record Explained(String observed) implements Judgement {
        }

        record Divergence(String expected, String observed, String detail) implements Judgement {
        }
    }
}
