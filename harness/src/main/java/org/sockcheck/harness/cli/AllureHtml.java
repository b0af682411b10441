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
        // Allure's own output is a debug log: kept out of the report, and kept only when Allure failed.
        Path log;
        try {
            log = Files.createTempFile("sockcheck-allure-", ".log");
        } catch (IOException e) {
            return Optional.of("cannot make a file for Allure's log: " + e.getMessage());
        }
        List<String> jars;
        try (Stream<Path> s = Files.list(allure.get().resolve("lib"))) {
            jars = s.map(Path::toString).filter(n -> n.endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            return Optional.of("cannot list Allure's jars: " + e.getMessage());
        }
        String noAot = System.getenv("SOCKCHECK_NO_AOT");
        StartUpCache cache = StartUpCache.of(allure.get(), java, jars, noAot != null && !noAot.isEmpty());
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        // Allure is a JVM of its own, short-lived: the C1 compiler alone ends it sooner (6.5-6.9 s against 4.6-5.0 s
        // for 822 results on a loaded 2-core machine).
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.addAll(cache.options());
        // The jars named one by one, in one order, as a start-up cache requires (Allure's config folder is not needed:
        // without APP_HOME, Allure uses its default configuration).
        cmd.addAll(List.of("-Dallure.home=" + allure.get(), "-cp", String.join(":", jars),
                "io.qameta.allure.CommandLine", "generate", "--single-file", "--clean",
                "-o", reportDir.resolve("html").toString(), reportDir.resolve("allure-results").toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("ALLURE_NO_ANALYTICS", "true");
        try {
            Process p = pb.start();
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
            cache.discardUnmade();
        }
    }

    /**
     * A start-up cache for Allure's JVM (JDK 25's AOT cache: Allure's classes
     * loaded and linked), allure.aot beside the unpacked Allure: with it the
     * report of 822 runs took 1.30-1.48 s, without it 1.82-2.05 s (2 cores,
     * docs/performance.md). The first report after a build makes it (Allure
     * runs as a training run, about 5 s longer); the launcher's own training
     * run is that first report. Made again when a jar of Allure is newer, or
     * for another java (the java that made it is written beside it);
     * SOCKCHECK_NO_AOT turns it off, as for sockcheck's own. Where the folder
     * cannot be written, Allure runs without one.
     */
    record StartUpCache(Path file, Path javaFile, String java, Path making) {
        /** The cache for Allure unpacked at allure, run by java with these jars; none when off. */
        static StartUpCache of(Path allure, String java, List<String> jars, boolean off) {
            if (off) {
                return new StartUpCache(null, null, java, null);
            }
            Path file = allure.resolveSibling("allure.aot");
            Path javaFile = allure.resolveSibling("allure.aot.java");
            try {
                if (Files.isRegularFile(file) && java.equals(madeBy(javaFile)) && !newer(jars, file)) {
                    return new StartUpCache(file, javaFile, java, null);
                }
                if (Files.isWritable(allure.getParent())) {
                    return new StartUpCache(file, javaFile, java,
                            allure.resolveSibling(".allure-" + ProcessHandle.current().pid() + ".aot"));
                }
            } catch (IOException | RuntimeException e) {
                // an unreadable or half-written cache: Allure runs without one this time
            }
            return new StartUpCache(null, null, java, null);
        }

        /** The java written beside the cache; empty when none is. */
        private static String madeBy(Path javaFile) {
            try {
                return Files.readString(javaFile).strip();
            } catch (IOException | RuntimeException e) {
                return "";
            }
        }

        private static boolean newer(List<String> jars, Path than) throws IOException {
            long made = Files.getLastModifiedTime(than).toMillis();
            for (String j : jars) {
                if (Files.getLastModifiedTime(Path.of(j)).toMillis() > made) {
                    return true;
                }
            }
            return false;
        }

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
                Files.writeString(javaFile, java + "\n");
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
