--------------------------------- MODULE Tcp ---------------------------------
(***************************************************************************)
(* TCP segment arrival and TCP timers: RFC 9293 section 3.10.7, one       *)
(* action per state and kind of segment. Each action takes one segment m  *)
(* from the network; the socket it reaches is found by TcpTarget, the     *)
(* demultiplexing of S15 (an exact connection first, then a listener on   *)
(* the exact address, then one on the wildcard).                          *)
(***************************************************************************)
EXTENDS Network

Exact(m) ==
    {s \in Sids : /\ sock[s].proto = "tcp" /\ sock[s].host = HostOf(m.dst[1])
                  /\ sock[s].st \notin {"CLOSED", "LISTEN"}
                  /\ sock[s].lip = m.dst[1] /\ sock[s].lport = m.dst[2]
                  /\ sock[s].rip = m.src[1] /\ sock[s].rport = m.src[2]}

\* The listeners of table tbl on m's port and address (wild: on a wildcard
\* address that takes m's family: [::] takes IPv4 too, unless IPV6_V6ONLY).
ListeningIn(tbl, m, wild) ==
    {s \in Sids : /\ tbl[s].proto = "tcp" /\ tbl[s].host = HostOf(m.dst[1])
                  /\ tbl[s].st = "LISTEN"
                  /\ tbl[s].lport = m.dst[2]
                  /\ IF wild THEN Wildcard(tbl[s].lip) /\ Takes(tbl[s].lip, tbl[s].v6only, m.dst[1])
                     ELSE tbl[s].lip = m.dst[1]}

Listening(m, wild) == ListeningIn(sock, m, wild)

TcpTarget(m) ==
    IF Exact(m) # {} THEN Min(Exact(m))
    ELSE IF Listening(m, FALSE) # {} THEN Min(Listening(m, FALSE))
    ELSE IF Listening(m, TRUE) # {} THEN Min(Listening(m, TRUE))
    ELSE NoSid

\* The listeners a SYN may reach: listeners that share an address by
\* SO_REUSEPORT take connections in turn, as Linux's hash of the four
\* addresses picks; which one is left open. Otherwise TcpTarget's.
SynTargets(m) ==
    IF Exact(m) # {} THEN {Min(Exact(m))}
    ELSE IF Listening(m, FALSE) # {} THEN Listening(m, FALSE)
    ELSE IF Listening(m, TRUE) # {} THEN Listening(m, TRUE)
    ELSE {}

\* A segment from socket s to its peer.
Out(s, kind, seq, ack) ==
    Seg("tcp", kind, <<sock[s].lip, sock[s].lport>>, <<sock[s].rip, sock[s].rport>>, seq, ack, "none")

InFlightFor(s) ==
    \E m \in net :
        /\ m.proto = "tcp"
        /\ \/ m.dst = <<sock[s].lip, sock[s].lport>> /\ m.src = <<sock[s].rip, sock[s].rport>>
           \/ m.src = <<sock[s].lip, sock[s].lport>> /\ m.dst = <<sock[s].rip, sock[s].rport>>

TcpSeg(m, kind) == m \in net /\ m.proto = "tcp" /\ m.kind = kind

SetState(s, st) == [sock EXCEPT ![s].st = st]

UnchangedApi == UNCHANGED <<files, fdt, alive, pending, evt>>
\* An arrival leaves the processes alone and records which action took m.
Took(action, m) == UNCHANGED <<files, fdt, alive, pending>> /\ NetRecord(action, m)

------------------------------------------------------------------------------
(* LISTEN *)

