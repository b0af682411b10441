package org.sockcheck.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.harness.trace.TraceFiles;
import org.sockcheck.harness.validate.Models;
import org.sockcheck.harness.validate.Validator;
import org.sockcheck.spec.tlc.SpecBridge;

/**
 * Trace validation against the spec through TLC's interpreter, as
 * {@code sockcheck validate} and {@code sockcheck check} do it. One
 * invocation validates every trace of the committed corpus that fits the
 * spec's model (conformance/scenarios, generated, regressions), each with
 * the spec's successor memo emptied first, so every trace is validated as if
 * it were the first. The events counter gives events per second; the target
 * is 5,000 (docs/performance.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
public class ValidationBenchmark {
    private List<Trace> traces;

    /** Counts validated events: JMH reports it per second beside the invocations. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Events {
        public long events;

        @Setup(Level.Iteration)
        public void reset() {
            events = 0;
        }
    }

    @Setup
    public void load() throws Exception {
        Path home = Path.of(System.getenv().getOrDefault("SOCKCHECK_HOME", "."));
        List<Path> roots = List.of("scenarios", "generated", "regressions").stream()
                .map(d -> home.resolve("conformance").resolve(d)).toList();
        traces = new ArrayList<>();
        for (Path p : TraceFiles.find(roots)) {
            Trace t = TraceFiles.read(p);
            if (Models.unfit(t).isEmpty()) {
                traces.add(t);
            }
        }
        if (traces.size() < 20) {
            throw new IllegalStateException("found " + traces.size() + " traces under " + home.toAbsolutePath()
                    + "/conformance; set SOCKCHECK_HOME to the project");
        }
        // The models check uses: one for the traces of ordinary size, one for each larger trace.
        org.sockcheck.harness.validate.SpecJudge judge = org.sockcheck.harness.validate.SpecJudge.forTraces(traces,
                java.time.Duration.ZERO);
        java.util.Map<SpecBridge, Validator> byModel = new java.util.HashMap<>();
        validators = new ArrayList<>();
        for (Trace t : traces) {
            Validator v = byModel.computeIfAbsent(judge.spec(t), Validator::new);
            validators.add(v);
            if (!v.validate(t).accepted()) {
                throw new IllegalStateException(t.source() + " is not accepted");
            }
        }
    }

    private List<Validator> validators;

    @Benchmark
    public int corpus(Events counter) {
        int accepted = 0;
        for (int i = 0; i < traces.size(); i++) {
            Trace t = traces.get(i);
            Validator v = validators.get(i);
            v.spec().forget();
            if (v.validate(t).accepted()) {
                accepted++;
            }
            counter.events += t.events().size();
        }
        return accepted;
    }
}
