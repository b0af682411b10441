#!/usr/bin/env python3
# Probe: connect(2) with an AF_UNSPEC address (Connect with ip = AF_UNSPEC in the spec) on UDP, TCP in
# each state the spec has, and raw sockets: what it returns, and what getsockname, getpeername,
# SO_ERROR, recv, send, connect and the peer see afterwards. Loopback only (127.0.0.1-3, ports 5700-5719);
# raw sockets need root.
import socket, errno, time, ctypes, struct, select
S = socket
libc = ctypes.CDLL(None, use_errno=True)
def unspec(s):
    sa = struct.pack("HH12x", 0, 0)          # sa_family = AF_UNSPEC
    r = libc.connect(s.fileno(), ctypes.c_char_p(sa), len(sa))
    return 0 if r == 0 else errno.errorcode[ctypes.get_errno()]
def t(f):
    try: return f()
    except OSError as e: return errno.errorcode[e.errno]
def soerr(s): return errno.errorcode.get(s.getsockopt(S.SOL_SOCKET, S.SO_ERROR), 0)
def names(s): return f"name={t(s.getsockname)} peer={t(s.getpeername)}"
def udp(): return S.socket(S.AF_INET, S.SOCK_DGRAM)
print("== UDP")
for label, prep in [
        ("unbound, connected", lambda s: s.connect(("127.0.0.2", 5700))),
        ("bound 127.0.0.1:5701, connected", lambda s: (s.bind(("127.0.0.1", 5701)), s.connect(("127.0.0.2", 5700)))),
        ("bound 0.0.0.0:5702, connected", lambda s: (s.bind(("0.0.0.0", 5702)), s.connect(("127.0.0.2", 5700)))),
        ("bound 127.0.0.1:0, connected", lambda s: (s.bind(("127.0.0.1", 0)), s.connect(("127.0.0.2", 5700)))),
        ("bound 0.0.0.0:0, connected", lambda s: (s.bind(("0.0.0.0", 0)), s.connect(("127.0.0.2", 5700)))),
        ("bound 0.0.0.0:0", lambda s: s.bind(("0.0.0.0", 0))),
        ("fresh", lambda s: None)]:
    s = udp(); prep(s); before = names(s)
    print(f"{label}: {before} -> unspec={unspec(s)} {names(s)} send={t(lambda: s.send(b'x'))} recv(dontwait)={t(lambda: s.recv(4, S.MSG_DONTWAIT))}")
    s.close()
# a datagram queued before the disconnect stays?
r = udp(); r.bind(("127.0.0.1", 5703)); w = udp(); w.bind(("127.0.0.2", 5704))
r.connect(("127.0.0.2", 5704)); w.sendto(b"a", ("127.0.0.1", 5703)); time.sleep(0.02)
print("UDP queued datagram kept:", unspec(r), t(lambda: r.recvfrom(4, S.MSG_DONTWAIT)))
o = udp(); o.bind(("127.0.0.3", 5705)); o.sendto(b"b", ("127.0.0.1", 5703)); time.sleep(0.02)
print("UDP from another sender after disconnect:", t(lambda: r.recvfrom(4, S.MSG_DONTWAIT)))
print("== TCP")
def pair(port, lhost="127.0.0.1"):
    l = S.socket(); l.setsockopt(S.SOL_SOCKET, S.SO_REUSEADDR, 1); l.bind((lhost, port)); l.listen(4)
    c = S.socket(); c.connect((lhost, port)); a, _ = l.accept(); return l, c, a
def after(label, s, peer=None):
    out = f"{label}: unspec={unspec(s)} {names(s)} SO_ERROR={soerr(s)}"
    out += f" recv={t(lambda: s.recv(4, S.MSG_DONTWAIT))} recv2={t(lambda: s.recv(4, S.MSG_DONTWAIT))} send={t(lambda: s.send(b'x'))}"
    if peer is not None:
        time.sleep(0.02); out += f" | peer recv={t(lambda: peer.recv(4, S.MSG_DONTWAIT))} peer recv2={t(lambda: peer.recv(4, S.MSG_DONTWAIT))}"
    print(out)
    return s
