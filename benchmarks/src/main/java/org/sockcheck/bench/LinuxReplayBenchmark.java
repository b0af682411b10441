package org.sockcheck.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.sockcheck.harness.impl.linux.LinuxImplementation;
import org.sockcheck.harness.run.ExpectedResults;
import org.sockcheck.harness.run.Judge;
import org.sockcheck.harness.run.Runner;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.harness.run.Verdict;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.harness.trace.TraceText;

/**
 * One run of a trace on the Linux kernel through the runner, as
 * {@code sockcheck check --impl linux} makes it and as its junit.xml times
 * it: the hosts placed on a fresh loopback block, every call made, every
 * observe settled, the tables at the end, the descriptors closed. The spec's
 * judgement, which junit.xml's time leaves out too, is made once, in the
 * set-up, to see that the run passes; the measured runs are accepted as
 * they are. The trace is benchmarks/traces/connect-echo-close.trace unless
 * -p trace=FILE names another (relative to sockcheck's home);
 * scripts/bench-linux times the same calls made by a C program beside it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class LinuxReplayBenchmark {
    @Param("benchmarks/traces/connect-echo-close.trace")
    public String trace;

    private Trace parsed;
    private Runner runner;
    private LinuxImplementation linux;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        String home = System.getenv().getOrDefault("SOCKCHECK_HOME", ".");
        Path file = Path.of(home).resolve(trace);
        parsed = TraceText.parse(file.toString(), Files.readString(file));
        linux = new LinuxImplementation();
        TraceResult check = new Runner(new ExpectedResults(), Duration.ofSeconds(5),
                org.sockcheck.harness.validate.SpecJudge.forTraces(java.util.List.of(parsed), Duration.ofSeconds(10)))
                .run(parsed, Path.of("."), linux);
        if (check.verdict() != Verdict.PASS) {
            throw new IllegalStateException(trace + " does not pass on linux: " + check.message());
        }
        runner = new Runner(new ExpectedResults(), Duration.ofSeconds(5),
                observed -> new Judge.Decision.Accepted(java.util.List.of()));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        linux.close();
    }

    @Benchmark
    public TraceResult replay() {
        TraceResult r = runner.run(parsed, Path.of("."), linux);
        // Every call gave the result written (a difference shows as a step that is not ok).
        if (r.verdict() != Verdict.PASS || r.steps().stream().anyMatch(s -> !s.ok())) {
            throw new IllegalStateException(trace + " did not run as written on linux: " + r.message() + " " + r.steps());
        }
        return r;
    }
}
