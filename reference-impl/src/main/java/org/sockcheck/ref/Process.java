package org.sockcheck.ref;

import java.util.TreeMap;

/**
 * A process on a host, with its own descriptor table (S2, S3): descriptor
 * numbers mean something only inside the process that holds them.
 */
final class Process {
    /** 0, 1 and 2 are taken by standard input, output and error. */
    static final int FIRST_FREE = 3;

    /**
     * A blocking call a thread waits in (the spec's pending): connect, accept,
     * recv, recvfrom or recvmsg (waitall: MSG_WAITALL, trunc: MSG_TRUNC), poll (with its request), accept (nonblock: accept4's SOCK_NONBLOCK).
     */
    record Pending(String op, int fd, int max, boolean peek, java.util.List<org.sockcheck.spec.ApiCall.PollFd> request,
                   boolean nonblock, boolean waitall, boolean trunc) {
        Pending(String op, int fd, int max, boolean peek, java.util.List<org.sockcheck.spec.ApiCall.PollFd> request,
                boolean nonblock, boolean waitall) {
            this(op, fd, max, peek, request, nonblock, waitall, false);
        }

        Pending(String op, int fd, int max, boolean peek, java.util.List<org.sockcheck.spec.ApiCall.PollFd> request,
                boolean nonblock) {
            this(op, fd, max, peek, request, nonblock, false);
        }

        Pending(String op, int fd, int max, boolean peek, java.util.List<org.sockcheck.spec.ApiCall.PollFd> request) {
            this(op, fd, max, peek, request, false);
        }

        Pending(String op, int fd, int max, boolean peek) {
            this(op, fd, max, peek, java.util.List.of());
        }

        Pending(String op, int fd, int max) {
            this(op, fd, max, false);
        }
    }

    final Host host;
    final String name;
    final TreeMap<Integer, Sock> descriptors = new TreeMap<>();
    boolean alive = true;
    /** The process's threads by name (the spec's callers): main, and those a trace names. */
    final java.util.Map<String, Caller> threads = new java.util.LinkedHashMap<>();

    /** The thread of this name, made when first named. */
    Caller thread(String name) {
        return threads.computeIfAbsent(name, n -> new Caller(this, n));
    }

    /** Whether a thread of the process waits in a call. */
    boolean waits() {
        return threads.values().stream().anyMatch(t -> t.pending != null);
    }

    Process(Host host, String name) {
        this.host = host;
        this.name = name;
    }

    /** POSIX (open(2), "lowest-numbered file descriptor not currently open"). */
    int lowestFree() {
        int fd = FIRST_FREE;
        while (descriptors.containsKey(fd)) {
            fd++;
        }
        return fd;
    }

    int allocate(Sock sock) {
        int fd = lowestFree();
        descriptors.put(fd, sock);
        sock.descriptors++;
        return fd;
    }
}
