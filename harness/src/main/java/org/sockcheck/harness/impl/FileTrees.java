package org.sockcheck.harness.impl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Removing a folder with everything in it, deepest first, the one walk the
 * runner's own folders share (the report folder's parts, a run's folder of
 * Unix names, a driver check's folder, Allure's warm-up). A symbolic link
 * is removed, never followed: what it points to stays.
 */
public final class FileTrees {
    private FileTrees() {
    }

    /** Removes dir and all it holds; the first file that cannot be removed stops it, with its reason. */
    public static void remove(Path dir) throws IOException {
        for (Path f : deepestFirst(dir)) {
            Files.deleteIfExists(f);
        }
    }

    /** {@link #remove}, as far as it goes: what cannot be removed (gone already, another's) is left. */
    public static void removeQuietly(Path dir) {
        List<Path> all;
        try {
            all = deepestFirst(dir);
        } catch (IOException e) {
            return;
        }
        for (Path f : all) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException e) {
                // left: the folder above it stays too
            }
        }
    }

    private static List<Path> deepestFirst(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.sorted(Comparator.reverseOrder()).toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
