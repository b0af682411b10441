package org.sockcheck.spec;

/** The socket options setsockopt sets in the spec (SetSockOpt); TCP_NODELAY is at level IPPROTO_TCP, the others SOL_SOCKET. */
public enum SockOpt {
    SO_REUSEADDR, SO_KEEPALIVE, SO_BROADCAST, TCP_NODELAY, SO_LINGER, SO_REUSEPORT
}
