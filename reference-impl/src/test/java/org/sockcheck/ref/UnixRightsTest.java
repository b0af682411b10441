package org.sockcheck.ref;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Domain;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Errno;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.SockType;

/**
 * Descriptors passed through Unix domain sockets (S20): sendmsg with
 * SCM_RIGHTS carries the sockets they stand for, recvmsg makes them
 * descriptors of the receiving process. A socket stays open while a message
 * carries it, and closes when the message is read by a recv that drops it,
 * or goes unread, with nothing else holding it. Most cases send the stream
 * socket of one socketpair through the datagram socket of another, and look
 * at its peer: the peer reads end of file once the passed socket closed.
 */
class UnixRightsTest extends TwoHosts {
    private static final byte[] HI = bytes("hi");

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Outcome data(String s) {
        return new Outcome.Data(bytes(s), null);
    }

    private static Outcome message(String s, Integer... rights) {
        return new Outcome.Message(bytes(s), List.of(rights));
    }

    private static ApiCall sendMsg(int fd, byte[] data, Integer... rights) {
        return new ApiCall.SendMsg(fd, data, List.of(rights));
    }

    private static ApiCall recvMsg(int fd, int max) {
        return new ApiCall.RecvMsg(fd, max, false, false);
    }

    private static ApiCall peekMsg(int fd, int max) {
        return new ApiCall.RecvMsg(fd, max, true, true);
    }

    /** recv with MSG_DONTWAIT: EAGAIN while a stream's peer is open and silent, end of file once it closed. */
    private static ApiCall poll(int fd) {
        return new ApiCall.Recv(fd, 10, false, true);
    }

    private Outcome pair(SockType type) {
        return a(new ApiCall.SocketPair(Domain.UNIX, type, 0, false));
    }

    /** A datagram pair (3, 4) to pass through and a stream pair (5, 6) to pass. */
    private void twoPairs() {
        assertEquals(new Outcome.Pair(3, 4), pair(SockType.DGRAM));
        assertEquals(new Outcome.Pair(5, 6), pair(SockType.STREAM));
    }

    @Test
    void aPassedSocketOutlivesItsLastDescriptorAndWorksWhereItArrives() {
        twoPairs();
        assertEquals(ok(2), a(sendMsg(3, HI, 5)));
        assertEquals(ok(0), a(new ApiCall.Close(5)));
        // In flight, the socket is open: its peer has nothing to read yet, no end of file.
        assertEquals(err(Errno.EAGAIN), a(poll(6)));
        assertEquals(message("hi", 5), a(recvMsg(4, 10)));
        assertEquals(ok(1), a(new ApiCall.Send(5, bytes("x"))));
        assertEquals(data("x"), a(new ApiCall.Recv(6, 10)));
        // The message has left the queue.
        assertEquals(err(Errno.EAGAIN), a(new ApiCall.RecvMsg(4, 10, false, true)));
    }

    @Test
    void aRightsDescriptorNotOpenIsEbadfBeforeEverythingOnADatagramSocket() {
        assertEquals(ok(3), a(new ApiCall.Socket(Domain.UNIX, SockType.DGRAM, 0, false)));
        // Not connected: send says ENOTCONN, a sendmsg with a descriptor not open EBADF first.
        assertEquals(err(Errno.ENOTCONN), a(new ApiCall.Send(3, HI)));
        assertEquals(err(Errno.EBADF), a(sendMsg(3, HI, 9)));
        // One good descriptor and one not open: EBADF, nothing sent.
        assertEquals(new Outcome.Pair(4, 5), pair(SockType.DGRAM));
        assertEquals(err(Errno.EBADF), a(sendMsg(4, HI, 3, 9)));
        assertEquals(err(Errno.EAGAIN), a(new ApiCall.RecvMsg(5, 10, false, true)));
        // With the peer gone: EBADF before ECONNREFUSED, which a good descriptor then meets.
        assertEquals(ok(0), a(new ApiCall.Close(5)));
        assertEquals(err(Errno.EBADF), a(sendMsg(4, HI, 9)));
        assertEquals(err(Errno.ECONNREFUSED), a(sendMsg(4, HI, 3)));
        assertEquals(err(Errno.ENOTCONN), a(sendMsg(4, HI)));
    }

    @Test
    void anUnconnectedSeqpacketSocketIsEnotconnBeforeEbadf() {
        assertEquals(ok(3), a(new ApiCall.Socket(Domain.UNIX, SockType.SEQPACKET, 0, false)));
        assertEquals(err(Errno.ENOTCONN), a(sendMsg(3, HI, 9)));
        // Connected, the same descriptor is EBADF.
        assertEquals(new Outcome.Pair(4, 5), pair(SockType.SEQPACKET));
        assertEquals(err(Errno.EBADF), a(sendMsg(4, HI, 9)));
        assertEquals(ok(2), a(sendMsg(4, HI, 3)));
        assertEquals(message("hi", 6), a(recvMsg(5, 10)));
    }

