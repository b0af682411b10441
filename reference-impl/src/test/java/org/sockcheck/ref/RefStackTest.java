package org.sockcheck.ref;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Errno;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.Profile;
import org.sockcheck.spec.Proto;
import org.sockcheck.spec.ShutdownHow;
import org.sockcheck.spec.SockType;
import org.sockcheck.spec.SocketRow;
import org.sockcheck.spec.TcpState;

/** The reference stack, grouped by the state a socket starts in; names read state_event_outcome. */
class RefStackTest extends TwoHosts {
    List<TcpState> states(String host) {
        return stack.sockets(host).stream().map(SocketRow::state).toList();
    }

    /** A listener on A:80 and a client on B connected to it; A's accepted descriptor is 4, B's is 3. */
    void established() {
        assertEquals(ok(3), a(new ApiCall.Socket(SockType.STREAM, 0)));
        assertEquals(ok(0), a(new ApiCall.Bind(3, A80)));
        assertEquals(ok(0), a(new ApiCall.Listen(3, 8)));
        assertEquals(ok(3), b(new ApiCall.Socket(SockType.STREAM, 0)));
        assertEquals(ok(0), b(new ApiCall.Connect(3, A80)));
        assertInstanceOf(Outcome.Accepted.class, a(new ApiCall.Accept(3)));
    }

    @Nested
    class Closed {
        @Test
        void closed_bindTwice_einval() {
            a(new ApiCall.Socket(SockType.STREAM, 0));
            assertEquals(ok(0), a(new ApiCall.Bind(3, A80)));
            assertEquals(err(Errno.EINVAL), a(new ApiCall.Bind(3, new Endpoint("192.0.2.1", 81))));
        }

        @Test
        void closed_bindOtherHostsAddress_eaddrnotavail() {
            a(new ApiCall.Socket(SockType.STREAM, 0));
            assertEquals(err(Errno.EADDRNOTAVAIL), a(new ApiCall.Bind(3, new Endpoint("192.0.2.2", 80))));
        }

        @Test
        void closed_connectToNoListener_econnrefused() {
            b(new ApiCall.Socket(SockType.STREAM, 0));
            assertEquals(err(Errno.ECONNREFUSED), b(new ApiCall.Connect(3, A80)));
            assertEquals(List.of(), stack.sockets("B"));
            assertTrue(stack.transitions().stream().anyMatch(t -> t.from() == TcpState.SYN_SENT && t.to() == TcpState.CLOSED));
        }

        @Test
        void closed_listenUnboundUnderLinux_autobinds() {
            a(new ApiCall.Socket(SockType.STREAM, 0));
            assertEquals(ok(0), a(new ApiCall.Listen(3, 1)));
            Endpoint local = ((Outcome.Address) a(new ApiCall.GetSockName(3))).addr();
            assertTrue(local.wildcardIp() && local.port() >= 32768, local.toString());
        }

        @Test
        void closed_listenUnboundUnderPosix_edestaddrreq() {
            RefStack posix = new RefStack(Profile.POSIX);
            posix.addHost("A", "192.0.2.1");
            posix.call("A", "p", new ApiCall.Socket(SockType.STREAM, 0));
            assertEquals(err(Errno.EDESTADDRREQ), posix.call("A", "p", new ApiCall.Listen(3, 1)));
        }

        @Test
        void closed_sendNeverConnected_epipeOnLinuxEnotconnOnPosix() {
            a(new ApiCall.Socket(SockType.STREAM, 0));
            assertEquals(err(Errno.EPIPE), a(new ApiCall.Send(3, new byte[] {1})));
            RefStack posix = new RefStack(Profile.POSIX);
            posix.addHost("A", "192.0.2.1");
            posix.call("A", "p", new ApiCall.Socket(SockType.STREAM, 0));
            assertEquals(err(Errno.ENOTCONN), posix.call("A", "p", new ApiCall.Send(3, new byte[] {1})));
        }
    }

    @Nested
    class Listen {
        @Test
        void listen_rcvSyn_handshakeQueuesEstablishedConnection() {
            a(new ApiCall.Socket(SockType.STREAM, 0));
            a(new ApiCall.Bind(3, A80));
            a(new ApiCall.Listen(3, 8));
            b(new ApiCall.Socket(SockType.STREAM, 0));
            assertEquals(ok(0), b(new ApiCall.Connect(3, A80)));
            assertEquals(List.of(TcpState.LISTEN, TcpState.ESTABLISHED), states("A"));
            assertTrue(stack.transitions().stream().anyMatch(t -> t.action().equals("rcvSynInListen")));
            Outcome.Accepted acc = assertInstanceOf(Outcome.Accepted.class, a(new ApiCall.Accept(3)));
            assertEquals(4, acc.fd());
            assertEquals("192.0.2.2", acc.peer().ip());
        }

        @Test
        void listen_acceptWithNothingQueued_blocks() {
            a(new ApiCall.Socket(SockType.STREAM, 0));
            a(new ApiCall.Bind(3, A80));
            a(new ApiCall.Listen(3, 8));
            assertInstanceOf(Outcome.Blocked.class, a(new ApiCall.Accept(3)));
        }

        @Test
        void listen_closeWithUnacceptedConnection_resetsIt() {
            a(new ApiCall.Socket(SockType.STREAM, 0));
            a(new ApiCall.Bind(3, A80));
            a(new ApiCall.Listen(3, 8));
            b(new ApiCall.Socket(SockType.STREAM, 0));
            b(new ApiCall.Connect(3, A80));
            assertEquals(ok(0), a(new ApiCall.Close(3)));
            assertEquals(List.of(), stack.sockets("A"));
            assertEquals(List.of(), stack.sockets("B"));
            assertEquals(err(Errno.ECONNRESET), b(new ApiCall.Recv(3, 10)));
        }
    }

