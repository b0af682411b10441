package org.sockcheck.spec.tlc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Facts read from the TLA+ text of the spec (the modules in the jar under
 * tla/): which operators are actions. Starting at Next, an operator whose
 * body primes a variable (or says UNCHANGED) is an action; any other
 * operator it names is followed into.
 */
public final class SpecText {
    private static final List<String> MODULES = List.of("Network", "Tcp", "Udp", "Unix", "SocketApi", "Sockets");
    private static final Pattern DEFINITION =
            Pattern.compile("^(?:RECURSIVE .*\\n)?([A-Z][A-Za-z0-9]*)(?:\\([^)]*\\))?\\s*==", Pattern.MULTILINE);
    private static final Pattern REFERENCE = Pattern.compile("\\b([A-Z][A-Za-z0-9]*)\\b");

    private SpecText() {
    }

    private static final Map<String, Set<String>> UNDER = new HashMap<>();

    /** The spec's actions, by name (read once; the text in the jar does not change). */
    public static Set<String> actions() throws IOException {
        return actionsUnder("Next");
    }

    /**
     * The kinds of step, as Sockets.tla defines them: what processes do
     * (User), blocked calls returning (Returns), timers (Timers) and the
     * network (Network). Each is a set of action names; a network step is
     * named by the action it took (RcvSynInListen), as SpecBridge names it.
     */
    public record Kinds(Set<String> calls, Set<String> returns, Set<String> timers, Set<String> network) {
        /** What happens between two calls on its own, timers aside: returns and the network. */
        public Set<String> settling() {
            Set<String> out = new TreeSet<>(returns);
            out.addAll(network);
            return java.util.Collections.unmodifiableSet(out);
        }
    }

    private static Kinds kinds;

    /** The kinds of step, read from the spec's text once. */
    public static synchronized Kinds kinds() {
        if (kinds == null) {
            try {
                kinds = new Kinds(actionsUnder("User"), actionsUnder("Returns"), actionsUnder("Timers"),
                        actionsUnder("Network"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("the spec's text cannot be read from the jar", e);
            }
            if (kinds.calls().isEmpty() || kinds.returns().isEmpty() || kinds.timers().isEmpty() || kinds.network().isEmpty()) {
                throw new IllegalStateException("Sockets.tla must define User, Returns, Timers and Network: " + kinds);
            }
        }
        return kinds;
    }

    private static List<String> diagram;

    /**
     * The edges of RFC 9293's state diagram that the spec takes (Diagram in
     * Sockets.tla), as "FROM => TO", in the order the spec lists them.
     */
    public static synchronized List<String> diagram() {
        if (diagram == null) {
            String text;
            try {
                text = stripComments(read("/tla/Sockets.tla"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("the spec's text cannot be read from the jar", e);
            }
            Matcher def = Pattern.compile("(?m)^Diagram ==(.*?)\\}", Pattern.DOTALL).matcher(text);
            if (!def.find()) {
                throw new IllegalStateException("Sockets.tla has no definition Diagram == { ... }");
            }
            Matcher edge = Pattern.compile("<<\"([A-Z0-9-]+)\", \"([A-Z0-9-]+)\">>").matcher(def.group(1));
            List<String> out = new ArrayList<>();
            while (edge.find()) {
                out.add(edge.group(1) + " => " + edge.group(2));
            }
            diagram = List.copyOf(out);
        }
        return diagram;
    }

    /** The actions reachable from the definition root (Next, User, ...). */
    static synchronized Set<String> actionsUnder(String root) throws IOException {
        Set<String> known = UNDER.get(root);
        if (known == null) {
            known = java.util.Collections.unmodifiableSet(readActions(root));
            UNDER.put(root, known);
        }
        return known;
    }

    private static Set<String> readActions(String root) throws IOException {
        Map<String, String> bodies = new HashMap<>();
        for (String module : MODULES) {
            String text = stripComments(read("/tla/" + module + ".tla"));
            Matcher m = DEFINITION.matcher(text);
            List<MatchResult> defs = new ArrayList<>();
            while (m.find()) {
                defs.add(m.toMatchResult());
            }
            for (int i = 0; i < defs.size(); i++) {
                int end = i + 1 < defs.size() ? defs.get(i + 1).start() : text.length();
                bodies.put(defs.get(i).group(1), text.substring(defs.get(i).end(), end));
            }
        }
        Set<String> actions = new TreeSet<>();
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(root));
        while (!todo.isEmpty()) {
            String name = todo.poll();
            String body = bodies.get(name);
            if (body == null || !seen.add(name)) {
                continue;
            }
            if (body.contains("'") || body.contains("UNCHANGED")) {
                actions.add(name);
                continue;
            }
            Matcher r = REFERENCE.matcher(body);
            while (r.find()) {
                todo.add(r.group(1));
            }
        }
        return actions;
    }

    private static String stripComments(String text) {
        String noBlocks = text.replaceAll("(?s)\\(\\*.*?\\*\\)", " ");
        return noBlocks.replaceAll("\\\\\\*[^\\n]*", " ");
    }

    static String read(String resource) throws IOException {
        try (InputStream in = SpecText.class.getResourceAsStream(resource)) {
            Objects.requireNonNull(in, "the spec jar has no " + resource);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
