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
 * sockcheck hunt on Linux: with its expectations the walks of seed 3 find
 * nothing new; without them the listed divergence they run into is a new
 * failure, shrunk and written with its seed, and the command exits 1.
 */
class HuntTest {
    @TempDir
    Path dir;

    private int hunt(StringWriter out, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("hunt", "--impl", "linux", "--walks", "20", "--seed", "3",
                "--out", dir.resolve("found").toString()));
        args.addAll(List.of(more));
        return Main.run(new PrintWriter(out), new PrintWriter(new StringWriter()), args.toArray(String[]::new));
    }

    @Test
    void listedDivergencesAreNotNew() {
        StringWriter out = new StringWriter();
        assertEquals(0, hunt(out, "--expectations", "expectations"), out.toString());
        assertTrue(out.toString().contains("20 walks from seed 3 on linux:"), out.toString());
        assertTrue(out.toString().contains(", 0 new failures"), out.toString());
        assertFalse(Files.exists(dir.resolve("found")));
    }

    @Test
    void anUnlistedFailureIsShrunkAndSaved() throws Exception {
        Path none = Files.createDirectories(dir.resolve("none"));
        StringWriter out = new StringWriter();
        assertEquals(1, hunt(out, "--expectations", none.toString()), out.toString());
        List<Path> saved;
        try (var files = Files.list(dir.resolve("found"))) {
            saved = files.toList();
        }
        assertFalse(saved.isEmpty(), out.toString());
        String first = Files.readAllLines(saved.get(0)).get(0);
        assertTrue(first.contains("(hunt seed 3)"), first);
        assertTrue(out.toString().contains("shrunk to"), out.toString());
    }
}
