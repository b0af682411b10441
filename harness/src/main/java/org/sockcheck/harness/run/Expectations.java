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
 *   call: "shutdown\\(\\d+, (RD|WR|RDWR)\\)"
 *   expected: ENOTCONN
 *   observed: "0"
 *   reason: shutdown() on a listening socket returns 0 on Linux ...
 *   reference: net/ipv4/af_inet.c, inet_shutdown() ...
 * </pre>
 *
 * An entry is matched by the structure of a failure: the trace it names
 * (the end of its path), the line, the call (a regular expression found in
 * the failing call as the trace writes it), what was expected and what was
 * observed (each a regular expression the whole text must match); every
 * field given must match. The older form, a pattern (match) searched in
 * the whole failure message, is still read; with it, a trace named is the
 * divergence's example, and the pattern applies to any trace.
 *
 * A trace that fails as an entry says is XFAIL; one that an entry names but
 * that passes is XPASS, which fails the run, so the list stays true. Only
 * failures can be listed: an ERROR is an implementation that broke the
 * protocol, and a SKIP is the implementation's own word that it cannot run
 * a trace; an entry with either verdict is refused.
 */
public record Expectations(Path file, List<Entry> entries) {

    /**
     * One known divergence: what it matches (trace, match, or the failure's
     * structure: line, call, expected, observed; any may be null, not all),
     * and why; where is file:line: entry N.
     */
    public record Entry(String id, String trace, Pattern match, Verdict verdict, String reason, String reference,
            String where, Integer line, Pattern call, Pattern expected, Pattern observed) {
        /** An entry of the older form: a trace and/or a pattern of the message. */
        public Entry(String id, String trace, Pattern match, Verdict verdict, String reason, String reference, String where) {
            this(id, trace, match, verdict, reason, reference, where, null, null, null, null);
        }

        boolean concerns(TraceResult r) {
            return trace != null && r.trace().replace('\\', '/').endsWith(trace);
        }

        /** Whether the entry says what failed (line, call, expected or observed), not only where. */
        boolean structured() {
            return line != null || call != null || expected != null || observed != null;
        }

        /**
         * A failure is explained by its structure when the entry gives one
         * (in the trace named, if any); else by the pattern when there is one
         * (wherever it happens), else by the trace named. A trace named with
         * a pattern is the divergence's example: it must keep failing.
         */
        boolean explains(TraceResult r) {
            if (r.verdict() != verdict) {
                return false;
            }
            if (structured()) {
                return (trace == null || concerns(r)) && failing(r) && (match == null || matches(r.message()));
            }
            return match != null ? matches(r.message()) : concerns(r);
        }

        /** The failing step of the run matches every structural field given. */
        private boolean failing(TraceResult r) {
            if (line != null && r.line() != line) {
                return false;
            }
            Step at = r.steps().stream().filter(st -> st.line() == r.line() && !st.ok()).findFirst().orElse(null);
            if (at == null) {
                return call == null && expected == null && observed == null;
            }
            return (call == null || find(call, at.event()))
                    && (expected == null || whole(expected, at.expected()))
                    && (observed == null || whole(observed, at.observed()));
        }

        private boolean find(Pattern p, String text) {
            return text != null && bounded(() -> p.matcher(new Bounded(text, MAX_MATCH_STEPS)).find());
        }

        private boolean whole(Pattern p, String text) {
            return text != null && bounded(() -> p.matcher(new Bounded(text, MAX_MATCH_STEPS)).matches());
        }

        private boolean bounded(java.util.function.BooleanSupplier search) {
            try {
                return search.getAsBoolean();
            } catch (Bounded.Exhausted | StackOverflowError e) {
                throw new BadPattern(where + " (" + TraceText.shorten(id, 80) + "): a pattern gave up after "
                        + MAX_MATCH_STEPS + " steps on one failure\n  hint: write the pattern without"
                        + " nested repetition such as (.*a){20}");
            }
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
            String lineText = text(n, "line", where);
            if (id == null || reason == null || (trace == null && match == null && lineText == null
                    && text(n, "call", where) == null && text(n, "expected", where) == null
                    && text(n, "observed", where) == null)) {
                throw new BadExpectations(where + ": needs id, reason, and what it matches: trace, line, call, expected,"
                        + " observed or match" + HINT);
            }
            String named = " (" + TraceText.shorten(id, 80) + ")";
            Verdict v = verdict == null ? Verdict.FAIL : switch (verdict) {
                case "FAIL" -> Verdict.FAIL;
                case "ERROR" -> throw new BadExpectations(where + named + ": an ERROR cannot be listed: it says the"
                        + " implementation crashed or broke the driver protocol, which a list must not hide"
                        + "\n  hint: fix the implementation or its driver; only FAIL is a known divergence");
                case "SKIP" -> throw new BadExpectations(where + named + ": a SKIP cannot be listed: it is the"
                        + " implementation's own word that it cannot run a trace, not a divergence"
                        + "\n  hint: leave the entry out; only FAIL is a known divergence");
                default -> throw new BadExpectations(where + named + ": verdict " + TraceText.shorten(verdict, 80)
                        + " is not FAIL (the only verdict a list holds)");
            };
            Integer line = null;
            if (lineText != null) {
                try {
                    line = Integer.valueOf(lineText.strip());
                } catch (NumberFormatException e) {
                    line = -1;
                }
                if (line < 1) {
                    throw new BadExpectations(where + named + ": line takes a line number of the trace, found "
                            + TraceText.shorten(lineText, 40));
                }
            }
            entries.add(new Entry(id, trace, pattern(match, "match", where + named), v, reason,
                    text(n, "reference", where), where, line, pattern(text(n, "call", where), "call", where + named),
                    pattern(text(n, "expected", where), "expected", where + named),
                    pattern(text(n, "observed", where), "observed", where + named)));
        }
        return new Expectations(file, List.copyOf(entries));
    }

