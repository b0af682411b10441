package org.sockcheck.harness.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sockcheck.harness.run.Judge;
import org.sockcheck.harness.run.Witnessed;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.harness.trace.TraceFiles;
import org.sockcheck.harness.trace.TraceText;

/**
 * The spec's verdicts kept on disk: a verdict read back is the one the spec
 * gave, only verdicts that last are kept, and whatever is in the folder
 * (another trace's entry, a broken file, too many files) never changes a
 * verdict.
 */
class VerdictCacheTest {
    private static final Path SCENARIOS = Path.of("..", "conformance", "scenarios");

    private static Trace scenario(String name) throws Exception {
        return TraceFiles.read(SCENARIOS.resolve(name));
    }

    /** address-in-use with its last bind written as succeeding: the spec rejects that line. */
    private static Trace rejected() throws Exception {
        String text = Files.readString(SCENARIOS.resolve("bind/address-in-use.trace"));
        String last = "A.p1: bind(5, A:80) = EADDRINUSE";
        assertTrue(text.contains(last));
        return TraceText.parse("address-in-use-written-wrong.trace", text.replace(last, "A.p1: bind(5, A:80) = 0"));
    }

    private static List<Trace> some() throws Exception {
        return List.of(scenario("connect/connected-socket-has-remote-address.trace"),
                scenario("connect/connect-to-closed-port-is-refused.trace"), scenario("bind/address-in-use.trace"),
                rejected());
    }

    private static SpecJudge judge(List<Trace> traces, VerdictCache cache) throws Exception {
        return SpecJudge.forTraces(traces, Duration.ZERO, cache, models -> { });
    }

    private static SpecVerdict unmarked(SpecVerdict v) {
        return new SpecVerdict(v.kind(), v.line(), v.event(), v.allowed(), v.explored(), v.bounded(), v.bindings(),
                v.witnessed(), v.actions(), v.transitions(), false);
    }

    private static List<Path> entries(Path base) throws Exception {
        Path folder = base.resolve("verdicts");
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (var all = Files.list(folder)) {
            return all.sorted().toList();
        }
    }

    @Test
    void aVerdictReadFromTheCacheIsTheOneTheSpecGaveAndTheSpecIsNotLoadedForIt(@TempDir Path dir) throws Exception {
        List<Trace> traces = some();
        SpecJudge live = judge(traces, VerdictCache.in(dir));
        List<SpecVerdict> judged = new ArrayList<>();
        for (Trace t : traces) {
            judged.add(live.result(t));
        }
        assertTrue(live.loaded());
        assertTrue(judged.stream().noneMatch(SpecVerdict::cached));
        SpecVerdict no = judged.get(3);
        assertEquals(Validator.Kind.REJECTED, no.kind());
        assertEquals(16, no.line());
        assertFalse(no.bounded(), "the rejection this test needs is by a search that went everywhere");
        // What the verdict shows is there to be kept: a TCP connection's witness.
        SpecVerdict connected = judged.get(0);
        assertTrue(connected.transitions().contains("SYN-SENT => ESTABLISHED"), connected.transitions().toString());
        assertTrue(connected.witnessed().stream().anyMatch(w -> w instanceof Witnessed.Segment), connected.toString());
        assertTrue(connected.actions().size() > 3, connected.actions().toString());
        assertFalse(connected.bindings().isEmpty(), connected.toString());
        assertEquals(4, entries(dir).size());

        SpecJudge later = judge(traces, VerdictCache.in(dir));
        for (int k = 0; k < traces.size(); k++) {
            SpecVerdict kept = later.result(traces.get(k));
            assertTrue(kept.cached(), traces.get(k).source());
            assertEquals(judged.get(k), unmarked(kept), traces.get(k).source());
            assertEquals(judged.get(k).describe("t"), kept.describe("t"));
        }
        assertFalse(later.loaded(), "every verdict was in the cache: TLC is not loaded");
        assertEquals(4, later.fromCache());
        // What check reads of a verdict: the decision, with the witness a diagram is drawn from.
        Judge.Decision d = later.decide(traces.get(3));
        assertTrue(d instanceof Judge.Decision.Rejected r && r.line() == 16 && r.witness().equals(no.witnessed()), d.toString());
        assertTrue(later.decide(traces.get(0)) instanceof Judge.Decision.Accepted a && a.witness().equals(connected.witnessed()));
        assertFalse(later.loaded());
    }

