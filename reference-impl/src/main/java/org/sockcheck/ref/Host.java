package org.sockcheck.ref;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A node with one IPv4 address and one IPv6 address (spec: the host's name
 * and V6(h)), its socket table and its processes (S1, S3).
 */
final class Host {
    final String name;
    final String ip;
    /** The host's IPv6 address in RFC 5952's form (spec: V6(h)); null for a host of IPv4 alone. */
    final String ip6;
    /** The socket table, in creation order. */
    final List<Sock> sockets = new ArrayList<>();
    final Map<String, Process> processes = new HashMap<>();
    /** The socket files of its Unix domain sockets (spec: files), kept after their sockets close. */
    final java.util.Set<String> files = new java.util.HashSet<>();
    Host(String name, String ip, String ip6) {
        this.name = name;
        this.ip = ip;
        this.ip6 = ip6;
    }
}
