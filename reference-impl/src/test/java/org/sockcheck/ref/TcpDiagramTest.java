package org.sockcheck.ref;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.sockcheck.ref.Segment.Kind;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Errno;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.ShutdownHow;
import org.sockcheck.spec.SockType;
import org.sockcheck.spec.TcpState;

/**
 * Every transition of the RFC 9293 state diagram (section 3.3.2, figure 5),
 * driven with the network under the test's control: which segment arrives,
 * which is lost, when the clock moves. Grouped by the state a socket starts
 * in; names read state_event_outcome. After all of them, a check that the
 * transitions seen cover the diagram.
 */
class TcpDiagramTest extends TwoHosts {
    static final Endpoint B81 = new Endpoint("192.0.2.2", 81);

    /**
     * The diagram's edges as the stack logs them: from, to, and the spec
     * action. LISTEN -> SYN-RECEIVED is a new connection entry that starts in
     * SYN-RECEIVED while the listener stays (rcvSynInListen); SYN-RECEIVED ->
     * LISTEN is that entry going away on RST. Not here: LISTEN -> SYN-SENT
     * ("send" on a listener), which the sockets API cannot ask for.
     * SYN-RECEIVED -> FIN-WAIT-1 is taken on Linux by a connection whose
     * socket carries a shutdown flag for writing, not on close, which the
     * spec (and Linux) replace by an RST (SocketApi.tla, LastClose).
     */
    static final Set<String> DIAGRAM = Set.of(
            "CLOSED => LISTEN (listen)",
            "CLOSED => SYN-SENT (connect)",
            "CLOSED => SYN-RECEIVED (rcvSynInListen)",
            "LISTEN => CLOSED (close)",
            "SYN-SENT => ESTABLISHED (rcvSynAckInSynSent)",
            "SYN-SENT => SYN-RECEIVED (rcvSynInSynSent)",
            "SYN-SENT => CLOSED (rcvRstInSynSent)",
            "SYN-SENT => CLOSED (close)",
            "SYN-SENT => CLOSED (handshakeTimeout)",
            "SYN-RECEIVED => ESTABLISHED (rcvAckInSynReceived)",
            "SYN-RECEIVED => FIN-WAIT-1 (rcvAckInSynReceived)",
            "SYN-RECEIVED => CLOSED (rcvRstInSynReceived)",
            "SYN-RECEIVED => CLOSED (handshakeTimeout)",
            "SYN-RECEIVED => CLOSED (close)",
            "ESTABLISHED => FIN-WAIT-1 (close)",
            "ESTABLISHED => FIN-WAIT-1 (shutdown)",
            "ESTABLISHED => CLOSE-WAIT (rcvFin)",
            "ESTABLISHED => CLOSED (rcvRst)",
            "FIN-WAIT-1 => FIN-WAIT-2 (rcvAck)",
            "FIN-WAIT-1 => CLOSING (rcvFin)",
            "FIN-WAIT-2 => TIME-WAIT (rcvFin)",
            "FIN-WAIT-2 => CLOSED (finWait2Timeout)",
            "CLOSING => TIME-WAIT (rcvAck)",
            "CLOSE-WAIT => LAST-ACK (close)",
            "LAST-ACK => CLOSED (rcvAck)",
            "TIME-WAIT => CLOSED (timeWaitExpires)");

    static final Set<String> SEEN = new HashSet<>();

    @AfterEach
    void collect() {
        // The RFC's CLOSE is the last descriptor going, by close or by the exit of its process.
        stack.transitions().forEach(t -> SEEN.add(t.from() + " => " + t.to() + " ("
                + (t.action().equals("exit") ? "close" : t.action()) + ")"));
    }

    @AfterAll
    static void everyEdgeOfTheDiagramWasTaken() {
        Set<String> missing = new TreeSet<>(DIAGRAM);
        missing.removeAll(SEEN);
        assertEquals(Set.of(), missing, "RFC 9293 transitions no test took; taken: " + new TreeSet<>(SEEN));
        // The edges, without the action that takes each, are the spec's Diagram: the one list of them.
        Set<String> edges = new TreeSet<>();
        DIAGRAM.forEach(d -> edges.add(d.substring(0, d.indexOf(" ("))));
        assertEquals(new TreeSet<>(org.sockcheck.spec.tlc.SpecText.diagram()), edges, "the spec's Diagram (Sockets.tla)");
    }

    TcpState stateOf(String host, Endpoint local) {
        return stack.sockets(host).stream().filter(r -> r.local().equals(local)).map(r -> r.state())
                .findFirst().orElse(TcpState.CLOSED);
    }

