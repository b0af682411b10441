package org.sockcheck.ref;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Errno;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.ShutdownHow;
import org.sockcheck.spec.SockType;

/**
 * Every errno the spec names (Network.tla, Errnos), each from the misuse the
 * spec gives it for. Grouped by the state the socket is in; names read
 * state_call_errno. After all of them, a check that none of the spec's
 * errnos was left out.
 */
class ErrnoTest extends TwoHosts {
    static final Set<Errno> SEEN = new HashSet<>();

    void expect(Errno errno, Outcome got) {
        assertEquals(new Outcome.Failed(errno), got);
        SEEN.add(errno);
    }

    static Set<String> specErrnos() throws IOException {
        try (InputStream in = ErrnoTest.class.getClassLoader().getResourceAsStream("tla/Network.tla")) {
            assertNotNull(in);
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Matcher set = Pattern.compile("Errnos == \\{([^}]*)}").matcher(text);
            assertTrue(set.find(), "Network.tla defines Errnos");
            Set<String> names = new TreeSet<>();
            Matcher name = Pattern.compile("\"(E[A-Z]+)\"").matcher(set.group(1));
            while (name.find()) {
                names.add(name.group(1));
            }
            return names;
        }
    }

    @AfterAll
    static void everyErrnoOfTheSpecWasProduced() throws IOException {
        Set<String> missing = specErrnos();
        assertTrue(missing.size() >= 16, "errnos read from the spec: " + missing);
        SEEN.forEach(e -> missing.remove(e.name()));
        assertEquals(Set.of(), missing, "errnos of the spec no test produced");
    }

    void listener() {
        a(new ApiCall.Socket(SockType.STREAM, 0));
        a(new ApiCall.Bind(3, A80));
        a(new ApiCall.Listen(3, 8));
    }

    @Nested
    class NoSocket {
        @Test
        void none_closeUnknownDescriptor_ebadf() {
            expect(Errno.EBADF, a(new ApiCall.Close(7)));
        }

        @Test
        void none_socketPastDescriptorLimit_emfile() {
            stack = stack(new RefStack.Limits(5, 100, 40000, 40010));
            // Descriptors 0..4 exist: 3 and 4 are the last two.
            assertEquals(new Outcome.Value(3), a(new ApiCall.Socket(SockType.DGRAM, 0)));
            assertEquals(new Outcome.Value(4), a(new ApiCall.Socket(SockType.DGRAM, 0)));
            expect(Errno.EMFILE, a(new ApiCall.Socket(SockType.DGRAM, 0)));
        }

        @Test
        void none_socketOfAnotherTypesProtocol_eprotonosupport() {
            expect(Errno.EPROTONOSUPPORT, a(new ApiCall.Socket(SockType.STREAM, 17)));
            expect(Errno.EPROTONOSUPPORT, a(new ApiCall.Socket(SockType.RAW, 0)));
            assertEquals(new Outcome.Value(3), a(new ApiCall.Socket(SockType.DGRAM, 17)));
        }

        @Test
        void none_socketOfNoProtocol_einval() {
            expect(Errno.EINVAL, a(new ApiCall.Socket(SockType.DGRAM, 263)));
            expect(Errno.EINVAL, a(new ApiCall.Socket(SockType.RAW, -1)));
        }

        @Test
        void none_socketOfAnotherTypesProtocolUnderPosix_eprototype() {
            stack = new RefStack(org.sockcheck.spec.Profile.POSIX, RefStack.Limits.LINUX);
            stack.addHost("A", "192.0.2.1");
            expect(Errno.EPROTOTYPE, a(new ApiCall.Socket(SockType.DGRAM, 6)));
            expect(Errno.EPROTONOSUPPORT, a(new ApiCall.Socket(SockType.DGRAM, 263)));
        }

