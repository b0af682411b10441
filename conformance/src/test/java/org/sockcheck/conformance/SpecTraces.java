package org.sockcheck.conformance;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.sockcheck.harness.gen.Generator;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.run.ExpectedResults;
import org.sockcheck.harness.run.Runner;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.spec.tlc.SpecBridge;

/** Generated traces for the tests: the generator over the spec, and a runner for its traces. */
final class SpecTraces {
    static final Path GENERATED = Path.of("generated");
    static final Path REGRESSIONS = Path.of("regressions");
    private static final Runner RUNNER = Corpus.runner(Duration.ofSeconds(5));

    private SpecTraces() {
    }

    /** Trace lines of a TCP connection from B.p1 to a listener on A:80, accepted as A.p1's descriptor 4. */
    static final String CONNECTION = """
            A.p1: socket(INET, STREAM) = 3
            A.p1: bind(3, A:80) = 0
            A.p1: listen(3, 8) = 0
            B.p1: socket(INET, STREAM) = 3
            B.p1: connect(3, A:80) = 0
            A.p1: accept(3) = 4 peer B:$e1
            """;

    static Generator generator() throws IOException {
        return new Generator(SpecBridge.load(SpecBridge.Constants.GENERATED));
    }

    /** A generator whose walks an implementation with these limits can run. */
    static Generator generator(java.util.Set<org.sockcheck.harness.impl.Implementation.Limit> limits) throws IOException {
        return new Generator(SpecBridge.load(SpecBridge.Constants.GENERATED), limits);
    }

    static TraceResult run(Generator.Generated g, Implementation impl) {
        return RUNNER.run(g.trace(), Path.of("."), impl);
    }

    /** The spec's verdict on a trace written here, judged with a model made for it. */
    static org.sockcheck.harness.validate.Validator.Result judge(String profile, String... lines) throws Exception {
        return judge(1, profile, lines);
    }

    /** The spec's verdict on a trace of this format version written here. */
    static org.sockcheck.harness.validate.Validator.Result judge(int version, String profile, String... lines) throws Exception {
        org.sockcheck.harness.trace.Trace t = org.sockcheck.harness.trace.TraceText.parse("written.trace",
                "version " + version + "\nprofile " + profile + "\n\n" + String.join("\n", lines) + "\n");
        return new org.sockcheck.harness.validate.Validator(SpecBridge.load(
                org.sockcheck.harness.validate.Models.forTraces(java.util.List.of(t)))).validate(t);
    }

    /** Trace lines: these first, then more (a test's common start and its own ending). */
    static String[] with(String[] head, String... tail) {
        String[] out = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, out, head.length, tail.length);
        return out;
    }

    /** The number of events (calls and observations) of a generated trace. */
    static long events(Generator.Generated g) {
        return g.trace().events().size();
    }
}
