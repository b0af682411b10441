package org.sockcheck.harness.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The known divergences of one implementation (conformance/expectations/IMPL.yaml):
 * a list of entries, each with the trace it concerns and/or a pattern its
 * failure message matches, the verdict expected, the reason and a reference.
 *
 * <pre>
 * - id: wildcard-after-refused-connect
 *   match: "getsockname\\(.*\\n *expected: [A-Z]\\w*:.*\\n *observed: \\*:"
 *   verdict: FAIL
 *   reason: Linux resets ...
 *   reference: net/ipv4/tcp.c ...
 * </pre>
 *
 * A trace that fails as an entry says is XFAIL; one that an entry names but
 * that passes is XPASS, which fails the run, so the list stays true.
 */
public record Expectations(Path file, List<Entry> entries) {

    /** One known divergence. trace and match may each be null, not both. */
    public record Entry(String id, String trace, Pattern match, Verdict verdict, String reason, String reference) {
        boolean concerns(TraceResult r) {
            return trace != null && r.trace().replace('\\', '/').endsWith(trace);
        }

        /**
         * A failure is explained by the pattern when there is one (wherever it
         * happens), else by the trace named. A trace named with a pattern is
         * the divergence's example: it must keep failing.
         */
        boolean explains(TraceResult r) {
            boolean which = match != null ? match.matcher(r.message()).find() : concerns(r);
            return which && r.verdict() == verdict;
        }
    }

    /** An expectations file that cannot be read: the file, the entry, and what is wrong. */
    public static final class BadExpectations extends Exception {
        public BadExpectations(String message) {
            super(message);
        }
    }

    /**
     * The file of an implementation's list: ref.yaml, linux.yaml, jdk.yaml;
     * for driver:COMMAND, driver-NAME.yaml with NAME the command's last word
     * without folder and extension (driver-sockcheck_driver.yaml).
     */
    public static String fileName(String implementation) {
        if (!implementation.startsWith("driver:")) {
            return implementation + ".yaml";
        }
        String[] words = implementation.substring(7).trim().split("\\s+");
        String last = words[words.length - 1];
        String file = last.substring(last.lastIndexOf('/') + 1);
        int dot = file.lastIndexOf('.');
        return "driver-" + (dot > 0 ? file.substring(0, dot) : file) + ".yaml";
    }

    public static Expectations none() {
        return new Expectations(null, List.of());
    }

    public static Expectations load(Path file) throws BadExpectations {
        if (!Files.isRegularFile(file)) {
            return new Expectations(file, List.of());
        }
        JsonNode root;
        try {
            root = YAMLMapper.builder().build().readTree(Files.readString(file));
        } catch (JacksonException e) {
            throw new BadExpectations(file + ":" + e.getLocation().getLineNr() + ": not YAML: " + e.getOriginalMessage()
                    + "\n  hint: the file is a list of entries, each '- id: ...' with trace or match, verdict, reason, reference");
        } catch (IOException e) {
            throw new BadExpectations(file + ": " + e.getMessage());
        }
        List<Entry> entries = new ArrayList<>();
        if (root == null || root.isNull() || root.isMissingNode()) {
            return new Expectations(file, entries);
        }
        if (root.isObject() && root.has("same-as")) {
            // An implementation over the same kernel shares its list: "same-as: linux.yaml".
            Path other = file.resolveSibling(root.get("same-as").asString());
            if (other.normalize().equals(file.normalize())) {
                throw new BadExpectations(file + ": same-as names the file itself");
            }
            Expectations shared = load(other);
            return new Expectations(file, shared.entries());
        }
        if (!root.isArray()) {
            throw new BadExpectations(file + ": expected a list of entries ('- id: ...') or 'same-as: FILE'");
        }
        int i = 0;
        for (JsonNode n : root) {
            i++;
            String where = file + ": entry " + i;
            String id = text(n, "id");
            String trace = text(n, "trace");
            String match = text(n, "match");
            String verdict = text(n, "verdict");
            String reason = text(n, "reason");
            if (id == null || reason == null || (trace == null && match == null)) {
                throw new BadExpectations(where + ": needs id, reason, and trace or match");
            }
            Verdict v;
            try {
                v = verdict == null ? Verdict.FAIL : Verdict.valueOf(verdict);
            } catch (IllegalArgumentException e) {
                throw new BadExpectations(where + " (" + id + "): verdict " + verdict + " is not one of FAIL, ERROR, SKIP");
            }
            Pattern p = null;
            if (match != null) {
                try {
                    p = Pattern.compile(match);
                } catch (PatternSyntaxException e) {
                    throw new BadExpectations(where + " (" + id + "): match is not a regular expression: " + e.getDescription());
                }
            }
            entries.add(new Entry(id, trace, p, v, reason, text(n, "reference")));
        }
        return new Expectations(file, List.copyOf(entries));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asString();
    }

    /** The entry that explains this result, if any. */
    public Optional<Entry> explaining(TraceResult r) {
        return entries.stream().filter(e -> e.explains(r)).findFirst();
    }

    /**
     * The verdict after the list is taken into account: an explained failure
     * is XFAIL; a pass of a trace an entry names is XPASS; anything else as it was.
     */
    public Verdict judge(TraceResult r) {
        if (r.verdict() == Verdict.PASS) {
            return entries.stream().anyMatch(e -> e.concerns(r) && e.verdict() == Verdict.FAIL) ? Verdict.XPASS : Verdict.PASS;
        }
        return explaining(r).isPresent() && r.verdict() == Verdict.FAIL ? Verdict.XFAIL : r.verdict();
    }
}
