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
        Optional<Path> allure = home();
        if (allure.isEmpty()) {
            return Optional.of("Allure's generator is not unpacked (build with: mvn -B -pl harness -am package -DskipTests)");
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> jars;
        try (Stream<Path> s = Files.list(allure.get().resolve("lib"))) {
            jars = s.map(Path::toString).filter(n -> n.endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            return Optional.of("cannot list Allure's jars: " + e.getMessage());
        }
        // Allure's own output is a debug log: kept out of the report, and kept only when Allure failed.
        Path log;
        try {
            log = Files.createTempFile("sockcheck-allure-", ".log");
        } catch (IOException e) {
            return Optional.of("cannot make a file for Allure's log: " + e.getMessage());
        }
        String noAot = System.getenv("SOCKCHECK_NO_AOT");
        StartUpCache cache = StartUpCache.of(allure.get(), java, jars, noAot != null && !noAot.isEmpty());
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        // Allure is a JVM of its own, short-lived: the C1 compiler alone ends it sooner (6.5-6.9 s against 4.6-5.0 s
        // for 822 results on a loaded 2-core machine), and so does the parallel collector (a median of 1.59 s against
        // 1.77 s with G1 for 1090 results, whole-process pairs on 2 cores, scripts/pairs; docs/performance.md).
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-XX:+UseParallelGC");
        cmd.addAll(cache.options());
        // The jars named one by one, in one order, as a start-up cache requires (Allure's config folder is not needed:
        // without APP_HOME, Allure uses its default configuration).
        cmd.addAll(List.of("-Dallure.home=" + allure.get(), "-cp", String.join(":", jars),
                "io.qameta.allure.CommandLine", "generate", "--single-file", "--clean",
                "-o", reportDir.resolve("html").toString(), reportDir.resolve("allure-results").toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("ALLURE_NO_ANALYTICS", "true");
        org.sockcheck.harness.impl.ShutdownHook stop = null;
        try {
            Process p = org.sockcheck.harness.impl.Spawns.start(pb);
            // A Ctrl-C or a kill of sockcheck stops Allure too, with the child writing its start-up cache.
            stop = new org.sockcheck.harness.impl.ShutdownHook("sockcheck-allure-stop", () -> {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                cache.discardUnmade();
            });
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                // Its children too: a JVM making its start-up cache starts one to write it.
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return Optional.of("Allure took longer than " + TIMEOUT_SECONDS + " s; see " + log);
            }
            if (p.exitValue() == 0 && Files.isRegularFile(reportDir.resolve("html/index.html"))) {
                cache.made();
                Files.deleteIfExists(log);
                return Optional.empty();
            }
            return Optional.of("Allure failed (exit " + p.exitValue() + "); see " + log);
        } catch (IOException e) {
            return Optional.of("cannot run Allure: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        } finally {
            if (stop != null) {
                stop.remove();
            }
            cache.discardUnmade();
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
