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
        List<Generator.Choice> all = failing.calls();
        // What each call gave in the walk, so that a candidate renames the descriptors that shift.
        List<Object> olds = gen.results(all);
        // The calls kept, as indexes into the walk's.
        List<Integer> kept = new ArrayList<>(java.util.stream.IntStream.range(0, all.size()).boxed().toList());
        Generator.Generated best = failing;
        int runs = 0;
        int parts = 2;
        while (kept.size() >= 2 && runs < maxRuns) {
            int chunk = (int) Math.ceil(kept.size() / (double) parts);
            boolean removed = false;
            for (int start = 0; start < kept.size() && runs < maxRuns; start += chunk) {
                List<Integer> candidate = new ArrayList<>(kept.subList(0, start));
                candidate.addAll(kept.subList(Math.min(kept.size(), start + chunk), kept.size()));
                Generator.Generated g = replay(gen, failing, candidate, olds);
                if (g == null) {
                    continue;
                }
                runs++;
                if (fails.test(g)) {
                    kept = candidate;
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
                parts = Math.min(kept.size(), parts * 2);
            }
        }
        // Then pairs of calls apart from each other (a dup and the close of its descriptor, say),
        // which no single removal can take: the result is 2-minimal.
        boolean removed = true;
        while (removed && runs < maxRuns) {
            removed = false;
            for (int i = 0; i < kept.size() && !removed && runs < maxRuns; i++) {
                for (int j = i + 2; j < kept.size() && !removed && runs < maxRuns; j++) {
                    List<Integer> candidate = new ArrayList<>(kept);
                    candidate.remove(j);
                    candidate.remove(i);
                    Generator.Generated g = replay(gen, failing, candidate, olds);
                    if (g == null) {
                        continue;
                    }
                    runs++;
                    if (fails.test(g)) {
                        kept = candidate;
                        best = g;
                        removed = true;
                    }
                }
            }
        }
        return new Result(best, runs);
    }

    /** The walk's calls at these indexes, replayed with their descriptors renamed; null when no walk of the spec. */
    private static Generator.Generated replay(Generator gen, Generator.Generated failing, List<Integer> kept, List<Object> olds) {
        return gen.replayRenamed(failing.name(), "shrunk from " + failing.name(),
                kept.stream().map(failing.calls()::get).toList(), kept.stream().map(olds::get).toList());
    }
}
