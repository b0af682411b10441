package org.sockcheck.harness.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The main class of Allure's JVM as sockcheck starts it ({@link AllureHtml}):
 * the JVM starts while the runs go on, and generates the report when
 * sockcheck writes "go" on its standard input, with the arguments it was
 * started with. Before that it may warm up with a report of no results
 * (system property sockcheck.allure.warmup: a folder it makes and removes),
 * so that the classes are loaded and compiled when the real report is asked
 * for (its results sockcheck wrote in the folder's results/). Its input ending without "go" (sockcheck stopped, or decided on no
 * report) ends it with {@link #NOT_ASKED}.
 *
 * <p>It runs in Allure's JVM, on Allure's class path and a jar of its own:
 * it uses nothing of sockcheck, and Allure's command line through
 * reflection (io.qameta.allure.CommandLine, the class Allure's own script
 * starts).
 */
public final class AllureWhenAsked {
    /** The exit code when no report was asked for. */
    public static final int NOT_ASKED = 3;

    private AllureWhenAsked() {
    }

    public static void main(String[] args) throws Exception {
        // As Allure's own main: its home from APP_HOME, and none (its default configuration) without it.
        String appHome = System.getenv("APP_HOME");
        Path home = appHome == null ? null : Path.of(appHome);
        Class<?> type = Class.forName("io.qameta.allure.CommandLine");
        Constructor<?> make = type.getConstructor(Path.class);
        Method parse = type.getMethod("parse", String[].class);
        Method run = type.getMethod("run");
        String warmUp = System.getProperty("sockcheck.allure.warmup");
        if (warmUp != null) {
            Path folder = Path.of(warmUp);
            try {
                Path results = Files.createDirectories(folder.resolve("results"));
                generate(make, parse, run, home, "generate", "--single-file", "--clean", "-o",
                        folder.resolve("html").toString(), results.toString());
            } catch (Exception | LinkageError e) {
                // A warm-up that failed only leaves the real report colder.
            } finally {
                remove(folder);
            }
        }
        String word;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII))) {
            word = in.readLine();
        }
        if (!"go".equals(word)) {
            System.exit(NOT_ASKED);
        }
        System.exit(generate(make, parse, run, home, args));
    }

    /** Allure's command line on these arguments: its exit code. */
    private static int generate(Constructor<?> make, Method parse, Method run, Path home, String... args) throws Exception {
        Object commandLine = make.newInstance(home);
        Optional<?> refused = (Optional<?>) parse.invoke(commandLine, (Object) args);
        Object code = refused.isPresent() ? refused.get() : run.invoke(commandLine);
        return (int) code.getClass().getMethod("getCode").invoke(code);
    }

    private static void remove(Path folder) {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> all = Files.walk(folder)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | RuntimeException e) {
            // sockcheck removes the folder after the report too
        }
    }
}
