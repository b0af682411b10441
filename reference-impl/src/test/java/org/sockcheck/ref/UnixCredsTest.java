package org.sockcheck.ref;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Domain;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Errno;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.SockOpt;
import org.sockcheck.spec.SockType;

/**
 * Credentials of Unix domain sockets (Unix.tla's CredOf and UnixCreds): a
 * message carries its sending process when either socket has SO_PASSCRED,
 * when the sendmsg passed them (SCM_CREDENTIALS), or when its receiver was
 * not accepted yet; recvmsg shows them to a socket with SO_PASSCRED, whose
 * reads of a stream join no bytes of other credentials. Process p of host A
 * sends throughout; "none" is a message that carried none.
 */
class UnixCredsTest extends TwoHosts {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Outcome message(String s, String creds) {
        return new Outcome.Message(bytes(s), List.of(), creds);
    }

    private static ApiCall send(int fd, String s) {
        return new ApiCall.Send(fd, bytes(s));
    }

    private static ApiCall recvMsg(int fd, int max) {
        return new ApiCall.RecvMsg(fd, max, false, false);
    }

    private static ApiCall passCred(int fd, boolean on) {
        return new ApiCall.SetSockOpt(fd, SockOpt.SO_PASSCRED, on ? 1 : 0);
    }

    private void pair(SockType type) {
        assertEquals(new Outcome.Pair(3, 4), a(new ApiCall.SocketPair(Domain.UNIX, type, 0, false)));
    }

    @Test
    void aStreamReadWithPassCredStopsWhereTheCredentialsChange() {
        pair(SockType.STREAM);
        assertEquals(ok(2), a(send(3, "ab")));
        assertEquals(ok(0), a(passCred(4, true)));
        assertEquals(new Outcome.Option("1"), a(new ApiCall.GetSockOpt(4, "SO_PASSCRED")));
        assertEquals(ok(2), a(send(3, "cd")));
        assertEquals(ok(2), a(send(3, "ef")));
        assertEquals(message("ab", Outcome.Message.NO_CREDS), a(recvMsg(4, 10)));
        // A piece read in part keeps its credentials; pieces of the same credentials join.
        assertEquals(message("c", "p"), a(recvMsg(4, 1)));
        assertEquals(message("def", "p"), a(recvMsg(4, 10)));
        // Without SO_PASSCRED a read joins them all and shows nothing.
        assertEquals(ok(2), a(send(3, "gh")));
        assertEquals(ok(0), a(passCred(4, false)));
        assertEquals(ok(2), a(send(3, "ij")));
        assertEquals(message("ghij", null), a(recvMsg(4, 10)));
        // End of file read with SO_PASSCRED shows all zero.
        assertEquals(ok(0), a(new ApiCall.Shutdown(3, org.sockcheck.spec.ShutdownHow.WR)));
        assertEquals(ok(0), a(passCred(4, true)));
        assertEquals(message("", Outcome.Message.ZERO_CREDS), a(recvMsg(4, 10)));
    }

    @Test
    void theSendersPassCredAndAnExplicitSendmsgCarryCredentials() {
        pair(SockType.STREAM);
        assertEquals(ok(0), a(passCred(3, true)));
        assertEquals(ok(2), a(send(3, "ab")));
        assertEquals(ok(0), a(passCred(3, false)));
        assertEquals(ok(2), a(new ApiCall.SendMsg(3, bytes("cd"), List.of(), true)));
        assertEquals(ok(2), a(send(3, "ef")));
        assertEquals(ok(0), a(passCred(4, true)));
        assertEquals(message("abcd", "p"), a(recvMsg(4, 10)));
        assertEquals(message("ef", Outcome.Message.NO_CREDS), a(recvMsg(4, 10)));
    }

    @Test
    void datagramsCarryTheirOwnAndASeqpacketEndOfFileShowsNone() {
        pair(SockType.DGRAM);
        assertEquals(ok(1), a(send(3, "x")));
        assertEquals(ok(0), a(passCred(4, true)));
        assertEquals(ok(1), a(send(3, "y")));
        assertEquals(message("x", Outcome.Message.NO_CREDS), a(recvMsg(4, 10)));
        assertEquals(message("y", "p"), a(recvMsg(4, 10)));
        assertEquals(new Outcome.Pair(5, 6), a(new ApiCall.SocketPair(Domain.UNIX, SockType.SEQPACKET, 0, false)));
        assertEquals(ok(0), a(new ApiCall.Close(5)));
        assertEquals(ok(0), a(passCred(6, true)));
        assertEquals(message("", null), a(recvMsg(6, 10)));
    }

    @Test
    void aConnectionNotYetAcceptedTakesCredentialsAndTheListenersPassCred() {
        assertEquals(ok(3), a(new ApiCall.Socket(Domain.UNIX, SockType.STREAM, 0, false)));
        assertEquals(ok(0), a(new ApiCall.Bind(3, Endpoint.unix("srv"))));
        assertEquals(ok(0), a(new ApiCall.Listen(3, 4)));
        assertEquals(ok(4), a(new ApiCall.Socket(Domain.UNIX, SockType.STREAM, 0, false)));
        assertEquals(ok(0), a(new ApiCall.Connect(4, Endpoint.unix("srv"))));
        assertEquals(ok(1), a(send(4, "q")));
        assertEquals(new Outcome.Accepted(5, Endpoint.unix("")), a(new ApiCall.Accept(3)));
        assertEquals(new Outcome.Option("0"), a(new ApiCall.GetSockOpt(5, "SO_PASSCRED")));
        assertEquals(ok(0), a(passCred(5, true)));
        assertEquals(message("q", "p"), a(recvMsg(5, 10)));
        // A connection made while the listener has SO_PASSCRED has it too.
        assertEquals(ok(0), a(passCred(3, true)));
        assertEquals(ok(6), a(new ApiCall.Socket(Domain.UNIX, SockType.STREAM, 0, false)));
        assertEquals(ok(0), a(new ApiCall.Connect(6, Endpoint.unix("srv"))));
        assertEquals(new Outcome.Accepted(7, Endpoint.unix("")), a(new ApiCall.Accept(3)));
        assertEquals(new Outcome.Option("1"), a(new ApiCall.GetSockOpt(7, "SO_PASSCRED")));
    }

    @Test
    void anInetSocketHasNoPassCred() {
        assertEquals(ok(3), a(new ApiCall.Socket(Domain.INET, SockType.DGRAM, 0, false)));
        assertEquals(err(Errno.EOPNOTSUPP), a(passCred(3, true)));
        assertEquals(err(Errno.EOPNOTSUPP), a(new ApiCall.GetSockOpt(3, "SO_PASSCRED")));
    }
}
