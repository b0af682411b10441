package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.sockcheck.harness.gen.Generator;
import org.sockcheck.harness.gen.Shrinker;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.impl.RefImplementation;
import org.sockcheck.harness.impl.linux.LinuxImplementation;
import org.sockcheck.harness.run.ExpectedResults;
import org.sockcheck.harness.run.Expectations;
import org.sockcheck.harness.run.Runner;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.harness.run.Verdict;
import org.sockcheck.harness.trace.TraceFiles;

/**
 * Traces generated from the spec, on ref and linux (the covering set and the
 * regressions also on lwip and gvisor, when built): the committed covering
 * set (conformance/generated, made by {@code sockcheck generate --cover}),
 * the regressions found earlier (conformance/regressions/IMPL), and fresh
 * property-based walks from a seed. On ref every trace must pass; on Linux a
 * failure must be one conformance/expectations/linux.yaml explains.
 */
class GeneratedTracesTest {
    private static final List<Implementation> OPENED = new ArrayList<>();
    private static final Runner RUNNER = Corpus.runner(Duration.ofSeconds(5));
    /** The seed of the property-based walks: -Dsockcheck.seed=N, or "random" for a fresh one (printed). */
    private static final long SEED = seed();
    private static final int WALKS = 40;

    @AfterAll
    static void close() {
        OPENED.forEach(Implementation::close);
    }

    private static long seed() {
        String s = System.getProperty("sockcheck.seed", "20261121");
        return s.equals("random") ? new java.security.SecureRandom().nextInt(1 << 30) : Long.parseLong(s);
    }

    private static <T extends Implementation> T open(T impl) {
        OPENED.add(impl);
        return impl;
    }

    private static Expectations expectations(String impl) throws Exception {
        return Expectations.load(Path.of("expectations", impl + ".yaml"));
    }

    @TestFactory
    Stream<DynamicNode> coveringSetAndRegressions() throws Exception {
        List<Path> generated = TraceFiles.find(List.of(SpecTraces.GENERATED));
        assertTrue(generated.size() >= 10, "the covering set has " + generated.size() + " traces");
        List<DynamicNode> nodes = new ArrayList<>();
        List<String> names = new ArrayList<>(List.of("ref", "linux"));
        // The user-space stacks too, when built: their regressions are their hunted divergences, listed in NAME.yaml.
        Corpus.BUILT_DRIVERS.stream().filter(d -> Corpus.builtDriver(d) != null).forEach(names::add);
        for (String name : names) {
            Implementation impl = open(switch (name) {
                case "ref" -> new RefImplementation();
                case "linux" -> new LinuxImplementation();
                default -> new org.sockcheck.harness.impl.driver.DriverImplementation(name,
                        List.of(Corpus.builtDriver(name).toString()));
            });
            Expectations known = expectations(name);
            List<Path> files = new ArrayList<>(generated);
            Path regressions = SpecTraces.REGRESSIONS.resolve(name);
            if (Files.isDirectory(regressions)) {
                files.addAll(TraceFiles.find(List.of(regressions)));
            }
            nodes.add(dynamicContainer(name, files.stream().map(f -> dynamicTest(Corpus.testName(name, f), () -> {
                TraceResult r = RUNNER.run(TraceFiles.read(f), Path.of("."), impl);
                Verdict v = known.judge(r);
                // SKIP: the trace asks what one kernel playing every host cannot show (the message says what).
                assertTrue(v == Verdict.PASS || v == Verdict.XFAIL || v == Verdict.SKIP, v + ": " + r.message());
            }))));
        }
        return nodes.stream();
    }

    @Test
    void propertyWalksPassOnRefAndOnLinuxButForListedDivergences() throws Exception {
        System.out.println("GeneratedTracesTest: seed " + SEED + " (repeat with -Dsockcheck.seed=" + SEED
                + ", or a fresh one with -Dsockcheck.seed=random)");
        Implementation ref = open(new RefImplementation());
        Implementation linux = open(new LinuxImplementation());
        Generator gen = SpecTraces.generator(linux.limits());
        Expectations known = expectations("linux");
        int ran = 0;
        int explained = 0;
        int skipped = 0;
        List<String> problems = new ArrayList<>();
        for (Generator.Generated g : gen.explore("property", SEED, WALKS, 12)) {
            ran++;
            TraceResult onRef = SpecTraces.run(g, ref);
            if (onRef.verdict() != Verdict.PASS) {
                problems.add("ref: " + shrunk(gen, g, ref, onRef));
                continue;
            }
            TraceResult onLinux = SpecTraces.run(g, linux);
            if (onLinux.verdict() == Verdict.PASS) {
                continue;
            }
            if (onLinux.verdict() == Verdict.SKIP) {
                skipped++;
                continue;
            }
            Optional<Expectations.Entry> why = known.explaining(onLinux);
            if (why.isPresent()) {
                explained++;
            } else {
                problems.add("linux: " + shrunk(gen, g, linux, onLinux));
            }
        }
        System.out.println("GeneratedTracesTest: " + ran + " walks from seed " + SEED + " on ref and linux: "
                + (ran - explained - skipped - problems.size()) + " passed, " + explained + " listed divergences, "
                + skipped + " skipped on linux, "
                + problems.size() + " unexplained");
        if (!problems.isEmpty()) {
            fail(problems.size() + " generated traces failed (seed " + SEED + "):\n" + String.join("\n\n", problems));
        }
        assertEquals(WALKS, ran);
    }

    /** Shrinks a failing trace, keeps it under target/regression-candidates/IMPL/, and says what it is. */
    private static String shrunk(Generator gen, Generator.Generated g, Implementation impl, TraceResult first) throws Exception {
        Shrinker.Result s = Shrinker.shrinkFailure(gen, g, first, x -> SpecTraces.run(x, impl), 300);
        Path dir = Path.of("target", "regression-candidates", impl.name());
        Files.createDirectories(dir);
        Path file = dir.resolve(g.name());
        Files.writeString(file, s.trace().text().replaceFirst("\n", " (seed " + SEED + ")\n"));
        TraceResult r = SpecTraces.run(s.trace(), impl);
        return first.message() + "\nshrunk to " + SpecTraces.events(s.trace()) + " events (" + file + "):\n"
                + s.trace().text() + r.message();
    }
}
