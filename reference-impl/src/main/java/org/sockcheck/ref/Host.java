package org.sockcheck.ref;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A node with one IPv4 address, its socket table and its processes (S1, S3). */
final class Host {
    final String name;
    final String ip;
    /** The socket table, in creation order. */
    final List<Sock> sockets = new ArrayList<>();
    final Map<String, Process> processes = new HashMap<>();
    /** The socket files of its Unix domain sockets (spec: files), kept after their sockets close. */
    final java.util.Set<String> files = new java.util.HashSet<>();
    Host(String name, String ip) {
        this.name = name;
        this.ip = ip;
    }
}
