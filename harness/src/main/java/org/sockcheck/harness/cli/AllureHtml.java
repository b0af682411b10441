package org.sockcheck.harness.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.sockcheck.reports.AllureResults;
import org.sockcheck.reports.CaseResult;

/**
 * The single-file HTML report, made by Allure's own generator (Allure 2,
 * io.qameta.allure:allure-commandline, unpacked by the build under
 * harness/target/allure) from the allure-results sockcheck writes. Analytics
 * are off (ALLURE_NO_ANALYTICS=true).
 */
final class AllureHtml {
    private static final long TIMEOUT_SECONDS = 180;

    private AllureHtml() {
    }

    /** Where Allure was unpacked: SOCKCHECK_HOME/harness/target/allure/allure-VERSION. */
    static Optional<Path> home() {
        String home = System.getenv("SOCKCHECK_HOME");
        Path root = (home == null || home.isEmpty() ? Path.of("") : Path.of(home)).resolve("harness/target/allure");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> p.getFileName().toString().startsWith("allure-") && Files.isDirectory(p.resolve("lib")))
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Writes DIR/html/index.html from DIR/allure-results; the reason when it could not. */
    static Optional<String> write(Path reportDir) {
        try (Pending allure = start(reportDir, false)) {
            return allure.finish();
        }
    }

    /** The folder a warm-up report goes to (the report folder's, removed after it; emptied before a run too). */
    static final String WARM_UP = ".allure-warm-up";

    /**
     * Starts Allure's JVM for a report of DIR/allure-results in DIR/html,
     * to be asked for with {@link Pending#finish} once the results are
     * written: its start (and, with warmUp, a report of no results that
     * loads and compiles its classes) overlaps the runs. A check of 1130
     * runs waited 1.86 s for Allure after the runs; started early and warm,
     * Allure's report took about 0.9 s of that wait (docs/performance.md).
     */
    static Pending start(Path reportDir, boolean warmUp) {
        Optional<Path> allure = home();
        if (allure.isEmpty()) {
            return Pending.refused("Allure's generator is not unpacked (build with: mvn -B -pl harness -am package -DskipTests)");
        }
        return start(allure.get(), reportDir, warmUp);
    }

