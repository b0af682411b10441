package org.sockcheck.harness.impl;

import java.util.Map;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.TraceHost;

/**
 * Where the symbolic names of a trace live on one implementation: each host's
 * IPv4 address and IPv6 address (hostIps6: none where the implementation has
 * no IPv6), the real port of each port label, and where the Unix domain
 * sockets' names go (S20): a trace's name "srv" of host A is the path
 * unixDir/A/srv, its abstract name "@srv" is "\0" + abstractPrefix + "A-srv",
 * so that the runs of a machine never share a name and nothing a run binds
 * outlives its folder. unixDir null: the implementation has no Unix domain
 * sockets.
 */
public record Addressing(Map<String, String> hostIps, Map<String, String> hostIps6, Map<Integer, Integer> ports,
                         String unixDir, String abstractPrefix, Autobound autobound) {
    /**
     * How a trace writes the names Unix sockets' autobind gave (Linux: a NUL
     * and five hex digits of the kernel's choice): "@auto1", "@auto2", ... in
     * the order the run first showed each (spec/Unix.tla, AutoNames).
     */
    public static final String AUTOBOUND = org.sockcheck.spec.tlc.SpecBridge.AUTO_NAME;

    /** The names autobind gave in a run, as the trace writes them and as they are; shared by the copies of one run's Addressing. */
    public static final class Autobound {
        private final Map<String, String> byReal = new java.util.LinkedHashMap<>();
        private final Map<String, String> byTrace = new java.util.HashMap<>();

        /** The trace's name for a real name autobind gave, "@autoK", numbered in the order the run first shows each. */
        synchronized String traceName(String real) {
            return byReal.computeIfAbsent(real, r -> {
                String name = AUTOBOUND + (byReal.size() + 1);
                byTrace.put(name, r);
                return name;
            });
        }

        /** Whether the run showed this real name as one autobind gave. */
        synchronized boolean known(String real) {
            return byReal.containsKey(real);
        }

        /** The real name of "@autoK" once the run showed it; null before. */
        synchronized String real(String traceName) {
            return byTrace.get(traceName);
        }
    }

    /** Whether a real Unix name is one Linux's autobind gives: a NUL and five lowercase hex digits. */
    static boolean autobound(String real) {
        return real.length() == 6 && real.charAt(0) == 0 && real.substring(1).chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f');
    }

    public Addressing(Map<String, String> hostIps, Map<String, String> hostIps6, Map<Integer, Integer> ports, String unixDir,
                      String abstractPrefix) {
        this(hostIps, hostIps6, ports, unixDir, abstractPrefix, new Autobound());
    }

    public Addressing(Map<String, String> hostIps, Map<Integer, Integer> ports) {
        this(hostIps, ports, null, null);
    }

    /** Hosts with IPv4 addresses only. */
    public Addressing(Map<String, String> hostIps, Map<Integer, Integer> ports, String unixDir, String abstractPrefix) {
        this(hostIps, Map.of(), ports, unixDir, abstractPrefix);
    }

    /**
     * The real IP of an address as a trace writes it ({@link TraceHost}):
     * A, [A], [::ffff:A], * (or null) and [::]; null for a host this
     * implementation has no such address of.
     */
    public String ip(String written) {
        String h = TraceHost.host(written);
        return switch (TraceHost.form(written)) {
            case ANY4 -> Endpoint.ANY_IP;
            case ANY6 -> Endpoint.ANY6_IP;
            case V4 -> hostIps.get(h);
            case V6 -> hostIps6.get(h);
            case MAPPED -> hostIps.containsKey(h) ? "::ffff:" + hostIps.get(h) : null;
        };
    }

    /**
     * A real IP as a trace writes it: the inverse of {@link #ip}; null for
     * 0.0.0.0; an IP of none of the hosts as it is (an IPv6 one in brackets).
     */
    public String traceHost(String ip) {
        if (ip.equals(Endpoint.ANY_IP)) {
            return null;
        }
        if (ip.equals(Endpoint.ANY6_IP)) {
            return TraceHost.ANY6;
        }
        for (Map.Entry<String, String> e : hostIps.entrySet()) {
            if (e.getValue().equals(ip)) {
                return e.getKey();
            }
            if (("::ffff:" + e.getValue()).equals(ip)) {
                return TraceHost.mapped(e.getKey());
            }
        }
        for (Map.Entry<String, String> e : hostIps6.entrySet()) {
            if (e.getValue().equals(ip)) {
                return TraceHost.v6(e.getKey());
            }
        }
        return ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip;
    }

    /** Whether a real IP is one of the trace's addresses (a host's, in any form, or a wildcard). */
    public boolean known(String ip) {
        String h = traceHost(ip);
        return h == null || TraceHost.host(h) == null || hostIps.containsKey(TraceHost.host(h));
    }

    /** The real name of a trace's Unix name ("" stays "": no name) on a host. */
    public String unixName(String host, String name) {
        if (name.isEmpty()) {
            return "";
        }
        if (unixDir == null) {
            throw new IllegalArgumentException("this implementation has no place for Unix domain sockets' names");
        }
        if (org.sockcheck.spec.tlc.SpecBridge.autoName(name)) {
            String real = autobound.real(name);
            if (real == null) {
                throw new IllegalArgumentException("the Unix name " + name + " is one autobind gives, which this run has not"
                        + " shown yet (a trace names it after a getsockname, recvfrom or observation showed it)");
            }
            return real;
        }
        return name.startsWith("@") ? "\0" + abstractPrefix + host + "-" + name.substring(1) : unixDir + "/" + host + "/" + name;
    }

    /** Whether a real Unix name is none, or one of the run's: in its folder or under its abstract prefix, or one its autobind gave. */
    public boolean ownsUnixName(String real) {
        return real.isEmpty() || unixDir != null && real.startsWith(unixDir + "/")
                || abstractPrefix != null && real.startsWith("\0" + abstractPrefix)
                || autobound.known(real);
    }

    /** The host whose folder or abstract prefix a real Unix name of the run is under; null for any other name. */
    public String unixHost(String real) {
        String[] hostAndName = split(real);
        return hostAndName == null ? null : hostAndName[0];
    }

    /**
     * A real Unix name of the run as its host and the trace's name ("srv",
     * "@srv" for an abstract one); null for a name that is none of the run's.
     */
    private String[] split(String real) {
        String rest;
        int end;
        String mark;
        if (unixDir != null && real.startsWith(unixDir + "/")) {
            rest = real.substring(unixDir.length() + 1);
            end = rest.indexOf('/');
            mark = "";
        } else if (abstractPrefix != null && real.startsWith("\0" + abstractPrefix)) {
            rest = real.substring(1 + abstractPrefix.length());
            end = rest.indexOf('-');
            mark = "@";
        } else {
            return null;
        }
        return end < 0 ? null : new String[] {rest.substring(0, end), mark + rest.substring(end + 1)};
    }

    /**
     * A real Unix name as the trace writes it: the name within a host's
     * folder, or "@name" for an abstract name of the run; "" for none; any
     * other name as it is (an abstract one with '@' for its NUL).
     */
    public String traceName(String real) {
        String[] hostAndName = split(real);
        if (hostAndName != null) {
            return hostAndName[1];
        }
        return unixDir != null && autobound(real) ? autobound.traceName(real) : Endpoint.unix(real).shownPath();
    }
}
