package org.sockcheck.harness.impl;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The 127.X.Y.0/24 blocks the kernel's runs of this JVM use, kept apart from
 * those of any other sockcheck process on the machine. A JVM reserves a
 * whole slice 127.X.0.0/16 by a lock on the file X.lock in a folder of the
 * system's temporary files (an fcntl lock: the kernel frees it when the JVM
 * ends, however it ends), and hands out the slice's blocks one per trace,
 * skipping any block a socket of the machine uses when the slice is taken
 * (an earlier run's TIME-WAIT). Two check runs started at once, each with
 * its workers, so never give two traces one block. When no slice can be
 * reserved (the folder cannot be written, every slice is held), blocks are
 * chosen at random as before, avoiding those in use.
 */
final class LoopbackBlocks {
    /** The slices: 127.64 to 127.191 (127.0.0.1's slice and the others stay free for other uses). */
    static final int FIRST_X = 64;
    static final int SLICES = 128;

    /** The lock files: under TMPDIR or /tmp (not java.io.tmpdir, which the spec's loading changes for a moment). */
    private static final Path DIR = Path.of(System.getenv().getOrDefault("TMPDIR", "/tmp"), "sockcheck-loopback");

    private static FileChannel channel;
    private static FileLock lock;
    private static int x = -1;
    private static int y;
    private static Set<String> busy = Set.of();

    private LoopbackBlocks() {
    }

    /** A block 127.x.y.0/24. */
    record Block(int x, int y) {
    }

    /** The next block of this JVM's slice; empty when no slice could be reserved. */
    static synchronized Optional<Block> next() {
        while (true) {
            if (x < 0 && !reserve()) {
                return Optional.empty();
            }
            while (++y <= 254) {
                if (!busy.contains(x + "." + y)) {
                    return Optional.of(new Block(x, y));
                }
            }
            // The slice is used up: the next one (this one's sockets in TIME-WAIT are in use for its next taker).
            release();
        }
    }

    /** The slice this JVM holds now, or -1. */
    static synchronized int slice() {
        return x;
    }

    /** The lock file of a slice. */
    static Path lockFile(int slice) {
        return DIR.resolve(slice + ".lock");
    }

    private static boolean reserve() {
        List<Integer> order = new ArrayList<>();
        for (int k = 0; k < SLICES; k++) {
            order.add(FIRST_X + k);
        }
        Collections.shuffle(order);
        try {
            Files.createDirectories(DIR);
        } catch (IOException e) {
            return false;
        }
        for (int candidate : order) {
            FileChannel c = null;
            try {
                c = FileChannel.open(lockFile(candidate), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock l = c.tryLock();
                if (l != null) {
                    channel = c;
                    lock = l;
                    x = candidate;
                    y = 0;
                    busy = Loopback.blocksInUse();
                    return true;
                }
                c.close();
            } catch (IOException | OverlappingFileLockException e) {
                closeQuietly(c);
            }
        }
        return false;
    }

    private static void release() {
        try {
            lock.release();
        } catch (IOException e) {
            // Closing the channel below frees the lock as well.
        }
        closeQuietly(channel);
        channel = null;
        lock = null;
        x = -1;
    }

    private static void closeQuietly(FileChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // nothing held any more
            }
        }
    }
}
