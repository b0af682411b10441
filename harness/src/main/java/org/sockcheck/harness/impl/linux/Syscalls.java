package org.sockcheck.harness.impl.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Map;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.sockcheck.spec.Endpoint;

/**
 * The socket system calls of Linux through the FFM API, each returning the
 * raw result and capturing errno right after the call, before the JVM can
 * disturb it. struct sockaddr_in, sockaddr_in6 and sockaddr_un are built
 * by hand.
 */
final class Syscalls {
    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int IPPROTO_IPV6 = 41;
    static final int IPV6_V6ONLY = 26;
    /** unshare(2)'s and setns(2)'s flag of a network namespace. */
    static final int CLONE_NEWNET = 0x40000000;
    static final int O_RDONLY = 0;
    static final int O_CLOEXEC = 0x80000;
    static final int SOCK_SEQPACKET = 5;
    static final int SOCK_STREAM = 1;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOCK_NONBLOCK = 0x800;
    static final int O_NONBLOCK = 0x800;
    static final int F_GETFL = 3;
    static final int F_SETFL = 4;
    static final int SO_ERROR = 4;
    static final int SO_TYPE = 3;
    static final int SO_ACCEPTCONN = 30;
    static final int SO_PROTOCOL = 38;
    static final int SO_DOMAIN = 39;
    static final int SOL_SOCKET = 1;
    static final int SO_REUSEADDR = 2;
    static final int SO_RCVTIMEO = 20;
    static final int SO_BROADCAST = 6;
    static final int SO_REUSEPORT = 15;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int SO_KEEPALIVE = 9;
    static final int SO_LINGER = 13;
    static final int SO_ATTACH_FILTER = 26;
    static final int TCP_NODELAY = 1;
    static final int SO_SNDTIMEO = 21;
    static final int IPPROTO_TCP = 6;
    static final int TCP_INFO = 11;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int MSG_PEEK = 0x2;
    static final int MSG_DONTWAIT = 0x40;
    static final int MSG_WAITALL = 0x100;
    static final int MSG_TRUNC = 0x20;
    /** msg_flags of recvmsg: the control buffer had no room for all the control data. */
    static final int MSG_CTRUNC = 0x8;
    /** recvmsg's flag that makes each descriptor it receives close-on-exec. */
    static final int MSG_CMSG_CLOEXEC = 0x40000000;
    /** The control message type (at level SOL_SOCKET) that carries descriptors. */
    static final int SCM_RIGHTS = 1;
    /** The control message type (at level SOL_SOCKET) that carries a struct ucred: pid, uid, gid. */
    static final int SCM_CREDENTIALS = 2;
    /** struct ucred: pid, uid and gid, four bytes each. */
    static final int UCRED_SIZE = 12;
    /** The socket option that shows a Unix socket its messages' credentials. */
    static final int SO_PASSCRED = 16;
    /** The uid and gid the kernel shows for none (a message that carried no credentials): its overflow ids. */
    static final int OVERFLOW_UID = overflowId("overflowuid");
    static final int OVERFLOW_GID = overflowId("overflowgid");
    /**
     * The most descriptors Linux lets one message carry (SCM_MAX_FD): the
     * room recvmsg's control buffer has, so a message's descriptors always
     * fit in it.
     */
    static final int RIGHTS_MAX = 253;
    /** struct msghdr on 64-bit Linux: name, namelen (+4), iov, iovlen, control, controllen, flags (+4). */
    static final int MSGHDR_SIZE = 56;
    /** struct cmsghdr on 64-bit Linux: cmsg_len (size_t), cmsg_level, cmsg_type; the data follows. */
    static final int CMSGHDR_SIZE = 16;
    static final int EAGAIN = 11;
    static final int EINTR = 4;
    /** poll's events (poll.h), by the names a trace writes. */
    static final Map<String, Integer> POLL_BITS = Map.of("POLLIN", 0x1, "POLLOUT", 0x4, "POLLERR", 0x8,
            "POLLHUP", 0x10, "POLLNVAL", 0x20, "POLLRDHUP", 0x2000);
    static final int EINPROGRESS = 115;
    static final int SOCKADDR_IN_SIZE = 16;
    /** struct sockaddr_in6: family, port, flowinfo, 16 bytes of address, scope id. */
    static final int SOCKADDR_IN6_SIZE = 28;
    /** struct sockaddr_un: sa_family and 108 bytes of sun_path. */
    static final int SOCKADDR_UN_SIZE = 110;
    /** The room a call that gives an address back is given: either kind. */
    static final int SOCKADDR_MAX = SOCKADDR_UN_SIZE;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle SOCKET = fn("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle SOCKETPAIR = fn("socketpair", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle BIND = fn("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle LISTEN = fn("listen", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle CONNECT = fn("connect", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle ACCEPT4 = fn("accept4", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
    private static final MethodHandle SENDTO = fn("sendto", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle RECVFROM = fn("recvfrom", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle SENDMSG = fn("sendmsg", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle RECVMSG = fn("recvmsg", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle SHUTDOWN = fn("shutdown", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle CLOSE = fn("close", JAVA_INT, JAVA_INT);
    private static final MethodHandle DUP = fn("dup", JAVA_INT, JAVA_INT);
    private static final MethodHandle GETSOCKNAME = fn("getsockname", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle GETPEERNAME = fn("getpeername", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle SETSOCKOPT = fn("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle READ = fn("read", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle WRITE = fn("write", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle POLL = fn("poll", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle GETSOCKOPT = fn("getsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle UNSHARE = fn("unshare", JAVA_INT, JAVA_INT);
    // getuid and getgid never fail: no errno to capture.
    private static final MethodHandle GETUID = LINKER.downcallHandle(LIBC.find("getuid").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETGID = LINKER.downcallHandle(LIBC.find("getgid").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle SETNS = fn("setns", JAVA_INT, JAVA_INT, JAVA_INT);
    /** ioctl(fd, request, arg): its third argument is variadic, here a pointer. */
    private static final MethodHandle IOCTL = LINKER.downcallHandle(LIBC.find("ioctl").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2),
            Linker.Option.captureCallState("errno"));
    static final long SIOCGIFFLAGS = 0x8913;
    static final long SIOCSIFFLAGS = 0x8914;
    static final long SIOCSIFADDR = 0x8916;
    static final short IFF_UP = 0x1;
    /** open(2) with no mode (its third, variadic argument is not passed). */
    private static final MethodHandle OPEN = fn("open", JAVA_INT, ADDRESS, JAVA_INT);

    private Syscalls() {
    }

    /** fcntl(fd, cmd, ...): its third argument is a variadic int. */
    private static final MethodHandle FCNTL = LINKER.downcallHandle(LIBC.find("fcntl").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2),
            Linker.Option.captureCallState("errno"));

    /**
     * /proc/sys/kernel/overflowuid or overflowgid; 65534, the kernel's default, where it cannot be read. Read
     * in one read of a buffer's size: a sysctl file gives nothing after a short first read (Files.readString
     * of it gave "6").
     */
    private static int overflowId(String name) {
        try (java.io.BufferedReader r = java.nio.file.Files.newBufferedReader(java.nio.file.Path.of("/proc/sys/kernel", name))) {
            String line = r.readLine();
            return line == null ? 65534 : Integer.parseInt(line.trim());
        } catch (java.io.IOException | NumberFormatException | SecurityException e) {
            return 65534;
        }
    }

    /** This process's own credentials as SCM_CREDENTIALS carries them: pid, uid, gid (read once: sockcheck never changes them). */
    static int[] ownCredentials() {
        return OwnCredentials.VALUE.clone();
    }

    /** Read at first use, not when Syscalls loads. */
    private static final class OwnCredentials {
        static final int[] VALUE = read();

        private static int[] read() {
            try {
                return new int[] {Math.toIntExact(ProcessHandle.current().pid()), (int) GETUID.invokeExact(), (int) GETGID.invokeExact()};
            } catch (Throwable t) {
                throw new IllegalStateException("getuid or getgid failed: " + t, t);
            }
        }
    }

    private static MethodHandle fn(String name, MemoryLayout ret, MemoryLayout... args) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), FunctionDescriptor.of(ret, args),
                Linker.Option.captureCallState("errno"));
    }

    /** A call's return value, and errno when it failed (value -1). */
    record Result(long value, int errno) {
        boolean failed() {
            return value < 0;
        }
    }

    /** Memory for one call; closing it frees the buffers. */
    static final class Call implements AutoCloseable {
        final Arena arena = Arena.ofConfined();
        final MemorySegment capture = arena.allocate(CAPTURE);
        /** The address length the last call that gives an address back wrote (accept, recvfrom, getsockname, getpeername). */
        private MemorySegment lastLen;
        /** The descriptors the last recvmsg received, in order; none when it failed. */
        private int[] lastRights = new int[0];
        /** The credentials the last recvmsg was shown (SCM_CREDENTIALS): pid, uid, gid; null when none. */
        private int[] lastCreds;
        /** Whether the last recvmsg's msg_flags had MSG_CTRUNC. */
        private boolean lastCtrunc;

        Result result(long value) {
            return new Result(value, value < 0 ? (int) ERRNO.get(capture, 0L) : 0);
        }

        MemorySegment sockaddr(Endpoint ep) {
            if (ep.unix()) {
                // sun_path: a path with its NUL, or an abstract name (a leading NUL) without one; "" asks for autobind.
                byte[] path = ep.path().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                MemorySegment sa = arena.allocate(SOCKADDR_UN_SIZE).fill((byte) 0);
                sa.set(JAVA_SHORT, 0, (short) AF_UNIX);
                MemorySegment.copy(path, 0, sa, java.lang.foreign.ValueLayout.JAVA_BYTE, 2, Math.min(path.length, SOCKADDR_UN_SIZE - 2));
                return sa;
            }
            if (ep.v6()) {
                MemorySegment sa = arena.allocate(SOCKADDR_IN6_SIZE).fill((byte) 0);
                sa.set(JAVA_SHORT, 0, (short) AF_INET6);
                sa.set(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), 2, (short) ep.port());
                byte[] a = org.sockcheck.spec.Ip6.parse(ep.ip());
                MemorySegment.copy(a, 0, sa, java.lang.foreign.ValueLayout.JAVA_BYTE, 8, 16);
                return sa;
            }
            MemorySegment sa = arena.allocate(SOCKADDR_IN_SIZE);
            if (ep.unspec()) {
                // sa_family AF_UNSPEC (0), the rest zero: connect dissolves the association.
                return sa.fill((byte) 0);
            }
            sa.set(JAVA_SHORT, 0, (short) AF_INET);
            sa.set(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), 2, (short) ep.port());
            String[] parts = ep.ip().split("\\.");
            for (int i = 0; i < 4; i++) {
                sa.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 4 + i, (byte) Integer.parseInt(parts[i]));
            }
            return sa;
        }

        /** The length of the address sockaddr(ep) builds. */
        static int sockaddrLength(Endpoint ep) {
            if (!ep.unix()) {
                return ep.v6() ? SOCKADDR_IN6_SIZE : SOCKADDR_IN_SIZE;
            }
            int n = ep.path().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1).length;
            return 2 + (n == 0 ? 0 : ep.path().charAt(0) == 0 ? n : n + 1);
        }

        MemorySegment sockaddrOut() {
            return arena.allocate(SOCKADDR_MAX);
        }

        /** A cell with the room of sockaddrOut, which the call overwrites with the address's length. */
        private MemorySegment lengthCell() {
            lastLen = intCell(SOCKADDR_MAX);
            return lastLen;
        }

        /**
         * The address the last call wrote to sa: an IPv4 address, or a Unix
         * name (its path, or "\0name" in the abstract namespace, or "" for
         * an unnamed socket, as its length says).
         */
        Endpoint address(MemorySegment sa) {
            if (sa.get(JAVA_SHORT, 0) != AF_UNIX) {
                return endpoint(sa);
            }
            int len = lastLen == null ? SOCKADDR_UN_SIZE : Math.min(lastLen.get(JAVA_INT, 0), SOCKADDR_UN_SIZE);
            byte[] path = sa.asSlice(2, Math.max(0, len - 2)).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            int end = path.length;
            if (end > 0 && path[0] != 0) {
                // A path ends at its NUL; an abstract name is every byte the length counts.
                for (int i = 0; i < path.length; i++) {
                    if (path[i] == 0) {
                        end = i;
                        break;
                    }
                }
            }
            return Endpoint.unix(new String(path, 0, end, java.nio.charset.StandardCharsets.ISO_8859_1));
        }

        /** Whether the last call that gives an address back wrote one (recvfrom from an unnamed Unix socket writes none). */
        boolean addressWritten() {
            return lastLen != null && lastLen.get(JAVA_INT, 0) > 2;
        }

        MemorySegment intCell(int value) {
            MemorySegment cell = arena.allocate(JAVA_INT);
            cell.set(JAVA_INT, 0, value);
            return cell;
        }

        static Endpoint endpoint(MemorySegment sa) {
            int port = Short.toUnsignedInt(sa.get(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), 2));
            if (sa.get(JAVA_SHORT, 0) == AF_INET6) {
                return new Endpoint(org.sockcheck.spec.Ip6.format(sa.asSlice(8, 16).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)), port);
            }
            StringBuilder ip = new StringBuilder();
            for (int i = 0; i < 4; i++) {
                ip.append(i > 0 ? "." : "").append(Byte.toUnsignedInt(sa.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 4 + i)));
            }
            return new Endpoint(ip.toString(), port);
        }

        Result socket(int type, int protocol) {
            return socket(AF_INET, type, protocol);
        }

        /** socketpair(2), close-on-exec: the two descriptors in pair[0] and pair[1]. */
        Result socketpair(int domain, int type, int protocol, int[] pair) {
            MemorySegment sv = arena.allocate(JAVA_INT, 2);
            Result r;
            try {
                r = result((int) SOCKETPAIR.invokeExact(capture, domain, type | SOCK_CLOEXEC, protocol, sv));
            } catch (Throwable t) {
                throw failed(t);
            }
            if (!r.failed()) {
                pair[0] = sv.getAtIndex(JAVA_INT, 0);
                pair[1] = sv.getAtIndex(JAVA_INT, 1);
            }
            return r;
        }

        /** unshare(2): the calling thread's own new namespace of the kinds flags names. */
        Result unshare(int flags) {
            try {
                return result((int) UNSHARE.invokeExact(capture, flags));
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        /** setns(2): the calling thread joins the namespace the descriptor fd refers to. */
        Result setns(int fd, int nstype) {
            try {
                return result((int) SETNS.invokeExact(capture, fd, nstype));
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        /** ioctl(2) with a pointer to arg. */
        Result ioctl(int fd, long request, MemorySegment arg) {
            try {
                return result((int) IOCTL.invokeExact(capture, fd, request, arg));
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        /** open(2) read-only and close-on-exec (a namespace's file in /proc). */
        Result openReadOnly(String path) {
            try {
                return result((int) OPEN.invokeExact(capture, arena.allocateFrom(path), O_RDONLY | O_CLOEXEC));
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        /** socket(2) of any domain (AF_NETLINK for sock_diag), close-on-exec. */
        Result socket(int domain, int type, int protocol) {
            try {
                return result((int) SOCKET.invokeExact(capture, domain, type | SOCK_CLOEXEC, protocol));
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        Result bind(int fd, Endpoint ep) {
            try {
                return result((int) BIND.invokeExact(capture, fd, sockaddr(ep), sockaddrLength(ep)));
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        Result listen(int fd, int backlog) {
            try {
                return result((int) LISTEN.invokeExact(capture, fd, backlog));
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        Result connect(int fd, Endpoint ep) {
            try {
                return result((int) CONNECT.invokeExact(capture, fd, sockaddr(ep), ep.unspec() ? SOCKADDR_IN_SIZE : sockaddrLength(ep)));
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        Result accept(int fd, MemorySegment peer, boolean nonblock) {
            try {
                return result((int) ACCEPT4.invokeExact(capture, fd, peer, lengthCell(), SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0)));
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        Result sendto(int fd, byte[] data, Endpoint to, int flags) {
            MemorySegment buf = arena.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buf, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, data.length);
            MemorySegment sa = to == null ? MemorySegment.NULL : sockaddr(to);
            try {
                return result((long) SENDTO.invokeExact(capture, fd, buf, (long) data.length, flags | MSG_NOSIGNAL, sa, to == null ? 0 : sockaddrLength(to)));
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        /** send(2) of the first len bytes of buf, to the socket's default destination. */
        Result send(int fd, MemorySegment buf, long len) {
            try {
                return result((long) SENDTO.invokeExact(capture, fd, buf, len, MSG_NOSIGNAL, MemorySegment.NULL, 0));
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        Result recvfrom(int fd, MemorySegment buf, int flags, MemorySegment from) {
            MemorySegment len = from == MemorySegment.NULL ? MemorySegment.NULL : lengthCell();
            try {
                return result((long) RECVFROM.invokeExact(capture, fd, buf, buf.byteSize(), flags, from, len));
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        /**
         * sendmsg(2) of data in one iovec, with no address, and, when rights
         * is not empty, one SOL_SOCKET/SCM_RIGHTS control message carrying
         * those descriptors; creds: one SOL_SOCKET/SCM_CREDENTIALS control
         * message too, of this process's own pid, uid and gid.
         */
        Result sendmsg(int fd, byte[] data, int[] rights, boolean creds, int flags) {
            MemorySegment buf = arena.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buf, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, data.length);
            MemorySegment control = MemorySegment.NULL;
            // CMSG_SPACE(n): the header and the data, rounded up to 8; cmsg_len is CMSG_LEN(n), without the padding.
            long rightsSpace = rights.length > 0 ? CMSGHDR_SIZE + align8(4L * rights.length) : 0;
            long controlLen = rightsSpace + (creds ? CMSGHDR_SIZE + align8(UCRED_SIZE) : 0);
            if (controlLen > 0) {
                control = arena.allocate(controlLen, 8).fill((byte) 0);
            }
            if (rights.length > 0) {
                control.set(JAVA_LONG, 0, CMSGHDR_SIZE + 4L * rights.length);
                control.set(JAVA_INT, 8, SOL_SOCKET);
                control.set(JAVA_INT, 12, SCM_RIGHTS);
                MemorySegment.copy(rights, 0, control, JAVA_INT, CMSGHDR_SIZE, rights.length);
            }
            if (creds) {
                int[] own = ownCredentials();
                control.set(JAVA_LONG, rightsSpace, CMSGHDR_SIZE + UCRED_SIZE);
                control.set(JAVA_INT, rightsSpace + 8, SOL_SOCKET);
                control.set(JAVA_INT, rightsSpace + 12, SCM_CREDENTIALS);
                MemorySegment.copy(own, 0, control, JAVA_INT, rightsSpace + CMSGHDR_SIZE, 3);
            }
            MemorySegment msg = msghdr(buf, data.length, control, controlLen);
            try {
                return result((long) SENDMSG.invokeExact(capture, fd, msg, flags | MSG_NOSIGNAL));
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        /**
         * recvmsg(2) into buf (one iovec of its size), with a control buffer
         * of room for RIGHTS_MAX descriptors; MSG_CMSG_CLOEXEC is always
         * added, so a descriptor received is not inherited by a child. The
         * descriptors received are then rightsReceived(), and whether the
         * control data was cut short controlTruncated().
         */
        Result recvmsg(int fd, MemorySegment buf, int flags) {
            lastRights = new int[0];
            lastCreds = null;
            lastCtrunc = false;
            long room = CMSGHDR_SIZE + align8(4L * RIGHTS_MAX) + CMSGHDR_SIZE + align8(UCRED_SIZE);
            MemorySegment control = arena.allocate(room, 8).fill((byte) 0);
            MemorySegment msg = msghdr(buf, buf.byteSize(), control, room);
            Result r;
            try {
                r = result((long) RECVMSG.invokeExact(capture, fd, msg, flags | MSG_CMSG_CLOEXEC));
            } catch (Throwable t) {
                throw failed(t);
            }
            if (r.failed()) {
                return r;
            }
            lastCtrunc = (msg.get(JAVA_INT, 48) & MSG_CTRUNC) != 0;
            // The kernel writes back in msg_controllen how much of the control buffer it filled.
            long used = Math.min(msg.get(JAVA_LONG, 40), room);
            int[] fds = new int[RIGHTS_MAX];
            int count = 0;
            long at = 0;
            while (at + CMSGHDR_SIZE <= used) {
                long len = control.get(JAVA_LONG, at);
                if (len < CMSGHDR_SIZE || at + len > used) {
                    break;
                }
                if (control.get(JAVA_INT, at + 8) == SOL_SOCKET && control.get(JAVA_INT, at + 12) == SCM_RIGHTS) {
                    int n = (int) ((len - CMSGHDR_SIZE) / 4);
                    for (int i = 0; i < n && count < fds.length; i++) {
                        fds[count++] = control.get(JAVA_INT, at + CMSGHDR_SIZE + 4L * i);
                    }
                } else if (control.get(JAVA_INT, at + 8) == SOL_SOCKET && control.get(JAVA_INT, at + 12) == SCM_CREDENTIALS
                        && len >= CMSGHDR_SIZE + UCRED_SIZE) {
                    lastCreds = new int[] {control.get(JAVA_INT, at + CMSGHDR_SIZE), control.get(JAVA_INT, at + CMSGHDR_SIZE + 4),
                        control.get(JAVA_INT, at + CMSGHDR_SIZE + 8)};
                }
                at += align8(len);
            }
            lastRights = java.util.Arrays.copyOf(fds, count);
            return r;
        }

        /** The descriptors the last recvmsg received, in the order they came; empty when none or when it failed. */
        int[] rightsReceived() {
            return lastRights.clone();
        }

        /** The credentials (pid, uid, gid) the last recvmsg was shown (SCM_CREDENTIALS); null when none or when it failed. */
        int[] credsReceived() {
            return lastCreds == null ? null : lastCreds.clone();
        }

        /** Whether the last recvmsg's msg_flags had MSG_CTRUNC: some control data did not fit. */
        boolean controlTruncated() {
            return lastCtrunc;
        }

        /** A struct msghdr with no address, one iovec of len bytes at buf, and this control buffer. */
        private MemorySegment msghdr(MemorySegment buf, long len, MemorySegment control, long controlLen) {
            // struct iovec: iov_base, iov_len.
            MemorySegment iov = arena.allocate(16, 8);
            iov.set(ADDRESS, 0, buf);
            iov.set(JAVA_LONG, 8, len);
            MemorySegment msg = arena.allocate(MSGHDR_SIZE, 8).fill((byte) 0);
            msg.set(ADDRESS, 0, MemorySegment.NULL);
            msg.set(ADDRESS, 16, iov);
            msg.set(JAVA_LONG, 24, 1L);
            msg.set(ADDRESS, 32, control);
            msg.set(JAVA_LONG, 40, controlLen);
            return msg;
        }

        /** read(2) on a descriptor: a socket's recv with no flags (S18). */
        Result read(int fd, MemorySegment buf) {
            try {
                return result((long) READ.invokeExact(capture, fd, buf, buf.byteSize()));
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        /** write(2) on a descriptor; the JVM ignores SIGPIPE, so EPIPE comes back as an errno. */
        Result write(int fd, byte[] data) {
            MemorySegment buf = arena.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buf, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, data.length);
            try {
                return result((long) WRITE.invokeExact(capture, fd, buf, (long) data.length));
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        Result shutdown(int fd, int how) {
            try {
                return result((int) SHUTDOWN.invokeExact(capture, fd, how));
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        Result closeFd(int fd) {
            try {
                // No process start copies the descriptor meanwhile: the close releases the socket (see Spawns).
                return org.sockcheck.harness.impl.Spawns.closing(() -> result((int) CLOSE.invokeExact(capture, fd)));
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        Result dup(int fd) {
            try {
                return result((int) DUP.invokeExact(capture, fd));
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        @Override
        public void close() {
            arena.close();
        }

        Result getsockname(int fd, MemorySegment out) {
            try {
                return result((int) GETSOCKNAME.invokeExact(capture, fd, out, lengthCell()));
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        Result getpeername(int fd, MemorySegment out) {
            try {
                return result((int) GETPEERNAME.invokeExact(capture, fd, out, lengthCell()));
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        Result setsockopt(int fd, int level, int name, int value) {
            try {
                return result((int) SETSOCKOPT.invokeExact(capture, fd, level, name, intCell(value), 4));
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        /**
         * Attaches a socket filter (classic BPF, SO_ATTACH_FILTER) to a raw
         * IPv4 socket that lets through only datagrams to this address: the
         * filter reads the destination from the IP header (a raw socket's
         * filter sees the datagram from its IP header on), and the kernel
         * applies it as it queues each datagram.
         */
        Result keepOnlyTo(int fd, byte[] ipv4) {
            int to = java.nio.ByteBuffer.wrap(ipv4).getInt();
            // struct sock_filter {u16 code; u8 jt; u8 jf; u32 k}: load the word at 16, compare, keep all or none.
            int[][] program = {{0x20, 0, 0, 16}, {0x15, 0, 1, to}, {0x06, 0, 0, 0xffff}, {0x06, 0, 0, 0}};
            MemorySegment filter = arena.allocate(8L * program.length, 8);
            for (int i = 0; i < program.length; i++) {
                filter.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 8L * i, (short) program[i][0]);
                filter.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 8L * i + 2, (byte) program[i][1]);
                filter.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 8L * i + 3, (byte) program[i][2]);
                filter.set(JAVA_INT, 8L * i + 4, program[i][3]);
            }
            // struct sock_fprog {unsigned short len; struct sock_filter *filter}: the pointer at 8.
            MemorySegment fprog = arena.allocate(16, 8);
            fprog.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) program.length);
            fprog.set(ADDRESS, 8, filter);
            try {
                return result((int) SETSOCKOPT.invokeExact(capture, fd, SOL_SOCKET, SO_ATTACH_FILTER, fprog, 16));
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        /** Sets SO_LINGER: a struct linger of two ints, l_onoff and l_linger. */
        Result setLinger(int fd, int onoff, int seconds) {
            MemorySegment l = arena.allocate(8);
            l.set(JAVA_INT, 0, onoff);
            l.set(JAVA_INT, 4, seconds);
            try {
                return result((int) SETSOCKOPT.invokeExact(capture, fd, SOL_SOCKET, SO_LINGER, l, 8));
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        /** Sets SO_RCVTIMEO or SO_SNDTIMEO: a struct timeval of two longs. */
        Result setTimeout(int fd, int option, int millis) {
            MemorySegment tv = arena.allocate(16);
            tv.set(JAVA_LONG, 0, millis / 1000L);
            tv.set(JAVA_LONG, 8, (millis % 1000L) * 1000L);
            try {
                return result((int) SETSOCKOPT.invokeExact(capture, fd, SOL_SOCKET, option, tv, 16));
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        /** fcntl(F_SETFL) with O_NONBLOCK set or cleared, the other status flags kept. */
        Result setNonBlock(int fd, boolean on) {
            Result flags;
            try {
                flags = result((int) FCNTL.invokeExact(capture, fd, F_GETFL, 0));
            } catch (Throwable t) {
                throw failed(t);
            }
            if (flags.failed()) {
                return flags;
            }
            int f = (int) flags.value();
            try {
                return result((int) FCNTL.invokeExact(capture, fd, F_SETFL, on ? f | O_NONBLOCK : f & ~O_NONBLOCK));
            } catch (Throwable t) {
                throw failed(t);
            }
        }

        /**
         * poll over these descriptors, each with its events: the number
         * ready, and each entry's revents written back into events.
         */
        Result poll(int[] fds, short[] events, int timeoutMs) {
            MemorySegment pfd = arena.allocate(8L * Math.max(1, fds.length));
            for (int i = 0; i < fds.length; i++) {
                pfd.set(JAVA_INT, 8L * i, fds[i]);
                pfd.set(JAVA_SHORT, 8L * i + 4, events[i]);
                pfd.set(JAVA_SHORT, 8L * i + 6, (short) 0);
            }
            Result r;
            try {
                r = result((int) POLL.invokeExact(capture, pfd, (long) fds.length, timeoutMs));
            } catch (Throwable t) {
                throw failed(t);
            }
            for (int i = 0; i < fds.length; i++) {
                events[i] = pfd.get(JAVA_SHORT, 8L * i + 6);
            }
            return r;
        }

        /** getsockopt of an int option. */
        Result getsockopt(int fd, int level, int name) {
            MemorySegment v = intCell(0);
            Result r;
            try {
                r = result((int) GETSOCKOPT.invokeExact(capture, fd, level, name, v, intCell(4)));
            } catch (Throwable t) {
                throw failed(t);
            }
            return r.failed() ? r : new Result(v.get(JAVA_INT, 0), 0);
        }

        /** getsockopt into a buffer (TCP_INFO). */
        Result getsockopt(int fd, int level, int name, MemorySegment buf) {
            try {
                return result((int) GETSOCKOPT.invokeExact(capture, fd, level, name, buf, intCell((int) buf.byteSize())));
            } catch (Throwable t) {
                throw failed(t);
            }
        }

    }

    /** n rounded up to a multiple of 8, as CMSG_ALIGN does on 64-bit Linux. */
    private static long align8(long n) {
        return (n + 7) & ~7L;
    }

    /**
     * What a downcall threw: an unchecked exception as it is (a bad
     * argument), anything else wrapped.
     */
    private static RuntimeException failed(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native call failed", t);
    }
}
