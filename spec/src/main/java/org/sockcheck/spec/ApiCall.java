package org.sockcheck.spec;

/**
 * The calls of the Berkeley sockets API (S21) as the spec names them, with
 * concrete arguments. A trace event, a reference-stack method and a driver
 * protocol op carry the same word.
 */
public sealed interface ApiCall {
    /** The word used for this call in traces, the spec and the driver protocol. */
    String op();

    /** The descriptor the call acts on, or -1 for socket(). */
    default int fd() {
        return -1;
    }

    /** The address the call names (bind, connect, sendto), or null. */
    default Endpoint addr() {
        return null;
    }

    /**
     * Whether the call is one of Unix domain sockets (S20): it opens one
     * (a UNIX socket, a SEQPACKET one, socketpair) or names one (a Unix name).
     */
    default boolean unixDomain() {
        return addr() != null && addr().unix();
    }

    /**
     * Whether the call is one of IPv6: it opens an INET6 socket, names an
     * IPv6 address (a v4-mapped one too), or sets IPV6_V6ONLY.
     */
    default boolean inet6() {
        return addr() != null && addr().v6();
    }

    /** socket(); nonblock: SOCK_NONBLOCK, written STREAM|NONBLOCK. */
    record Socket(Domain domain, SockType type, int protocol, boolean nonblock) implements ApiCall {
        /** An INET socket. */
        public Socket(SockType type, int protocol, boolean nonblock) {
            this(Domain.INET, type, protocol, nonblock);
        }

        public Socket(SockType type, int protocol) {
            this(type, protocol, false);
        }

        public String op() { return "socket"; }

        @Override
        public boolean unixDomain() {
            return domain == Domain.UNIX || type == SockType.SEQPACKET;
        }

        @Override
        public boolean inet6() {
            return domain == Domain.INET6;
        }
    }

    /** socketpair(): two sockets connected to each other (Unix domain sockets; INET has none). */
    record SocketPair(Domain domain, SockType type, int protocol, boolean nonblock) implements ApiCall {
        public String op() { return "socketpair"; }

        @Override
        public boolean unixDomain() {
            return true;
        }

        @Override
        public boolean inet6() {
            return domain == Domain.INET6;
        }
    }

    record Bind(int fd, Endpoint addr) implements ApiCall {
        public String op() { return "bind"; }
    }

    record Listen(int fd, int backlog) implements ApiCall {
        public String op() { return "listen"; }
    }

    record Connect(int fd, Endpoint addr) implements ApiCall {
        public String op() { return "connect"; }
    }

    record Accept(int fd, boolean nonblock) implements ApiCall {
        /** accept(), or accept4 without SOCK_NONBLOCK. */
        public Accept(int fd) {
            this(fd, false);
        }

        public String op() { return "accept"; }
    }

    /** send() with no flags; file: write(2) on the socket's descriptor, which is the same on a socket (S18). */
    record Send(int fd, byte[] data, boolean file) implements ApiCall {
        public Send(int fd, byte[] data) {
            this(fd, data, false);
        }

        public String op() { return file ? "write" : "send"; }
    }

    /** recv(); peek: MSG_PEEK, dontwait: MSG_DONTWAIT, waitall: MSG_WAITALL, trunc: MSG_TRUNC. */
    record Recv(int fd, int max, boolean peek, boolean dontwait, boolean file, boolean waitall, boolean trunc) implements ApiCall {
        public Recv(int fd, int max) {
            this(fd, max, false, false);
        }

        public Recv(int fd, int max, boolean peek, boolean dontwait) {
            this(fd, max, peek, dontwait, false, false, false);
        }

        /** recv(), or with file read(2) on the socket's descriptor: recv with no flags (S18). */
        public String op() { return file ? "read" : "recv"; }
    }

    record SendTo(int fd, byte[] data, Endpoint addr) implements ApiCall {
        public String op() { return "sendto"; }
    }