    @Test
    void peekGivesADescriptorAndLeavesTheMessageInFlight() {
        twoPairs();
        assertEquals(ok(2), a(sendMsg(3, HI, 5)));
        assertEquals(message("hi", 7), a(peekMsg(4, 10)));
        // 7 is the passed socket: what it sends, 6 reads.
        assertEquals(ok(1), a(new ApiCall.Send(7, bytes("a"))));
        assertEquals(data("a"), a(new ApiCall.Recv(6, 10)));
        // With both its descriptors closed the socket stays: the message peeked at still carries it.
        assertEquals(ok(0), a(new ApiCall.Close(5)));
        assertEquals(ok(0), a(new ApiCall.Close(7)));
        assertEquals(err(Errno.EAGAIN), a(poll(6)));
        // The message is still there, and gives the socket again: 5 is the lowest free now.
        assertEquals(message("hi", 5), a(recvMsg(4, 10)));
        assertEquals(ok(1), a(new ApiCall.Send(5, bytes("b"))));
        assertEquals(data("b"), a(new ApiCall.Recv(6, 10)));
    }

    @Test
    void aPlainRecvDropsThePassedSocketWhichClosesWhenNothingElseHoldsIt() {
        twoPairs();
        assertEquals(ok(2), a(sendMsg(3, HI, 5)));
        assertEquals(ok(0), a(new ApiCall.Close(5)));
        // A peek with recv drops nothing.
        assertEquals(data("hi"), a(new ApiCall.Recv(4, 10, true, true)));
        assertEquals(err(Errno.EAGAIN), a(poll(6)));
        assertEquals(data("hi"), a(new ApiCall.Recv(4, 10)));
        // The message carried the only reference: the socket closed, and its peer reads end of file.
        assertEquals(data(""), a(poll(6)));
    }

    @Test
    void aPlainRecvLeavesOpenASocketADescriptorStillHolds() {
        twoPairs();
        assertEquals(ok(2), a(sendMsg(3, HI, 5)));
        assertEquals(data("hi"), a(new ApiCall.Recv(4, 10)));
        assertEquals(err(Errno.EAGAIN), a(poll(6)));
        assertEquals(ok(0), a(new ApiCall.Close(5)));
        assertEquals(data(""), a(poll(6)));
    }

    @Test
    void theLastCloseOfTheQueueDropsWhatItsMessagesCarry() {
        twoPairs();
        assertEquals(ok(2), a(sendMsg(3, HI, 5)));
        assertEquals(ok(0), a(new ApiCall.Close(5)));
        assertEquals(err(Errno.EAGAIN), a(poll(6)));
        assertEquals(ok(0), a(new ApiCall.Close(4)));
        assertEquals(data(""), a(poll(6)));
    }

    @Test
    void rightsAcrossProcessesAreTheReceiversLowestFreeDescriptors() {
        twoPairs();
        assertEquals(ok(0), a(new ApiCall.Fork("c")));
        // The child's lowest free descriptor is 3, the parent's 7.
        assertEquals(ok(0), stack.call("A", "c", new ApiCall.Close(3)));
        assertEquals(ok(2), a(sendMsg(3, HI, 5)));
        assertEquals(ok(0), a(new ApiCall.Close(5)));
        assertEquals(message("hi", 3), stack.call("A", "c", recvMsg(4, 10)));
        // The child's 3 is the stream socket the parent passed: the child's 6, its peer, reads what it sends.
        assertEquals(ok(1), stack.call("A", "c", new ApiCall.Send(3, bytes("x"))));
        assertEquals(data("x"), stack.call("A", "c", new ApiCall.Recv(6, 10)));
        // The parent got no new descriptor.
        assertEquals(err(Errno.EBADF), a(new ApiCall.Send(7, bytes("y"))));
    }

    @Test
    void aWaitingRecvmsgTakesTheLowestFreeDescriptorWhenItReturns() {
        twoPairs();
        assertInstanceOf(Outcome.Blocked.class, stack.call("A", "p", "t1", recvMsg(4, 10)));
        assertNull(stack.tryReturn("A", "p", "t1"));
        // 7 is taken before the message comes: the waiting call gets 8.
        assertEquals(ok(7), a(new ApiCall.Socket(Domain.UNIX, SockType.DGRAM, 0, false)));
        assertEquals(ok(2), a(sendMsg(3, HI, 5)));
        assertEquals(message("hi", 8), stack.tryReturn("A", "p", "t1"));
        assertEquals(ok(1), a(new ApiCall.Send(8, bytes("x"))));
        assertEquals(data("x"), a(new ApiCall.Recv(6, 10)));
    }

