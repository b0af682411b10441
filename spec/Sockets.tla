------------------------------- MODULE Sockets -------------------------------
(***************************************************************************)
(* Network sockets: the Berkeley sockets API over TCP (RFC 9293), UDP and *)
(* raw IP, on hosts joined by a network that may reorder, lose and        *)
(* duplicate. The root module: initial state, next-state relation, and    *)
(* the invariants and properties every implementation's behaviour is      *)
(* judged by. spec/README.md maps the seed claims S1..S21 to the names    *)
(* below. Model-checking bounds live in MCSockets.tla, not here.          *)
(***************************************************************************)
EXTENDS SocketApi

\* The argument values processes choose from. Model configurations may
\* narrow them (TLC's "<-" in a .cfg) to keep a model small.
Types == {"STREAM", "DGRAM", "RAW", "SEQPACKET"}
\* socket()'s domain: IPv4, IPv6 (which speaks IPv4 too, to v4-mapped
\* addresses), or Unix domain sockets (S20, Unix.tla).
Domains == {"INET", "INET6", "UNIX"}
\* socketpair()'s domains: every domain (a model of INET sockets alone may
\* leave socketpair out: INET has no pairs).
PairDomains == Domains
\* The names Unix sockets may bind and connect to: paths of a host's file
\* system, "@name" of the abstract namespace. None unless a model names some.
Paths == {}
\* The protocol argument of socket(): 0 asks for the type's own.
Protocols == {0}
\* The sockets Linux makes that the model has not: MPTCP, UDP-Lite and ICMP
\* echo sockets; raw sockets of the protocols the modelled stacks carry
\* (ICMP, TCP, UDP: copies of the stacks' own segments would reach them);
\* raw sockets of IPPROTO_RAW (255: the data carry their own IP header)
\* and above (no IP header holds the number). A socket() that asks for one
\* is outside the model: the trace is not judged, and says so.
Unmodelled == {<<"STREAM", 262>>, <<"DGRAM", 1>>, <<"DGRAM", 136>>}
              \cup {<<"RAW", n>> : n \in {1, 6, 17} \cup 255..ProtocolMax}
\* INET6 adds the raw sockets of the protocols IPv6's own stack carries:
\* ICMPv6 (58: neighbour discovery and the stack's errors would reach them)
\* and the extension headers it parses (43 routing, 44 fragment, 60
\* destination options). The rest of Unmodelled holds for INET6 too.
Unmodelled6 == Unmodelled \cup {<<"RAW", n>> : n \in {43, 44, 58, 60}}
Hows == {"RD", "WR", "RDWR"}
\* IPv6's addresses only where a model has INET6 sockets.
Addrs6 == IF "INET6" \in Domains THEN Hosts6 \cup MappedHosts \cup {ANY6} ELSE {}
Addrs == Hosts \cup {ANY} \cup Paths \cup Addrs6
\* Any port a trace can name: a label, or one the stack picked (a connect
\* to the port getsockname showed, a bind to a port freed since), or 0.
\* A destination may be the wildcard address (see Dest in SocketApi.tla).
BindPorts == AllPorts \cup {0}
ConnectPorts == AllPorts \cup {0}
SendPorts == AllPorts \cup {0}
DestAddrs == Hosts \cup {ANY} \cup Paths \cup Addrs6
\* connect with an AF_UNSPEC address, which dissolves an association.
Unspecs == {UNSPEC}
\* sendmsg and recvmsg (SCM_RIGHTS, Unix.tla): the descriptors a sendmsg
\* passes, and recvmsg as a recv of its own. None unless a model asks for
\* them (unix.cfg): a trace's sendmsg is judged with its own descriptors.
RightsLists == {}
RecvMsgOps == {}
ReuseValues == BOOLEAN
\* SOCK_NONBLOCK at socket(), and the O_NONBLOCK fcntl sets or clears.
SocketNonBlock == BOOLEAN
\* listen's backlog: room for one connection waiting to be accepted, or
\* many (a trace may give any; the validator evaluates Listen with it).
Backlogs == {0, 8}
\* accept4's SOCK_NONBLOCK.
AcceptNonBlock == BOOLEAN
NonBlockValues == BOOLEAN
\* recv's flags MSG_PEEK and MSG_DONTWAIT.
PeekValues == BOOLEAN
DontWaitValues == BOOLEAN
\* recv's MSG_WAITALL.
WaitAllValues == BOOLEAN
\* recv's MSG_TRUNC.
TruncValues == BOOLEAN
\* The options getsockopt reads.
Options == {"SO_ERROR", "SO_TYPE", "SO_DOMAIN", "SO_PROTOCOL", "SO_ACCEPTCONN", "SO_REUSEADDR",
            "SO_KEEPALIVE", "SO_BROADCAST", "TCP_NODELAY", "SO_LINGER", "SO_REUSEPORT", "SO_RCVBUF", "SO_SNDBUF"}
\* The options setsockopt sets, and the values it gives each: on or off,
\* SO_LINGER's <<l_onoff, l_linger>>, a buffer size (a trace may give any
\* linger or size; the validator evaluates SetSockOpt with it).
SetOptions == {"SO_REUSEADDR", "SO_KEEPALIVE", "SO_BROADCAST", "TCP_NODELAY", "SO_LINGER", "SO_REUSEPORT",
               "SO_RCVBUF", "SO_SNDBUF"}
\* IPV6_V6ONLY, which getsockopt reads and setsockopt sets, where a model has INET6 sockets.
Options6 == IF "INET6" \in Domains THEN {"IPV6_V6ONLY"} ELSE {}
\* SO_PASSCRED, where a model has Unix sockets (credentials, Unix.tla).
OptionsUnix == IF "UNIX" \in Domains THEN {"SO_PASSCRED"} ELSE {}
\* sendmsg's SCM_CREDENTIALS (the sender's own credentials): none unless a
\* model asks for them (a trace's sendmsg is judged with its own).
CredsSent == {FALSE}
LingerValues == {<<0, 0>>, <<1, 0>>}
\* Buffer sizes asked for: none, a small one, one Linux keeps, and -1 (as
\* the unsigned int setsockopt reads, the most there is).
BufValues == {0, 10000, -1}
OptionArgs(opt) == CASE opt = "SO_LINGER" -> LingerValues
                     [] opt \in Buffers -> BufValues
                     [] opt = "SO_PASSCRED" -> BOOLEAN
                     [] OTHER -> ReuseValues
\* The polls processes make: one descriptor, asked whether it is readable or
\* writable. A trace's poll of several descriptors and events is judged by
\* Poll with the trace's own request (the validator gives it).
PollRequests == {<<[fd |-> f, ev |-> {e}]>> : f \in Fds, e \in {"POLLIN", "POLLOUT"}}
PollTimeouts == {0, -1}

Init ==
    /\ sock = [s \in Sids |-> FreeSocket]
    /\ fdt = [p \in Proc |-> NoFd]
    \* A process runs from the start, unless its name is one that only fork
    \* brings to life (a child; a trace's process started anew after exit
    \* is a process of its own that was there, idle, from the start).
    /\ alive = [p \in Proc |-> p[2] \notin Unborn]
    /\ pending = [c \in Callers |-> NoCall]
    /\ net = {}
    /\ files = {}
    /\ evt = "none"

\* What processes do: the calls of the API, and process life.
User ==
    \E p \in Callers :
        \/ \E d \in Domains, t \in Types, pr \in Protocols, nb \in SocketNonBlock : Socket(p, d, t, pr, nb)
        \/ \E d \in PairDomains, t \in Types, pr \in Protocols, nb \in SocketNonBlock : SocketPair(p, d, t, pr, nb)
        \/ \E f \in Fds :
            \/ \E ip \in Addrs, port \in BindPorts : Bind(p, f, ip, port)
            \/ \E bl \in Backlogs : Listen(p, f, bl)
            \/ \E ip \in DestAddrs, port \in ConnectPorts : Connect(p, f, ip, port)
            \/ \E ip \in Unspecs : Connect(p, f, ip, 0)
            \/ \E nb \in AcceptNonBlock : Accept(p, f, nb)
            \/ \E d \in Data : Send(p, f, d)
            \* A datagram may go to an ephemeral port too: the answer to a sender that never bound (S19).
            \/ \E d \in Data, ip \in DestAddrs, port \in SendPorts : SendTo(p, f, d, ip, port)
            \/ \E n \in RecvSizes, pk \in PeekValues, dw \in DontWaitValues, wa \in WaitAllValues, tr \in TruncValues :
                   Recv(p, f, "recv", n, pk, dw, wa, tr) \/ Recv(p, f, "recvfrom", n, pk, dw, wa, tr)
                   \/ \E op \in RecvMsgOps : Recv(p, f, op, n, pk, dw, wa, tr)
            \/ \E d \in Data, fs \in RightsLists, cr \in CredsSent : SendMsg(p, f, d, fs, cr)
            \/ \E how \in Hows : Shutdown(p, f, how)
            \/ Close(p, f)
            \/ Dup(p, f)
            \/ \E opt \in SetOptions \cup Options6 \cup OptionsUnix : \E v \in OptionArgs(opt) : SetSockOpt(p, f, opt, v)
            \/ \E v \in NonBlockValues : SetNonBlock(p, f, v)
            \/ \E o \in Options \cup Options6 \cup OptionsUnix : GetSockOpt(p, f, o)
            \/ GetSockName(p, f) \/ GetPeerName(p, f)
        \/ \E rq \in PollRequests, tm \in PollTimeouts : Poll(p, rq, tm)
        \/ \E q \in Proc : Fork(p, q)
        \/ Exit(p)

\* What the stacks do on their own: blocked calls return, timers fire.
Returns == \E p \in Callers : ConnectReturns(p) \/ AcceptReturns(p) \/ RecvReturns(p) \/ PollReturns(p)
Timers == \E s \in Sids : TcpTimer(s)
System == Returns \/ Timers

\* What the network does: deliver (with a copy kept, when Duplicating), lose.
Network ==
    \E m \in net :
        \/ \E keep \in Keep : TcpArrival(m, keep) \/ DatagramArrival(m, keep)
        \/ LoseSegment(m)

Next == User \/ System \/ Network

Spec == Init /\ [][Next]_vars

(***************************************************************************)
(* Fairness for liveness: segments in flight are eventually delivered to  *)
(* each host, blocked calls eventually return when they can, and timers   *)
(* eventually fire. Processes need not do anything: no fairness on User.  *)
(***************************************************************************)
DeliverTo(h) == \E m \in net : HostOf(m.dst[1]) = h /\ (TcpArrival(m, FALSE) \/ DatagramArrival(m, FALSE))
FairSpec ==
    /\ Spec
    /\ \A h \in Hosts : WF_vars(DeliverTo(h))
    /\ \A s \in Sids : WF_vars(TcpTimer(s))
    /\ \A p \in Callers : WF_vars(ConnectReturns(p) \/ AcceptReturns(p) \/ RecvReturns(p) \/ PollReturns(p))

(***************************************************************************)
(* What an observation of a host's socket table shows (S16), as Linux's   *)
(* /proc/net/tcp and /proc/net/udp list it: TCP entries past CLOSED       *)
(* (listeners, connections not yet accepted, TIME-WAIT after the last     *)
(* descriptor closed) and UDP entries with a local port. A TCP socket     *)
(* that is only bound, and a raw socket, are not listed. Every Unix       *)
(* socket is listed, as /proc/net/unix lists it (S20): its type, its name *)
(* and its state (UnixRowState). The validator and the generator read a   *)
(* host's rows from here.                                                  *)
(***************************************************************************)
Listed == {s \in Sids : \/ sock[s].proto = "tcp" /\ sock[s].st # "CLOSED"
                        \/ sock[s].proto = "udp" /\ sock[s].lport # 0
                        \/ sock[s].proto = "unix"}
\* A Unix socket's state as /proc/net/unix shows it (its St and Flags,
\* probed on Linux 6.18): LISTEN for a listener (Flags 00010000); the
\* server's end of a connection nobody accepted yet CONNECTING (St 02, and
\* inode 0: it has no file yet); a connected stream or seqpacket socket
\* CONNECTED (St 03), also after its peer is gone or it was shut down; a
\* datagram socket CONNECTED while Linux counts it connected (est: it
\* connected, or a socket connected to it; Reconnected in Unix.tla); any
\* other UNCONNECTED (St 01).
UnixRowState(x) ==
    CASE x.st = "LISTEN" -> "LISTEN"
      [] x.listener # NoSid -> "CONNECTING"
      [] x.type = "DGRAM" -> IF x.est THEN "CONNECTED" ELSE "UNCONNECTED"
      [] OTHER -> x.st
