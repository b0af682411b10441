package org.sockcheck.harness.impl.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.impl.Addressing;
import org.sockcheck.harness.impl.TraceSetup;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.Profile;
import org.sockcheck.spec.SockOpt;
import org.sockcheck.spec.SockType;

/**
 * Linux says when a thread sleeps in a socket call, and the runner takes
 * its word: a call that blocks is seen to block without waiting out the
 * call timeout, and a thread that waits for anything else (a lock of the
 * JVM) is not taken for one that blocks.
 */
class KernelWaitsTest {
    /** Each wait below for a thread to reach a state ends after this many checks 1 ms apart. */
    private static final int CHECKS = 10_000;

    @BeforeAll
    static void linuxSays() {
        assumeTrue(KernelWaits.AVAILABLE, "this machine's /proc does not say where a thread waits");
    }

    @Test
    void aThreadInRecvIsAsleepInItsCallUntilWoken() throws Exception {
        AtomicInteger tid = new AtomicInteger();
        int fd;
        try (Syscalls.Call sys = new Syscalls.Call()) {
            fd = (int) sys.socket(Syscalls.SOCK_DGRAM, 0).value();
            assertFalse(sys.bind(fd, new Endpoint("127.0.0.1", 0)).failed());
        }
        CompletableFuture<Syscalls.Result> recv = CompletableFuture.supplyAsync(() -> {
            tid.set(KernelWaits.self());
            try (Syscalls.Call sys = new Syscalls.Call()) {
                MemorySegment buf = sys.arena.allocate(16);
                return sys.recvfrom(fd, buf, 0, MemorySegment.NULL);
            }
        }, r -> new Thread(r, "kernel-waits-recv").start());
        try {
            int seen = checksUntil(() -> tid.get() > 0 && KernelWaits.asleepInCall(tid.get()));
            assertTrue(seen < CHECKS, "the thread in recvfrom was never seen asleep in it");
        } finally {
            try (Syscalls.Call sys = new Syscalls.Call()) {
                sys.shutdown(fd, 2);
                sys.closeFd(fd);
            }
        }
        recv.get();
        assertFalse(KernelWaits.asleepInCall(tid.get()), "a thread that returned and ended");
    }

    @Test
    void aThreadParkedByTheJvmIsNotInASocketCall() throws Exception {
        AtomicInteger tid = new AtomicInteger();
        Thread parked = new Thread(() -> {
            tid.set(KernelWaits.self());
            LockSupport.park();
        }, "kernel-waits-park");
        parked.start();
        try {
            assertTrue(checksUntil(() -> parked.getState() == Thread.State.WAITING) < CHECKS, "the thread never parked");
            // Parked, it sleeps in futex: asleep, but not in a call a socket waits in.
            for (int i = 0; i < 50; i++) {
                assertFalse(KernelWaits.asleepInCall(tid.get()), "a parked thread taken for one in a socket call");
                Thread.sleep(1);
            }
        } finally {
            LockSupport.unpark(parked);
            parked.join();
        }
    }

    @Test
    void aBlockingRecvOfATraceIsSeenToBlockBeforeItsTimeout() throws Exception {
        try (LinuxImplementation linux = new LinuxImplementation()) {
            // A call timeout no run of this test can reach: the answer must come from the kernel's word.
            Addressing a = linux.start(new TraceSetup(Profile.LINUX, List.of("A"), List.of("A.p1"), List.of(80),
                    Duration.ofMinutes(10)));
            assertEquals(new Outcome.Value(3), linux.call("A", "p1", new ApiCall.Socket(SockType.DGRAM, 0)));
            Endpoint at = new Endpoint(a.hostIps().get("A"), a.ports().get(80));
            assertEquals(new Outcome.Value(0), linux.call("A", "p1", new ApiCall.Bind(3, at)));
            Outcome o = linux.call("A", "p1", new ApiCall.Recv(3, 10));
            Outcome.Blocked blocked = assertInstanceOf(Outcome.Blocked.class, o);
            assertTrue(blocked.why().contains("asleep in the kernel"), blocked.why());
            linux.stop();
        }
    }