        @Test
        void none_socketWithFullTable_enobufs() {
            stack = stack(new RefStack.Limits(1024, 2, 40000, 40010));
            a(new ApiCall.Socket(SockType.DGRAM, 0));
            stack.call("A", "q", new ApiCall.Socket(SockType.DGRAM, 0));
            expect(Errno.ENOBUFS, stack.call("A", "r", new ApiCall.Socket(SockType.DGRAM, 0)));
        }
    }

    @Nested
    class Closed {
        @Test
        void closed_connectToAfUnspecUnderPosix_eafnosupport() {
            stack = new RefStack(org.sockcheck.spec.Profile.POSIX, RefStack.Limits.LINUX);
            stack.addHost("A", "192.0.2.1");
            a(new ApiCall.Socket(SockType.STREAM, 0));
            expect(Errno.EAFNOSUPPORT, a(new ApiCall.Connect(3, Endpoint.UNSPEC)));
            // Linux takes it: the socket has nothing to dissolve.
            stack = new RefStack(org.sockcheck.spec.Profile.LINUX, RefStack.Limits.LINUX);
            stack.addHost("A", "192.0.2.1");
            a(new ApiCall.Socket(SockType.STREAM, 0));
            assertEquals(new Outcome.Value(0), a(new ApiCall.Connect(3, Endpoint.UNSPEC)));
        }

        @Test
        void closed_bindTwice_einval() {
            a(new ApiCall.Socket(SockType.STREAM, 0));
            a(new ApiCall.Bind(3, A80));
            expect(Errno.EINVAL, a(new ApiCall.Bind(3, new Endpoint("192.0.2.1", 81))));
        }

        @Test
        void closed_bindAnotherHostsAddress_eaddrnotavail() {
            a(new ApiCall.Socket(SockType.STREAM, 0));
            expect(Errno.EADDRNOTAVAIL, a(new ApiCall.Bind(3, new Endpoint("192.0.2.2", 80))));
        }

        @Test
        void closed_bindAddressInUse_eaddrinuse() {
            listener();
            a(new ApiCall.Socket(SockType.STREAM, 0));
            expect(Errno.EADDRINUSE, a(new ApiCall.Bind(4, A80)));
        }

        @Test
        void closed_connectWithNoEphemeralPortLeft_eagain() {
            stack = stack(new RefStack.Limits(1024, 100, 40000, 40000));
            listener();
            b(new ApiCall.Socket(SockType.STREAM, 0));
            b(new ApiCall.Connect(3, A80));
            b(new ApiCall.Socket(SockType.STREAM, 0));
            expect(Errno.EAGAIN, b(new ApiCall.Connect(4, A80)));
        }

        @Test
        void closed_connectToClosedPort_econnrefused() {
            b(new ApiCall.Socket(SockType.STREAM, 0));
            expect(Errno.ECONNREFUSED, b(new ApiCall.Connect(3, A80)));
        }

        @Test
        void closed_connectToItselfWithAShutdownFlag_econnaborted() {
            // Linux: the flag a failed shutdown set makes the connection send its FIN as soon as it is
            // established; connected to itself it closes at once, with no error to report.
            a(new ApiCall.Socket(SockType.STREAM, 0));
            a(new ApiCall.Bind(3, A80));
            expect(Errno.ENOTCONN, a(new ApiCall.Shutdown(3, ShutdownHow.WR)));
            expect(Errno.ECONNABORTED, a(new ApiCall.Connect(3, A80)));
        }

        @Test
        void closed_sendNeverConnected_epipe() {
            a(new ApiCall.Socket(SockType.STREAM, 0));
            expect(Errno.EPIPE, a(new ApiCall.Send(3, new byte[] {1})));
        }

        @Test
        void closed_getpeername_enotconn() {
            a(new ApiCall.Socket(SockType.STREAM, 0));
            expect(Errno.ENOTCONN, a(new ApiCall.GetPeerName(3)));
        }
    }

