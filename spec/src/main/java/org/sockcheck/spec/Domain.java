package org.sockcheck.spec;

/** socket()'s domain: IPv4 sockets, IPv6 sockets (which speak IPv4 to v4-mapped addresses), or Unix domain sockets (S20, spec/Unix.tla). */
public enum Domain {
    INET, INET6, UNIX
}