    /**
     * A call the kernel's word is taken for is called blocked as soon as
     * its thread is seen asleep in recvfrom; the same call without it (a
     * close that does not linger, in linux's use) is given its whole wait.
     */
    @Test
    void theKernelsWordIsTakenOnlyForCallsThatAskForIt() throws Exception {
        int[] fds = new int[2];
        try (Syscalls.Call sys = new Syscalls.Call()) {
            for (int i = 0; i < fds.length; i++) {
                fds[i] = (int) sys.socket(Syscalls.SOCK_DGRAM, 0).value();
                assertFalse(sys.bind(fds[i], new Endpoint("127.0.0.1", 0)).failed());
            }
        }
        java.util.function.IntFunction<org.sockcheck.harness.impl.Threaded.Call> recv = fd -> () -> {
            try (Syscalls.Call sys = new Syscalls.Call()) {
                return new Outcome.Value(sys.recvfrom(fd, sys.arena.allocate(16), 0, MemorySegment.NULL).value());
            }
        };
        try (org.sockcheck.harness.impl.Threaded threads = new org.sockcheck.harness.impl.Threaded(() -> true)) {
            Outcome taken = threads.call("A", "p1", "t1", recv.apply(fds[0]), Duration.ofMinutes(5), true);
            assertTrue(assertInstanceOf(Outcome.Blocked.class, taken).why().contains("asleep in the kernel"), taken.toString());
            long start = System.nanoTime();
            // Two seconds: long enough for the thread to be seen asleep on a loaded machine, were the word taken.
            Outcome given = threads.call("A", "p1", "t2", recv.apply(fds[1]), Duration.ofSeconds(2), false);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(assertInstanceOf(Outcome.Blocked.class, given).why().contains("no return within 2000 ms"),
                    given.toString());
            assertTrue(tookMs >= 2000, "called blocked after " + tookMs + " ms, before its wait ended");
        } finally {
            try (Syscalls.Call sys = new Syscalls.Call()) {
                for (int fd : fds) {
                    sys.shutdown(fd, 2);
                    sys.closeFd(fd);
                }
            }
        }
    }

    /** Which sockets' close the kernel's word is taken for (linux, format 2): those that linger. */
    @Test
    void aSocketLingersWithSoLingerOnAndATime() throws Exception {
        try (LinuxImplementation linux = new LinuxImplementation()) {
            linux.start(new TraceSetup(Profile.LINUX, List.of("A"), List.of("A.p1"), List.of(80), Duration.ofSeconds(5)));
            assertEquals(new Outcome.Value(3), linux.call("A", "p1", new ApiCall.Socket(SockType.STREAM, 0)));
            assertFalse(linux.lingers("A", "p1", 3), "a new socket");
            assertEquals(new Outcome.Value(0), linux.call("A", "p1", new ApiCall.SetSockOpt(3, SockOpt.SO_LINGER, 1, 5)));
            assertTrue(linux.lingers("A", "p1", 3), "SO_LINGER {1, 5}");
            assertEquals(new Outcome.Value(0), linux.call("A", "p1", new ApiCall.SetSockOpt(3, SockOpt.SO_LINGER, 0, 3)));
            assertFalse(linux.lingers("A", "p1", 3), "SO_LINGER {0, 3}");
            assertFalse(linux.lingers("A", "p1", 4), "a descriptor the process does not have");
            linux.stop();
        }
    }

    /** How many checks 1 ms apart it took for the condition to hold (CHECKS: it never did). */
    private static int checksUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        int n = 0;
        while (n < CHECKS && !condition.getAsBoolean()) {
            Thread.sleep(1);
            n++;
        }
        return n;
    }
}
