package org.sockcheck.harness.cli;

import org.sockcheck.harness.run.TraceCheck;
import picocli.CommandLine.Option;

/** How large a trace sockcheck reads: the options every command that reads traces shares. */
final class LimitOptions {
    @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
    picocli.CommandLine.Model.CommandSpec command;

    @Option(names = "--max-events", paramLabel = "N", defaultValue = "" + TraceCheck.Limits.EVENTS,
            description = "Refuse a trace with more events than this (bad input, exit 2). Default: ${DEFAULT-VALUE}.")
    int maxEvents;

    @Option(names = "--max-processes", paramLabel = "N", defaultValue = "" + TraceCheck.Limits.PROCESSES,
            description = "Refuse a trace with more processes than this: each is a part of the spec's model, whose"
                    + " search grows with it (bad input, exit 2). Default: ${DEFAULT-VALUE}.")
    int maxProcesses;

    @Option(names = "--max-trace-mib", paramLabel = "MIB", defaultValue = "" + TraceCheck.Limits.MIB,
            description = "Refuse a trace file larger than this many MiB before reading it. Default: ${DEFAULT-VALUE}.")
    int maxMib;

    /** The limits; a limit that is not positive is a usage error (exit 2) that names the option. */
    TraceCheck.Limits limits() {
        for (var o : new Object[][] {{"--max-events", maxEvents}, {"--max-processes", maxProcesses},
                {"--max-trace-mib", maxMib}}) {
            if ((int) o[1] <= 0) {
                throw new picocli.CommandLine.ParameterException(command.commandLine(), o[0] + " must be positive");
            }
        }
        return new TraceCheck.Limits(maxEvents, maxProcesses, (long) maxMib << 20);
    }
}
