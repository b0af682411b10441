package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.harness.run.Verdict;
import org.sockcheck.harness.trace.TraceText;
import org.sockcheck.harness.validate.Validator;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Errno;
import org.sockcheck.spec.Outcome;

/**
 * Trace format 2: threads, and calls that wait while other events happen.
 * The spec judges where a waiting call returns and with what; a run that
 * has a call return too early, with the wrong result, or never, fails.
 */
class ThreadsTest {
    /** B connects to A's listener; A's thread t2 waits in recv on the accepted socket. */
    private static final String[] CONNECTED = {"A.p1: socket(INET, STREAM) = 3", "A.p1: bind(3, A:80) = 0",
        "A.p1: listen(3, 8) = 0", "B.p1: socket(INET, STREAM) = 3", "B.p1: connect(3, A:80) = 0",
        "A.p1: accept(3) = 4 peer B:$e1", "A.p1.t2: recv(4, 10) blocks"};

    @Test
    void aWaitingRecvReturnsWhatArrivesAfterIt() throws Exception {
        Validator.Result r = SpecTraces.judge(2, "LINUX", SpecTraces.with(CONNECTED, "A.p1: getsockname(4) = A:80", "B.p1: send(3, \"hi\") = 2",
                "A.p1.t2: recv returns \"hi\""));
        assertTrue(r.accepted(), r.describe("recv waits, the data come, recv returns them"));
    }

    @Test
    void aReturnBeforeWhatCausesItIsRejected() throws Exception {
        Validator.Result r = SpecTraces.judge(2, "LINUX", SpecTraces.with(CONNECTED, "A.p1.t2: recv returns \"hi\"", "B.p1: send(3, \"hi\") = 2"));
        assertEquals(Validator.Kind.REJECTED, r.kind(), r.describe("recv returns before the data are sent"));
        assertEquals(11, r.line());
    }

    @Test
    void aReturnWithOtherDataIsRejected() throws Exception {
        Validator.Result r = SpecTraces.judge(2, "LINUX", SpecTraces.with(CONNECTED, "B.p1: send(3, \"hi\") = 2", "A.p1.t2: recv returns \"ho\""));
        assertEquals(Validator.Kind.REJECTED, r.kind(), r.describe("recv returns data nobody sent"));
        assertEquals(12, r.line());
        assertTrue(r.allowed().contains("\"hi\""), r.allowed());
    }

    @Test
    void aCallMayNotWaitWhereItMustReturn() throws Exception {
        // The data are there before the call: recv returns them at once.
        Validator.Result r = SpecTraces.judge(2, "LINUX", "A.p1: socket(INET, STREAM) = 3", "A.p1: bind(3, A:80) = 0",
                "A.p1: listen(3, 8) = 0", "B.p1: socket(INET, STREAM) = 3", "B.p1: connect(3, A:80) = 0",
                "A.p1: accept(3) = 4 peer B:$e1", "B.p1: send(3, \"hi\") = 2", "A.p1.t2: recv(4, 10) blocks");
        assertEquals(Validator.Kind.REJECTED, r.kind(), r.describe("recv waits with data there"));
        // A trace that ends with a thread waiting where its call must return is rejected too.
        r = SpecTraces.judge(2, "LINUX", SpecTraces.with(CONNECTED, "B.p1: send(3, \"hi\") = 2"));
        assertEquals(Validator.Kind.REJECTED, r.kind(), r.describe("the trace ends, recv still waits, data there"));
        assertTrue(r.allowed().contains("RecvReturns"), r.allowed());
    }

    @Test
    void anotherThreadsShutdownEndsAWaitingRecv() throws Exception {
        Validator.Result r = SpecTraces.judge(2, "LINUX", SpecTraces.with(CONNECTED, "A.p1: shutdown(4, RD) = 0", "A.p1.t2: recv returns \"\""));
        assertTrue(r.accepted(), r.describe("shutdown(SHUT_RD) gives the waiting recv end of file"));
    }

    private static final String TRACE = """
            version 2
            profile LINUX
            A.p1: socket(INET, STREAM) = 3
            A.p1: bind(3, A:80) = 0
            A.p1: listen(3, 8) = 0
            A.p1.t2: accept(3) blocks
            B.p1: socket(INET, STREAM) = 3
            B.p1: connect(3, A:80) = 0
            A.p1.t2: accept returns 4 peer B:$e1
            """;

    private static TraceResult run(RefWithBug.Bug bug) throws Exception {
        return Corpus.runner(Duration.ofMillis(500)).run(TraceText.parse("accept.trace", TRACE), Path.of("."),
                new RefWithBug("ref-with-a-bug", bug));
    }

    @Test
    void theRefStackRunsThreads() throws Exception {
        TraceResult r = run((ref, host, process, call, o) -> o);
        assertEquals(Verdict.PASS, r.verdict(), r.message());
    }

    @Test
    void aWaitingCallThatNeverReturnsFails() throws Exception {
        // The accept's return never comes: the run ends at its line, where the spec says it returns.
        TraceResult r = run((ref, host, process, call, o) -> call == null ? new Outcome.Blocked("never") : o);
        assertEquals(Verdict.FAIL, r.verdict(), r.message());
        assertEquals(6, r.line(), r.message());
        assertTrue(r.message().contains("returns before the trace ends"), r.message());
    }

    @Test
    void aCallThatDoesNotWaitWhereItMustFails() throws Exception {
        TraceResult r = run((ref, host, process, call, o) ->
                call instanceof ApiCall.Accept && o instanceof Outcome.Blocked ? new Outcome.Failed(Errno.EAGAIN) : o);
        assertEquals(Verdict.FAIL, r.verdict(), r.message());
        assertEquals(6, r.line(), r.message());
    }
}
