package org.sockcheck.harness.impl;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A socket closed while a process is being started stays open in the new
 * process until it execs (a loaded machine showed a closed connection still
 * ESTABLISHED). Spawns keeps the two apart: checked with a start held up by
 * its own input, a FIFO that nobody has opened for writing yet (the JVM
 * opens a redirect before it clones itself).
 */
class SpawnsTest {
    @Test
    void aCloseWaitsUntilAStartUnderWayHasExeced(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("input");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertTrue(mk.waitFor(10, TimeUnit.SECONDS) && mk.exitValue() == 0, "mkfifo " + fifo);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<Process> started = threads.submit(() -> Spawns.start(new ProcessBuilder("cat")
                    .redirectInput(fifo.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD)));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Spawns.starting() && System.nanoTime() < end) {
                Thread.sleep(1);
            }
            assertTrue(Spawns.starting(), "the start holds the guard while it opens its input");

            Future<String> close = threads.submit(() -> Spawns.closing(() -> "closed"));
            assertThrows(TimeoutException.class, () -> close.get(300, TimeUnit.MILLISECONDS),
                    "a close made while a process starts waits for the start");

            // A writer lets the start go on: the close follows it.
            try (var w = Files.newOutputStream(fifo)) {
                Process cat = started.get(10, TimeUnit.SECONDS);
                assertTrue("closed".equals(close.get(10, TimeUnit.SECONDS)));
                assertFalse(Spawns.starting());
                w.close();
                assertTrue(cat.waitFor(10, TimeUnit.SECONDS), "cat ends at its input's end");
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void closesDoNotWaitForEachOther() throws Exception {
        // A close that holds the guard (as a close of a socket in progress does) lets another close through.
        String inner = Spawns.closing(() -> {
            ExecutorService other = Executors.newSingleThreadExecutor();
            try {
                return other.submit(() -> Spawns.closing(() -> "second")).get(10, TimeUnit.SECONDS);
            } finally {
                other.shutdownNow();
            }
        });
        assertTrue("second".equals(inner));
    }
}
