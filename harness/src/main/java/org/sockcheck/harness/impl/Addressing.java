package org.sockcheck.harness.impl;

import java.util.Map;

/**
 * Where the symbolic names of a trace live on one implementation: each host's
 * IPv4 address, the real port of each port label, and where the Unix domain
 * sockets' names go (S20): a trace's name "srv" of host A is the path
 * unixDir/A/srv, its abstract name "@srv" is "\0" + abstractPrefix + "A-srv",
 * so that the runs of a machine never share a name and nothing a run binds
 * outlives its folder. unixDir null: the implementation has no Unix domain
 * sockets.
 */
public record Addressing(Map<String, String> hostIps, Map<Integer, Integer> ports, String unixDir, String abstractPrefix) {
    public Addressing(Map<String, String> hostIps, Map<Integer, Integer> ports) {
        this(hostIps, ports, null, null);
    }

    /** The real name of a trace's Unix name ("" stays "": no name) on a host. */
    public String unixName(String host, String name) {
        if (name.isEmpty()) {
            return "";
        }
        if (unixDir == null) {
            throw new IllegalArgumentException("this implementation has no place for Unix domain sockets' names");
        }
        return name.startsWith("@") ? "\0" + abstractPrefix + host + "-" + name.substring(1) : unixDir + "/" + host + "/" + name;
    }

    /**
     * A real Unix name as the trace writes it: the name within a host's
     * folder, or "@name" for an abstract name of the run; "" for none; any
     * other name as it is (an abstract one with '@' for its NUL).
     */
    public String traceName(String real) {
        if (real.isEmpty()) {
            return "";
        }
        if (unixDir != null && real.startsWith(unixDir + "/")) {
            String rest = real.substring(unixDir.length() + 1);
            int slash = rest.indexOf('/');
            return slash < 0 ? real : rest.substring(slash + 1);
        }
        if (abstractPrefix != null && real.startsWith("\0" + abstractPrefix)) {
            String rest = real.substring(1 + abstractPrefix.length());
            int dash = rest.indexOf('-');
            return dash < 0 ? real.replace('\0', '@') : "@" + rest.substring(dash + 1);
        }
        return real.replace('\0', '@');
    }
}
