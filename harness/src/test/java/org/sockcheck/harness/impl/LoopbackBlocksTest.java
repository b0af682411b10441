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
}
