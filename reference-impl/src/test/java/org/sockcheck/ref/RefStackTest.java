package org.sockcheck.ref;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Domain;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Errno;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.Profile;
import org.sockcheck.spec.Proto;
import org.sockcheck.spec.ShutdownHow;
import org.sockcheck.spec.SockOpt;
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

    /**
     * Raw INET6 sockets (SocketApi.tla's raw rules for INET6, probed on Linux
     * 6.18): IPv6 datagrams only, the data without a header, IPv6 addresses
     * only, a sendto's port read as the protocol.
     */
    @Nested
    class Raw6 {
        private Outcome raw6(boolean onA, int protocol) {
            ApiCall c = new ApiCall.Socket(Domain.INET6, SockType.RAW, protocol, false);
            return onA ? a(c) : b(c);
        }

        @Test
        void raw6_ipv6Datagram_reachesRawInet6SocketsOnly() {
            assertEquals(ok(3), raw6(true, 253));
            assertEquals(ok(4), a(new ApiCall.Socket(SockType.RAW, 253)));
            assertEquals(ok(3), raw6(false, 253));
            assertEquals(ok(2), b(new ApiCall.SendTo(3, new byte[] {7, 8}, new Endpoint("2001:db8::1", 0))));
            Outcome.Data d = assertInstanceOf(Outcome.Data.class, a(new ApiCall.RecvFrom(3, 10)));
            assertEquals(new Endpoint("2001:db8::2", 0), d.from());
            assertEquals(2, d.data().length, "the data alone, no IPv6 header");
            assertInstanceOf(Outcome.Blocked.class, a(new ApiCall.Recv(4, 10)), "an INET raw socket gets no IPv6 datagram");
            assertEquals(ok(4), b(new ApiCall.Socket(SockType.RAW, 253)));
            assertEquals(ok(1), b(new ApiCall.SendTo(4, new byte[] {9}, new Endpoint("192.0.2.1", 0))));
            assertInstanceOf(Outcome.Data.class, a(new ApiCall.Recv(4, 10)));
            assertInstanceOf(Outcome.Blocked.class, a(new ApiCall.Recv(3, 10)), "a raw INET6 socket gets no IPv4 datagram");
        }

        @Test
        void raw6_sendtoReadsThePortAsTheProtocol() {
            raw6(true, 253);
            assertEquals(err(Errno.EINVAL), a(new ApiCall.SendTo(3, new byte[] {1}, new Endpoint("2001:db8::2", 80))));
            assertEquals(ok(1), a(new ApiCall.SendTo(3, new byte[] {1}, new Endpoint("2001:db8::2", 0))));
        }

        @Test
        void raw6_ipv4AndV4MappedAddresses_theirOwnErrors() {
            raw6(true, 253);
            assertEquals(err(Errno.EINVAL), a(new ApiCall.Bind(3, new Endpoint("192.0.2.1", 0))));
            assertEquals(err(Errno.EADDRNOTAVAIL), a(new ApiCall.Bind(3, new Endpoint("::ffff:192.0.2.1", 0))));
            assertEquals(err(Errno.EADDRNOTAVAIL), a(new ApiCall.Bind(3, new Endpoint("2001:db8::2", 0))));
            assertEquals(err(Errno.EINVAL), a(new ApiCall.SendTo(3, new byte[] {1}, new Endpoint("192.0.2.2", 0))));
            assertEquals(err(Errno.ENETUNREACH), a(new ApiCall.SendTo(3, new byte[] {1}, new Endpoint("::ffff:192.0.2.2", 0))));
            assertEquals(err(Errno.EAFNOSUPPORT), a(new ApiCall.Connect(3, new Endpoint("192.0.2.2", 0))));
            assertEquals(err(Errno.EINVAL), a(new ApiCall.SetSockOpt(3, SockOpt.IPV6_V6ONLY, 1)));
            assertEquals(ok(0), a(new ApiCall.Connect(3, new Endpoint("::ffff:192.0.2.2", 9))));
            assertEquals(new Outcome.Address(new Endpoint("::ffff:192.0.2.1", 0)), a(new ApiCall.GetSockName(3)));
            assertEquals(err(Errno.ENETUNREACH), a(new ApiCall.Send(3, new byte[] {1})));
            assertEquals(err(Errno.EAFNOSUPPORT), a(new ApiCall.SendTo(3, new byte[] {1}, new Endpoint("2001:db8::2", 0))));
        }

        @Test
        void raw6_bindKeepsNoPortAndConnectKeepsTheAddress() {
            raw6(true, 253);
            assertEquals(ok(0), a(new ApiCall.Bind(3, new Endpoint("2001:db8::1", 80))));
            assertEquals(new Outcome.Address(new Endpoint("2001:db8::1", 0)), a(new ApiCall.GetSockName(3)));
            assertEquals(new Outcome.Option("0"), a(new ApiCall.GetSockOpt(3, "IPV6_V6ONLY")), "bind does not set it");
            assertEquals(ok(0), a(new ApiCall.Connect(3, new Endpoint("2001:db8::2", 7))));
            assertEquals(new Outcome.Address(new Endpoint("2001:db8::2", 7)), a(new ApiCall.GetPeerName(3)));
            assertEquals(err(Errno.EINVAL), a(new ApiCall.Bind(3, new Endpoint("2001:db8::1", 0))), "connected");
            List<String> lines = stack.procNet("A", Proto.RAW).lines().toList();
            assertTrue(lines.get(1).startsWith(" 253: " + "B80D0120000000000000000001000000:00FD B80D0120000000000000000002000000:0000 01 "),
                    lines.get(1));
        }
    }

    /**
     * INET6 sockets (SocketApi.tla's INET and INET6): dual stack, v4-mapped
     * addresses as the API shows them, IPV6_V6ONLY and the binds of one port
     * across the two families.
     */
    @Nested
    class Inet6 {
        private final Domain inet6 = Domain.INET6;

        Outcome a6(SockType type) {
            return a(new ApiCall.Socket(inet6, type, 0, false));
        }

        Outcome b6(SockType type) {
            return b(new ApiCall.Socket(inet6, type, 0, false));
        }

        @Test
        void inet6_newSocket_onIpv6WildcardWithDomainInet6() {
            assertEquals(ok(3), a6(SockType.STREAM));
            assertEquals(new Outcome.Address(new Endpoint("::", 0)), a(new ApiCall.GetSockName(3)));
            assertEquals(new Outcome.Option("INET6"), a(new ApiCall.GetSockOpt(3, "SO_DOMAIN")));
            assertEquals(new Outcome.Option("0"), a(new ApiCall.GetSockOpt(3, "IPV6_V6ONLY")));
            assertEquals(ok(4), a(new ApiCall.Socket(SockType.STREAM, 0)));
            assertEquals(new Outcome.Option("INET"), a(new ApiCall.GetSockOpt(4, "SO_DOMAIN")));
        }

        @Test
        void inet6_dualStackListener_acceptsIpv4ShowingThePeerV4Mapped() {
            assertEquals(ok(3), a6(SockType.STREAM));
            assertEquals(ok(0), a(new ApiCall.Bind(3, new Endpoint("::", 80))));
            assertEquals(ok(0), a(new ApiCall.Listen(3, 8)));
            b(new ApiCall.Socket(SockType.STREAM, 0));
            assertEquals(ok(0), b(new ApiCall.Connect(3, A80)));
            Endpoint client = ((Outcome.Address) b(new ApiCall.GetSockName(3))).addr();
            assertEquals("192.0.2.2", client.ip(), "the IPv4 client sees IPv4 addresses");
            Outcome.Accepted acc = assertInstanceOf(Outcome.Accepted.class, a(new ApiCall.Accept(3)));
            assertEquals(new Endpoint("::ffff:192.0.2.2", client.port()), acc.peer());
            assertEquals(new Outcome.Address(MAPPED_A80), a(new ApiCall.GetSockName(acc.fd())));
            assertEquals(new Outcome.Address(new Endpoint("::ffff:192.0.2.2", client.port())), a(new ApiCall.GetPeerName(acc.fd())));
            assertEquals(new Outcome.Option("INET6"), a(new ApiCall.GetSockOpt(acc.fd(), "SO_DOMAIN")));
            // Its row shows the connection's addresses v4-mapped, as /proc/net/tcp6 does (spec: ListedRows), and the
            // IPv4 client's row plain IPv4 ones.
            assertTrue(stack.sockets("A").contains(new SocketRow(Proto.TCP, MAPPED_A80, new Endpoint("::ffff:192.0.2.2", client.port()),
                    TcpState.ESTABLISHED)), stack.sockets("A").toString());
            assertTrue(stack.sockets("B").contains(new SocketRow(Proto.TCP, client, A80, TcpState.ESTABLISHED)),
                    stack.sockets("B").toString());
            assertEquals(ok(2), b(new ApiCall.Send(3, "v4".getBytes(StandardCharsets.US_ASCII))));
            assertEquals("v4", new String(assertInstanceOf(Outcome.Data.class, a(new ApiCall.Recv(acc.fd(), 10))).data(),
                    StandardCharsets.US_ASCII));
        }

        @Test
        void inet6_v6onlyListener_refusesIpv4AndTakesIpv6() {
            assertEquals(ok(3), a6(SockType.STREAM));
            assertEquals(ok(0), a(new ApiCall.SetSockOpt(3, SockOpt.IPV6_V6ONLY, 1)));
            assertEquals(ok(0), a(new ApiCall.Bind(3, new Endpoint("::", 80))));
            assertEquals(ok(0), a(new ApiCall.Listen(3, 8)));
            b(new ApiCall.Socket(SockType.STREAM, 0));
            assertEquals(err(Errno.ECONNREFUSED), b(new ApiCall.Connect(3, A80)));
            assertEquals(ok(4), b6(SockType.STREAM));
            assertEquals(ok(0), b(new ApiCall.Connect(4, A6_80)));
            assertEquals("2001:db8::2", ((Outcome.Address) b(new ApiCall.GetSockName(4))).addr().ip(),
                    "the client's address is its host's IPv6 one (spec: Source)");
            Outcome.Accepted acc = assertInstanceOf(Outcome.Accepted.class, a(new ApiCall.Accept(3)));
            assertEquals("2001:db8::2", acc.peer().ip());
        }

        @Test
        void inet6_wildcardWithoutV6only_holdsIpv4sPortToo() {
            assertEquals(ok(3), a6(SockType.STREAM));
            assertEquals(ok(0), a(new ApiCall.Bind(3, new Endpoint("::", 80))));
            a(new ApiCall.Socket(SockType.STREAM, 0));
            assertEquals(err(Errno.EADDRINUSE), a(new ApiCall.Bind(4, new Endpoint("0.0.0.0", 80))));
            a(new ApiCall.Socket(SockType.STREAM, 0));
            assertEquals(err(Errno.EADDRINUSE), a(new ApiCall.Bind(5, A80)));
            // IPV6_V6ONLY is for a socket that has no port yet.
            assertEquals(err(Errno.EINVAL), a(new ApiCall.SetSockOpt(3, SockOpt.IPV6_V6ONLY, 1)));
            // The other way round: 0.0.0.0 first keeps [::] without IPV6_V6ONLY off its port.
            assertEquals(ok(0), a(new ApiCall.Bind(4, new Endpoint("0.0.0.0", 81))));
            assertEquals(ok(6), a6(SockType.STREAM));
            assertEquals(err(Errno.EADDRINUSE), a(new ApiCall.Bind(6, new Endpoint("::", 81))));
        }

        @Test
        void inet6_wildcardWithV6only_leavesIpv4sPortFree() {
            assertEquals(ok(3), a6(SockType.STREAM));
            assertEquals(ok(0), a(new ApiCall.SetSockOpt(3, SockOpt.IPV6_V6ONLY, 1)));
            assertEquals(new Outcome.Option("1"), a(new ApiCall.GetSockOpt(3, "IPV6_V6ONLY")));
            assertEquals(ok(0), a(new ApiCall.Bind(3, new Endpoint("::", 80))));
            a(new ApiCall.Socket(SockType.STREAM, 0));
            assertEquals(ok(0), a(new ApiCall.Bind(4, new Endpoint("0.0.0.0", 80))));
            // An IPv6 address of the port still meets [::].
            assertEquals(ok(5), a6(SockType.STREAM));
            assertEquals(err(Errno.EADDRINUSE), a(new ApiCall.Bind(5, A6_80)));
            // Port 81: [::] with IPV6_V6ONLY, then A's IPv4 address.
            assertEquals(ok(6), a6(SockType.STREAM));
            a(new ApiCall.SetSockOpt(6, SockOpt.IPV6_V6ONLY, 1));
            assertEquals(ok(0), a(new ApiCall.Bind(6, new Endpoint("::", 81))));
            a(new ApiCall.Socket(SockType.STREAM, 0));
            assertEquals(ok(0), a(new ApiCall.Bind(7, new Endpoint("192.0.2.1", 81))));
        }

        @Test
        void inet6_bindIpv6Address_setsV6onlyAndLeavesIpv4Free() {
            assertEquals(ok(3), a6(SockType.STREAM));
            assertEquals(ok(0), a(new ApiCall.Bind(3, A6_80)));
            assertEquals(new Outcome.Option("1"), a(new ApiCall.GetSockOpt(3, "IPV6_V6ONLY")));
            a(new ApiCall.Socket(SockType.STREAM, 0));
            assertEquals(ok(0), a(new ApiCall.Bind(4, A80)));
            // A v4-mapped address binds as the IPv4 address it maps: in use now.
            assertEquals(ok(5), a6(SockType.STREAM));
            assertEquals(err(Errno.EADDRINUSE), a(new ApiCall.Bind(5, MAPPED_A80)));
        }

        @Test
        void inet6_connectToV4Mapped_showsBothAddressesV4Mapped_peerSeesIpv4() {
            a(new ApiCall.Socket(SockType.STREAM, 0));
            a(new ApiCall.Bind(3, A80));
            a(new ApiCall.Listen(3, 8));
            assertEquals(ok(3), b6(SockType.STREAM));
            assertEquals(ok(0), b(new ApiCall.Connect(3, MAPPED_A80)));
            Endpoint local = ((Outcome.Address) b(new ApiCall.GetSockName(3))).addr();
            assertEquals("::ffff:192.0.2.2", local.ip());
            assertEquals(new Outcome.Address(MAPPED_A80), b(new ApiCall.GetPeerName(3)));
            Outcome.Accepted acc = assertInstanceOf(Outcome.Accepted.class, a(new ApiCall.Accept(3)));
            assertEquals(new Endpoint("192.0.2.2", local.port()), acc.peer());
        }

        @Test
        void inet6_udpOnWildcard_seesIpv4SenderV4MappedAndAnswersIt() {
            assertEquals(ok(3), a6(SockType.DGRAM));
            assertEquals(ok(0), a(new ApiCall.Bind(3, new Endpoint("::", 53))));
            b(new ApiCall.Socket(SockType.DGRAM, 0));
            assertEquals(ok(0), b(new ApiCall.Bind(3, new Endpoint("192.0.2.2", 54))));
            assertEquals(ok(4), b(new ApiCall.SendTo(3, "ping".getBytes(StandardCharsets.US_ASCII), new Endpoint("192.0.2.1", 53))));
            Outcome.Data got = assertInstanceOf(Outcome.Data.class, a(new ApiCall.RecvFrom(3, 10)));
            assertEquals(new Endpoint("::ffff:192.0.2.2", 54), got.from());
            assertEquals(ok(4), a(new ApiCall.SendTo(3, "pong".getBytes(StandardCharsets.US_ASCII), got.from())));
            Outcome.Data back = assertInstanceOf(Outcome.Data.class, b(new ApiCall.RecvFrom(3, 10)));
            assertEquals(new Endpoint("192.0.2.1", 53), back.from(), "the INET socket sees an IPv4 sender");
            // From IPv6: the sender is B's IPv6 address.
            assertEquals(ok(4), b6(SockType.DGRAM));
            assertEquals(ok(3), b(new ApiCall.SendTo(4, "six".getBytes(StandardCharsets.US_ASCII), new Endpoint("2001:db8::1", 53))));
            assertEquals("2001:db8::2", assertInstanceOf(Outcome.Data.class, a(new ApiCall.RecvFrom(3, 10))).from().ip());
        }

        @Test
        void inet6_udpConnectToV4Mapped_thenAfUnspec_backOnIpv6Wildcard() {
            assertEquals(ok(3), a6(SockType.DGRAM));
            assertEquals(ok(0), a(new ApiCall.Bind(3, new Endpoint("::", 80))));
            assertEquals(ok(0), a(new ApiCall.Connect(3, new Endpoint("::ffff:192.0.2.2", 81))));
            assertEquals(new Outcome.Address(new Endpoint("::ffff:192.0.2.1", 80)), a(new ApiCall.GetSockName(3)));
            assertEquals(ok(0), a(new ApiCall.Connect(3, Endpoint.UNSPEC)));
            assertEquals(new Outcome.Address(new Endpoint("::", 80)), a(new ApiCall.GetSockName(3)));
        }
    }
}
