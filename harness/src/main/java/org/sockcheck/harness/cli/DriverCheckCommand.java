package org.sockcheck.harness.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.sockcheck.harness.impl.ImplementationException;
import org.sockcheck.harness.impl.Implementation.Limit;
import org.sockcheck.harness.impl.driver.DriverImplementation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * sockcheck driver-check COMMAND: for the author of a driver, one screen on
 * what the driver says of itself and how a handful of small scenarios go on
 * it, each problem with a hint. The scenarios are run as {@code check} runs
 * them, judged by the spec.
 */
@Command(name = "driver-check", mixinStandardHelpOptions = true,
        description = "Start a driver, say what it offers, run a handful of small scenarios on it and say what to fix.")
public final class DriverCheckCommand implements Callable<Integer> {
    /** Small scenarios, one per part of the API a driver is first asked for (conformance/scenarios/...). */
    static final List<String> SCENARIOS = List.of(
            "bind/bind-gives-local-address.trace",
            "connect/connect-to-closed-port-is-refused.trace",
            "connect/connected-socket-has-remote-address.trace",
            "data/a-read-takes-at-most-its-size.trace",
            "udp/connected-socket-gets-its-peers-datagrams.trace",
            "shutdown-close/close-with-peer-closing-first.trace");

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "COMMAND", arity = "1..*", description = "The driver's command and its arguments.")
    List<String> command;

    @Option(names = "--scenarios", paramLabel = "DIR",
            description = "Where the scenarios are. Default: conformance/scenarios of sockcheck's home.")
    Path scenarios;

    @Option(names = "--call-timeout", paramLabel = "MS", defaultValue = "5000",
            description = "How long one call may take (ms). Default: ${DEFAULT-VALUE}.")
    long callTimeoutMs;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String name = "driver:" + String.join(" ", command);
        Set<String> offered;
        Set<Limit> limits;
        String protocol;
        try (DriverImplementation d = new DriverImplementation(command)) {
            offered = d.hello();
            protocol = d.declare().summary();
            limits = d.limits();
        } catch (ImplementationException e) {
            err.println("sockcheck driver-check: " + name + " cannot start: " + e.getMessage());
            err.println("  hint: it must read requests on its standard input and answer the first, hello, on its standard"
                    + " output with {\"id\":1,\"ok\":{\"protocol\":2,\"ops\":[...],...}} (or protocol 1) (docs/driver-protocol.md)");
            return Main.ERROR;
        }
        out.println(name + " answers hello: " + protocol + ".");
        out.println("  offers: " + String.join(", ", offered));
        List<String> leftOut = new ArrayList<>();
        for (Limit l : limits) {
            switch (l) {
                case NO_DUP -> leftOut.add("dup");
                case NO_POLL -> leftOut.add("poll");
                case NO_NONBLOCK -> leftOut.add("non-blocking sockets (fcntl)");
                case NO_GETSOCKOPT -> leftOut.add("getsockopt");
                case NO_SETSOCKOPT -> leftOut.add("setsockopt");
                case NO_RECV_FLAGS -> leftOut.add("recv's flags (recv-flags)");
                case NO_RECV_TRUNC -> leftOut.add("MSG_TRUNC (recv-trunc)");
                case NO_RIGHTS -> leftOut.add("sendmsg and recvmsg (the protocol passes no descriptors)");
                case ONE_HOST_IPV6 -> leftOut.add("IPv6 with more than one host (one kernel's driver is in one namespace)");
                default -> { }
            }
        }
        if (limits.contains(Limit.NO_FORK)) {
            leftOut.add("fork");
        }
        if (limits.contains(Limit.NO_RAW)) {
            leftOut.add("raw sockets");
        }
        if (limits.contains(Limit.NO_THREADS)) {
            leftOut.add("threads");
        }
        if (limits.contains(Limit.NO_OPTIONS)) {
            leftOut.add("options other than SO_REUSEADDR");
        }
        out.println("  walks of the spec for it leave out: " + String.join(", ", leftOut));
        List<String> traces = new ArrayList<>();
        Path corpus = scenarios != null ? scenarios : CheckCommand.defaultCorpus();
        for (String s : SCENARIOS) {
            Path p = corpus.resolve(s);
            if (Files.isRegularFile(p)) {
                traces.add(p.toString());
            }
        }
        if (traces.isEmpty()) {
            err.println("sockcheck driver-check: the scenarios are not at " + corpus);
            err.println("  hint: run it from sockcheck's folder, or through ./sockcheck, which sets SOCKCHECK_HOME");
            return Main.BAD_INPUT;
        }
        out.println();
        out.println("Running " + traces.size() + " small scenarios on it:");
        out.flush();
        Path report = Files.createTempDirectory("sockcheck-driver-check");
        List<String> args = new ArrayList<>(List.of("check", "--impl", name, "--call-timeout", Long.toString(callTimeoutMs),
                "--no-html", "--report", report.toString(), "--traces"));
        args.addAll(traces);
        StringWriter checkOut = new StringWriter();
        int code;
        try {
            code = Main.run(new PrintWriter(checkOut), new PrintWriter(checkOut), args.toArray(String[]::new));
        } finally {
            org.sockcheck.harness.impl.FileTrees.removeQuietly(report);
        }
        // The verdict lines and the problems, without the table and the report's paths.
        for (String line : checkOut.toString().lines().toList()) {
            if (line.startsWith("[") || line.startsWith("FAIL on") || line.startsWith("ERROR on") || line.startsWith("SKIP on")
                    || line.startsWith("    ") || line.matches("\\d+ runs: .*")) {
                out.println(line);
            }
        }
        out.println();
        out.println(switch (code) {
            case Main.OK -> "All ran as the spec allows. Next: sockcheck check --impl '" + name + "' for the whole corpus.";
            case Main.NONCONFORMANCE -> "hint: a FAIL is a call whose answer no behaviour of the spec explains: the lines above"
                    + " name the call, what was expected and what the driver answered. Check the errno names, the"
                    + " address form (\"IP:PORT\"), and the rows of sockets; sockcheck check --driver-log DIR shows every"
                    + " request and reply.";
            case Main.ERROR -> "hint: an ERROR is a broken protocol: a reply without its id, a line that is not JSON, an"
                    + " exit during a call. The lines above quote the driver's stderr; --driver-log DIR on sockcheck check"
                    + " shows the exchange.";
            case Main.NOTHING_JUDGED -> "hint: every scenario was SKIP: the driver offers too little of what they need (the"
                    + " reasons above); offer socket, bind, listen, connect, accept, send, recv, close, getsockname and"
                    + " sockets first.";
            default -> "sockcheck check ended with exit code " + code + ":\n" + checkOut;
        });
        return code;
    }
}