    @Test
    void theSameSocketTwiceIsTwoDescriptorsAndTwoReferences() {
        twoPairs();
        assertEquals(ok(2), a(sendMsg(3, HI, 5, 5)));
        assertEquals(ok(0), a(new ApiCall.Close(5)));
        assertEquals(message("hi", 5, 7), a(recvMsg(4, 10)));
        assertEquals(ok(0), a(new ApiCall.Close(5)));
        assertEquals(err(Errno.EAGAIN), a(poll(6)));
        assertEquals(ok(0), a(new ApiCall.Close(7)));
        assertEquals(data(""), a(poll(6)));
    }

    @Test
    void aLongMessageIsCutAndStillGivesItsRights() {
        twoPairs();
        assertEquals(ok(5), a(sendMsg(3, bytes("hello"), 5)));
        assertEquals(message("he", 7), a(recvMsg(4, 2)));
        assertEquals(err(Errno.EAGAIN), a(new ApiCall.RecvMsg(4, 10, false, true)));
    }

    @Test
    void withNoRoomForADescriptorThePassedSocketIsDropped() {
        stack = stack(new RefStack.Limits(7, 100, 40000, 40010));
        twoPairs();
        assertEquals(ok(2), a(sendMsg(3, HI, 5)));
        // 3 to 6 are all this process may have: the message comes without its descriptor.
        assertEquals(message("hi"), a(recvMsg(4, 10)));
        // Dropped, the socket is in flight no more: its descriptor's close is its last.
        assertEquals(err(Errno.EAGAIN), a(poll(6)));
        assertEquals(ok(0), a(new ApiCall.Close(5)));
        assertEquals(data(""), a(poll(6)));
    }

    @Test
    void recvmsgGivesWhatRecvGivesAsAMessage() {
        assertEquals(new Outcome.Pair(3, 4), pair(SockType.STREAM));
        assertEquals(err(Errno.EAGAIN), a(new ApiCall.RecvMsg(4, 10, false, true)));
        assertEquals(ok(2), a(sendMsg(3, HI)));
        assertEquals(message("h"), a(recvMsg(4, 1)));
        assertEquals(message("i"), a(recvMsg(4, 10)));
        assertEquals(ok(0), a(new ApiCall.Close(3)));
        assertEquals(message(""), a(recvMsg(4, 10)));
        // An unconnected seqpacket socket: recv's ENOTCONN.
        assertEquals(ok(3), a(new ApiCall.Socket(Domain.UNIX, SockType.SEQPACKET, 0, false)));
        assertEquals(err(Errno.ENOTCONN), a(recvMsg(3, 10)));
    }

    @Test
    void aStreamGivesTheSocketsToTheReadOfTheBytesTheyCameWith() {
        assertEquals(new Outcome.Pair(3, 4), pair(SockType.STREAM));
        assertEquals(new Outcome.Pair(5, 6), pair(SockType.STREAM));
        assertEquals(ok(2), a(new ApiCall.Send(3, bytes("ab"))));
        assertEquals(ok(2), a(sendMsg(3, bytes("cd"), 5)));
        assertEquals(ok(2), a(new ApiCall.Send(3, bytes("ef"))));
        // The read stops after the bytes that carried a socket, as Linux's does.
        assertEquals(message("abcd", 7), a(recvMsg(4, 10)));
        assertEquals(message("ef"), a(recvMsg(4, 10)));
        assertEquals(ok(1), a(new ApiCall.Send(7, bytes("x"))));
        assertEquals(data("x"), a(new ApiCall.Recv(6, 10)));
    }

    @Test
    void anInetSocketSendsTheBytesAloneAndRecvmsgGivesThemWithNoRights() {
        assertEquals(ok(3), a(new ApiCall.Socket(SockType.DGRAM, 0)));
        assertEquals(ok(0), a(new ApiCall.Bind(3, A80)));
        assertEquals(ok(4), a(new ApiCall.Socket(SockType.DGRAM, 0)));
        // Not connected: send's EDESTADDRREQ, whatever the descriptors.
        assertEquals(err(Errno.EDESTADDRREQ), a(sendMsg(4, HI, 9)));
        assertEquals(ok(0), a(new ApiCall.Connect(4, A80)));
        // A descriptor not open is not looked at.
        assertEquals(ok(2), a(sendMsg(4, HI, 9)));
        assertEquals(message("hi"), a(recvMsg(3, 10)));
    }

    @Test
    void theActionsOfTheTwoCalls() {
        assertEquals("sendMsg", RefStack.action(sendMsg(3, HI, 4)));
        assertEquals("recv", RefStack.action(recvMsg(3, 1)));
    }
}
