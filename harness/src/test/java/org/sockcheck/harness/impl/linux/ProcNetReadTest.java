package org.sockcheck.harness.impl.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sockcheck.spec.Proto;

/**
 * /proc/net/udp and tcp are written a page at a time, and a socket added to
 * or removed from a hash bucket between two pages makes the kernel list
 * another socket of that bucket twice. ProcNet lists each socket once: a
 * second line with the same inode is that repeat. Lines without an inode
 * (TIME-WAIT) cannot be told apart, and are all kept.
 */
class ProcNetReadTest {
    private static final String UDP_HEADER =
            "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops";

    private static String udp(int slot, String local, long inode) {
        return String.format("  %3d: %s 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 %d 2 0000000000000000 0",
                slot, local, inode);
    }

    @Test
    void aSocketListedTwiceIsOneRow(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("udp");
        Files.write(file, List.of(UDP_HEADER,
                udp(53, "0100007F:0035", 1001),
                udp(53, "0200007F:0035", 1002),
                // the first page ended here; a bind in the bucket shifted the place the next page starts from
                udp(53, "0200007F:0035", 1002),
                udp(54, "0100007F:0036", 1003)));
        List<ProcNet.Entry> entries = ProcNet.read(file, Proto.UDP);
        assertEquals(List.of(1001L, 1002L, 1003L), entries.stream().map(ProcNet.Entry::inode).toList());
        assertEquals("127.0.0.2", entries.get(1).row().local().ip());
        assertEquals(53, entries.get(1).row().local().port());
    }

    @Test
    void rowsWithoutAnInodeAreAllKept(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tcp");
        String timeWait = "   0: 0100007F:0050 0100007F:9C40 06 00000000:00000000 03:00000F9E 00000000     0        0 0 3 0000000000000000";
        Files.write(file, List.of(UDP_HEADER, timeWait, timeWait.replace("9C40", "9C41")));
        assertEquals(2, ProcNet.read(file, Proto.TCP).size());
    }
}
