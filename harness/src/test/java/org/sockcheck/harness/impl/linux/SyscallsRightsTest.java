package org.sockcheck.harness.impl.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * sendmsg and recvmsg pass descriptors between sockets (SCM_RIGHTS): the
 * descriptor received is the socket sent, a descriptor that is not open is
 * refused, MSG_PEEK leaves the datagram, and a datagram without
 * descriptors brings none; credentials go with a message (SCM_CREDENTIALS).
 */
class SyscallsRightsTest {
    private static final byte[] HI = "hi".getBytes(StandardCharsets.US_ASCII);

    /** The descriptors a test opened, closed at its end. */
    private final List<Integer> open = new ArrayList<>();

    private int[] pair(Syscalls.Call sys, int type) {
        int[] p = new int[2];
        Syscalls.Result r = sys.socketpair(Syscalls.AF_UNIX, type, 0, p);
        assertFalse(r.failed(), "socketpair: errno " + r.errno());
        open.add(p[0]);
        open.add(p[1]);
        return p;
    }

    private void closeAll(Syscalls.Call sys) {
        for (int fd : open) {
            sys.closeFd(fd);
        }
        open.clear();
    }

    private void keep(int[] received) {
        for (int fd : received) {
            open.add(fd);
        }
    }

    /** Whether the descriptor is close-on-exec: O_CLOEXEC (octal 02000000) in the flags /proc/self/fdinfo shows. */
    private static boolean closeOnExec(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return (Integer.parseInt(line.substring(6).trim(), 8) & 02000000) != 0;
            }
        }
        throw new IOException("no flags in /proc/self/fdinfo/" + fd);
    }

    @Test
    void aSocketSentIsTheSocketReceived() throws IOException {
        try (Syscalls.Call sys = new Syscalls.Call()) {
            try {
                int[] ab = pair(sys, Syscalls.SOCK_DGRAM);
                int[] xy = pair(sys, Syscalls.SOCK_STREAM);
                assertEquals(new Syscalls.Result(2, 0), sys.sendmsg(ab[0], HI, new int[] {xy[0]}, false, 0));
                // The message holds x open: closing it here leaves the socket to whoever receives it.
                assertFalse(sys.closeFd(xy[0]).failed());
                open.remove((Integer) xy[0]);
                MemorySegment buf = sys.arena.allocate(10);
                assertEquals(new Syscalls.Result(2, 0), sys.recvmsg(ab[1], buf, 0));
                int[] got = sys.rightsReceived();
                keep(got);
                assertArrayEquals(HI, buf.asSlice(0, 2).toArray(ValueLayout.JAVA_BYTE));
                assertEquals(1, got.length, "one descriptor received");
                assertTrue(got[0] >= 0, "descriptor " + got[0]);
                assertFalse(sys.controlTruncated());
                assertTrue(closeOnExec(got[0]), "recvmsg asks for MSG_CMSG_CLOEXEC");
                // A byte written on the descriptor received comes out at y: it is x's socket.
                assertEquals(new Syscalls.Result(1, 0), sys.write(got[0], new byte[] {42}));
                MemorySegment one = sys.arena.allocate(1);
                assertEquals(new Syscalls.Result(1, 0), sys.read(xy[1], one));
                assertEquals(42, one.get(ValueLayout.JAVA_BYTE, 0));
            } finally {
                closeAll(sys);
            }
        }
    }

    @Test
    void aDescriptorThatIsNotOpenIsRefusedWithEbadf() {
        try (Syscalls.Call sys = new Syscalls.Call()) {
            try {
                int[] ab = pair(sys, Syscalls.SOCK_DGRAM);
                // A number just freed: nothing else of this test opens a descriptor meanwhile.
                int[] xy = pair(sys, Syscalls.SOCK_STREAM);
                sys.closeFd(xy[0]);
                open.remove((Integer) xy[0]);
                Syscalls.Result r = sys.sendmsg(ab[0], HI, new int[] {xy[0]}, false, 0);
                assertTrue(r.failed(), "sendmsg of a closed descriptor returned " + r.value());
                assertEquals(9, r.errno(), "EBADF");
            } finally {
                closeAll(sys);
            }
        }
    }

    @Test
    void peekingTakesADescriptorAndLeavesTheDatagram() {
        try (Syscalls.Call sys = new Syscalls.Call()) {
            try {
                int[] ab = pair(sys, Syscalls.SOCK_DGRAM);
                int[] xy = pair(sys, Syscalls.SOCK_STREAM);
                assertEquals(new Syscalls.Result(2, 0), sys.sendmsg(ab[0], HI, new int[] {xy[0]}, false, 0));
                MemorySegment buf = sys.arena.allocate(10);
                assertEquals(new Syscalls.Result(2, 0), sys.recvmsg(ab[1], buf, Syscalls.MSG_PEEK));
                int[] peeked = sys.rightsReceived();
                keep(peeked);
                assertEquals(1, peeked.length, "a peek gets the descriptor too");
                assertTrue(peeked[0] >= 0);
                buf.fill((byte) 0);
                assertEquals(new Syscalls.Result(2, 0), sys.recvmsg(ab[1], buf, Syscalls.MSG_DONTWAIT));
                int[] got = sys.rightsReceived();
                keep(got);
                assertArrayEquals(HI, buf.asSlice(0, 2).toArray(ValueLayout.JAVA_BYTE));
                assertEquals(1, got.length, "the datagram still carried its descriptor");
                assertTrue(got[0] >= 0 && got[0] != peeked[0], "a new descriptor " + got[0] + ", not " + peeked[0]);
                // Nothing is left after that.
                Syscalls.Result after = sys.recvmsg(ab[1], buf, Syscalls.MSG_DONTWAIT);
                assertEquals(Syscalls.EAGAIN, after.errno());
                assertEquals(0, sys.rightsReceived().length, "a failed recvmsg brings no descriptor");
            } finally {
                closeAll(sys);
            }
        }
    }

    @Test
    void aDatagramWithoutRightsBringsNone() {
        try (Syscalls.Call sys = new Syscalls.Call()) {
            try {
                int[] ab = pair(sys, Syscalls.SOCK_DGRAM);
                assertEquals(new Syscalls.Result(2, 0), sys.sendmsg(ab[0], HI, new int[0], false, 0));
                MemorySegment buf = sys.arena.allocate(10);
                assertEquals(new Syscalls.Result(2, 0), sys.recvmsg(ab[1], buf, 0));
                assertArrayEquals(HI, buf.asSlice(0, 2).toArray(ValueLayout.JAVA_BYTE));
                assertEquals(0, sys.rightsReceived().length);
                assertFalse(sys.controlTruncated());
            } finally {
                closeAll(sys);
            }
        }
    }

    /**
     * SCM_CREDENTIALS: a datagram sent with this process's own credentials, or
     * to a socket with SO_PASSCRED, shows them to a recvmsg with SO_PASSCRED
     * (and with a descriptor passed beside them); one that carried none shows
     * pid 0 and the kernel's overflow uid and gid; without SO_PASSCRED none.
     */
    @Test
    void credentialsGoWithTheMessageAndShowWithPassCred() {
        try (Syscalls.Call sys = new Syscalls.Call()) {
            try {
                int[] ab = pair(sys, Syscalls.SOCK_DGRAM);
                int[] xy = pair(sys, Syscalls.SOCK_STREAM);
                MemorySegment buf = sys.arena.allocate(10);
                assertEquals(new Syscalls.Result(2, 0), sys.sendmsg(ab[0], HI, new int[0], false, 0));
                assertEquals(new Syscalls.Result(2, 0), sys.sendmsg(ab[0], HI, new int[] {xy[0]}, true, 0));
                assertEquals(new Syscalls.Result(2, 0), sys.recvmsg(ab[1], buf, 0));
                assertNull(sys.credsReceived());
                assertFalse(sys.setsockopt(ab[1], Syscalls.SOL_SOCKET, Syscalls.SO_PASSCRED, 1).failed());
                assertEquals(new Syscalls.Result(2, 0), sys.recvmsg(ab[1], buf, 0));
                assertArrayEquals(Syscalls.ownCredentials(), sys.credsReceived());
                assertEquals(1, sys.rightsReceived().length);
                keep(sys.rightsReceived());
                assertEquals(new Syscalls.Result(2, 0), sys.sendmsg(ab[0], HI, new int[0], false, 0));
                assertEquals(new Syscalls.Result(2, 0), sys.recvmsg(ab[1], buf, 0));
                assertArrayEquals(Syscalls.ownCredentials(), sys.credsReceived());
                assertFalse(sys.setsockopt(ab[1], Syscalls.SOL_SOCKET, Syscalls.SO_PASSCRED, 0).failed());
                assertEquals(new Syscalls.Result(2, 0), sys.sendmsg(ab[0], HI, new int[0], false, 0));
                assertFalse(sys.setsockopt(ab[1], Syscalls.SOL_SOCKET, Syscalls.SO_PASSCRED, 1).failed());
                assertEquals(new Syscalls.Result(2, 0), sys.recvmsg(ab[1], buf, 0));
                assertArrayEquals(new int[] {0, Syscalls.OVERFLOW_UID, Syscalls.OVERFLOW_GID}, sys.credsReceived());
                assertEquals(Math.toIntExact(ProcessHandle.current().pid()), Syscalls.ownCredentials()[0]);
            } finally {
                closeAll(sys);
            }
        }
    }
}