    /** recvfrom(); peek: MSG_PEEK, dontwait: MSG_DONTWAIT, waitall: MSG_WAITALL, trunc: MSG_TRUNC. */
    record RecvFrom(int fd, int max, boolean peek, boolean dontwait, boolean waitall, boolean trunc) implements ApiCall {
        public RecvFrom(int fd, int max) {
            this(fd, max, false, false);
        }

        public RecvFrom(int fd, int max, boolean peek, boolean dontwait) {
            this(fd, max, peek, dontwait, false, false);
        }

        public String op() { return "recvfrom"; }
    }

    /**
     * sendmsg() with one buffer and, when rights is not empty, an SCM_RIGHTS
     * control message that passes those descriptors of the sender (a Unix
     * socket's, S20: the sockets they stand for travel with the message);
     * creds: an SCM_CREDENTIALS control message too, of the sending
     * process's own pid, uid and gid.
     */
    record SendMsg(int fd, byte[] data, java.util.List<Integer> rights, boolean creds) implements ApiCall {
        public SendMsg {
            rights = java.util.List.copyOf(rights);
        }

        public SendMsg(int fd, byte[] data, java.util.List<Integer> rights) {
            this(fd, data, rights, false);
        }

        public String op() { return "sendmsg"; }
    }

    /**
     * recvmsg() with one buffer and room for descriptors passed with
     * SCM_RIGHTS, which become descriptors of the receiving process, and for
     * credentials (SCM_CREDENTIALS, shown to a socket with SO_PASSCRED); peek:
     * MSG_PEEK, dontwait: MSG_DONTWAIT.
     */
    record RecvMsg(int fd, int max, boolean peek, boolean dontwait) implements ApiCall {
        public String op() { return "recvmsg"; }
    }

    record Shutdown(int fd, ShutdownHow how) implements ApiCall {
        public String op() { return "shutdown"; }
    }

    record Close(int fd) implements ApiCall {
        public String op() { return "close"; }
    }

    record GetSockName(int fd) implements ApiCall {
        public String op() { return "getsockname"; }
    }

    record GetPeerName(int fd) implements ApiCall {
        public String op() { return "getpeername"; }
    }

    /** setsockopt: value is the option's int (on when not 0), or SO_LINGER's l_onoff with its l_linger in linger. */
    record SetSockOpt(int fd, SockOpt option, int value, int linger) implements ApiCall {
        public SetSockOpt(int fd, SockOpt option, int value) {
            this(fd, option, value, 0);
        }

        public String op() { return "setsockopt"; }

        @Override
        public boolean inet6() {
            return option == SockOpt.IPV6_V6ONLY;
        }
    }

    /** fcntl(F_SETFL): O_NONBLOCK set (nonblock) or cleared. */
    record Fcntl(int fd, boolean nonblock) implements ApiCall {
        public String op() { return "fcntl"; }
    }

    /** getsockopt(SOL_SOCKET, option): the option's value (SO_ERROR: the pending error, cleared). */
    record GetSockOpt(int fd, String option) implements ApiCall {
        public String op() { return "getsockopt"; }

        @Override
        public boolean inet6() {
            return SockOpt.IPV6_V6ONLY.name().equals(option);
        }
    }

    /**
     * poll(): for each descriptor the events asked for (POLLIN, POLLOUT,
     * POLLRDHUP); timeout 0 returns at once, -1 waits until one is ready.
     */
    record Poll(java.util.List<PollFd> fds, int timeout) implements ApiCall {
        public String op() { return "poll"; }
    }

    /** One entry of a poll: a descriptor and the events asked for, by their names (POLLIN, ...). */
    record PollFd(int fd, java.util.Set<String> events) {
    }

    /** dup(): a second descriptor, the lowest free, for the same socket (S2). */
    record Dup(int fd) implements ApiCall {
        public String op() { return "dup"; }
    }

    /** fork(): a new process on the same host, named child, with a copy of the descriptor table. */
    record Fork(String child) implements ApiCall {
        public String op() { return "fork"; }
    }

    /** exit(): the process ends and its descriptors close (S17). */
    record Exit() implements ApiCall {
        public String op() { return "exit"; }
    }
}