    @Test
    void aChangedTraceIsJudgedAgain(@TempDir Path dir) throws Exception {
        Trace t = scenario("bind/address-in-use.trace");
        judge(List.of(t), VerdictCache.in(dir)).result(t);
        // The same events with a comment line more: each event's line is another, and so is a rejection's.
        Trace moved = TraceText.parse("moved.trace", "# one line more\n" + Files.readString(SCENARIOS.resolve(
                "bind/address-in-use.trace")));
        Trace other = rejected();
        SpecJudge again = judge(List.of(moved, other), VerdictCache.in(dir));
        assertFalse(again.result(moved).cached());
        assertFalse(again.result(other).cached());
        assertTrue(again.result(t).cached());
        assertEquals(3, entries(dir).size());
    }

    @Test
    void theKeyTellsTimersProfilesAndTraces() {
        VerdictCache c = VerdictCache.in(Path.of("unused"));
        assertEquals(c.key("LINUX\n5 A.p1: socket(INET, STREAM) = 3", false),
                c.key("LINUX\n5 A.p1: socket(INET, STREAM) = 3", false));
        assertNotEquals(c.key("LINUX\n5 A.p1: socket(INET, STREAM) = 3", false),
                c.key("LINUX\n5 A.p1: socket(INET, STREAM) = 3", true));
        assertNotEquals(c.key("LINUX\n5 A.p1: socket(INET, STREAM) = 3", false),
                c.key("POSIX\n5 A.p1: socket(INET, STREAM) = 3", false));
        assertNotEquals(c.key("LINUX\n5 A.p1: socket(INET, STREAM) = 3", false),
                c.key("LINUX\n6 A.p1: socket(INET, STREAM) = 3", false));
    }

    @Test
    void aBrokenEntryIsIgnoredDeletedAndWrittenAgain(@TempDir Path dir) throws Exception {
        Trace t = scenario("connect/connected-socket-has-remote-address.trace");
        SpecVerdict live = judge(List.of(t), VerdictCache.in(dir)).result(t);
        Path entry = entries(dir).getFirst();
        String good = Files.readString(entry);
        List<String> broken = List.of("", "{", "not json at all", "[]", "{\"format\":1}",
                good.replace("\"ACCEPTED\"", "\"UNDECIDED\""), good.replace("\"ACCEPTED\"", "\"MAYBE\""),
                good.replace("\"bounded\":false", "\"bounded\":\"no\""), good.replace("\"format\":1", "\"format\":99"),
                good.replaceFirst("\"key\":\"[0-9a-f]+\"", "\"key\":\"" + "0".repeat(64) + "\""),
                good.replace("\"witnessed\":[", "\"witnessed\":[{\"segment\":{}},"),
                "{\"format\":1,\"x\":\"" + "x".repeat(VerdictCache.MAX_ENTRY_BYTES) + "\"}");
        for (String b : broken) {
            Files.writeString(entry, b);
            SpecJudge judge = judge(List.of(t), VerdictCache.in(dir));
            SpecVerdict v = judge.result(t);
            assertFalse(v.cached(), b.length() > 200 ? b.substring(0, 200) : b);
            assertEquals(live, v);
            // Judged again and kept again: the entry is whole once more.
            assertEquals(good, Files.readString(entry));
        }
        // An entry that cannot be read at all (a folder where the file should be) is no error either.
        Files.delete(entry);
        Files.createDirectory(entry);
        assertEquals(live, judge(List.of(t), VerdictCache.in(dir)).result(t));
    }

