package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.impl.jdk.JdkImplementation;
import org.sockcheck.harness.run.JudgedBy;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.harness.run.Verdict;
import org.sockcheck.harness.trace.TraceText;

/**
 * The jdk adapter on trace format 2, judged by the spec: non-blocking
 * channels (SOCK_NONBLOCK, fcntl, accept4, MSG_DONTWAIT, EAGAIN, EINPROGRESS
 * and the next connect as finishConnect), poll where what a Selector shows
 * has one meaning (where it has two, SKIP with the reason), and calls that
 * wait on threads of their own while other threads go on.
 */
class JdkFormatTwoTest {
    private static final JdkImplementation JDK = new JdkImplementation();

    @AfterAll
    static void close() {
        JDK.close();
    }

    private static TraceResult run(String name, String body) throws Exception {
        return Corpus.runner(Duration.ofSeconds(5)).run(TraceText.parse(name, "version 2\nprofile LINUX\n" + body),
                Path.of("."), JDK);
    }

    private static void passes(String name, String body) throws Exception {
        TraceResult r = run(name, body);
        assertEquals(Verdict.PASS, r.verdict(), r.message());
        assertEquals(JudgedBy.SPEC, r.judgedBy(), "the verdict is the spec's");
    }

    @Test
    void aNonBlockingConnectIsInProgressThenItsNextConnectFinishesIt() throws Exception {
        passes("connect.trace", """
                A.p1: socket(INET, STREAM) = 3
                A.p1: bind(3, A:80) = 0
                A.p1: listen(3, 8) = 0
                B.p1: socket(INET, STREAM|NONBLOCK) = 3
                B.p1: connect(3, A:80) = EINPROGRESS
                B.p1: connect(3, A:80) = 0
                B.p1: connect(3, A:80) = EISCONN
                A.p1: accept(3) = 4 peer B:$e1
                B.p1: recv(3, 10) = EAGAIN
                A.p1: send(4, "hi") = 2
                B.p1: recv(3, 10) = "hi"
                """);
    }

    @Test
    void aCallBeforeTheNextConnectFindsTheConnectionMade() throws Exception {
        // The kernel finished the handshake; java.nio learns it by finishConnect, which the send needs.
        passes("send-first.trace", """
                A.p1: socket(INET, STREAM) = 3
                A.p1: bind(3, A:80) = 0
                A.p1: listen(3, 8) = 0
                B.p1: socket(INET, STREAM|NONBLOCK) = 3
                B.p1: connect(3, A:80) = EINPROGRESS
                B.p1: send(3, "hi") = 2
                B.p1: getpeername(3) = A:80
                B.p1: connect(3, A:80) = 0
                A.p1: accept(3) = 4 peer B:$e1
                A.p1: recv(4, 10) = "hi"
                """);
    }

    @Test
    void acceptAndRecvGiveEagainAndFcntlAndMsgDontwaitSetTheMode() throws Exception {
        passes("eagain.trace", """
                A.p1: socket(INET, STREAM|NONBLOCK) = 3
                A.p1: bind(3, A:80) = 0
                A.p1: listen(3, 8) = 0
                A.p1: accept(3) = EAGAIN
                B.p1: socket(INET, STREAM) = 3
                B.p1: connect(3, A:80) = 0
                A.p1: accept4(3, SOCK_NONBLOCK) = 4 peer B:$e1
                A.p1: recv(4, 10) = EAGAIN
                A.p1: fcntl(4, F_SETFL, 0) = 0
                A.p1: recv(4, 10, MSG_DONTWAIT) = EAGAIN
                B.p1: send(3, "hi") = 2
                A.p1: recv(4, 10) = "hi"
                A.p1: fcntl(3, F_SETFL, 0) = 0
                B.p1: socket(INET, STREAM) = 4
                B.p1: connect(4, A:80) = 0
                A.p1: accept(3) = 5 peer B:$e2
                B.p1: socket(INET, DGRAM) = 5
                B.p1: bind(5, B:53) = 0
                B.p1: recvfrom(5, 10, MSG_DONTWAIT) = EAGAIN
                """);
    }

    @Test
    void pollAnswersWhereTheSelectorHasOneMeaning() throws Exception {
        // A quiet connection is writable only; a listener with nothing waiting shows nothing; a UDP
        // socket with no datagram is writable only; a descriptor not open is POLLNVAL; a waiting poll
        // sees a non-blocking connect end.
        passes("poll.trace", SpecTraces.CONNECTION + """
                A.p1: poll([4 POLLIN|POLLOUT, 3 POLLIN], 0) = [4 POLLOUT, 3 0]
                A.p1: poll([4 POLLIN], 0) = [4 0]
                A.p1: poll([9 POLLIN], 0) = [9 POLLNVAL]
                A.p1: socket(INET, DGRAM) = 5
                A.p1: bind(5, A:53) = 0
                A.p1: poll([5 POLLIN|POLLOUT], 0) = [5 POLLOUT]
                B.p1: socket(INET, STREAM|NONBLOCK) = 4
                B.p1: connect(4, A:80) = EINPROGRESS
                B.p1: poll([4 POLLOUT], -1) = [4 POLLOUT]
                """);
    }

    @Test
    void aSelectorThatShowsEverythingIsSkippedWithTheReason() throws Exception {
        // Data and room: readable and writable, which java.nio also shows for a hang-up or an error.
        TraceResult r = run("ambiguous.trace", SpecTraces.CONNECTION + """
                B.p1: send(3, "hi") = 2
                A.p1: poll([4 POLLIN|POLLOUT], 0) = [4 POLLIN|POLLOUT]
                """);
        assertEquals(Verdict.SKIP, r.verdict(), r.message());
        assertEquals(10, r.line(), r.message());
        assertTrue(r.message().contains("hang-up or an error"), r.message());
    }

    @Test
    void callsWaitOnThreadsOfTheirOwnAndReturnWhenAnotherThreadActs() throws Exception {
        // Two threads wait in accept: java.nio lets them wait one at a time, in the order they came,
        // so the first connection goes to the first; a recv waits until the peer sends, another
        // until the peer shuts its side (end of file).
        passes("threads.trace", """
                A.p1: socket(INET, STREAM) = 3
                A.p1: bind(3, A:80) = 0
                A.p1: listen(3, 8) = 0
                A.p1.t2: accept(3) blocks
                A.p1.t3: accept(3) blocks
                B.p1: socket(INET, STREAM) = 3
                B.p1: connect(3, A:80) = 0
                A.p1.t2: accept returns 4 peer B:$e1
                B.p1: socket(INET, STREAM) = 4
                B.p1: connect(4, A:80) = 0
                A.p1.t3: accept returns 5 peer B:$e2
                A.p1.t2: recv(4, 10) blocks
                B.p1: send(3, "hi") = 2
                A.p1.t2: recv returns "hi"
                A.p1.t3: recv(5, 10) blocks
                B.p1: shutdown(4, WR) = 0
                A.p1.t3: recv returns ""
                """);
    }
}
