------------------------------ MODULE SocketApi ------------------------------
(***************************************************************************)
(* The Berkeley sockets API (S21): the calls a process makes, each with   *)
(* the errno it gets for every misuse. A process refers to sockets only   *)
(* through its own descriptors (S2, S3). A call that must wait (connect,  *)
(* accept, recv on an empty socket) is two steps: the call, which leaves  *)
(* the calling thread in pending, and a later ...Returns step.            *)
(***************************************************************************)
EXTENDS Tcp, Udp, Unix

Ready(p) == alive[ProcOf(p)] /\ pending[p].op = "none"
SockOf(p, f) == fdt[ProcOf(p)][f]
Open(p, f) == fdt[ProcOf(p)][f] # NoSid

\* A segment from entry s of table tbl to its peer.
OutT(tbl, s, kind, seq, ack) ==
    Seg("tcp", kind, <<tbl[s].lip, tbl[s].lport>>, <<tbl[s].rip, tbl[s].rport>>, seq, ack, "none")

(***************************************************************************)
(* What happens to a socket when its last descriptor closes (close, or    *)
(* the exit of the last process holding it), as a new table and the      *)
(* segments sent. A listener resets the connections nobody accepted; a   *)
(* connection with unread data is reset (RFC 2525 2.17, as Linux does);  *)
(* otherwise a connection sends FIN and lives on without a descriptor    *)
(* until the close handshake ends.                                        *)
(***************************************************************************)
LastClose(tbl, s) ==
    LET x == tbl[s]
        children == {c \in Sids : tbl[c].proto = "tcp" /\ tbl[c].listener = s}
        free(t, S) == [c \in Sids |-> IF c \in S THEN FreeSocket ELSE t[c]]
    IN CASE x.proto = "unix" -> [tbl |-> UnixLastClose(tbl, s), segs |-> {}]
         [] x.proto \in {"udp", "raw"} ->
              [tbl |-> free(tbl, {s}), segs |-> {}]
         [] x.st = "LISTEN" ->
              [tbl |-> free(tbl, children \cup {s}),
               segs |-> {OutT(tbl, c, "RST", tbl[c].sndnxt, tbl[c].rcvnxt) : c \in children}]
         [] x.st \in {"CLOSED", "SYN-SENT"} ->
              [tbl |-> free(tbl, {s}), segs |-> {}]
         \* NOTE: an active open closed in SYN-RECEIVED is aborted with RST here;
         \* RFC 9293 would send FIN once the handshake completes.
         [] x.st = "SYN-RECEIVED" ->
              [tbl |-> free(tbl, {s}), segs |-> {OutT(tbl, s, "RST", x.sndnxt, x.rcvnxt)}]
         \* SO_LINGER on with a linger of 0 aborts (tcp_close calls tcp_disconnect):
         \* RST in ESTABLISHED, CLOSE-WAIT, FIN-WAIT-1 and FIN-WAIT-2, and the entry
         \* goes at once, also in CLOSING and LAST-ACK, where no RST is sent
         \* (tcp_need_reset); probed on Linux 6.18.
         [] x.linger = <<1, 0>> /\ x.st \in {"ESTABLISHED", "CLOSE-WAIT", "FIN-WAIT-1", "FIN-WAIT-2"} ->
              [tbl |-> free(tbl, {s}), segs |-> {OutT(tbl, s, "RST", x.sndnxt, x.rcvnxt)}]
         [] x.linger = <<1, 0>> /\ x.st \in {"CLOSING", "LAST-ACK"} ->
              [tbl |-> free(tbl, {s}), segs |-> {}]
         \* Linux resets whatever the state, FIN-WAIT-2 after shutdown(SHUT_WR) too (probed).
         [] x.st \in Synchronized \ {"TIME-WAIT"} /\ x.stream # "" ->
              [tbl |-> free(tbl, {s}), segs |-> {OutT(tbl, s, "RST", x.sndnxt, x.rcvnxt)}]
         \* ESTABLISHED and CLOSE-WAIT have sent no FIN (a shutdown flag Linux kept
         \* through connect does not send one).
         [] x.st \in {"ESTABLISHED", "CLOSE-WAIT"} ->
              [tbl |-> [tbl EXCEPT ![s].st = IF x.st = "CLOSE-WAIT" THEN "LAST-ACK" ELSE "FIN-WAIT-1",
                                   ![s].finseq = x.sndnxt, ![s].sndnxt = x.sndnxt + 1,
                                   ![s].wrshut = TRUE, ![s].rdshut = TRUE],
               segs |-> {OutT(tbl, s, "FIN", x.sndnxt, x.rcvnxt)}]
         [] OTHER ->
              [tbl |-> [tbl EXCEPT ![s].rdshut = TRUE], segs |-> {}]

\* Whether the last close of the sockets S of table tbl drops messages that
\* carry sockets (SCM_RIGHTS): queued at one of them, or at a Unix socket
\* waiting in a listener's queue among them. Linux then lets those go too
\* (unix_release_sock, and its garbage collector for cycles); the spec does
\* not follow them (OutsideRights).
DropsRights(tbl, S) == \E c \in Sids : (c \in S \/ (tbl[c].proto = "unix" /\ tbl[c].listener \in S)) /\ Carried(tbl, c) # {}

RECURSIVE LastCloseAll(_, _, _)
LastCloseAll(tbl, segs, S) ==
    IF S = {} THEN [tbl |-> tbl, segs |-> segs]
    ELSE LET s == Min(S)
             r == LastClose(tbl, s)
         IN LastCloseAll(r.tbl, segs \cup r.segs, S \ {s})

------------------------------------------------------------------------------

\* The largest protocol number Linux takes (IPPROTO_MAX - 1; 262 is MPTCP).
ProtocolMax == 262

