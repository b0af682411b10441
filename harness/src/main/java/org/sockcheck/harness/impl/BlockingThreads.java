package org.sockcheck.harness.impl;

import java.time.Duration;
import java.util.concurrent.locks.Lock;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Outcome;

/**
 * The threads of a trace for an implementation whose calls block the thread
 * that makes them ({@code linux}'s system calls, {@code jdk}'s channels):
 * made when the trace first calls on a thread, guarded by the
 * implementation's lock, ended with the trace. What the implementation's
 * {@link Implementation#call(String, String, String, ApiCall, Duration)} and
 * {@link Implementation#awaitReturn} do.
 */
public final class BlockingThreads {
    /** How many call timeouts a call on a thread of a format-2 trace may wait: from its call to its return line. */
    public static final int WAIT_FACTOR = 6;

    private final Lock lock;
    private Threaded threads;

    private final java.util.function.BooleanSupplier quiet;

    /**
     * lock: the one that guards the implementation's state;
     * quiet: whether nothing but another event of the trace can end a call
     * that Linux says sleeps, or null (see {@link Threaded}).
     */
    public BlockingThreads(Lock lock, java.util.function.BooleanSupplier quiet) {
        this.lock = lock;
        this.quiet = quiet;
    }

    /** Whether the trace runs threads; read under the lock. */
    public boolean active() {
        return threads != null;
    }

    /** Whether the trace runs threads (format 2): its calls may wait from their call to their return line. */
    private boolean concurrent;

    /** How long one call may wait: the call timeout, {@link #WAIT_FACTOR} times it when the trace runs threads. */
    public int waitMs(int timeoutMs) {
        return !concurrent ? timeoutMs : (int) Math.min(Integer.MAX_VALUE, (long) WAIT_FACTOR * timeoutMs);
    }

    /** Makes the call of a thread of a format-2 trace on a thread: its outcome when it returns within wait, else Blocked. */
    public Outcome call(String host, String process, String thread, ApiCall call, Duration wait, Threaded.Call make)
            throws ImplementationException {
        return on(true, host, process, thread, call, wait, make, true);
    }

    /**
     * {@link #call(String, String, String, ApiCall, Duration, Threaded.Call)},
     * the kernel's word that the thread sleeps taken only when kernelWord
     * (see {@link Threaded#call(String, String, String, Threaded.Call, Duration, boolean)}).
     */
    public Outcome call(String host, String process, String thread, ApiCall call, Duration wait, Threaded.Call make,
                        boolean kernelWord) throws ImplementationException {
        return on(true, host, process, thread, call, wait, make, kernelWord);
    }

    /**
     * Makes a call of a format-1 trace (one call at a time) on a thread, so
     * that the kernel's word can end its wait: its outcome when it returns
     * within wait, else Blocked. The trace's calls keep format 1's bound.
     */
    public Outcome callAlone(String host, String process, String thread, ApiCall call, Duration wait, Threaded.Call make)
            throws ImplementationException {
        return on(false, host, process, thread, call, wait, make, true);
    }

    private Outcome on(boolean format2, String host, String process, String thread, ApiCall call, Duration wait,
                       Threaded.Call make, boolean kernelWord) throws ImplementationException {
        Threaded t;
        lock.lock();
        try {
            concurrent |= format2;
            if (threads == null) {
                threads = new Threaded(quiet);
            }
            t = threads;
            if (call instanceof ApiCall.Exit && t.othersWait(host, process, thread)) {
                throw new Implementation.Unsupported("exit of a process with a thread that waits in a call: the runner"
                        + " plays every process in one JVM, and a thread that waits in a call cannot end with its process");
            }
        } finally {
            lock.unlock();
        }
        return t.call(host, process, thread, make, wait, kernelWord);
    }

    /** The outcome of the call a thread waits in, when it returns within wait; else Blocked. */
    public Outcome awaitReturn(String host, String process, String thread, Duration wait) throws ImplementationException {
        Threaded t;
        lock.lock();
        try {
            t = threads;
        } finally {
            lock.unlock();
        }
        if (t == null) {
            throw new ImplementationException(host + "." + process + "." + thread + " waits in no call");
        }
        return t.awaitReturn(host, process, thread, wait);
    }

    /** Ends the threads (under the lock): whether there were any, whose waits the implementation must now wake. */
    public boolean close() {
        concurrent = false;
        if (threads == null) {
            return false;
        }
        threads.close();
        threads = null;
        return true;
    }
}
