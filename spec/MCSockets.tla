------------------------------ MODULE MCSockets ------------------------------
(***************************************************************************)
(* Bounds for model checking Sockets with TLC. The spec itself has none.  *)
(* The .cfg files give small sets of hosts (model values), processes,     *)
(* ports, descriptors and table entries; this module adds a budget of     *)
(* calls: every behaviour in which processes make at most MaxCalls calls  *)
(* that change something is explored exhaustively, with all the network  *)
(* and timer steps those calls lead to. Calls that only return an errno   *)
(* change no state and cost nothing. StateConstraint cuts queues and the  *)
(* network to a size TLC covers quickly.                                  *)
(***************************************************************************)
EXTENDS Sockets, TLC

CONSTANTS MaxCalls, MaxQueue, MaxNet

VARIABLE calls  \* how many state-changing calls processes have made

mcvars == <<vars, calls>>

\* The longest send of the model: StateConstraint counts a stream's bytes in sends.
MaxSend == CHOOSE m \in {Len(d) : d \in Data} : \A d \in Data : Len(d) <= m

MCInit == Init /\ calls = 0

MCNext ==
    \/ /\ calls < MaxCalls
       /\ User
       /\ calls' = IF <<sock, fdt, alive, pending, net, files>>' = <<sock, fdt, alive, pending, net, files>>
                   THEN calls ELSE calls + 1
    \/ (System \/ Network) /\ UNCHANGED calls

MCSpec == MCInit /\ [][MCNext]_mcvars

\* FairSpec with the budget: the network, timers and returns are fair.
MCFairSpec ==
    /\ MCSpec
    /\ \A h \in Hosts : WF_mcvars(DeliverTo(h) /\ UNCHANGED calls)
    /\ \A s \in Sids : WF_mcvars(TcpTimer(s) /\ UNCHANGED calls)
    /\ \A p \in Callers : WF_mcvars((ConnectReturns(p) \/ AcceptReturns(p) \/ RecvReturns(p) \/ PollReturns(p)) /\ UNCHANGED calls)

\* A start from an established connection, as TLC reaches it after socket,
\* bind, listen, socket, connect, accept and close of the listener: host a's
\* process holds the accepted end (descriptor 4, port lp), host b's the
\* connecting end (descriptor 3, port ep), the listener is closed, nothing
\* is in flight. A model that starts here spends its calls on what follows
\* a handshake (data, shutdown, close from either end), so the closing
\* states, LAST-ACK and CLOSING among them, are reached in a few calls.
Established(h, lp, r, rp) ==
    [FreeSocket EXCEPT !.proto = "tcp", !.st = "ESTABLISHED", !.host = h, !.lip = h, !.lport = lp,
                       !.rip = r, !.rport = rp, !.conn = TRUE, !.snduna = 1, !.sndnxt = 1, !.rcvnxt = 1]

MCInitEstablished ==
    \E a, b \in Hosts, pr \in Procs, lp \in Ports, ep \in EphemeralPorts :
        /\ a # b /\ {2, 3} \subseteq Sids /\ {3, 4} \subseteq Fds
        /\ sock = [s \in Sids |-> CASE s = 2 -> Established(b, ep, a, lp)
                                    [] s = 3 -> Established(a, lp, b, ep)
                                    [] OTHER -> FreeSocket]
        /\ fdt = [p \in Proc |-> CASE p = <<a, pr>> -> [NoFd EXCEPT ![4] = 3]
                                  [] p = <<b, pr>> -> [NoFd EXCEPT ![3] = 2]
                                  [] OTHER -> NoFd]
        /\ alive = [p \in Proc |-> p[2] \notin Unborn]
        /\ pending = [c \in Callers |-> NoCall]
        /\ net = {}
        /\ files = {}
        /\ evt = "none"
        /\ calls = 0

\* Narrower argument sets, substituted in a .cfg with "<-".
TcpUdpTypes == {"STREAM", "DGRAM"}
InetDomain == {"INET"}
UnixDomain == {"UNIX"}
\* IPv4 and IPv6 sockets on hosts with an address of each family.
InetDomains == {"INET", "INET6"}
\* One path for Unix sockets to bind and connect to.
OnePath == {"srv"}
\* sendmsg passing one descriptor (SCM_RIGHTS), and recvmsg.
OneRight == {<<f>> : f \in Fds}
RecvMsg == {"recvmsg"}
TcpOnly == {"STREAM"}
UdpOnly == {"DGRAM"}
RawOnly == {"RAW"}
WriteShutdown == {"WR"}
ReuseOn == {TRUE}
NoReuse == {}
Blocking == {FALSE}
NoOptions == {}
NoPolls == {}
NoUnspecs == {}
\* A backlog no model fills: the queue holds MaxQueue at most.
OneBacklog == {8}
LingerOnly == {"SO_LINGER"}
ReuseOnly == {"SO_REUSEADDR"}
ReuseAndPort == {"SO_REUSEADDR", "SO_REUSEPORT"}
HostAddrs == Hosts
NamedPorts == AllPorts
LabelledPorts == Ports
LabelledOrNone == Ports \cup {0}
\* A raw socket's protocol: one that no modelled stack carries (RFC 3692 keeps 253 for experiments).
RawProtocol == {253}

\* Hosts and process names play interchangeable parts: TLC may check one
\* representative of each permutation (for safety only, not liveness).
Symmetry == Permutations(Hosts) \cup Permutations(Procs) \cup Permutations(Threads)

\* What small checks of a state (VIEW in small.cfg): what only a call's result
\* or Linux's /proc/net/tcp shows, and no action or invariant of small reads,
\* is left out, so that states differing only there are explored once: the
\* remote address a CLOSED or listening TCP entry remembers after a failed
\* connect (a listener's remote is read by ListenerHasNoRemote under POSIX
\* only), and the port getsockname still shows after Linux gave a picked one
\* back (sport). Results are not kept in the models (RecordEvents = FALSE).
\* The other models see both.
RememberedRemoteLeftOut ==
    <<[s \in Sids |-> IF sock[s].proto = "tcp" /\ sock[s].st \in {"CLOSED", "LISTEN"}
                      THEN [sock[s] EXCEPT !.rip = NoHost, !.sport = 0] ELSE [sock[s] EXCEPT !.sport = 0]],
      fdt, alive, pending, net, files, evt, calls>>

StateConstraint ==
    /\ \A s \in Sids : Len(sock[s].datagrams) <= MaxQueue /\ Len(sock[s].acceptq) <= MaxQueue
    /\ \A s \in Sids : Len(sock[s].stream) <= MaxQueue * MaxSend
    /\ Cardinality(net) <= MaxNet
==============================================================================
