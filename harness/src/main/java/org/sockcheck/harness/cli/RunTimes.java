package org.sockcheck.harness.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * How long each run of the last checks took, kept in one file beside the
 * verdict cache ({cache}/run-times), so that check's workers take the runs
 * that took longest first. A run that waits for a kernel timer (Linux
 * retransmits an unanswered SYN after a second) then overlaps the short
 * ones, instead of starting when they are nearly done and leaving the
 * other workers idle at the end.
 *
 * <p>Only the order in which the workers take the runs depends on it (with
 * more than one worker): no verdict, and not the order of junit.xml,
 * Allure's results, the matrix or the summary (results stay in the order of
 * a serial check); the progress lines and TAP's test points come as runs
 * end, as they always did with several workers. The file is a cache: a line it cannot read is skipped, a
 * file it cannot read or write is no error, and it is bounded ({@link
 * #MAX_BYTES} read at most, {@link #MAX_RUNS} runs kept).
 */
final class RunTimes {
    /** The most runs the file keeps: those of this check first, then those of earlier checks. */
    static final int MAX_RUNS = 50_000;
    /** The most of the file read. */
    static final int MAX_BYTES = 8 << 20;

    /** A run: an implementation's name and a trace's file. */
    record Run(String implementation, String trace) {
    }

    private final Path file;
    private final Map<Run, Long> millis;

    private RunTimes(Path file, Map<Run, Long> millis) {
        this.file = file;
        this.millis = millis;
    }

    /** None known, and nothing kept. */
    static RunTimes none() {
        return new RunTimes(null, Map.of());
    }

    /** The run times kept in file (none when it is missing or unreadable); {@link #keep} writes them back there. */
    static RunTimes in(Path file) {
        Map<Run, Long> read = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(file)) {
            String text = new String(in.readNBytes(MAX_BYTES), StandardCharsets.UTF_8);
            for (String line : text.split("\n")) {
                // millis TAB implementation TAB trace; anything else is skipped (a line cut by MAX_BYTES too).
                String[] f = line.split("\t", -1);
                if (f.length == 3 && !f[1].isEmpty() && !f[2].isEmpty() && read.size() < MAX_RUNS) {
                    try {
                        read.put(new Run(f[1], f[2]), Math.max(0, Long.parseLong(f[0])));
                    } catch (NumberFormatException e) {
                        // not a line this class writes
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // no file yet, or not readable: every run is unknown
        }
        return new RunTimes(file, read);
    }

    /** How long the run took last time; empty when not known. */
    Optional<Long> of(Run run) {
        return Optional.ofNullable(millis.get(run));
    }

    /**
     * The runs 0..runs-1 in the order the workers take them: those that took
     * longest last time first, down to those not known; runs alike in this
     * keep their serial order.
     */
    int[] order(int runs, IntFunction<Run> run) {
        Integer[] k = new Integer[runs];
        long[] last = new long[runs];
        for (int i = 0; i < runs; i++) {
            k[i] = i;
            last[i] = of(run.apply(i)).orElse(-1L);
        }
        Arrays.sort(k, Comparator.comparingLong((Integer i) -> -last[i]));
        return Arrays.stream(k).mapToInt(Integer::intValue).toArray();
    }

    /**
     * Keeps the times of this check's runs (run i took took[i] ms; a negative
     * time is a run not made) with those of earlier checks, up to {@link
     * #MAX_RUNS}. Written to a file of its own and renamed into place, so
     * that checks ending at once do not mix their lines. Nothing is kept when
     * there is no file or it cannot be written.
     */
    void keep(int runs, IntFunction<Run> run, long[] took) {
        if (file == null) {
            return;
        }
        Map<Run, Long> all = new LinkedHashMap<>();
        for (int i = 0; i < runs; i++) {
            Run r = run.apply(i);
            if (took[i] >= 0 && plain(r.implementation()) && plain(r.trace())) {
                all.put(r, took[i]);
            }
        }
        millis.forEach((r, m) -> {
            if (all.size() < MAX_RUNS) {
                all.putIfAbsent(r, m);
            }
        });
        StringBuilder text = new StringBuilder();
        all.forEach((r, m) -> text.append(m).append('\t').append(r.implementation()).append('\t').append(r.trace())
                .append('\n'));
        Path temp = null;
        try {
            Files.createDirectories(file.getParent());
            temp = Files.createTempFile(file.getParent(), ".run-times-", "");
            Files.writeString(temp, text);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            // The order of the next check's runs is all that is lost.
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // a file of a few kilobytes left in the cache folder
                }
            }
        }
    }

    /** A name that fits a line's field: not empty, no tab, no line break. */
    private static boolean plain(String s) {
        return !s.isEmpty() && s.indexOf('\t') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0;
    }
}
