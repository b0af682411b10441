package org.sockcheck.harness.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.impl.linux.LinuxImplementation;
import org.sockcheck.ref.RefStack;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Profile;
import org.sockcheck.spec.Proto;
import org.sockcheck.spec.SockType;

/**
 * S16: the reference stack prints its socket table as the kernel prints
 * /proc/net/tcp and /proc/net/udp. The same calls run on Linux and on the
 * reference stack; the two tables must have the same header, the same line
 * width, the same column widths, and the same rows once addresses are
 * mapped back to host names and port labels. Inodes, uid, timers, queue
 * sizes and the slot column are set aside: they are the kernel's own.
 */
class ProcNetRenderingTest {
    record Call(String host, String process, ApiCall call) {
    }

    private static final Endpoint A80 = new Endpoint("A", 80);
    private static final Endpoint A53 = new Endpoint("A", 53);

    /** A listener, an established pair, a connected UDP pair, a TIME-WAIT, an orphan FIN-WAIT-2 and CLOSE-WAIT. */
    private static final List<Call> SCRIPT = List.of(
            new Call("A", "p1", new ApiCall.Socket(SockType.STREAM, 0)),
            new Call("A", "p1", new ApiCall.Bind(3, A80)),
            new Call("A", "p1", new ApiCall.Listen(3, 8)),
            new Call("B", "p1", new ApiCall.Socket(SockType.STREAM, 0)),
            new Call("B", "p1", new ApiCall.Connect(3, A80)),
            new Call("A", "p1", new ApiCall.Accept(3)),
            new Call("A", "p1", new ApiCall.Socket(SockType.DGRAM, 0)),
            new Call("A", "p1", new ApiCall.Bind(5, A53)),
            new Call("B", "p1", new ApiCall.Socket(SockType.DGRAM, 0)),
            new Call("B", "p1", new ApiCall.Connect(4, A53)),
            new Call("B", "p1", new ApiCall.Socket(SockType.STREAM, 0)),
            new Call("B", "p1", new ApiCall.Connect(5, A80)),
            new Call("A", "p1", new ApiCall.Accept(3)),
            new Call("B", "p1", new ApiCall.Close(5)),
            new Call("A", "p1", new ApiCall.Close(6)),
            new Call("B", "p1", new ApiCall.Socket(SockType.STREAM, 0)),
            new Call("B", "p1", new ApiCall.Connect(5, A80)),
            new Call("A", "p1", new ApiCall.Accept(3)),
            new Call("B", "p1", new ApiCall.Close(5)));

    @Test
    void referenceTablesMatchTheKernelsForTheSameCalls() throws Exception {
        RefStack ref = new RefStack(Profile.LINUX);
        Map<String, String> refIps = Map.of("A", "192.0.2.1", "B", "192.0.2.2");
        refIps.forEach(ref::addHost);
        for (Call c : SCRIPT) {
            ref.call(c.host(), c.process(), withAddresses(c.call(), refIps, Map.of(80, 80, 53, 53)));
        }

        Map<Proto, Map<String, String>> kernel = new HashMap<>();
        Map<String, String> linuxIps;
        Map<Integer, Integer> linuxPorts;
        try (LinuxImplementation linux = new LinuxImplementation()) {
            Addressing addressing = linux.start(new TraceSetup(Profile.LINUX, List.of("A", "B"),
                    List.of("A.p1", "B.p1"), List.of(80, 53), Duration.ofSeconds(2)));
            linuxIps = addressing.hostIps();
            linuxPorts = addressing.ports();
            for (Call c : SCRIPT) {
                linux.call(c.host(), c.process(), withAddresses(c.call(), linuxIps, linuxPorts));
            }
            // observe waits until no connection awaits its peer, then the files are read.
            linux.observe("A");
            linux.observe("B");
            kernel.put(Proto.TCP, byHost(Files.readAllLines(Path.of("/proc/net/tcp")), linuxIps));
            kernel.put(Proto.UDP, byHost(Files.readAllLines(Path.of("/proc/net/udp")), linuxIps));
            linux.stop();
        }

        for (Proto proto : List.of(Proto.TCP, Proto.UDP)) {
            String procFile = Files.readAllLines(Path.of("/proc/net/" + proto.word())).get(0);
            for (String host : List.of("A", "B")) {
                List<String> refLines = ref.procNet(host, proto).lines().toList();
                assertEquals(procFile, refLines.get(0), proto + " header, character for character");
                Map<String, String> refRows = rows(refLines.subList(1, refLines.size()), refIps, Map.of(80, 80, 53, 53));
                Map<String, String> linuxRows = rows(lines(kernel.get(proto).get(host)), linuxIps, linuxPorts);
                assertEquals(linuxRows.keySet(), refRows.keySet(), proto + " rows of " + host);
                assertTrue(refRows.size() >= (proto == Proto.TCP ? 2 : 1), "rows compared: " + refRows.keySet());
                if (proto == Proto.TCP && host.equals("B")) {
                    // The time-wait format: TIME-WAIT (06) and an orphan FIN-WAIT-2 (05).
                    assertTrue(refRows.keySet().stream().anyMatch(k -> k.endsWith(" 06"))
                            && refRows.keySet().stream().anyMatch(k -> k.endsWith(" 05")), "rows: " + refRows.keySet());
                }
                for (String key : refRows.keySet()) {
                    assertEquals(shape(linuxRows.get(key)), shape(refRows.get(key)),
                            "columns of " + key + "\n linux: " + linuxRows.get(key) + "\n ref:   " + refRows.get(key));
                }
            }
        }
    }

