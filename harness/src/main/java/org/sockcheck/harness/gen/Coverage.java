package org.sockcheck.harness.gen;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.sockcheck.spec.tlc.SpecText;

/**
 * Spec coverage: which of the spec's actions (read from its TLA+ text) and
 * which transitions of the RFC 9293 state diagram a set of traces took.
 */
public record Coverage(Set<String> actions, Set<String> transitions, Set<String> allActions, Set<String> allTransitions) {

    /** The arrows of RFC 9293's diagram (section 3.3.2, figure 5) that the sockets API can drive. */
    public static final List<String> TCP_TRANSITIONS = List.of(
            "CLOSED => LISTEN", "CLOSED => SYN-SENT", "CLOSED => SYN-RECEIVED", "LISTEN => CLOSED",
            "SYN-SENT => ESTABLISHED", "SYN-SENT => SYN-RECEIVED", "SYN-SENT => CLOSED",
            "SYN-RECEIVED => ESTABLISHED", "SYN-RECEIVED => CLOSED",
            "ESTABLISHED => FIN-WAIT-1", "ESTABLISHED => CLOSE-WAIT", "ESTABLISHED => CLOSED",
            "FIN-WAIT-1 => FIN-WAIT-2", "FIN-WAIT-1 => CLOSING", "FIN-WAIT-2 => TIME-WAIT", "FIN-WAIT-2 => CLOSED",
            "CLOSING => TIME-WAIT", "CLOSE-WAIT => LAST-ACK", "LAST-ACK => CLOSED", "TIME-WAIT => CLOSED");

    public static Coverage of(Collection<Generator.Generated> traces) throws IOException {
        Set<String> actions = new TreeSet<>();
        Set<String> transitions = new TreeSet<>();
        for (Generator.Generated g : traces) {
            actions.addAll(g.actions());
            transitions.addAll(g.transitions());
        }
        Set<String> all = SpecText.actions();
        actions.retainAll(all);
        transitions.retainAll(TCP_TRANSITIONS);
        return new Coverage(actions, transitions, all, new TreeSet<>(TCP_TRANSITIONS));
    }

    public Set<String> missingActions() {
        Set<String> m = new TreeSet<>(allActions);
        m.removeAll(actions);
        return m;
    }

    public Set<String> missingTransitions() {
        Set<String> m = new TreeSet<>(allTransitions);
        m.removeAll(transitions);
        return m;
    }

    public String summary() {
        return String.format("spec actions %d/%d (%.0f%%), TCP transitions %d/%d (%.0f%%)", actions.size(), allActions.size(),
                100.0 * actions.size() / allActions.size(), transitions.size(), allTransitions.size(),
                100.0 * transitions.size() / allTransitions.size());
    }

    public String report() {
        return summary() + "\n"
                + "actions taken: " + String.join(", ", actions) + "\n"
                + "actions not taken: " + (missingActions().isEmpty() ? "none" : String.join(", ", missingActions())) + "\n"
                + "transitions taken: " + String.join(", ", transitions) + "\n"
                + "transitions not taken: " + (missingTransitions().isEmpty() ? "none" : String.join(", ", missingTransitions()))
                + "\n";
    }
}
