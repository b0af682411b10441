package org.sockcheck.ref;

import java.util.TreeMap;

/**
 * A process on a host, with its own descriptor table (S2, S3): descriptor
 * numbers mean something only inside the process that holds them.
 */
final class Process {
    /** 0, 1 and 2 are taken by standard input, output and error. */
    static final int FIRST_FREE = 3;

    final Host host;
    final String name;
    final TreeMap<Integer, Sock> descriptors = new TreeMap<>();

    Process(Host host, String name) {
        this.host = host;
        this.name = name;
    }

    /** POSIX: a new descriptor is the lowest number not open in the process. */
    int allocate(Sock sock) {
        int fd = FIRST_FREE;
        while (descriptors.containsKey(fd)) {
            fd++;
        }
        descriptors.put(fd, sock);
        sock.descriptors++;
        return fd;
    }
}
