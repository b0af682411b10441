package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sockcheck.harness.validate.Validator;

/**
 * connect(AF_UNSPEC) (Dissolve in SocketApi.tla) as the spec judges it, wrong
 * variants included, and what Linux releases do differently after a socket
 * has connected or listened (Listen, Connect).
 */
class DisconnectTest {
    private static final String[] CONNECTION = {"A.p1: socket(INET, STREAM) = 3", "A.p1: bind(3, A:80) = 0",
        "A.p1: listen(3, 8) = 0", "B.p1: socket(INET, STREAM) = 3", "B.p1: connect(3, A:80) = 0",
        "A.p1: accept(3) = 4 peer B:$e1"};

    @Test
    void aUdpSocketKeepsOnlyWhatBindNamed() throws Exception {
        String[] picked = {"A.p1: socket(INET, DGRAM) = 3", "A.p1: bind(3, A:0) = 0", "A.p1: getsockname(3) = A:$e1",
            "A.p1: connect(3, B:53) = 0", "A.p1: connect(3, AF_UNSPEC) = 0"};
        assertTrue(SpecTraces.judge(2, "LINUX", SpecTraces.with(picked, "A.p1: getsockname(3) = A:*")).accepted());
        // The port the stack picked at bind is gone: keeping it is a wrong variant.
        Validator.Result kept = SpecTraces.judge(2, "LINUX", SpecTraces.with(picked, "A.p1: getsockname(3) = A:$e1"));
        assertFalse(kept.accepted(), kept.describe("kept port"));
        assertEquals(9, kept.line(), kept.describe("kept port"));
        // POSIX asks only that the peer go.
        assertTrue(SpecTraces.judge(2, "POSIX", SpecTraces.with(picked, "A.p1: getpeername(3) = ENOTCONN",
                "A.p1: getsockname(3) = A:$e1")).accepted());
    }

    @Test
    void aConnectionIsResetAndItsPeerToldSo() throws Exception {
        String[] dissolved = SpecTraces.with(CONNECTION, "B.p1: connect(3, AF_UNSPEC) = 0");
        assertTrue(SpecTraces.judge(2, "LINUX", SpecTraces.with(dissolved, "A.p1: recv(4, 10) = ECONNRESET",
                "B.p1: getsockopt(3, SO_ERROR) = [ECONNRESET]", "B.p1: connect(3, A:80) = 0")).accepted());
        Validator.Result quiet = SpecTraces.judge(2, "LINUX", SpecTraces.with(dissolved, "A.p1: recv(4, 10) = \"\""));
        assertFalse(quiet.accepted(), quiet.describe("end of file instead of a reset"));
        Validator.Result noError = SpecTraces.judge(2, "LINUX", SpecTraces.with(dissolved, "B.p1: getsockopt(3, SO_ERROR) = [0]"));
        assertFalse(noError.accepted(), noError.describe("no pending error"));
        // BSD's TCP takes no such address.
        assertTrue(SpecTraces.judge(2, "POSIX", SpecTraces.with(CONNECTION, "B.p1: connect(3, AF_UNSPEC) = EAFNOSUPPORT",
                "B.p1: getpeername(3) = A:80")).accepted());
    }

    @Test
    void listenAfterASynIsNotJudgedAndSaysWhy() throws Exception {
        Validator.Result r = SpecTraces.judge(2, "LINUX", "A.p1: socket(INET, STREAM) = 3",
                "A.p1: connect(3, B:80) = ECONNREFUSED", "A.p1: listen(3, 8) = EINVAL");
        assertEquals(Validator.Kind.UNDECIDED, r.kind(), r.describe("listen after a refused connect"));
        assertTrue(r.describe("t").contains("listen on a TCP socket that sent a SYN"), r.describe("t"));
        // A raw socket's AF_UNSPEC is outside the model too, with its own reason.
        Validator.Result raw = SpecTraces.judge(2, "LINUX", "A.p1: socket(INET, RAW, 253) = 3",
                "A.p1: connect(3, AF_UNSPEC) = 0");
        assertEquals(Validator.Kind.UNDECIDED, raw.kind(), raw.describe("raw"));
        assertTrue(raw.describe("t").contains("raw socket"), raw.describe("t"));
    }

    @Test
    void aSocketThatListenedMayOrMayNotConnectOnLinux() throws Exception {
        String[] stopped = {"A.p1: socket(INET, STREAM) = 3", "A.p1: bind(3, A:80) = 0", "A.p1: listen(3, 8) = 0",
            "A.p1: shutdown(3, RD) = 0", "B.p1: socket(INET, STREAM) = 3", "B.p1: bind(3, B:81) = 0",
            "B.p1: listen(3, 8) = 0"};
        assertTrue(SpecTraces.judge(2, "LINUX", SpecTraces.with(stopped, "A.p1: connect(3, B:81) = EINVAL",
                "A.p1: getsockname(3) = A:80")).accepted());
        assertTrue(SpecTraces.judge(2, "LINUX", SpecTraces.with(stopped, "A.p1: connect(3, B:81) = 0")).accepted());
        assertFalse(SpecTraces.judge(2, "POSIX", SpecTraces.with(stopped, "A.p1: connect(3, B:81) = EINVAL")).accepted());
    }
}
