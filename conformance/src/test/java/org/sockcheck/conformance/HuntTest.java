package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sockcheck.harness.cli.Main;

/**
 * sockcheck hunt. On jdk, whose divergences are listed, the walks of seed 8
 * find nothing new with its expectations; without them the listed
 * divergences they run into are new failures, shrunk and written with their
 * seed, and the command exits 1. On linux the same walks pass with no
 * expectations at all: the spec's LINUX profile says what Linux does.
 * Which seed's 20 walks run into a listed divergence moves where the
 * spec's steps change; the generator takes them in an order of its own
 * (Generator.ordered), no longer in the order TLC gives strings in, so
 * adding a string to the spec's text no longer moves it. Seed 5's walks
 * on jdk: 4 passed, 1 listed divergence, 15 skipped (measured; seeds 1 to
 * 6 each ran into 0 to 2).
 */
class HuntTest {
    private static final String SEED = "5";

    @TempDir
    Path dir;

    private int hunt(StringWriter out, String impl, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("hunt", "--impl", impl, "--walks", "20", "--seed", SEED,
                "--out", dir.resolve("found").toString()));
        args.addAll(List.of(more));
        return Main.run(new PrintWriter(out), new PrintWriter(new StringWriter()), args.toArray(String[]::new));
    }

    @Test
    void listedDivergencesAreNotNew() {
        StringWriter out = new StringWriter();
        assertEquals(0, hunt(out, "jdk", "--expectations", "expectations"), out.toString());
        assertTrue(out.toString().contains("20 walks from seed " + SEED + " on jdk:"), out.toString());
        assertTrue(out.toString().matches("(?s).*: \\d+ passed, [1-9]\\d* listed divergences, .*, 0 new failures.*"), out.toString());
        assertFalse(Files.exists(dir.resolve("found")));
        // Every walk skipped is named with its reason.
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) skipped").matcher(out.toString());
        assertTrue(m.find(), out.toString());
        assertEquals(Long.parseLong(m.group(1)), out.toString().lines().filter(l -> l.matches("SKIP hunt-\\S+: .+")).count(),
                out.toString());
    }

    @Test
    void aHuntThatCouldRunNoWalkIsNoPass() {
        // A driver that offers no socket(): every walk is SKIP, and the hunt says it judged nothing (exit 4).
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> args = List.of("hunt", "--impl", "driver:python3 " + Corpus.testDriver("socketless_driver.py"),
                "--walks", "5", "--seed", "3", "--out", dir.resolve("found").toString());
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
        assertEquals(4, code, out + "\n" + err);
        assertTrue(out.toString().contains("0 passed, 0 listed divergences, 5 skipped, 0 new failures"), out.toString());
        assertTrue(err.toString().contains("nothing was judged"), err.toString());
    }

    @Test
    void anUnlistedFailureIsShrunkAndSaved() throws Exception {
        Path none = Files.createDirectories(dir.resolve("none"));
        StringWriter out = new StringWriter();
        assertEquals(1, hunt(out, "jdk", "--expectations", none.toString()), out.toString());
        List<Path> saved;
        try (var files = Files.list(dir.resolve("found"))) {
            saved = files.toList();
        }
        assertFalse(saved.isEmpty(), out.toString());
        String first = Files.readAllLines(saved.get(0)).get(0);
        assertTrue(first.contains("(hunt seed " + SEED + ")"), first);
        assertTrue(out.toString().contains("shrunk to"), out.toString());
    }

    @Test
    void linuxNeedsNoExpectations() throws Exception {
        Path none = Files.createDirectories(dir.resolve("none"));
        StringWriter out = new StringWriter();
        assertEquals(0, hunt(out, "linux", "--expectations", none.toString()), out.toString());
        assertTrue(out.toString().contains("20 walks from seed " + SEED + " on linux: 20 passed, 0 listed divergences, 0 skipped, 0 new failures"),
                out.toString());
    }

    @Test
    void linuxPassesWalksOfIpv6AndUnixSockets() throws Exception {
        // Walks that open INET6 sockets (two hosts, each a network namespace of its own; dual stack) and Unix ones
        // besides INET's: linux must pass them all (root: its IPv6 runs need network namespaces; without root they
        // would be SKIP and this fails).
        Path none = Files.createDirectories(dir.resolve("none"));
        for (String domains : List.of("INET,INET6", "INET,UNIX")) {
            StringWriter out = new StringWriter();
            assertEquals(0, hunt(out, "linux", "--expectations", none.toString(), "--domains", domains), out.toString());
            assertTrue(out.toString().contains("20 walks from seed " + SEED + " on linux: 20 passed, 0 listed divergences,"
                    + " 0 skipped, 0 new failures"), domains + ": " + out);
        }
    }
}
