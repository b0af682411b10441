package org.sockcheck.harness.impl;

import java.util.Map;

/**
 * The one place the harness numbers a modelled process's descriptors, for
 * implementations whose own numbers are not the model's (linux and jdk play
 * every process in one JVM; a driver may declare its numbers its own): the
 * lowest number not open, 3 first, as POSIX's open(2) gives them (S2).
 */
public final class Descriptors {
    /** The first descriptor of a fresh process: 0, 1 and 2 are its standard streams. */
    public static final int FIRST = 3;

    private Descriptors() {
    }

    /** Puts value at the lowest free number of table and returns that number. */
    public static <V> int allocate(Map<Integer, V> table, V value) {
        int fd = FIRST;
        while (table.containsKey(fd)) {
            fd++;
        }
        table.put(fd, value);
        return fd;
    }
}
