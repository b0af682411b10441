package org.sockcheck.ref;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A node with one IPv4 address, its socket table and its processes (S1, S3). */
final class Host {
    /** Linux's default ip_local_port_range. */
    static final int EPHEMERAL_FIRST = 32768;
    static final int EPHEMERAL_LAST = 60999;

    final String name;
    final String ip;
    final List<Sock> sockets = new ArrayList<>();
    final Map<String, Process> processes = new LinkedHashMap<>();
    int nextEphemeral = EPHEMERAL_FIRST;

    Host(String name, String ip) {
        this.name = name;
        this.ip = ip;
    }

    Process process(String processName) {
        return processes.computeIfAbsent(processName, n -> new Process(this, n));
    }
}
