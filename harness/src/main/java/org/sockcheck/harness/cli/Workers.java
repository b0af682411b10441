package org.sockcheck.harness.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Option;

/**
 * {@code -j N} of check and validate, and the workers it gives: N threads
 * that each take the next item as they are free.
 */
final class Workers {
    @Option(names = {"-j", "--jobs"}, paramLabel = "N",
            description = "Work on N threads at once (check: each with its own instance of every implementation and"
                    + " its own judge; kernel runs use address blocks of their own). Default: twice the number of cores"
                    + " for check's runs (a run mostly waits for its stack), the number of cores for validate and for"
                    + " check's reading of the traces' results before the runs.")
    Integer jobs;

    /** What is wrong with -j, if anything. */
    Optional<String> problem() {
        return jobs != null && (jobs < 1 || jobs > 256) ? Optional.of("--jobs must be from 1 to 256, found " + jobs)
                : Optional.empty();
    }

    /** How many workers for this much of the spec's work: -j, else the cores; never more than the items, at least one. */
    int forItems(int items) {
        return bounded(Runtime.getRuntime().availableProcessors(), items);
    }

    /**
     * How many workers for this many runs: -j, else twice the cores. A run
     * spends most of its time waiting for its stack (a system call, a
     * driver's reply, a call that blocks), not on a core: on two cores the
     * default check took 5.9 s with two workers and 4.5 s with four
     * (docs/performance.md).
     */
    int forRuns(int items) {
        return bounded(Math.min(256, 2 * Runtime.getRuntime().availableProcessors()), items);
    }

    /** -j, else byDefault; never more than the items, at least one. */
    private int bounded(int byDefault, int items) {
        return Math.max(1, Math.min(jobs != null ? jobs : byDefault, items));
    }

    /** One item's work on a worker. */
    @FunctionalInterface
    interface Work {
        void run(int worker, int item);
    }

    /**
     * Runs work for each item 0..items-1 once, on workers threads (on the
     * caller's own when one), each worker taking the next item as it is free.
     * The first RuntimeException stops the taking of new items and is thrown
     * once every worker has stopped.
     */
    static void run(int workers, int items, String name, Work work) {
        AtomicInteger next = new AtomicInteger();
        AtomicReference<RuntimeException> failed = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            int worker = w;
            Runnable mine = () -> {
                try {
                    for (int k; failed.get() == null && (k = next.getAndIncrement()) < items; ) {
                        work.run(worker, k);
                    }
                } catch (RuntimeException e) {
                    failed.compareAndSet(null, e);
                }
            };
            if (workers == 1) {
                mine.run();
            } else {
                threads.add(Thread.ofPlatform().name(name + "-" + (w + 1)).start(mine));
            }
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the workers ran", e);
            }
        }
        if (failed.get() != null) {
            throw failed.get();
        }
    }
}