    private static List<String> lines(String joined) {
        return joined == null ? List.of() : joined.lines().toList();
    }

    /** The kernel's lines whose local address is one of the hosts', joined per host. */
    private static Map<String, String> byHost(List<String> lines, Map<String, String> ips) {
        Map<String, String> out = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String local = line.trim().split("\\s+")[1];
            ips.forEach((host, ip) -> {
                if (local.startsWith(hexIp(ip))) {
                    out.merge(host, line, (x, y) -> x + "\n" + y);
                }
            });
        }
        return out;
    }

    /** Each row keyed by "local remote state" in host names and port labels ("eph" for an ephemeral port). */
    private static Map<String, String> rows(List<String> lines, Map<String, String> ips, Map<Integer, Integer> ports) {
        Map<String, String> names = new HashMap<>();
        ips.forEach((host, ip) -> names.put(hexIp(ip), host));
        names.put("00000000", "*");
        Map<Integer, Integer> labels = new HashMap<>();
        ports.forEach((label, real) -> labels.put(real, label));
        Map<String, String> out = new TreeMap<>();
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            String key = symbolic(f[1], names, labels) + " " + symbolic(f[2], names, labels) + " " + f[3];
            String previous = out.put(key, line);
            assertTrue(previous == null, "two rows for " + key);
        }
        return out;
    }

    private static String symbolic(String hex, Map<String, String> names, Map<Integer, Integer> labels) {
        String[] parts = hex.split(":");
        int port = Integer.parseInt(parts[1], 16);
        String label = port == 0 ? "*" : labels.containsKey(port) ? labels.get(port).toString() : "eph";
        return names.getOrDefault(parts[0], "?" + parts[0]) + ":" + label;
    }

    /**
     * The line's length, where the slot column ends, the width of each
     * column after it up to the uid, and the number of columns (inode and
     * after vary in width with their values).
     */
    private static List<Integer> shape(String line) {
        List<Integer> widths = new ArrayList<>();
        widths.add(line.length());
        int colon = line.indexOf(':');
        widths.add(colon);
        String[] fields = line.substring(colon + 1).trim().split(" +");
        Arrays.stream(fields).limit(7).forEach(f -> widths.add(f.length()));
        widths.add(line.trim().split("\\s+").length);
        return widths;
    }

    private static String hexIp(String ip) {
        String[] b = ip.split("\\.");
        return String.format("%02X%02X%02X%02X", Integer.parseInt(b[3]), Integer.parseInt(b[2]),
                Integer.parseInt(b[1]), Integer.parseInt(b[0]));
    }

    private static ApiCall withAddresses(ApiCall call, Map<String, String> ips, Map<Integer, Integer> ports) {
        return switch (call) {
            case ApiCall.Bind c -> new ApiCall.Bind(c.fd(), real(c.addr(), ips, ports));
            case ApiCall.Connect c -> new ApiCall.Connect(c.fd(), real(c.addr(), ips, ports));
            default -> call;
        };
    }

    private static Endpoint real(Endpoint symbolic, Map<String, String> ips, Map<Integer, Integer> ports) {
        return new Endpoint(ips.get(symbolic.ip()), ports.get(symbolic.port()));
    }
}
