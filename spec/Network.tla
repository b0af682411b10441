------------------------------- MODULE Network -------------------------------
(***************************************************************************)
(* The world the socket API lives in: hosts with one address each, the    *)
(* processes on them, each host's socket table, and the segments in       *)
(* flight between hosts. This module declares the constants and variables *)
(* of the whole specification and the helpers the other modules share;    *)
(* Tcp, Udp and SocketApi add the actions, Sockets puts them together.    *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets, TLC

CONSTANTS
    Hosts,          \* the nodes; a host's name is also its one IP address (S1, S5)
    Procs,          \* process names; a process is a pair <<host, name>> (S2)
    Threads,        \* thread names: every process has each of them; a caller is <<host, name, thread>>
    Unborn,         \* the names of Procs whose processes exist only once forked
    Ports,          \* the ports a trace may name in bind, connect and sendto
    EphemeralPorts, \* the ports a stack picks itself (autobind), disjoint from Ports
    Fds,            \* descriptor numbers a process can hold, e.g. 3..5 (S2)
    Sids,           \* identities of socket-table entries, shared by all hosts
    Data,           \* what a send or sendto may carry: strings of bytes, one character a byte
    RecvSizes,      \* how many bytes a recv or recvfrom may ask for
    Profile,        \* "POSIX" or "LINUX", where real systems differ
    RecordEvents,   \* TRUE: keep the last call and its result in evt (for traces)
    Lossy,          \* TRUE: the network may lose segments
    Duplicating     \* TRUE: the network may deliver a segment and keep a copy

ASSUME Profile \in {"POSIX", "LINUX"}
ASSUME Sids \subseteq Nat \ {0} /\ Fds \subseteq Nat /\ Unborn \subseteq Procs
ASSUME Ports \cap EphemeralPorts = {} /\ 0 \notin Ports \cup EphemeralPorts
ASSUME RecvSizes \subseteq Nat \ {0}

(***************************************************************************)
(* NOTE on addresses: each host has exactly one IPv4 address, written as  *)
(* the host's name, and one IPv6 address, V6(h). ANY is the IPv4 wildcard *)
(* address (INADDR_ANY), ANY6 IPv6's (in6addr_any), and port 0 means "no  *)
(* port". Interfaces, routing, ::1 and link-local addresses are not       *)
(* modelled.                                                              *)
(***************************************************************************)
ANY == "*"
\* IPv6 (S5 for a second family): a host's IPv6 address is a string as
\* traces write it, "[A]" for host A (ToString gives a model value's name);
\* Mapped(h) is the v4-mapped form of h's IPv4 address ("[::ffff:A]"),
\* which an INET6 socket is given and shows for IPv4 peers. Inside the
\* table and on the wire an INET6 socket's IPv4 traffic has IPv4 addresses,
\* as Linux keeps them (inet_rcv_saddr); Shown maps them for the API.
ANY6 == "[::]"
V6(h) == "[" \o ToString(h) \o "]"
Mapped(h) == "[::ffff:" \o ToString(h) \o "]"
Hosts6 == {V6(h) : h \in Hosts}
MappedHosts == {Mapped(h) : h \in Hosts}
\* The host an address of the wire belongs to.
HostOf(ip) == IF ip \in Hosts6 THEN CHOOSE h \in Hosts : V6(h) = ip ELSE ip
\* An INET6 socket's argument address as the table keeps it: a v4-mapped
\* address is the IPv4 address it maps.
Unmapped(ip) == IF ip \in MappedHosts THEN CHOOSE h \in Hosts : Mapped(h) = ip ELSE ip
\* The families an address takes traffic of: IPv6's wildcard takes IPv4's
\* too, unless the socket is IPV6_V6ONLY (only).
Fams(ip, only) == CASE ip \in Hosts6 -> {6} [] ip = ANY6 -> IF only THEN {6} ELSE {4, 6} [] OTHER -> {4}
Wildcard(ip) == ip \in {ANY, ANY6}
\* Whether a socket on local address lip takes what comes to address a.
Takes(lip, only, a) == IF Wildcard(lip) THEN (IF a \in Hosts6 THEN 6 ELSE 4) \in Fams(lip, only) ELSE lip = a
NoHost == "-"
\* The result of a call the model cannot follow (a destination that is no
\* host of the model): a trace that makes it is not judged, and says so.
OutsideModel == "outside the model"
\* A call the spec cannot follow says why, after OutsideModel (the validator
\* shows the reason).
OutsideDest == "outside the model: its destination is no host of the model (the wildcard address from a socket with no address of its own, which Linux sends to 127.0.0.1; Dest in spec/SocketApi.tla)"
OutsideRawUnspec == "outside the model: connect(AF_UNSPEC) on a raw socket (Linux takes it out of its raw table, so it receives nothing more; Dissolve in spec/SocketApi.tla)"
OutsideReusePort == "outside the model: a bind or listen with SO_REUSEPORT that Linux's order of sockets or its per-port cache decides (ReusePortUnclear in spec/Network.tla)"
OutsideCloseWaiting == "outside the model: close of a descriptor another thread waits on in a call (on Linux the call goes on waiting until the socket wakes it; the spec's waiting call holds the descriptor; Close in spec/SocketApi.tla)"
OutsideListen == "outside the model: listen on a TCP socket that sent a SYN or was accepted (Linux releases differ: 6.18.44 says EINVAL and keeps a port the failed listen took, earlier ones listen; Listen in spec/SocketApi.tla)"
OutsideFamily == "outside the model: an address of another family than the socket's (a Unix name for an INET socket, a host for a Unix socket)"
OutsideMixed == "outside the model: an INET6 socket that connects or sends to a wildcard address (Linux sends to [::] as to ::1, which no host of the model has), or to IPv4 from the IPv6 address its connect picked (Mixed6 in spec/SocketApi.tla)"
OutsideUnixFull == "outside the model: a blocking connect to a Unix listener whose queue is full, which waits for room (UnixConnect in spec/Unix.tla)"
OutsideRights == "outside the model: descriptors passed with SCM_RIGHTS where the spec does not follow them (on a socket other than a Unix one, or of a socket other than a Unix one; a close or exit that drops messages carrying sockets, a recv other than recvmsg that drops the last reference to one, a recvmsg with MSG_WAITALL or MSG_TRUNC or without free descriptors for them; Unix.tla)"
OutsideCreds == "outside the model: an unnamed Unix socket with SO_PASSCRED that connects or sends a datagram, which Linux names first (autobind; AutobindsForCreds in spec/Unix.tla)"
OutsideUnix == "outside the model: a call on a Unix socket the spec does not model (connect(AF_UNSPEC) of a Unix stream or seqpacket socket, MSG_TRUNC on a Unix stream socket; Unix.tla)"
\* The address of a connect that dissolves an association (connect(2) with
\* an address of the family AF_UNSPEC).
UNSPEC == "AF_UNSPEC"
NoSid == 0
Proc == Hosts \X Procs
\* Who makes calls: a thread of a process. The threads of a process share
\* its descriptor table and live and die with it; each waits in at most
\* one call. ProcOf gives a caller's process (and a process itself).
Callers == {<<h, n, t>> : h \in Hosts, n \in Procs, t \in Threads}
ProcOf(c) == <<c[1], c[2]>>
AllPorts == Ports \cup EphemeralPorts

TcpStates == {"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED",
              "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK",
              "TIME-WAIT"}
\* RFC 9293 3.5.2: the states after the handshake, where data may flow.
Synchronized == TcpStates \ {"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED"}

Errnos == {"EBADF", "EINVAL", "EADDRINUSE", "EADDRNOTAVAIL", "EOPNOTSUPP",
           "EDESTADDRREQ", "EISCONN", "EALREADY", "ENOTCONN", "EPIPE",
           "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EMFILE", "ENOBUFS",
           "EAGAIN", "ECONNABORTED", "EPROTONOSUPPORT", "EPROTOTYPE", "ENOPROTOOPT", "EMSGSIZE",
           "EAFNOSUPPORT", "ENOENT", "ESOCKTNOSUPPORT", "EPERM", "ENETUNREACH"}

VARIABLES
    sock,    \* sock[s]: the socket-table entry s (S1); proto = "none" when free
    fdt,     \* fdt[p][f]: the socket descriptor f of process p refers to (S2)
    alive,   \* alive[p]: whether process p exists
    pending, \* pending[c]: the blocking call thread c waits in; op "none" when it waits in none
    net,     \* the segments and datagrams in flight
    files,   \* the socket files of Unix domain sockets: <<host, path>> for each path bound, kept after close (S20)
    evt      \* the last call and what it returned (when RecordEvents)

vars == <<sock, fdt, alive, pending, net, files, evt>>

(***************************************************************************)
(* A socket-table entry. Fields follow RFC 9293 where it names them:      *)
(* SND.UNA, SND.NXT and RCV.NXT are snduna, sndnxt and rcvnxt.            *)
(*                                                                         *)
(* NOTE on sequence numbers: they count segments, not bytes, and start at *)
(* 0 (no initial sequence number choice): a SYN, a FIN and each data      *)
(* segment take one number. That is enough to order the stream and to     *)
(* tell a duplicate from a new segment; window, MSS, congestion control   *)
(* and retransmission are not modelled. The bytes themselves are kept:    *)
(* a TCP entry's stream holds the bytes that arrived and are not yet read *)
(* (a string, one character a byte: what two sends carried is one string, *)
(* which a recv may read in any pieces); a datagram socket's datagrams    *)
(* hold whole datagrams, each with its sender.                             *)
(***************************************************************************)
\* conn: the socket was once connected (a connect that returned 0, or
\* accept): Linux's socket layer stays SS_CONNECTED after the connection
\* ends, so such a socket cannot connect (EISCONN) or listen (EINVAL) again.
\* disconnecting: Linux's SS_DISCONNECTING, which a shutdown leaves on a
\* socket whose refused non-blocking connect was not yet reported
\* (inet_shutdown); connect and listen then say EINVAL, until
\* connect(AF_UNSPEC) (found by generated walks; probed on Linux 6.18).
\* picked: the stack picked the TCP entry's port (bind to port 0, listen or
\* connect of an unbound socket); pickedip: connect picked its address
\* (the socket was on the wildcard). sport: the port getsockname still
\* shows after Linux gave a picked port back (see Forget). protocol: the IP
\* protocol number a raw socket was opened for (0 for TCP and UDP).
\* nonblock: O_NONBLOCK, a flag of the open socket that its descriptors
\* share (SOCK_NONBLOCK at socket(), fcntl F_SETFL). connecting: a
\* non-blocking connect returned EINPROGRESS and its end is not yet
\* reported (Linux's SS_CONNECTING): the next connect reports it. flags:
\* the options that are on of SO_KEEPALIVE, SO_BROADCAST, TCP_NODELAY, SO_REUSEPORT and SO_PASSCRED
\* (setsockopt); linger: SO_LINGER's <<l_onoff, l_linger>>; backlog: a
\* listener's listen(2) backlog, as Linux caps it. synsent: a TCP
\* socket that sent a SYN (connect) or was accepted: it never listens
\* again on Linux (see Listen). listened: a TCP socket that listened: Linux
\* 6.18.44 never lets it connect (see Connect). bindip: bind named the local
\* address (not the wildcard; Linux's SOCK_BINDADDR_LOCK, which an accepted
\* connection takes from its listener): connect(AF_UNSPEC) keeps only such
\* an address.
\* Unix domain sockets (proto "unix", Unix.tla): type is the socket's type
\* (STREAM, DGRAM or SEQPACKET; "" for the INET sockets, whose proto says
\* it); path its name ("" for none: NoPath), the path bound, or for an
\* accepted socket its listener's; named: the socket bound path itself;
\* peer: the other end of a connection, or a datagram socket's connected
\* peer (NoSid once that socket is gone); rpath: the name getpeername gives;
\* marks: the pieces of a Unix stream that carry sockets passed with
\* SCM_RIGHTS or credentials, [from |-> first byte, to |-> last byte,
\* rights |-> sockets, cred |-> the sender's process or NoCred] in stream
\* order, one a send (UnixTake in Unix.tla); bytes of no piece carry
\* neither.
\* fam: the domain socket() was given (INET, INET6, UNIX); v6only: an INET6
\* socket's IPV6_V6ONLY (Linux also sets it when the socket binds an IPv6
\* address that is no wildcard: __inet6_bind).
FreeSocket ==
    [proto |-> "none", host |-> NoHost, lip |-> ANY, lport |-> 0,
     rip |-> NoHost, rport |-> 0, st |-> "CLOSED", reuse |-> FALSE, bindreuse |-> FALSE,
     stream |-> "", marks |-> <<>>, datagrams |-> <<>>, acceptq |-> <<>>, listener |-> NoSid,
     fin |-> FALSE, rdshut |-> FALSE, wrshut |-> FALSE, err |-> "none",
     snduna |-> 0, sndnxt |-> 0, rcvnxt |-> 0, finseq |-> 0, got |-> 0, gap |-> FALSE,
     conn |-> FALSE, picked |-> FALSE, pickedip |-> FALSE, sport |-> 0, protocol |-> 0,
     nonblock |-> FALSE, connecting |-> FALSE, flags |-> {}, linger |-> <<0, 0>>, backlog |-> 0, synsent |-> FALSE, listened |-> FALSE, bindip |-> FALSE,
     rcvbuf |-> <<>>, sndbuf |-> <<>>, rpseen |-> FALSE, older |-> {}, disconnecting |-> FALSE,
     type |-> "", path |-> "", named |-> FALSE, peer |-> 0, rpath |-> "",
     fam |-> "INET", v6only |-> FALSE, lastrip |-> NoHost, est |-> FALSE]

\* A socket's wildcard address: ANY6 for an INET6 socket.
Wild(x) == IF x.fam = "INET6" THEN ANY6 ELSE ANY
\* An address of the table as the API shows it to socket x: an INET6
\* socket sees IPv4 addresses v4-mapped.
Shown(x, ip) == IF x.fam = "INET6" /\ ip \in Hosts THEN Mapped(ip) ELSE ip

\* The options of buffer sizes: setsockopt gives a size, getsockopt reads a range (BufRange).
Buffers == {"SO_RCVBUF", "SO_SNDBUF"}

NoFd == [f \in Fds |-> NoSid]
\* A call a thread waits in: its name, descriptor, (recv) the size asked for
\* and MSG_PEEK, MSG_WAITALL and MSG_TRUNC, (poll) the descriptors and
\* events asked for, (accept4) whether the new socket is to be non-blocking.
NoCall == [op |-> "none", fd |-> 0, n |-> 0, peek |-> FALSE, rq |-> <<>>, nb |-> FALSE, wa |-> FALSE, tr |-> FALSE]
Waiting(op, f, n) == [NoCall EXCEPT !.op = op, !.fd = f, !.n = n]
\* A recv that waits with MSG_PEEK (it will leave what it reads where it is)
\* or MSG_WAITALL (it waits for all it asked for) or MSG_TRUNC (it will say
\* how long the data were).
WaitingRecv(op, f, n, peek, wa, tr) == [NoCall EXCEPT !.op = op, !.fd = f, !.n = n, !.peek = peek, !.wa = wa, !.tr = tr]
\* An accept that waits, its new socket to be non-blocking or not.
WaitingAccept(f, nb) == [NoCall EXCEPT !.op = "accept", !.fd = f, !.nb = nb]
\* A poll that waits until one of its descriptors is ready.
WaitingPoll(rq) == [NoCall EXCEPT !.op = "poll", !.rq = rq]

\* Segments: TCP kinds SYN, SYNACK, ACK, DATA, FIN, RST; UDP "DGRAM";
\* the ICMP port-unreachable "UNREACH"; raw IP "IP", whose seq is the
\* protocol number of its IP header (ports and sequence numbers it has none).
Seg(proto, kind, src, dst, seq, ack, data) ==
    [proto |-> proto, kind |-> kind, src |-> src, dst |-> dst,
     seq |-> seq, ack |-> ack, data |-> data]

------------------------------------------------------------------------------
(* Descriptors and the table *)

\* Whether some descriptor refers to s, and whether one other than f of p does.
Held(s) == \E p \in Proc, f \in Fds : fdt[p][f] = s
Range(q) == {q[i] : i \in DOMAIN q}
\* The sockets the messages queued at socket c of table tbl carry, passed
\* with SCM_RIGHTS (only a Unix socket's messages have rights: Unix.tla).
Carried(tbl, c) == UNION {IF "rights" \in DOMAIN m THEN Range(m.rights) ELSE {} : m \in Range(tbl[c].datagrams) \cup Range(tbl[c].marks)}
\* A socket in flight: a message carries it, in some socket's queue. It
\* lives while it is, with or without a descriptor (the kernel holds a
\* reference to its file for the message).
InFlight(s) == \E c \in Sids : s \in Carried(sock, c)
\* Whether a descriptor other than f of p refers to s, or a message carries
\* it (InFlight: passed with SCM_RIGHTS and not yet received).
HeldElsewhere(s, p, f) == (\E q \in Proc, g \in Fds : fdt[q][g] = s /\ <<q, g>> # <<ProcOf(p), f>>) \/ InFlight(s)
InUse(s) == sock[s].proto # "none"
FreeSids == {s \in Sids : ~InUse(s)}
OpenFds(p) == {f \in Fds : fdt[ProcOf(p)][f] # NoSid}
FreeFds(p) == Fds \ OpenFds(p)
\* POSIX: a new descriptor is the lowest number not open in the process.
LowestFree(p) == CHOOSE f \in FreeFds(p) : \A g \in FreeFds(p) : f <= g
Min(S) == CHOOSE x \in S : \A y \in S : x <= y
\* The k lowest numbers of S, in order (k at most its size): the descriptors
\* a recvmsg gives the sockets a message carries, as dup would one by one.
RECURSIVE LowestK(_, _)
LowestK(S, k) == IF k = 0 THEN <<>> ELSE <<Min(S)>> \o LowestK(S \ {Min(S)}, k - 1)

QueuedSomewhere(s) == \E l \in Sids : \E i \in 1..Len(sock[l].acceptq) : sock[l].acceptq[i] = s

\* Two local addresses (of sockets with IPV6_V6ONLY only1, only2) overlap
\* when they take traffic of a family in common and one of them is, or
\* both are, a wildcard, or they are the same address: [::] without
\* IPV6_V6ONLY overlaps 0.0.0.0 and every IPv4 address, with it neither.
Overlap(ip1, only1, ip2, only2) ==
    /\ Fams(ip1, only1) \cap Fams(ip2, only2) # {}
    /\ Wildcard(ip1) \/ Wildcard(ip2) \/ ip1 = ip2

\* The sockets of s's host and protocol on port, which see s bind there.
OnPort(s, port) == {o \in Sids \ {s} : InUse(o) /\ sock[o].host = sock[s].host /\ sock[o].proto = sock[s].proto
                                      /\ sock[o].lport = port}

\* The sockets with which binding s to <<ip, port>> collides (Conflicts:
\* there is one), of the same protocol on the host (S7: TCP and UDP ports
\* are separate spaces). Both sockets allowing reuse lift the conflict,
\* unless the other one listens.
\* The other socket's SO_REUSEADDR counts as it is now, also when it was
\* set or cleared after that socket bound (probed on Linux 6.18: a socket
\* bound with the option and then cleared of it refuses a second bind, and
\* the other way round; inet_bind_conflict and udp_lib_lport_inuse read
\* sk_reuse of each owner; BSD's in_pcbbind_setup reads so_options). Listen
\* checks the port again the same way (inet_csk_listen_start).
\* A TIME-WAIT entry keeps the option its socket had: on Linux the new
\* socket's SO_REUSEADDR alone does not bind over it; POSIX systems (BSD)
\* let it.
Blockers(s, ip, port) ==
    {o \in OnPort(s, port) :
        /\ Overlap(sock[o].lip, sock[o].v6only, ip, sock[s].v6only)
        /\ ~(sock[s].reuse
             /\ (sock[o].reuse \/ (Profile = "POSIX" /\ sock[o].st = "TIME-WAIT"))
             /\ sock[o].st # "LISTEN")}

Conflicts(s, ip, port) == Blockers(s, ip, port) # {}

\* SO_REUSEPORT (LINUX; socket(7)): two sockets that both have it share an
\* address whatever their states, a listener's too, when one user made them
\* (the model has one user). A bind or listen succeeds when every other
\* socket on the address shares with it one way (SO_REUSEADDR, Conflicts)
\* or the other (inet_bind_conflict, udp_lib_lport_inuse; probed on Linux
\* 6.18 with the cases of gVisor's BindReuse... and PortReuseTwoSockets
\* tests). An ephemeral port is never shared so (FreeEphemeral).
SharesPort(s, o) == Profile = "LINUX" /\ "SO_REUSEPORT" \in sock[s].flags /\ "SO_REUSEPORT" \in sock[o].flags

\* Some of the sockets in s's way share with it by SO_REUSEPORT, some not.
Mixed(s, B) == (\E b \in B : SharesPort(s, b)) /\ (\E b \in B : ~SharesPort(s, b))
\* The socket of B that bound last (older: the sockets on its port when a
\* UDP socket bound), when the spec knows it.
NewestIn(B) == {b \in B : B \ {b} \subseteq sock[b].older}

\* Whether s may not take <<ip, port>>: a socket in its way shares with it
\* by neither option. Linux's UDP (udp_lib_lport_inuse) looks at the
\* sockets of a port newest first and the first that does not share by
\* SO_REUSEADDR decides: the bind succeeds when that one shares by
\* SO_REUSEPORT (probed on Linux 6.18: SO_REUSEADDR, then both options,
\* then SO_REUSEPORT binds three; gVisor's ...ConvertibleToReuseAddr: both,
\* then SO_REUSEADDR, then SO_REUSEPORT fails).
ConflictsShared(s, ip, port) ==
    LET B == Blockers(s, ip, port) IN
    IF sock[s].proto = "udp" /\ Mixed(s, B) THEN \E b \in NewestIn(B) : NewestIn(B) = {b} /\ ~SharesPort(s, b)
    ELSE \E o \in B : ~SharesPort(s, o)

\* Where the spec does not know what Linux does, it does not judge (probed
\* on Linux 6.18): a UDP socket whose way is blocked by sockets of which
\* some share by SO_REUSEPORT and some do not, when the spec does not know
\* which bound last; TCP keeps a per-port cache (the bind bucket's
\* fastreuseport) that lets a socket with SO_REUSEPORT bind without looking
\* at the others once a socket with it bound there, even when that socket
\* is gone or has cleared it since (rpseen), so TCP's answer is known only
\* where no socket of the port ever bound with it, or where the others all
\* share. POSIX: BSD's sharing rules are not in the spec.
ReusePortUnclear(s, ip, port) ==
    LET B == Blockers(s, ip, port) IN
    /\ "SO_REUSEPORT" \in sock[s].flags /\ B # {}
    /\ \/ Profile = "POSIX"
       \/ sock[s].proto = "udp" /\ Mixed(s, B) /\ ~\E b \in NewestIn(B) : NewestIn(B) = {b}
       \/ /\ sock[s].proto = "tcp" /\ ConflictsShared(s, ip, port)
          /\ \/ Mixed(s, B)
             \/ \E o \in OnPort(s, port) : sock[o].rpseen

\* The ephemeral ports s may be given on ip: any free one. Which one is the
\* stack's choice and a trace names it by a variable: Linux starts its search
\* at an offset hashed from the addresses that moves on with every connect
\* (__inet_hash_connect), bind's at a random one (inet_csk_find_open_port),
\* so a port freed a moment ago comes back only after the others. Taking the
\* lowest free port gave it back at once, into the peer's TIME-WAIT entry of
\* its old 4-tuple, which Linux does not do (found by sockcheck hunt, seed 7).
FreeEphemeral(s, ip) == {e \in EphemeralPorts : ~Conflicts(s, ip, e)}

\* A TCP entry that reached CLOSED leaves the table when no descriptor
\* refers to it (a listener's unaccepted connection leaves its queue too).
\* LINUX: one that a descriptor still holds gives back a port the stack
\* picked, so the socket may bind or connect from another port, though
\* getsockname still shows the old one (tcp_set_state(TCP_CLOSE) calls
\* inet_put_port unless the user bound the port); a handshake that failed
\* also gives back the address connect picked (getsockname says 0.0.0.0),
\* once connect has reported it (a non-blocking connect's, later).
\* Probed on Linux 6.18 over loopback.
Forget(tbl, s) ==
    IF tbl[s].proto = "tcp" /\ tbl[s].st = "CLOSED" /\ ~Held(s)
    THEN LET l == tbl[s].listener
             dequeued == IF l = NoSid THEN tbl
                         ELSE [tbl EXCEPT ![l].acceptq = SelectSeq(@, LAMBDA x : x # s)]
         IN [dequeued EXCEPT ![s] = FreeSocket]
    ELSE IF Profile = "LINUX" /\ tbl[s].proto = "tcp" /\ tbl[s].st = "CLOSED"
    THEN [tbl EXCEPT ![s].sport = IF tbl[s].picked THEN tbl[s].lport ELSE @,
                     ![s].lport = IF tbl[s].picked THEN 0 ELSE @,
                     \* The address goes back when connect reports the failure (tcp_disconnect):
                     \* a non-blocking connect's keeps it until then (Disconnected).
                     ![s].lip = IF tbl[s].pickedip /\ ~tbl[s].connecting THEN Wild(tbl[s]) ELSE @,
                     ![s].picked = FALSE, ![s].pickedip = tbl[s].pickedip /\ tbl[s].connecting]
    ELSE tbl

(***************************************************************************)
(* The network. NOTE: net is a set, so two identical datagrams in flight  *)
(* are one (UDP may lose a datagram anyway); TCP segments differ by their *)
(* sequence numbers. Delivery takes any segment in flight, which is       *)
(* reordering; Lossy and Duplicating add loss and duplication.            *)
(***************************************************************************)
Keep == IF Duplicating THEN BOOLEAN ELSE {FALSE}

\* Segment m arrives; it leaves the network unless a copy stays behind.
Arrive(m, keep, replies) ==
    net' = (IF keep THEN net ELSE net \ {m}) \cup replies

\* A step of the network records its action and segment, so that a trace
\* generated from the spec can name it (no process made it).
NetRecord(action, m) == evt' = IF RecordEvents THEN [proc |-> NoHost, op |-> action, ret |-> m] ELSE evt

\* LoseSegment: a segment in flight disappears.
LoseSegment(m) ==
    /\ Lossy
    /\ net' = net \ {m}
    /\ UNCHANGED <<files, sock, fdt, alive, pending>>
    /\ NetRecord("LoseSegment", m)

Record(p, op, ret) == evt' = IF RecordEvents THEN [proc |-> p, op |-> op, ret |-> ret] ELSE evt
\* A call that fails changes nothing but the record of what it returned.
Fail(p, op, errno) == Record(p, op, errno) /\ UNCHANGED <<files, sock, fdt, alive, pending, net>>
NoEvent == UNCHANGED evt
==============================================================================
