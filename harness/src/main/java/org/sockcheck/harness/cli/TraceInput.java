package org.sockcheck.harness.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.sockcheck.harness.run.TraceCheck;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.harness.trace.TraceFiles;
import org.sockcheck.harness.trace.TraceSyntaxException;

/**
 * The traces a command is given: every file under the paths, read and
 * checked. Any problem (a missing path, a file that cannot be read, a syntax
 * error with its file:line) is printed and the command does nothing: bad
 * input, exit 2.
 */
final class TraceInput {
    private TraceInput() {
    }

    /** The traces, or empty after the problems were printed to err. */
    static Optional<List<Trace>> read(String command, List<Path> roots, PrintWriter err, String nothingDone,
                                      TraceCheck.Limits limits) {
        List<Path> files;
        try {
            files = TraceFiles.find(roots);
        } catch (IOException e) {
            err.println(command + ": " + e.getMessage());
            err.println("  hint: give trace files (*.trace, *.jsonl) or folders of them");
            return Optional.empty();
        }
        if (files.isEmpty()) {
            err.println(command + ": no traces (*.trace, *.jsonl) under " + roots);
            return Optional.empty();
        }
        List<Trace> loaded = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        // Read on the cores at hand (a run the verdict cache answers spends most of its time here), in their order.
        for (Object read : files.parallelStream().map(f -> readOne(f, limits)).toList()) {
            if (read instanceof Trace t) {
                loaded.add(t);
            } else {
                problems.add((String) read);
            }
        }
        if (!problems.isEmpty()) {
            problems.forEach(err::println);
            err.println(problems.size() + " trace(s) could not be read; " + nothingDone + ".");
            return Optional.empty();
        }
        return Optional.of(loaded);
    }

    /** The trace in this file, or what is wrong with it. */
    private static Object readOne(Path f, TraceCheck.Limits limits) {
        try {
            Trace t = TraceFiles.read(f, limits.bytes());
            TraceCheck.check(t, limits);
            return t;
        } catch (TraceSyntaxException e) {
            return e.getMessage();
        } catch (IOException e) {
            return f + ": cannot read: " + TraceFiles.why(e);
        }
    }
}
