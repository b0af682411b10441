package org.sockcheck.harness.impl;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A folder is removed with all it holds, links removed and not followed. */
class FileTreesTest {
    @Test
    void aTreeGoesAndWhatItsLinksPointToStays(@TempDir Path dir) throws IOException {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Path kept = Files.writeString(outside.resolve("kept.txt"), "kept");
        for (boolean quietly : new boolean[] {false, true}) {
            Path tree = Files.createDirectories(dir.resolve("tree/a/b"));
            Files.writeString(tree.resolve("f"), "x");
            Files.createSymbolicLink(dir.resolve("tree/a/to-outside"), outside);
            Files.createSymbolicLink(dir.resolve("tree/to-file"), kept);
            if (quietly) {
                FileTrees.removeQuietly(dir.resolve("tree"));
            } else {
                FileTrees.remove(dir.resolve("tree"));
            }
            assertFalse(Files.exists(dir.resolve("tree"), java.nio.file.LinkOption.NOFOLLOW_LINKS), "quietly " + quietly);
            assertTrue(Files.isRegularFile(kept), "a link's target removed (quietly " + quietly + ")");
        }
    }

    @Test
    void aMissingFolderIsAnErrorOnlyWhenNotQuiet(@TempDir Path dir) {
        assertThrows(IOException.class, () -> FileTrees.remove(dir.resolve("none")));
        FileTrees.removeQuietly(dir.resolve("none"));
        assertTrue(Files.isDirectory(dir));
    }
}
