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
    /** The transitions of RFC 9293's diagram that the spec takes (Diagram in Sockets.tla). */
    public static final List<String> TCP_TRANSITIONS = SpecText.diagram();

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
