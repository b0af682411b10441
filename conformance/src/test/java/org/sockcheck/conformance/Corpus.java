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
final class Corpus {
    static final Path SCENARIOS = Path.of("scenarios");
    static final Path PYTHON_DRIVER = Path.of("..", "drivers", "python", "sockcheck_driver.py");

    private Corpus() {
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

    record Impl(String name, Supplier<Implementation> factory) {
    }

    static List<Impl> implementations() {
        return List.of(
                new Impl("ref", RefImplementation::new),
                new Impl("linux", LinuxImplementation::new),
                new Impl("python-driver", () -> new DriverImplementation(List.of("python3", PYTHON_DRIVER.toString()))),
                new Impl("jdk", org.sockcheck.harness.impl.jdk.JdkImplementation::new));
    }

    static Path testDriver(String name) {
        return Path.of("src", "test", "resources", "drivers", name);
    }
}