(* A listener l of table tbl takes the SYN m: a new entry in SYN-RECEIVED *)
(* for the connection, with the listener's port and SO_REUSEADDR; with no *)
(* free entry the SYN is dropped, as a full backlog drops it. The new     *)
(* table and the segments sent.                                           *)
Accepting(tbl, l, m) ==
    LET free == {c \in Sids : tbl[c].proto = "none"}
    IN IF free = {} THEN [tbl |-> tbl, segs |-> {}]
       ELSE LET c == Min(free) IN
            [tbl |-> [tbl EXCEPT ![c] =
                         [FreeSocket EXCEPT !.proto = "tcp", !.host = HostOf(m.dst[1]),
                          \* The listener's family: an INET6 listener's connection from IPv4 is shown v4-mapped.
                          !.fam = tbl[l].fam, !.v6only = tbl[l].v6only,
                          !.lip = m.dst[1], !.lport = m.dst[2],
                          !.rip = m.src[1], !.rport = m.src[2],
                          !.st = "SYN-RECEIVED", !.listener = l,
                          !.reuse = tbl[l].reuse, !.bindreuse = tbl[l].reuse,
                          \* The listener's options (sk_clone_lock; probed: SO_LINGER, SO_KEEPALIVE, TCP_NODELAY,
                          \* and the buffer sizes it was given).
                          !.flags = tbl[l].flags, !.linger = tbl[l].linger, !.rcvbuf = tbl[l].rcvbuf, !.sndbuf = tbl[l].sndbuf, !.bindip = tbl[l].bindip, !.synsent = TRUE,
                          \* Linux: the port of a connection is not the user's (sk_clone_lock
                          \* clears SOCK_BINDPORT_LOCK), so it is given back when the connection ends.
                          !.picked = Profile = "LINUX" \/ tbl[l].picked,
                          \* Linux: the flags a failed shutdown left on the listener (sk_clone_lock).
                          !.rdshut = Profile = "LINUX" /\ tbl[l].rdshut, !.wrshut = Profile = "LINUX" /\ tbl[l].wrshut,
                          !.sndnxt = 1, !.rcvnxt = m.seq + 1]],
             segs |-> {Seg("tcp", "SYNACK", m.dst, m.src, 0, m.seq + 1, "none")}]

(* RcvSynInListen: a SYN for a listener makes a new entry in SYN-RECEIVED *)
(* for the connection and answers SYN-ACK (3.10.7.2). A listener whose    *)
(* accept queue is full takes no SYN: Linux drops it (tcp_conn_request,   *)
(* sk_acceptq_is_full: more waiting than the backlog) and the client      *)
(* sends it again after its timer, so here it stays in flight until the   *)
(* queue has room (an accept) or the listener is gone (then it is         *)
(* refused). The last ACK of a handshake waits the same way.              *)
QueueFull(l) == Len(sock[l].acceptq) > sock[l].backlog

RcvSynInListen(m, keep) ==
    /\ TcpSeg(m, "SYN")
    /\ \E l \in SynTargets(m) :
       /\ sock[l].st = "LISTEN" /\ ~QueueFull(l)
       /\ LET r == Accepting(sock, l, m) IN sock' = r.tbl /\ Arrive(m, keep, r.segs)
    /\ Took("RcvSynInListen", m)

(* RcvOtherInListen: anything but a SYN for a listener is answered by RST *)
(* (an RST itself is ignored), 3.10.7.2.                                   *)
RcvOtherInListen(m, keep) ==
    /\ m \in net /\ m.proto = "tcp" /\ m.kind # "SYN"
    /\ LET l == TcpTarget(m) IN l # NoSid /\ sock[l].st = "LISTEN"
    /\ Arrive(m, keep, IF m.kind = "RST" THEN {}
                       ELSE {Seg("tcp", "RST", m.dst, m.src, m.ack, m.seq + 1, "none")})
    /\ UNCHANGED sock /\ Took("RcvOtherInListen", m)

(* RcvForNoSocket: a segment no socket takes is answered by RST, unless   *)
(* it is one (3.10.7.1). This is how a connect to a closed port is        *)
(* refused.                                                               *)
RcvForNoSocket(m, keep) ==
    /\ m \in net /\ m.proto = "tcp" /\ TcpTarget(m) = NoSid
    /\ Arrive(m, keep, IF m.kind = "RST" THEN {}
                       ELSE {Seg("tcp", "RST", m.dst, m.src, m.ack, m.seq + 1, "none")})
    /\ UNCHANGED sock /\ Took("RcvForNoSocket", m)

------------------------------------------------------------------------------
(* SYN-SENT (3.10.7.3) *)

(* RcvSynAckInSynSent: the SYN-ACK that acknowledges our SYN establishes  *)
(* the connection; we acknowledge it.                                     *)
RcvSynAckInSynSent(m, keep) ==
    /\ TcpSeg(m, "SYNACK")
    /\ LET s == TcpTarget(m) IN
       /\ s # NoSid /\ sock[s].st = "SYN-SENT" /\ m.ack = sock[s].sndnxt
       /\ sock' = [sock EXCEPT ![s].st = "ESTABLISHED", ![s].snduna = m.ack, ![s].rcvnxt = m.seq + 1,
                                ![s].pickedip = FALSE]
       /\ Arrive(m, keep, {Seg("tcp", "ACK", m.dst, m.src, sock[s].sndnxt, m.seq + 1, "none")})
    /\ Took("RcvSynAckInSynSent", m)

