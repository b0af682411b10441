package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.gen.Generator;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.impl.RefImplementation;
import org.sockcheck.harness.impl.linux.LinuxImplementation;
import org.sockcheck.harness.run.Runner;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.harness.run.Verdict;
import org.sockcheck.harness.validate.Validator;
import org.sockcheck.spec.tlc.SpecBridge;

/**
 * Walks with threads (generate --threads): a second thread of a process
 * makes calls that wait, written "blocks", and its "returns" line follows
 * the line of the call during which it returned. Each walk is a behaviour
 * of the spec and passes on ref and on Linux, where a waiting call is a
 * real blocked system call on a thread of its own.
 */
class GeneratedThreadsTest {
    private static final List<Implementation> OPENED = new ArrayList<>();
    private static final Runner RUNNER = Corpus.runner(Duration.ofSeconds(5));
    private static final int WALKS = 60;

    @AfterAll
    static void close() {
        OPENED.forEach(Implementation::close);
    }

    @Test
    void walksWithThreadsAreBehavioursOfTheSpecAndPassOnRefAndLinux() throws Exception {
        SpecBridge bridge = SpecBridge.load(SpecBridge.Constants.GENERATED_THREADS);
        Implementation ref = open(new RefImplementation());
        Implementation linux = open(new LinuxImplementation());
        // Walks for Linux: one kernel plays every host, and a process does not exit while a thread of it waits.
        Generator gen = new Generator(bridge, linux.limits());
        int blocking = 0;
        int returning = 0;
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < WALKS; i++) {
            // As sockcheck generate --threads --seed 5 --count 60 --length 14 --for linux makes them.
            Generator.Generated g = gen.walk(String.format("threads-%03d.trace", i), 5 + i, 14);
            blocking += g.text().contains(" blocks\n") ? 1 : 0;
            returning += g.text().contains(" returns ") ? 1 : 0;
            // Judged with a model made for the trace (its forks need the spec's unborn processes).
            Validator.Result v = new Validator(SpecBridge.load(org.sockcheck.harness.validate.Models.forTraces(List.of(g.trace()))))
                    .validate(g.trace());
            assertEquals(Validator.Kind.ACCEPTED, v.kind(), () -> v.describe(g.name()) + "\n" + g.text());
            for (Implementation impl : List.of(ref, linux)) {
                TraceResult r = RUNNER.run(g.trace(), java.nio.file.Path.of("."), impl);
                if (r.verdict() != Verdict.PASS) {
                    failures.add(impl.name() + " " + g.name() + ": " + r.verdict() + "\n" + r.message() + "\n" + g.text());
                }
            }
        }
        System.out.println("GeneratedThreadsTest: " + WALKS + " walks, " + blocking + " with a call that blocks, " + returning
                + " with its return");
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertTrue(blocking >= WALKS / 4, "walks with a blocking call: " + blocking + " of " + WALKS);
        assertTrue(returning >= 3, "walks where a waiting call returns: " + returning + " of " + WALKS);
        // (Measured: 22 of the 60 with a call that blocks, 5 with its return.)
    }

    @Test
    void anImplementationThatMakesOneCallAtATimeGetsNoThreads() throws Exception {
        // A driver of protocol 1 (its limits are known before it starts).
        Implementation driver = open(new org.sockcheck.harness.impl.driver.DriverImplementation(
                java.util.List.of("python3", Corpus.PYTHON_DRIVER.toString(), "--protocol", "1")));
        assertTrue(driver.limits().contains(Implementation.Limit.NO_THREADS));
        Generator gen = new Generator(SpecBridge.load(SpecBridge.Constants.GENERATED_THREADS), driver.limits());
        int walks = 30;
        for (int i = 0; i < walks; i++) {
            Generator.Generated g = gen.walk("driver-" + i + ".trace", 5 + i, 12);
            assertTrue(!g.text().contains(".t2:"), () -> "a thread in a walk for a driver of protocol 1:\n" + g.text());
        }
    }

    private static <T extends Implementation> T open(T impl) {
        OPENED.add(impl);
        return impl;
    }
}