    @Nested
    class SynSent {
        @Test
        void synSent_connectAgain_ealready() {
            b(new ApiCall.Socket(SockType.STREAM, 0));
            b(new ApiCall.Connect(3, new Endpoint("192.0.2.9", 1)));
            expect(Errno.EALREADY, b(new ApiCall.Connect(3, A80)));
        }

        @Test
        void synSent_synLost_etimedout() {
            b(new ApiCall.Socket(SockType.STREAM, 0));
            stack.setAutoDeliver(false);
            b(new ApiCall.Connect(3, A80));
            stack.loseSegment(0);
            stack.advance(RefStack.SYN_SENT_MS);
            expect(Errno.ETIMEDOUT, stack.tryReturn("B", "p"));
        }
    }

    @Nested
    class Established {
        @Test
        void established_connectAgain_eisconn() {
            listener();
            b(new ApiCall.Socket(SockType.STREAM, 0));
            b(new ApiCall.Connect(3, A80));
            expect(Errno.EISCONN, b(new ApiCall.Connect(3, A80)));
        }

        @Test
        void established_peerAbortsWithUnreadData_econnreset() {
            listener();
            b(new ApiCall.Socket(SockType.STREAM, 0));
            b(new ApiCall.Connect(3, A80));
            a(new ApiCall.Accept(3));
            b(new ApiCall.Send(3, new byte[] {1}));
            a(new ApiCall.Close(4));
            expect(Errno.ECONNRESET, b(new ApiCall.Send(3, new byte[] {1})));
        }

        @Test
        void established_sendAfterShutdownWrite_epipe() {
            listener();
            b(new ApiCall.Socket(SockType.STREAM, 0));
            b(new ApiCall.Connect(3, A80));
            b(new ApiCall.Shutdown(3, ShutdownHow.WR));
            expect(Errno.EPIPE, b(new ApiCall.Send(3, new byte[] {1})));
        }
    }

    @Nested
    class Udp {
        @Test
        void udp_listen_eopnotsupp() {
            a(new ApiCall.Socket(SockType.DGRAM, 0));
            expect(Errno.EOPNOTSUPP, a(new ApiCall.Listen(3, 1)));
        }

        @Test
        void udp_sendUnconnected_edestaddrreq() {
            a(new ApiCall.Socket(SockType.DGRAM, 0));
            expect(Errno.EDESTADDRREQ, a(new ApiCall.Send(3, new byte[] {1})));
        }

        @Test
        void udp_connectedToClosedPort_econnrefusedOnNextCall() {
            b(new ApiCall.Socket(SockType.DGRAM, 0));
            b(new ApiCall.Connect(3, new Endpoint("192.0.2.1", 9)));
            b(new ApiCall.Send(3, new byte[] {1}));
            expect(Errno.ECONNREFUSED, b(new ApiCall.Recv(3, 1)));
        }

        @Test
        void udp_tcpNoDelay_enoprotoopt() {
            a(new ApiCall.Socket(SockType.DGRAM, 0));
            expect(Errno.ENOPROTOOPT, a(new ApiCall.SetSockOpt(3, org.sockcheck.spec.SockOpt.TCP_NODELAY, 1)));
            expect(Errno.EOPNOTSUPP, a(new ApiCall.GetSockOpt(3, "TCP_NODELAY")));
        }

        @Test
        void udp_datagramAboveWhatOnePacketCarries_emsgsize() {
            a(new ApiCall.Socket(SockType.DGRAM, 0));
            a(new ApiCall.Connect(3, new Endpoint("192.0.2.2", 9)));
            expect(Errno.EMSGSIZE, a(new ApiCall.Send(3, new byte[65508])));
            assertTrue(a(new ApiCall.Send(3, new byte[65507])) instanceof org.sockcheck.spec.Outcome.Value);
        }

        @Test
        void udp_shutdownUnconnected_enotconn() {
            a(new ApiCall.Socket(SockType.DGRAM, 0));
            expect(Errno.ENOTCONN, a(new ApiCall.Shutdown(3, ShutdownHow.RD)));
        }
    }