(* RcvSynInSynSent: a SYN without ACK while our own SYN is out is a       *)
(* simultaneous open: SYN-RECEIVED, and a SYN-ACK back.                   *)
RcvSynInSynSent(m, keep) ==
    /\ TcpSeg(m, "SYN")
    /\ LET s == TcpTarget(m) IN
       /\ s # NoSid /\ sock[s].st = "SYN-SENT"
       /\ sock' = [sock EXCEPT ![s].st = "SYN-RECEIVED", ![s].rcvnxt = m.seq + 1]
       /\ Arrive(m, keep, {Seg("tcp", "SYNACK", m.dst, m.src, 0, m.seq + 1, "none")})
    /\ Took("RcvSynInSynSent", m)

(* HandshakeFailed: entry s of table tbl, a handshake that failed, is     *)
(* CLOSED. LINUX shuts it both ways (tcp_done sets SHUTDOWN_MASK): until  *)
(* connect reports the failure (and tcp_disconnect clears the flags, see  *)
(* Disconnected), a recv after SO_ERROR gives end of file and poll says   *)
(* POLLIN and POLLRDHUP (probed on Linux 6.18).                            *)
HandshakeFailed(tbl, s) ==
    [tbl EXCEPT ![s].st = "CLOSED", ![s].rdshut = @ \/ Profile = "LINUX", ![s].wrshut = @ \/ Profile = "LINUX"]

(* RcvRstInSynSent: an RST that acknowledges our SYN refuses the          *)
(* connection; connect will return ECONNREFUSED.                          *)
RcvRstInSynSent(m, keep) ==
    /\ TcpSeg(m, "RST")
    /\ LET s == TcpTarget(m) IN
       /\ s # NoSid /\ sock[s].st = "SYN-SENT" /\ m.ack = sock[s].sndnxt
       /\ sock' = Forget(HandshakeFailed([sock EXCEPT ![s].err = "ECONNREFUSED"], s), s)
       /\ Arrive(m, keep, {})
    /\ Took("RcvRstInSynSent", m)

------------------------------------------------------------------------------
(* SYN-RECEIVED *)

