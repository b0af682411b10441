package org.sockcheck.harness.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.harness.validate.Models;
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

    @Parameters(paramLabel = "TRACE", arity = "1..*", description = "Trace files or folders.")
    List<Path> paths;

    @picocli.CommandLine.Option(names = "--timers", description = "Let the spec's timers (TIME-WAIT, FIN-WAIT-2,"
            + " handshake) fire between events; by default a trace is taken to last less than the shortest of them.")
    boolean timers;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        java.util.Optional<List<Trace>> read = TraceInput.read("sockcheck validate", paths, err, "nothing was validated");
        if (read.isEmpty()) {
            return Main.BAD_INPUT;
        }
        List<Trace> traces = read.get();
        List<Trace> fit = new ArrayList<>();
        int skipped = 0;
        for (Trace t : traces) {
            java.util.Optional<String> why = Models.unfit(t);
            if (why.isPresent()) {
                out.println("SKIP   " + t.source() + ": " + why.get());
                skipped++;
            } else {
                fit.add(t);
            }
        }
        traces = fit;
        if (traces.isEmpty()) {
            err.println("sockcheck validate: no trace fits the spec's model");
            return Main.BAD_INPUT;
        }
        SpecBridge.Constants constants;
        try {
            constants = Models.forTraces(traces);
        } catch (IllegalArgumentException e) {
            err.println("sockcheck validate: " + e.getMessage());
            return Main.BAD_INPUT;
        }
        out.println("sockcheck validate: " + traces.size() + " trace(s) against the spec with hosts " + constants.hosts()
                + ", processes " + constants.procs() + ", ports " + constants.ports() + ", data " + constants.data());
        out.flush();
        long loading = System.nanoTime();
        Validator validator = new Validator(SpecBridge.load(constants));
        long start = System.nanoTime();
        if (timers) {
            validator.withTimers();
        }
        int rejected = 0;
        long events = 0;
        for (Trace t : traces) {
            long one = System.nanoTime();
            Validator.Result r = validator.validate(t);
            events += t.events().size();
            out.printf("%s %s (%.0f ms)%n", r.accepted() ? "ACCEPT" : "REJECT", r.describe(t.source()),
                    (System.nanoTime() - one) / 1e6);
            out.flush();
            if (!r.accepted()) {
                rejected++;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf("%d accepted, %d rejected, %d skipped; %d events in %.2f s (%.0f events/s; loading the spec took %.1f s more)%n",
                traces.size() - rejected, rejected, skipped, events, seconds, events / seconds, (start - loading) / 1e9);
        return rejected == 0 ? Main.OK : Main.NONCONFORMANCE;
    }
}
