package org.sockcheck.harness.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The sockcheck command. */
@Command(name = "sockcheck", mixinStandardHelpOptions = true, version = "sockcheck 0.1.0",
        description = "A formal model and conformance test suite for network sockets.",
        subcommands = {CheckCommand.class, ModelCheckCommand.class, GenerateCommand.class, ValidateCommand.class, HuntCommand.class, DriverCheckCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:everything conforms", "1:a nonconformance (FAIL or XPASS)", "2:bad usage or bad input",
                "3:an implementation or harness error", "4:nothing was judged (every run SKIP)"})
public final class Main {
    public static final int OK = 0;
    public static final int NONCONFORMANCE = 1;
    public static final int BAD_INPUT = 2;
    public static final int ERROR = 3;
    /** Runs were made but the spec judged none of them (every one SKIP): no verdict to give. */
    public static final int NOTHING_JUDGED = 4;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return run(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
    }

    /**
     * A path given on the command line. A name that is not UTF-8 text comes
     * to the JVM with its bytes replaced, so no file has it: say so, rather
     * than "no such file".
     */
    static java.nio.file.Path path(String text) {
        boolean utf8 = "UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding", "UTF-8"));
        if (text.indexOf('\uFFFD') >= 0 && !utf8) {
            throw new CommandLine.TypeConversionException("'" + text + "': in this locale names must be ASCII; run"
                    + " with LC_ALL=C.UTF-8 (./sockcheck does)");
        }
        if (text.indexOf('\uFFFD') >= 0) {
            throw new CommandLine.TypeConversionException("'" + text + "': the name is not UTF-8 text, which sockcheck"
                    + " cannot be given as an argument; give the folder that holds it (its files are found whatever"
                    + " their names), or rename it");
        }
        try {
            return java.nio.file.Path.of(text);
        } catch (java.nio.file.InvalidPathException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a path this system can name"
                    + " (in a locale that is not UTF-8, names must be ASCII; run with LC_ALL=C.UTF-8)");
        }
    }

    /** Runs the command with its output going to the given writers (for tests and embedding). */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        // An argument that starts with @ is an argument, not a file of arguments to read.
        cl.setExpandAtFiles(false);
        cl.registerConverter(java.nio.file.Path.class, Main::path);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("sockcheck: internal error: " + ex);
            if (System.getenv("SOCKCHECK_DEBUG") != null) {
                ex.printStackTrace(cmd.getErr());
            } else {
                cmd.getErr().println("  hint: set SOCKCHECK_DEBUG=1 for the stack trace, and report it");
            }
            return ERROR;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("sockcheck: " + ex.getMessage());
            c.getErr().println("  hint: sockcheck " + (c.getCommandName().equals("sockcheck") ? "" : c.getCommandName() + " ")
                    + "--help");
            return BAD_INPUT;
        });
        if (args.length == 0) {
            cl.usage(cl.getOut());
            return BAD_INPUT;
        }
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError | StackOverflowError e) {
            // The limits on traces (--max-events, --max-processes, --max-trace-mib) should keep this from happening.
            cl.getErr().println("sockcheck: " + (e instanceof OutOfMemoryError ? "out of memory" : "a search went too deep")
                    + " while working on the input");
            cl.getErr().println("  hint: give smaller limits (--max-events, --max-processes), or the JVM more memory"
                    + " (JAVA_TOOL_OPTIONS=-Xmx8g)");
            return ERROR;
        }
    }
}
