package org.sockcheck.harness.impl;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Places the hosts of a trace on loopback addresses for implementations that
 * share this machine's kernel. Each trace gets a fresh block 127.X.Y.0/24, so
 * leftovers of an earlier run (TIME-WAIT) cannot be mistaken for its sockets,
 * and each port label a port from a free range chosen at run time.
 */
public final class Loopback {
    /** Below Linux's ephemeral range (32768-60999), so labelled and ephemeral ports never meet. */
    static final int FIRST_PORT = 20000;
    static final int LAST_PORT = 32000;

    private static final RandomGenerator RANDOM = new SecureRandom();

    private Loopback() {
    }

    public static Addressing plan(TraceSetup setup) throws ImplementationException {
        int x = 64 + RANDOM.nextInt(128);
        int y = 1 + RANDOM.nextInt(254);
        Map<String, String> ips = new LinkedHashMap<>();
        int i = 1;
        for (String h : setup.hosts()) {
            ips.put(h, "127." + x + "." + y + "." + i++);
        }
        return new Addressing(ips, ports(setup.portLabels(), List.copyOf(ips.values())));
    }

    /** A loopback address that sockcheck may use: 127.0.0.0/8. The guard before every real syscall. */
    public static boolean allowed(String ip) {
        return ip.startsWith("127.") || ip.equals("0.0.0.0");
    }

    private static Map<Integer, Integer> ports(List<Integer> labels, List<String> ips) throws ImplementationException {
        Map<Integer, Integer> out = new LinkedHashMap<>();
        int span = LAST_PORT - FIRST_PORT;
        int next = FIRST_PORT + RANDOM.nextInt(span);
        int tries = 0;
        for (int label : labels) {
            while (true) {
                if (++tries > 1000) {
                    throw new ImplementationException("found no free port in " + FIRST_PORT + "-" + LAST_PORT);
                }
                int candidate = next;
                next = next + 1 > LAST_PORT ? FIRST_PORT : next + 1;
                if (free(candidate, ips)) {
                    out.put(label, candidate);
                    break;
                }
            }
        }
        return out;
    }

    /** Free for TCP and UDP on every host address (a wildcard bind elsewhere would take it). */
    private static boolean free(int port, List<String> ips) {
        for (String ip : ips) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new InetSocketAddress(InetAddress.getByName(ip), port));
            } catch (IOException e) {
                return false;
            }
            try (DatagramSocket d = new DatagramSocket(null)) {
                d.bind(new InetSocketAddress(InetAddress.getByName(ip), port));
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