    /** Unix domain sockets (Unix.tla): the errnos of their names and their connections. */
    @Nested
    class Unix {
        private final org.sockcheck.spec.Domain unix = org.sockcheck.spec.Domain.UNIX;

        @Test
        void unix_connectToAPathWithNoFile_enoent() {
            a(new ApiCall.Socket(unix, SockType.STREAM, 0, false));
            expect(Errno.ENOENT, a(new ApiCall.Connect(3, Endpoint.unix("/run/A/srv"))));
        }

        @Test
        void unix_connectToASocketOfAnotherType_eprototype() {
            a(new ApiCall.Socket(unix, SockType.DGRAM, 0, false));
            a(new ApiCall.Bind(3, Endpoint.unix("/run/A/srv")));
            a(new ApiCall.Socket(unix, SockType.STREAM, 0, false));
            expect(Errno.EPROTOTYPE, a(new ApiCall.Connect(4, Endpoint.unix("/run/A/srv"))));
        }

        @Test
        void unix_sendToASocketConnectedToAnother_eperm() {
            a(new ApiCall.Socket(unix, SockType.DGRAM, 0, false));
            a(new ApiCall.Bind(3, Endpoint.unix("/run/A/r")));
            a(new ApiCall.Socket(unix, SockType.DGRAM, 0, false));
            a(new ApiCall.Bind(4, Endpoint.unix("/run/A/x")));
            assertEquals(new Outcome.Value(0), a(new ApiCall.Connect(3, Endpoint.unix("/run/A/x"))));
            a(new ApiCall.Socket(unix, SockType.DGRAM, 0, false));
            expect(Errno.EPERM, a(new ApiCall.SendTo(5, new byte[] {1}, Endpoint.unix("/run/A/r"))));
        }

        @Test
        void unix_seqpacketInTheInetDomain_esocktnosupport() {
            expect(Errno.ESOCKTNOSUPPORT, a(new ApiCall.Socket(SockType.SEQPACKET, 0)));
            expect(Errno.EOPNOTSUPP, a(new ApiCall.SocketPair(org.sockcheck.spec.Domain.INET, SockType.STREAM, 0, false)));
        }

        @Test
        void unix_datagramPeerGone_econnrefusedThenEnotconn() {
            assertEquals(new Outcome.Pair(3, 4), a(new ApiCall.SocketPair(unix, SockType.DGRAM, 0, false)));
            a(new ApiCall.Close(4));
            expect(Errno.ECONNREFUSED, a(new ApiCall.Send(3, new byte[] {1})));
            expect(Errno.ENOTCONN, a(new ApiCall.Send(3, new byte[] {1})));
        }
    }

    /** INET and INET6 (SocketApi.tla's FamilyErrno, Bind, SetSockOpt): an address or an option of the other family. */
    @Nested
    class Inet6 {
        private final org.sockcheck.spec.Domain inet6 = org.sockcheck.spec.Domain.INET6;

        @Test
        void inet_givenAnIpv6Address_eafnosupport() {
            a(new ApiCall.Socket(SockType.STREAM, 0));
            expect(Errno.EAFNOSUPPORT, a(new ApiCall.Bind(3, A6_80)));
            expect(Errno.EAFNOSUPPORT, a(new ApiCall.Bind(3, new Endpoint("::", 80))));
            expect(Errno.EAFNOSUPPORT, a(new ApiCall.Connect(3, MAPPED_A80)));
            // A UDP socket has bound before it looks at the address (inet_send_prepare).
            a(new ApiCall.Socket(SockType.DGRAM, 0));
            expect(Errno.EAFNOSUPPORT, a(new ApiCall.SendTo(4, new byte[] {1}, A6_80)));
            Endpoint bound = ((Outcome.Address) a(new ApiCall.GetSockName(4))).addr();
            assertEquals("0.0.0.0", bound.ip());
            assertTrue(bound.port() >= 32768, bound.toString());
        }

