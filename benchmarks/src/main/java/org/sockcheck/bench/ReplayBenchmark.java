package org.sockcheck.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.sockcheck.harness.impl.RefImplementation;
import org.sockcheck.harness.run.ExpectedResults;
import org.sockcheck.harness.run.Runner;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.harness.run.Verdict;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.harness.trace.TraceText;

/**
 * Trace replay on the reference stack through the runner, as
 * {@code sockcheck check --impl ref} does it: every event resolved, run and
 * judged. One invocation replays a trace of exactly {@link #EVENTS} events
 * (a connection set up, then sends and receives). Target: at least 100,000
 * events per second (docs/performance.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ReplayBenchmark {
    static final int EVENTS = 1000;

    private Trace trace;
    private Runner runner;
    private RefImplementation ref;

    @Setup
    public void trace() throws Exception {
        StringBuilder t = new StringBuilder("# replay benchmark\nversion 1\n");
        t.append("A.p1: socket(INET, STREAM) = 3\nA.p1: bind(3, A:80) = 0\nA.p1: listen(3, 8) = 0\n");
        t.append("B.p1: socket(INET, STREAM) = 3\nB.p1: connect(3, A:80) = 0\nA.p1: accept(3) = 4 peer B:$e\n");
        for (int i = 0; i < (EVENTS - 6) / 2; i++) {
            t.append("B.p1: send(3, \"ping\") = 4\nA.p1: recv(4, 100) = \"ping\"\n");
        }
        trace = TraceText.parse("replay.trace", t.toString());
        if (trace.events().size() != EVENTS) {
            throw new IllegalStateException("the trace has " + trace.events().size() + " events");
        }
        runner = new Runner(new ExpectedResults(), Duration.ofSeconds(1),
                org.sockcheck.harness.validate.SpecJudge.forTraces(java.util.List.of(trace), Duration.ofSeconds(10)));
        ref = new RefImplementation();
        TraceResult check = replay();
        if (check.verdict() != Verdict.PASS) {
            throw new IllegalStateException("the benchmark trace does not pass on ref: " + check.message());
        }
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public TraceResult replay() {
        return runner.run(trace, Path.of("."), ref);
    }
}
