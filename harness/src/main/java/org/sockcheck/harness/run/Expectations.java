package org.sockcheck.harness.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.sockcheck.harness.trace.TraceFiles;
import org.sockcheck.harness.trace.TraceSyntaxException;
import org.sockcheck.harness.trace.TraceText;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The known divergences of one implementation (conformance/expectations/IMPL.yaml):
 * a list of entries, each with the trace it concerns and/or a pattern its
 * failure message matches, the verdict expected, the reason and a reference.
 *
 * <pre>
 * - id: shutdown-of-a-listener
 *   match: "shutdown\\(\\d+, (RD|WR|RDWR)\\)\\n  expected: ENOTCONN\\n  observed: 0"
 *   verdict: FAIL
 *   reason: shutdown() on a listening socket returns 0 on Linux ...
 *   reference: net/ipv4/af_inet.c, inet_shutdown() ...
 * </pre>
 *
 * A trace that fails as an entry says is XFAIL; one that an entry names but
 * that passes is XPASS, which fails the run, so the list stays true.
 */
public record Expectations(Path file, List<Entry> entries) {

    /** One known divergence. trace and match may each be null, not both; where is file:line: entry N. */
    public record Entry(String id, String trace, Pattern match, Verdict verdict, String reason, String reference,
            String where) {
        boolean concerns(TraceResult r) {
            return trace != null && r.trace().replace('\\', '/').endsWith(trace);
        }

        /**
         * A failure is explained by the pattern when there is one (wherever it
         * happens), else by the trace named. A trace named with a pattern is
         * the divergence's example: it must keep failing.
         */
        boolean explains(TraceResult r) {
            boolean which = match != null ? matches(r.message()) : concerns(r);
            return which && r.verdict() == verdict;
        }

        /** The pattern's search, bounded: a pattern that backtracks without end is bad input, not a hang. */
        private boolean matches(String message) {
            try {
                return match.matcher(new Bounded(message, MAX_MATCH_STEPS)).find();
            } catch (Bounded.Exhausted | StackOverflowError e) {
                throw new BadPattern(where + " (" + TraceText.shorten(id, 80) + "): match gave up after "
                        + MAX_MATCH_STEPS + " steps on one failure message\n  hint: write the pattern without"
                        + " nested repetition such as (.*a){20}");
            }
        }
    }

    /** How many characters a pattern may read in one search before it is judged to backtrack without end. */
    static final long MAX_MATCH_STEPS = 50_000_000L;

    /** A pattern of an expectations file whose search did not end (bad input, found while judging). */
    public static final class BadPattern extends RuntimeException {
        BadPattern(String message) {
            super(message, null, false, false);
        }
    }

    /** A text whose characters may be read a bounded number of times in all. */
    private static final class Bounded implements CharSequence {
        static final class Exhausted extends RuntimeException {
            Exhausted() {
                super(null, null, false, false);
            }
        }

        private final String text;
        private final long[] left;

        Bounded(String text, long steps) {
            this(text, new long[] {steps});
        }

        private Bounded(String text, long[] left) {
            this.text = text;
            this.left = left;
        }

        @Override
        public char charAt(int i) {
            if (--left[0] < 0) {
                throw new Exhausted();
            }
            return text.charAt(i);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int from, int to) {
            return new Bounded(text.substring(from, to), left);
        }