    @Nested
    class Established {
        @Test
        void established_close_finWait2AndPeerCloseWait() {
            established();
            assertEquals(ok(0), b(new ApiCall.Close(3)));
            assertEquals(List.of(TcpState.FIN_WAIT_2), states("B"));
            assertEquals(List.of(TcpState.LISTEN, TcpState.CLOSE_WAIT), states("A"));
        }

        @Test
        void closeWait_close_lastAckThenGone_andActiveCloserInTimeWait() {
            established();
            b(new ApiCall.Close(3));
            assertEquals(ok(0), a(new ApiCall.Close(4)));
            assertEquals(List.of(TcpState.LISTEN), states("A"));
            assertEquals(List.of(TcpState.TIME_WAIT), states("B"));
            assertTrue(stack.transitions().stream().anyMatch(t -> t.from() == TcpState.LAST_ACK && t.to() == TcpState.CLOSED));
        }

        @Test
        void established_closeWithUnreadData_resetsPeer() {
            established();
            b(new ApiCall.Send(3, "x".getBytes(StandardCharsets.US_ASCII)));
            assertEquals(ok(0), a(new ApiCall.Close(4)));
            assertEquals(List.of(), stack.sockets("B"));
            assertEquals(err(Errno.ECONNRESET), b(new ApiCall.Recv(3, 10)));
        }

        @Test
        void established_shutdownWrite_peerReadsEndOfFile() {
            established();
            assertEquals(ok(0), b(new ApiCall.Shutdown(3, ShutdownHow.WR)));
            Outcome.Data eof = assertInstanceOf(Outcome.Data.class, a(new ApiCall.Recv(4, 10)));
            assertEquals(0, eof.data().length);
            assertEquals(err(Errno.EPIPE), b(new ApiCall.Send(3, new byte[] {1})));
        }

        @Test
        void established_connectAgain_eisconn() {
            established();
            assertEquals(err(Errno.EISCONN), b(new ApiCall.Connect(3, A80)));
        }
    }

    @Nested
    class Udp {
        @Test
        void udp_connectedSendToClosedPort_learnsEconnrefused() {
            b(new ApiCall.Socket(SockType.DGRAM, 0));
            assertEquals(ok(0), b(new ApiCall.Connect(3, new Endpoint("192.0.2.1", 9))));
            assertEquals(ok(1), b(new ApiCall.Send(3, new byte[] {1})));
            assertEquals(err(Errno.ECONNREFUSED), b(new ApiCall.Recv(3, 10)));
        }

        @Test
        void udp_unconnectedSendToClosedPort_learnsNothing() {
            b(new ApiCall.Socket(SockType.DGRAM, 0));
            assertEquals(ok(1), b(new ApiCall.SendTo(3, new byte[] {1}, new Endpoint("192.0.2.1", 9))));
            assertInstanceOf(Outcome.Blocked.class, b(new ApiCall.Recv(3, 10)));
        }

        @Test
        void udp_boundSocket_isListedWithoutState() {
            a(new ApiCall.Socket(SockType.DGRAM, 0));
            a(new ApiCall.Bind(3, new Endpoint("192.0.2.1", 53)));
            assertEquals(List.of(new SocketRow(Proto.UDP, new Endpoint("192.0.2.1", 53), null, null)), stack.sockets("A"));
        }
    }

    @Nested
    class Raw {
        @Test
        void raw_datagram_copiedToEveryRawSocketOfItsProtocol() {
            assertEquals(ok(3), a(new ApiCall.Socket(SockType.RAW, 1)));
            assertEquals(ok(4), a(new ApiCall.Socket(SockType.RAW, 1)));
            assertEquals(ok(5), a(new ApiCall.Socket(SockType.RAW, 17)));
            b(new ApiCall.Socket(SockType.RAW, 1));
            assertEquals(ok(2), b(new ApiCall.SendTo(3, new byte[] {7, 8}, new Endpoint("192.0.2.1", 0))));
            for (int fd : new int[] {3, 4}) {
                Outcome.Data d = assertInstanceOf(Outcome.Data.class, a(new ApiCall.RecvFrom(fd, 10)));
                assertEquals(new Endpoint("192.0.2.2", 0), d.from());
                assertEquals(2, d.data().length);
            }
            assertInstanceOf(Outcome.Blocked.class, a(new ApiCall.Recv(5, 10)), "another protocol gets no copy");
        }

        @Test
        void raw_protocolZero_eprotonosupport() {
            assertEquals(err(Errno.EPROTONOSUPPORT), a(new ApiCall.Socket(SockType.RAW, 0)));
        }

        @Test
        void raw_bindOtherHostsAddress_eaddrnotavail_andHasNoPort() {
            a(new ApiCall.Socket(SockType.RAW, 1));
            assertEquals(err(Errno.EADDRNOTAVAIL), a(new ApiCall.Bind(3, new Endpoint("192.0.2.2", 0))));
            assertEquals(ok(0), a(new ApiCall.Bind(3, new Endpoint("192.0.2.1", 80))));
            assertEquals(new Outcome.Address(new Endpoint("192.0.2.1", 0)), a(new ApiCall.GetSockName(3)));
        }

        @Test
        void raw_procNetRaw_listsProtocolAsPort() {
            a(new ApiCall.Socket(SockType.RAW, 1));
            List<String> lines = stack.procNet("A", Proto.RAW).lines().toList();
            assertEquals(ProcNet.RAW_HEADER, lines.get(0));
            assertEquals(2, lines.size());
            assertTrue(lines.get(1).startsWith("   1: 00000000:0001 00000000:0000 07 "), lines.get(1));
        }
    }
}
