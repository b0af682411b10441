package org.sockcheck.harness.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.sockcheck.harness.gen.Generator;
import org.sockcheck.harness.gen.Shrinker;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.run.ExpectedResults;
import org.sockcheck.harness.run.Expectations;
import org.sockcheck.harness.run.Runner;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.harness.run.Verdict;
import org.sockcheck.harness.validate.SpecJudge;
import org.sockcheck.spec.tlc.SpecBridge;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sockcheck hunt}: property-based testing of one implementation.
 * Walks of the spec run on it, each judged by the spec; a failure that its
 * expectations do not list is shrunk and saved as a regression.
 */
@Command(name = "hunt", mixinStandardHelpOptions = true,
        description = "Run walks of the spec on an implementation; shrink each unlisted failure and save it as a regression.")
public final class HuntCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--impl", paramLabel = "IMPL", required = true,
            description = "One implementation: ref, linux, jdk, python, lwip, gvisor or driver:COMMAND (the command may go on in the words that follow).")
    List<String> impl;

    @Option(names = "--walks", paramLabel = "N", defaultValue = "100", description = "How many walks. Default: ${DEFAULT-VALUE}.")
    int walks;

    @Option(names = "--length", paramLabel = "L", defaultValue = "12", description = "Calls per walk at most. Default: ${DEFAULT-VALUE}.")
    int length;

    @Option(names = "--seed", paramLabel = "S", description = "The seed; default: a fresh one, printed.")
    Long seed;

    @Option(names = "--domains", paramLabel = "D", split = ",", defaultValue = "INET",
            description = "The socket domains walks open, joined by commas: INET, and INET6 (IPv6 and dual stack; on"
                    + " host A alone for a driver of one kernel) and UNIX (Unix domain sockets, the names \"srv\" and \"@srv\"). Default: ${DEFAULT-VALUE}.")
    List<org.sockcheck.spec.Domain> domains;

    @Option(names = "--threads", description = "Walks may make a call on a second thread of a process that waits while"
            + " the other threads go on (an implementation that makes one call at a time gets none).")
    boolean threads;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Where shrunk failures go. Default: conformance/regressions/IMPL of sockcheck's home.")
    Path out;

    @Option(names = "--expectations", paramLabel = "DIR",
            description = "Where the known divergences are (IMPL.yaml). Default: conformance/expectations of sockcheck's home.")
    Path expectations;

    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (walks < 1 || length < 1) {
            err.println("sockcheck hunt: --walks and --length must be at least 1");
            return Main.BAD_INPUT;
        }
        Implementation im;
        try {
            im = ImplSpecs.createOne(impl);
        } catch (ImplSpecs.UsageError e) {
            err.println("sockcheck hunt: " + e.getMessage());
            err.println("  hint: " + e.hint);
            return Main.BAD_INPUT;
        }
        Path corpus = CheckCommand.defaultCorpus().getParent();
        Path dir = out != null ? out : corpus.resolve("regressions").resolve(Expectations.fileName(im.name()).replace(".yaml", ""));
        Expectations known;
        try {
            known = Expectations.load((expectations != null ? expectations : CheckCommand.defaultExpectations())
                    .resolve(Expectations.fileName(im.name())));
        } catch (Expectations.BadExpectations e) {
            err.println("sockcheck hunt: " + e.getMessage());
            im.close();
            return Main.BAD_INPUT;
        }
        long s = seed != null ? seed : new java.security.SecureRandom().nextLong() & 0xffffffffL;
        o.println("sockcheck hunt: " + walks + " walks on " + im.name() + ", seed " + s
                + (seed == null ? " (fresh; give --seed " + s + " to repeat)" : ""));
        o.flush();
        SpecBridge bridge = SpecBridge.load(SpecBridge.Constants.generated(domains.stream().map(Enum::name).toList(), threads,
                im.limits().contains(org.sockcheck.harness.impl.Implementation.Limit.ONE_HOST_IPV6)));
        Generator gen = new Generator(bridge, im.limits());
        Runner runner = new Runner(new ExpectedResults(), Duration.ofSeconds(5), SpecJudge.on(bridge, Duration.ofSeconds(10)));
        int[] counts = new int[4]; // passed, listed, skipped, new
        long[] last = {System.nanoTime()};
        int[] done = {0};
        try (im) {
            gen.explore("hunt-" + s, s, walks, length, g -> {
                done[0]++;
                TraceResult r = runner.run(g.trace(), Path.of("."), im);
                Verdict v = known.judge(r);
                switch (v) {
                    case PASS -> counts[0]++;
                    case XFAIL -> counts[1]++;
                    case SKIP -> {
                        // A walk nobody judged says why, so that a skip is never a quiet pass.
                        counts[2]++;
                        o.println("SKIP " + g.name() + ": " + r.message().lines().findFirst().orElse("(no reason given)"));
                    }
                    default -> {
                        counts[3]++;
                        o.println(save(gen, g, r, im, runner, dir, s));
                    }
                }
                if (System.nanoTime() - last[0] > 2_000_000_000L) {
                    o.println("  " + done[0] + "/" + walks + " walks: " + counts[0] + " pass, " + counts[1] + " listed, "
                            + counts[2] + " skip, " + counts[3] + " new failures");
                    o.flush();
                    last[0] = System.nanoTime();
                }
            });
        } catch (Expectations.BadPattern bad) {
            err.println("sockcheck hunt: " + bad.getMessage());
            return Main.BAD_INPUT;
        }
        o.println(walks + " walks from seed " + s + " on " + im.name() + ": " + counts[0] + " passed, " + counts[1]
                + " listed divergences, " + counts[2] + " skipped, " + counts[3] + " new failures"
                + (counts[3] > 0 ? " (shrunk into " + dir + ")" : ""));
        if (counts[3] > 0) {
            return Main.NONCONFORMANCE;
        }
        if (counts[2] == walks) {
            // Every walk skipped: the hunt looked at nothing, which is no pass.
            err.println("sockcheck hunt: nothing was judged: " + im.name() + " could run none of the " + walks
                    + " walks (each SKIP above says why)");
            return Main.NOTHING_JUDGED;
        }
        return Main.OK;
    }

    /** Shrinks a failing walk (same verdict, same call failing), writes it, and says where. */
    private static String save(Generator gen, Generator.Generated g, TraceResult first, Implementation im, Runner runner,
                               Path dir, long seed) {
        Shrinker.Result small = Shrinker.shrinkFailure(gen, g, first, x -> runner.run(x.trace(), Path.of("."), im), 300);
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(g.name());
            Files.writeString(file, small.trace().text().replaceFirst("\n", " (hunt seed " + seed + ")\n"));
            TraceResult r = runner.run(small.trace().trace(), Path.of("."), im);
            // The walk's own failure first; then the shrunk trace's, run once more, or that it did not fail again
            // (a failure that does not repeat is worth knowing as such).
            return first.verdict() + " " + g.name() + ", shrunk to " + small.trace().trace().events().size() + " events in "
                    + small.runs() + " runs: " + file + "\n  the walk: " + first.message().replace("\n", "\n  ")
                    + (r.verdict() == first.verdict() ? "\n  shrunk, run again: " + r.message().replace("\n", "\n  ")
                    : "\n  shrunk, run again: " + r.verdict() + ": the failure did not repeat");
        } catch (IOException e) {
            return first.verdict() + " " + g.name() + ": cannot write the regression: " + e.getMessage();
        }
    }
}
