package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.harness.trace.TraceFiles;
import org.sockcheck.harness.trace.TraceText;
import org.sockcheck.harness.validate.Validator;
import org.sockcheck.spec.tlc.SpecBridge;

/**
 * The spec as the judge of a trace: the covering set is accepted, and a
 * tampered trace (an errno changed, an observation changed, an event
 * dropped) is rejected at the event that was tampered with.
 */
class ValidationTest {
    private static Validator validator() throws Exception {
        List<org.sockcheck.harness.trace.Trace> traces = new java.util.ArrayList<>();
        for (Path f : TraceFiles.find(List.of(SpecTraces.GENERATED, SpecTraces.REGRESSIONS))) {
            traces.add(TraceFiles.read(f));
        }
        // A model sized for the covering set and the regressions (its forks need the spec's unborn processes).
        return new Validator(SpecBridge.load(org.sockcheck.harness.validate.Models.forTraces(traces)));
    }

    /**
     * The covering set and the regressions: a change of the spec that a
     * committed trace no longer follows must rewrite the trace in the same
     * change (check refuses to run a trace the spec contradicts).
     */
    @Test
    void theCoveringSetAndTheRegressionsAreBehavioursOfTheSpec() throws Exception {
        Validator v = validator();
        List<Path> files = TraceFiles.find(List.of(SpecTraces.GENERATED, SpecTraces.REGRESSIONS));
        assertTrue(files.size() >= 15, "covering set and regressions: " + files.size());
        for (Path f : files) {
            Validator.Result r = v.validate(TraceFiles.read(f));
            assertTrue(r.accepted(), r.describe(f.toString()));
        }
    }

    /** The covering trace with the most lines, as text lines. */
    private static List<String> sample() throws Exception {
        return sample(l -> true);
    }

    /** The covering trace with the most lines among those with a line that fits, as text lines. */
    private static List<String> sample(java.util.function.Predicate<String> having) throws Exception {
        Path best = null;
        long most = 0;
        for (Path f : TraceFiles.find(List.of(SpecTraces.GENERATED))) {
            List<String> all = Files.readAllLines(f);
            long n = all.size();
            if (n > most && all.stream().anyMatch(having)) {
                most = n;
                best = f;
            }
        }
        return new ArrayList<>(Files.readAllLines(best));
    }

    private static Validator.Result validate(List<String> lines) throws Exception {
        Trace t = TraceText.parse("tampered.trace", String.join("\n", lines) + "\n");
        return validator().validate(t);
    }

    private static int firstLine(List<String> lines, java.util.function.Predicate<String> p) {
        for (int i = 0; i < lines.size(); i++) {
            if (p.test(lines.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no such line in the sample");
    }

    @Test
    void anErrnoChangedIsRejectedThere() throws Exception {
        List<String> lines = sample();
        int i = firstLine(lines, l -> l.matches(".*\\) = E[A-Z]+$"));
        String was = lines.get(i);
        lines.set(i, was.replaceFirst("= E[A-Z]+$", was.endsWith("= EINVAL") ? "= EBADF" : "= EINVAL"));
        Validator.Result r = validate(lines);
        assertFalse(r.accepted(), "tampered: " + lines.get(i));
        assertEquals(i + 1, r.line(), r.describe("tampered.trace"));
    }

    @Test
    void anObservationChangedIsRejectedThere() throws Exception {
        java.util.function.Predicate<String> empty = l -> l.startsWith("observe ") && l.contains(": none");
        List<String> lines = sample(empty);
        int i = firstLine(lines, empty);
        lines.set(i, lines.get(i).replace(": none", ": udp A:80 *:*"));
        Validator.Result r = validate(lines);
        assertFalse(r.accepted());
        assertEquals(i + 1, r.line(), r.describe("tampered.trace"));
    }

    @Test
    void anEventDroppedIsRejectedWhereItIsMissed() throws Exception {
        List<String> lines = sample();
        // Drop the first successful socket(): a later call on its descriptor cannot be explained.
        int i = firstLine(lines, l -> l.contains(": socket(") && l.matches(".*= \\d+$"));
        String dropped = lines.remove(i);
        Validator.Result r = validate(lines);
        assertFalse(r.accepted(), "dropped " + dropped);
        assertTrue(r.line() > i, r.describe("tampered.trace"));
        assertTrue(r.allowed().length() > 0, "the rejection says what the spec allowed");
        System.out.println("ValidationTest: dropped line " + (i + 1) + " (" + dropped + "): " + r.describe("tampered.trace"));
    }
}
