package org.sockcheck.spec;

/**
 * Where real systems differ, the spec takes a profile rather than pretending
 * one behaviour: POSIX is what the standard requires, LINUX what Linux does.
 */
public enum Profile {
    POSIX, LINUX
}
