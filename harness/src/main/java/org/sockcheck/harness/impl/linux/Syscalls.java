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
 * disturb it. IPv4 only: struct sockaddr_in is built by hand.
 */
final class Syscalls {
    static final int AF_INET = 2;
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
    static final int TCP_NODELAY = 1;
    static final int SO_SNDTIMEO = 21;
    static final int IPPROTO_TCP = 6;
    static final int TCP_INFO = 11;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int MSG_PEEK = 0x2;
    static final int MSG_DONTWAIT = 0x40;
    static final int MSG_WAITALL = 0x100;
    static final int MSG_TRUNC = 0x20;
    static final int EAGAIN = 11;
    /** poll's events (poll.h), by the names a trace writes. */
    static final Map<String, Integer> POLL_BITS = Map.of("POLLIN", 0x1, "POLLOUT", 0x4, "POLLERR", 0x8,
            "POLLHUP", 0x10, "POLLNVAL", 0x20, "POLLRDHUP", 0x2000);
    static final int EINPROGRESS = 115;
    static final int SOCKADDR_IN_SIZE = 16;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle SOCKET = fn("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle BIND = fn("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle LISTEN = fn("listen", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle CONNECT = fn("connect", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle ACCEPT4 = fn("accept4", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
    private static final MethodHandle SENDTO = fn("sendto", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle RECVFROM = fn("recvfrom", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS);
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

    private Syscalls() {
    }

    /** fcntl(fd, cmd, ...): its third argument is a variadic int. */
    private static final MethodHandle FCNTL = LINKER.downcallHandle(LIBC.find("fcntl").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2),
            Linker.Option.captureCallState("errno"));

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

        Result result(long value) {
            return new Result(value, value < 0 ? (int) ERRNO.get(capture, 0L) : 0);
        }

        MemorySegment sockaddr(Endpoint ep) {
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

        MemorySegment sockaddrOut() {
            return arena.allocate(SOCKADDR_IN_SIZE);
        }

        MemorySegment intCell(int value) {
            MemorySegment cell = arena.allocate(JAVA_INT);
            cell.set(JAVA_INT, 0, value);
            return cell;
        }

        static Endpoint endpoint(MemorySegment sa) {
            int port = Short.toUnsignedInt(sa.get(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), 2));
            StringBuilder ip = new StringBuilder();
            for (int i = 0; i < 4; i++) {
                ip.append(i > 0 ? "." : "").append(Byte.toUnsignedInt(sa.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 4 + i)));
            }
            return new Endpoint(ip.toString(), port);
        }

        Result socket(int type, int protocol) {
            return result(invokeInt(SOCKET, capture, AF_INET, type | SOCK_CLOEXEC, protocol));
        }

        Result bind(int fd, Endpoint ep) {
            return result(invokeInt(BIND, capture, fd, sockaddr(ep), SOCKADDR_IN_SIZE));
        }

        Result listen(int fd, int backlog) {
            return result(invokeInt(LISTEN, capture, fd, backlog));
        }

        Result connect(int fd, Endpoint ep) {
            return result(invokeInt(CONNECT, capture, fd, sockaddr(ep), SOCKADDR_IN_SIZE));
        }

        Result accept(int fd, MemorySegment peer, boolean nonblock) {
            return result(invokeInt(ACCEPT4, capture, fd, peer, intCell(SOCKADDR_IN_SIZE),
                    SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0)));
        }

        Result sendto(int fd, byte[] data, Endpoint to, int flags) {
            MemorySegment buf = arena.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buf, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, data.length);
            MemorySegment sa = to == null ? MemorySegment.NULL : sockaddr(to);
            return result(invokeLong(SENDTO, capture, fd, buf, (long) data.length, flags | MSG_NOSIGNAL, sa,
                    to == null ? 0 : SOCKADDR_IN_SIZE));
        }

        Result recvfrom(int fd, MemorySegment buf, int flags, MemorySegment from) {
            MemorySegment len = from == MemorySegment.NULL ? MemorySegment.NULL : intCell(SOCKADDR_IN_SIZE);
            return result(invokeLong(RECVFROM, capture, fd, buf, buf.byteSize(), flags, from, len));
        }

        /** read(2) on a descriptor: a socket's recv with no flags (S18). */
        Result read(int fd, MemorySegment buf) {
            return result(invokeLong(READ, capture, fd, buf, buf.byteSize()));
        }

        /** write(2) on a descriptor; the JVM ignores SIGPIPE, so EPIPE comes back as an errno. */
        Result write(int fd, byte[] data) {
            MemorySegment buf = arena.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buf, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, data.length);
            return result(invokeLong(WRITE, capture, fd, buf, (long) data.length));
        }

