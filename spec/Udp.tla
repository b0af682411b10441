--------------------------------- MODULE Udp ---------------------------------
(***************************************************************************)
(* Datagram delivery: UDP (S4, S12, S13) and raw IP (S7, S8).             *)
(* A UDP socket has no connection state; "connected" only fixes its peer. *)
(* Datagrams keep their boundaries: each one is queued whole, with the    *)
(* address it came from (S13).                                            *)
(***************************************************************************)
EXTENDS Network

\* S15: a connected socket whose four addresses match, then one bound to the
\* exact address, then one bound to the wildcard.
\* A socket connected to port 0 (Linux lets UDP connect so) takes datagrams
\* from any port of its peer's address, after one connected to that port
\* (udp4_lib_lookup's score). No socket has port 0.
\* wild: the sockets on a wildcard address that takes m's family (see Takes).
UdpCandidates(m, connected, wild) ==
    {s \in Sids : /\ sock[s].proto = "udp" /\ sock[s].host = HostOf(m.dst[1])
                  /\ sock[s].lport = m.dst[2] /\ m.dst[2] # 0
                  /\ IF wild THEN Wildcard(sock[s].lip) /\ Takes(sock[s].lip, sock[s].v6only, m.dst[1])
                     ELSE sock[s].lip = m.dst[1]
                  /\ IF connected THEN sock[s].rip = m.src[1] /\ sock[s].rport \in {m.src[2], 0}
                                  ELSE sock[s].rip = NoHost}

\* The sockets that match a datagram best. Several sockets share an address
\* only through SO_REUSEADDR; which of them takes a datagram is the
\* stack's: Linux gives it to the one bound last (the newest is first in
\* its hash chain; gVisor's ReuseAddrDistribution asserts it; probed on
\* 6.18). NOTE: the model keeps no order of binds, so any of them may.
UdpTargets(m) ==
    LET c1 == UdpCandidates(m, TRUE, FALSE) \cup UdpCandidates(m, TRUE, TRUE)
        c0 == {s \in c1 : sock[s].rport = m.src[2]}
        c2 == UdpCandidates(m, FALSE, FALSE)
        c3 == UdpCandidates(m, FALSE, TRUE)
    IN IF c0 # {} THEN c0 ELSE IF c1 # {} THEN c1
       ELSE IF c2 # {} THEN c2 ELSE c3

UdpTarget(m) == IF UdpTargets(m) = {} THEN NoSid ELSE Min(UdpTargets(m))

Datagram(from, data) == [from |-> from, data |-> data]

(* DeliverDatagram: a datagram for a bound socket joins its queue whole,  *)
(* with its sender's address. POSIX: a socket shut for reading drops it;  *)
(* Linux queues it still, and recv returns it (probed on Linux 6.18).     *)
DeliverDatagram(m, keep) ==
    /\ m \in net /\ m.proto = "udp" /\ m.kind = "DGRAM"
    /\ \E s \in UdpTargets(m) :
       /\ sock' = [sock EXCEPT ![s].datagrams = IF sock[s].rdshut /\ Profile = "POSIX" THEN @
                                                 ELSE Append(@, Datagram(m.src, m.data))]
    /\ Arrive(m, keep, {})
    /\ UNCHANGED <<files, fdt, alive, pending>> /\ NetRecord("DeliverDatagram", m)

(* DatagramToNoSocket: a datagram nobody is bound to is answered with an  *)
(* ICMP port unreachable.                                                 *)
DatagramToNoSocket(m, keep) ==
    /\ m \in net /\ m.proto = "udp" /\ m.kind = "DGRAM" /\ UdpTarget(m) = NoSid
    /\ Arrive(m, keep, {Seg("icmp", "UNREACH", m.dst, m.src, 0, 0, "none")})
    /\ UNCHANGED <<files, sock, fdt, alive, pending>> /\ NetRecord("DatagramToNoSocket", m)

(* RcvPortUnreachable: Linux reports the ICMP error to a connected socket *)
(* as ECONNREFUSED on its next call; an unconnected one learns nothing.   *)
RcvPortUnreachable(m, keep) ==
    /\ m \in net /\ m.proto = "icmp"
    /\ LET hits == {s \in Sids : /\ sock[s].proto = "udp" /\ sock[s].host = HostOf(m.dst[1])
                                 /\ sock[s].lport = m.dst[2]
                                 /\ sock[s].rip = m.src[1] /\ sock[s].rport = m.src[2]}
       IN sock' = IF hits # {} /\ Profile = "LINUX"
                  THEN [sock EXCEPT ![Min(hits)].err = "ECONNREFUSED"] ELSE sock
    /\ Arrive(m, keep, {})
    /\ UNCHANGED <<files, fdt, alive, pending>> /\ NetRecord("RcvPortUnreachable", m)

(* DeliverRaw: an IP datagram goes, as a copy, to every raw socket of its *)
(* protocol on its destination host bound to that address or the        *)
(* wildcard (S8: the transport is bypassed; there are no ports, S7); a    *)
(* connected raw socket takes datagrams from its peer only (Linux's       *)
(* raw_v4_match, BSD's rip_input). A raw socket takes its own family's    *)
(* datagrams only: an INET6 one IPv6's, on [::] too (raw_v6_match; probed *)
(* on Linux 6.18), and, as for IPv4, their data without the IP header.    *)
(* LINUX queues it for a socket shut for reading too, as for UDP (probed  *)
(* on Linux 6.18; gVisor's raw_socket.cc ShutdownReadNoop asserts it).    *)
(* NOTE: with no such socket Linux answers ICMP protocol-unreachable,      *)
(* which the model leaves out: the datagram is gone.                      *)
DeliverRaw(m, keep) ==
    /\ m \in net /\ m.proto = "raw"
    /\ sock' = [s \in Sids |->
                   IF sock[s].proto = "raw" /\ sock[s].protocol = m.seq
                      /\ sock[s].host = HostOf(m.dst[1]) /\ sock[s].lip \in {Wild(sock[s]), m.dst[1]}
                      /\ (sock[s].fam = "INET6") = (m.dst[1] \in Hosts6)
                      /\ sock[s].rip \in {NoHost, m.src[1]}
                      /\ (Profile = "POSIX" => ~sock[s].rdshut)
                   THEN [sock[s] EXCEPT !.datagrams = Append(@, Datagram(m.src, m.data))]
                   ELSE sock[s]]
    /\ Arrive(m, keep, {})
    /\ UNCHANGED <<files, fdt, alive, pending>> /\ NetRecord("DeliverRaw", m)

DatagramArrival(m, keep) ==
    DeliverDatagram(m, keep) \/ DatagramToNoSocket(m, keep) \/ RcvPortUnreachable(m, keep) \/ DeliverRaw(m, keep)
==============================================================================