    @Test
    void onlyVerdictsThatLastAreWritten(@TempDir Path dir) throws Exception {
        VerdictCache cache = VerdictCache.in(dir);
        SpecVerdict accepted = synthetic(Validator.Kind.ACCEPTED, false);
        cache.write("LINUX\n1 a", false, synthetic(Validator.Kind.UNDECIDED, false));
        cache.write("LINUX\n1 b", false, synthetic(Validator.Kind.UNDECIDED, true));
        cache.write("LINUX\n1 c", false, synthetic(Validator.Kind.REJECTED, true));
        assertEquals(List.of(), entries(dir));
        cache.write("LINUX\n1 d", false, synthetic(Validator.Kind.REJECTED, false));
        cache.write("LINUX\n1 e", false, accepted);
        assertEquals(2, entries(dir).size());
        assertEquals(accepted, unmarked(cache.read("LINUX\n1 e", false).orElseThrow()));
        // A binding that is not plain data is not kept (the verdict stands, it is just judged again next time).
        cache.write("LINUX\n1 f", false, new SpecVerdict(Validator.Kind.ACCEPTED, 0, "", "", 1, false,
                Map.of("e1", Set.of(1, 2)), List.of(), new TreeSet<>(), new TreeSet<>(), false));
        assertTrue(cache.read("LINUX\n1 f", false).isEmpty());
        assertEquals(2, entries(dir).size());
    }

    @Test
    void aSearchThatRanOutOfTimeIsNotKept(@TempDir Path dir) throws Exception {
        Trace t = scenario("connect/connected-socket-has-remote-address.trace");
        SpecJudge judge = SpecJudge.forTraces(List.of(t), Duration.ofNanos(1), VerdictCache.in(dir), models -> { });
        SpecVerdict v = judge.result(t);
        assertEquals(Validator.Kind.UNDECIDED, v.kind(), v.toString());
        assertEquals(List.of(), entries(dir));
    }

    @Test
    void offIsOff(@TempDir Path dir) throws Exception {
        Trace t = scenario("bind/address-in-use.trace");
        SpecJudge judge = judge(List.of(t), VerdictCache.off());
        assertTrue(judge.loaded(), "without a cache the models are loaded up front");
        assertFalse(judge.result(t).cached());
        String before = System.getProperty("sockcheck.cache");
        try {
            System.setProperty("sockcheck.cache", "off");
            assertFalse(VerdictCache.fromEnvironment().enabled());
            System.setProperty("sockcheck.cache", dir.toString());
            assertEquals(dir.resolve("verdicts"), VerdictCache.fromEnvironment().folder().orElseThrow());
            assertTrue(VerdictCache.fromEnvironment().enabled());
        } finally {
            if (before == null) {
                System.clearProperty("sockcheck.cache");
            } else {
                System.setProperty("sockcheck.cache", before);
            }
        }
        assertEquals(List.of(), entries(dir));
    }

