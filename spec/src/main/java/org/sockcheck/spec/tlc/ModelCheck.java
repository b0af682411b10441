package org.sockcheck.spec.tlc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs TLC on the specification: MCSockets with one of its .cfg models.
 * TLC keeps static state, so it runs in a JVM of its own (one spec per
 * JVM); its output is read line by line for progress and the result.
 */
public final class ModelCheck {
    /** The modules and models shipped in the jar under tla/. */
    public static final List<String> FILES = List.of("Network.tla", "Tcp.tla", "Udp.tla", "Unix.tla", "SocketApi.tla",
            "Sockets.tla", "MCSockets.tla", "small.cfg", "standard.cfg", "liveness.cfg", "raw.cfg", "reuse.cfg", "fourtuple.cfg", "closing.cfg",
            "destinations.cfg", "reuseport.cfg", "threads.cfg", "unix.cfg", "ipv6.cfg", "raw6.cfg",
            "manifest.json");

    private static final Pattern PROGRESS = Pattern.compile(
            "Progress\\(\\d+\\) at .*?: ([\\d,]+) states generated \\(([\\d,]+) s/min\\), ([\\d,]+) distinct states found"
                    + " \\(([\\d,]+) ds/min\\), ([\\d,]+) states left on queue\\.");
    private static final Pattern DONE = Pattern.compile("([\\d,]+) states generated, ([\\d,]+) distinct states found, ([\\d,]+) states left on queue\\.");
    private static final Pattern DEPTH = Pattern.compile("The depth of the complete state graph search is (\\d+)\\.");
    private static final Pattern VIOLATED = Pattern.compile("Error: (?:Invariant|Temporal property|Action property) (\\S+) is violated");

    /** A line of progress from TLC. */
    public record Progress(long generated, long perMinute, long distinct, long queue) {
    }

    /** What TLC concluded. */
    public enum Status { PASS, VIOLATION, ERROR }

    public record Result(Status status, String violated, long generated, long distinct, int depth, double seconds,
                         List<String> tail) {
    }

    private ModelCheck() {
    }

    /** The tla2tools jar on this JVM's class path (TLC itself), unless one is given. */
    public static Path defaultTlaTools() {
        try {
            Class<?> tlc = Class.forName("tlc2.TLC");
            return Path.of(tlc.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (ClassNotFoundException | URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("TLC (tlc2.TLC) is not on the class path; give a tla2tools.jar", e);
        }
    }

    /** Copies the spec's files from the jar (or the class path) into a new folder. */
    public static Path extractSpec() throws IOException {
        Path dir = Files.createTempDirectory("sockcheck-spec-");
        for (String f : FILES) {
            try (InputStream in = ModelCheck.class.getResourceAsStream("/tla/" + f)) {
                if (in != null) {
                    Files.copy(in, dir.resolve(f));
                }
            }
        }
        return dir;
    }

    /** Copies the spec's files from a folder that holds them into a new folder, to be changed there. */
    public static Path copySpec(Path specDir, String prefix) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        for (String f : FILES) {
            if (Files.exists(specDir.resolve(f))) {
                Files.copy(specDir.resolve(f), dir.resolve(f));
            }
        }
        return dir;
    }

    public static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
    }

    /**
     * JVM options a model asks for in a comment line of its .cfg,
     * {@code \* jvm: OPTION...}. The small model asks for C1 only: it is
     * checked in seconds, before C2's compilations pay off (5.3-5.6 s instead
     * of 8.4-9.4 s); the larger models run faster with C2.
     */
    static List<String> jvmOptions(Path cfg) throws IOException {
        for (String line : Files.readAllLines(cfg)) {
            String s = line.strip();
            if (s.startsWith("\\* jvm:")) {
                return List.of(s.substring("\\* jvm:".length()).strip().split("\\s+"));
            }
        }
        return List.of();
    }

    /**
     * Runs TLC on {@code specDir/MCSockets.tla} with the given .cfg file,
     * reporting progress, for at most {@code timeoutSeconds}.
     */
    public static Result run(Path tlaTools, Path specDir, Path cfg, int workers, long timeoutSeconds,
                             Consumer<Progress> progress) throws IOException, InterruptedException {
        return run(tlaTools, specDir, cfg, "MCSockets", workers, timeoutSeconds, progress);
    }

    /**
     * Whether the model of {@code cfg} reaches a state where the witness
     * {@code Reach_INVARIANT} of Sockets.tla holds: TLC checks its negation
     * as the only invariant (in a copy of the spec with a module MCReach
     * that defines it), so a violation of {@code Unreached} is the answer
     * yes, found at the least depth; a pass means the model never reaches
     * the case the invariant guards.
     */
    public static Result reach(Path tlaTools, Path specDir, Path cfg, String invariant, int workers,
                               long timeoutSeconds) throws IOException, InterruptedException {
        return reachWhere(tlaTools, specDir, cfg, "Reach_" + invariant, workers, timeoutSeconds);
    }