        Result shutdown(int fd, int how) {
            return result(invokeInt(SHUTDOWN, capture, fd, how));
        }

        Result closeFd(int fd) {
            return result(invokeInt(CLOSE, capture, fd));
        }

        Result dup(int fd) {
            return result(invokeInt(DUP, capture, fd));
        }

        @Override
        public void close() {
            arena.close();
        }

        Result getsockname(int fd, MemorySegment out) {
            return result(invokeInt(GETSOCKNAME, capture, fd, out, intCell(SOCKADDR_IN_SIZE)));
        }

        Result getpeername(int fd, MemorySegment out) {
            return result(invokeInt(GETPEERNAME, capture, fd, out, intCell(SOCKADDR_IN_SIZE)));
        }

        Result setsockopt(int fd, int level, int name, int value) {
            return result(invokeInt(SETSOCKOPT, capture, fd, level, name, intCell(value), 4));
        }

        /** Sets SO_LINGER: a struct linger of two ints, l_onoff and l_linger. */
        Result setLinger(int fd, int onoff, int seconds) {
            MemorySegment l = arena.allocate(8);
            l.set(JAVA_INT, 0, onoff);
            l.set(JAVA_INT, 4, seconds);
            return result(invokeInt(SETSOCKOPT, capture, fd, SOL_SOCKET, SO_LINGER, l, 8));
        }

        /** Sets SO_RCVTIMEO or SO_SNDTIMEO: a struct timeval of two longs. */
        Result setTimeout(int fd, int option, int millis) {
            MemorySegment tv = arena.allocate(16);
            tv.set(JAVA_LONG, 0, millis / 1000L);
            tv.set(JAVA_LONG, 8, (millis % 1000L) * 1000L);
            return result(invokeInt(SETSOCKOPT, capture, fd, SOL_SOCKET, option, tv, 16));
        }

        /** fcntl(F_SETFL) with O_NONBLOCK set or cleared, the other status flags kept. */
        Result setNonBlock(int fd, boolean on) {
            Result flags = result(invokeInt(FCNTL, capture, fd, F_GETFL, 0));
            if (flags.failed()) {
                return flags;
            }
            int f = (int) flags.value();
            return result(invokeInt(FCNTL, capture, fd, F_SETFL, on ? f | O_NONBLOCK : f & ~O_NONBLOCK));
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
            Result r = result(invokeInt(POLL, capture, pfd, (long) fds.length, timeoutMs));
            for (int i = 0; i < fds.length; i++) {
                events[i] = pfd.get(JAVA_SHORT, 8L * i + 6);
            }
            return r;
        }

        /** getsockopt of an int option. */
        Result getsockopt(int fd, int level, int name) {
            MemorySegment v = intCell(0);
            Result r = result(invokeInt(GETSOCKOPT, capture, fd, level, name, v, intCell(4)));
            return r.failed() ? r : new Result(v.get(JAVA_INT, 0), 0);
        }

        /** getsockopt into a buffer (TCP_INFO). */
        Result getsockopt(int fd, int level, int name, MemorySegment buf) {
            return result(invokeInt(GETSOCKOPT, capture, fd, level, name, buf, intCell((int) buf.byteSize())));
        }

    }

    private static int invokeInt(MethodHandle h, Object... args) {
        try {
            return (int) h.invokeWithArguments(args);
        } catch (Throwable t) {
            throw new IllegalStateException("native call failed", t);
        }
    }

    private static long invokeLong(MethodHandle h, Object... args) {
        try {
            return (long) h.invokeWithArguments(args);
        } catch (Throwable t) {
            throw new IllegalStateException("native call failed", t);
        }
    }
}
