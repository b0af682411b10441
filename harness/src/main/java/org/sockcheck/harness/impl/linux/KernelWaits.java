package org.sockcheck.harness.impl.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Whether a thread of this JVM waits in the kernel inside a call that can
 * block on a socket, as Linux says it: the thread sleeps interruptibly
 * (state S in /proc/self/task/TID/stat, how a socket call waits for data,
 * a connection or room) and the system call it is in
 * (/proc/self/task/TID/syscall) is one of the socket calls that wait. A
 * thread that runs, waits for a lock of the JVM (futex) or has not entered
 * its call yet is not waiting.
 *
 * <p>With this the runner sees at once that a call blocks, where it had to
 * give every blocking call a fixed time (200 ms to the whole call timeout)
 * before calling it blocked; a thread that Linux has not put to sleep is
 * given the whole time, so a loaded machine makes runs slower, not wrong.
 * Where /proc does not tell (another system, another architecture), {@link
 * #AVAILABLE} is false and the fixed times stay.
 */
public final class KernelWaits {
    /**
     * The system calls a socket call of a run can sleep in, by number, for
     * each architecture sockcheck knows: read, write, readv, writev, poll,
     * ppoll, select, pselect6, epoll_wait, epoll_pwait, connect, accept,
     * accept4, sendto, recvfrom, sendmsg, recvmsg, sendmmsg, recvmmsg and
     * close (SO_LINGER). Numbers from the kernel's syscall tables
     * (arch/x86/entry/syscalls/syscall_64.tbl, include/uapi/asm-generic/unistd.h).
     */
    private static final Map<String, Set<Integer>> WAITING_CALLS = Map.of(
            "amd64", Set.of(0, 1, 19, 20, 7, 271, 23, 270, 232, 281, 42, 43, 288, 44, 45, 46, 47, 307, 299, 3),
            "aarch64", Set.of(63, 64, 65, 66, 73, 72, 22, 203, 202, 242, 206, 207, 211, 212, 269, 243, 57));

    private static final Set<Integer> CALLS = WAITING_CALLS.getOrDefault(System.getProperty("os.arch"), Set.of());
    private static final MethodHandle GETTID = gettid();

    /** Whether this machine says where a thread waits (Linux, a known architecture, /proc readable). */
    public static final boolean AVAILABLE = GETTID != null && !CALLS.isEmpty() && readable();

    private KernelWaits() {
    }

    private static MethodHandle gettid() {
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find("gettid")
                    .map(f -> linker.downcallHandle(f, FunctionDescriptor.of(JAVA_INT))).orElse(null);
        } catch (RuntimeException | LinkageError e) {
            // No native access, or no gettid in this C library: the fixed times stay.
            return null;
        }
    }

    private static boolean readable() {
        int tid = self();
        return tid > 0 && Files.isReadable(task(tid, "syscall")) && Files.isReadable(task(tid, "stat"));
    }

    private static Path task(int tid, String file) {
        return Path.of("/proc/self/task", Integer.toString(tid), file);
    }

    /** The kernel's id of the calling thread; -1 when it cannot be had. */
    public static int self() {
        if (GETTID == null) {
            return -1;
        }
        try {
            return (int) GETTID.invokeExact();
        } catch (Throwable e) {
            return -1;
        }
    }

    /**
     * Whether thread tid of this JVM sleeps in one of the socket calls that
     * wait. False when it runs, is in another system call, or /proc does not
     * say (the thread ended).
     */
    public static boolean asleepInCall(int tid) {
        if (!AVAILABLE || tid <= 0) {
            return false;
        }
        try {
            // stat: "TID (COMM) STATE ...": the command may hold spaces and parentheses; the state follows the last ')'.
            String stat = Files.readString(task(tid, "stat"), StandardCharsets.ISO_8859_1);
            int close = stat.lastIndexOf(')');
            if (close < 0 || close + 2 >= stat.length() || stat.charAt(close + 2) != 'S') {
                return false;
            }
            // syscall: the number and its arguments, or "running", or "-1 ..." outside any call.
            String call = Files.readString(task(tid, "syscall"), StandardCharsets.ISO_8859_1).trim();
            int space = call.indexOf(' ');
            String number = space < 0 ? call : call.substring(0, space);
            return number.chars().allMatch(Character::isDigit) && !number.isEmpty()
                    && CALLS.contains(Integer.parseInt(number));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
