package org.sockcheck.harness.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        // Allure is a JVM of its own, short-lived: the C1 compiler alone ends it sooner (6.5-6.9 s against 4.6-5.0 s
        // for 822 results on a loaded 2-core machine).
        List<String> cmd = List.of(java, "-XX:TieredStopAtLevel=1", "-Dallure.home=" + allure.get(),
                "-cp", allure.get().resolve("lib") + "/*:" + allure.get().resolve("config"),
                "io.qameta.allure.CommandLine", "generate", "--single-file", "--clean",
                "-o", reportDir.resolve("html").toString(), reportDir.resolve("allure-results").toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("ALLURE_NO_ANALYTICS", "true");
        try {
            Process p = pb.start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.of("Allure took longer than " + TIMEOUT_SECONDS + " s; see " + log);
            }
            if (p.exitValue() == 0 && Files.isRegularFile(reportDir.resolve("html/index.html"))) {
                Files.deleteIfExists(log);
                return Optional.empty();
            }
            return Optional.of("Allure failed (exit " + p.exitValue() + "); see " + log);
        } catch (IOException e) {
            return Optional.of("cannot run Allure: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }
}
