package org.sockcheck.harness.cli;

import java.util.ArrayList;
import java.util.List;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.impl.RefImplementation;
import org.sockcheck.harness.impl.driver.DriverImplementation;
import org.sockcheck.harness.impl.linux.LinuxImplementation;

/**
 * Reads the --impl list: names separated by commas, where {@code driver:}
 * takes the rest of its element as a command line. Because the shell splits
 * {@code driver:python3 drivers/python/sockcheck_driver.py} into two words,
 * the words after the list that are not options belong to the last driver.
 */
final class ImplSpecs {
    private ImplSpecs() {
    }

    static List<String> split(List<String> words) throws UsageError {
        List<String> specs = new ArrayList<>();
        if (words.isEmpty()) {
            throw new UsageError("--impl needs at least one implementation", KNOWN);
        }
        for (String part : words.get(0).split(",")) {
            if (!part.isBlank()) {
                specs.add(part.strip());
            }
        }
        if (words.size() > 1) {
            if (specs.isEmpty() || !specs.get(specs.size() - 1).startsWith("driver:")) {
                throw new UsageError("unexpected words after --impl: " + String.join(" ", words.subList(1, words.size())),
                        "only a driver: command takes more words, and it must come last in the list");
            }
            String last = specs.remove(specs.size() - 1);
            specs.add(last + " " + String.join(" ", words.subList(1, words.size())));
        }
        if (specs.isEmpty()) {
            throw new UsageError("--impl names no implementation: '" + String.join(" ", words) + "'",
                    KNOWN + ", separated by commas");
        }
        return specs;
    }

    /** The one implementation the words name (hunt --impl, generate --for). */
    static Implementation createOne(List<String> words) throws UsageError {
        List<String> specs = split(words);
        if (specs.size() != 1) {
            throw new UsageError("one implementation at a time, not " + specs, "name one of " + KNOWN);
        }
        return create(specs.get(0));
    }

    static Implementation create(String spec) throws UsageError {
        if (spec.equals("ref")) {
            return new RefImplementation();
        }
        if (spec.equals("linux")) {
            if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
                throw new UsageError("the linux implementation needs Linux", "use ref or driver:COMMAND here");
            }
            return new LinuxImplementation();
        }
        java.util.regex.Matcher named = NAMED.matcher(spec);
        if (named.matches()) {
            // NAME=driver:COMMAND (check --name): the driver under a short name of its own.
            return new DriverImplementation(named.group(1), driverCommand(named.group(2)));
        }
        if (spec.startsWith("driver:")) {
            return new DriverImplementation(driverCommand(spec));
        }
        if (spec.equals("jdk")) {
            return new org.sockcheck.harness.impl.jdk.JdkImplementation();
        }
        if (DRIVERS.containsKey(spec)) {
            return named(spec);
        }
        throw new UsageError("unknown implementation '" + spec + "'", "known: " + KNOWN);
    }

    /** The command of driver:COMMAND. */
    private static List<String> driverCommand(String spec) throws UsageError {
        List<String> cmd = List.of(spec.substring("driver:".length()).trim().split("\\s+"));
        if (cmd.isEmpty() || cmd.get(0).isEmpty()) {
            throw new UsageError("driver: needs a command", "--impl driver:python3 drivers/python/sockcheck_driver.py");
        }
        return cmd;
    }

    /** A driver with a name: NAME=driver:COMMAND. */
    private static final java.util.regex.Pattern NAMED = java.util.regex.Pattern.compile("([A-Za-z0-9._-]{1,40})=(driver:.*)",
            java.util.regex.Pattern.DOTALL);

    /**
     * The specs with --name's names given to the driver: entries, in their
     * order: NAME=driver:COMMAND.
     */
    static List<String> named(List<String> specs, List<String> names) throws UsageError {
        List<String> given = new ArrayList<>();
        for (String n : names == null ? List.<String>of() : names) {
            for (String one : n.split(",")) {
                if (!one.isBlank()) {
                    given.add(one.strip());
                }
            }
        }
        long drivers = specs.stream().filter(x -> x.startsWith("driver:")).count();
        if (given.size() != (given.isEmpty() ? 0 : drivers)) {
            throw new UsageError("--name gives " + given.size() + " name(s) for " + drivers + " driver:COMMAND"
                    + " implementation(s)", "one name per driver:COMMAND of --impl, in their order, separated by commas");
        }
        List<String> out = new ArrayList<>();
        int k = 0;
        for (String x : specs) {
            if (x.startsWith("driver:") && !given.isEmpty()) {
                String name = given.get(k++);
                if (!name.matches("[A-Za-z0-9._-]{1,40}")) {
                    throw new UsageError("--name '" + name + "' is not a short name", "letters, digits, '.', '_' and '-',"
                            + " at most 40: it names the report's rows and the expectations file NAME.yaml");
                }
                out.add(name + "=" + x);
            } else {
                out.add(x);
            }
        }
        return out;
    }

    /** Every name --impl knows. */
    static final String KNOWN = "ref, linux, jdk, python, lwip, gvisor or driver:COMMAND";

    /**
     * The drivers shipped with sockcheck, by the short name reports and
     * expectations (NAME.yaml) use: the command under sockcheck's home, and
     * what builds it when it is not there.
     */
    private static final java.util.Map<String, List<String>> DRIVERS = java.util.Map.of(
            "python", List.of("python3", "drivers/python/sockcheck_driver.py"),
            "lwip", List.of("drivers/lwip/build/sockcheck-lwip"),
            "gvisor", List.of("drivers/gvisor/build/sockcheck-gvisor"));

    private static Implementation named(String name) throws UsageError {
        String home = System.getenv("SOCKCHECK_HOME");
        java.nio.file.Path root = home == null || home.isEmpty() ? java.nio.file.Path.of("") : java.nio.file.Path.of(home);
        List<String> cmd = new ArrayList<>(DRIVERS.get(name));
        int file = cmd.size() - 1;
        java.nio.file.Path program = root.resolve(cmd.get(file)).toAbsolutePath().normalize();
        if (!java.nio.file.Files.isRegularFile(program)) {
            throw new UsageError("the " + name + " driver is not built: " + program + " is missing",
                    "build it with scripts/build-drivers (mvn -B verify does), which also says what it needs installed");
        }
        cmd.set(file, program.toString());
        return new DriverImplementation(name, cmd);
    }

    /** Bad usage: exit code 2 with a hint. */
    static final class UsageError extends Exception {
        final String hint;

        UsageError(String message, String hint) {
            super(message);
            this.hint = hint;
        }
    }
}
