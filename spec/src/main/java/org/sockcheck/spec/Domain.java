package org.sockcheck.spec;

/** socket()'s domain: IPv4 sockets, or Unix domain sockets (S20, spec/Unix.tla). */
public enum Domain {
    INET, UNIX
}
