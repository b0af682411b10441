package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sockcheck.harness.validate.Validator;

/**
 * Descriptors passed with SCM_RIGHTS (SendMsg and RecvNow in SocketApi.tla)
 * as the spec judges them: a socket in flight lives, recvmsg numbers what it
 * gives as the process's lowest free descriptors, wrong variants are
 * rejected, and what the spec does not follow is not judged, with its
 * reason.
 */
class DescriptorPassingTest {
    /** A stream pair [5, 6] whose end 5 goes through the datagram pair [3, 4], its sender's descriptor closed. */
    private static final String[] IN_FLIGHT = {"A.p1: socketpair(UNIX, DGRAM) = [3, 4]",
        "A.p1: socketpair(UNIX, STREAM) = [5, 6]", "A.p1: sendmsg(3, \"take\", [5]) = 4", "A.p1: close(5) = 0"};

    @Test
    void aSocketInFlightLivesAndComesBackAsTheLowestFreeDescriptor() throws Exception {
        assertTrue(SpecTraces.judge(2, "LINUX", SpecTraces.with(IN_FLIGHT, "A.p1: recv(6, 10, MSG_DONTWAIT) = EAGAIN",
                "A.p1: recvmsg(4, 10) = \"take\" rights [5]", "A.p1: send(5, \"hi\") = 2", "A.p1: recv(6, 10) = \"hi\""))
                .accepted());
        // A stack that freed the socket with its last descriptor: its peer reads end of file.
        Validator.Result freed = SpecTraces.judge(2, "LINUX", SpecTraces.with(IN_FLIGHT, "A.p1: recv(6, 10, MSG_DONTWAIT) = \"\""));
        assertFalse(freed.accepted(), freed.describe("freed in flight"));
        assertEquals(8, freed.line(), freed.describe("freed in flight"));
        // The descriptors received are numbered as dup numbers them, not as the stack likes.
        Validator.Result numbered = SpecTraces.judge(2, "LINUX", SpecTraces.with(IN_FLIGHT, "A.p1: recvmsg(4, 10) = \"take\" rights [9]"));
        assertFalse(numbered.accepted(), numbered.describe("another number"));
        // recvmsg gives the descriptors it received; leaving them out is another result.
        Validator.Result none = SpecTraces.judge(2, "LINUX", SpecTraces.with(IN_FLIGHT, "A.p1: recvmsg(4, 10) = \"take\""));
        assertFalse(none.accepted(), none.describe("no descriptors"));
    }

    @Test
    void aDatagramSocketChecksTheDescriptorsFirstAndASeqpacketOneItsConnectionFirst() throws Exception {
        assertTrue(SpecTraces.judge(2, "LINUX", "A.p1: socket(UNIX, DGRAM) = 3", "A.p1: sendmsg(3, \"x\", [9]) = EBADF",
                "A.p1: sendmsg(3, \"x\", [3]) = ENOTCONN", "A.p1: socket(UNIX, SEQPACKET) = 4",
                "A.p1: sendmsg(4, \"x\", [9]) = ENOTCONN").accepted());
        Validator.Result order = SpecTraces.judge(2, "LINUX", "A.p1: socket(UNIX, DGRAM) = 3", "A.p1: sendmsg(3, \"x\", [9]) = ENOTCONN");
        assertFalse(order.accepted(), order.describe("ENOTCONN first"));
    }

    @Test
    void aStreamReadStopsAtTheEndOfTheBytesThatCarrySockets() throws Exception {
        String[] sent = {"A.p1: socketpair(UNIX, STREAM) = [3, 4]", "A.p1: socketpair(UNIX, DGRAM) = [5, 6]",
            "A.p1: send(3, \"ab\") = 2", "A.p1: sendmsg(3, \"cd\", [5]) = 2", "A.p1: send(3, \"ef\") = 2"};
        assertTrue(SpecTraces.judge(2, "LINUX", SpecTraces.with(sent, "A.p1: recvmsg(4, 10) = \"abcd\" rights [7]",
                "A.p1: recvmsg(4, 10) = \"ef\"")).accepted());
        // A read of part of those bytes gets the sockets, a read short of them does not, and the rest of
        // them joins the bytes after (probed on Linux 6.18: "a", "bc" with the descriptor, "def").
        assertTrue(SpecTraces.judge(2, "LINUX", SpecTraces.with(sent, "A.p1: recvmsg(4, 1) = \"a\"",
                "A.p1: recvmsg(4, 2) = \"bc\" rights [7]", "A.p1: recvmsg(4, 10) = \"def\"")).accepted());
        // Joined with the bytes after them (a byte stream without the boundary), or without the descriptor: rejected.
        Validator.Result joined = SpecTraces.judge(2, "LINUX", SpecTraces.with(sent, "A.p1: recvmsg(4, 10) = \"abcdef\" rights [7]"));
        assertFalse(joined.accepted(), joined.describe("joined"));
        Validator.Result lost = SpecTraces.judge(2, "LINUX", SpecTraces.with(sent, "A.p1: recvmsg(4, 10) = \"abcd\""));
        assertFalse(lost.accepted(), lost.describe("no descriptor"));
    }

    @Test
    void whatTheSpecDoesNotFollowIsNotJudgedAndSaysWhy() throws Exception {
        // A recv other than recvmsg drops the last reference to the socket in flight: Linux closes it then.
        Validator.Result dropped = SpecTraces.judge(2, "LINUX", SpecTraces.with(IN_FLIGHT, "A.p1: recv(4, 10) = \"take\""));
        assertEquals(Validator.Kind.UNDECIDED, dropped.kind(), dropped.describe("dropped"));
        assertTrue(dropped.describe("t").contains("descriptors passed with SCM_RIGHTS"), dropped.describe("t"));
        // An INET socket passed: TCP's rules for a socket no descriptor holds do not count messages.
        Validator.Result inet = SpecTraces.judge(2, "LINUX", "A.p1: socketpair(UNIX, DGRAM) = [3, 4]",
                "A.p1: socket(INET, STREAM) = 5", "A.p1: sendmsg(3, \"x\", [5]) = 1");
        assertEquals(Validator.Kind.UNDECIDED, inet.kind(), inet.describe("inet"));
    }
}
