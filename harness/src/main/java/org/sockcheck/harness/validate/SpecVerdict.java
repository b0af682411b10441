package org.sockcheck.harness.validate;

import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import org.sockcheck.harness.run.Witnessed;

/**
 * The spec's verdict on a trace as plain data: what {@link Validator.Result}
 * says, and what the judge's users read from its witness, derived once when
 * the trace was judged (so that no one walks the spec's states again, and
 * the verdict can be kept on disk: {@link VerdictCache}).
 *
 * @param bindings the trace variables as the witness bound them ($e1 to a spec port), plain values
 * @param witnessed the witness in the run's terms, as a sequence diagram draws it ({@link SpecJudge#witnessed})
 * @param actions the spec actions the witness took
 * @param transitions the TCP state changes of the witness ("SYN-SENT => ESTABLISHED")
 * @param cached whether this verdict was read from the cache of an earlier run, not judged by this one
 */
public record SpecVerdict(Validator.Kind kind, int line, String event, String allowed, int explored, boolean bounded,
                          Map<String, Object> bindings, List<Witnessed> witnessed, SortedSet<String> actions,
                          SortedSet<String> transitions, boolean cached) {

    public SpecVerdict {
        bindings = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(bindings));
        witnessed = List.copyOf(witnessed);
        actions = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(actions));
        transitions = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(transitions));
    }

    /** The same verdict, marked as read from the cache. */
    SpecVerdict fromCache() {
        return new SpecVerdict(kind, line, event, allowed, explored, bounded, bindings, witnessed, actions, transitions, true);
    }

    public boolean accepted() {
        return kind == Validator.Kind.ACCEPTED;
    }

    /**
     * Whether a later run may take this verdict as it is: an acceptance, or a
     * rejection by a search that went everywhere it could (not stopped at its
     * bound). A search stopped by the time limit is UNDECIDED, never kept:
     * another run, given more time, may decide it.
     */
    public boolean lasting() {
        return kind == Validator.Kind.ACCEPTED || kind == Validator.Kind.REJECTED && !bounded;
    }

    /** The verdict in words, as sockcheck validate prints it. */
    public String describe(String source) {
        return Validator.describe(kind, line, event, allowed, explored, bounded, source);
    }
}
