package org.sockcheck.harness.impl;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.sockcheck.harness.impl.linux.KernelWaits;
import org.sockcheck.spec.Outcome;

/**
 * The threads of a trace's processes, for an implementation whose calls
 * block the thread that makes them (a kernel's syscalls, java.nio's
 * channels): each call is made on a thread of its own (of a pool, see
 * {@link #POOL}), so that one can wait in a call while the others go on. A
 * call that still waits when the trace ends is forgotten by {@link #close}
 * (the implementation wakes it by shutting its sockets down).
 */
public final class Threaded implements AutoCloseable {
    /** A call as the implementation makes it on the caller's thread. */
    @FunctionalInterface
    public interface Call {
        Outcome make() throws ImplementationException;
    }

    /**
     * A call made and not yet returned: its outcome to come, the kernel's id
     * of the thread that makes it, and whether the kernel's word that it
     * sleeps is taken for it.
     */
    private record Pending(Future<Outcome> outcome, java.util.concurrent.atomic.AtomicInteger tid, boolean kernelWord) {
    }

    private final Map<String, Pending> waiting = new HashMap<>();
    /**
     * The threads calls are made on, shared by every trace and worker: a
     * call waits on a thread of its own while the others go on, and a
     * thread that a call left is taken by the next (made anew for each trace
     * and each of its processes, threads cost about a millisecond a trace).
     * A trace's thread makes one call at a time, so which of the pool's
     * threads makes it does not matter; its kernel id is taken at each call.
     */
    private static final ExecutorService POOL = Executors.newCachedThreadPool(new java.util.concurrent.ThreadFactory() {
        private final java.util.concurrent.atomic.AtomicInteger made = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread th = new Thread(r, "sockcheck-call-" + made.incrementAndGet());
            th.setDaemon(true);
            return th;
        }
    });

    /** Whether nothing but another event of the trace can end a wait that Linux says is asleep. */
    private final java.util.function.BooleanSupplier quiet;

    /**
     * quiet: whether nothing but another event of the trace can end a wait
     * now (no packet on its way, no timer of the protocol that can move a
     * connection on); null when the kernel's word is not taken, and a call
     * is given its whole wait.
     */
    public Threaded(java.util.function.BooleanSupplier quiet) {
        this.quiet = quiet;
    }

    private static String key(String host, String process, String thread) {
        return host + "." + process + "." + thread;
    }

    /** Makes the call on the caller's thread: its outcome when it returns within wait, else Blocked. */
    public Outcome call(String host, String process, String thread, Call call, Duration wait)
            throws ImplementationException {
        return call(host, process, thread, call, wait, true);
    }

    /**
     * {@link #call(String, String, String, Call, Duration)}, the kernel's
     * word taken only when kernelWord: without it the call is given its
     * whole wait (for a call that cannot wait in the kernel, such as the
     * close of a socket that does not linger: such a close was once seen
     * asleep under load, for a cause not found; docs/performance.md).
     */
    public Outcome call(String host, String process, String thread, Call call, Duration wait, boolean kernelWord)
            throws ImplementationException {
        String k = key(host, process, thread);
        synchronized (this) {
            if (waiting.containsKey(k)) {
                throw new ImplementationException(k + " still waits in a call");
            }
            // Each call its own thread id: the last call of this trace thread may have run on another of the pool's.
            java.util.concurrent.atomic.AtomicInteger tid = new java.util.concurrent.atomic.AtomicInteger();
            waiting.put(k, new Pending(POOL.submit(() -> {
                tid.set(KernelWaits.self());
                return call.make();
            }), tid, kernelWord));
        }
        return await(k, wait);
    }

    /** The outcome of the call the thread waits in, when it returns within wait; else Blocked. */
    public Outcome awaitReturn(String host, String process, String thread, Duration wait) throws ImplementationException {
        return await(key(host, process, thread), wait);
    }

    private Outcome await(String k, Duration wait) throws ImplementationException {
        Pending p;
        synchronized (this) {
            p = waiting.get(k);
        }
        if (p == null) {
            throw new ImplementationException(k + " waits in no call");
        }
        Future<Outcome> f = p.outcome();
        try {
            Outcome o = wait.isZero() ? (f.isDone() ? f.get() : null) : returned(p, wait);
            if (o == null) {
                return new Outcome.Blocked(wait.isZero() ? "no return yet"
                        : "asleep in the kernel in its call, the network quiet (Linux's /proc)");
            }
            synchronized (this) {
                waiting.remove(k);
            }
            return o;
        } catch (TimeoutException e) {
            return new Outcome.Blocked("no return within " + wait.toMillis() + " ms");
        } catch (ExecutionException e) {
            synchronized (this) {
                waiting.remove(k);
            }
            if (e.getCause() instanceof ImplementationException ie) {
                throw ie;
            }
            throw new ImplementationException("the call failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImplementationException("interrupted while waiting for a call", e);
        }
    }

    /**
     * The outcome of the call when it returns within wait; null when Linux
     * says, before that, that the thread sleeps in its call while the
     * network is quiet ({@link KernelWaits}, the quiet given): then nothing
     * but another event of the trace can end the wait.
     *
     * @throws TimeoutException when the call neither returned nor was seen asleep within wait
     */
    private Outcome returned(Pending p, Duration wait)
            throws InterruptedException, ExecutionException, TimeoutException {
        Future<Outcome> f = p.outcome();
        if (!KernelWaits.AVAILABLE || quiet == null || !p.kernelWord()) {
            return f.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        }
        long end = System.nanoTime() + wait.toNanos();
        long slice = 50_000;
        // When the thread was first seen asleep with the network quiet, in this stretch of such sightings; -1 none.
        long quietSince = -1;
        while (true) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException();
            }
            try {
                return f.get(Math.min(slice, left), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                slice = Math.min(2 * slice, 2_000_000);
            }
            int tid = p.tid().get();
            // What can end a sleeping call by itself is in quiet (a delayed ACK is a segment the sender counts as
            // unacknowledged; until that was counted, the kernel's word was taken only after 50 ms). The sighting
            // must hold twice, CONFIRM_NS apart: a packet a softirq has taken off a backlog and not yet delivered
            // is in no count for that while.
            boolean asleep = tid > 0 && KernelWaits.asleepInCall(tid) && quiet.getAsBoolean()
                    && KernelWaits.asleepInCall(tid) && !f.isDone();
            long now = System.nanoTime();
            if (!asleep) {
                quietSince = -1;
            } else if (quietSince < 0) {
                quietSince = now;
                slice = Math.min(slice, CONFIRM_NS);
            } else if (now - quietSince >= CONFIRM_NS) {
                return null;
            }
        }
    }

    /** How long apart the two sightings of a quiet sleep that make a call blocked are. */
    static final long CONFIRM_NS = 200_000;

    /** Whether a thread of the process other than this one waits in a call. */
    public synchronized boolean othersWait(String host, String process, String thread) {
        String prefix = host + "." + process + ".";
        return waiting.keySet().stream().anyMatch(k -> k.startsWith(prefix) && !k.equals(prefix + thread));
    }

    /**
     * Forgets the trace's threads; a call that still waits in the kernel
     * ends once the implementation's stop wakes it, and its thread goes back
     * to the pool.
     */
    @Override
    public synchronized void close() {
        waiting.values().forEach(p -> p.outcome().cancel(true));
        waiting.clear();
    }
}
