package org.sockcheck.spec;

/** The socket options setsockopt sets in the spec (SetSockOpt); TCP_NODELAY is at level IPPROTO_TCP, the others SOL_SOCKET. */
public enum SockOpt {
    SO_REUSEADDR, SO_KEEPALIVE, SO_BROADCAST, TCP_NODELAY, SO_LINGER, SO_REUSEPORT, SO_RCVBUF, SO_SNDBUF;

    /** Whether the option is a buffer size (its value is a number of bytes, read back as a range). */
    public boolean buffer() {
        return this == SO_RCVBUF || this == SO_SNDBUF;
    }

    /** Whether an option named in a trace (getsockopt's too, SO_ERROR and the like) is a buffer size. */
    public static boolean buffer(Object name) {
        return SO_RCVBUF.name().equals(name) || SO_SNDBUF.name().equals(name);
    }
}
