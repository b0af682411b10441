package org.sockcheck.harness.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sockcheck.spec.Profile;

/** The kernel's runs of one JVM take blocks of a slice of loopback that the JVM holds by a file lock. */
class LoopbackBlocksTest {
    @Test
    void traceAfterTraceTakesNewBlocksOfTheSliceThisJvmHolds() throws Exception {
        TraceSetup setup = new TraceSetup(Profile.LINUX, List.of("A", "B"), List.of("A.p"), List.of(80), Duration.ofSeconds(1));
        Addressing first = Loopback.plan(setup);
        Addressing second = Loopback.plan(setup);
        int slice = LoopbackBlocks.slice();
        assertTrue(slice >= LoopbackBlocks.FIRST_X && slice < LoopbackBlocks.FIRST_X + LoopbackBlocks.SLICES,
                "no slice reserved: " + slice);
        String a = first.hostIps().get("A");
        String b = second.hostIps().get("A");
        assertNotEquals(a.substring(0, a.lastIndexOf('.')), b.substring(0, b.lastIndexOf('.')), "one block given twice");
        for (String ip : List.of(a, b)) {
            assertTrue(ip.startsWith("127." + slice + "."), ip + " is not of the slice 127." + slice);
        }
        assertEquals(a.substring(0, a.lastIndexOf('.')) + ".2", first.hostIps().get("B"));
        // The lock is this JVM's: taking it again from here overlaps (another process would be refused).
        try (FileChannel c = FileChannel.open(LoopbackBlocks.lockFile(slice), StandardOpenOption.WRITE)) {
            assertThrows(OverlappingFileLockException.class, c::tryLock);
        }
    }

    /** The blocks in use are read from the tables' address columns: of every row, local and remote, and nothing else. */
    @Test
    void theBlocksInUseAreTheBlocksOfEveryAddressInTheTables() throws Exception {
        String table = """
                  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
                   0: 0105407F:4E20 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 11 1 0 100 0 0 10 0
                   1: 0207417F:9C40 0100417F:4E21 06 00000000:00000000 03:00000AB2 00000000     0        0 0 3 0
                  12: 0100007F:0277 0A0B0C0D:0050 01 00000000:00000000 00:00000000 00000000     0        0 12 1 0
                """;
        java.util.BitSet blocks = new java.util.BitSet();
        org.sockcheck.harness.impl.linux.ProcNet.loopbackBlocks(table.getBytes(java.nio.charset.StandardCharsets.US_ASCII), blocks);
        // 127.64.5.1, 127.65.7.2 and its peer 127.65.0.1, 127.0.0.1; not 13.12.11.10, nor the timer's 00000AB2 field.
        assertEquals(List.of(64 << 8 | 5, 65 << 8, 65 << 8 | 7, 0), blocks.stream().boxed().sorted(
                java.util.Comparator.comparing(b -> b == 0 ? Integer.MAX_VALUE : b)).toList());
        // On this machine: a listener and a datagram socket of a block of their own are found.
        // (IPv4 sockets: Java's own sockets are IPv6 ones, listed in tcp6 and udp6.)
        try (var tcp = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.INET)
                .bind(new java.net.InetSocketAddress(java.net.InetAddress.getByAddress(new byte[] {127, (byte) 200, 9, 1}), 0));
             var udp = java.nio.channels.DatagramChannel.open(java.net.StandardProtocolFamily.INET)
                .bind(new java.net.InetSocketAddress(java.net.InetAddress.getByAddress(new byte[] {127, (byte) 200, 10, 1}), 0))) {
            java.util.Set<String> inUse = Loopback.blocksInUse();
            assertTrue(inUse.containsAll(List.of("200.9", "200.10")), inUse.toString());
        }
    }
}