s = S.socket(); after("fresh", s); s.close()
s = S.socket(); s.bind(("127.0.0.1", 5706)); after("bound 127.0.0.1:5706", s); s.close()
s = S.socket(); s.bind(("127.0.0.1", 0)); after("bound 127.0.0.1:0", s); s.close()
l, c, a = pair(5707); s = after("established (client)", c, a)
print("  reconnect:", t(lambda: s.connect(("127.0.0.1", 5707))), names(s)); l.close(); a.close(); s.close()
l, c, a = pair(5708); c.send(b"data"); time.sleep(0.02); after("established with unread data (acceptor)", a, c); l.close(); c.close(); a.close()
l, c, a = pair(5709); a.shutdown(S.SHUT_WR); time.sleep(0.02); after("CLOSE-WAIT", c, a); l.close(); a.close(); c.close()
l, c, a = pair(5710); c.shutdown(S.SHUT_WR); time.sleep(0.02); after("FIN-WAIT-2", c, a); l.close(); a.close(); c.close()
l, c, a = pair(5711); c.shutdown(S.SHUT_WR); time.sleep(0.02); a.shutdown(S.SHUT_WR); time.sleep(0.02)
print("  state after both shut:", [x.split()[3] for x in open("/proc/net/tcp").read().splitlines()[1:] if ":164F" in x.split()[1]])
after("both shut (TIME-WAIT side)", c, a); l.close(); a.close(); c.close()
l = S.socket(); l.setsockopt(S.SOL_SOCKET, S.SO_REUSEADDR, 1); l.bind(("127.0.0.1", 5712)); l.listen(4)
c = S.socket(); c.connect(("127.0.0.1", 5712)); time.sleep(0.02)
print("listener:", unspec(l), names(l), "accept(nb):", t(lambda: (l.setblocking(False), l.accept())), "client recv:", t(lambda: c.recv(4)))
print("  listen again:", t(lambda: l.listen(4)), names(l)); l.close(); c.close()
l = S.socket(); l.listen(4); print("listener on a picked port:", names(l), unspec(l), names(l)); l.close()
# SYN-SENT: a listener with a full queue keeps the SYN unanswered
l = S.socket(); l.bind(("127.0.0.1", 5713)); l.listen(0)
f1 = S.socket(); f1.connect(("127.0.0.1", 5713))
c = S.socket(); c.setblocking(False); print("nb connect:", t(lambda: c.connect(("127.0.0.1", 5713))))
f2 = S.socket(); f2.setblocking(False); t(lambda: f2.connect(("127.0.0.1", 5713)))
time.sleep(0.05); print("  state:", [x.split()[3] for x in open("/proc/net/tcp").read().splitlines()[1:] if ":1669" in x.split()[2]])
after("SYN-SENT (non-blocking connect)", c); print("  connect again:", t(lambda: c.connect(("127.0.0.1", 5713))))
for x in (l, f1, f2, c): x.close()
print("== raw")
r = S.socket(S.AF_INET, S.SOCK_RAW, 253); r.bind(("127.0.0.1", 0)); r.connect(("127.0.0.2", 0))
print("raw bound, connected:", names(r), "unspec:", unspec(r), names(r))
w = S.socket(S.AF_INET, S.SOCK_RAW, 253); w.bind(("127.0.0.2", 0)); w.sendto(b"z", ("127.0.0.1", 0)); time.sleep(0.02)
print("  raw receives after:", t(lambda: r.recvfrom(64, S.MSG_DONTWAIT)))
print("== TCP, the first call after the disconnect")
for i, first in enumerate(["recv", "send", "connect", "listen"]):
    l, c, a = pair(5714 + i)
    u = unspec(c)
    f = {"recv": lambda: c.recv(4, S.MSG_DONTWAIT), "send": lambda: c.send(b"x"),
         "connect": lambda: c.connect(("127.0.0.1", 5714 + i)), "listen": lambda: c.listen(1)}[first]
    print(f"established, unspec={u}, then {first}={t(f)} SO_ERROR={soerr(c)} {names(c)}")
    for x in (l, c, a): x.close()