    /** Whether the model of {@code cfg} reaches a state where the TLA+ predicate holds (as {@link #reach}). */
    public static Result reachWhere(Path tlaTools, Path specDir, Path cfg, String predicate, int workers,
                                    long timeoutSeconds) throws IOException, InterruptedException {
        Path dir = copySpec(specDir, "sockcheck-reach-");
        try {
            Files.writeString(dir.resolve("MCReach.tla"), "---- MODULE MCReach ----\nEXTENDS MCSockets\n"
                    + "Unreached == ~(" + predicate + ")\n====\n");
            Path reachCfg = dir.resolve("reach.cfg");
            Files.writeString(reachCfg, withInvariant(Files.readString(cfg), "Unreached"));
            return run(tlaTools, dir, reachCfg, "MCReach", workers, timeoutSeconds, p -> { });
        } finally {
            deleteTree(dir);
        }
    }

    /** The keyword of the .cfg section a line opens (INVARIANTS, PROPERTIES, ...), or null for a line within one. */
    private static String section(String line) {
        String word = line.isEmpty() || Character.isWhitespace(line.charAt(0)) ? "" : line.split("\\s+")[0];
        return word.matches("[A-Z_]+") ? word : null;
    }

    /** A model configuration with its invariants and properties replaced by one invariant. */
    static String withInvariant(String cfg, String invariant) {
        StringBuilder out = new StringBuilder();
        boolean skipping = false;
        for (String line : cfg.split("\n", -1)) {
            String word = section(line);
            if (word != null) {
                skipping = word.startsWith("INVARIANT") || word.startsWith("PROPERT");
            }
            if (!skipping) {
                out.append(line).append('\n');
            }
        }
        return out.append("INVARIANT ").append(invariant).append('\n').toString();
    }

    /** The invariants a model configuration checks (its INVARIANT and INVARIANTS sections). */
    public static java.util.Set<String> invariants(String cfg) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        boolean in = false;
        for (String line : cfg.split("\n")) {
            String word = section(line);
            if (word != null) {
                in = word.startsWith("INVARIANT");
                line = line.substring(word.length());
            }
            if (in) {
                java.util.Arrays.stream(line.trim().split("\\s+")).filter(w -> !w.isEmpty()).forEach(out::add);
            }
        }
        return out;
    }

    private static Result run(Path tlaTools, Path specDir, Path cfg, String module, int workers, long timeoutSeconds,
                              Consumer<Progress> progress) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path states = Files.createTempDirectory("sockcheck-tlc-states-");
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:+UseParallelGC"));
        cmd.addAll(jvmOptions(cfg));
        // TLC copies its standard modules into java.io.tmpdir: a folder of this run's own, so that
        // runs at the same time do not overwrite each other's (removed with the states folder).
        cmd.add("-Djava.io.tmpdir=" + Files.createDirectory(states.resolve("tmp")).toAbsolutePath());
        cmd.addAll(List.of("-cp", tlaTools.toString(), "tlc2.TLC",
                "-workers", Integer.toString(workers), "-metadir", states.toString(), "-cleanup",
                "-config", cfg.toAbsolutePath().toString(), module));
        Process p = new ProcessBuilder(cmd).directory(specDir.toFile()).redirectErrorStream(true).start();
        Thread killer = new Thread(() -> p.destroyForcibly());
        Runtime.getRuntime().addShutdownHook(killer);
        long start = System.nanoTime();
        ArrayDeque<String> tail = new ArrayDeque<>();
        String violated = null;
        long generated = -1;
        long distinct = -1;
        int depth = -1;
        boolean error = false;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                tail.add(line);
                if (tail.size() > 60) {
                    tail.removeFirst();
                }
                Matcher m;
                if ((m = PROGRESS.matcher(line)).find()) {
                    progress.accept(new Progress(num(m.group(1)), num(m.group(2)), num(m.group(3)), num(m.group(5))));
                } else if ((m = DONE.matcher(line)).find()) {
                    generated = num(m.group(1));
                    distinct = num(m.group(2));
                } else if ((m = DEPTH.matcher(line)).find()) {
                    depth = Integer.parseInt(m.group(1));
                } else if ((m = VIOLATED.matcher(line)).find()) {
                    violated = m.group(1).replaceAll("\\.$", "");
                } else if (line.startsWith("Error:") && violated == null) {
                    error = true;
                }
                if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(timeoutSeconds)) {
                    p.destroyForcibly();
                    tail.add("sockcheck: TLC stopped after " + timeoutSeconds + " s");
                    error = true;
                    break;
                }
            }
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                error = true;
            }
        } finally {
            p.destroyForcibly();
            deleteTree(states);
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException e) {
                // shutting down already
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Status status = violated != null ? Status.VIOLATION : (error || distinct < 0) ? Status.ERROR : Status.PASS;
        return new Result(status, violated, generated, distinct, depth, seconds, new ArrayList<>(tail));
    }

    private static long num(String s) {
        return Long.parseLong(s.replace(",", ""));
    }

    public static Optional<String> lastLines(Result r, int n) {
        List<String> t = r.tail();
        return t.isEmpty() ? Optional.empty() : Optional.of(String.join("\n", t.subList(Math.max(0, t.size() - n), t.size())));
    }
}
