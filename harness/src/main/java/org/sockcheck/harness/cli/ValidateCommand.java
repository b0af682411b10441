package org.sockcheck.harness.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.harness.validate.Models;
import org.sockcheck.harness.validate.SpecJudge;
import org.sockcheck.harness.validate.SpecVerdict;
import org.sockcheck.harness.validate.Validator;
import org.sockcheck.spec.tlc.SpecBridge;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sockcheck validate}: is each trace a behaviour of the spec? */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check that traces are behaviours of the TLA+ specification.")
public final class ValidateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    LimitOptions limitOptions;

    @Parameters(paramLabel = "TRACE", arity = "1..*", description = "Trace files or folders.")
    List<Path> paths;

    @picocli.CommandLine.Option(names = "--timers", description = "Let the spec's timers (TIME-WAIT, FIN-WAIT-2,"
            + " handshake) fire between events; by default a trace is taken to last less than the shortest of them.")
    boolean timers;

    @picocli.CommandLine.Mixin
    Workers jobs = new Workers();

    @picocli.CommandLine.Mixin
    CacheOption cacheOption = new CacheOption();

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        org.sockcheck.harness.validate.VerdictCache cache = cacheOption.cache().prepare();
        java.util.Optional<List<Trace>> read = TraceInput.read("sockcheck validate", paths, err, "nothing was validated",
                limitOptions.limits());
        if (read.isEmpty()) {
            return Main.BAD_INPUT;
        }
        java.util.Optional<String> badJobs = jobs.problem();
        if (badJobs.isPresent()) {
            err.println("sockcheck validate: " + badJobs.get());
            return Main.BAD_INPUT;
        }
        List<Trace> traces = read.get();
        long start = System.nanoTime();
        // No time limit: validate decides every trace (check limits each search, and says so). The models are
        // loaded at the first trace the verdict cache does not hold, and told then.
        SpecJudge judge = SpecJudge.forTraces(traces, java.time.Duration.ZERO, cache, models -> {
            // One print: the lines of the verdicts known already are printed meanwhile, by another thread.
            StringBuilder told = new StringBuilder();
            for (SpecBridge.Constants c : models) {
                told.append("sockcheck validate: profile " + c.profile() + ": hosts " + c.hosts() + ", processes "
                        + c.procs() + ", ports " + c.ports() + ", recv sizes " + c.recvSizes() + ", data "
                        + c.data().stream().map(d -> org.sockcheck.harness.trace.TraceText.shorten(
                                org.sockcheck.harness.gen.Render.data(d), 40)).toList()).append(System.lineSeparator());
            }
            out.print(told);
            out.flush();
        });
        if (timers) {
            judge.withTimers();
        }
        int rejected = 0;
        int fromCache = 0;
        int notJudged = 0;
        long events = 0;
        // The traces are validated on the threads, each result printed in the traces' order as soon as it is known.
        List<java.util.concurrent.CompletableFuture<String>> lines = new java.util.ArrayList<>();
        SpecVerdict[] results = new SpecVerdict[traces.size()];
        for (int k = 0; k < traces.size(); k++) {
            lines.add(new java.util.concurrent.CompletableFuture<>());
        }
        List<SpecJudge> judges = judge.forWorkers(jobs.forItems(traces.size()));
        // The workers run beside this thread, which prints each result in the traces' order as soon as it is known.
        Thread.ofPlatform().daemon().name("sockcheck-validate").start(() -> Workers.run(judges.size(), traces.size(),
                "sockcheck-validate", (w, k) -> {
                    Trace t = traces.get(k);
                    try {
                        java.util.Optional<String> why = Models.unfit(t);
                        if (why.isPresent()) {
                            lines.get(k).complete("SKIP   " + t.source() + ": not validated: " + why.get());
                            return;
                        }
                        long one = System.nanoTime();
                        SpecVerdict r = judges.get(w).result(t);
                        results[k] = r;
                        String word = switch (r.kind()) {
                            case ACCEPTED -> "ACCEPT";
                            case REJECTED -> "REJECT";
                            case UNDECIDED -> "UNDECIDED";
                        };
                        lines.get(k).complete(String.format("%s %s (%.0f ms%s)", word, r.describe(t.source()),
                                (System.nanoTime() - one) / 1e6, r.cached() ? ", from the cache" : ""));
                    } catch (RuntimeException e) {
                        lines.get(k).completeExceptionally(e);
                    }
                }));
        for (int k = 0; k < traces.size(); k++) {
            String line;
            try {
                line = lines.get(k).join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof java.io.UncheckedIOException failed) {
                    throw failed.getCause(); // the spec could not be loaded
                }
                throw e.getCause() instanceof RuntimeException re ? re : e;
            }
            out.println(line);
            out.flush();
            SpecVerdict r = results[k];
            if (r == null) {
                notJudged++;
                continue;
            }
            events += traces.get(k).events().size();
            rejected += r.kind() == Validator.Kind.REJECTED ? 1 : 0;
            fromCache += r.cached() ? 1 : 0;
            notJudged += r.kind() == Validator.Kind.UNDECIDED ? 1 : 0;
        }
        // Loading the spec is told apart from judging, wherever a worker loaded it.
        double loading = judge.loading().toNanos() / 1e9;
        double seconds = Math.max((System.nanoTime() - start) / 1e9 - loading, 1e-3);
        String cached = fromCache == 0 ? "" : fromCache + (fromCache == 1 ? " verdict" : " verdicts")
                + " from the cache of earlier runs";
        String spec = judge.loaded() ? String.format(java.util.Locale.ROOT, "loading the spec took %.1f s more", loading)
                + (cached.isEmpty() ? "" : "; " + cached)
                : (cached.isEmpty() ? "" : cached + ", ") + "the spec not loaded";
        out.printf("%d accepted, %d rejected, %d not validated; %d events in %.2f s (%.0f events/s; %s)%n",
                traces.size() - rejected - notJudged, rejected, notJudged, events, seconds, events / seconds, spec);
        return rejected == 0 && notJudged == 0 ? Main.OK : Main.NONCONFORMANCE;
    }
}