    void listener() {
        a(new ApiCall.Socket(SockType.STREAM, 0));
        a(new ApiCall.Bind(3, A80));
        a(new ApiCall.Listen(3, 8));
    }

    /** Delivers the one segment in flight of this kind and says which action took it. */
    String deliver(Kind kind) {
        List<Segment> net = stack.inFlight();
        for (int i = 0; i < net.size(); i++) {
            if (net.get(i).kind() == kind) {
                return stack.deliver(i, false);
            }
        }
        throw new AssertionError("no " + kind + " in flight: " + net);
    }

    void lose(Kind kind) {
        List<Segment> net = stack.inFlight();
        for (int i = 0; i < net.size(); i++) {
            if (net.get(i).kind() == kind) {
                stack.loseSegment(i);
                return;
            }
        }
        throw new AssertionError("no " + kind + " in flight: " + net);
    }

    /** A on 80 and B on 81 connect to each other at once: both SYNs cross (RFC 9293 figure 8). */
    void simultaneousOpen() {
        a(new ApiCall.Socket(SockType.STREAM, 0));
        a(new ApiCall.Bind(3, A80));
        b(new ApiCall.Socket(SockType.STREAM, 0));
        b(new ApiCall.Bind(3, B81));
        stack.setAutoDeliver(false);
        a(new ApiCall.Connect(3, B81));
        b(new ApiCall.Connect(3, A80));
        assertEquals("rcvSynInSynSent", deliver(Kind.SYN));
        assertEquals("rcvSynInSynSent", deliver(Kind.SYN));
    }

    /** An established connection A:80 (accepted, descriptor 4) to B (descriptor 3). */
    Endpoint established() {
        listener();
        b(new ApiCall.Socket(SockType.STREAM, 0));
        assertEquals(ok(0), b(new ApiCall.Connect(3, A80)));
        return assertInstanceOf(Outcome.Accepted.class, a(new ApiCall.Accept(3))).peer();
    }

    @Nested
    class Closed {
        @Test
        void closed_listen_listen() {
            listener();
            assertEquals(TcpState.LISTEN, stateOf("A", A80));
        }

        @Test
        void closed_connect_synSentThenEstablished() {
            listener();
            b(new ApiCall.Socket(SockType.STREAM, 0));
            stack.setAutoDeliver(false);
            assertInstanceOf(Outcome.Blocked.class, b(new ApiCall.Connect(3, A80)));
            assertEquals(List.of(TcpState.SYN_SENT), stack.sockets("B").stream().map(r -> r.state()).toList());
            assertEquals("rcvSynInListen", deliver(Kind.SYN));
            assertEquals("rcvSynAckInSynSent", deliver(Kind.SYNACK));
            assertEquals(ok(0), stack.tryReturn("B", "p"));
            assertEquals("rcvAckInSynReceived", deliver(Kind.ACK));
        }
    }

    @Nested
    class Listen {
        @Test
        void listen_rcvSyn_newConnectionInSynReceived() {
            listener();
            b(new ApiCall.Socket(SockType.STREAM, 0));
            stack.setAutoDeliver(false);
            b(new ApiCall.Connect(3, A80));
            assertEquals("rcvSynInListen", deliver(Kind.SYN));
            assertEquals(List.of(TcpState.LISTEN, TcpState.SYN_RECEIVED),
                    stack.sockets("A").stream().map(r -> r.state()).toList());
        }

        @Test
        void listen_close_closedAndGone() {
            listener();
            assertEquals(ok(0), a(new ApiCall.Close(3)));
            assertEquals(List.of(), stack.sockets("A"));
        }

        @Test
        void listen_rcvDataForNoConnection_answersRst() {
            established();
            b(new ApiCall.Send(3, new byte[] {1}));
            stack.setAutoDeliver(false);
            b(new ApiCall.Send(3, new byte[] {2}));
            // A aborts the connection (unread data) while B's second segment is in flight.
            a(new ApiCall.Close(4));
            assertEquals("rcvOtherInListen", deliver(Kind.DATA));
            assertTrue(stack.inFlight().stream().filter(m -> m.kind() == Kind.RST).count() == 2);
        }
    }

    @Nested
    class SynSent {
        @Test
        void synSent_rcvSyn_synReceivedThenEstablished() {
            simultaneousOpen();
            assertEquals(TcpState.SYN_RECEIVED, stateOf("A", A80));
            assertEquals("rcvAckInSynReceived", deliver(Kind.SYNACK));
            assertEquals("rcvAckInSynReceived", deliver(Kind.SYNACK));
            assertEquals(ok(0), stack.tryReturn("A", "p"));
            assertEquals(ok(0), stack.tryReturn("B", "p"));
            assertEquals(TcpState.ESTABLISHED, stateOf("B", B81));
        }