        @Test
        void inet6_givenAnIpv4AddressForBindOrTcpConnect_einval() {
            a(new ApiCall.Socket(inet6, SockType.STREAM, 0, false));
            expect(Errno.EINVAL, a(new ApiCall.Bind(3, A80)));
            expect(Errno.EINVAL, a(new ApiCall.Connect(3, A80)));
            assertEquals(new Outcome.Value(0), a(new ApiCall.Bind(3, A6_80)));
        }

        @Test
        void v6only_bindV4Mapped_einval_connectV4Mapped_enetunreach() {
            assertEquals(new Outcome.Value(3), a(new ApiCall.Socket(inet6, SockType.DGRAM, 0, false)));
            assertEquals(new Outcome.Value(0), a(new ApiCall.SetSockOpt(3, org.sockcheck.spec.SockOpt.IPV6_V6ONLY, 1)));
            expect(Errno.EINVAL, a(new ApiCall.Bind(3, MAPPED_A80)));
            expect(Errno.ENETUNREACH, a(new ApiCall.Connect(3, MAPPED_A80)));
            expect(Errno.ENETUNREACH, a(new ApiCall.SendTo(3, new byte[] {1}, MAPPED_A80)));
            // A bare IPv4 address: EAFNOSUPPORT from connect, ENETUNREACH from sendto.
            expect(Errno.EAFNOSUPPORT, a(new ApiCall.Connect(3, A80)));
            // Without IPV6_V6ONLY the same socket binds the v4-mapped address.
            a(new ApiCall.Socket(inet6, SockType.DGRAM, 0, false));
            assertEquals(new Outcome.Value(0), a(new ApiCall.Bind(4, MAPPED_A80)));
            assertEquals(new Outcome.Address(MAPPED_A80), a(new ApiCall.GetSockName(4)));
        }

        @Test
        void inet6_onV4MappedAddressGivenIpv6_eafnosupport() {
            a(new ApiCall.Socket(inet6, SockType.STREAM, 0, false));
            assertEquals(new Outcome.Value(0), a(new ApiCall.Bind(3, new Endpoint("::ffff:192.0.2.1", 81))));
            expect(Errno.EAFNOSUPPORT, a(new ApiCall.Connect(3, A6_80)));
        }

        @Test
        void v6only_optionOfAnotherFamily_enoprotooptOrEopnotsupp_afterBind_einval() {
            a(new ApiCall.Socket(SockType.STREAM, 0));
            expect(Errno.ENOPROTOOPT, a(new ApiCall.SetSockOpt(3, org.sockcheck.spec.SockOpt.IPV6_V6ONLY, 1)));
            expect(Errno.EOPNOTSUPP, a(new ApiCall.GetSockOpt(3, "IPV6_V6ONLY")));
            a(new ApiCall.Socket(org.sockcheck.spec.Domain.UNIX, SockType.STREAM, 0, false));
            expect(Errno.EOPNOTSUPP, a(new ApiCall.SetSockOpt(4, org.sockcheck.spec.SockOpt.IPV6_V6ONLY, 1)));
            a(new ApiCall.Socket(inet6, SockType.DGRAM, 0, false));
            a(new ApiCall.Bind(5, new Endpoint("::", 0)));
            expect(Errno.EINVAL, a(new ApiCall.SetSockOpt(5, org.sockcheck.spec.SockOpt.IPV6_V6ONLY, 1)));
        }

        @Test
        void inet6_seqpacket_esocktnosupport() {
            expect(Errno.ESOCKTNOSUPPORT, a(new ApiCall.Socket(inet6, SockType.SEQPACKET, 0, false)));
            expect(Errno.EOPNOTSUPP, a(new ApiCall.SocketPair(inet6, SockType.STREAM, 0, false)));
        }
    }
}
