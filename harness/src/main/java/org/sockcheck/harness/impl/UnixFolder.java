package org.sockcheck.harness.impl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A run's place for Unix domain sockets' names (S20): a folder
 * $TMPDIR/sc-PID-N with a folder per host (0700: the run's own), made when
 * the trace makes its first Unix socket and removed with every socket file
 * in it when the run stops (also on Ctrl-C, from the implementation's
 * shutdown hook), and an abstract prefix sockcheck-PID-N- of its own. N
 * counts the runs of every implementation of this JVM: no two runs share a
 * name.
 */
public final class UnixFolder {
    private static final AtomicLong RUNS = new AtomicLong();

    private final Path dir;
    private final String abstractPrefix;
    private volatile boolean made;

    private UnixFolder(Path dir, String abstractPrefix) {
        this.dir = dir;
        this.abstractPrefix = abstractPrefix;
    }

    /** The names of a new run (nothing is made yet). */
    public static UnixFolder next() {
        long run = RUNS.incrementAndGet();
        long pid = ProcessHandle.current().pid();
        return new UnixFolder(Path.of(System.getProperty("java.io.tmpdir"), "sc-" + pid + "-" + run),
                "sockcheck-" + pid + "-" + run + "-");
    }

    public Path dir() {
        return dir;
    }

    public String abstractPrefix() {
        return abstractPrefix;
    }

    /** Makes the folder and one in it for each host, once. */
    public void make(Collection<String> hosts) throws ImplementationException {
        if (made) {
            return;
        }
        try {
            var owner = java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                // A folder of this name left by a JVM that was killed, whose process number this one has now.
                made = true;
                remove();
            }
            Files.createDirectory(dir, owner);
            made = true;
            for (String h : hosts) {
                Files.createDirectory(dir.resolve(h), owner);
            }
        } catch (IOException e) {
            throw new ImplementationException("cannot make the run's folder of Unix names " + dir + ": " + e.getMessage());
        }
    }

    /** Removes the folder with every socket file in it, if it was made. */
    public void remove() {
        if (!made) {
            return;
        }
        made = false;
        FileTrees.removeQuietly(dir);
    }
}
