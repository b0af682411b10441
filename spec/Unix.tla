-------------------------------- MODULE Unix --------------------------------
(***************************************************************************)
(* Unix domain sockets (S20): "the term socket is also used for the       *)
(* software endpoint of node-internal inter-process communication, which  *)
(* often uses the same API as a network socket". The same calls as TCP    *)
(* and UDP (SocketApi.tla sends a Unix socket's calls here), on one host: *)
(* no segments, no network. A Unix socket's name is a path of its host's  *)
(* file system, or a name of the abstract namespace (written with a       *)
(* leading @, as /proc/net/unix shows it; Linux only). A connection joins *)
(* two sockets of one host: what one end sends is queued at the other at *)
(* once. Each end is its own socket (S18): connect makes the client's end *)
(* and a new socket for the server's, which waits in the listener's queue *)
(* until accept hands it out; socketpair makes both.                      *)
(*                                                                         *)
(* The rules are Linux's (net/unix/af_unix.c, read for the order of its   *)
(* checks; each probed on Linux 6.18, docs/ipv6-and-unix.md): both        *)
(* profiles take them. Types: STREAM (bytes), SEQPACKET (records of a     *)
(* connection: a recv takes one, cut to its size) and DGRAM (datagrams    *)
(* with their sender's name); a datagram or record, or the bytes of a     *)
(* stream, may carry sockets passed with SCM_RIGHTS (SendMsg, RecvNow in  *)
(* SocketApi.tla), and its sender's credentials (SO_PASSCRED,            *)
(* SCM_CREDENTIALS: CredOf). NOTE: outside the model: a connect that      *)
(* waits for room in a full listener's queue, connect(AF_UNSPEC) of a     *)
(* stream or seqpacket socket, MSG_TRUNC on a Unix stream socket, the     *)
(* autobind of an unnamed socket with SO_PASSCRED that connects or sends  *)
(* a datagram (OutsideCreds), credentials other than the sender's own,    *)
(* and send buffers: a send never waits for room.                         *)
(***************************************************************************)
EXTENDS Network

UnixTypes == {"STREAM", "DGRAM", "SEQPACKET"}
\* The type of a Unix socket socket() or socketpair() asks for: SOCK_RAW
\* makes a datagram socket (unix_create; SO_TYPE reads DGRAM).
UnixType(t) == IF t = "RAW" THEN "DGRAM" ELSE t
\* The states of a Unix socket, as Linux's sk_state: unconnected (TCP_CLOSE),
\* listening, connected (TCP_ESTABLISHED; it stays so after its peer is gone).
UnixStates == {"UNCONNECTED", "LISTEN", "CONNECTED"}
NoPath == ""

\* A Unix socket's name as the calls give it (getsockname, getpeername,
\* accept's peer, recvfrom's sender), shaped as an INET address <<ip, port>>
\* is: the path, and no port. An unnamed socket's is <<"", 0>>.
UnixName(path) == <<path, 0>>

\* Whether an address argument is a Unix name: no host, not the wildcard,
\* not AF_UNSPEC (host names are model values, paths are strings).
IsPath(ip) == ip \notin Hosts \cup Hosts6 \cup MappedHosts /\ ip \notin {ANY, ANY6, UNSPEC, NoHost}

\* A name of the abstract namespace: it has no file and is free again when
\* its socket is gone.
Abstract(path) == path # NoPath /\ SubSeq(path, 1, 1) = "@"

\* Connection-based: a stream or a sequence of records.
Connective(x) == x.proto = "unix" /\ x.type \in {"STREAM", "SEQPACKET"}

\* The live sockets of host h that bound path themselves.
BoundTo(h, path) == {s \in Sids : sock[s].proto = "unix" /\ sock[s].host = h /\ sock[s].named /\ sock[s].path = path}

\* The sockets that hold path for a socket of type t: the one bound to a
\* path; of an abstract name, the one of type t (Linux keeps the abstract
\* names of each type apart: a datagram socket may bind the name a stream
\* socket holds).
Holders(h, path, t) == {s \in BoundTo(h, path) : ~Abstract(path) \/ sock[s].type = t}

\* Whether bind may not take path on host h for a socket of type t: its
\* file exists (a socket bound it, and its file stays after the socket is
\* closed until someone removes it), or, abstract, a socket of type t
\* holds it.
PathInUse(h, path, t) == IF Abstract(path) THEN Holders(h, path, t) # {} ELSE <<h, path>> \in files

\* What a connect or sendto to path finds on host h for a socket of type t
\* (unix_find_other): EINVAL for no name, ENOENT without a file,
\* ECONNREFUSED when no socket is bound there (a file its closed socket
\* left, an abstract name no socket of the type holds), EPROTOTYPE for a
\* socket of another type at a path; else the socket.
Lookup(h, path, t) ==
    LET found == Holders(h, path, t) IN
    IF path = NoPath THEN [err |-> "EINVAL", sid |-> NoSid]
    ELSE IF ~Abstract(path) /\ <<h, path>> \notin files THEN [err |-> "ENOENT", sid |-> NoSid]
    ELSE IF found = {} THEN [err |-> "ECONNREFUSED", sid |-> NoSid]
    ELSE IF sock[Min(found)].type # t THEN [err |-> "EPROTOTYPE", sid |-> NoSid]
    ELSE [err |-> "none", sid |-> Min(found)]

\* Whether datagram socket s may send to o (unix_may_send): o is connected
\* to nobody, or to s. A socket whose peer is gone is still connected to it.
MaySend(s, o) == sock[o].st # "CONNECTED" \/ sock[o].peer = s

\* A datagram or record from socket s: by is its sender, whose name a recv
\* reads as it is then (unix_copy_addr reads the sending socket's name,
\* not the one it had when it sent: probed on Linux 6.18, a datagram sent
\* unbound is from the name its sender bound since).
\* cred: the credentials it carries (CredOf).
UnixDatagram(s, d, cred) == [from |-> UnixName(sock[s].path), data |-> d, by |-> s, rights |-> <<>>, cred |-> cred]
\* The same, carrying the sockets rs (a sequence) passed with SCM_RIGHTS:
\* they are in flight until a recvmsg gives them descriptors (InFlight).
UnixMessage(s, d, rs, cred) == [UnixDatagram(s, d, cred) EXCEPT !.rights = rs]

(* Credentials (unix(7): SO_PASSCRED, SCM_CREDENTIALS). A message, or the *)
(* bytes of one send on a stream, carries its sender's process (its pid,  *)
(* uid and gid) when the sendmsg passed them with SCM_CREDENTIALS (the    *)
(* process's own: explicit), when the sending or the receiving socket has *)
(* SO_PASSCRED, or when the receiving end is one nobody has accepted yet  *)
(* (it has no file; Linux's unix_maybe_add_creds); otherwise none, which  *)
(* Linux shows as pid 0 and the overflow uid and gid (65534). A socket    *)
(* with SO_PASSCRED is shown them by recvmsg (RecvNow in SocketApi.tla),  *)
(* and its reads of a stream do not join bytes of other credentials       *)
(* (UnixTake). A stream's end of file shows all zero (ZeroCred); a        *)
(* datagram or seqpacket socket's none at all. Probed on Linux 6.18.      *)
NoCred == "none"
ZeroCred == "zero"
PassCred(x) == "SO_PASSCRED" \in x.flags
\* The credentials a message from caller p through socket s to socket o carries.
CredOf(p, s, o, explicit) ==
    IF explicit \/ PassCred(sock[s]) \/ PassCred(sock[o]) \/ sock[o].listener # NoSid THEN p[2] ELSE NoCred
\* Linux names an unnamed socket with SO_PASSCRED that connects, or sends a
\* datagram (unix_autobind in unix_stream_connect, unix_dgram_connect and
\* unix_dgram_sendmsg; probed on Linux 6.18): outside the model.
AutobindsForCreds(x) == PassCred(x) /\ x.path = NoPath

\* The datagrams of queue q sent by s, named path now.
Renamed(q, s, path) == [i \in DOMAIN q |-> IF q[i].by = s THEN [q[i] EXCEPT !.from = UnixName(path)] ELSE q[i]]

\* The datagrams of queue q whose senders are in gone keep their names, and no sender.
Forgot(q, gone) == [i \in DOMAIN q |-> IF q[i].by \in gone THEN [q[i] EXCEPT !.by = NoSid] ELSE q[i]]

(* UnixBind: a socket takes a name once (EINVAL after); a path whose file *)
(* exists, or an abstract name a socket of its type holds, is EADDRINUSE: *)
(* for a path, Linux makes the file first, so EADDRINUSE comes before     *)
(* EINVAL; for an abstract name, after. Binding a path makes its file. A  *)
(* peer's getpeername shows the new name. The empty name asks for         *)
(* autobind (Linux's unix_autobind): an unnamed socket gets an abstract   *)
(* name of the stack's choice that no socket of its type holds, one of    *)
(* AutoNames; a named one keeps its name, and the call succeeds all the   *)
(* same (probed on Linux 6.18).                                           *)
\* The names autobind may give: Linux's are a NUL and five hex digits, of the
\* kernel's choice; a trace writes them "@auto1", "@auto2", ... in the order its
\* run first shows them (the runner's Addressing), and the validator's model
\* overrides this with as many as the trace's binds to the empty name (the
\* bridge's AutoNames, among its Paths; Models). None here: a model without
\* them has no autobind of an unnamed socket.
AutoNames == {}
Named(p, s, path) ==
    /\ sock' = [t \in Sids |->
                  IF t = s THEN [sock[s] EXCEPT !.path = path, !.named = TRUE, !.datagrams = Renamed(@, s, path)]
                  ELSE IF sock[t].proto = "unix" /\ sock[t].peer = s
                  THEN [sock[t] EXCEPT !.rpath = path, !.datagrams = Renamed(@, s, path)]
                  ELSE IF sock[t].proto = "unix" THEN [sock[t] EXCEPT !.datagrams = Renamed(@, s, path)]
                  ELSE sock[t]]
    /\ files' = IF Abstract(path) THEN files ELSE files \cup {<<p[1], path>>}
    /\ Record(p, "bind", 0)
    /\ UNCHANGED <<fdt, alive, pending, net>>
UnixBind(p, s, path) ==
    IF path = NoPath THEN
         IF sock[s].path # NoPath THEN /\ Record(p, "bind", 0)
                                      /\ UNCHANGED <<sock, files, fdt, alive, pending, net>>
         ELSE \E n \in AutoNames : ~PathInUse(p[1], n, sock[s].type) /\ Named(p, s, n)
    ELSE IF ~Abstract(path) /\ PathInUse(p[1], path, sock[s].type) THEN Fail(p, "bind", "EADDRINUSE")
    ELSE IF sock[s].path # NoPath THEN Fail(p, "bind", "EINVAL")
    ELSE IF PathInUse(p[1], path, sock[s].type) THEN Fail(p, "bind", "EADDRINUSE")
    ELSE Named(p, s, path)

(* UnixListen: a stream or seqpacket socket with a name listens, bl its  *)
(* backlog as Linux caps it; a datagram socket cannot (EOPNOTSUPP), an    *)
(* unnamed or connected one may not (EINVAL).                             *)
UnixListen(p, s, bl) ==
    LET x == sock[s] IN
    IF x.type = "DGRAM" THEN Fail(p, "listen", "EOPNOTSUPP")
    ELSE IF x.path = NoPath \/ x.st = "CONNECTED" THEN Fail(p, "listen", "EINVAL")
    ELSE /\ sock' = [sock EXCEPT ![s].st = "LISTEN", ![s].backlog = bl]
         /\ Record(p, "listen", 0)
         /\ UNCHANGED <<files, fdt, alive, pending, net>>

(* UnixConnect of a stream or seqpacket socket: the listener is looked up *)
(* first (ENOENT, ECONNREFUSED, EPROTOTYPE; a socket that does not listen *)
(* or stopped reading refuses), then its queue (full: more than backlog   *)
(* waiting), then the socket itself (EISCONN, EINVAL for a listener).     *)
(* A new socket for the server's end, named as the listener and with its  *)
(* SO_PASSCRED, joins the                                                 *)
(* listener's queue and the call returns 0 at once: both ends are         *)
(* connected before accept.                                               *)
UnixConnect(p, s, path) ==
    LET x == sock[s]
        r == Lookup(p[1], path, x.type)
        l == r.sid
    IN
    IF AutobindsForCreds(x) THEN Fail(p, "connect", OutsideCreds)
    ELSE IF r.err # "none" THEN Fail(p, "connect", r.err)
    ELSE IF sock[l].st # "LISTEN" \/ sock[l].rdshut THEN Fail(p, "connect", "ECONNREFUSED")
    ELSE IF Len(sock[l].acceptq) > sock[l].backlog THEN
         Fail(p, "connect", IF x.nonblock THEN "EAGAIN" ELSE OutsideUnixFull)
    ELSE IF x.st = "CONNECTED" THEN Fail(p, "connect", "EISCONN")
    ELSE IF x.st = "LISTEN" THEN Fail(p, "connect", "EINVAL")
    ELSE IF FreeSids = {} THEN Fail(p, "connect", "ENOBUFS")
    ELSE LET e == Min(FreeSids) IN
         /\ sock' = [sock EXCEPT ![e] = [FreeSocket EXCEPT !.proto = "unix", !.fam = "UNIX", !.type = x.type, !.host = p[1],
                                            !.st = "CONNECTED", !.path = sock[l].path, !.peer = s, !.rpath = x.path,
                                            !.listener = l, !.conn = TRUE,
                                            \* It takes the listener's SO_PASSCRED as it is now (probed on Linux 6.18).
                                            !.flags = sock[l].flags \cap {"SO_PASSCRED"}],
                                 ![s].st = "CONNECTED", ![s].peer = e, ![s].rpath = sock[l].path, ![s].conn = TRUE,
                                 ![l].acceptq = Append(@, e)]
         /\ Record(p, "connect", 0)
         /\ UNCHANGED <<files, fdt, alive, pending, net>>

\* Whether socket s, leaving its peer for to, empties a queue in which
\* messages carry sockets (SCM_RIGHTS): Linux then lets them go, which the
\* spec does not follow (OutsideRights).
DropsCarried(s, to) == sock[s].st = "CONNECTED" /\ sock[s].peer # to /\ Carried(sock, s) # {}

\* A datagram socket that leaves its peer for another, or for none: its
\* queue is emptied (unix_dgram_disconnected), and a peer that is alive,
\* connected back to it and had datagrams waiting there is told ECONNRESET.
\* est is Linux's connected state of a datagram socket, which only
\* /proc/net/unix shows (UnixRowState): a connect sets it on both sockets,
\* the one connected to as well; the old peer left loses it unless it has
\* a peer of its own (also when others are still connected to it); the
\* close of a peer leaves it. Probed on Linux 6.18.
Reconnected(s, to) ==
    LET x == sock[s]
        old == x.peer
        leaves == x.st = "CONNECTED" /\ old # to
    IN [t \in Sids |->
          IF t = s THEN [x EXCEPT !.peer = to, !.rpath = IF to = NoSid THEN NoPath ELSE sock[to].path,
                                  !.st = IF to = NoSid THEN "UNCONNECTED" ELSE "CONNECTED",
                                  !.datagrams = IF leaves THEN <<>> ELSE @, !.est = to # NoSid]
          ELSE IF t = to THEN [sock[t] EXCEPT !.est = TRUE]
          ELSE IF leaves /\ t = old THEN [sock[t] EXCEPT !.err = IF sock[t].peer = s /\ x.datagrams # <<>> THEN "ECONNRESET" ELSE @,
                                                         !.est = sock[t].peer # NoSid]
          ELSE sock[t]]

(* UnixDgramConnect: a datagram socket takes a peer: it sends there when  *)
(* it names none, and takes datagrams only from there (MaySend). EPERM    *)
(* when the peer is connected to another socket.                          *)
UnixDgramConnect(p, s, path) ==
    LET r == Lookup(p[1], path, "DGRAM") IN
    IF AutobindsForCreds(sock[s]) THEN Fail(p, "connect", OutsideCreds)
    ELSE IF r.err # "none" THEN Fail(p, "connect", r.err)
    ELSE IF ~MaySend(s, r.sid) THEN Fail(p, "connect", "EPERM")
    ELSE IF DropsCarried(s, r.sid) THEN Fail(p, "connect", OutsideRights)
    ELSE /\ sock' = Reconnected(s, r.sid)
         /\ Record(p, "connect", 0)
         /\ UNCHANGED <<files, fdt, alive, pending, net>>

(* UnixDisconnect: connect(AF_UNSPEC) of a datagram socket forgets its    *)
(* peer.                                                                   *)
UnixDisconnect(p, s) ==
    IF DropsCarried(s, NoSid) THEN Fail(p, "connect", OutsideRights)
    ELSE
    /\ sock' = Reconnected(s, NoSid)
    /\ Record(p, "connect", 0)
    /\ UNCHANGED <<files, fdt, alive, pending, net>>


\* A datagram or seqpacket send's error pending, reported and cleared
\* first (sock_alloc_send_pskb reads it before it looks at anything else).
ReportError(p, op, s) ==
    /\ sock' = [sock EXCEPT ![s].err = "none"]
    /\ Record(p, op, sock[s].err)
    /\ UNCHANGED <<files, fdt, alive, pending, net>>

(* UnixSend (send, or sendto on a seqpacket socket, whose address is      *)
(* ignored): a stream's bytes join the peer's stream; a record or a       *)
(* datagram joins the peer's queue whole, with the sender's name. Not     *)
(* connected: ENOTCONN. A stream socket (unix_stream_sendmsg) shut for    *)
(* writing, or whose peer stopped reading or is gone, says EPIPE and      *)
(* leaves an error pending where it is. A datagram or seqpacket socket    *)
(* (unix_dgram_sendmsg) reports its pending error first, then EPIPE when  *)
(* shut for writing; a seqpacket socket whose peer is gone says EPIPE; a  *)
(* datagram socket whose peer is gone learns it now: ECONNREFUSED, it is  *)
(* no longer connected and its queue is emptied; EPERM when the peer is   *)
(* connected to another socket; EPIPE when it stopped reading. A record  *)
(* or datagram carries the sockets rs passed with it (SendMsg), and its   *)
(* sender's credentials (CredOf; cr: the sendmsg passed them).            *)
UnixSendRights(p, op, s, d, rs, cr) ==
    LET x == sock[s]
        o == x.peer
    IN
    IF x.type = "STREAM" THEN
       IF x.st # "CONNECTED" THEN Fail(p, op, "ENOTCONN")
       ELSE IF x.wrshut \/ o = NoSid \/ sock[o].rdshut THEN Fail(p, op, "EPIPE")
       \* Bytes sent with sockets or credentials are a piece that carries them (none sent: nothing is passed).
       ELSE LET c == CredOf(p, s, o, cr) IN
            /\ sock' = [sock EXCEPT ![o].stream = @ \o d,
                                    ![o].marks = IF (rs = <<>> /\ c = NoCred) \/ d = "" THEN @
                                                 ELSE Append(@, [from |-> Len(sock[o].stream) + 1,
                                                                 to |-> Len(sock[o].stream) + Len(d), rights |-> rs, cred |-> c])]
            /\ Record(p, op, Len(d))
            /\ UNCHANGED <<files, fdt, alive, pending, net>>
    \* A seqpacket socket must be connected before anything else (unix_seqpacket_sendmsg); a
    \* datagram socket reports its error and its shutdown first, then that it has no peer.
    ELSE IF x.type = "SEQPACKET" /\ x.st # "CONNECTED" THEN Fail(p, op, "ENOTCONN")
    ELSE IF AutobindsForCreds(x) THEN Fail(p, op, OutsideCreds)
    ELSE IF x.err # "none" THEN ReportError(p, op, s)
    ELSE IF x.wrshut THEN Fail(p, op, "EPIPE")
    ELSE IF x.st # "CONNECTED" THEN Fail(p, op, "ENOTCONN")
    ELSE IF x.type = "SEQPACKET" /\ o = NoSid THEN Fail(p, op, "EPIPE")
    ELSE IF o = NoSid /\ Carried(sock, s) # {} THEN Fail(p, op, OutsideRights)
    ELSE IF o = NoSid THEN
         /\ sock' = [sock EXCEPT ![s].st = "UNCONNECTED", ![s].rpath = NoPath, ![s].datagrams = <<>>, ![s].est = FALSE]
         /\ Record(p, op, "ECONNREFUSED")
         /\ UNCHANGED <<files, fdt, alive, pending, net>>
    ELSE IF ~MaySend(s, o) THEN Fail(p, op, "EPERM")
    ELSE IF sock[o].rdshut THEN Fail(p, op, "EPIPE")
    ELSE /\ sock' = [sock EXCEPT ![o].datagrams = Append(@, UnixMessage(s, d, rs, CredOf(p, s, o, cr)))]
         /\ Record(p, op, Len(d))
         /\ UNCHANGED <<files, fdt, alive, pending, net>>

UnixSend(p, op, s, d) == UnixSendRights(p, op, s, d, <<>>, FALSE)

(* UnixSendTo: a datagram to a name (S4, S13): after the sender's error   *)
(* and its shutdown for writing, looked up as connect looks it up; EPERM  *)
(* when that socket is connected to another; EPIPE when it stopped        *)
(* reading. A stream socket takes no address: EISCONN when connected,     *)
(* EOPNOTSUPP when not; a seqpacket socket ignores it (UnixSend).         *)
UnixSendTo(p, s, d, path) ==
    LET x == sock[s]
        r == Lookup(p[1], path, "DGRAM")
        o == r.sid
    IN
    IF x.type = "STREAM" THEN Fail(p, "sendto", IF x.st = "CONNECTED" THEN "EISCONN" ELSE "EOPNOTSUPP")
    ELSE IF x.type = "SEQPACKET" THEN UnixSend(p, "sendto", s, d)
    \* The name is checked as it is read, before anything else (unix_validate_addr).
    ELSE IF path = NoPath THEN Fail(p, "sendto", "EINVAL")
    ELSE IF AutobindsForCreds(x) THEN Fail(p, "sendto", OutsideCreds)
    ELSE IF x.err # "none" THEN ReportError(p, "sendto", s)
    ELSE IF x.wrshut THEN Fail(p, "sendto", "EPIPE")
    ELSE IF r.err # "none" THEN Fail(p, "sendto", r.err)
    ELSE IF ~MaySend(s, o) THEN Fail(p, "sendto", "EPERM")
    ELSE IF sock[o].rdshut THEN Fail(p, "sendto", "EPIPE")
    ELSE /\ sock' = [sock EXCEPT ![o].datagrams = Append(@, UnixDatagram(s, d, CredOf(p, s, o, FALSE)))]
         /\ Record(p, "sendto", Len(d))
         /\ UNCHANGED <<files, fdt, alive, pending, net>>

(* UnixShutdown: always 0, connected or not. A stream or seqpacket       *)
(* socket's peer is shut the other way round: SHUT_WR here ends the       *)
(* peer's reading (its recv gives end of file), SHUT_RD here ends its     *)
(* sending (EPIPE).                                                       *)
UnixShutdown(p, s, how) ==
    LET x == sock[s]
        rd == how \in {"RD", "RDWR"}
        wr == how \in {"WR", "RDWR"}
    IN
    /\ sock' = [t \in Sids |->
                   IF t = s THEN [x EXCEPT !.rdshut = @ \/ rd, !.wrshut = @ \/ wr]
                   ELSE IF t = x.peer /\ Connective(x) THEN [sock[t] EXCEPT !.rdshut = @ \/ wr, !.wrshut = @ \/ rd]
                   ELSE sock[t]]
    /\ Record(p, "shutdown", 0)
    /\ UNCHANGED <<files, fdt, alive, pending, net>>

(* UnixLastClose: the socket goes with its last descriptor; its file      *)
(* stays (a later connect is refused, a bind finds the path in use). The *)
(* peer of a stream or seqpacket socket is shut both ways, and told        *)
(* ECONNRESET when data it sent were never read, or when the closed socket *)
(* was one nobody accepted. A listener's queue goes: each socket in it is *)
(* closed so, which tells its client. Datagram sockets connected to the   *)
(* closed socket stay connected to it, which is gone (UnixSend).          *)
UnixLastClose(tbl, s) ==
    LET x == tbl[s]
        queued == {c \in Sids : tbl[c].proto = "unix" /\ tbl[c].listener = s}
        gone == queued \cup {s}
        \* The sockets at the other end of a connection of a socket that goes, and whether to reset them.
        ends == {tbl[c].peer : c \in {c \in gone : Connective(tbl[c])}} \ ({NoSid} \cup gone)
        reset(o) == \E c \in gone : tbl[c].peer = o /\ (c \in queued \/ tbl[c].stream # "" \/ tbl[c].datagrams # <<>>)
    IN [c \in Sids |->
          IF c \in gone THEN FreeSocket
          ELSE IF c \in ends THEN [tbl[c] EXCEPT !.rdshut = TRUE, !.wrshut = TRUE, !.peer = NoSid,
                                                 !.err = IF reset(c) THEN "ECONNRESET" ELSE @,
                                                 !.datagrams = Forgot(@, gone)]
          ELSE IF tbl[c].proto = "unix" /\ tbl[c].peer \in gone
          THEN [tbl[c] EXCEPT !.peer = NoSid, !.datagrams = Forgot(@, gone)]
          ELSE IF tbl[c].proto = "unix" THEN [tbl[c] EXCEPT !.datagrams = Forgot(@, gone)]
          ELSE tbl[c]]

(* UnixSocketPair: two sockets of one type, unnamed, connected to each   *)
(* other, with the two lowest free descriptors (socketpair(2)).           *)
UnixPair(h, t, a, b, nb) ==
    [c \in Sids |->
        IF c \in {a, b} THEN [FreeSocket EXCEPT !.proto = "unix", !.fam = "UNIX", !.type = t, !.host = h, !.st = "CONNECTED", !.est = TRUE,
                                                !.peer = IF c = a THEN b ELSE a, !.conn = TRUE, !.nonblock = nb]
        ELSE sock[c]]

(* UnixReadiness: the events poll reports of a Unix socket, as Linux's    *)
(* unix_poll and unix_dgram_poll give them: POLLIN with data, records,   *)
(* datagrams or a connection to accept, or once shut for reading (with    *)
(* POLLRDHUP); POLLHUP shut both ways, or a stream or seqpacket socket    *)
(* that is not connected (a new one too); POLLOUT but for a listener (no  *)
(* send buffer fills in the model); POLLERR (err) with an error pending.  *)
UnixReadiness(x, err) ==
    LET queued == x.stream # "" \/ x.datagrams # <<>> \/ x.acceptq # <<>>
        hup == (x.rdshut /\ x.wrshut) \/ (Connective(x) /\ x.st = "UNCONNECTED")
    IN err \cup (IF hup THEN {"POLLHUP"} ELSE {})
           \cup (IF x.rdshut \/ queued THEN {"POLLIN"} ELSE {})
           \cup (IF x.rdshut THEN {"POLLRDHUP"} ELSE {})
           \cup (IF x.st = "LISTEN" THEN {} ELSE {"POLLOUT"})

(* What recv of at most n bytes gives on a Unix socket, as RecvResults   *)
(* in SocketApi.tla: a stream (unix_stream_read_generic) that is not      *)
(* connected says EINVAL; else its bytes first, then its error, then end  *)
(* of file once shut for reading, else it waits. A seqpacket socket       *)
(* (unix_seqpacket_recvmsg) not connected says ENOTCONN; else its error,  *)
(* then its records, then end of file, also to a call that may not wait.  *)
(* A datagram socket: its error, its datagrams, then end of file to a     *)
(* call that may wait only, as UDP's. A stream's recvfrom names the       *)
(* peer.                                                                  *)
\* The credentials the byte at i of a Unix stream carries.
CredAt(x, i) ==
    LET ms == {j \in DOMAIN x.marks : x.marks[j].from <= i /\ i <= x.marks[j].to}
    IN IF ms = {} THEN NoCred ELSE x.marks[Min(ms)].cred
\* The pieces of a Unix stream that carry sockets.
RightsMarks(x) == {j \in DOMAIN x.marks : x.marks[j].rights # <<>>}
\* Where a read with SO_PASSCRED ends: before the first byte whose
\* credentials are not the first byte's (unix_stream_read_generic never
\* joins bytes of different writers then; probed on Linux 6.18: "ab" sent
\* before SO_PASSCRED and "cd" after are read as "ab", then "cd", also
\* with MSG_WAITALL; without SO_PASSCRED as "abcd").
CredEnds(x) == IF PassCred(x) THEN {i - 1 : i \in {i \in 2..Len(x.stream) : CredAt(x, i) # CredAt(x, 1)}} ELSE {}
\* How many bytes a read of at most n takes from a Unix stream: a read
\* that reaches a piece carrying sockets stops at its end, also with
\* MSG_WAITALL, so that one read gives the sockets of one sendmsg
\* (unix_stream_read_generic breaks once it has them; probed on Linux
\* 6.18: "ab" then "cd" with a socket read as "abcd", "cd" with one then
\* "ef" as "cd"), and at CredEnds. Whether the read gets the sockets: it
\* reaches their piece.
UnixTake(x, n) == Min({n, Len(x.stream)} \cup {x.marks[j].to : j \in RightsMarks(x)} \cup CredEnds(x))
UnixGets(x, k) == RightsMarks(x) # {} /\ k >= x.marks[Min(RightsMarks(x))].from
UnixRights(x) == x.marks[Min(RightsMarks(x))].rights
\* The pieces left once k bytes are read: the one read from gives up its
\* sockets (the rest of its bytes carry none) and keeps its credentials.
UnixMarksAfter(x, k) ==
    LET left == SelectSeq(x.marks, LAMBDA m : m.to > k)
        cut == [i \in DOMAIN left |-> [left[i] EXCEPT !.from = IF @ > k THEN @ - k ELSE 1, !.to = @ - k,
                                                      !.rights = IF left[i].from > k THEN @ ELSE <<>>]]
    IN SelectSeq(cut, LAMBDA m : m.rights # <<>> \/ m.cred # NoCred)
\* The credentials a recvmsg on a Unix socket with SO_PASSCRED shows for
\* the result r of RecvResults (<<>>: none shown).
UnixCreds(x, r) ==
    CASE ~PassCred(x) -> <<>>
      [] r.kind = "data" /\ r.dgram -> <<Head(x.datagrams).cred>>
      [] r.kind = "data" -> <<CredAt(x, 1)>>
      [] r.kind = "eof" /\ x.type = "STREAM" -> <<ZeroCred>>
      [] OTHER -> <<>>

UnixRecvStream(x, k) == [kind |-> "data", ret |-> [data |-> SubSeq(x.stream, 1, k), from |-> UnixName(x.rpath)],
                         bytes |-> k, dgram |-> FALSE, clear |-> FALSE]
==============================================================================
