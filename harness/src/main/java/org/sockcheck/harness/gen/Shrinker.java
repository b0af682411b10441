package org.sockcheck.harness.gen;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.sockcheck.harness.run.TraceResult;

/**
 * Minimizes a generated trace that fails on an implementation: calls are
 * removed (in halves, then quarters, down to single calls, as delta
 * debugging does) as long as what is left is still a behaviour of the spec
 * (the spec gives every remaining call a result, none blocks) and still
 * fails on the implementation. Hosts whose calls all go are gone with them.
 * A descriptor that a removed call made no longer shifts the later ones:
 * the calls after it name the numbers the spec gives them now.
 * The result is 2-minimal: removing any single call of it, or any two,
 * makes it pass or leaves the spec.
 */
public final class Shrinker {
    /** The smallest failing trace found and how many candidate traces were run to find it. */
    public record Result(Generator.Generated trace, int runs) {
    }

    private Shrinker() {
    }

    /**
     * Shrinks a walk whose run gave first (not a pass), keeping candidates
     * that fail the same way: the same verdict, at the same call.
     */
    public static Result shrinkFailure(Generator gen, Generator.Generated failing, TraceResult first,
                                       java.util.function.Function<Generator.Generated, TraceResult> run, int maxRuns) {
        String call = firstLine(first).replaceFirst("^.*?:\\d+: ", "").replaceAll("\\(.*", "(");
        return shrink(gen, failing, x -> {
            TraceResult r = run.apply(x);
            return r.verdict() == first.verdict() && firstLine(r).contains(call);
        }, maxRuns);
    }

    /** The first line of a run's message: which event failed. */
    public static String firstLine(TraceResult r) {
        return r.message().lines().findFirst().orElse("");
    }

    /**
     * @param fails   whether a candidate still fails on the implementation (the same way: the
     *                caller decides what counts as the same failure)
     * @param maxRuns the most candidates to run; the smallest so far is returned when they run out
     */
    public static Result shrink(Generator gen, Generator.Generated failing, Predicate<Generator.Generated> fails,
                                int maxRuns) {
        List<Generator.Choice> calls = new ArrayList<>(failing.calls());
        // What each call gave in the walk, so that a candidate renames the descriptors that shift.
        List<Object> olds = new ArrayList<>(gen.results(calls));
        Generator.Generated best = failing;
        int runs = 0;
        int parts = 2;
        while (calls.size() >= 2 && runs < maxRuns) {
            int chunk = (int) Math.ceil(calls.size() / (double) parts);
            boolean removed = false;
            for (int start = 0; start < calls.size() && runs < maxRuns; start += chunk) {
                List<Generator.Choice> candidate = new ArrayList<>(calls.subList(0, start));
                candidate.addAll(calls.subList(Math.min(calls.size(), start + chunk), calls.size()));
                List<Object> candidateOlds = new ArrayList<>(olds.subList(0, start));
                candidateOlds.addAll(olds.subList(Math.min(olds.size(), start + chunk), olds.size()));
                Generator.Generated g = gen.replayRenamed(failing.name(), "shrunk from " + failing.name(), candidate,
                        candidateOlds);
                if (g == null) {
                    continue;
                }
                runs++;
                if (fails.test(g)) {
                    calls = candidate;
                    olds = candidateOlds;
                    best = g;
                    parts = Math.max(parts - 1, 2);
                    removed = true;
                    break;
                }
            }
            if (!removed) {
                if (chunk == 1) {
                    break;
                }
                parts = Math.min(calls.size(), parts * 2);
            }
        }
        // Then pairs of calls apart from each other (a dup and the close of its descriptor, say),
        // which no single removal can take: the result is 2-minimal.
        boolean removed = true;
        while (removed && runs < maxRuns) {
            removed = false;
            for (int i = 0; i < calls.size() && !removed && runs < maxRuns; i++) {
                for (int j = i + 2; j < calls.size() && !removed && runs < maxRuns; j++) {
                    List<Generator.Choice> candidate = new ArrayList<>(calls);
                    List<Object> candidateOlds = new ArrayList<>(olds);
                    for (int k : new int[] {j, i}) {
                        candidate.remove(k);
                        candidateOlds.remove(k);
                    }
                    Generator.Generated g = gen.replayRenamed(failing.name(), "shrunk from " + failing.name(), candidate,
                            candidateOlds);
                    if (g == null) {
                        continue;
                    }
                    runs++;
                    if (fails.test(g)) {
                        calls = candidate;
                        olds = candidateOlds;
                        best = g;
                        removed = true;
                    }
                }
            }
        }
        return new Result(best, runs);
    }
}
