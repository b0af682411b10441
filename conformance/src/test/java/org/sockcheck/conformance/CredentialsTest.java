package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.impl.RefImplementation;
import org.sockcheck.harness.impl.linux.LinuxImplementation;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.harness.run.Verdict;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.harness.trace.TraceText;
import org.sockcheck.harness.validate.Validator;

/**
 * Credentials of Unix domain sockets (SO_PASSCRED, SCM_CREDENTIALS; CredOf
 * and UnixCreds in Unix.tla) as the spec judges them and as the runs on
 * ref and linux show them: they name the sending process, a message sent
 * while neither socket asked for them carries none, other credentials are
 * rejected, what the spec leaves out is not judged and says why, and a run
 * of linux that cannot tell whose they are is SKIP with the reason.
 */
class CredentialsTest {
    /** p1 makes a pair, forks p2, which keeps end 4; p1 sends on 3. */
    private static final String[] FORKED = {"A.p1: socketpair(UNIX, STREAM) = [3, 4]", "A.p1: fork(p2) = 0",
        "A.p2: close(3) = 0", "A.p2: setsockopt(4, SO_PASSCRED, 1) = 0"};

    @Test
    void credentialsNameTheSendingProcess() throws Exception {
        assertTrue(SpecTraces.judge(2, "LINUX", SpecTraces.with(FORKED, "A.p1: send(3, \"ab\") = 2",
                "A.p2: recvmsg(4, 10) = \"ab\" creds p1")).accepted());
        Validator.Result other = SpecTraces.judge(2, "LINUX", SpecTraces.with(FORKED, "A.p1: send(3, \"ab\") = 2",
                "A.p2: recvmsg(4, 10) = \"ab\" creds p2"));
        assertFalse(other.accepted(), other.describe("the receiver's own"));
        assertEquals(9, other.line(), other.describe("the receiver's own"));
        // Shown only with SO_PASSCRED, and then always: leaving them out is another result.
        Validator.Result hidden = SpecTraces.judge(2, "LINUX", SpecTraces.with(FORKED, "A.p1: send(3, \"ab\") = 2",
                "A.p2: recvmsg(4, 10) = \"ab\""));
        assertFalse(hidden.accepted(), hidden.describe("not shown"));
    }

    @Test
    void bytesSentBeforeAnyoneAskedCarryNoneAndAreNotJoinedWithOthers() throws Exception {
        String[] sent = {"A.p1: socketpair(UNIX, STREAM) = [3, 4]", "A.p1: send(3, \"ab\") = 2",
            "A.p1: setsockopt(4, SO_PASSCRED, 1) = 0", "A.p1: send(3, \"cd\") = 2"};
        assertTrue(SpecTraces.judge(2, "LINUX", SpecTraces.with(sent, "A.p1: recvmsg(4, 10) = \"ab\" creds none",
                "A.p1: recvmsg(4, 10) = \"cd\" creds p1")).accepted());
        Validator.Result joined = SpecTraces.judge(2, "LINUX", SpecTraces.with(sent, "A.p1: recvmsg(4, 10) = \"abcd\" creds none"));
        assertFalse(joined.accepted(), joined.describe("joined"));
        Validator.Result given = SpecTraces.judge(2, "LINUX", SpecTraces.with(sent, "A.p1: recvmsg(4, 10) = \"ab\" creds p1"));
        assertFalse(given.accepted(), given.describe("credentials never sent"));
    }

    @Test
    void theAutobindSoPasscredCausesIsNotJudgedAndSaysWhy() throws Exception {
        Validator.Result r = SpecTraces.judge(2, "LINUX", "A.p1: socket(UNIX, DGRAM) = 3", "A.p1: bind(3, \"a\") = 0",
                "A.p1: socket(UNIX, DGRAM) = 4", "A.p1: setsockopt(4, SO_PASSCRED, 1) = 0", "A.p1: sendto(4, \"x\", \"a\") = 1");
        assertEquals(Validator.Kind.UNDECIDED, r.kind(), r.describe("autobind"));
        assertTrue(r.describe("t").contains("SO_PASSCRED"), r.describe("t"));
    }

    /**
     * linux's processes are threads of one JVM with one pid: credentials in a
     * run of two processes cannot be told apart, so the run is SKIP, with
     * that reason; ref, which knows its processes, passes the same trace.
     */
    @Test
    void aLinuxRunOfTwoProcessesThatShowsCredentialsIsSkipWithTheReason() throws Exception {
        Trace t = TraceText.parse("forked.trace", "# S20: credentials between two processes\nversion 2\nprofile LINUX\n\n"
                + String.join("\n", SpecTraces.with(FORKED, "A.p1: send(3, \"ab\") = 2", "A.p2: recvmsg(4, 10) = \"ab\" creds p1"))
                + "\n");
        try (Implementation ref = new RefImplementation(); Implementation linux = new LinuxImplementation()) {
            TraceResult onRef = Corpus.runner(Duration.ofSeconds(5)).run(t, Path.of("."), ref);
            assertEquals(Verdict.PASS, onRef.verdict(), onRef.message());
            TraceResult onLinux = Corpus.runner(Duration.ofSeconds(5)).run(t, Path.of("."), linux);
            assertEquals(Verdict.SKIP, onLinux.verdict(), onLinux.message());
            assertTrue(onLinux.message().contains("share its pid"), onLinux.message());
        }
    }
}
