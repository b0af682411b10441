package org.sockcheck.ref;

/**
 * A thread of a process: who makes a call (the spec's caller, a triple of
 * host, process and thread). The threads of a process share its descriptor
 * table; each waits in at most one call (the spec's pending[c]).
 */
final class Caller {
    /** The thread a process starts with. */
    static final String MAIN = "main";

    final Process process;
    final String name;
    /** The call this thread waits in, or null. */
    Process.Pending pending;

    Caller(Process process, String name) {
        this.process = process;
        this.name = name;
    }
}