(* RcvAckInSynReceived: the ACK of our SYN-ACK (or the peer's SYN-ACK in  *)
(* a simultaneous open) establishes the connection; a listener's new      *)
(* connection joins its accept queue (S9, S10).                           *)
RcvAckInSynReceived(m, keep) ==
    /\ m \in net /\ m.proto = "tcp" /\ m.kind \in {"ACK", "SYNACK"}
    /\ LET s == TcpTarget(m) IN
       /\ s # NoSid /\ sock[s].st = "SYN-RECEIVED" /\ m.ack = sock[s].sndnxt
       /\ sock[s].listener # NoSid => ~QueueFull(sock[s].listener)
       \* Linux: a connection whose socket carries a shutdown flag for writing
       \* (inherited from its listener, or kept through connect) sends its FIN as
       \* soon as it is established (probed on Linux 6.18).
       /\ LET l == sock[s].listener
              x == sock[s]
              est == [sock EXCEPT ![s].st = IF x.wrshut THEN "FIN-WAIT-1" ELSE "ESTABLISHED", ![s].snduna = m.ack,
                                  ![s].pickedip = FALSE,
                                  ![s].finseq = IF x.wrshut THEN x.sndnxt ELSE @,
                                  ![s].sndnxt = IF x.wrshut THEN @ + 1 ELSE @]
          IN /\ sock' = IF l = NoSid THEN est ELSE [est EXCEPT ![l].acceptq = Append(@, s)]
             /\ Arrive(m, keep, IF x.wrshut THEN {Seg("tcp", "FIN", m.dst, m.src, x.sndnxt, x.rcvnxt, "none")} ELSE {})
    /\ Took("RcvAckInSynReceived", m)

(* RcvRstInSynReceived: a reset handshake ends. A listener's connection   *)
(* just disappears; an active open reports ECONNREFUSED.                  *)
RcvRstInSynReceived(m, keep) ==
    /\ TcpSeg(m, "RST")
    /\ LET s == TcpTarget(m) IN
       /\ s # NoSid /\ sock[s].st = "SYN-RECEIVED" /\ m.seq = sock[s].rcvnxt
       /\ sock' = Forget(HandshakeFailed([sock EXCEPT ![s].err = IF sock[s].listener = NoSid THEN "ECONNREFUSED" ELSE "none"], s), s)
       /\ Arrive(m, keep, {})
    /\ Took("RcvRstInSynReceived", m)

------------------------------------------------------------------------------
(* The synchronized states (3.10.7.4) *)

(* Whether new data for s, which has sent its FIN, can no longer be read:  *)
(* RFC 1122 4.2.2.13 (data after CLOSE draws a reset). POSIX systems (BSD) *)
(* reset when no descriptor refers to the socket; Linux when its reading  *)
(* side is shut, by close or by shutdown(SHUT_RD).                        *)
ReadsNoMore(s) ==
    /\ sock[s].st \in {"FIN-WAIT-1", "FIN-WAIT-2"}
    /\ IF Profile = "LINUX" THEN sock[s].rdshut ELSE ~Held(s)

(* RcvData: the bytes of the next data segment join the stream for recv   *)
(* and are acknowledged (S10, S18). Only the segment numbered RCV.NXT is  *)
(* taken, so the stream stays in order whatever the network does.         *)
RcvData(m, keep) ==
    /\ TcpSeg(m, "DATA")
    /\ LET s == TcpTarget(m) IN
       /\ s # NoSid /\ sock[s].st \in {"ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2"}
       /\ m.seq = sock[s].rcvnxt
       /\ ~ReadsNoMore(s)
       \* After SHUT_RD, POSIX discards what arrives; Linux queues it while a descriptor holds the socket.
       /\ sock' = [sock EXCEPT ![s].stream = IF sock[s].rdshut /\ (Profile = "POSIX" \/ ~Held(s)) THEN @
                                             ELSE @ \o m.data,
                               ![s].gap = @ \/ m.seq # sock[s].got + 1, ![s].got = m.seq,
                               ![s].rcvnxt = @ + 1]
       /\ Arrive(m, keep, {Out(s, "ACK", sock[s].sndnxt, m.seq + 1)})
    /\ Took("RcvData", m)

(* RcvDataAfterClose: such data aborts the connection and is answered by  *)
(* RST, numbered by the segment's acknowledgement so that the peer takes  *)
(* it; a descriptor still on the socket sees ECONNRESET.                  *)
RcvDataAfterClose(m, keep) ==
    /\ TcpSeg(m, "DATA")
    /\ LET s == TcpTarget(m) IN
       /\ s # NoSid /\ m.seq = sock[s].rcvnxt /\ ReadsNoMore(s)
       /\ sock' = Forget([sock EXCEPT ![s].st = "CLOSED", ![s].err = "ECONNRESET"], s)
       /\ Arrive(m, keep, {Seg("tcp", "RST", m.dst, m.src, m.ack, m.seq + 1, "none")})
    /\ Took("RcvDataAfterClose", m)

(* EnterTimeWait: entry s of table tbl, a connection whose close is done *)
(* on our side, goes to TIME-WAIT. On LINUX a socket a descriptor still   *)
(* holds hands the connection to a time-wait entry of its own            *)
(* (tcp_time_wait: inet_twsk_hashdance, then tcp_done) and is itself      *)
(* CLOSED and shut both ways, giving back a port the stack picked        *)
(* (Forget): getpeername and shutdown then say ENOTCONN, and the port is *)
(* held by the time-wait entry alone. With no free entry Linux keeps no   *)
(* TIME-WAIT at all (its time-wait bucket overflow). Probed on Linux 6.18.*)
EnterTimeWait(tbl, s) ==
    LET tw == [tbl EXCEPT ![s].st = "TIME-WAIT"]
        free == {c \in Sids : tbl[c].proto = "none"}
        closed(t) == Forget([t EXCEPT ![s].st = "CLOSED", ![s].rdshut = TRUE, ![s].wrshut = TRUE], s)
    IN IF Profile = "POSIX" \/ ~Held(s) THEN tw
       ELSE IF free = {} THEN closed(tbl)
       ELSE closed([tbl EXCEPT ![Min(free)] = [tw[s] EXCEPT !.stream = "", !.listener = NoSid]])

(* RcvFin: the peer's FIN ends its half of the stream: reads return end   *)
(* of file once the data before it is read. ESTABLISHED goes to          *)
(* CLOSE-WAIT, FIN-WAIT-1 to CLOSING (simultaneous close), FIN-WAIT-2 to  *)
(* TIME-WAIT.                                                             *)
RcvFin(m, keep) ==
    /\ TcpSeg(m, "FIN")
    /\ LET s == TcpTarget(m)
           next == [e \in {"ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2"} |->
                      CASE e = "ESTABLISHED" -> "CLOSE-WAIT"
                        [] e = "FIN-WAIT-1" -> "CLOSING"
                        [] e = "FIN-WAIT-2" -> "TIME-WAIT"]
       IN
       /\ s # NoSid /\ sock[s].st \in DOMAIN next
       /\ m.seq = sock[s].rcvnxt
       /\ LET t == [sock EXCEPT ![s].fin = TRUE, ![s].rcvnxt = @ + 1, ![s].st = next[sock[s].st]]
          IN sock' = IF next[sock[s].st] = "TIME-WAIT" THEN EnterTimeWait(t, s) ELSE t
       /\ Arrive(m, keep, {Out(s, "ACK", sock[s].sndnxt, m.seq + 1)})
    /\ Took("RcvFin", m)

FinAcked(s, una) == sock[s].finseq > 0 /\ una > sock[s].finseq

(* RcvAck: an acknowledgement moves SND.UNA. When it covers our FIN,      *)
(* FIN-WAIT-1 goes to FIN-WAIT-2, CLOSING to TIME-WAIT and LAST-ACK to    *)
(* CLOSED. An old or duplicate ACK changes nothing.                       *)
RcvAck(m, keep) ==
    /\ TcpSeg(m, "ACK")
    /\ LET s == TcpTarget(m) IN
       /\ s # NoSid /\ sock[s].st \in Synchronized
       /\ LET una == IF m.ack > sock[s].snduna /\ m.ack <= sock[s].sndnxt THEN m.ack ELSE sock[s].snduna
              st == sock[s].st
              to == IF ~FinAcked(s, una) THEN st
                    ELSE CASE st = "FIN-WAIT-1" -> "FIN-WAIT-2"
                           [] st = "CLOSING" -> "TIME-WAIT"
                           [] st = "LAST-ACK" -> "CLOSED"
                           [] OTHER -> st
              t == [sock EXCEPT ![s].snduna = una, ![s].st = to]
          IN sock' = IF to = "TIME-WAIT" /\ st # "TIME-WAIT" THEN EnterTimeWait(t, s) ELSE Forget(t, s)
       /\ Arrive(m, keep, {})
    /\ Took("RcvAck", m)

(* RcvRst: an acceptable RST (its number is RCV.NXT, RFC 5961) aborts the *)
(* connection; the next send reports ECONNRESET (Linux: EPIPE in          *)
(* CLOSE-WAIT, where the peer had finished sending). Linux shuts both     *)
(* halves of the socket (tcp_done), so recv gives end of file after that. *)
RcvRst(m, keep) ==
    /\ TcpSeg(m, "RST")
    /\ LET s == TcpTarget(m) IN
       /\ s # NoSid /\ sock[s].st \in Synchronized /\ m.seq = sock[s].rcvnxt
       /\ sock' = Forget([sock EXCEPT ![s].st = "CLOSED",
                                       ![s].err = IF Profile = "LINUX" /\ sock[s].st = "CLOSE-WAIT"
                                                  THEN "EPIPE" ELSE "ECONNRESET",
                                       ![s].rdshut = @ \/ Profile = "LINUX",
                                       ![s].wrshut = @ \/ Profile = "LINUX"], s)
       /\ Arrive(m, keep, {})
    /\ Took("RcvRst", m)

(* RcvSynInTimeWait: Linux takes a SYN for the 4-tuple of a TIME-WAIT   *)
(* entry as a new connection at once (RFC 6191; on loopback the new       *)
(* sequence numbers always pass): the TIME-WAIT ends and a listener on    *)
(* the address takes the SYN; with none the SYN is refused by RST.        *)
(* Probed on Linux 6.18: a reconnect from the same port connects in under *)
(* a millisecond, or is refused at once when nothing listens.             *)
RcvSynInTimeWait(m, keep) ==
    /\ Profile = "LINUX" /\ TcpSeg(m, "SYN")
    /\ LET s == TcpTarget(m) IN
       /\ s # NoSid /\ sock[s].st = "TIME-WAIT"
       /\ LET gone == Forget(SetState(s, "CLOSED"), s)
              exact == ListeningIn(gone, m, FALSE)
              wild == ListeningIn(gone, m, TRUE)
              r == IF exact # {} THEN Accepting(gone, Min(exact), m)
                   ELSE IF wild # {} THEN Accepting(gone, Min(wild), m)
                   ELSE [tbl |-> gone, segs |-> {Seg("tcp", "RST", m.dst, m.src, m.ack, m.seq + 1, "none")}]
          IN sock' = r.tbl /\ Arrive(m, keep, r.segs)
    /\ Took("RcvSynInTimeWait", m)

(* RcvStale: a segment its connection cannot use is dropped: an old or   *)
(* duplicate segment (numbered below RCV.NXT), an RST with another        *)
(* number, a SYN or SYN-ACK after the handshake. A segment numbered above *)
(* RCV.NXT is not stale: it waits in the network for the ones before it.  *)
(* NOTE: the challenge ACK of RFC 5961 is not modelled.                   *)
RcvStale(m, keep) ==
    /\ m \in net /\ m.proto = "tcp"
    /\ LET s == TcpTarget(m) IN
       /\ s # NoSid /\ sock[s].st \notin {"LISTEN", "CLOSED"}
       /\ \/ m.kind \in {"DATA", "FIN"} /\ m.seq < sock[s].rcvnxt
          \/ m.kind = "RST" /\ sock[s].st \in Synchronized /\ m.seq # sock[s].rcvnxt
          \/ m.kind \in {"SYN", "SYNACK"} /\ sock[s].st \in Synchronized
             /\ ~(Profile = "LINUX" /\ m.kind = "SYN" /\ sock[s].st = "TIME-WAIT")
          \/ m.kind = "RST" /\ sock[s].st = "SYN-SENT" /\ m.ack # sock[s].sndnxt
          \/ m.kind = "SYNACK" /\ sock[s].st = "SYN-SENT" /\ m.ack # sock[s].sndnxt
          \/ m.kind \in {"DATA", "FIN"} /\ sock[s].st \in {"CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT"}
    /\ Arrive(m, keep, {})
    /\ UNCHANGED sock /\ Took("RcvStale", m)

------------------------------------------------------------------------------
(* Timers. NOTE: there is no clock; a timer may fire whenever its state  *)
(* allows, which covers every timing. Retransmission is not modelled: the *)
(* handshake timers stand for "retransmission gave up" and fire only when *)
(* nothing of the connection is in flight.                                *)

(* TimeWaitExpires: after 2*MSL a TIME-WAIT entry leaves the table and    *)
(* its address is free again.                                             *)
TimeWaitExpires(s) ==
    /\ sock[s].proto = "tcp" /\ sock[s].st = "TIME-WAIT"
    /\ sock' = Forget(SetState(s, "CLOSED"), s)
    /\ UNCHANGED <<files, net>> /\ UnchangedApi

(* FinWait2Timeout: Linux frees an orphaned FIN-WAIT-2 entry after        *)
(* tcp_fin_timeout, so a peer that never closes cannot hold it forever.   *)
FinWait2Timeout(s) ==
    /\ Profile = "LINUX"
    /\ sock[s].proto = "tcp" /\ sock[s].st = "FIN-WAIT-2" /\ ~Held(s)
    /\ sock' = Forget(SetState(s, "CLOSED"), s)
    /\ UNCHANGED <<files, net>> /\ UnchangedApi

(* HandshakeTimeout: a handshake that cannot progress gives up: a         *)
(* listener's half-open connection disappears, an active open reports     *)
(* ETIMEDOUT.                                                             *)
HandshakeTimeout(s) ==
    /\ sock[s].proto = "tcp" /\ sock[s].st \in {"SYN-SENT", "SYN-RECEIVED"}
    /\ ~InFlightFor(s)
    /\ sock' = Forget(HandshakeFailed([sock EXCEPT ![s].err = IF sock[s].listener = NoSid THEN "ETIMEDOUT" ELSE "none"], s), s)
    /\ UNCHANGED <<files, net>> /\ UnchangedApi

TcpArrival(m, keep) ==
    \/ RcvSynInListen(m, keep) \/ RcvOtherInListen(m, keep) \/ RcvForNoSocket(m, keep)
    \/ RcvSynAckInSynSent(m, keep) \/ RcvSynInSynSent(m, keep) \/ RcvRstInSynSent(m, keep)
    \/ RcvAckInSynReceived(m, keep) \/ RcvRstInSynReceived(m, keep)
    \/ RcvData(m, keep) \/ RcvDataAfterClose(m, keep) \/ RcvFin(m, keep) \/ RcvAck(m, keep) \/ RcvRst(m, keep)
    \/ RcvSynInTimeWait(m, keep) \/ RcvStale(m, keep)

TcpTimer(s) == TimeWaitExpires(s) \/ FinWait2Timeout(s) \/ HandshakeTimeout(s)
==============================================================================
