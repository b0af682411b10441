package org.sockcheck.harness.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.sockcheck.harness.gen.Coverage;
import org.sockcheck.harness.gen.Generator;
import org.sockcheck.spec.tlc.SpecBridge;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sockcheck generate}: traces from random walks of the spec, reproducible from a seed. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate traces from random walks of the TLA+ specification.")
public final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--count", paramLabel = "N", defaultValue = "20",
            description = "How many traces (with --cover: how many walks to explore, in 25s). Default: ${DEFAULT-VALUE}.")
    int count;

    @Option(names = "--seed", paramLabel = "S", description = "The seed; default: a fresh one, printed.")
    Long seed;

    @Option(names = "--length", paramLabel = "L", defaultValue = "12", description = "Calls per trace at most. Default: ${DEFAULT-VALUE}.")
    int length;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Where the .trace files go.")
    Path out;

    @Option(names = "--for", paramLabel = "IMPL", arity = "1..*", description = "Leave out the calls this implementation cannot make"
            + " (ref, linux, jdk, python, lwip, gvisor or driver:COMMAND, as check --impl names it), e.g. a bind to another host's address on linux, where one kernel plays"
            + " every host. Default: every call of the spec.")
    List<String> forImpl;

    @Option(names = "--domains", paramLabel = "D", split = ",", defaultValue = "INET",
            description = "The socket domains walks open, joined by commas: INET, and INET6 (IPv6 and dual stack; on"
                    + " host A alone for a driver of one kernel) and UNIX (Unix domain sockets, the names \"srv\" and \"@srv\"). Default: ${DEFAULT-VALUE}.")
    List<org.sockcheck.spec.Domain> domains;

    @Option(names = "--threads", description = "Walks may make a call on a second thread of a process that waits while"
            + " the other threads go on (trace format 2: 'blocks', and later 'returns'); not for an implementation that"
            + " makes one call at a time.")
    boolean threads;

    @Option(names = "--cover", description = "Keep only walks that take a spec action or TCP transition no earlier one took,"
            + " until nothing new turns up; write coverage.txt.")
    boolean cover;

    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (count < 1 || length < 1) {
            err.println("sockcheck generate: --count and --length must be at least 1");
            return Main.BAD_INPUT;
        }
        Set<org.sockcheck.harness.impl.Implementation.Limit> limits = Set.of();
        if (forImpl != null) {
            try (org.sockcheck.harness.impl.Implementation im = ImplSpecs.createOne(forImpl)) {
                limits = im.limits();
            } catch (ImplSpecs.UsageError e) {
                err.println("sockcheck generate: " + e.getMessage());
                err.println("  hint: " + e.hint);
                return Main.BAD_INPUT;
            }
        }
        long s = seed != null ? seed : new java.security.SecureRandom().nextLong() & 0xffffffffL;
        o.println("sockcheck generate: seed " + s + (seed == null ? " (fresh; give --seed " + s + " to repeat)" : ""));
        o.flush();
        SpecBridge bridge = SpecBridge.load(SpecBridge.Constants.generated(domains.stream().map(Enum::name).toList(), threads,
                limits.contains(org.sockcheck.harness.impl.Implementation.Limit.ONE_HOST_IPV6)));
        Generator gen = new Generator(bridge, limits);
        Files.createDirectories(out);
        try (Stream<Path> old = Files.list(out)) {
            for (Path p : old.filter(p -> p.getFileName().toString().matches("(gen|cover)-.*\\.trace")).toList()) {
                Files.delete(p);
            }
        }
        List<Generator.Generated> kept = new ArrayList<>();
        long lastReport = System.nanoTime();
        if (!cover) {
            for (int i = 0; i < count; i++) {
                kept.add(gen.walk(String.format("gen-%d-%03d.trace", s, i), s + i, length));
                lastReport = progress(o, lastReport, (i + 1) + "/" + count + " traces");
            }
        } else {
            // Coverage-guided exploration; a walk is kept when it takes a spec action or a TCP
            // transition that no kept walk took.
            Set<String> seen = new HashSet<>();
            int walks = count * 25;
            int[] i = {0};
            long[] last = {lastReport};
            gen.freshByAction().explore("cover", s, walks, length, g -> {
                i[0]++;
                Set<String> items = new HashSet<>(g.actions());
                g.transitions().forEach(t -> items.add("tcp " + t));
                if (!seen.containsAll(items)) {
                    seen.addAll(items);
                    kept.add(new Generator.Generated(String.format("cover-%03d.trace", kept.size()), g.text(), g.calls(),
                            g.actions(), g.transitions()));
                }
                last[0] = progress(o, last[0], i[0] + "/" + walks + " walks, " + kept.size() + " kept");
            });
        }
        for (Generator.Generated g : kept) {
            Files.writeString(out.resolve(g.name()), g.text());
        }
        Coverage c = Coverage.of(kept);
        if (cover) {
            Files.writeString(out.resolve("coverage.txt"), "# sockcheck generate --cover --seed " + s + " --count " + count + " --length " + length
                    + (threads ? " --threads" : "") + (forImpl != null ? " --for " + String.join(" ", forImpl) : "") + "\n"
                    + c.report());
        }
        o.println("wrote " + kept.size() + " traces to " + out + "; " + c.summary());
        if (cover) {
            o.println("not taken: " + c.missingActions() + " " + c.missingTransitions());
        }
        return Main.OK;
    }

    private static long progress(PrintWriter o, long last, String what) {
        long now = System.nanoTime();
        if (now - last > 2_000_000_000L) {
            o.println("  " + what);
            o.flush();
            return now;
        }
        return last;
    }
}
