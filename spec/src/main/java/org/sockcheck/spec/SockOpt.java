package org.sockcheck.spec;

/** The socket options the spec knows. */
public enum SockOpt {
    SO_REUSEADDR
}
