package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sockcheck.harness.validate.Validator;

/** SO_REUSEPORT as the spec has it: read back, and sharing left outside the model, which the verdict says. */
class ReusePortTest {
    private static final String[] FIRST = {"A.p1: socket(INET, DGRAM) = 3", "A.p1: setsockopt(3, SO_REUSEPORT, 1) = 0",
        "A.p1: bind(3, A:80) = 0", "A.p1: socket(INET, DGRAM) = 4"};

    @Test
    void aSharedBindIsNotJudgedAndSaysWhy() throws Exception {
        Validator.Result shared = SpecTraces.judge(2, "LINUX", SpecTraces.with(FIRST, "A.p1: setsockopt(4, SO_REUSEPORT, 1) = 0",
                "A.p1: bind(4, A:80) = 0"));
        assertEquals(Validator.Kind.UNDECIDED, shared.kind(), shared.describe("shared"));
        assertTrue(shared.describe("t").contains("SO_REUSEPORT"), shared.describe("t"));
    }

    @Test
    void aSocketWithoutItCannotShare() throws Exception {
        assertTrue(SpecTraces.judge(2, "LINUX", SpecTraces.with(FIRST, "A.p1: getsockopt(4, SO_REUSEPORT) = [0]",
                "A.p1: bind(4, A:80) = EADDRINUSE", "A.p1: getsockopt(3, SO_REUSEPORT) = [1]")).accepted());
        Validator.Result wrong = SpecTraces.judge(2, "LINUX", SpecTraces.with(FIRST, "A.p1: bind(4, A:80) = 0"));
        assertFalse(wrong.accepted(), wrong.describe("shared without the option"));
        assertEquals(Validator.Kind.REJECTED, wrong.kind(), wrong.describe("shared without the option"));
    }
}
