package org.sockcheck.conformance;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.impl.RefImplementation;
import org.sockcheck.harness.impl.driver.DriverImplementation;
import org.sockcheck.harness.impl.linux.LinuxImplementation;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.harness.trace.TraceFiles;
import org.sockcheck.harness.trace.TraceSyntaxException;

/** The scenario corpus and the implementations the build checks it on. */
public final class Corpus {
    static final Path SCENARIOS = Path.of("scenarios");
    static final Path PYTHON_DRIVER = Path.of("..", "drivers", "python", "sockcheck_driver.py");

    private Corpus() {
    }

    /**
     * A run's name as test reports and IDEs show it, as check's TAP output
     * names it: the implementation, then the trace without its .trace
     * ({@code linux > bind/address-in-use}).
     */
    static String testName(String implementation, Path trace) {
        String t = trace.toString().replace('\\', '/');
        return implementation + " > " + (t.endsWith(".trace") ? t.substring(0, t.length() - ".trace".length()) : t);
    }

    static List<Path> files() throws IOException {
        return TraceFiles.find(List.of(SCENARIOS));
    }

    static List<Trace> traces() throws IOException, TraceSyntaxException {
        List<Trace> out = new ArrayList<>();
        for (Path p : files()) {
            out.add(TraceFiles.read(p));
        }
        return out;
    }

    private static org.sockcheck.harness.validate.SpecJudge judge;

    /**
     * The judge of every run of these tests, as check judges: the spec, with
     * a model sized for the scenario corpus (grown by the judge when a
     * generated or test trace needs more).
     */
    static synchronized org.sockcheck.harness.validate.SpecJudge judge() {
        if (judge == null) {
            try {
                judge = org.sockcheck.harness.validate.SpecJudge.forTraces(traces(), java.time.Duration.ofSeconds(10));
            } catch (IOException | TraceSyntaxException e) {
                throw new IllegalStateException("the scenario corpus cannot be read: " + e.getMessage(), e);
            }
        }
        return judge;
    }

    /** A runner that judges by the spec, with this call timeout. */
    public static org.sockcheck.harness.run.Runner runner(java.time.Duration callTimeout) {
        return new org.sockcheck.harness.run.Runner(new org.sockcheck.harness.run.ExpectedResults(), callTimeout, judge());
    }

    record Impl(String name, Supplier<Implementation> factory) {
    }

    static List<Impl> implementations() {
        List<Impl> out = new ArrayList<>(List.of(
                new Impl("ref", RefImplementation::new),
                new Impl("linux", LinuxImplementation::new),
                new Impl("python-driver", () -> new DriverImplementation("python", List.of("python3", PYTHON_DRIVER.toString()))),
                new Impl("jdk", org.sockcheck.harness.impl.jdk.JdkImplementation::new)));
        for (String stack : BUILT_DRIVERS) {
            Path binary = builtDriver(stack);
            if (binary != null) {
                out.add(new Impl(stack, () -> new DriverImplementation(stack, List.of(binary.toString()))));
            }
        }
        return out;
    }

    /** The drivers scripts/build-drivers builds (mvn verify runs it before the tests). */
    static final List<String> BUILT_DRIVERS = List.of("lwip", "gvisor");

    /**
     * A driver scripts/build-drivers built, or null when it is not there
     * (its Debian packages missing and not installable here; the build said
     * so). With SOCKCHECK_REQUIRE_DRIVERS=1, as on CI, a missing driver is a
     * failure instead.
     */
    static Path builtDriver(String stack) {
        Path binary = Path.of("..", "drivers", stack, "build", "sockcheck-" + stack).toAbsolutePath().normalize();
        if (java.nio.file.Files.isExecutable(binary)) {
            return binary;
        }
        if ("1".equals(System.getenv("SOCKCHECK_REQUIRE_DRIVERS"))) {
            throw new IllegalStateException("the " + stack + " driver is not built (" + binary + "), and"
                    + " SOCKCHECK_REQUIRE_DRIVERS=1: see scripts/build-drivers's output in the build log");
        }
        return null;
    }

    static Path testDriver(String name) {
        return Path.of("src", "test", "resources", "drivers", name);
    }
}