\* The row each listed entry shows: its addresses as the API shows them, so
\* that an INET6 socket's row (Linux lists it in /proc/net/tcp6 or udp6)
\* has IPv6 addresses, its IPv4 ones v4-mapped. An INET6 UDP socket that
\* connect(AF_UNSPEC) took its peer from is listed with that peer, port 0
\* (lastrip; Dissolve in SocketApi.tla). A Unix socket's row has its type,
\* its name as lip (NoPath when unnamed; the server's end of a connection
\* has its listener's) and no remote end.
ListedRows == [s \in Listed |->
                 IF sock[s].proto = "unix"
                 THEN [proto |-> "unix", host |-> sock[s].host, st |-> UnixRowState(sock[s]), type |-> sock[s].type,
                       lip |-> sock[s].path, lport |-> 0, rip |-> NoHost, rport |-> 0]
                 ELSE [proto |-> sock[s].proto, host |-> sock[s].host, st |-> sock[s].st, type |-> "",
                       lip |-> Shown(sock[s], sock[s].lip), lport |-> sock[s].lport,
                       rip |-> Shown(sock[s], IF sock[s].rip = NoHost THEN sock[s].lastrip ELSE sock[s].rip),
                       rport |-> sock[s].rport]]

------------------------------------------------------------------------------
(* Invariants, each named after what it protects. *)

Addr == Hosts \cup Hosts6 \cup {ANY, ANY6}
TypeOK ==
    /\ \A s \in Sids :
        /\ sock[s].proto \in {"none", "tcp", "udp", "raw", "unix"}
        /\ sock[s].st \in TcpStates \cup {"NONE"} \cup UnixStates
        /\ sock[s].type \in UnixTypes \cup {""} /\ (sock[s].proto = "unix") = (sock[s].type # "")
        /\ sock[s].peer \in Sids \cup {NoSid} /\ sock[s].named \in BOOLEAN
        /\ sock[s].lip \in Addr /\ sock[s].lport \in AllPorts \cup {0}
        /\ sock[s].rip \in Hosts \cup Hosts6 \cup {NoHost}
        /\ sock[s].lastrip \in Hosts \cup Hosts6 \cup {NoHost}
        /\ sock[s].fam \in {"INET", "INET6", "UNIX"} /\ sock[s].v6only \in BOOLEAN /\ sock[s].est \in BOOLEAN
        /\ sock[s].err \in Errnos \cup {"none"}
        /\ sock[s].conn \in BOOLEAN
        /\ sock[s].picked \in BOOLEAN /\ sock[s].pickedip \in BOOLEAN /\ sock[s].sport \in AllPorts \cup {0}
        /\ sock[s].protocol \in IF sock[s].proto = "raw" THEN 1..ProtocolMax ELSE {0}
        /\ sock[s].nonblock \in BOOLEAN /\ sock[s].connecting \in BOOLEAN
        /\ sock[s].flags \subseteq {"SO_KEEPALIVE", "SO_BROADCAST", "TCP_NODELAY", "SO_REUSEPORT", "SO_PASSCRED"}
        /\ sock[s].proto # "unix" => "SO_PASSCRED" \notin sock[s].flags
        /\ Len(sock[s].rcvbuf) <= 1 /\ Len(sock[s].sndbuf) <= 1 /\ sock[s].rpseen \in BOOLEAN /\ sock[s].older \subseteq Sids /\ sock[s].disconnecting \in BOOLEAN
        /\ sock[s].linger \in {0, 1} \X Nat /\ sock[s].synsent \in BOOLEAN /\ sock[s].listened \in BOOLEAN /\ sock[s].bindip \in BOOLEAN
    /\ \A p \in Proc : \A f \in Fds : fdt[p][f] \in Sids \cup {NoSid}
    /\ \A m \in net : m.proto \in {"tcp", "udp", "icmp", "raw"} /\ m.dst[1] \in Hosts \cup Hosts6
    /\ \A f \in files : f[1] \in Hosts /\ ~Abstract(f[2])

(* DescriptorsAreLocal (S2, S3): a descriptor refers to a live socket of  *)
(* its own host; no process reaches a socket of another host.             *)
DescriptorsAreLocal ==
    \A p \in Proc : \A f \in Fds :
        fdt[p][f] # NoSid => InUse(fdt[p][f]) /\ sock[fdt[p][f]].host = p[1]

(* LocalAddressIsOwn (S3, S5): a socket lives on one host and its local   *)
(* address is that host's own address, or the wildcard.                   *)
LocalAddressIsOwn == \A s \in Sids : InUse(s) => sock[s].lip \in {ANY, ANY6, sock[s].host, V6(sock[s].host)}

(* NoSocketOutlivesItsProcess (S17): a process that is gone holds no      *)
(* descriptor and waits in no call; a socket no descriptor holds is a TCP *)
(* connection finishing its close, one waiting to be accepted, or one a   *)
(* message carries (InFlight: passed with SCM_RIGHTS).                    *)
NoSocketOutlivesItsProcess ==
    /\ \A p \in Proc : ~alive[p] => fdt[p] = NoFd
    /\ \A c \in Callers : ~alive[ProcOf(c)] => pending[c].op = "none"
    /\ \A s \in Sids :
        InUse(s) /\ ~Held(s) =>
            \/ sock[s].proto = "tcp" /\ sock[s].st \in {"FIN-WAIT-1", "FIN-WAIT-2", "CLOSING", "LAST-ACK", "TIME-WAIT"}
            \/ sock[s].proto \in {"tcp", "unix"} /\ sock[s].listener # NoSid
            \/ InFlight(s)

LiveTcp(s) == InUse(s) /\ sock[s].proto = "tcp" /\ sock[s].st # "CLOSED"
SameAddresses(s, t) ==
    <<sock[s].lip, sock[s].lport, sock[s].rip, sock[s].rport>> = <<sock[t].lip, sock[t].lport, sock[t].rip, sock[t].rport>>

(* OneListenerPerAddress (S9): two listeners never share an address,     *)
(* unless SO_REUSEPORT shared it (rpseen: one of them bound with the       *)
(* option while the other was there, or both did).                        *)
OneListenerPerAddress ==
    \A s, t \in Sids :
        s # t /\ LiveTcp(s) /\ LiveTcp(t) /\ sock[s].st = "LISTEN" /\ sock[t].st = "LISTEN"
        /\ sock[s].host = sock[t].host /\ ~(sock[s].rpseen /\ sock[t].rpseen) =>
            ~(sock[s].lport = sock[t].lport /\ Overlap(sock[s].lip, sock[s].v6only, sock[t].lip, sock[t].v6only))

(* UdpIdentifiedByLocalAddress (S13, S14): a UDP local address belongs to *)
(* one socket, unless the sockets asked to share it (SO_REUSEADDR): the   *)
(* one that bound second had the option when it bound (the first may have *)
(* set it since its own bind, as bind counts the option as it is now), or  *)
(* SO_REUSEPORT shared it (rpseen, as for OneListenerPerAddress).         *)
UdpIdentifiedByLocalAddress ==
    \A s, t \in Sids :
        s # t /\ sock[s].proto = "udp" /\ sock[t].proto = "udp" /\ sock[s].host = sock[t].host
        /\ sock[s].lport # 0 /\ sock[s].lport = sock[t].lport /\ Overlap(sock[s].lip, sock[s].v6only, sock[t].lip, sock[t].v6only) =>
            sock[s].bindreuse \/ sock[t].bindreuse \/ (sock[s].rpseen /\ sock[t].rpseen)

(* PortSpacesAreSeparate (S7): a segment is only ever handed to a socket  *)
(* of its own protocol: TCP 53 and UDP 53 are different sockets.          *)
PortSpacesAreSeparate ==
    \A m \in net :
        /\ m.proto = "tcp" /\ TcpTarget(m) # NoSid => sock[TcpTarget(m)].proto = "tcp"
        /\ m.proto = "udp" /\ UdpTarget(m) # NoSid => sock[UdpTarget(m)].proto = "udp"

(* RawHasNoPort (S7, S8): raw IP sockets have addresses but no ports      *)
(* (LINUX remembers the port a raw socket connected to, for getpeername   *)
(* only).                                                                 *)
RawHasNoPort == \A s \in Sids : sock[s].proto = "raw" => sock[s].lport = 0 /\ (Profile = "POSIX" => sock[s].rport = 0)

(* ConnectedHasRemote (S6): a TCP socket in a connection has both a local *)
(* and a remote address.                                                   *)
ConnectedHasRemote ==
    \A s \in Sids :
        LiveTcp(s) /\ sock[s].st # "LISTEN" =>
            /\ sock[s].rip \in Hosts \cup Hosts6 /\ sock[s].lip \in Hosts \cup Hosts6 /\ sock[s].lport # 0
            \* A SYN to port 0 (Linux sends one) is answered by a reset.
            /\ sock[s].rport # 0 \/ sock[s].st = "SYN-SENT"

(* ListenerHasNoRemote (S9): a listener waits for anyone: it has a port  *)
(* and no remote port. Linux still shows the address of the peer of an   *)
(* earlier failed connect, which the demultiplexing never reads.          *)
ListenerHasNoRemote ==
    \A s \in Sids : LiveTcp(s) /\ sock[s].st = "LISTEN" =>
        /\ sock[s].rport = 0 /\ sock[s].lport # 0
        /\ Profile = "POSIX" => sock[s].rip = NoHost

(* UdpIsNeverEstablished (S12): UDP and raw sockets have no connection    *)
(* state at all.                                                          *)
UdpIsNeverEstablished == \A s \in Sids : sock[s].proto \in {"udp", "raw"} => sock[s].st = "NONE"

(* DemuxIsUnique (S14, S15): an arriving TCP segment has one socket to go *)
(* to. No two TCP entries of a host share all of their addresses, so a    *)
(* 4-tuple names one connection though connections may share a local     *)
(* address (S11); and a segment for a connection goes to that connection, *)
(* never to a listener or another connection on the same local address   *)
(* (TcpTarget must pick the most specific entry, whatever its order).     *)
ForConnection(m, s) ==
    /\ LiveTcp(s) /\ sock[s].st # "LISTEN" /\ sock[s].host = HostOf(m.dst[1])
    /\ <<sock[s].lip, sock[s].lport>> = m.dst /\ <<sock[s].rip, sock[s].rport>> = m.src
DemuxIsUnique ==
    /\ \A s, t \in Sids :
           s # t /\ LiveTcp(s) /\ LiveTcp(t) /\ sock[s].host = sock[t].host => ~SameAddresses(s, t)
    /\ \A m \in net : m.proto = "tcp" => LET to == TcpTarget(m) IN \A s \in Sids : ForConnection(m, s) => to = s

(* StreamIsInOrderPrefix (S10): what a connection received is the         *)
(* sender's stream, in order, without gaps or repeats, whatever the       *)
(* network reordered or duplicated: segment numbers 1, 2, 3, ... Each     *)
(* entry keeps the number of the last segment it took (got) and whether   *)
(* one ever came other than next (gap): two fields that serve this proof  *)
(* only, of constant size, so that a state does not grow with the length  *)
(* of a connection (a sequence of every number taken did, and a trace's   *)
(* validation slowed with its length). And the bytes not yet read are the *)
(* end of one send followed by whole sends: reads take bytes from the     *)
(* front of the stream, never from elsewhere.                             *)
RECURSIVE WholeSends(_)
WholeSends(b) == b = "" \/ \E d \in Data : Len(d) > 0 /\ Len(d) <= Len(b) /\ SubSeq(b, 1, Len(d)) = d
                                             /\ WholeSends(SubSeq(b, Len(d) + 1, Len(b)))
EndOfSendThenWholeSends(b) ==
    \E k \in 0..Len(b) :
        /\ k = 0 \/ \E d \in Data : k <= Len(d) /\ SubSeq(d, Len(d) - k + 1, Len(d)) = SubSeq(b, 1, k)
        /\ WholeSends(SubSeq(b, k + 1, Len(b)))
StreamIsInOrderPrefix ==
    /\ \A s \in Sids : sock[s].proto = "tcp" => ~sock[s].gap /\ EndOfSendThenWholeSends(sock[s].stream)
    /\ \A s \in Sids : sock[s].proto = "unix" => EndOfSendThenWholeSends(sock[s].stream)

(* DatagramsKeepBoundaries (S13): a datagram socket's queue holds whole   *)
(* datagrams, each with the address it came from, and a stream socket     *)
(* holds none.                                                            *)
DatagramsKeepBoundaries ==
    \A s \in Sids :
        /\ sock[s].proto \in {"udp", "raw"} =>
               \A i \in 1..Len(sock[s].datagrams) : sock[s].datagrams[i] \in [from : (Hosts \cup Hosts6) \X (AllPorts \cup {0}), data : Data]
        /\ sock[s].proto \in {"udp", "raw"} => sock[s].stream = ""
        /\ sock[s].proto = "tcp" => sock[s].datagrams = <<>>
        \* A Unix datagram or record carries its sender's name; a Unix stream holds bytes only.
        /\ sock[s].proto = "unix" =>
               \A i \in 1..Len(sock[s].datagrams) :
                   /\ sock[s].datagrams[i] \in [from : STRING \X {0}, data : Data, by : Sids \cup {NoSid}, rights : Seq(Sids),
                                                cred : Procs \cup {NoCred}]
                   /\ Len(sock[s].datagrams[i].rights) <= Cardinality(Fds)
        /\ sock[s].proto = "unix" /\ sock[s].type = "STREAM" => sock[s].datagrams = <<>>
        /\ sock[s].proto = "unix" /\ sock[s].type # "STREAM" => sock[s].stream = ""
        /\ sock[s].marks \in Seq([from : 1..Len(sock[s].stream), to : 1..Len(sock[s].stream), rights : Seq(Sids),
                                  cred : Procs \cup {NoCred}])
        /\ \A i \in DOMAIN sock[s].marks : sock[s].marks[i].rights # <<>> \/ sock[s].marks[i].cred # NoCred
        /\ ~(sock[s].proto = "unix" /\ sock[s].type = "STREAM") => sock[s].marks = <<>>

(* UnixNamesAreUnique (S5, S20): a Unix name belongs to one socket: no two *)
(* sockets of a host bound the same one, and a path a socket bound has    *)
(* its file (an accepted socket carries its listener's name, unbound).    *)
UnixNamesAreUnique ==
    \A s, t \in Sids :
        /\ s # t /\ sock[s].proto = "unix" /\ sock[t].proto = "unix" /\ sock[s].host = sock[t].host
           /\ sock[s].named /\ sock[t].named /\ (~Abstract(sock[s].path) \/ sock[s].type = sock[t].type)
               => sock[s].path # sock[t].path
        /\ sock[s].proto = "unix" /\ sock[s].named /\ ~Abstract(sock[s].path) => <<sock[s].host, sock[s].path>> \in files

(* UnixEndsArePeers (S18, S20): each end of a Unix connection is its own  *)
(* socket, of the same host and type as the other end, and each is the   *)
(* other's peer until one of them is gone.                               *)
UnixEndsArePeers ==
    \A s \in Sids :
        Connective(sock[s]) /\ sock[s].peer # NoSid =>
            LET o == sock[s].peer IN
            /\ o # s /\ sock[o].proto = "unix" /\ sock[o].type = sock[s].type /\ sock[o].host = sock[s].host
            /\ sock[o].peer = s

(* InFlightSocketsLive (S2, S20): a socket a message carries (passed     *)
(* with SCM_RIGHTS, not yet received) lives, whether or not a descriptor  *)
(* still refers to it: the message holds it, so the sender may close its *)
(* descriptor before the receiver takes one.                              *)
InFlightSocketsLive == \A c \in Sids : \A s \in Carried(sock, c) : InUse(s)

(* UnixRowsShowConnections (S16, S20): a Unix socket with a peer is       *)
(* listed as /proc/net/unix lists a connection: CONNECTED, or CONNECTING  *)
(* for the server's end nobody accepted yet; never UNCONNECTED or LISTEN. *)
UnixRowsShowConnections ==
    \A s \in Listed : sock[s].proto = "unix" /\ sock[s].peer # NoSid => ListedRows[s].st \in {"CONNECTED", "CONNECTING"}

(* FamiliesAgree (S5, S6 in two families): an INET socket has IPv4        *)
(* addresses only; an INET6 socket is on an IPv4 address (v4-mapped)     *)
(* never when IPV6_V6ONLY; and the two addresses of a socket with a peer  *)
(* are of one family, so a connection an INET6 socket makes to a         *)
(* v4-mapped address is, on the wire and at its peer, an IPv4 connection. *)
FamiliesAgree ==
    \A s \in Sids : InUse(s) /\ sock[s].proto \in {"tcp", "udp", "raw"} =>
        LET x == sock[s] IN
        /\ x.fam = "INET" => x.lip \notin Hosts6 \cup {ANY6} /\ x.rip \notin Hosts6 /\ ~x.v6only
        \* (A CLOSED socket's remembered peer, which demultiplexing never reads, may be
        \* of a connect that failed before IPV6_V6ONLY was set.)
        /\ x.fam = "INET6" => x.lip # ANY /\ (x.v6only => x.lip \notin Hosts)
        /\ x.rip # NoHost /\ ~Wildcard(x.lip) => (x.lip \in Hosts6) = (x.rip \in Hosts6)

(* OnlyUdp6ListsAForgottenPeer (S16): the peer a socket's row still      *)
(* shows after connect(AF_UNSPEC) took it (lastrip) is an INET6 UDP       *)
(* socket's only: an INET socket's row in /proc/net/udp shows no peer     *)
(* once it has none.                                                      *)
OnlyUdp6ListsAForgottenPeer ==
    \A s \in Sids : sock[s].lastrip # NoHost => sock[s].proto = "udp" /\ sock[s].fam = "INET6"

(* OnlyLiveProcessesWait: a process that waits in a call exists.          *)
OnlyLiveProcessesWait ==
    \A c \in Callers : pending[c].op # "none" => alive[ProcOf(c)]

------------------------------------------------------------------------------
(* Witnesses: for each invariant, a state where the case it guards occurs. *)
(* An invariant whose case no model reaches holds for want of a test, so  *)
(* spec/manifest.json names, for each, a model in which TLC must find its *)
(* witness (ModelCheckTest checks ~Reach_X and expects the violation).     *)

Reach_TypeOK == \E s \in Sids : sock[s].proto = "tcp" /\ sock[s].err # "none"
Reach_DescriptorsAreLocal ==
    \E p, q \in Proc : p[1] # q[1] /\ \E f, g \in Fds : fdt[p][f] # NoSid /\ fdt[q][g] # NoSid
Reach_LocalAddressIsOwn == \E s \in Sids : InUse(s) /\ sock[s].lip = sock[s].host
Reach_NoSocketOutlivesItsProcess == \E s \in Sids : InUse(s) /\ ~Held(s)
Reach_OneListenerPerAddress ==
    \E s, t \in Sids :
        s # t /\ LiveTcp(s) /\ LiveTcp(t) /\ sock[s].st = "LISTEN" /\ sock[t].st = "LISTEN"
        /\ sock[s].host = sock[t].host
Reach_UdpIdentifiedByLocalAddress ==
    \E s, t \in Sids :
        s # t /\ sock[s].proto = "udp" /\ sock[t].proto = "udp" /\ sock[s].host = sock[t].host
        /\ sock[s].lport # 0 /\ sock[s].lport = sock[t].lport
(* A segment of one protocol in flight to a port a socket of the other    *)
(* protocol holds.                                                        *)
Reach_PortSpacesAreSeparate ==
    \E m \in net, s \in Sids :
        /\ m.proto \in {"tcp", "udp"} /\ sock[s].proto \in {"tcp", "udp"} /\ m.proto # sock[s].proto
        /\ sock[s].host = HostOf(m.dst[1]) /\ sock[s].lport = m.dst[2]
Reach_RawHasNoPort == \E s \in Sids : sock[s].proto = "raw" /\ sock[s].rip # NoHost
Reach_ConnectedHasRemote == \E s \in Sids : LiveTcp(s) /\ sock[s].st = "ESTABLISHED"
(* A listener that shows the peer of its failed connect (LINUX).          *)
Reach_ListenerHasNoRemote == \E s \in Sids : LiveTcp(s) /\ sock[s].st = "LISTEN" /\ sock[s].rip # NoHost
Reach_UdpIsNeverEstablished == \E s \in Sids : sock[s].proto = "udp" /\ sock[s].rip # NoHost
(* Two connections of one host share the local address and port, and a  *)
(* segment for one of them is in flight: only its remote end tells which. *)
Reach_DemuxIsUnique ==
    \E s, t \in Sids, m \in net :
        /\ s # t /\ m.proto = "tcp" /\ ForConnection(m, s) /\ LiveTcp(t) /\ sock[t].st # "LISTEN"
        /\ sock[t].host = sock[s].host /\ sock[t].lport = sock[s].lport /\ sock[t].lip = sock[s].lip
(* Two segments came in order, and bytes are queued that do not start a  *)
(* send (a read took part of one).                                       *)
Reach_StreamIsInOrderPrefix ==
    \E s \in Sids : sock[s].proto = "tcp" /\ sock[s].got >= 2 /\ sock[s].stream # "" /\ ~WholeSends(sock[s].stream)
Reach_DatagramsKeepBoundaries == \E s \in Sids : sock[s].proto \in {"udp", "raw"} /\ Len(sock[s].datagrams) >= 2
(* A path whose socket is gone: its file stays, and a bind that forgot it *)
(* would take the path again.                                             *)
Reach_UnixNamesAreUnique == \E f \in files : BoundTo(f[1], f[2]) = {}
(* The two ends of a connection, held by two processes and by neither     *)
(* alone (S20: the same API serves communication between processes).     *)
Reach_UnixEndsArePeers ==
    \E p, q \in Proc, f, g \in Fds :
        /\ p # q /\ fdt[p][f] # NoSid /\ fdt[q][g] # NoSid
        /\ Connective(sock[fdt[p][f]]) /\ sock[fdt[p][f]].peer = fdt[q][g]
        /\ ~\E h \in Fds : fdt[p][h] = fdt[q][g]
(* A socket in flight that no descriptor refers to: its sender closed it. *)
Reach_InFlightSocketsLive == \E c, s \in Sids : s \in Carried(sock, c) /\ ~Held(s)
(* A datagram socket listed connected without a peer of its own: another *)
(* connected to it, or its peer is gone (Linux's est).                    *)
Reach_UnixRowsShowConnections ==
    \E s \in Sids : sock[s].proto = "unix" /\ sock[s].type = "DGRAM" /\ sock[s].peer = NoSid /\ sock[s].est
(* An INET6 socket in an IPv4 connection: its addresses show v4-mapped.  *)
Reach_FamiliesAgree == \E s \in Sids : sock[s].fam = "INET6" /\ sock[s].lip \in Hosts /\ sock[s].st = "ESTABLISHED"
Reach_OnlyUdp6ListsAForgottenPeer == \E s \in Sids : sock[s].lastrip # NoHost /\ sock[s].rip = NoHost
Reach_OnlyLiveProcessesWait == \E c \in Callers : pending[c].op # "none"

------------------------------------------------------------------------------
(* Liveness, checked under FairSpec without loss. *)

(* ConnectResolves: a connect in SYN-SENT does not wait forever: it gets *)
(* established with a listener, or refused, or times out.                 *)
ConnectResolves == \A s \in Sids : sock[s].st = "SYN-SENT" ~> sock[s].st # "SYN-SENT"

(* HandshakeCompletes: a connection in SYN-RECEIVED gets established (or *)
(* is given up): both ends of a connect to a listener leave the handshake.*)
HandshakeCompletes == \A s \in Sids : sock[s].st = "SYN-RECEIVED" ~> sock[s].st # "SYN-RECEIVED"

(* ClosedConnectionFreesAddress: a TCP connection all of whose            *)
(* descriptors are closed eventually leaves the table, freeing its        *)
(* address (TIME-WAIT and Linux's FIN-WAIT-2 timeout included).           *)
Orphan(s) == InUse(s) /\ sock[s].proto = "tcp" /\ ~Held(s) /\ sock[s].listener = NoSid
ClosedConnectionFreesAddress == \A s \in Sids : Orphan(s) ~> ~InUse(s)

(***************************************************************************)
(* The TCP connection states (RFC 9293 3.3.2), as this spec moves         *)
(* between them. Calls are in lower case, segments in capitals.           *)
(*                                                                         *)
(*                            CLOSED                                       *)
(*               listen |             | connect / send SYN                 *)
(*                      v             v                                    *)
(*                   LISTEN         SYN-SENT ---- RST ----> CLOSED         *)
(*     SYN / SYN-ACK    |             | SYN / SYN-ACK (simultaneous open)  *)
(*                      v             v                                    *)
(*                 SYN-RECEIVED <-----+     SYN-SENT --SYN-ACK / ACK--+    *)
(*                      | ACK                                         |    *)
(*                      v                                             v    *)
(*                  ESTABLISHED <-------------------------------------+    *)
(*      close / FIN     |                       | FIN / ACK                *)
(*                      v                       v                          *)
(*                 FIN-WAIT-1 --FIN / ACK--> CLOSING   CLOSE-WAIT          *)
(*                      | ACK of FIN            | ACK of FIN  | close/FIN  *)
(*                      v                       v             v            *)
(*                 FIN-WAIT-2 --FIN / ACK--> TIME-WAIT    LAST-ACK         *)
(*                                              | 2*MSL       | ACK of FIN *)
(*                                              v             v            *)
(*                                            CLOSED        CLOSED         *)
(***************************************************************************)
\* The picture above as a set: the edges of RFC 9293's diagram (3.3.2) that
\* this spec takes. Spec coverage and the reference stack's TcpDiagramTest
\* read it from here. Not taken: LISTEN -> SYN-SENT (a send on a listener,
\* which the sockets API cannot ask for). SYN-RECEIVED -> FIN-WAIT-1 is taken
\* on Linux only by a connection whose socket carries a shutdown flag for
\* writing (it sends its FIN as it is established); a close in SYN-RECEIVED
\* answers with RST (CLOSED), as Linux does.
Diagram ==
    { <<"CLOSED", "LISTEN">>, <<"CLOSED", "SYN-SENT">>, <<"CLOSED", "SYN-RECEIVED">>,
      <<"LISTEN", "CLOSED">>,
      <<"SYN-SENT", "ESTABLISHED">>, <<"SYN-SENT", "SYN-RECEIVED">>, <<"SYN-SENT", "CLOSED">>,
      <<"SYN-RECEIVED", "ESTABLISHED">>, <<"SYN-RECEIVED", "CLOSED">>, <<"SYN-RECEIVED", "FIN-WAIT-1">>,
      <<"ESTABLISHED", "FIN-WAIT-1">>, <<"ESTABLISHED", "CLOSE-WAIT">>, <<"ESTABLISHED", "CLOSED">>,
      <<"FIN-WAIT-1", "FIN-WAIT-2">>, <<"FIN-WAIT-1", "CLOSING">>,
      <<"FIN-WAIT-2", "TIME-WAIT">>, <<"FIN-WAIT-2", "CLOSED">>,
      <<"CLOSING", "TIME-WAIT">>, <<"CLOSE-WAIT", "LAST-ACK">>, <<"LAST-ACK", "CLOSED">>,
      <<"TIME-WAIT", "CLOSED">> }

(* StateChangesFollowTheDiagram: a TCP entry changes state only along an  *)
(* edge of the diagram, or to CLOSED (a reset, an abort, the entry freed). *)
StateChangesFollowTheDiagram ==
    [][\A s \in Sids :
          sock[s].proto = "tcp" \/ sock'[s].proto = "tcp" =>
              \/ sock'[s].st = sock[s].st
              \/ <<sock[s].st, sock'[s].st>> \in Diagram
              \/ sock'[s].st = "CLOSED"
              \* Linux: a new time-wait entry takes over a connection whose socket a descriptor holds.
              \/ /\ sock[s].proto = "none" /\ sock'[s].st = "TIME-WAIT"
                 /\ \E t \in Sids : sock[t].st \in {"FIN-WAIT-2", "CLOSING"} /\ sock'[t].st = "CLOSED"
                                  /\ <<sock[t].lport, sock[t].rip, sock[t].rport>> = <<sock'[s].lport, sock'[s].rip, sock'[s].rport>>]_vars

(* ResetsAreNeverAnswered (RFC 9293 3.10.7): a reset is never answered by *)
(* a reset, or two stacks could reset each other forever: a step that     *)
(* takes an RST from the network sends no RST.                            *)
ResetsAreNeverAnswered ==
    [][\A m \in net : m.proto = "tcp" /\ m.kind = "RST" /\ m \notin net' =>
           \A r \in net' \ net : r.kind # "RST"]_vars
==============================================================================