l = S.socket(); l.bind(("127.0.0.1", 5718)); l.listen(1); print("listener disconnected:", unspec(l))
c = S.socket(); print("  connect to it:", t(lambda: c.connect(("127.0.0.1", 5718)))); l.close(); c.close()
print("== TCP, listen after the disconnect")
l, c, a = pair(5740); a.setsockopt(S.SOL_SOCKET, S.SO_LINGER, struct.pack('ii', 1, 0)); a.close(); time.sleep(0.03)
print("connection reset by the peer: unspec", unspec(c), "listen", t(lambda: c.listen(1))); l.close(); c.close()
l, c, a = pair(5741); c.shutdown(S.SHUT_WR); time.sleep(0.02); a.shutdown(S.SHUT_WR); time.sleep(0.03)
print("both shut (time-wait): unspec", unspec(c), "listen", t(lambda: c.listen(1))); l.close(); a.close(); c.close()
s = S.socket(); print("fresh: unspec", unspec(s), "listen", t(lambda: s.listen(1))); s.close()
s = S.socket(); s.bind(("127.0.0.1", 5742)); print("bound: unspec", unspec(s), "listen", t(lambda: s.listen(1))); s.close()
s = S.socket(); print("refused connect:", t(lambda: s.connect(("127.0.0.1", 5744))), "unspec", unspec(s), "listen", t(lambda: s.listen(1))); s.close()
l, c, a = pair(5743); print("established: unspec", unspec(c), "listen", t(lambda: c.listen(1)), names(c))
x = S.socket(); print("  bind to the port the failed listen shows:", t(lambda: x.bind(("127.0.0.1", c.getsockname()[1]))))
for y in (l, c, a, x): y.close()
print("== TCP, an accepted connection of a listener on the wildcard")
l = S.socket(); l.bind(("0.0.0.0", 5719)); l.listen(1)
c = S.socket(); c.connect(("127.0.0.1", 5719)); a, _ = l.accept()
print("acceptor:", names(a), "unspec", unspec(a), names(a)); l.close(); a.close(); c.close()
print("== TCP, connect and listen after each kind of past (Linux 6.18.44: a socket that listened never connects,")
print("   one that sent a SYN never listens again)")
srv = S.socket(); srv.setsockopt(S.SOL_SOCKET, S.SO_REUSEADDR, 1); srv.bind(("127.0.0.2", 5800)); srv.listen(8)
nextport = [5810]
def bound(s):
    nextport[0] += 1; s.bind(("127.0.0.1", nextport[0]))
def past(name, prep):
    for then in ("connect", "listen"):
        s = S.socket(); prep(s)
        r = t(lambda: s.connect(("127.0.0.2", 5800))) if then == "connect" else t(lambda: s.listen(1))
        print(f"{name:40s} then {then}: {0 if r is None else r}  name={t(s.getsockname)}")
        s.close()
past("fresh", lambda s: None)
past("bound", bound)
past("listener (bound), shutdown RD", lambda s: (bound(s), s.listen(1), s.shutdown(S.SHUT_RD)))
past("listener (unbound), shutdown RD", lambda s: (s.listen(1), s.shutdown(S.SHUT_RD)))
past("listener (bound), AF_UNSPEC", lambda s: (bound(s), s.listen(1), unspec(s)))
past("bound, AF_UNSPEC", lambda s: (bound(s), unspec(s)))
past("refused connect", lambda s: t(lambda: s.connect(("127.0.0.1", 5899))))
past("connected, AF_UNSPEC", lambda s: (s.connect(("127.0.0.2", 5800)), unspec(s)))
a = S.socket(); a.setsockopt(S.SOL_SOCKET, S.SO_REUSEADDR, 1); a.bind(("127.0.0.1", 5795)); a.listen(1)
b = S.socket(); b.setsockopt(S.SOL_SOCKET, S.SO_REUSEADDR, 1); b.bind(("127.0.0.1", 5794)); b.connect(("127.0.0.1", 5795))
d = S.socket(); d.setsockopt(S.SOL_SOCKET, S.SO_REUSEADDR, 1); d.bind(("127.0.0.1", 5794))
print("4-tuple taken (no SYN sent):", t(lambda: d.connect(("127.0.0.1", 5795))), "then listen", t(lambda: d.listen(1)))
for y in (srv, a, b, d): y.close()