    /** {@link #start(Path, boolean)} with Allure unpacked at allureHome (harness/target/allure/allure-VERSION). */
    static Pending start(Path allureHome, Path reportDir, boolean warmUp) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> jars;
        try (Stream<Path> s = Files.list(allureHome.resolve("lib"))) {
            jars = new ArrayList<>(s.map(Path::toString).filter(n -> n.endsWith(".jar")).sorted().toList());
        } catch (IOException e) {
            return Pending.refused("cannot list Allure's jars: " + e.getMessage());
        }
        // The class that waits for the word to generate, in a jar of its own beside Allure's; without it Allure
        // runs as before, once the results are written.
        Optional<Path> waiter = WaiterJar.in(allureHome.getParent());
        waiter.ifPresent(j -> jars.add(j.toString()));
        // Allure's own output is a log: kept out of the report, and kept only when Allure failed.
        Path log;
        try {
            log = Files.createTempFile("sockcheck-allure-", ".log");
        } catch (IOException e) {
            return Pending.refused("cannot make a file for Allure's log: " + e.getMessage());
        }
        String noAot = System.getenv("SOCKCHECK_NO_AOT");
        StartUpCache cache = StartUpCache.of(allureHome, java, jars, noAot != null && !noAot.isEmpty());
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        // Allure is a JVM of its own, short-lived: the C1 compiler alone ends it sooner (6.5-6.9 s against 4.6-5.0 s
        // for 822 results on a loaded 2-core machine), and so does the parallel collector (a median of 1.59 s against
        // 1.77 s with G1 for 1090 results, whole-process pairs on 2 cores, scripts/pairs; docs/performance.md).
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.addAll(collector(System.getenv("JAVA_TOOL_OPTIONS"), System.getenv("JDK_JAVA_OPTIONS"),
                System.getProperty("sockcheck.young")));
        cmd.addAll(cache.options());
        // Allure's own logging configuration (its script puts lib/config on the class path): INFO, where logback's
        // default without one is a debug log of every result, 1.4 MB for 1130 of them.
        Path logging = allureHome.resolve("lib/config/logback.xml");
        if (Files.isRegularFile(logging)) {
            cmd.add("-Dlogback.configurationFile=" + logging);
        }
        Path warm = reportDir.resolve(WARM_UP);
        if (waiter.isPresent() && warmUp && warmUpResults(warm.resolve("results"))) {
            cmd.add("-Dsockcheck.allure.warmup=" + warm);
        }
        // The jars named one by one, in one order, as a start-up cache requires (Allure's config folder is not needed:
        // without APP_HOME, Allure uses its default configuration).
        cmd.addAll(List.of("-Dallure.home=" + allureHome, "-cp", String.join(":", jars),
                waiter.isPresent() ? AllureWhenAsked.class.getName() : "io.qameta.allure.CommandLine",
                "generate", "--single-file", "--clean",
                "-o", reportDir.resolve("html").toString(), reportDir.resolve("allure-results").toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("ALLURE_NO_ANALYTICS", "true");
        return new Pending(null, pb, waiter.isPresent(), log, cache, reportDir, warm);
    }

    /**
     * The collector options of Allure's JVM: the parallel collector, unless
     * the environment's JVM options (JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS,
     * which Allure's JVM reads too) choose one, as the JVM refuses two; and
     * the young generation the launcher found room for (young, its
     * -Dsockcheck.young, such as 64m), reused in the pages it touched:
     * Allure alone on 1130 results, 6 runs each alternating, a median of
     * 1.58 s with 64 MiB against 1.78 s with the collector's default size.
     */
    static List<String> collector(String toolOptions, String jdkOptions, String young) {
        for (String env : java.util.Arrays.asList(toolOptions, jdkOptions)) {
            if (env != null && COLLECTOR_CHOSEN.matcher(env).find()) {
                return List.of();
            }
        }
        List<String> out = new ArrayList<>(List.of("-XX:+UseParallelGC"));
        if (young != null && young.matches("[1-9][0-9]{0,5}[mM]")) {
            out.add("-Xmn" + young);
        }
        return out;
    }

    /** A collector chosen among JVM options (the JVM refuses a second one). */
    private static final java.util.regex.Pattern COLLECTOR_CHOSEN = java.util.regex.Pattern.compile(
            "(^|\\s)-XX:[+-]Use(Serial|Parallel|G1|Z|Shenandoah|Epsilon)GC(\\s|$)");

    /** How many results the warm-up report has: enough for its code to be compiled as the real report runs it. */
    static final int WARM_UP_CASES = 40;

    /**
     * Writes the warm-up's results: cases shaped as a check's are (every
     * status, steps, the socket tables, a diagram), so that the warm-up runs
     * the code the real report runs; a report of no results left the real
     * one 0.82-0.87 s, of 40 such results 0.64-0.74 s (docs/performance.md).
     * False when they cannot be written (the warm-up is then left out).
     */
    static boolean warmUpResults(Path dir) {
        CaseResult.Status[] statuses = CaseResult.Status.values();
        List<CaseResult> cases = new ArrayList<>();
        for (int i = 0; i < WARM_UP_CASES; i++) {
            CaseResult.Status status = statuses[i % statuses.length];
            boolean passed = status == CaseResult.Status.PASSED;
            String name = "warm-up/case-" + i + ".trace";
            List<CaseResult.StepResult> steps = List.of(
                    new CaseResult.StepResult("line 1: A.p1: socket(INET, STREAM) = 3", true),
                    new CaseResult.StepResult("line 2: A.p1: bind(3, A:80) = 0", true),
                    new CaseResult.StepResult("line 3: A.p1: listen(3, 1) = 0" + (passed ? "" : "  (observed: EADDRINUSE)"), passed));
            cases.add(new CaseResult(i % 2 == 0 ? "ref" : "linux", "warm-up", name, "A warm-up case " + i, status,
                    passed ? "" : status.word().toUpperCase(java.util.Locale.ROOT) + ": line 3",
                    passed ? "" : name + ":3: expected 0, observed EADDRINUSE", passed ? "" : "line 3: expected 0\nobserved EADDRINUSE",
                    System.currentTimeMillis(), i, steps,
                    passed ? java.util.Map.of() : java.util.Map.of(CaseResult.TABLES, "A: tcp A:80 *:* LISTEN"),
                    passed ? "" : "<svg xmlns=\"http://www.w3.org/2000/svg\"><text>A</text></svg>", "judged by the spec"));
        }
        try {
            Files.createDirectories(dir);
            AllureResults.write(dir, cases);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Allure's JVM, started; {@link #finish} asks for the report, {@link #close} stops a JVM not asked. */
    static final class Pending implements AutoCloseable {
        private final String refusal;
        private final ProcessBuilder builder;
        private final boolean waits;
        private final Path log;
        private final StartUpCache cache;
        private final Path reportDir;
        private final Path warm;
        private Process process;
        private org.sockcheck.harness.impl.ShutdownHook stop;
        private String failedToStart;
        /** Whether finish ran: a log of a report that failed is kept; one of a JVM never asked is not. */
        private boolean finished;

        private Pending(String refusal, ProcessBuilder builder, boolean waits, Path log, StartUpCache cache, Path reportDir,
                        Path warm) {
            this.refusal = refusal;
            this.builder = builder;
            this.waits = waits;
            this.log = log;
            this.cache = cache;
            this.reportDir = reportDir;
            this.warm = warm;
            if (waits) {
                launch();
            }
        }

        static Pending refused(String why) {
            return new Pending(why, null, false, null, null, null, null);
        }

        private void launch() {
            try {
                Process p = org.sockcheck.harness.impl.Spawns.start(builder);
                process = p;
                // A Ctrl-C or a kill of sockcheck stops Allure too, with the child writing its start-up cache.
                stop = new org.sockcheck.harness.impl.ShutdownHook("sockcheck-allure-stop", () -> {
                    kill(p);
                    cache.discardUnmade();
                    removeWarmUp();
                    removeLog();
                });
            } catch (IOException e) {
                failedToStart = "cannot run Allure: " + e.getMessage();
            }
        }

        /** Allure's JVM, once started (for tests). */
        Optional<ProcessHandle> handle() {
            return Optional.ofNullable(process).map(Process::toHandle);
        }

        /** Asks for the report and waits for it: the reason when there is none. */
        Optional<String> finish() {
            if (refusal != null) {
                return Optional.of(refusal);
            }
            finished = true;
            if (process == null && failedToStart == null) {
                launch();
            }
            if (failedToStart != null) {
                return Optional.of(failedToStart);
            }
            try {
                if (waits) {
                    try (var in = process.getOutputStream()) {
                        in.write("go\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        // Allure's JVM ended already: its exit code says how
                    }
                }
                if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    kill(process);
                    return Optional.of("Allure took longer than " + TIMEOUT_SECONDS + " s; see " + log);
                }
                if (process.exitValue() == 0 && Files.isRegularFile(reportDir.resolve("html/index.html"))) {
                    cache.made();
                    Files.deleteIfExists(log);
                    return Optional.empty();
                }
                return Optional.of("Allure failed (exit " + process.exitValue() + "); see " + log);
            } catch (IOException e) {
                return Optional.of("cannot run Allure: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.of("interrupted");
            } finally {
                close();
            }
        }

        /** Stops Allure's JVM if it was not asked for a report, or still runs; removes what it left. */
        @Override
        public void close() {
            if (stop != null) {
                stop.remove();
                stop = null;
            }
            if (process != null && process.isAlive()) {
                kill(process);
                try {
                    process.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (cache != null) {
                cache.discardUnmade();
            }
            removeWarmUp();
            if (!finished) {
                removeLog();
            }
        }

        /** The log of a JVM that was never asked for a report (a check stopped, an error): nothing to read in it. */
        private void removeLog() {
            if (log != null) {
                try {
                    Files.deleteIfExists(log);
                } catch (IOException e) {
                    // a temporary file
                }
            }
        }

        /**
         * Ends the JVM without asking for a report, as its input ending does
         * (for tests): its exit code, after the warm-up it may be in.
         */
        int endUnasked() throws IOException, InterruptedException {
            process.getOutputStream().close();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                kill(process);
                return -1;
            }
            return process.exitValue();
        }

        private void removeWarmUp() {
            if (warm != null) {
                // What is left, the next check's emptying of the report folder removes.
                org.sockcheck.harness.impl.FileTrees.removeQuietly(warm);
            }
        }

        /** Its children too: a JVM making its start-up cache starts one to write it. */
        private static void kill(Process p) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    /**
     * The jar of {@link AllureWhenAsked} beside the unpacked Allure, named by
     * its class's CRC-32: a new build with another class writes another jar,
     * whose name then changes the class path a start-up cache was made for.
     * Written once, by a rename, so that checks at once do not mix; none
     * where the folder cannot be written.
     */
    static final class WaiterJar {
        private WaiterJar() {
        }

        /** The jars of earlier builds' classes (a JVM that still runs one keeps reading it: Linux keeps it open). */
        private static void removeOthers(Path folder, Path kept) {
            try (Stream<Path> s = Files.list(folder)) {
                for (Path f : s.toList()) {
                    String name = f.getFileName().toString();
                    if (name.startsWith("sockcheck-allure-when-asked-") && name.endsWith(".jar") && !f.equals(kept)) {
                        Files.deleteIfExists(f);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // left for the next build's check, or mvn clean
            }
        }

        static Optional<Path> in(Path folder) {
            String entry = AllureWhenAsked.class.getName().replace('.', '/') + ".class";
            byte[] code;
            try (var in = AllureWhenAsked.class.getClassLoader().getResourceAsStream(entry)) {
                if (in == null) {
                    return Optional.empty();
                }
                code = in.readAllBytes();
            } catch (IOException e) {
                return Optional.empty();
            }
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(code);
            Path jar = folder.resolve(String.format("sockcheck-allure-when-asked-%08x.jar", crc.getValue()));
            if (Files.isRegularFile(jar)) {
                return Optional.of(jar);
            }
            try {
                // Readable by all, as the unpacked Allure is: a check by another user runs it too.
                Path part = Files.createTempFile(folder, ".when-asked-", ".jar",
                        java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                                java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--")));
                try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(part))) {
                    out.putNextEntry(new java.util.jar.JarEntry(entry));
                    out.write(code);
                    out.closeEntry();
                } catch (IOException | RuntimeException e) {
                    Files.deleteIfExists(part);
                    throw e;
                }
                Files.move(part, jar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                removeOthers(folder, jar);
                return Optional.of(jar);
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }
    }

    /**
     * A start-up cache for Allure's JVM (JDK 25's AOT cache: Allure's classes
     * loaded and linked), allure.aot beside the unpacked Allure: with it the
     * report of 822 runs took 1.30-1.48 s, without it 1.82-2.05 s (2 cores,
     * docs/performance.md). The first report after a build makes it (Allure
     * runs as a training run, about 5 s longer); the launcher's own training
     * run is that first report. Made again for another java, another build of
     * it, or another class path (another Allure): what it was made for is
     * written beside it, in allure.aot.java (the jars' dates cannot tell:
     * unpacking keeps the archive's). A cache a killed process began is
     * removed by the next report;
     * SOCKCHECK_NO_AOT turns it off, as for sockcheck's own. Where the folder
     * cannot be written, Allure runs without one.
     */
    record StartUpCache(Path file, Path identityFile, String identity, Path making) {
        /** The cache for Allure unpacked at allure, run by java with these jars; none when off. */
        static StartUpCache of(Path allure, String java, List<String> jars, boolean off) {
            if (off) {
                return new StartUpCache(null, null, java, null);
            }
            Path file = allure.resolveSibling("allure.aot");
            Path javaFile = allure.resolveSibling("allure.aot.java");
            // What the cache was made for: the java, its build, and the class path (Allure's version is in it).
            String identity = java + " " + System.getProperty("java.vm.version") + " " + String.join(":", jars);
            discardOrphans(allure.getParent());
            if (Files.isRegularFile(file) && identity.equals(madeBy(javaFile))) {
                return new StartUpCache(file, javaFile, identity, null);
            }
            if (Files.isWritable(allure.getParent())) {
                return new StartUpCache(file, javaFile, identity,
                        allure.resolveSibling(".allure-" + ProcessHandle.current().pid() + ".aot"));
            }
            // The folder cannot be written: Allure runs without a cache.
            return new StartUpCache(null, null, java, null);
        }

        /** What the cache was made for, as written beside it; empty when nothing is. */
        private static String madeBy(Path javaFile) {
            try {
                return Files.readString(javaFile).strip();
            } catch (IOException | RuntimeException e) {
                return "";
            }
        }

        /**
         * Removes the caches a sockcheck process began and did not finish
         * (.allure-PID.aot, and the configuration file beside it, of a
         * process no longer alive: killed by SIGKILL while Allure ran).
         */
        private static void discardOrphans(Path folder) {
            try (Stream<Path> s = Files.list(folder)) {
                for (Path f : s.toList()) {
                    java.util.regex.Matcher m = ORPHAN.matcher(f.getFileName().toString());
                    if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                        Files.deleteIfExists(f);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // another process removed it meanwhile, or the folder cannot be read: nothing to do
            }
        }

        private static final java.util.regex.Pattern ORPHAN = java.util.regex.Pattern.compile("\\.allure-(\\d{1,18})\\.aot(\\.config)?");

        /** The JVM options: use the cache, or make it, or nothing. */
        List<String> options() {
            List<String> quiet = List.of("-Xlog:aot*=off", "-Xlog:cds*=off");
            List<String> out = new ArrayList<>();
            if (making != null) {
                out.add("-XX:AOTCacheOutput=" + making);
            } else if (file != null) {
                out.add("-XX:AOTCache=" + file);
            } else {
                return List.of();
            }
            out.addAll(quiet);
            return out;
        }

        /** After a report that succeeded: the cache being made, if any, put in place (renamed, so that reports made at once do not mix). */
        void made() {
            if (making == null || !Files.isRegularFile(making)) {
                return;
            }
            try {
                Files.writeString(identityFile, identity + "\n");
                Files.move(making, file, StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException | RuntimeException e) {
                // the next report makes it again
            }
        }

        /** A cache being made that was not put in place (Allure failed, was stopped): removed. */
        void discardUnmade() {
            if (making != null) {
                try {
                    Files.deleteIfExists(making);
                    Files.deleteIfExists(Path.of(making + ".config"));
                } catch (IOException e) {
                    // in the build's own folder: mvn clean removes it
                }
            }
        }
    }
}
