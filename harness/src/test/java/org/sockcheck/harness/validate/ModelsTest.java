package org.sockcheck.harness.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.trace.TraceText;

/** The spec's constants come from the traces. */
class ModelsTest {

    /** A host that only appears in an address (nothing runs there) is one of the model's hosts. */
    @Test
    void aHostNamedOnlyInAnAddressIsAHostOfTheModel() throws Exception {
        var t = TraceText.parse("t.trace", """
                # connect to a host where nothing listens
                version 1
                profile LINUX

                B.p1: socket(INET, STREAM) = 3
                B.p1: connect(3, A:80) = ECONNREFUSED
                """);
        var constants = Models.forTraces(List.of(t));
        assertEquals(List.of("A", "B"), constants.hosts());
        assertEquals(List.of("p1"), constants.procs());
        assertEquals(List.of(80), constants.ports());
    }

    /** The spec's processes are named by the judge: p for those that start by themselves, c for forked ones. */
    @Test
    void processesAreNamedForTheSpecAndSizedFromTheTrace() throws Exception {
        var t = TraceText.parse("t.trace", """
                version 1
                A.server: socket(INET, STREAM) = 3
                A.server: fork(worker) = 0
                A.server: exit() = 0
                A.server: socket(INET, DGRAM) = 3
                A.worker: close(3) = 0
                B.x: socket(INET, DGRAM) = 3
                """);
        var spec = Models.forSpec(t);
        assertEquals(List.of("A.p1", "A.p2", "A.c1", "B.p1"), spec.processes());
        assertEquals("A.p1: fork(c1) = 0", TraceText.line(spec.events().get(1)));
        var constants = Models.forTraces(List.of(t));
        assertEquals(List.of("p1", "p2", "c1"), constants.procs());
        assertEquals(List.of("c1"), constants.unborn());
        // Three sockets: room for every descriptor and entry they may take, with spares.
        assertEquals(List.of(3, 4, 5, 6, 7), constants.fds());
        assertEquals(5, constants.sids());
        // No call that may bind a socket: the three ephemeral ports every model has.
        assertEquals(3, constants.ephemeralPorts().size());
        // Each call that may give a socket a port never used before has one, and a spare.
        var binds = TraceText.parse("b.trace", """
                version 1
                A.p1: socket(INET, DGRAM) = 3
                A.p1: bind(3, *:*) = 0
                A.p1: close(3) = 0
                A.p1: socket(INET, DGRAM) = 3
                A.p1: sendto(3, "d", A:80) = 1
                A.p1: connect(3, A:80) = 0
                A.p1: close(3) = 0
                A.p1: socket(INET, STREAM) = 3
                A.p1: listen(3, 8) = 0
                """);
        assertEquals(5, Models.forTraces(List.of(binds)).ephemeralPorts().size());
    }

    @Test
    void forkIntoARunningProcessIsNotATrace() throws Exception {
        var t = TraceText.parse("t.trace", """
                version 1
                A.p1: socket(INET, STREAM) = 3
                A.p2: socket(INET, STREAM) = 3
                A.p1: fork(p2) = 0
                """);
        assertEquals("line 4: fork makes A.p2, which is running (a process of that name made a call and has not exited)",
                Models.unfit(t).orElseThrow());
    }

    @Test
    void anyBytesAreDataOfTheSpec() {
        assertEquals("ab\u0000\u00ff%\"\\~\ufffd", org.sockcheck.spec.tlc.SpecBridge.data(new byte[] {'a', 'b', 0, (byte) 0xff, '%', '"', '\\', '~', '`'}),
                "one character a byte, so a stream is counted in bytes");
        assertEquals(3, org.sockcheck.spec.tlc.SpecBridge.data(new byte[] {(byte) 0xc3, (byte) 0xa9, 0}).length(), "bytes, not UTF-8 characters");
        byte[] every = new byte[256];
        for (int b = 0; b < 256; b++) {
            every[b] = (byte) b;
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(every, org.sockcheck.spec.tlc.SpecBridge.bytes(org.sockcheck.spec.tlc.SpecBridge.data(every)), "bytes undoes data");
    }

    @Test
    void aModelGrowsOnlyWhereATraceNeedsMore() {
        var small = new org.sockcheck.spec.tlc.SpecBridge.Constants(List.of("A"), List.of("p1"), List.of(80),
                List.of(40000, 40001, 40002), List.of(3, 4, 5), 4, List.of("d"), List.of(1), "LINUX");
        var big = new org.sockcheck.spec.tlc.SpecBridge.Constants(List.of("B"), List.of("p1", "p2", "c1"), List.of(81),
                List.of(40000), List.of(3, 4), 9, List.of("e"), List.of(1, 100), "LINUX", List.of("c1"));
        var u = Models.union(small, big);
        assertEquals(List.of("A", "B"), u.hosts());
        assertEquals(List.of("p1", "p2", "p3", "c1", "c2"), u.procs(), "grown past what was needed");
        assertEquals(List.of(3, 4, 5), u.fds(), "enough already: not grown");
        assertEquals(13, u.sids());
        assertEquals(List.of("d", "e"), u.data());
        assertEquals(List.of(1, 100), u.recvSizes());
        assertEquals(u, Models.union(u, small), "nothing new: the same model");
    }
}