        @Override
        public String toString() {
            return text;
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

    /** The largest expectations file read: a list of divergences, not a corpus. */
    public static final long MAX_BYTES = 1L << 20;

    private static final String HINT = "\n  hint: the file is a list of entries, each '- id: ...' with trace or match,"
            + " verdict, reason, reference; or 'same-as: FILE'";

    public static Expectations load(Path file) throws BadExpectations {
        return load(file, new java.util.HashSet<>());
    }

    private static Expectations load(Path file, java.util.Set<Path> seen) throws BadExpectations {
        if (!Files.isRegularFile(file)) {
            if (!seen.isEmpty()) {
                throw new BadExpectations(file + ":1: same-as names a file that is not there");
            }
            return new Expectations(file, List.of());
        }
        if (!seen.add(file.toAbsolutePath().normalize())) {
            throw new BadExpectations(file + ":1: same-as goes round in a loop back to this file");
        }
        String text;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new BadExpectations(file + ":1: larger than " + (MAX_BYTES >> 20) + " MiB" + HINT);
            }
            text = TraceFiles.utf8(file.toString(), Files.readAllBytes(file));
        } catch (TraceSyntaxException e) {
            throw new BadExpectations(e.getMessage());
        } catch (IOException e) {
            throw new BadExpectations(file + ": cannot read it: " + TraceFiles.why(e));
        }
        YAMLMapper yaml = YAMLMapper.builder().build();
        JsonNode root;
        List<Integer> lines = new ArrayList<>();
        try {
            root = yaml.readTree(text);
            entryLines(yaml, text, lines);
        } catch (JacksonException e) {
            int line = e.getLocation() == null ? 1 : Math.max(1, e.getLocation().getLineNr());
            int column = e.getLocation() == null ? 1 : Math.max(1, e.getLocation().getColumnNr());
            throw new BadExpectations(file + ":" + line + ":" + column + ": not YAML: "
                    + org.sockcheck.harness.trace.TraceJson.problem(e) + HINT);
        }
        List<Entry> entries = new ArrayList<>();
        if (root == null || root.isNull() || root.isMissingNode()) {
            return new Expectations(file, entries);
        }
        if (root.isObject() && root.has("same-as")) {
            // An implementation over the same kernel shares its list: "same-as: linux.yaml".
            JsonNode other = root.get("same-as");
            if (!other.isString() || other.asString().isBlank()) {
                throw new BadExpectations(file + ":1: same-as takes the name of a file in the same folder" + HINT);
            }
            Path sibling = file.resolveSibling(other.asString());
            return new Expectations(file, load(sibling, seen).entries());
        }
        if (!root.isArray()) {
            throw new BadExpectations(file + ":1: expected a list of entries ('- id: ...') or 'same-as: FILE'" + HINT);
        }
        int i = 0;
        for (JsonNode n : root) {
            String where = file + ":" + (i < lines.size() ? lines.get(i) : 1) + ": entry " + (i + 1);
            i++;
            if (!n.isObject()) {
                throw new BadExpectations(where + ": expected an entry ('id: ...', 'reason: ...'), found "
                        + TraceText.shorten(n.toString(), 80) + HINT);
            }
            String id = text(n, "id", where);
            String trace = text(n, "trace", where);
            String match = text(n, "match", where);
            String verdict = text(n, "verdict", where);
            String reason = text(n, "reason", where);
            if (id == null || reason == null || (trace == null && match == null)) {
                throw new BadExpectations(where + ": needs id, reason, and trace or match" + HINT);
            }
            Verdict v = verdict == null ? Verdict.FAIL : switch (verdict) {
                case "FAIL" -> Verdict.FAIL;
                case "ERROR" -> Verdict.ERROR;
                case "SKIP" -> Verdict.SKIP;
                default -> throw new BadExpectations(where + " (" + TraceText.shorten(id, 80) + "): verdict "
                        + TraceText.shorten(verdict, 80) + " is not one of FAIL, ERROR, SKIP");
            };
            Pattern p = null;
            if (match != null) {
                try {
                    p = Pattern.compile(match);
                } catch (PatternSyntaxException | StackOverflowError e) {
                    throw new BadExpectations(where + " (" + TraceText.shorten(id, 80) + "): match is not a regular"
                            + " expression: " + (e instanceof PatternSyntaxException s ? s.getDescription() : "nested too deep"));
                }
            }
            entries.add(new Entry(id, trace, p, v, reason, text(n, "reference", where), where));
        }
        return new Expectations(file, List.copyOf(entries));
    }

    /** The line each entry of the top-level list starts on (the tree does not keep lines). */
    private static void entryLines(YAMLMapper yaml, String text, List<Integer> lines) {
        try (tools.jackson.core.JsonParser p = yaml.createParser(text)) {
            int depth = 0;
            for (tools.jackson.core.JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (depth == 1 && !t.isStructEnd()) {
                    lines.add(p.currentTokenLocation().getLineNr());
                }
                if (t.isStructStart()) {
                    depth++;
                } else if (t.isStructEnd()) {
                    depth--;
                }
            }
        }
    }

    /** A field's text: absent or null is null; a list or a map where text belongs is an error. */
    private static String text(JsonNode n, String field, String where) throws BadExpectations {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isValueNode()) {
            throw new BadExpectations(where + ": " + field + " takes text, found " + TraceText.shorten(v.toString(), 80));
        }
        return v.asString();
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

    /**
     * The result once the list is taken into account: the verdict {@link #judge}
     * gives, the message then naming the divergence that explains it (XFAIL)
     * or the file that lists a trace that passed (XPASS).
     */
    public TraceResult applied(TraceResult r) {
        Verdict v = judge(r);
        if (v == r.verdict()) {
            return r;
        }
        String why = v == Verdict.XFAIL ? "\n  known divergence: " + explaining(r).orElseThrow().id()
                : "\n  listed as a known divergence in " + file + " but passed";
        return r.judged(v, r.message() + why);
    }
}