    /** A field's regular expression, or null when the field is absent. */
    private static Pattern pattern(String text, String field, String where) throws BadExpectations {
        if (text == null) {
            return null;
        }
        try {
            return Pattern.compile(text);
        } catch (PatternSyntaxException | StackOverflowError e) {
            throw new BadExpectations(where + ": " + field + " is not a regular expression: "
                    + (e instanceof PatternSyntaxException s ? s.getDescription() : "nested too deep"));
        }
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

    /**
     * What is stale in the list after these runs: each entry that names a
     * trace none of the traces found is, and (when every trace ran: whole)
     * each entry that explained no run (used: the ids that did) and concerns
     * no run.
     */
    public List<String> stale(java.util.Set<String> used, List<TraceResult> results, List<String> tracesFound,
                              boolean whole) {
        List<String> out = new ArrayList<>();
        for (Entry e : entries) {
            String named = e.where() + " (" + TraceText.shorten(e.id(), 80) + ")";
            if (e.trace() != null && tracesFound.stream().noneMatch(t -> t.replace('\\', '/').endsWith(e.trace()))) {
                out.add(named + ": names the trace " + e.trace() + ", which is not among the traces");
            } else if (whole && !used.contains(e.id()) && results.stream().noneMatch(e::concerns)) {
                out.add(named + ": matched no run");
            }
        }
        return out;
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
        return applied(r, new java.util.HashSet<>());
    }

    /** The same, adding the id of the entry that explained the run to used (for {@link #stale}). */
    public TraceResult applied(TraceResult r, java.util.Set<String> used) {
        Verdict v = judge(r);
        if (v == r.verdict()) {
            return r;
        }
        if (v == Verdict.XFAIL) {
            used.add(explaining(r).orElseThrow().id());
        }
        String why = v == Verdict.XFAIL ? "\n  known divergence: " + explaining(r).orElseThrow().id()
                : "\n  listed as a known divergence in " + file + " but passed";
        return r.judged(v, r.message() + why);
    }
}
