package org.sockcheck.harness.cli;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import org.sockcheck.harness.trace.Trace;

/**
 * Which of the traces found a run takes: --include and --exclude patterns,
 * then --shard K/N.
 *
 * <p>A pattern is a glob. With a '/' it is matched against the trace's path
 * as reports show it (relative to the folder the traces came from, e.g.
 * {@code scenarios/bind/*.trace}); without one, against each part of that
 * path: a folder names a feature ({@code bind}, {@code udp}), the file a
 * trace (with or without {@code .trace}). A trace is taken when no include
 * is given or one matches, and no exclude matches.
 *
 * <p>A shard K of N takes every N-th trace starting at the K-th, in the order
 * the traces were found (by path), so the N shards split the selected traces
 * into N parts of nearly equal size whose union is all of them, whichever
 * machine runs them.
 *
 * <p>Public for the JUnit integration (sockcheck-junit5), which selects
 * traces with the same globs.
 */
public final class Selection {
    private final List<PathMatcher> include;
    private final List<PathMatcher> includeParts;
    private final List<PathMatcher> exclude;
    private final List<PathMatcher> excludeParts;
    private final int shard;
    private final int shards;

    /** A usage error of these options (exit 2), with a hint. */
    public static final class BadOption extends Exception {
        public final String hint;

        BadOption(String message, String hint) {
            super(message);
            this.hint = hint;
        }
    }

    private Selection(List<String> include, List<String> exclude, int shard, int shards) throws BadOption {
        this.include = matchers(include, true);
        this.includeParts = matchers(include, false);
        this.exclude = matchers(exclude, true);
        this.excludeParts = matchers(exclude, false);
        this.shard = shard;
        this.shards = shards;
    }

    /** The selection these options give; shard is "K/N" or null. */
    public static Selection of(List<String> include, List<String> exclude, String shard) throws BadOption {
        int k = 1;
        int n = 1;
        if (shard != null) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,6})/([0-9]{1,6})").matcher(shard.strip());
            if (!m.matches() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(1)) < 1
                    || Integer.parseInt(m.group(1)) > Integer.parseInt(m.group(2))) {
                throw new BadOption("--shard expects K/N with 1 <= K <= N, found '" + shard + "'",
                        "--shard 1/2 and --shard 2/2 split the traces in two");
            }
            k = Integer.parseInt(m.group(1));
            n = Integer.parseInt(m.group(2));
        }
        return new Selection(include == null ? List.of() : include, exclude == null ? List.of() : exclude, k, n);
    }

    private static List<PathMatcher> matchers(List<String> globs, boolean withSlash) throws BadOption {
        List<PathMatcher> out = new ArrayList<>();
        for (String g : globs) {
            for (String one : g.split(",")) {
                if (one.isBlank() || one.contains("/") != withSlash) {
                    continue;
                }
                try {
                    out.add(FileSystems.getDefault().getPathMatcher("glob:" + one.strip()));
                } catch (IllegalArgumentException e) {
                    throw new BadOption("not a glob: '" + one + "' (" + e.getMessage() + ")",
                            "for example --include 'bind' (a folder), --include '*in-use*' or 'scenarios/udp/**'");
                }
            }
        }
        return out;
    }

    /** The traces the patterns take, in their order; base: the folder paths are shown relative to. */
    List<Trace> named(List<Trace> traces, Path base) {
        List<Trace> matching = new ArrayList<>();
        for (Trace t : traces) {
            if (takes(Path.of(CheckCommand.relative(base, t.source())))) {
                matching.add(t);
            }
        }
        return matching;
    }

    /** Whether the patterns take a trace shown under this path (relative to the folder the traces came from). */
    public boolean takes(Path shown) {
        boolean in = include.isEmpty() && includeParts.isEmpty() || matches(include, includeParts, shown);
        return in && !matches(exclude, excludeParts, shown);
    }

    /** This shard's part of the traces (all of them without --shard; maybe none when N exceeds their number). */
    List<Trace> shard(List<Trace> traces) {
        List<Trace> out = new ArrayList<>();
        for (int i = shard - 1; i < traces.size(); i += shards) {
            out.add(traces.get(i));
        }
        return out;
    }

    /** Whether the patterns or a shard narrow the traces. */
    boolean narrows() {
        return !include.isEmpty() || !includeParts.isEmpty() || !exclude.isEmpty() || !excludeParts.isEmpty() || shards > 1;
    }

    private static boolean matches(List<PathMatcher> whole, List<PathMatcher> parts, Path shown) {
        if (whole.stream().anyMatch(m -> m.matches(shown))) {
            return true;
        }
        for (Path part : shown) {
            String name = part.toString();
            int dot = name.lastIndexOf('.');
            Path bare = Path.of(dot > 0 ? name.substring(0, dot) : name);
            if (parts.stream().anyMatch(m -> m.matches(part) || m.matches(bare))) {
                return true;
            }
        }
        return false;
    }
}
