package org.sockcheck.spec;

/**
 * The socket options setsockopt sets in the spec (SetSockOpt); TCP_NODELAY is at level IPPROTO_TCP,
 * IPV6_V6ONLY at IPPROTO_IPV6 (an INET6 socket's), the others SOL_SOCKET; SO_PASSCRED is a Unix socket's.
 */
public enum SockOpt {
    SO_REUSEADDR, SO_KEEPALIVE, SO_BROADCAST, TCP_NODELAY, SO_LINGER, SO_REUSEPORT, SO_RCVBUF, SO_SNDBUF, IPV6_V6ONLY, SO_PASSCRED;

    /** Whether the option is a buffer size (its value is a number of bytes, read back as a range). */
    public boolean buffer() {
        return this == SO_RCVBUF || this == SO_SNDBUF;
    }

    /** Whether an option named in a trace (getsockopt's too, SO_ERROR and the like) is a buffer size. */
    public static boolean buffer(Object name) {
        return SO_RCVBUF.name().equals(name) || SO_SNDBUF.name().equals(name);
    }
}