\* What socket() answers a type and protocol it makes no socket for, in the
\* INET domain: a stream socket is TCP (protocol 0 or 6), a datagram socket
\* UDP (0 or 17), a raw socket any protocol but 0 (raw(7)). LINUX (probed on
\* Linux 6.18; inet_create): a number outside 0..262 is EINVAL, any other
\* EPROTONOSUPPORT. POSIX names EPROTONOSUPPORT, and EPROTOTYPE for a
\* protocol that exists with another type (FreeBSD's socreate says so).
\* NOTE: Linux also makes MPTCP (STREAM, 262), UDP-Lite (DGRAM, 136) and
\* ICMP echo (DGRAM, 1) sockets, and raw sockets of the protocols its own
\* stacks carry; those are outside the model (Unmodelled in Sockets.tla).
SocketErrors(dom, type, protocol) ==
    \* UNIX (unix_create): no protocol but 0 or PF_UNIX (1); a raw socket is made a
    \* datagram socket (UnixType; probed on Linux 6.18).
    IF dom = "UNIX" THEN IF protocol \notin {0, 1} THEN {"EPROTONOSUPPORT"} ELSE {}
    \* INET6 (inet6_create) answers as INET does.
    \* INET has no SEQPACKET protocol of the model (inet_create finds none for the type).
    ELSE IF type = "SEQPACKET" THEN {"ESOCKTNOSUPPORT"}
    ELSE IF type = "RAW" THEN
        IF protocol = 0 THEN {"EPROTONOSUPPORT"}
        ELSE IF protocol < 0 \/ protocol > ProtocolMax THEN IF Profile = "LINUX" THEN {"EINVAL"} ELSE {"EPROTONOSUPPORT"}
        ELSE {}
    ELSE IF protocol \in {0, IF type = "STREAM" THEN 6 ELSE 17} THEN {}
    ELSE IF Profile = "LINUX" THEN IF protocol < 0 \/ protocol > ProtocolMax THEN {"EINVAL"} ELSE {"EPROTONOSUPPORT"}
    ELSE IF protocol \in {6, 17} THEN {"EPROTONOSUPPORT", "EPROTOTYPE"}
    ELSE {"EPROTONOSUPPORT"}

(* Socket: a new, unbound entry in the host's table and the lowest free   *)
(* descriptor for it (S1, S2), in the domain dom: INET, INET6 or UNIX    *)
(* (S20). An INET6 socket starts on IPv6's wildcard address.              *)
(* TCP entries start CLOSED; UDP and raw entries have no state at all     *)
(* (S12); a raw entry keeps its protocol; a Unix entry its type and the   *)
(* state UNCONNECTED; nb: SOCK_NONBLOCK, the socket's calls never wait.   *)
Socket(p, dom, type, protocol, nb) ==
    /\ Ready(p)
    /\ IF SocketErrors(dom, type, protocol) # {} THEN \E e \in SocketErrors(dom, type, protocol) : Fail(p, "socket", e)
       ELSE IF FreeFds(p) = {} THEN Fail(p, "socket", "EMFILE")
       ELSE IF FreeSids = {} THEN Fail(p, "socket", "ENOBUFS")
       ELSE LET s == Min(FreeSids)
                f == LowestFree(p)
                proto == CASE dom = "UNIX" -> "unix" [] type = "STREAM" -> "tcp" [] type = "DGRAM" -> "udp" [] OTHER -> "raw"
            IN /\ sock' = [sock EXCEPT ![s] = [FreeSocket EXCEPT !.proto = proto, !.host = p[1],
                                                   !.st = CASE proto = "tcp" -> "CLOSED" [] proto = "unix" -> "UNCONNECTED"
                                                            [] OTHER -> "NONE",
                                                   !.type = IF proto = "unix" THEN UnixType(type) ELSE "",
                                                   !.protocol = IF proto = "raw" THEN protocol ELSE 0,
                                                   !.fam = dom, !.lip = IF dom = "INET6" THEN ANY6 ELSE ANY,
                                                   !.nonblock = nb]]
               /\ fdt' = [fdt EXCEPT ![ProcOf(p)][f] = s]
               /\ Record(p, "socket", f)
               /\ UNCHANGED <<files, alive, pending, net>>

(* SocketPair: socketpair(dom, type, protocol): two sockets connected to  *)
(* each other (UnixPair in Unix.tla) and the two lowest free descriptors; *)
(* INET has no such pairs (EOPNOTSUPP, after socket()'s own checks).      *)
SocketPair(p, dom, type, protocol, nb) ==
    /\ Ready(p)
    /\ IF SocketErrors(dom, type, protocol) # {} THEN \E e \in SocketErrors(dom, type, protocol) : Fail(p, "socketpair", e)
       ELSE IF dom # "UNIX" THEN Fail(p, "socketpair", "EOPNOTSUPP")
       ELSE IF Cardinality(FreeFds(p)) < 2 THEN Fail(p, "socketpair", "EMFILE")
       ELSE IF Cardinality(FreeSids) < 2 THEN Fail(p, "socketpair", "ENOBUFS")
       ELSE LET a == Min(FreeSids)
                b == Min(FreeSids \ {a})
                f == LowestFree(p)
                g == Min(FreeFds(p) \ {f})
            IN /\ sock' = UnixPair(p[1], UnixType(type), a, b, nb)
               /\ fdt' = [fdt EXCEPT ![ProcOf(p)][f] = a, ![ProcOf(p)][g] = b]
               /\ Record(p, "socketpair", <<f, g>>)
               /\ UNCHANGED <<files, alive, pending, net>>

(***************************************************************************)
(* INET and INET6: which addresses a socket of each family is given. An   *)
(* INET6 socket speaks IPv6 to IPv6 addresses and IPv4 to v4-mapped ones  *)
(* (RFC 4291 2.5.5.2; ipv6(7)), unless IPV6_V6ONLY.                       *)
(***************************************************************************)
\* An address written in IPv6's form: only an INET6 socket takes it.
IsV6Arg(ip) == ip \in Hosts6 \cup MappedHosts \cup {ANY6}
\* An address of the other family than network socket x's.
OtherFamily(x, ip) == IF x.fam = "INET6" THEN ~IsV6Arg(ip) ELSE IsV6Arg(ip)
\* A v4-mapped address given to an IPV6_V6ONLY socket.
V6OnlyMapped(x, ip) == x.fam = "INET6" /\ x.v6only /\ ip \in MappedHosts
\* What connect (op "connect") or a datagram's sendto answers an address of
\* the other family, or "none" (probed on Linux 6.18, docs/ipv6-and-unix.md):
\* - an INET socket given an IPv6 address: EAFNOSUPPORT (tcp_v4_connect,
\*   __ip4_datagram_connect, udp_sendmsg);
\* - an INET6 TCP socket given an IPv4 address: EINVAL (a sockaddr_in is
\*   too short for tcp_v6_connect); an INET6 UDP socket takes it as its
\*   v4-mapped form, unless IPV6_V6ONLY: EAFNOSUPPORT from connect,
\*   ENETUNREACH from sendto;
\* - an IPV6_V6ONLY socket given a v4-mapped address: ENETUNREACH (a socket
\*   bound to an IPv6 address is IPV6_V6ONLY);
\* - an INET6 socket on a v4-mapped address given an IPv6 one: EAFNOSUPPORT;
\* - a raw INET6 socket given an IPv4 address: connect EAFNOSUPPORT, sendto
\*   EINVAL; a sendto to a v4-mapped address: ENETUNREACH.
FamilyErrno(op, x, ip) ==
    IF x.fam = "INET" THEN IF IsV6Arg(ip) THEN "EAFNOSUPPORT" ELSE "none"
    ELSE IF ip \in Hosts \cup {ANY} THEN
         IF x.proto = "tcp" THEN "EINVAL"
         \* A raw INET6 socket takes IPv6 addresses only: connect says EAFNOSUPPORT
         \* (ip6_datagram_connect_v6_only), sendto EINVAL (rawv6_sendmsg: a
         \* sockaddr_in is too short).
         ELSE IF x.proto = "raw" THEN IF op = "connect" THEN "EAFNOSUPPORT" ELSE "EINVAL"
         ELSE IF x.v6only THEN IF op = "connect" THEN "EAFNOSUPPORT" ELSE "ENETUNREACH"
         ELSE "none"
    ELSE IF V6OnlyMapped(x, ip) THEN "ENETUNREACH"
    \* A raw INET6 socket sends no IPv4 (rawv6_sendmsg), though it may connect
    \* to a v4-mapped address.
    ELSE IF x.proto = "raw" /\ op = "sendto" /\ ip \in MappedHosts THEN "ENETUNREACH"
    ELSE IF x.lip \in Hosts /\ ip \in Hosts6 THEN "EAFNOSUPPORT"
    ELSE "none"
\* Outside the model: an INET6 socket that addresses a wildcard (Linux
\* sends to [::] as to ::1, which no host of the model has), or that is on
\* an IPv6 address without IPV6_V6ONLY (a datagram socket whose connect
\* picked it) and addresses IPv4.
Mixed6(x, ip) == x.fam = "INET6" /\ (ip \in {ANY, ANY6} \/ (x.lip \in Hosts6 /\ ip \in Hosts \cup MappedHosts))
\* The addresses a socket of host h may bind: the wildcard and the host's own, of its family.
\* (An INET6 socket's h is the Unmapped form of its v4-mapped argument.)
OwnAddrs(x, h) == IF x.fam = "INET6" THEN {ANY6, V6(h), h} ELSE {ANY, h}
\* The address host h sends from to dst: of dst's family.
Source(h, dst) == IF dst \in Hosts6 THEN V6(h) ELSE h

(* Bind: gives the socket its local address (S5). A socket binds once;   *)
(* the address must be the host's own or the wildcard; an address held   *)
(* by another socket of the same protocol is in use (S14); port 0 asks    *)
(* for an ephemeral one. Raw sockets take an address but no port (S7).   *)
(* An INET6 socket binds an IPv6 address, the IPv6 wildcard, or the      *)
(* v4-mapped form of its host's IPv4 address (then it is an IPv4 socket  *)
(* that shows its addresses v4-mapped); an address of the other family   *)
(* is EAFNOSUPPORT for an INET socket (__inet_bind) and EINVAL for an    *)
(* INET6 one (inet6_bind: a sockaddr_in is too short).                   *)
Bind(p, f, ip, port) ==
    /\ Ready(p)
    /\ IF ~Open(p, f) THEN Fail(p, "bind", "EBADF")
       ELSE LET s == SockOf(p, f)
                ipu == Unmapped(ip)
            IN
       IF sock[s].proto = "unix" THEN IF IsPath(ipu) THEN UnixBind(p, s, ipu) ELSE Fail(p, "bind", OutsideFamily)
       ELSE IF IsPath(ipu) THEN Fail(p, "bind", OutsideFamily)
       \* A raw INET6 socket (rawv6_bind, probed on Linux 6.18): an IPv4 address is
       \* EINVAL (too short, or not AF_INET6), a v4-mapped one EADDRNOTAVAIL, both
       \* before it looks at the socket's state; then a connected socket is EINVAL
       \* (Linux), and the address must be the host's IPv6 address or [::]. The
       \* port is not read; the bind does not make the socket IPV6_V6ONLY.
       ELSE IF sock[s].proto = "raw" /\ sock[s].fam = "INET6" THEN
          IF OtherFamily(sock[s], ip) THEN Fail(p, "bind", "EINVAL")
          ELSE IF ip \in MappedHosts THEN Fail(p, "bind", "EADDRNOTAVAIL")
          ELSE IF Profile = "LINUX" /\ sock[s].rip # NoHost THEN Fail(p, "bind", "EINVAL")
          ELSE IF ip \notin {ANY6, V6(p[1])} THEN Fail(p, "bind", "EADDRNOTAVAIL")
          ELSE /\ sock' = [sock EXCEPT ![s].lip = ip]
               /\ Record(p, "bind", 0)
               /\ UNCHANGED <<files, fdt, alive, pending, net>>
       ELSE IF sock[s].proto = "raw" THEN
          \* Linux: connect made the raw socket established, and raw_bind takes
          \* only a closed one (probed on Linux 6.18: EINVAL).
          IF Profile = "LINUX" /\ sock[s].rip # NoHost THEN Fail(p, "bind", "EINVAL")
          \* Linux's raw_bind reads no family: the four bytes after the port, which a
          \* sockaddr_in6 holds its flow label in (0 in every trace), are the address,
          \* so an IPv6 address binds the wildcard (probed on Linux 6.18; found by
          \* sockcheck hunt, seed 5, once walks of IPv6 had two hosts).
          ELSE IF OtherFamily(sock[s], ip) /\ Profile = "LINUX" THEN
               /\ sock' = [sock EXCEPT ![s].lip = ANY]
               /\ Record(p, "bind", 0)
               /\ UNCHANGED <<files, fdt, alive, pending, net>>
          ELSE IF OtherFamily(sock[s], ip) THEN Fail(p, "bind", "EAFNOSUPPORT")
          ELSE IF ipu \notin {ANY, p[1]} THEN Fail(p, "bind", "EADDRNOTAVAIL")
          ELSE /\ sock' = [sock EXCEPT ![s].lip = ipu]
               /\ Record(p, "bind", 0)
               /\ UNCHANGED <<files, fdt, alive, pending, net>>
       ELSE IF OtherFamily(sock[s], ip) THEN Fail(p, "bind", IF sock[s].fam = "INET6" THEN "EINVAL" ELSE "EAFNOSUPPORT")
       ELSE IF sock[s].lport # 0 THEN Fail(p, "bind", "EINVAL")
       \* A v4-mapped address makes no sense to an IPV6_V6ONLY socket (__inet6_bind).
       ELSE IF V6OnlyMapped(sock[s], ip) THEN Fail(p, "bind", "EINVAL")
       ELSE IF ipu \notin OwnAddrs(sock[s], p[1]) THEN Fail(p, "bind", "EADDRNOTAVAIL")
       \* SO_REUSEPORT shares an address by its own rule (SharesPort), except where
       \* Linux's order of sockets or its per-port cache decides (ReusePortUnclear).
       ELSE IF port # 0 /\ ReusePortUnclear(s, ipu, port) THEN Fail(p, "bind", OutsideReusePort)
       ELSE IF (port = 0 /\ FreeEphemeral(s, ipu) = {}) \/ (port # 0 /\ ConflictsShared(s, ipu, port)) THEN
            \* Linux has set the address when it finds the port taken, and clears it
            \* (__inet_bind): a socket that kept its address after its port went
            \* back is on the wildcard now (found by sockcheck hunt, seed 11).
            /\ Record(p, "bind", "EADDRINUSE")
            /\ sock' = IF Profile = "LINUX" THEN [sock EXCEPT ![s].lip = Wild(sock[s])] ELSE sock
            /\ UNCHANGED <<files, fdt, alive, pending, net>>
       ELSE \E e \in IF port = 0 THEN FreeEphemeral(s, ipu) ELSE {port} :
            LET rp == "SO_REUSEPORT" \in sock[s].flags
                \* A socket that binds with SO_REUSEPORT marks the others of its port (rpseen:
                \* for TCP, Linux's per-port cache; for both, the sharing it began).
                \* s binds last: it is older than none (older, for UDP's order of binds).
                seen == [o \in Sids |-> [sock[o] EXCEPT !.rpseen = @ \/ (rp /\ o \in OnPort(s, e)), !.older = @ \ {s}]]
            IN
            /\ sock' = [seen EXCEPT ![s].lip = ipu, ![s].bindreuse = sock[s].reuse,
                                    ![s].rpseen = rp, ![s].older = IF sock[s].proto = "udp" THEN OnPort(s, e) ELSE {},
                                    ![s].lport = e,
                                    ![s].picked = (port = 0), ![s].bindip = ~Wildcard(ipu),
                                    \* An IPv6 address that is no wildcard makes the socket IPV6_V6ONLY (__inet6_bind).
                                    ![s].v6only = @ \/ ipu \in Hosts6,
                                    \* Linux's bind forgets the peer of a failed connect (__inet_bind).
                                    ![s].rip = NoHost, ![s].rport = 0]
            /\ Record(p, "bind", 0)
            /\ UNCHANGED <<files, fdt, alive, pending, net>>

\* Another socket of s's host listens on an address that overlaps s's.
AnotherListener(s) ==
    \E o \in Sids \ {s} :
        /\ sock[o].proto = "tcp" /\ sock[o].host = sock[s].host /\ sock[o].st = "LISTEN"
        /\ sock[o].lport = sock[s].lport /\ Overlap(sock[o].lip, sock[o].v6only, sock[s].lip, sock[s].v6only)

(* Listen: a server's socket waits for clients (S9). Only TCP listens,   *)
(* and only one socket listens on an address.                             *)
(* Linux gives an unbound socket an ephemeral port; POSIX lets listen    *)
(* fail with EDESTADDRREQ. On Linux a socket once connected never listens *)
(* (conn, see Network.tla).                                               *)
\* The backlog a listener keeps: Linux takes an int above net.core.somaxconn
\* (4096), or below 0, as somaxconn (__sys_listen).
Backlog(bl) == IF bl < 0 \/ bl > 4096 THEN 4096 ELSE bl

Listen(p, f, bl) ==
    /\ Ready(p)
    /\ IF ~Open(p, f) THEN Fail(p, "listen", "EBADF")
       ELSE LET s == SockOf(p, f) IN
       IF sock[s].proto = "unix" THEN UnixListen(p, s, Backlog(bl))
       ELSE IF sock[s].proto # "tcp" THEN Fail(p, "listen", "EOPNOTSUPP")
       \* A listener that listens again takes the new backlog (inet_listen).
       ELSE IF sock[s].st = "LISTEN" THEN /\ sock' = [sock EXCEPT ![s].backlog = Backlog(bl)]
                                         /\ Record(p, "listen", 0) /\ UNCHANGED <<files, fdt, alive, pending, net>>
       \* Linux: nor one whose non-blocking connect is not yet reported (SS_CONNECTING; found
       \* by sockcheck hunt, seed 3).
       ELSE IF sock[s].st # "CLOSED" \/ (Profile = "LINUX" /\ (sock[s].conn \/ sock[s].connecting \/ sock[s].disconnecting))
            THEN Fail(p, "listen", "EINVAL")
       \* NOTE: outside the model on Linux: listen on a socket that sent a SYN or was
       \* accepted, whose connection attempt or connection is over and which
       \* connect(AF_UNSPEC) or a failed connect left unconnected. Linux releases differ:
       \* 6.18.44 fails it with EINVAL and keeps a port the failed listen took
       \* (probed, scripts/probes/disconnect.py), earlier 6.18 releases listened (and
       \* /proc/net/tcp showed the old peer as the listener's remote end).
       ELSE IF Profile = "LINUX" /\ sock[s].synsent THEN Fail(p, "listen", OutsideListen)
       ELSE IF sock[s].lport = 0 /\ Profile = "POSIX" THEN Fail(p, "listen", "EDESTADDRREQ")
       \* The address is checked again: SO_REUSEADDR never lets two sockets listen
       \* on it. Linux checks it as bind does (inet_csk_get_port), so a connection
       \* made since the bind holds the port too, such as one a listener that
       \* stopped (shutdown SHUT_RD) had accepted (found by sockcheck hunt, seed 7),
       \* and SO_REUSEADDR counts as the sockets have it now (hunt, seed 11).
       \* SO_REUSEPORT lets listeners share an address (SharesPort), as at bind.
       ELSE IF sock[s].lport # 0 /\ ReusePortUnclear(s, sock[s].lip, sock[s].lport) THEN Fail(p, "listen", OutsideReusePort)
       ELSE IF sock[s].lport # 0 /\ ((Profile = "POSIX" /\ AnotherListener(s))
                                     \/ (Profile = "LINUX" /\ ConflictsShared(s, sock[s].lip, sock[s].lport)))
            THEN Fail(p, "listen", "EADDRINUSE")
       ELSE IF sock[s].lport = 0 /\ FreeEphemeral(s, Wild(sock[s])) = {} THEN Fail(p, "listen", "EADDRINUSE")
       ELSE \E e \in IF sock[s].lport = 0 THEN FreeEphemeral(s, Wild(sock[s])) ELSE {sock[s].lport} :
            /\ sock' = [sock EXCEPT ![s].st = "LISTEN", ![s].backlog = Backlog(bl), ![s].listened = TRUE,
                                    ![s].bindreuse = IF sock[s].lport = 0 THEN sock[s].reuse ELSE @,
                                    ![s].rpseen = IF sock[s].lport = 0 THEN "SO_REUSEPORT" \in sock[s].flags ELSE @,
                                    ![s].lport = e,
                                    ![s].picked = IF sock[s].lport = 0 THEN TRUE ELSE @,
                                    ![s].rip = IF Profile = "LINUX" THEN @ ELSE NoHost, ![s].rport = 0]
            /\ Record(p, "listen", 0)
            /\ UNCHANGED <<files, fdt, alive, pending, net>>

SameFourTuple(o, s, lip, lport, rip, rport) ==
    /\ sock[o].proto = "tcp" /\ sock[o].host = sock[s].host
    /\ sock[o].st \notin {"CLOSED", "LISTEN"}
    /\ sock[o].lip = lip /\ sock[o].lport = lport
    /\ sock[o].rip = rip /\ sock[o].rport = rport

\* Linux: a connect from the port a socket already has takes over a
\* connection in TIME-WAIT with the same four addresses that no descriptor
\* and no listener's queue holds, or an orphaned FIN-WAIT-2 one (Linux keeps
\* it as a time-wait socket); TCP timestamps tell the new connection's
\* segments from the old one's, as RFC 6191 describes.
\* NOTE: on Linux a connection still held by a descriptor also leaves a
\* time-wait socket, which is taken over; here the entry stays with its
\* descriptor and the connect fails.
TakesOver(s, o) ==
    /\ Profile = "LINUX" /\ sock[s].lport # 0
    /\ sock[o].st \in {"TIME-WAIT", "FIN-WAIT-2"} /\ ~Held(o) /\ sock[o].listener = NoSid

FourTupleTaken(s, lip, lport, rip, rport) ==
    \E o \in Sids \ {s} : SameFourTuple(o, s, lip, lport, rip, rport) /\ ~TakesOver(s, o)

\* The table without the TIME-WAIT entries that s takes over.
TakenOver(s, lip, lport, rip, rport) ==
    [o \in Sids |-> IF o # s /\ SameFourTuple(o, s, lip, lport, rip, rport) /\ TakesOver(s, o)
                    THEN FreeSocket ELSE sock[o]]

\* Where a call addressed to ip goes. The wildcard address as a destination
\* means this host: Linux sends to the socket's own address, or, for a socket
\* that has none, to 127.0.0.1, which is no host of the model (NoHost: the
\* call is outside the model); BSD sends to the host's first address, here
\* its one address (in_pcbconnect_setup). Probed on Linux 6.18.
Dest(p, x, ip) ==
    IF ip # ANY THEN ip
    ELSE IF ~Wildcard(x.lip) THEN x.lip
    ELSE IF Profile = "POSIX" THEN p[1]
    ELSE NoHost

\* A socket whose connect failed: its address stays (Linux keeps the peer's
\* address, inet_daddr, and tcp_disconnect zeroes only the port: a later
\* listen shows it in /proc/net/tcp), and tcp_disconnect clears the
\* shutdown flags.
Disconnected(x) ==
    [x EXCEPT !.err = "none", !.rip = IF Profile = "LINUX" THEN @ ELSE NoHost,
              !.rport = 0, !.rdshut = FALSE, !.wrshut = FALSE, !.fin = FALSE, !.connecting = FALSE,
              !.lip = IF x.pickedip THEN Wild(x) ELSE @, !.pickedip = FALSE]

(* ConnectReported: connect on a socket whose non-blocking connect is     *)
(* over reports how it ended: LINUX returns 0 once (inet_stream_connect   *)
(* finds SS_CONNECTING and an established socket), POSIX EISCONN; a      *)
(* handshake that failed gives its error, or ECONNABORTED when SO_ERROR   *)
(* took it already (probed on Linux 6.18).                                *)
ConnectReported(p, s) ==
    /\ IF sock[s].st = "CLOSED"
       THEN /\ Record(p, "connect", IF sock[s].err # "none" THEN sock[s].err ELSE "ECONNABORTED")
            /\ sock' = [sock EXCEPT ![s] = Disconnected(@)]
       ELSE /\ Record(p, "connect", IF Profile = "LINUX" THEN 0 ELSE "EISCONN")
            /\ sock' = [sock EXCEPT ![s].conn = TRUE, ![s].connecting = FALSE]
    /\ UNCHANGED <<files, fdt, alive, pending, net>>

(* Dissolve: connect with an AF_UNSPEC address. POSIX: a datagram      *)
(* socket forgets its peer; a stream socket takes no such address        *)
(* (EAFNOSUPPORT, as FreeBSD's tcp_usr_connect says). LINUX (probed on    *)
(* 6.18, scripts/probes/disconnect.py; __udp_disconnect, tcp_disconnect): *)
(* - UDP forgets its peer, and the address and port the stack gave it    *)
(*   (bindip, picked): only what bind named stays; datagrams queued stay, *)
(*   and any sender may send again.                                       *)
(* - TCP aborts whatever it was doing, as RFC 9293's ABORT: a connection  *)
(*   resets its peer (no RST in SYN-SENT, CLOSING, LAST-ACK), its error   *)
(*   is ECONNRESET (in SYN-SENT too), unread data go; a listener stops    *)
(*   and resets the connections of its queue. The socket is CLOSED, gives *)
(*   back a picked port (Forget) and an address bind did not name, and    *)
(*   may connect again.                                                   *)
(* NOTE: outside the model: a raw socket, which Linux takes out of its    *)
(* raw table (it receives nothing more); and listen afterwards on a TCP   *)
(* socket that had sent a SYN (see Listen).                               *)
Dissolve(p, s) ==
    LET x == sock[s]
        children == {c \in Sids : sock[c].proto = "tcp" /\ sock[c].listener = s}
        reset == x.st \in {"ESTABLISHED", "CLOSE-WAIT", "FIN-WAIT-1", "FIN-WAIT-2", "SYN-RECEIVED"}
        closed == [Disconnected(x) EXCEPT !.st = "CLOSED", !.conn = FALSE, !.disconnecting = FALSE, !.stream = "", !.acceptq = <<>>,
                                          \* An error still pending (a refused connect not yet reported) stays
                                          \* (tcp_disconnect leaves sk_err; found by sockcheck hunt --threads, seed 9).
                                          !.err = IF reset \/ x.st = "SYN-SENT" THEN "ECONNRESET" ELSE x.err,
                                          !.lip = IF x.bindip THEN x.lip ELSE Wild(x)]
    IN IF x.proto = "unix" THEN IF x.type = "DGRAM" THEN UnixDisconnect(p, s) ELSE Fail(p, "connect", OutsideUnix)
       ELSE IF x.proto = "raw" THEN Fail(p, "connect", OutsideRawUnspec)
       ELSE IF x.proto = "tcp" /\ Profile = "POSIX" THEN Fail(p, "connect", "EAFNOSUPPORT")
       ELSE IF x.proto = "udp" THEN
            /\ sock' = [sock EXCEPT ![s].rip = NoHost, ![s].rport = 0,
                                    \* Linux lists an INET6 socket with the peer it had, port 0 (udp6 shows
                                    \* sk_v6_daddr, which __udp_disconnect leaves; udp shows inet_daddr, cleared).
                                    ![s].lastrip = IF x.fam = "INET6" /\ Profile = "LINUX" /\ x.rip # NoHost THEN x.rip ELSE @,
                                    ![s].lip = IF ~x.bindip /\ Profile = "LINUX" THEN Wild(x) ELSE @,
                                    ![s].lport = IF x.picked /\ Profile = "LINUX" THEN 0 ELSE @,
                                    ![s].picked = x.picked /\ Profile = "POSIX"]
            /\ Record(p, "connect", 0)
            /\ UNCHANGED <<files, fdt, alive, pending, net>>
       \* A socket CLOSED already keeps its port: the port goes back on the way to CLOSED.
       ELSE /\ LET t == [c \in Sids |-> IF c = s THEN closed ELSE IF c \in children THEN FreeSocket ELSE sock[c]]
               IN sock' = IF x.st = "CLOSED" THEN t ELSE Forget(t, s)
            /\ net' = net \cup {OutT(sock, c, "RST", sock[c].sndnxt, sock[c].rcvnxt) : c \in children}
                           \cup (IF reset THEN {OutT(sock, s, "RST", x.sndnxt, x.rcvnxt)} ELSE {})
            /\ Record(p, "connect", 0)
            /\ UNCHANGED <<files, fdt, alive, pending>>

\* Linux binds an unbound UDP socket to an ephemeral port before it sends
\* (inet_sendmsg calls inet_send_prepare, which calls inet_autobind, before
\* udp_sendmsg): a send that then fails (no destination, shut for writing)
\* has still bound it; with no port free it fails with EAGAIN.
BindsFirst(x) == Profile = "LINUX" /\ x.proto = "udp" /\ x.lport = 0
BindsThenFails(p, s, op, errno) ==
    IF FreeEphemeral(s, Wild(sock[s])) = {} THEN Fail(p, op, "EAGAIN")
    ELSE \E e \in FreeEphemeral(s, Wild(sock[s])) :
         /\ sock' = [sock EXCEPT ![s].lport = e, ![s].bindreuse = sock[s].reuse, ![s].picked = TRUE]
         /\ Record(p, op, errno)
         /\ UNCHANGED <<files, fdt, alive, pending, net>>

(* Connect: TCP sends SYN and waits in SYN-SENT (RFC 9293 3.5); the call *)
(* returns later, in ConnectReturns. An unbound socket gets an ephemeral *)
(* port and the host's address (Dest: where the wildcard address goes).  *)
(* Each 4-tuple has one socket (S14). UDP   *)
(* and raw sockets only record the peer (S6). A socket may connect again *)
(* after an attempt failed; on Linux not once it was connected (conn).    *)
Connect(p, f, ip, port) ==
    /\ Ready(p)
    /\ IF ~Open(p, f) THEN Fail(p, "connect", "EBADF")
       ELSE LET s == SockOf(p, f)
                x == sock[s]
                dst == Dest(p, x, Unmapped(ip))
                lip == Source(p[1], dst)
                \* The port it connects from: any free one for an unbound socket.
                lports == IF x.lport # 0 \/ x.proto = "raw" THEN {x.lport} ELSE FreeEphemeral(s, lip)
                \* The connect proper, once the checks before it passed.
                Connects(lport) ==
                    IF x.proto = "tcp" /\ FourTupleTaken(s, lip, lport, dst, port) THEN
                         \* Linux has set the peer's address before it finds the 4-tuple taken and
                         \* keeps it (tcp_v4_connect zeroes only the port): a later listen shows it.
                         /\ Record(p, "connect", "EADDRNOTAVAIL")
                         /\ sock' = IF Profile = "LINUX" THEN [sock EXCEPT ![s].rip = dst, ![s].rport = 0] ELSE sock
                         /\ UNCHANGED <<files, fdt, alive, pending, net>>
                    ELSE IF x.proto = "tcp" THEN
                         /\ sock' = [TakenOver(s, lip, lport, dst, port) EXCEPT ![s].lip = lip, ![s].lport = lport, ![s].rip = dst, ![s].rport = port,
                                                 ![s].connecting = x.nonblock,
                                                 ![s].picked = IF x.lport = 0 THEN TRUE ELSE x.picked, ![s].pickedip = Wildcard(x.lip),
                                                 ![s].bindreuse = IF x.lport = 0 THEN x.reuse ELSE x.bindreuse,
                                                 ![s].st = "SYN-SENT", ![s].snduna = 0, ![s].sndnxt = 1, ![s].synsent = TRUE,
                                                 ![s].rcvnxt = 0, ![s].err = "none", ![s].finseq = 0,
                                                 \* POSIX: a socket connects afresh. Linux keeps the shutdown flags
                                                 \* a failed shutdown set: sends fail (EPIPE), reads give end of file.
                                                 ![s].wrshut = Profile = "LINUX" /\ @, ![s].rdshut = Profile = "LINUX" /\ @,
                                                 ![s].fin = FALSE,
                                                 ![s].stream = "", ![s].got = 0, ![s].gap = FALSE]
                         /\ net' = net \cup {Seg("tcp", "SYN", <<lip, lport>>, <<dst, port>>, 0, 0, "none")}
                         \* A non-blocking socket does not wait: EINPROGRESS, and the next
                         \* connect (or SO_ERROR) tells how the handshake ended.
                         /\ IF x.nonblock
                            THEN /\ Record(p, "connect", "EINPROGRESS")
                                 /\ UNCHANGED <<files, fdt, alive, pending>>
                            ELSE /\ pending' = [pending EXCEPT ![p] = Waiting("connect", f, 0)]
                                 /\ Record(p, "connect", "pending")
                                 /\ UNCHANGED <<files, fdt, alive>>
                    \* A raw socket keeps its address on POSIX (BSD's rip_connect sets only the
                    \* peer); Linux gives it the source address it routes from, as a UDP socket
                    \* (__ip4_datagram_connect sets inet_rcv_saddr when unset; probed on 6.18).
                    \* A raw socket with an address keeps it (a raw INET6 socket on its IPv6
                    \* address that connects to IPv4 is outside the model: Mixed6).
                    ELSE /\ sock' = [sock EXCEPT ![s].lip = IF x.proto = "raw" /\ (Profile = "POSIX" \/ ~Wildcard(x.lip)) THEN x.lip ELSE lip,
                                                 ![s].bindreuse = IF x.lport = 0 THEN x.reuse ELSE x.bindreuse,
                                                 ![s].picked = IF x.lport = 0 /\ x.proto = "udp" THEN TRUE ELSE x.picked,
                                                 ![s].lport = IF x.proto = "raw" THEN 0 ELSE lport,
                                                 \* Linux keeps the port a raw socket connected to (ip4_datagram_connect
                                                 \* sets inet_dport) and getpeername shows it; it means nothing to delivery.
                                                 ![s].rip = dst, ![s].rport = IF x.proto = "raw" /\ Profile = "POSIX" THEN 0 ELSE port]
                         /\ Record(p, "connect", 0)
                         /\ UNCHANGED <<files, fdt, alive, pending, net>>
                \* What a connect to a host does, once the socket may connect.
                Proceeds ==
                    \* An address of the other family (UDP has bound first: inet_dgram_connect's
                    \* autobind; probed).
                    IF FamilyErrno("connect", x, ip) # "none" THEN
                         IF BindsFirst(x) THEN BindsThenFails(p, s, "connect", FamilyErrno("connect", x, ip))
                         ELSE Fail(p, "connect", FamilyErrno("connect", x, ip))
                    ELSE IF Mixed6(x, ip) THEN Fail(p, "connect", OutsideMixed)
                    ELSE IF dst = NoHost THEN Fail(p, "connect", OutsideDest)
                    ELSE IF lports = {} THEN Fail(p, "connect", "EAGAIN")
                    \* Port 0 names no socket: Linux sends the SYN all the same (no listener
                    \* answers, so it is refused) and lets UDP connect (see GetPeerName,
                    \* UdpCandidates); BSD refuses it at once (in_pcbconnect_setup).
                    ELSE IF port = 0 /\ x.proto # "raw" /\ Profile = "POSIX" THEN Fail(p, "connect", "EADDRNOTAVAIL") \/ \E lport \in lports : Connects(lport)
                    ELSE \E lport \in lports : Connects(lport)
            IN
       IF ip = UNSPEC THEN Dissolve(p, s)
       ELSE IF x.proto = "unix" THEN
            IF ~IsPath(ip) THEN Fail(p, "connect", OutsideFamily)
            ELSE IF x.type = "DGRAM" THEN UnixDgramConnect(p, s, ip) ELSE UnixConnect(p, s, ip)
       ELSE IF IsPath(ip) THEN Fail(p, "connect", OutsideFamily)
       ELSE IF x.proto = "tcp" /\ x.disconnecting THEN Fail(p, "connect", "EINVAL")
       ELSE IF x.proto = "tcp" /\ x.st \in {"SYN-SENT", "SYN-RECEIVED"} /\ (x.connecting \/ x.st = "SYN-SENT") THEN Fail(p, "connect", "EALREADY")
       \* The end of a non-blocking connect, reported to the next connect.
       ELSE IF x.proto = "tcp" /\ x.connecting THEN ConnectReported(p, s)
       ELSE IF x.proto = "tcp" /\ (x.st # "CLOSED" \/ (Profile = "LINUX" /\ x.conn)) THEN Fail(p, "connect", "EISCONN")
       \* A socket that listened and stopped (shutdown, connect(AF_UNSPEC)): Linux
       \* releases differ; 6.18.44 refuses it EINVAL and changes nothing (probed,
       \* scripts/probes/disconnect.py), earlier 6.18 releases connected it.
       \* The EINVAL comes after tcp_v4_connect set the peer's address, which stays
       \* (only the port is cleared): a later listen shows it (found by generated walks).
       ELSE IF x.proto = "tcp" /\ x.listened /\ Profile = "LINUX" /\ FamilyErrno("connect", x, ip) = "none" /\ ~Mixed6(x, ip) THEN
            \/ /\ Record(p, "connect", "EINVAL")
               /\ sock' = [sock EXCEPT ![s].rip = IF dst = NoHost THEN @ ELSE dst, ![s].rport = 0]
               /\ UNCHANGED <<files, fdt, alive, pending, net>>
            \/ Proceeds
       ELSE Proceeds

(* ConnectReturns: the waiting connect returns 0 once the connection is  *)
(* established, or the error that ended the handshake.                   *)
ConnectReturns(p) ==
    /\ alive[ProcOf(p)] /\ pending[p].op = "connect"
    /\ LET f == pending[p].fd
           s == fdt[ProcOf(p)][f]
       IN \/ /\ s = NoSid
             /\ Record(p, "connect", "EBADF")
             /\ UNCHANGED sock
          \/ /\ s # NoSid /\ sock[s].st \in Synchronized
             /\ Record(p, "connect", 0)
             /\ sock' = [sock EXCEPT ![s].conn = TRUE]
          \/ /\ s # NoSid /\ sock[s].st = "CLOSED"
             \* With no error, the connection ended by itself (Linux: a connection to
             \* itself that a shutdown flag closed at once): ECONNABORTED.
             /\ Record(p, "connect", IF sock[s].err # "none" THEN sock[s].err ELSE "ECONNABORTED")
             /\ sock' = [sock EXCEPT ![s] = Disconnected(@)]
    /\ pending' = [pending EXCEPT ![p] = NoCall]
    /\ UNCHANGED <<files, fdt, alive, net>>

TakeConnection(p, l, nb) ==
    LET c == Head(sock[l].acceptq)
        f == LowestFree(p)
    IN /\ sock' = [sock EXCEPT ![l].acceptq = Tail(@), ![c].listener = NoSid, ![c].conn = TRUE, ![c].nonblock = nb]
       /\ fdt' = [fdt EXCEPT ![ProcOf(p)][f] = c]
       /\ Record(p, "accept", [fd |-> f, peer |-> IF sock[c].proto = "unix" THEN UnixName(sock[c].rpath)
                                                ELSE <<Shown(sock[c], sock[c].rip), sock[c].rport>>])

(* Accept: hands out the oldest established connection of a listener as *)
(* a new socket with its own descriptor (S10, S11), or waits for one.    *)
(* nb: accept4's SOCK_NONBLOCK, O_NONBLOCK on the new socket (it takes   *)
(* none from the listener: accept(2) on Linux).                          *)
Accept(p, f, nb) ==
    /\ Ready(p)
    /\ IF ~Open(p, f) THEN Fail(p, "accept", "EBADF")
       ELSE LET l == SockOf(p, f) IN
       IF sock[l].proto \notin {"tcp", "unix"} \/ sock[l].type = "DGRAM" THEN Fail(p, "accept", "EOPNOTSUPP")
       ELSE IF sock[l].st # "LISTEN" THEN Fail(p, "accept", "EINVAL")
       \* A Unix listener shut for reading hands out what is queued, then says EINVAL (unix_accept).
       ELSE IF sock[l].proto = "unix" /\ sock[l].rdshut /\ sock[l].acceptq = <<>> THEN Fail(p, "accept", "EINVAL")
       ELSE IF sock[l].acceptq = <<>> /\ sock[l].nonblock THEN Fail(p, "accept", "EAGAIN")
       ELSE IF sock[l].acceptq = <<>> THEN
            /\ pending' = [pending EXCEPT ![p] = WaitingAccept(f, nb)]
            /\ Record(p, "accept", "pending")
            /\ UNCHANGED <<files, sock, fdt, alive, net>>
       ELSE IF FreeFds(p) = {} THEN Fail(p, "accept", "EMFILE")
       ELSE TakeConnection(p, l, nb) /\ UNCHANGED <<files, alive, pending, net>>

(* AcceptReturns: a waiting accept returns when a connection is queued.  *)
AcceptReturns(p) ==
    /\ alive[ProcOf(p)] /\ pending[p].op = "accept"
    /\ LET l == fdt[ProcOf(p)][pending[p].fd] IN
       \/ /\ l # NoSid /\ sock[l].st = "LISTEN" /\ sock[l].acceptq # <<>> /\ FreeFds(p) # {}
          /\ TakeConnection(p, l, pending[p].nb)
       \* (an IF: TLC would take each side of a disjunction as a step of its own)
       \* The listener stopped (shutdown SHUT_RD, connect(AF_UNSPEC)): EINVAL. A close of the
       \* descriptor by another thread is outside the model (Close), so l is NoSid only after
       \* the process's exit, which ends the call first.
       \/ /\ IF l = NoSid THEN TRUE
             ELSE sock[l].st # "LISTEN" \/ (sock[l].proto = "unix" /\ sock[l].rdshut /\ sock[l].acceptq = <<>>)
          /\ Record(p, "accept", "EINVAL") /\ UNCHANGED <<files, sock, fdt>>
    /\ pending' = [pending EXCEPT ![p] = NoCall]
    /\ UNCHANGED <<files, alive, net>>

\* A datagram that one IPv4 packet cannot carry: 65,535 bytes less the IP
\* header (20) and, for UDP, its own (8). EMSGSIZE (probed on Linux 6.18:
\* 65,507 bytes go, 65,508 do not; gVisor's PayloadTooBig asserts it).
\* To an IPv6 address the IP header is not counted: 65,527 bytes go, 65,528
\* do not (probed on Linux 6.18; to a v4-mapped address IPv4's limit).
TooBig(x, d, dst) == Len(d) > 65535 - (IF dst \in Hosts6 THEN 0 ELSE 20) - (IF x.proto = "udp" THEN 8 ELSE 0)

(* Send: appends a segment to the byte stream (S10, S18), or sends one   *)
(* datagram to the connected peer. A stream that cannot send says EPIPE;  *)
(* POSIX says ENOTCONN for one that never connected.                      *)
Send(p, f, d) ==
    /\ Ready(p)
    /\ IF ~Open(p, f) THEN Fail(p, "send", "EBADF")
       ELSE LET s == SockOf(p, f)
                x == sock[s]
            IN
       IF x.proto = "unix" THEN UnixSend(p, "send", s, d)
       ELSE IF x.err # "none" THEN Record(p, "send", x.err) /\ sock' = [sock EXCEPT ![s].err = "none"]
                              /\ UNCHANGED <<files, fdt, alive, pending, net>>
       ELSE IF x.proto = "tcp" THEN
            IF x.wrshut \/ x.st \notin {"ESTABLISHED", "CLOSE-WAIT"}
            THEN Fail(p, "send", IF Profile = "POSIX" /\ x.st \notin Synchronized /\ ~x.wrshut
                                 THEN "ENOTCONN" ELSE "EPIPE")
            ELSE /\ sock' = [sock EXCEPT ![s].sndnxt = @ + 1]
                 /\ net' = net \cup {Seg("tcp", "DATA", <<x.lip, x.lport>>, <<x.rip, x.rport>>, x.sndnxt, x.rcvnxt, d)}
                 /\ Record(p, "send", Len(d))
                 /\ UNCHANGED <<files, fdt, alive, pending>>
       ELSE IF x.rip = NoHost /\ BindsFirst(x) THEN BindsThenFails(p, s, "send", "EDESTADDRREQ")
       ELSE IF x.rip = NoHost THEN Fail(p, "send", "EDESTADDRREQ")
       \* A datagram socket shut for writing sends no more (found by generated traces on Linux).
       \* A Linux raw socket does not look at its shutdown flags when it sends (probed).
       ELSE IF x.wrshut /\ ~(Profile = "LINUX" /\ x.proto = "raw") THEN Fail(p, "send", "EPIPE")
       \* A raw INET6 socket connected to a v4-mapped address sends nothing (rawv6_sendmsg; probed).
       ELSE IF x.proto = "raw" /\ x.fam = "INET6" /\ x.rip \in Hosts THEN Fail(p, "send", "ENETUNREACH")
       ELSE IF TooBig(x, d, x.rip) THEN Fail(p, "send", "EMSGSIZE")
       ELSE /\ net' = net \cup {Seg(x.proto, IF x.proto = "raw" THEN "IP" ELSE "DGRAM",
                                    <<Source(p[1], x.rip), x.lport>>, <<x.rip, IF x.proto = "raw" THEN 0 ELSE x.rport>>, x.protocol, 0, d)}
            /\ Record(p, "send", Len(d))
            /\ UNCHANGED <<files, sock, fdt, alive, pending>>


(* SendMsg: sendmsg of d with the descriptors fs (a sequence) passed by   *)
(* SCM_RIGHTS (S20): the message carries the sockets they stand for, and  *)
(* each lives while it is in flight, whatever becomes of the sender's     *)
(* descriptors (InFlight). Without descriptors it is a send. A datagram   *)
(* socket checks the descriptors first (scm_send in unix_dgram_sendmsg:   *)
(* EBADF before ENOTCONN); a seqpacket socket must be connected before    *)
(* that (unix_seqpacket_sendmsg); then the rules of UnixSend. Probed on   *)
(* Linux 6.18. A stream's bytes carry them (marks; UnixTake in Unix.tla);  *)
(* bytes sent with none (a sendmsg of no bytes) pass nothing. NOTE:       *)
(* passing descriptors on an INET socket is outside the model (Linux      *)
(* ignores them on UDP), and so is passing an INET                        *)
(* socket: TCP's rules for a socket no descriptor holds (Held) do not     *)
(* count the messages that carry one. cr: the sendmsg passes its          *)
(* process's own credentials with SCM_CREDENTIALS (CredOf in Unix.tla);   *)
(* an INET socket ignores them (probed on Linux 6.18 with UDP).           *)
SendMsg(p, f, d, fs, cr) ==
    /\ Ready(p)
    /\ UNCHANGED files
    /\ IF ~Open(p, f) THEN Fail(p, "sendmsg", "EBADF")
       ELSE LET s == SockOf(p, f)
                x == sock[s]
            IN
       \* (The result records the call as a send: only the call's result is read of it.)
       IF fs = <<>> /\ (~cr \/ x.proto # "unix") THEN Send(p, f, d)
       ELSE IF x.proto # "unix" THEN Fail(p, "sendmsg", OutsideRights)
       ELSE IF x.type = "SEQPACKET" /\ x.st # "CONNECTED" THEN Fail(p, "sendmsg", "ENOTCONN")
       ELSE IF \E i \in DOMAIN fs : ~Open(p, fs[i]) THEN Fail(p, "sendmsg", "EBADF")
       ELSE IF \E i \in DOMAIN fs : sock[SockOf(p, fs[i])].proto # "unix" THEN Fail(p, "sendmsg", OutsideRights)
       ELSE UnixSendRights(p, "sendmsg", s, d, [i \in DOMAIN fs |-> SockOf(p, fs[i])], cr)

(* SendTo: a datagram carries its destination (S13). A socket that only *)
(* sends needs no address: an unbound one gets an ephemeral port (S19).  *)
SendTo(p, f, d, ip, port) ==
    /\ Ready(p)
    /\ IF ~Open(p, f) THEN Fail(p, "sendto", "EBADF")
       ELSE LET s == SockOf(p, f)
                x == sock[s]
                dst == Dest(p, x, Unmapped(ip))
            IN
       IF x.proto = "unix" THEN IF IsPath(ip) THEN UnixSendTo(p, s, d, ip) ELSE Fail(p, "sendto", OutsideFamily)
       ELSE IF IsPath(ip) THEN Fail(p, "sendto", OutsideFamily)
       \* Linux ignores the address of a sendto on a stream socket: it is a send.
       ELSE IF x.proto = "tcp" /\ Profile = "LINUX" THEN Send(p, f, d)
       ELSE IF x.proto = "tcp" THEN Fail(p, "sendto", IF x.st \in {"ESTABLISHED", "CLOSE-WAIT"} THEN "EISCONN" ELSE "EPIPE")
       \* A raw INET6 socket reads the destination's port as the protocol: 0 or its
       \* own, else EINVAL (rawv6_sendmsg, before it looks at the address; probed).
       \* NOTE: a port a trace names is a label, which a runner maps to a port of its
       \* own (20000 and up), or one a stack picked; never a protocol number (at most
       \* ProtocolMax), so every port but 0 is EINVAL here.
       ELSE IF x.proto = "raw" /\ x.fam = "INET6" /\ port # 0 THEN Fail(p, "sendto", "EINVAL")
       \* An address of the other family (having bound first: inet_send_prepare).
       ELSE IF FamilyErrno("sendto", x, ip) # "none" THEN
            IF BindsFirst(x) THEN BindsThenFails(p, s, "sendto", FamilyErrno("sendto", x, ip))
            ELSE Fail(p, "sendto", FamilyErrno("sendto", x, ip))
       ELSE IF Mixed6(x, ip) THEN Fail(p, "sendto", OutsideMixed)
       \* A datagram to port 0: Linux's udp_sendmsg refuses it (EINVAL) before it
       \* looks at anything else, having bound the socket; BSD says EADDRNOTAVAIL.
       ELSE IF x.proto = "udp" /\ port = 0 THEN
            IF BindsFirst(x) THEN BindsThenFails(p, s, "sendto", "EINVAL")
            ELSE \E e \in IF Profile = "LINUX" THEN {"EINVAL"} ELSE {"EINVAL", "EADDRNOTAVAIL"} : Fail(p, "sendto", e)
       ELSE IF dst = NoHost THEN Fail(p, "sendto", OutsideDest)
       ELSE IF x.err # "none" THEN Record(p, "sendto", x.err) /\ sock' = [sock EXCEPT ![s].err = "none"]
                                   /\ UNCHANGED <<files, fdt, alive, pending, net>>
       ELSE IF x.wrshut /\ ~(Profile = "LINUX" /\ x.proto = "raw") THEN
            IF BindsFirst(x) THEN BindsThenFails(p, s, "sendto", "EPIPE") ELSE Fail(p, "sendto", "EPIPE")
       ELSE IF x.proto = "udp" /\ x.lport = 0 /\ FreeEphemeral(s, Wild(x)) = {} THEN Fail(p, "sendto", "EAGAIN")
       ELSE IF TooBig(x, d, dst) THEN IF BindsFirst(x) THEN BindsThenFails(p, s, "sendto", "EMSGSIZE") ELSE Fail(p, "sendto", "EMSGSIZE")
       ELSE \E lport \in IF x.proto = "raw" THEN {0} ELSE IF x.lport = 0 THEN FreeEphemeral(s, Wild(x)) ELSE {x.lport} :
               /\ sock' = [sock EXCEPT ![s].lport = lport, ![s].picked = IF x.lport = 0 /\ x.proto = "udp" THEN TRUE ELSE x.picked,
                                       ![s].bindreuse = IF x.lport = 0 THEN x.reuse ELSE x.bindreuse]
               /\ net' = net \cup {Seg(x.proto, IF x.proto = "raw" THEN "IP" ELSE "DGRAM",
                                       <<Source(p[1], dst), lport>>, <<dst, IF x.proto = "raw" THEN 0 ELSE port>>, x.protocol, 0, d)}
               /\ Record(p, "sendto", Len(d))
               /\ UNCHANGED <<files, fdt, alive, pending>>

\* What a recv of at most n bytes can give right now, or "wait". Data are
\* a record (a datagram's with its sender), so that no bytes are taken for
\* an errno; end of file is zero bytes. bytes: how many bytes of the stream
\* it takes; dgram: whether it takes the first datagram.
RecvStream(x, k) == [kind |-> "data", ret |-> [data |-> SubSeq(x.stream, 1, k)], bytes |-> k, dgram |-> FALSE, clear |-> FALSE]
RecvDatagram(x, n) ==
    LET d == Head(x.datagrams) IN
    [kind |-> "data", ret |-> [data |-> SubSeq(d.data, 1, Min({n, Len(d.data)})), from |-> <<Shown(x, d.from[1]), d.from[2]>>],
     bytes |-> 0, dgram |-> TRUE, clear |-> FALSE]
RecvEof == [kind |-> "eof", ret |-> [data |-> ""], bytes |-> 0, dgram |-> FALSE, clear |-> FALSE]
RecvErr(x) == [kind |-> "err", ret |-> x.err, bytes |-> 0, dgram |-> FALSE, clear |-> TRUE]
RecvNotConn == [kind |-> "err", ret |-> "ENOTCONN", bytes |-> 0, dgram |-> FALSE, clear |-> FALSE]
RecvInval == [kind |-> "err", ret |-> "EINVAL", bytes |-> 0, dgram |-> FALSE, clear |-> FALSE]
RecvWait == [kind |-> "wait", ret |-> "wait", bytes |-> 0, dgram |-> FALSE, clear |-> FALSE]

(* How many bytes a recv of at most n takes from a stream (S10): a byte   *)
(* stream keeps no boundaries, so the bytes of several sends may come in  *)
(* one read and the bytes of one send in several. POSIX lets a read give  *)
(* fewer bytes than are there; Linux (tcp_recvmsg) copies what is queued, *)
(* up to n.                                                               *)
ReadSizes(x, n) ==
    IF Profile = "LINUX" THEN {Min({n, Len(x.stream)})} ELSE 1..Min({n, Len(x.stream)})

\* What recv of at most n bytes gives: the possible results. A datagram is
\* read whole, or cut to n bytes (the rest of it is lost). A Linux stream
\* (tcp_recvmsg) gives the data queued first, then end of file once the
\* peer's FIN came (an error stays for send), then the error, then end of
\* file after a shutdown or a reset. A Linux datagram socket
\* (__skb_recv_datagram) gives its error, its datagrams, then, once shut
\* for reading, zero bytes, but only to a call that may wait: a
\* non-blocking one (O_NONBLOCK, MSG_DONTWAIT) finds the queue empty first
\* and says EAGAIN (probed on Linux 6.18; gVisor's udp_socket.cc
\* ReadShutdown tests assert the same). mayWait: the call may wait.
RecvResultsWaiting(s, n, mayWait) ==
    LET x == sock[s]
        stream == x.proto = "tcp"
        queued == IF stream \/ x.type = "STREAM" THEN x.stream # "" ELSE x.datagrams # <<>>
        data == IF stream THEN {RecvStream(x, k) : k \in ReadSizes(x, n)} ELSE {RecvDatagram(x, n)}
    IN
    \* Unix sockets, both profiles (Unix.tla).
    IF x.proto = "unix" /\ x.type = "STREAM" THEN
        CASE x.st # "CONNECTED" -> {RecvInval}
          [] queued -> {UnixRecvStream(x, UnixTake(x, n))}
          [] x.err # "none" -> {RecvErr(x)}
          [] x.rdshut -> {RecvEof}
          [] OTHER -> {RecvWait}
    ELSE IF x.proto = "unix" /\ x.type = "SEQPACKET" THEN
        CASE x.st # "CONNECTED" -> {RecvNotConn}
          [] x.err # "none" -> {RecvErr(x)}
          [] queued -> data
          [] x.rdshut -> {RecvEof}
          [] OTHER -> {RecvWait}
    ELSE IF Profile = "LINUX" /\ stream THEN
        \* tcp_recvmsg answers a listener ENOTCONN before it looks at anything else.
        CASE x.st = "LISTEN" -> {RecvNotConn}
          [] queued -> data
          [] x.fin -> {RecvEof}
          [] x.err # "none" -> {RecvErr(x)}
          [] x.rdshut -> {RecvEof}
          [] x.st \notin Synchronized -> {RecvNotConn}
          [] OTHER -> {RecvWait}
    \* A Unix datagram socket takes Linux's rules under both profiles (Unix.tla).
    ELSE IF Profile = "LINUX" \/ x.proto = "unix" THEN
        CASE x.err # "none" -> {RecvErr(x)}
          [] queued -> data
          [] x.rdshut /\ mayWait -> {RecvEof}
          [] OTHER -> {RecvWait}
    ELSE
    CASE x.err # "none" -> {RecvErr(x)}
      [] queued /\ ~x.rdshut -> data
      [] stream /\ (x.fin \/ x.rdshut) -> {RecvEof}
      [] stream /\ x.st \notin Synchronized -> {RecvNotConn}
      [] OTHER -> {RecvWait}

RecvResults(s, n) == RecvResultsWaiting(s, n, TRUE)
CanRecv(s, n) == RecvResults(s, n) # {RecvWait}

\* wa: MSG_WAITALL. A stream recv that may wait does so until it has all
\* n bytes, or reading ends (the peer's FIN, SHUT_RD, an error): then it
\* gives what is there (tcp_recvmsg's target is the whole length). A
\* datagram socket reads whole datagrams and takes no notice of it.
CanRecvAll(s, n, wa, peek) ==
    /\ CanRecv(s, n)
    /\ wa /\ sock[s].proto = "tcp" =>
          Len(sock[s].stream) >= n \/ sock[s].fin \/ sock[s].rdshut \/ sock[s].err # "none"
          \/ sock[s].st \notin Synchronized
    \* A Unix stream's MSG_WAITALL (unix_stream_read_generic): with MSG_PEEK it returns what is
    \* queued at once; without, it waits for all n bytes, or an error (which it takes, giving the
    \* bytes it has: RecvNow), or the end of reading (probed on Linux 6.18).
    /\ wa /\ sock[s].proto = "unix" /\ sock[s].type = "STREAM" /\ ~peek =>
          Len(sock[s].stream) >= n \/ sock[s].rdshut \/ sock[s].err # "none" \/ sock[s].st # "CONNECTED"
          \/ RightsMarks(sock[s]) # {} \/ CredEnds(sock[s]) # {}

\* What a recv with MSG_TRUNC (tr) gives for a result r of RecvResults: a
\* stream's recv takes its bytes but copies none, and gives how many it
\* took (end of file: 0); a datagram's gives the bytes that fit and the
\* datagram's whole length, len, and its end of file zero bytes as without
\* the flag (Linux's tcp_recvmsg and udp_recvmsg; gVisor's MsgTrunc tests
\* assert the same; the end of file found by generated walks). POSIX has MSG_TRUNC only as a
\* flag recvmsg reports; the spec gives it Linux's meaning under both
\* profiles. An error is an error all the same.
TruncRet(x, r) ==
    CASE r.kind = "data" /\ r.dgram -> [data |-> r.ret.data, from |-> r.ret.from, len |-> Len(Head(x.datagrams).data)]
      [] r.kind = "data" -> r.bytes
      [] r.kind = "eof" /\ x.proto = "tcp" -> 0
      [] OTHER -> r.ret

\* peek: MSG_PEEK, which reads without taking: the bytes and the datagram
\* stay for the next recv. An error is reported and cleared all the same
\* (Linux's sock_error in tcp_recvmsg and __skb_recv_datagram).
\* wa: MSG_WAITALL on a call that may wait: a Unix stream's that gives fewer
\* bytes than asked for has met an error, and took it.
\* recvmsg (op) gives the data and the descriptors of the sockets the
\* message carried (SCM_RIGHTS): each the lowest free descriptor of the
\* process, in order, as scm_detach_fds installs them; with MSG_PEEK the
\* message stays and carries them still. Another recv of such a message
\* drops what it carried (without MSG_PEEK): a socket that no descriptor
\* and no other message then holds would close, which is outside the
\* model, as is a recvmsg without enough free descriptors (Linux gives
\* what fits and says MSG_CTRUNC). Probed on Linux 6.18. On a Unix socket
\* with SO_PASSCRED recvmsg also gives the credentials (UnixCreds).
RecvNow(p, s, op, n, peek, tr, wa) ==
    \E r \in RecvResults(s, n) :
        LET taken == [sock EXCEPT ![s].stream = IF peek THEN @ ELSE SubSeq(@, r.bytes + 1, Len(@)),
                                  ![s].marks = IF peek THEN @ ELSE UnixMarksAfter(sock[s], r.bytes),
                                  ![s].datagrams = IF r.dgram /\ ~peek THEN Tail(@) ELSE @,
                                  ![s].err = IF r.clear \/ (wa /\ ~peek /\ sock[s].proto = "unix" /\ r.kind = "data"
                                                          /\ ~r.dgram /\ r.bytes < n)
                                             THEN "none" ELSE @]
            carried == IF r.dgram /\ sock[s].proto = "unix" THEN Head(sock[s].datagrams).rights
                       ELSE IF r.kind = "data" /\ UnixGets(sock[s], r.bytes) THEN UnixRights(sock[s]) ELSE <<>>
            fresh == IF op = "recvmsg" /\ Len(carried) <= Cardinality(FreeFds(p)) THEN LowestK(FreeFds(p), Len(carried)) ELSE <<>>
            \* A socket the message carried that nothing would hold once this recv dropped it.
            lost == {c \in Range(carried) : ~Held(c) /\ \A o \in Sids : c \notin Carried(taken, o)}
        IN
        IF (op = "recvmsg" /\ Len(fresh) < Len(carried)) \/ (op # "recvmsg" /\ ~peek /\ lost # {}) THEN
             /\ Record(p, op, OutsideRights)
             /\ UNCHANGED <<sock, fdt>>
        ELSE
        /\ sock' = taken
        /\ fdt' = IF fresh = <<>> THEN fdt
                  ELSE [fdt EXCEPT ![ProcOf(p)] = [g \in Fds |-> IF g \in Range(fresh)
                                                                 THEN carried[CHOOSE j \in DOMAIN fresh : fresh[j] = g]
                                                                 ELSE @[g]]]
        /\ Record(p, op, IF op = "recvmsg" /\ r.kind \in {"data", "eof"}
                         THEN [data |-> r.ret.data, rights |-> fresh,
                               creds |-> IF sock[s].proto = "unix" THEN UnixCreds(sock[s], r) ELSE <<>>]
                         ELSE IF tr THEN TruncRet(sock[s], r) ELSE r.ret)

(* Recv and RecvFrom of at most n bytes: bytes of the stream, or one      *)
(* datagram with its sender (S13); end of file after the peer's FIN;      *)
(* ENOTCONN on a stream that is not connected; otherwise the call waits.  *)
(* Flags: peek (MSG_PEEK) leaves what it reads; dw (MSG_DONTWAIT) makes   *)
(* this one call non-blocking: EAGAIN instead of waiting; wa              *)
(* (MSG_WAITALL) waits for all n bytes (CanRecvAll), unless the call      *)
(* cannot wait; tr (MSG_TRUNC) says how long the data were (TruncRet).  *)
Recv(p, f, op, n, peek, dw, wa, tr) ==
    /\ Ready(p)
    /\ IF ~Open(p, f) THEN Fail(p, op, "EBADF")
       ELSE LET s == SockOf(p, f) IN
       IF tr /\ sock[s].proto = "unix" /\ sock[s].type = "STREAM" THEN Fail(p, op, OutsideUnix)
       ELSE IF op = "recvmsg" /\ (tr \/ wa) THEN Fail(p, op, OutsideRights)
       ELSE IF (sock[s].nonblock \/ dw) /\ RecvResultsWaiting(s, n, FALSE) = {RecvWait} THEN Fail(p, op, "EAGAIN")
       ELSE IF ~CanRecvAll(s, n, wa /\ ~(sock[s].nonblock \/ dw), peek)
       THEN /\ pending' = [pending EXCEPT ![p] = WaitingRecv(op, f, n, peek, wa, tr)]
            /\ Record(p, op, "pending")
            /\ UNCHANGED <<files, sock, fdt, alive, net>>
       ELSE RecvNow(p, s, op, n, peek, tr, wa /\ ~(sock[s].nonblock \/ dw)) /\ UNCHANGED <<files, alive, pending, net>>

(* RecvReturns: a waiting recv returns once there is something to give.  *)
RecvReturns(p) ==
    /\ alive[ProcOf(p)] /\ pending[p].op \in {"recv", "recvfrom", "recvmsg"}
    /\ LET s == fdt[ProcOf(p)][pending[p].fd]
           n == pending[p].n
       IN
       \/ s = NoSid /\ Record(p, pending[p].op, "EBADF") /\ UNCHANGED <<sock, fdt>>
       \/ s # NoSid /\ CanRecvAll(s, n, pending[p].wa, pending[p].peek)
          /\ RecvNow(p, s, pending[p].op, n, pending[p].peek, pending[p].tr, pending[p].wa)
    /\ pending' = [pending EXCEPT ![p] = NoCall]
    /\ UNCHANGED <<files, alive, net>>

(* Shutdown: SHUT_WR sends FIN (RFC 9293 3.6) and ends sending; SHUT_RD  *)
(* ends reading. Only a connected socket can be shut down (ENOTCONN).    *)
(* LINUX (inet_shutdown; probed on Linux 6.18): a listener answers 0;   *)
(* SHUT_RD stops it, as its close would (the connections nobody accepted *)
(* are reset) but the socket stays, CLOSED, and may listen again. A      *)
(* datagram socket that is not connected, or a stream socket in CLOSED,  *)
(* answers ENOTCONN yet is shut down all the same (a recv then gives end *)
(* of file). NOTE: Linux keeps those flags through a later connect, so   *)
(* sends on the connection fail with EPIPE; the spec's connect starts    *)
(* afresh, since its wrshut of a connection means its FIN went out.      *)
Shutdown(p, f, how) ==
    /\ Ready(p)
    /\ IF ~Open(p, f) THEN Fail(p, "shutdown", "EBADF")
       ELSE LET s == SockOf(p, f)
                x == sock[s]
                connected == IF x.proto = "tcp" THEN x.st \in Synchronized ELSE x.rip # NoHost
                fin == how \in {"WR", "RDWR"} /\ x.proto = "tcp" /\ x.st \in {"ESTABLISHED", "CLOSE-WAIT"}
            IN
       IF x.proto = "unix" THEN UnixShutdown(p, s, how)
       ELSE IF Profile = "LINUX" /\ x.proto = "tcp" /\ x.st = "LISTEN" THEN
          IF how = "WR" THEN Record(p, "shutdown", 0) /\ UNCHANGED <<files, sock, fdt, alive, pending, net>>
          ELSE LET children == {c \in Sids : sock[c].proto = "tcp" /\ sock[c].listener = s}
               IN /\ sock' = Forget([c \in Sids |-> IF c \in children THEN FreeSocket
                                                   ELSE IF c = s THEN [x EXCEPT !.st = "CLOSED", !.acceptq = <<>>,
                                                                         !.rdshut = FALSE, !.wrshut = FALSE]
                                                   ELSE sock[c]], s)
                  /\ net' = net \cup {OutT(sock, c, "RST", sock[c].sndnxt, sock[c].rcvnxt) : c \in children}
                  /\ Record(p, "shutdown", 0)
                  /\ UNCHANGED <<files, fdt, alive, pending>>
       \* LINUX (inet_shutdown calls tcp_disconnect): a connect in SYN-SENT is aborted:
       \* CLOSED with the error ECONNRESET and no shutdown flags, and the call says 0
       \* (probed on Linux 6.18; gVisor's Shutdown...ConnectingSocket tests assert
       \* POLLERR|POLLHUP after it).
       ELSE IF Profile = "LINUX" /\ x.proto = "tcp" /\ x.st = "SYN-SENT" THEN
            /\ sock' = Forget([sock EXCEPT ![s].st = "CLOSED", ![s].err = "ECONNRESET", ![s].rdshut = FALSE,
                                           ![s].wrshut = FALSE, ![s].connecting = FALSE], s)
            /\ Record(p, "shutdown", 0)
            /\ UNCHANGED <<files, fdt, alive, pending, net>>
       ELSE IF ~connected /\ (Profile = "POSIX" \/ (x.proto = "tcp" /\ x.st # "CLOSED")) THEN Fail(p, "shutdown", "ENOTCONN")
       ELSE IF ~connected THEN
            /\ sock' = [sock EXCEPT ![s].rdshut = @ \/ how \in {"RD", "RDWR"},
                                    ![s].wrshut = @ \/ how \in {"WR", "RDWR"},
                                    \* LINUX: a connect not yet reported is SS_DISCONNECTING now (disconnecting).
                                    ![s].disconnecting = @ \/ (Profile = "LINUX" /\ x.proto = "tcp" /\ x.connecting),
                                    ![s].connecting = IF Profile = "LINUX" /\ x.proto = "tcp" THEN FALSE ELSE @]
            /\ Record(p, "shutdown", "ENOTCONN")
            /\ UNCHANGED <<files, fdt, alive, pending, net>>
       ELSE /\ sock' = [sock EXCEPT ![s].rdshut = @ \/ how \in {"RD", "RDWR"},
                                    ![s].wrshut = @ \/ how \in {"WR", "RDWR"},
                                    ![s].st = IF fin THEN (IF x.st = "CLOSE-WAIT" THEN "LAST-ACK" ELSE "FIN-WAIT-1") ELSE @,
                                    ![s].finseq = IF fin THEN x.sndnxt ELSE @,
                                    ![s].sndnxt = IF fin THEN @ + 1 ELSE @]
            /\ net' = IF fin THEN net \cup {Seg("tcp", "FIN", <<x.lip, x.lport>>, <<x.rip, x.rport>>, x.sndnxt, x.rcvnxt, "none")}
                      ELSE net
            /\ Record(p, "shutdown", 0)
            /\ UNCHANGED <<files, fdt, alive, pending>>

(* Close: drops the descriptor; the socket closes with its last one.     *)
(* NOTE: a thread that waits in a call on the descriptor keeps waiting on *)
(* Linux (accept, recv and connect hold the file; poll is woken only by   *)
(* the file's own events, and reports POLLNVAL once it looks again); the  *)
(* spec's waiting call holds the descriptor, so such a close is outside   *)
(* the model (found by generated walks with threads, on Linux 6.18).      *)
Close(p, f) ==
    /\ Ready(p)
    /\ IF ~Open(p, f) THEN Fail(p, "close", "EBADF")
       ELSE IF \E c \in Callers : /\ ProcOf(c) = ProcOf(p)
                                  /\ \/ pending[c].op \in {"accept", "recv", "recvfrom", "recvmsg", "connect"} /\ pending[c].fd = f
                                     \/ pending[c].op = "poll" /\ \E i \in 1..Len(pending[c].rq) : pending[c].rq[i].fd = f
            THEN Fail(p, "close", OutsideCloseWaiting)
       ELSE LET s == SockOf(p, f)
                last == ~HeldElsewhere(s, p, f)
                r == IF last THEN LastClose(sock, s) ELSE [tbl |-> sock, segs |-> {}]
            IN IF last /\ DropsRights(sock, {s}) THEN Fail(p, "close", OutsideRights)
            ELSE /\ fdt' = [fdt EXCEPT ![ProcOf(p)][f] = NoSid]
                 /\ sock' = r.tbl
                 /\ net' = net \cup r.segs
                 /\ Record(p, "close", 0)
                 /\ UNCHANGED <<files, alive, pending>>

(* Dup: a second descriptor, the lowest free, for the same socket.       *)
Dup(p, f) ==
    /\ Ready(p)
    /\ IF ~Open(p, f) THEN Fail(p, "dup", "EBADF")
       ELSE IF FreeFds(p) = {} THEN Fail(p, "dup", "EMFILE")
       ELSE LET g == LowestFree(p) IN
            /\ fdt' = [fdt EXCEPT ![ProcOf(p)][g] = fdt[ProcOf(p)][f]]
            /\ Record(p, "dup", g)
            /\ UNCHANGED <<files, sock, alive, pending, net>>

(* Fork: a new process on the same host with a copy of the descriptor    *)
(* table; both refer to the same sockets (S10: a child per client).      *)
Fork(p, q) ==
    /\ Ready(p) /\ q[1] = p[1] /\ ~alive[q]
    /\ alive' = [alive EXCEPT ![q] = TRUE]
    /\ fdt' = [fdt EXCEPT ![q] = fdt[ProcOf(p)]]
    /\ Record(p, "fork", q[2])
    /\ UNCHANGED <<files, sock, pending, net>>

(* Exit: a process ends; its descriptors close, and every socket it held *)
(* alone closes with them (S17).                                          *)
Exit(p) ==
    /\ alive[ProcOf(p)]
    /\ LET held == {fdt[ProcOf(p)][f] : f \in OpenFds(p)}
           last == {s \in held : (\A q \in Proc \ {ProcOf(p)} : \A g \in Fds : fdt[q][g] # s) /\ ~InFlight(s)}
           r == LastCloseAll(sock, {}, last)
       IN IF DropsRights(sock, last) THEN Record(p, "exit", OutsideRights) /\ UNCHANGED <<files, sock, fdt, alive, pending, net>>
          ELSE
          /\ sock' = r.tbl
          /\ net' = net \cup r.segs
          /\ alive' = [alive EXCEPT ![ProcOf(p)] = FALSE]
          /\ fdt' = [fdt EXCEPT ![ProcOf(p)] = NoFd]
          \* Every thread of the process ends with it, and the calls they waited in.
          /\ pending' = [c \in Callers |-> IF ProcOf(c) = ProcOf(p) THEN NoCall ELSE pending[c]]
          /\ Record(p, "exit", 0)
          /\ UNCHANGED files

(* SetSockOpt: setsockopt of opt to v. SO_REUSEADDR lets two sockets      *)
(* share a local address when both ask for it and neither listens.       *)
(* SO_KEEPALIVE, SO_BROADCAST, TCP_NODELAY and SO_REUSEPORT are on (v     *)
(* TRUE) or off and change nothing the model follows (keep-alive probes,  *)
(* broadcast addresses, when segments go are not in it; SO_REUSEPORT's    *)
(* sharing is outside the model, see Bind); getsockopt reads them         *)
(* back. SO_LINGER takes <<l_onoff, l_linger>>: on with a linger of 0,    *)
(* the last close aborts the connection (LastClose); turned off it keeps  *)
(* its l_linger (probed on Linux 6.18). NOTE: a linger above 0 makes      *)
(* close wait until the data are sent; over the model's network they are *)
(* at once, so close does not wait here. TCP_NODELAY is an option of TCP  *)
(* (IPPROTO_TCP): another socket answers ENOPROTOOPT. SO_PASSCRED: a Unix *)
(* socket is shown its messages' credentials (Unix.tla); another socket  *)
(* has none to show (EOPNOTSUPP to set or read; Linux 6.18).            *)
SetOption(x, opt, v) ==
    CASE opt = "SO_REUSEADDR" -> [x EXCEPT !.reuse = v]
      [] opt = "IPV6_V6ONLY" -> [x EXCEPT !.v6only = v]
      [] opt = "SO_RCVBUF" -> [x EXCEPT !.rcvbuf = <<v>>]
      [] opt = "SO_SNDBUF" -> [x EXCEPT !.sndbuf = <<v>>]
      [] opt = "SO_LINGER" -> [x EXCEPT !.linger = IF v[1] = 0 THEN <<0, x.linger[2]>> ELSE v]
      [] OTHER -> [x EXCEPT !.flags = IF v THEN @ \cup {opt} ELSE @ \ {opt}]

SetSockOpt(p, f, opt, v) ==
    /\ Ready(p)
    /\ IF ~Open(p, f) THEN Fail(p, "setsockopt", "EBADF")
       \* A Unix socket has no TCP options, and no SO_REUSEPORT to turn on (sk_is_inet; probed on Linux 6.18).
       ELSE IF sock[SockOf(p, f)].proto = "unix" /\ (opt = "TCP_NODELAY" \/ (opt = "SO_REUSEPORT" /\ v = TRUE))
            THEN Fail(p, "setsockopt", "EOPNOTSUPP")
       ELSE IF opt = "TCP_NODELAY" /\ sock[SockOf(p, f)].proto # "tcp" THEN Fail(p, "setsockopt", "ENOPROTOOPT")
       ELSE IF opt = "SO_PASSCRED" /\ sock[SockOf(p, f)].proto # "unix" THEN Fail(p, "setsockopt", "EOPNOTSUPP")
       \* IPV6_V6ONLY (IPPROTO_IPV6): an option of INET6 sockets (a Unix socket has
       \* none of that level either: EOPNOTSUPP), set before the socket has a port (do_ipv6_setsockopt).
       ELSE IF opt = "IPV6_V6ONLY" /\ sock[SockOf(p, f)].fam # "INET6" THEN
            Fail(p, "setsockopt", IF sock[SockOf(p, f)].proto = "unix" THEN "EOPNOTSUPP" ELSE "ENOPROTOOPT")
       \* A raw socket has its protocol where the port goes (inet_num) from the start:
       \* always EINVAL (probed on Linux 6.18).
       ELSE IF opt = "IPV6_V6ONLY" /\ (sock[SockOf(p, f)].lport # 0 \/ sock[SockOf(p, f)].proto = "raw") THEN Fail(p, "setsockopt", "EINVAL")
       ELSE /\ sock' = [sock EXCEPT ![SockOf(p, f)] = SetOption(@, opt, v)]
            /\ Record(p, "setsockopt", 0)
            /\ UNCHANGED <<files, fdt, alive, pending, net>>

(* GetSockName and GetPeerName read the addresses of S5 and S6; they     *)
(* change nothing.                                                        *)
GetSockName(p, f) ==
    /\ Ready(p)
    /\ IF ~Open(p, f) THEN Fail(p, "getsockname", "EBADF")
       ELSE LET x == sock[SockOf(p, f)] IN
            Record(p, "getsockname", IF x.proto = "unix" THEN UnixName(x.path) ELSE <<Shown(x, x.lip), IF x.lport = 0 THEN x.sport ELSE x.lport>>)
            /\ UNCHANGED <<files, sock, fdt, alive, pending, net>>

GetPeerName(p, f) ==
    /\ Ready(p)
    /\ IF ~Open(p, f) THEN Fail(p, "getpeername", "EBADF")
       ELSE LET x == sock[SockOf(p, f)] IN
            \* A Unix socket has a peer once connected, also after the peer is gone.
            IF x.proto = "unix" THEN
               IF x.st # "CONNECTED" THEN Fail(p, "getpeername", "ENOTCONN")
               ELSE Record(p, "getpeername", UnixName(x.rpath)) /\ UNCHANGED <<files, sock, fdt, alive, pending, net>>
            \* Linux has no peer without a port (inet_getname): a raw or UDP socket's
            \* connected to port 0 (probed on Linux 6.18).
            ELSE IF x.rip = NoHost \/ (x.proto = "tcp" /\ x.st \in {"CLOSED", "SYN-SENT", "LISTEN"})
               \/ (Profile = "LINUX" /\ x.rport = 0)
            THEN Fail(p, "getpeername", "ENOTCONN")
            ELSE Record(p, "getpeername", <<Shown(x, x.rip), x.rport>>) /\ UNCHANGED <<files, sock, fdt, alive, pending, net>>
(* SetNonBlock: fcntl(F_SETFL) with or without O_NONBLOCK. The flag is   *)
(* the open socket's: every descriptor of it (dup, fork) sees it.         *)
SetNonBlock(p, f, v) ==
    /\ Ready(p)
    /\ IF ~Open(p, f) THEN Fail(p, "fcntl", "EBADF")
       ELSE /\ sock' = [sock EXCEPT ![SockOf(p, f)].nonblock = v]
            /\ Record(p, "fcntl", 0)
            /\ UNCHANGED <<files, fdt, alive, pending, net>>

(* GetSockOpt: getsockopt(SOL_SOCKET, opt). SO_ERROR gives the socket's   *)
(* pending error, or 0, and clears it (POSIX getsockopt: "SO_ERROR ...    *)
(* clears it"): a refused non-blocking connect, a reset, a UDP socket's   *)
(* ICMP port unreachable. The others read what socket(), listen and       *)
(* setsockopt made: SO_TYPE, SO_DOMAIN, SO_PROTOCOL (the type's own       *)
(* protocol for 0: 6 for TCP, 17 for UDP), SO_ACCEPTCONN (whether it      *)
(* listens), SO_REUSEADDR, SO_KEEPALIVE, SO_BROADCAST, TCP_NODELAY (1 or  *)
(* 0), SO_LINGER (<<l_onoff, l_linger>>), SO_RCVBUF and SO_SNDBUF (a     *)
(* range, BufRange).                                                      *)
(*                                                                         *)
(* Buffer sizes are the machine's: LINUX (sock_setsockopt) takes the size  *)
(* asked for as an unsigned int, cuts it to a sysctl (net.core.rmem_max,   *)
(* wmem_max) and to INT_MAX / 2, doubles it, and raises it to the least    *)
(* buffer (SOCK_MIN_RCVBUF, SOCK_MIN_SNDBUF: 2304 and 4608 on x86_64, more *)
(* or less elsewhere with the size of struct sk_buff). The spec knows the  *)
(* sysctl only as at least BufMaxFloor, the kernel's own default, and the  *)
(* least buffer as a range; before setsockopt the size is a sysctl's       *)
(* default, and TCP may grow it: any size from the least. getsockopt is    *)
(* judged by the range (probed on Linux 6.18: 0 and 1 read 2304 and 4608,  *)
(* 10000 reads 20000, -1 reads twice rmem_max). POSIX: any positive size.  *)
IntMax == 2147483647
BufMaxFloor == 212992
LeastBuf(opt) == IF opt = "SO_RCVBUF" THEN <<2048 + 128, 2048 + 512>> ELSE <<2 * (2048 + 128), 2 * (2048 + 512)>>
MaxOf(a, b) == IF a >= b THEN a ELSE b
MinOf(a, b) == IF a <= b THEN a ELSE b
BufRange(x, opt) ==
    LET asked == IF opt = "SO_RCVBUF" THEN x.rcvbuf ELSE x.sndbuf
        least == LeastBuf(opt)
    IN
    IF Profile = "POSIX" THEN [lo |-> 1, hi |-> IntMax]
    ELSE IF asked = <<>> THEN [lo |-> least[1], hi |-> IntMax]
    \* A negative int is an unsigned int above every sysctl: the sysctl's size.
    ELSE IF asked[1] < 0 THEN [lo |-> 2 * BufMaxFloor, hi |-> 2 * (IntMax \div 2)]
    ELSE [lo |-> MaxOf(2 * MinOf(asked[1], BufMaxFloor), least[1]),
          hi |-> MaxOf(2 * MinOf(asked[1], IntMax \div 2), least[2])]

OptionValue(x, opt) ==
    CASE opt = "SO_ERROR" -> IF x.err = "none" THEN 0 ELSE x.err
      [] opt = "SO_TYPE" -> CASE x.proto = "unix" -> x.type [] x.proto = "tcp" -> "STREAM" [] x.proto = "udp" -> "DGRAM" [] OTHER -> "RAW"
      [] opt = "SO_DOMAIN" -> x.fam
      [] opt = "SO_PROTOCOL" -> CASE x.proto = "unix" -> 0 [] x.proto = "tcp" -> 6 [] x.proto = "udp" -> 17 [] OTHER -> x.protocol
      [] opt = "SO_ACCEPTCONN" -> IF x.proto \in {"tcp", "unix"} /\ x.st = "LISTEN" THEN 1 ELSE 0
      [] opt \in {"SO_KEEPALIVE", "SO_BROADCAST", "TCP_NODELAY", "SO_REUSEPORT", "SO_PASSCRED"} -> IF opt \in x.flags THEN 1 ELSE 0
      [] opt = "SO_LINGER" -> x.linger
      [] opt = "IPV6_V6ONLY" -> IF x.v6only THEN 1 ELSE 0
      [] opt \in Buffers -> BufRange(x, opt)
      \* Linux sets SO_REUSEADDR on a raw socket when it makes it (its protosw has
      \* INET_PROTOSW_REUSE; found by a generated walk, probed on Linux 6.18).
      \* NOTE: read so, not kept in reuse, which a raw socket never uses; a raw
      \* socket given SO_REUSEADDR 0 still reads 1 here, where Linux reads 0.
      [] OTHER -> IF x.reuse \/ (Profile = "LINUX" /\ x.proto = "raw") THEN 1 ELSE 0

GetSockOpt(p, f, opt) ==
    /\ Ready(p)
    /\ IF ~Open(p, f) THEN Fail(p, "getsockopt", "EBADF")
       \* Linux: IPPROTO_TCP's options of another socket are EOPNOTSUPP to read (ENOPROTOOPT to set);
       \* an INET6 socket's ENOPROTOOPT (ipv6_getsockopt; found by sockcheck hunt --domains INET,INET6, seed 11).
       ELSE IF opt = "TCP_NODELAY" /\ sock[SockOf(p, f)].proto # "tcp"
            THEN Fail(p, "getsockopt", IF sock[SockOf(p, f)].fam = "INET6" THEN "ENOPROTOOPT" ELSE "EOPNOTSUPP")
       ELSE IF opt = "IPV6_V6ONLY" /\ sock[SockOf(p, f)].fam # "INET6" THEN
            Fail(p, "getsockopt", "EOPNOTSUPP")
       ELSE IF opt = "SO_PASSCRED" /\ sock[SockOf(p, f)].proto # "unix" THEN Fail(p, "getsockopt", "EOPNOTSUPP")
       ELSE LET s == SockOf(p, f) IN
            \* A record, so that an error that is the option's value is not the call's.
            /\ Record(p, "getsockopt", [value |-> OptionValue(sock[s], opt)])
            /\ sock' = IF opt = "SO_ERROR" THEN [sock EXCEPT ![s].err = "none"] ELSE sock
            /\ UNCHANGED <<files, fdt, alive, pending, net>>

(***************************************************************************)
(* Readiness: the events poll reports of a socket, from its state alone,  *)
(* so that every stack's poll is judged by one rule. As Linux's tcp_poll  *)
(* and datagram_poll give them (probed on Linux 6.18, 36 cases):          *)
(*   POLLIN    a recv would not wait: data or a connection to accept is   *)
(*             there, or reading is over (the peer's FIN, SHUT_RD, a      *)
(*             reset, a failed handshake);                                *)
(*   POLLRDHUP reading is over;                                           *)
(*   POLLOUT   a send would not wait: the model has no send buffer to     *)
(*             fill, so every socket but a listener and a TCP socket in   *)
(*             its handshake (shut for writing too: send fails at once);  *)
(*   POLLHUP   shut both ways, or a TCP socket in CLOSED (a new one too); *)
(*   POLLERR   an error is pending (the one SO_ERROR reads and clears).   *)
(* NOTE: POSIX leaves POLLHUP and POLLRDHUP of sockets to the system;     *)
(* both profiles follow Linux here.                                       *)
(***************************************************************************)
Readiness(x) ==
    LET err == IF x.err # "none" THEN {"POLLERR"} ELSE {}
        over == x.rdshut \/ (x.proto = "tcp" /\ x.fin)
        hup == (x.rdshut /\ x.wrshut) \/ (x.proto = "tcp" /\ x.st = "CLOSED")
        queued == IF x.proto = "tcp" THEN x.stream # "" ELSE x.datagrams # <<>>
    IN IF x.proto = "unix" THEN UnixReadiness(x, err)
       ELSE IF x.proto = "tcp" /\ x.st = "LISTEN" THEN IF x.acceptq # <<>> THEN {"POLLIN"} ELSE {}
       ELSE err \cup (IF hup THEN {"POLLHUP"} ELSE {})
                \cup (IF over \/ queued THEN {"POLLIN"} ELSE {})
                \cup (IF over THEN {"POLLRDHUP"} ELSE {})
                \cup (IF x.proto = "tcp" /\ x.st \in {"SYN-SENT", "SYN-RECEIVED"} THEN {} ELSE {"POLLOUT"})

\* The events a caller may ask poll for; POLLERR, POLLHUP and POLLNVAL are
\* reported whether asked for or not.
PollEvents == {"POLLIN", "POLLOUT", "POLLRDHUP"}

\* What poll reports of one entry of its request, [fd |-> f, ev |-> events]:
\* POLLNVAL for a descriptor that is not open.
Revents(p, e) ==
    IF e.fd \notin Fds THEN {"POLLNVAL"}
    ELSE IF ~Open(p, e.fd) THEN {"POLLNVAL"}
    ELSE Readiness(sock[SockOf(p, e.fd)]) \cap (e.ev \cup {"POLLERR", "POLLHUP"})

PollResult(p, rq) == [i \in 1..Len(rq) |-> Revents(p, rq[i])]
AnyReady(r) == \E i \in DOMAIN r : r[i] # {}

(* Poll: poll(fds, n, timeout) with a request rq, a sequence of           *)
(* [fd |-> f, ev |-> events], gives each entry's events. A timeout of 0   *)
(* returns at once; -1 waits until an entry has an event to report, in    *)
(* PollReturns. Any other timeout is a timer the model does not have.     *)
(* Poll changes nothing but the caller's waiting.                         *)
Poll(p, rq, tm) ==
    /\ Ready(p)
    /\ LET r == PollResult(p, rq) IN
       IF tm = -1 /\ ~AnyReady(r)
       THEN /\ pending' = [pending EXCEPT ![p] = WaitingPoll(rq)]
            /\ Record(p, "poll", "pending")
            /\ UNCHANGED <<files, sock, fdt, alive, net>>
       ELSE /\ Record(p, "poll", [revents |-> r])
            /\ UNCHANGED <<files, sock, fdt, alive, pending, net>>

(* PollReturns: a waiting poll returns once an entry has an event. NOTE: *)
(* a descriptor another thread closes gives POLLNVAL at once; Linux sees *)
(* it only when something wakes the poll.                                 *)
PollReturns(p) ==
    /\ alive[ProcOf(p)] /\ pending[p].op = "poll"
    /\ LET r == PollResult(p, pending[p].rq) IN
       /\ AnyReady(r)
       /\ Record(p, "poll", [revents |-> r])
    /\ pending' = [pending EXCEPT ![p] = NoCall]
    /\ UNCHANGED <<files, sock, fdt, alive, net>>
==============================================================================