        @Test
        void synSent_rcvRst_closedAndEconnrefused() {
            b(new ApiCall.Socket(SockType.STREAM, 0));
            assertEquals(new Outcome.Failed(Errno.ECONNREFUSED), b(new ApiCall.Connect(3, A80)));
        }

        @Test
        void synSent_close_closed() {
            b(new ApiCall.Socket(SockType.STREAM, 0));
            // No host has this address: the SYN is lost and connect gives up waiting.
            assertInstanceOf(Outcome.Blocked.class, b(new ApiCall.Connect(3, new Endpoint("192.0.2.9", 1))));
            assertEquals(TcpState.SYN_SENT, stack.sockets("B").get(0).state());
            assertEquals(new Outcome.Failed(Errno.EALREADY), b(new ApiCall.Connect(3, A80)));
            assertEquals(ok(0), b(new ApiCall.Close(3)));
            assertEquals(List.of(), stack.sockets("B"));
        }

        @Test
        void synSent_lostSyn_handshakeTimeoutEtimedout() {
            b(new ApiCall.Socket(SockType.STREAM, 0));
            stack.setAutoDeliver(false);
            b(new ApiCall.Connect(3, A80));
            lose(Kind.SYN);
            stack.advance(RefStack.SYN_SENT_MS - 1);
            assertNull(stack.tryReturn("B", "p"), "still waiting a moment before the timeout");
            stack.advance(1);
            assertEquals(new Outcome.Failed(Errno.ETIMEDOUT), stack.tryReturn("B", "p"));
        }

        @Test
        void synSent_closeByAnotherDescriptor_closed() {
            b(new ApiCall.Socket(SockType.STREAM, 0));
            b(new ApiCall.Dup(3));
            stack.setAutoDeliver(false);
            b(new ApiCall.Connect(3, A80));
            lose(Kind.SYN);
            // The process waits in connect and exits: both its descriptors close.
            stack.call("B", "p", new ApiCall.Exit());
            assertEquals(List.of(), stack.sockets("B"));
        }
    }

    @Nested
    class SynReceived {
        @Test
        void synReceived_rcvRst_connectionEntryGoes() {
            listener();
            b(new ApiCall.Socket(SockType.STREAM, 0));
            stack.setAutoDeliver(false);
            b(new ApiCall.Connect(3, A80));
            deliver(Kind.SYN);
            // The client gives up before the SYN-ACK arrives; B answers it with RST.
            stack.call("B", "p", new ApiCall.Exit());
            assertEquals("rcvForNoSocket", deliver(Kind.SYNACK));
            assertEquals("rcvRstInSynReceived", deliver(Kind.RST));
            assertEquals(List.of(TcpState.LISTEN), stack.sockets("A").stream().map(r -> r.state()).toList());
        }

        @Test
        void synReceived_lostSynAck_handshakeTimeout() {
            listener();
            b(new ApiCall.Socket(SockType.STREAM, 0));
            stack.setAutoDeliver(false);
            b(new ApiCall.Connect(3, A80));
            deliver(Kind.SYN);
            lose(Kind.SYNACK);
            stack.advance(RefStack.SYN_RECEIVED_MS);
            assertEquals(List.of(TcpState.LISTEN, TcpState.SYN_SENT), List.of(stateOf("A", A80),
                    stack.sockets("B").get(0).state()));
            assertEquals(1, stack.sockets("A").size());
        }

        @Test
        void synReceived_ackWithAShutdownFlag_sendsFin() {
            // Linux: a failed shutdown's flag stays through listen and passes to each connection,
            // which sends its FIN as soon as it is established.
            a(new ApiCall.Socket(SockType.STREAM, 0));
            a(new ApiCall.Bind(3, A80));
            assertEquals(new Outcome.Failed(Errno.ENOTCONN), a(new ApiCall.Shutdown(3, ShutdownHow.WR)));
            a(new ApiCall.Listen(3, 8));
            b(new ApiCall.Socket(SockType.STREAM, 0));
            assertEquals(new Outcome.Value(0), b(new ApiCall.Connect(3, A80)));
            assertEquals(TcpState.CLOSE_WAIT, stack.sockets("B").get(0).state());
            assertEquals(List.of(TcpState.LISTEN, TcpState.FIN_WAIT_2),
                    stack.sockets("A").stream().map(r -> r.state()).toList());
        }