    @Test
    void judgesWritingTheSameEntriesAtOnceLeaveWholeEntries(@TempDir Path dir) throws Exception {
        List<Trace> traces = some();
        int n = 4;
        CyclicBarrier together = new CyclicBarrier(n);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<List<SpecVerdict>>> made = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                // Judges that share nothing but the folder, as sockcheck processes run at once do.
                Callable<List<SpecVerdict>> one = () -> {
                    SpecJudge judge = judge(traces, VerdictCache.in(dir));
                    together.await();
                    List<SpecVerdict> out = new ArrayList<>();
                    for (Trace t : traces) {
                        out.add(unmarked(judge.result(t)));
                    }
                    return out;
                };
                made.add(pool.submit(one));
            }
            List<SpecVerdict> first = made.getFirst().get();
            for (Future<List<SpecVerdict>> f : made) {
                assertEquals(first, f.get());
            }
            assertEquals(traces.size(), entries(dir).size(), entries(dir).toString());
            SpecJudge reader = judge(traces, VerdictCache.in(dir));
            for (int k = 0; k < traces.size(); k++) {
                SpecVerdict kept = reader.result(traces.get(k));
                assertTrue(kept.cached());
                assertEquals(first.get(k), unmarked(kept));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theFolderIsKeptUnderItsBoundTheLeastRecentlyUsedGoingFirst(@TempDir Path dir) throws Exception {
        VerdictCache cache = VerdictCache.in(dir, 10, 1L << 30);
        long now = System.currentTimeMillis();
        for (int k = 0; k < 10; k++) {
            cache.write("LINUX\n1 trace " + k, false, synthetic(Validator.Kind.ACCEPTED, false));
        }
        assertEquals(10, entries(dir).size());
        for (int k = 0; k < 10; k++) {
            Path f = dir.resolve("verdicts").resolve(cache.key("LINUX\n1 trace " + k, false) + ".json");
            Files.setLastModifiedTime(f, FileTime.fromMillis(now - (100 - k) * 60_000L));
        }
        // Trace 0, the oldest, is read: used now, it stays.
        assertTrue(cache.read("LINUX\n1 trace 0", false).isPresent());
        // A temporary file of a process killed before it renamed it: an hour old, it goes too.
        Path stale = Files.writeString(dir.resolve("verdicts").resolve(".tmp-stale.json"), "{");
        Files.setLastModifiedTime(stale, FileTime.fromMillis(now - 2 * 3_600_000L));
        cache.write("LINUX\n1 trace 10", false, synthetic(Validator.Kind.ACCEPTED, false));
        cache.prune();
        List<Path> left = entries(dir);
        assertEquals(9, left.size(), left.toString());
        assertFalse(Files.exists(stale));
        assertTrue(cache.read("LINUX\n1 trace 0", false).isPresent(), "the one used last stays");
        assertTrue(cache.read("LINUX\n1 trace 10", false).isPresent(), "the newest stays");
        assertTrue(cache.read("LINUX\n1 trace 1", false).isEmpty(), "the least recently used goes");
        assertTrue(cache.read("LINUX\n1 trace 2", false).isEmpty());

        // The bound in bytes: two entries' worth.
        Path other = dir.resolve("other");
        VerdictCache small = VerdictCache.in(other, 1000, 1L << 30);
        small.write("LINUX\n1 x", false, synthetic(Validator.Kind.ACCEPTED, false));
        long size = Files.size(entries(other).getFirst());
        VerdictCache bytes = VerdictCache.in(other, 1000, 2 * size + size / 2);
        for (int k = 0; k < 5; k++) {
            bytes.write("LINUX\n1 y" + k, false, synthetic(Validator.Kind.ACCEPTED, false));
        }
        bytes.prune();
        assertEquals(2, entries(other).size(), entries(other).toString());
    }

    @Test
    void anEntryIsAFileOfLittleSize(@TempDir Path dir) throws Exception {
        Trace t = scenario("connect/connected-socket-has-remote-address.trace");
        judge(List.of(t), VerdictCache.in(dir)).result(t);
        Path entry = entries(dir).getFirst();
        assertTrue(entry.getFileName().toString().matches("[0-9a-f]{64}\\.json"), entry.toString());
        assertTrue(Files.size(entry) < 8192, Files.size(entry) + " bytes");
    }

    private static SpecVerdict synthetic(Validator.Kind kind, boolean bounded) {
        return new SpecVerdict(kind, kind == Validator.Kind.ACCEPTED ? 0 : 7, "A.p1: close(3) = 0", "close = EBADF", 12,
                bounded, Map.of("e1", 49152, "port", List.of("A", 80)),
                List.of(new Witnessed.Called(0), new Witnessed.Segment("A", "B", "SYN $e1\u219280 \"d\"", false),
                        new Witnessed.Returned(0)),
                new TreeSet<>(Set.of("Socket", "Close")), new TreeSet<>(Set.of("CLOSED => SYN-SENT")), false);
    }
}