        @Test
        void synReceived_close_resetsPeer() {
            simultaneousOpen();
            stack.call("A", "p", new ApiCall.Exit());
            assertEquals(List.of(), stack.sockets("A"));
            assertTrue(stack.inFlight().stream().anyMatch(m -> m.kind() == Kind.RST));
        }
    }

    @Nested
    class Established {
        @Test
        void established_close_finWait1ThenFinWait2() {
            established();
            stack.setAutoDeliver(false);
            b(new ApiCall.Close(3));
            assertEquals(TcpState.FIN_WAIT_1, stack.sockets("B").get(0).state());
            assertEquals("rcvFin", deliver(Kind.FIN));
            assertEquals("rcvAck", deliver(Kind.ACK));
            assertEquals(TcpState.FIN_WAIT_2, stack.sockets("B").get(0).state());
        }

        @Test
        void established_shutdownWrite_finWait1() {
            established();
            stack.setAutoDeliver(false);
            assertEquals(ok(0), b(new ApiCall.Shutdown(3, ShutdownHow.WR)));
            assertEquals(TcpState.FIN_WAIT_1, stack.sockets("B").get(0).state());
        }

        @Test
        void established_rcvRst_closedAndEconnreset() {
            established();
            b(new ApiCall.Send(3, new byte[] {1}));
            a(new ApiCall.Close(4));
            assertEquals(new Outcome.Failed(Errno.ECONNRESET), b(new ApiCall.Recv(3, 1)));
        }

        @Test
        void established_rcvOldRst_ignored() {
            established();
            stack.setAutoDeliver(false);
            b(new ApiCall.Send(3, new byte[] {1}));
            assertEquals("rcvData", deliver(Kind.DATA));
            Segment ack = stack.inFlight().get(0);
            // An RST numbered below RCV.NXT is stale (RFC 5961 3.2).
            assertEquals("rcvAck", stack.deliver(0, false));
            assertEquals(Kind.ACK, ack.kind());
            assertEquals(TcpState.ESTABLISHED, stack.sockets("B").get(0).state());
        }
    }

    @Nested
    class FinWait {
        @Test
        void finWait1_rcvFin_closingThenTimeWait() {
            Endpoint peer = established();
            stack.setAutoDeliver(false);
            a(new ApiCall.Close(4));
            b(new ApiCall.Close(3));
            assertEquals("rcvFin", deliver(Kind.FIN));
            assertEquals("rcvFin", deliver(Kind.FIN));
            assertEquals(TcpState.CLOSING, stack.sockets("B").get(0).state());
            assertEquals("rcvAck", deliver(Kind.ACK));
            assertEquals("rcvAck", deliver(Kind.ACK));
            assertEquals(TcpState.TIME_WAIT, stack.sockets("B").get(0).state());
            assertEquals(TcpState.TIME_WAIT, stateOf("A", A80) == TcpState.LISTEN
                    ? stack.sockets("A").get(1).state() : null);
            assertEquals(peer, stack.sockets("A").get(1).remote());
        }

        @Test
        void finWait2_rcvFin_timeWaitThenExpires() {
            established();
            b(new ApiCall.Close(3));
            a(new ApiCall.Close(4));
            assertEquals(TcpState.TIME_WAIT, stack.sockets("B").get(0).state());
            stack.advance(RefStack.TIME_WAIT_MS - 1);
            assertEquals(1, stack.sockets("B").size());
            stack.advance(1);
            assertEquals(List.of(), stack.sockets("B"));
        }

        @Test
        void finWait2_orphanUnderLinux_timesOut() {
            established();
            b(new ApiCall.Close(3));
            assertEquals(TcpState.FIN_WAIT_2, stack.sockets("B").get(0).state());
            stack.advance(RefStack.FIN_WAIT_2_MS);
            assertEquals(List.of(), stack.sockets("B"));
        }

        @Test
        void finWait2_heldByDescriptor_staysForever() {
            established();
            b(new ApiCall.Shutdown(3, ShutdownHow.WR));
            stack.advance(10 * RefStack.FIN_WAIT_2_MS);
            assertEquals(TcpState.FIN_WAIT_2, stack.sockets("B").get(0).state());
        }
    }

    @Nested
    class CloseWait {
        @Test
        void closeWait_close_lastAckThenClosed() {
            established();
            b(new ApiCall.Close(3));
            stack.setAutoDeliver(false);
            a(new ApiCall.Close(4));
            assertEquals(TcpState.LAST_ACK, stack.sockets("A").get(1).state());
            assertEquals("rcvFin", deliver(Kind.FIN));
            assertEquals("rcvAck", deliver(Kind.ACK));
            assertEquals(List.of(TcpState.LISTEN), stack.sockets("A").stream().map(r -> r.state()).toList());
        }
    }
}
